from aims_core.ui.shell import through_router
from aims_core.ui.views import audits

through_router()
audits.render()
