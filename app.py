"""AIMS Dashboard entry point: page set-up, sidebar and router."""

from pathlib import Path

import streamlit as st

from aims_core.ui.navigation import SECTIONS
from aims_core.ui.session import get_db, identity_sidebar

HERE = Path(__file__).parent

# A local icon: a Material icon as page icon is fetched from fonts.gstatic.com, and the app
# makes no request beyond its own server (it works offline).
st.set_page_config(page_title="AIMS Dashboard",
                   page_icon=str(HERE / "aims_core" / "ui" / "assets" / "favicon.png"),
                   layout="wide")

navigation = st.navigation({
    section: [st.Page(HERE / spec.path, title=spec.title, icon=f":material/{spec.icon}:",
                      url_path=spec.url_path, default=spec.default) for spec in pages]
    for section, pages in SECTIONS.items()
})
get_db()
st.session_state["_identity"] = identity_sidebar()
navigation.run()
