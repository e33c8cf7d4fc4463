"""AIMS Dashboard entry point: page set-up, who is using the app, sidebar and router."""

from pathlib import Path

import streamlit as st

from aims_core import readiness

readiness.wait()  # server.py loads the modules below behind its first answer: not twice at once
from aims_core.ui import identity
from aims_core.ui.chrome import about_markdown, page_chrome
from aims_core.ui.navigation import SIGN_IN, PageSpec, sections_for
from aims_core.ui.session import get_db
from aims_core.ui.views.organisation import in_sidebar

HERE = Path(__file__).parent


def _page(spec: PageSpec) -> st.Page:
    return st.Page(HERE / spec.path, title=spec.title, icon=f":material/{spec.icon}:",
                   url_path=spec.url_path, default=spec.default)


page_chrome()
config = identity.sign_in_config()
serving = identity.serving_decision(config)
if not serving.allowed:
    st.error(serving.message, icon=":material/gpp_bad:")
    st.stop()
db = get_db()
page_chrome(about_text=about_markdown())
who = identity.resolve(db, config)
st.session_state["_identity"] = who
if serving.warning:
    st.warning(serving.warning, icon=":material/gpp_maybe:")
if who.mode == "team" and not who.name:
    st.navigation([_page(SIGN_IN)], position="hidden").run()
    st.stop()
if who.mode == "team":
    identity.team_sidebar(who)
in_sidebar()
navigation = st.navigation({section: [_page(spec) for spec in pages]
                            for section, pages in sections_for(who.role).items()},
                           expanded=True)  # every page in view: no "View more" fold
navigation.run()
readiness.first_page_shown()
