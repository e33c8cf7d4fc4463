from aims_core.ui.shell import through_router
from aims_core.ui.views import reminders

through_router()
reminders.render()
