from aims_core.ui.shell import through_router
from aims_core.ui.views import kpis

through_router()
kpis.render()
