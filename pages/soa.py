from aims_core.ui.shell import through_router
from aims_core.ui.views import soa

through_router()
soa.render()
