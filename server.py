"""The one process that owns the database: the Streamlit pages (``app.py``), the HTTP API
under ``/api/v1`` and the scheduled jobs (``aims_core/service.py``).

Started by ``make run`` (``streamlit run server.py``); ``uvicorn server:app`` works too. It
listens at once and loads the rest behind (``aims_core/readiness.py``).
"""

import streamlit as st
from starlette.routing import Mount

from aims_core import readiness

app = st.App("app.py", routes=[Mount("/api/v1", app=readiness.Api())],
             lifespan=readiness.lifespan)
