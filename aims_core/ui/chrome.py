"""The browser tab and the top-right menu of a self-hosted tool: the app's own title, icon
and "About" (no Streamlit Cloud "Deploy" or help links: ``client.toolbarMode = "minimal"``
in .streamlit/config.toml shows only what is set here)."""

from __future__ import annotations

import streamlit as st

from aims_core import about
from aims_core.config import PROJECT_ROOT
from aims_core.ui.session import cached
from aims_core.ui.text import md_escape

TITLE = "AIMS Dashboard"
# A file, not ":material/…:": Streamlit fetches a Material favicon from fonts.gstatic.com.
ICON = PROJECT_ROOT / "static" / "aims-icon.png"


def page_chrome(title: str = TITLE, *, about_text: str | None = None) -> None:
    menu = {"Get help": None, "Report a bug": None, "About": about_text} if about_text \
        else None
    st.set_page_config(page_title=title, page_icon=str(ICON), layout="wide",
                       menu_items=menu)


def about_markdown() -> str:
    info = cached(about.about)
    rows = "\n".join(f"- **{label}:** {md_escape(value)}" for label, value in about.lines(info))
    return (f"**{TITLE}** — an ISO/IEC 42001 AI management system on one DuckDB file, "
            f"self-hosted and offline.\n\n{rows}")
