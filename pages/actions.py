from aims_core.ui.shell import through_router
from aims_core.ui.views import actions

through_router()
actions.render()
