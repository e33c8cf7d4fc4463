from aims_core.ui.shell import through_router
from aims_core.ui.views import sign_in

through_router()
sign_in.render()
