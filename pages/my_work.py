from aims_core.ui.shell import through_router
from aims_core.ui.views import my_work

through_router()
my_work.render()
