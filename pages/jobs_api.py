from aims_core.ui.shell import through_router
from aims_core.ui.views import jobs_api

through_router()
jobs_api.render()
