from aims_core.ui.shell import through_router
from aims_core.ui.views import ai_systems

through_router()
ai_systems.render()
