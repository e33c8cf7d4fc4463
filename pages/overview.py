from aims_core.ui.shell import through_router
from aims_core.ui.views import overview

through_router()
overview.render()
