from aims_core.ui.shell import through_router
from aims_core.ui.views import management_review

through_router()
management_review.render()
