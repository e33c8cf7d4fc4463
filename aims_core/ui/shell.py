"""Make every page run inside the router of app.py."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def through_router() -> None:
    """Rerun a page through app.py if Streamlit started it on its own.

    Until app.py has called ``st.navigation`` once in this server process, Streamlit treats
    ``pages/`` as a legacy multipage folder: the first visitor of a page URL (a bookmark
    after a restart) would run that page alone, without page config, sidebar or identity.
    Switching the flag ``st.navigation`` itself sets and rerunning routes the same URL
    through app.py. (Internal API of the pinned Streamlit; covered by the browser tests.)
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
