"""AIMS Dashboard entry point: page set-up, sidebar and router."""

from pathlib import Path

import streamlit as st

from aims_core.ui.navigation import SECTIONS
from aims_core.ui.session import get_db, identity_sidebar

HERE = Path(__file__).parent

st.set_page_config(page_title="AIMS Dashboard", page_icon=":material/verified_user:",
                   layout="wide")

navigation = st.navigation({
    section: [st.Page(HERE / spec.path, title=spec.title, icon=f":material/{spec.icon}:",
                      url_path=spec.url_path, default=spec.default) for spec in pages]
    for section, pages in SECTIONS.items()
}, expanded=True)  # every section in view: no "View more" hiding the Data pages
get_db()
st.session_state["_identity"] = identity_sidebar()
navigation.run()
