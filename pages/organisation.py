from aims_core.ui.shell import through_router
from aims_core.ui.views import organisation

through_router()
organisation.render()
