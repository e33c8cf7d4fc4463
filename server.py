"""The one process that owns the database: the Streamlit pages (``app.py``), the HTTP API
under ``/api/v1`` and the scheduled jobs (``aims_core/service.py``).

Started by ``make run`` (``streamlit run server.py``); ``uvicorn server:app`` works too.
"""

import streamlit as st

from aims_core.api.routes import ROUTES
from aims_core.service import lifespan

app = st.App("app.py", routes=ROUTES, lifespan=lifespan)
