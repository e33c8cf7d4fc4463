from aims_core.ui.shell import through_router
from aims_core.ui.views import users

through_router()
users.render()
