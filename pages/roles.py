from aims_core.ui.shell import through_router
from aims_core.ui.views import roles

through_router()
roles.render()
