from aims_core.ui.shell import through_router
from aims_core.ui.views import suppliers

through_router()
suppliers.render()
