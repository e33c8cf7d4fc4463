"""AIMS Dashboard entry point: page set-up, sidebar and router."""

from pathlib import Path

import streamlit as st

from aims_core.ui.session import get_db, identity_sidebar

HERE = Path(__file__).parent

st.set_page_config(page_title="AIMS Dashboard", page_icon=":material/verified_user:",
                   layout="wide")


def page(file: str, title: str, icon: str, *, default: bool = False) -> st.Page:
    return st.Page(HERE / "pages" / file, title=title, icon=f":material/{icon}:",
                   url_path=file.removesuffix(".py"), default=default)


navigation = st.navigation({
    "Dashboard": [page("overview.py", "Overview", "dashboard", default=True)],
    "Inventory": [page("ai_systems.py", "AI systems", "smart_toy"),
                  page("schedule.py", "Schedule", "event")],
    "Risk": [page("risks.py", "Risks", "warning"),
             page("impact_assessments.py", "Impact assessments", "diversity_3"),
             page("risk_method.py", "Risk method", "grid_on")],
    "Compliance": [page("soa.py", "Controls (SoA)", "checklist"),
                   page("clauses.py", "Clauses 4–10", "rule")],
    "Performance": [page("kpis.py", "KPIs & objectives", "monitoring")],
    "Support registers": [page("suppliers.py", "Suppliers", "handshake")],
})
get_db()
st.session_state["_identity"] = identity_sidebar()
navigation.run()
