"""Overview: headline figures of the management system from the registers."""

from __future__ import annotations

import streamlit as st

from aims_core import kpis, overview, revalidation
from aims_core.kpi_status import STATUS_LABELS
from aims_core.risk_method import BAND_COLOURS
from aims_core.ui.charts import PALETTE, labelled_bars
from aims_core.ui.session import cached, query, today


def _empty_state() -> None:
    st.info(
        "This organisation has no AI systems yet. Start with the inventory: list every AI "
        "system you build, buy or use, who owns it and what it is for. Risks, controls and "
        "re-validation dates build on that list.",
        icon=":material/lightbulb:",
    )
    st.page_link("pages/ai_systems.py", label="Add your first AI system",
                 icon=":material/add_circle:")


def _kpis_in_red() -> None:
    st.subheader("KPIs in red")
    red = cached(kpis.kpis_in_red)
    if red.empty:
        st.success("No KPI is beyond its red threshold.", icon=":material/task_alt:")
        return
    st.page_link("pages/kpis.py", label="Open KPIs & objectives", icon=":material/monitoring:")
    shown = red.assign(status_text=STATUS_LABELS["red"],
                       ai_system=red["ai_system"].fillna("Organisation-wide"))
    st.dataframe(
        shown[["name", "status_text", "value", "red_threshold", "unit", "measured_on",
               "ai_system", "owner"]],
        hide_index=True, width="stretch",
        column_config={"name": "KPI", "status_text": "Status", "value": "Latest",
                       "red_threshold": "Red threshold", "unit": "Unit",
                       "measured_on": st.column_config.DateColumn("Measured on"),
                       "ai_system": "AI system (due for re-validation)", "owner": "Owner"})


def render() -> None:
    org = query("SELECT name FROM organisation ORDER BY id LIMIT 1")
    st.title("Overview")
    if not org.empty:
        st.caption(f"AI management system of **{org['name'].iloc[0]}** · as of {today():%d %b %Y}")
    head = cached(overview.headline, today())
    if head.systems_in_scope == 0:
        _empty_state()

    tiles = st.columns(5)
    tiles[0].metric("AI systems in scope", head.systems_in_scope, border=True)
    tiles[1].metric("High & critical risks open", head.high_critical_open, border=True)
    tiles[2].metric(
        "SoA controls implemented",
        "–" if head.soa_implemented_pct is None else f"{head.soa_implemented_pct:.0f} %",
        help=f"Implemented share of the {head.soa_applicable} applicable Annex A controls",
        border=True,
    )
    tiles[3].metric("Re-validations overdue", head.overdue_validations, border=True)
    tiles[4].metric("KPIs in red", head.kpis_red, border=True,
                    help="KPIs whose latest value is beyond their red threshold")

    left, right = st.columns(2)
    with left:
        st.subheader("AI systems by EU AI Act category")
        by_category = cached(overview.systems_by_category)
        st.plotly_chart(
            labelled_bars(by_category, "label", "systems",
                          [PALETTE[i % len(PALETTE)] for i in range(len(by_category))]),
            key="overview_categories",
        )
    with right:
        st.subheader("Open risks by current level")
        by_level = cached(overview.open_risks_by_level)
        st.plotly_chart(
            labelled_bars(by_level, "level", "risks",
                          [BAND_COLOURS[b] for b in by_level["level"]]),
            key="overview_levels",
        )
        st.caption("Current level = residual rating where assessed, else inherent.")

    _kpis_in_red()

    st.subheader("Re-validations due now or overdue")
    schedule = cached(revalidation.revalidation_schedule, today())
    overdue = schedule[schedule["overdue"]]
    if overdue.empty:
        st.success("No AI system is overdue for re-validation.", icon=":material/task_alt:")
    else:
        st.page_link("pages/schedule.py", label="Open the schedule", icon=":material/event:")
        st.dataframe(
            overdue[["name", "owner", "last_validated", "next_due", "reason"]],
            hide_index=True,
            width="stretch",
            column_config={
                "name": "AI system", "owner": "Owner",
                "last_validated": st.column_config.DateColumn("Last validated"),
                "next_due": st.column_config.DateColumn("Next due"),
                "reason": st.column_config.TextColumn("Why", width="large"),
            },
        )
