from aims_core.ui.shell import through_router
from aims_core.ui.views import context

through_router()
context.render()
