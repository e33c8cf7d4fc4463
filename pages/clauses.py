from aims_core.ui.shell import through_router
from aims_core.ui.views import clauses

through_router()
clauses.render()
