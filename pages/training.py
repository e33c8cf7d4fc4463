from aims_core.ui.shell import through_router
from aims_core.ui.views import training

through_router()
training.render()
