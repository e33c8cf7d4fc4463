from aims_core.ui.shell import through_router
from aims_core.ui.views import data_transfer

through_router()
data_transfer.render()
