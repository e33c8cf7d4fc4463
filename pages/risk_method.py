from aims_core.ui.shell import through_router
from aims_core.ui.views import risk_method

through_router()
risk_method.render()
