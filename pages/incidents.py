from aims_core.ui.shell import through_router
from aims_core.ui.views import incidents

through_router()
incidents.render()
