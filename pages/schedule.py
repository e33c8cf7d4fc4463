from aims_core.ui.shell import through_router
from aims_core.ui.views import schedule

through_router()
schedule.render()
