from aims_core.ui.shell import through_router
from aims_core.ui.views import documents

through_router()
documents.render()
