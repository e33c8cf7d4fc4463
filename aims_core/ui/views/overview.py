"""Overview: where the management system stands, for a shared screen. Every tile leads to
the page (and filter) that explains its figure."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from aims_core.compliance import soa
from aims_core.dashboard import overview, schedule
from aims_core.improvement.figures import figures as improvement_figures
from aims_core.improvement.registers import INCIDENT_STATUSES, OPEN_INCIDENT_STATUSES, SEVERITIES
from aims_core.management_review import reviews
from aims_core.management_system import organisation
from aims_core.performance.kpi_status import STATUS_LABELS
from aims_core.records.registry import REGISTERS
from aims_core.risk import risks
from aims_core.risk.registers import RISK_STATUSES
from aims_core.risk.risk_method import BAND_COLOURS, LEVEL_BANDS, load_method
from aims_core.self_assessment import results as self_assessment_results
from aims_core.ui.charts import PALETTE, labelled_bars
from aims_core.ui.plain_html import risk_matrix, status_bars, table
from aims_core.ui.session import cached, today
from aims_core.ui.text import md_escape

DUE_DAYS = 30
DUE_SOON = schedule.DueFilter(horizon=DUE_DAYS)
DUE_SHOWN = 5  # the Overview lists the first few; the schedule has them all
RED_SHOWN = 10  # likewise the first KPIs in red; the KPI page lists them all
TILE_HEIGHT = 146  # every tile alike, the link to its page inside
# Filters the tiles open, as the target pages bind them to the URL (labels, not codes).
HIGH_CRITICAL_OPEN = {"risks_level": ["High", "Critical"],
                      "risks_status": [RISK_STATUSES["open"], RISK_STATUSES["treating"]]}
REVALIDATIONS_OVERDUE = {"schedule_horizon": "Overdue only", "schedule_kinds": "Re-validation"}
INCIDENTS_OPEN = {"incidents_status": [INCIDENT_STATUSES[s] for s in OPEN_INCIDENT_STATUSES]}


def _empty_state() -> None:
    st.info(
        "This organisation has no AI systems yet. Start with the inventory: list every AI "
        "system you build, buy or use, who owns it and what it is for. Risks, controls and "
        "re-validation dates build on that list.",
        icon=":material/lightbulb:",
    )
    st.page_link("pages/ai_systems.py", label="Add your first AI system",
                 icon=":material/add_circle:")


def _tile(label: str, value: object, help: str, page: str, link: str, icon: str,
          query_params: dict | None = None) -> None:
    """One headline figure and the page (and filter) that explains it, in one box of the
    same height as its neighbours."""
    with st.container(border=True, height=TILE_HEIGHT, gap="small"):
        st.metric(label, value, help=help)
        st.page_link(page, label=link, icon=f":material/{icon}:", query_params=query_params)


def _maturity_tile() -> None:
    """The latest finished self-assessment's overall score, against the one before."""
    latest = cached(self_assessment_results.latest_summary)
    if latest is None or latest.overall is None:
        _tile("Maturity score", "–", "Overall maturity (0–5) of the latest self-assessment: "
              "none is finished yet", "pages/self_assessment.py", "Self-assessment",
              "speed")
        return
    change = None if latest.previous_overall is None else latest.overall - latest.previous_overall
    since = "" if change is None else \
        f" ({change:+.2f} since the one of {latest.previous_held_on:%d %b %Y})"
    # the change rides on the link, as the incidents' severities do: a delta row would not fit
    _tile("Maturity score", f"{latest.overall:.2f} of 5",
          f"Overall maturity (0–5) of the self-assessment of {latest.held_on:%d %b %Y}{since}; "
          "3 is the level certification needs", "pages/self_assessment.py",
          "Results and gaps" if change is None else f"Results ({change:+.2f})",
          "speed", {"session": str(latest.session_id)})


def _tiles(head: overview.Headline) -> None:
    counts = cached(improvement_figures, today())
    by_severity = [(SEVERITIES[code].lower(), n) for code, n in counts.open_by_severity.items()]
    first, second = st.columns(4), st.columns(4)
    with first[0]:
        _tile("AI systems in scope", head.systems_in_scope, "Every AI system not retired",
              "pages/ai_systems.py", "Inventory", "smart_toy")
    with first[1]:
        _tile("High & critical open", head.high_critical_open,
              "Open or in treatment, at level High or Critical (residual where rated)",
              "pages/risks.py", "These risks", "warning", HIGH_CRITICAL_OPEN)
    with first[2]:
        _tile("SoA implemented",
              "–" if head.soa_implemented_pct is None else f"{head.soa_implemented_pct:.0f} %",
              f"Share of the {head.soa_applicable} applicable Annex A controls that stand "
              "implemented: evidence current, reviewed within 12 months, no open major "
              "nonconformity", "pages/soa.py", "Controls (SoA)", "checklist")
    with first[3]:
        _tile("Validations overdue", head.overdue_validations,
              "AI systems due for re-validation today or earlier: never validated, past "
              "their date, or due now after a trigger",
              "pages/schedule.py", "Overdue systems", "event", REVALIDATIONS_OVERDUE)
    with second[0]:
        _tile("KPIs in red", head.kpis_red,
              "KPIs whose latest value is beyond their red threshold", "pages/kpis.py",
              "KPIs, red first", "monitoring")
    with second[1]:  # the link names the open incidents by severity ("2 high · 1 medium")
        _tile("Open incidents", counts.incidents_open,
              "Open, investigating or contained, by severity: "
              + ", ".join(f"{n} {name}" for name, n in by_severity),
              "pages/incidents.py",
              " · ".join(f"{n} {name}" for name, n in by_severity if n) or "Incidents",
              "crisis_alert", INCIDENTS_OPEN)
    with second[2]:
        _maturity_tile()


def _heatmap() -> None:
    st.subheader("Residual risk heatmap")
    method = cached(load_method)
    everything = risks.RiskFilter()
    residual = cached(risks.matrix_counts, today(), everything, "residual")
    above = {band for band in LEVEL_BANDS if method.above_tolerance(band)}
    st.html(risk_matrix(residual, method.size, list(method.likelihood_labels),
                        list(method.impact_labels), BAND_COLOURS, above))
    unrated = cached(risks.unrated_residual, today(), everything)
    st.caption(f"Live risks by residual rating; {unrated} not yet rated for residual risk are "
               "not in the grid. Black border = above the risk tolerance.")
    st.page_link("pages/risks.py", label="Risk register: click a cell there to list its risks",
                 icon=":material/warning:")


def _coverage(frame: pd.DataFrame) -> None:
    st.subheader("Control coverage by objective",
                 help="Applicable controls per Annex A objective (their number in brackets). "
                      "Stale evidence, an overdue review or an open major nonconformity "
                      "counts an implemented control as partial.")
    if frame["applicable"].sum() == 0:
        st.info("No Annex A control is marked applicable yet: decide applicability on the "
                "SoA page and coverage appears here.", icon=":material/lightbulb:")
        return
    frame = frame.assign(label=frame["objective"] + " (" + frame["applicable"].astype(str)
                         + ")")  # the objective's name beside its code
    st.html(status_bars(frame, "label", "applicable"))


def _due_soon(due: schedule.Listing) -> None:
    if due.counts.listed == 0:
        st.success(f"Nothing is overdue or due in the next {DUE_DAYS} days.",
                   icon=":material/task_alt:")
        return
    overdue = due.counts.overdue
    st.markdown(f"**{overdue}** overdue · **{due.counts.listed - overdue}** due by "
                f"{today() + timedelta(days=DUE_DAYS):%d %b %Y}")
    rows = due.rows.assign(status=due.rows["overdue"].map({True: "Overdue",
                                                            False: "Upcoming"}),
                           due=pd.to_datetime(due.rows["due_on"]).dt.strftime("%d %b %Y"))
    st.html(table(rows, {"status": "Status", "due": "Due", "kind": "What", "item": "Item",
                         "owner": "Owner"}))
    with st.expander(f"By kind ({len(due.by_kind)} kinds)"):
        st.html(table(due.by_kind, {"kind": "What", "overdue": "Overdue", "items": "All due"}))
    st.page_link("pages/schedule.py", label=f"All {due.counts.listed} in the schedule",
                 icon=":material/event:",
                 query_params={"schedule_horizon": f"Next {DUE_DAYS} days"})


def _management_review() -> None:
    """When the last review was held, when the next is due, and its open actions."""
    last = cached(reviews.last_review_on, today())
    due, why = cached(reviews.next_due, today())
    held = f"Last management review held on {last:%d %b %Y}" if last else \
        "No management review held yet"
    upcoming = f"next due {due:%d %b %Y} ({md_escape(why)})" if due else "plan the first one"
    st.markdown(f"**{held}** · {upcoming}")
    open_actions = cached(reviews.open_review_actions, today())
    if open_actions.empty:
        st.caption("No open action from management reviews.")
    else:
        late = int(open_actions["overdue"].sum())
        st.caption(f"{len(open_actions)} open action(s) from management reviews"
                   + (f", {late} overdue" if late else "") + ":")
        st.dataframe(open_actions.head(5).assign(
            overdue=open_actions["overdue"].map({True: "Overdue", False: ""})),
            hide_index=True, width="stretch",
            column_order=["title", "owner", "due_on", "overdue"],
            column_config={"title": "Action", "owner": "Owner",
                           "due_on": st.column_config.DateColumn("Due"), "overdue": ""})
    st.page_link("pages/management_review.py", label="Open the management review",
                 icon=":material/groups:")


def _since_last_review() -> None:
    since = cached(overview.changes_since_last_review, today())
    if since.review_date:
        st.subheader(f"Changed since the last management review "
                     f"({since.review_date:%d %b %Y})")
    else:
        st.subheader("Changes recorded so far")
        st.caption("No management review is recorded yet (clause 9.3): once one is, this "
                   "lists what changed after it.")
    if since.changes.empty:
        st.success("No change recorded since then." if since.review_date else
                   "Nothing recorded yet.", icon=":material/task_alt:")
        return
    frame = since.changes.assign(register=[
        REGISTERS[t].label if t in REGISTERS else t.replace("_", " ")
        for t in since.changes["register"]])
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={"register": "Record",
                                "added": "Added", "changed": "Changed", "removed": "Removed",
                                "people": "People",
                                "latest": st.column_config.DatetimeColumn(
                                    "Latest change (UTC)", format="YYYY-MM-DD HH:mm")})


def _kpis_in_red(red: overview.RedKpis) -> None:
    if red.total == 0:
        st.success("No KPI is beyond its red threshold.", icon=":material/task_alt:")
        return
    shown = red.first.assign(status_text=STATUS_LABELS["red"],
                             ai_system=red.first["ai_system"].fillna("Organisation-wide"))
    st.dataframe(
        shown[["name", "status_text", "value", "red_threshold", "unit", "measured_on",
               "ai_system", "owner"]],
        hide_index=True, width="stretch",
        column_config={"name": "KPI", "status_text": "Status", "value": "Latest",
                       "red_threshold": "Red threshold", "unit": "Unit",
                       "measured_on": st.column_config.DateColumn("Measured on"),
                       "ai_system": "AI system (due for re-validation)", "owner": "Owner"})
    if red.total > len(shown):
        st.page_link("pages/kpis.py", label=f"The first {len(shown)} of {red.total} by name; "
                     "all on the KPI page, red first", icon=":material/monitoring:")


def _systems_and_levels(by_category: pd.DataFrame, by_level: pd.DataFrame) -> None:
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("AI systems by EU AI Act category")
        st.plotly_chart(
            labelled_bars(by_category, "label", "systems",
                          [PALETTE[i % len(PALETTE)] for i in range(len(by_category))]),
            key="overview_categories",
        )
    with right:
        st.subheader("Open risks by current level")
        st.plotly_chart(
            labelled_bars(by_level, "level", "risks",
                          [BAND_COLOURS[b] for b in by_level["level"]]),
            key="overview_levels",
        )
        st.caption("Current level = residual rating where assessed, else inherent.")


def render() -> None:
    org_name = cached(organisation.name)
    st.title("Overview")
    if org_name:
        st.caption(f"AI management system of **{md_escape(org_name)}** · as of "
                   f"{today():%d %b %Y}")
    else:
        st.page_link("pages/organisation.py", icon=":material/domain:",
                     label="Set up the organisation profile: its name, AIMS scope and AI roles")
    # Every tile is a figure a section below shows too: each is read once per run, and the
    # tiles are drawn before any chart.
    by_category = cached(overview.systems_by_category)
    by_level = cached(overview.open_risks_by_level)
    coverage = cached(soa.coverage, today())
    due = cached(schedule.listing, today(), DUE_SOON, 0, DUE_SHOWN)
    red = cached(overview.kpis_in_red, RED_SHOWN)
    revalidations = due.by_kind.loc[due.by_kind["kind"] == "Re-validation", "overdue"].sum()
    head = overview.Headline.of(by_category, by_level, coverage, int(revalidations),
                                red.total)
    if head.systems_in_scope == 0:
        _empty_state()
    _tiles(head)
    left, right = st.columns([6, 5], gap="medium")
    with left:
        _heatmap()
    with right:
        _coverage(coverage)
    # The detail below the headline, one click away: only the open tab is drawn.
    sections = {f"Due in {DUE_DAYS} days": lambda: _due_soon(due),
                "Changed since the last review": _since_last_review,
                "Management review": _management_review,
                "KPIs in red": lambda: _kpis_in_red(red),
                "Systems and risk levels": lambda: _systems_and_levels(by_category, by_level)}
    tabs = st.tabs(list(sections), key="overview_tab", bind="query-params")
    for tab, section in zip(tabs, sections.values(), strict=True):
        if tab.open:
            with tab:
                section()
