from aims_core.ui.shell import through_router
from aims_core.ui.views import risks

through_router()
risks.render()
