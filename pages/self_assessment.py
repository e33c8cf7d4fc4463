from aims_core.ui.shell import through_router
from aims_core.ui.views import self_assessment

through_router()
self_assessment.render()
