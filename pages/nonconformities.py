from aims_core.ui.shell import through_router
from aims_core.ui.views import nonconformities

through_router()
nonconformities.render()
