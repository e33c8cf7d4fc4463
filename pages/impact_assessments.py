from aims_core.ui.shell import through_router
from aims_core.ui.views import impact_assessments

through_router()
impact_assessments.render()
