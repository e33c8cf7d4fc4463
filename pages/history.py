from aims_core.ui.shell import through_router
from aims_core.ui.views import history

through_router()
history.render()
