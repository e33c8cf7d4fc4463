from aims_core.ui.shell import through_router
from aims_core.ui.views import backups

through_router()
backups.render()
