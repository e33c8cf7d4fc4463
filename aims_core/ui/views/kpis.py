"""KPIs & objectives (clauses 6.2, 9.1): status from the latest values, trends against
targets and thresholds, filters by AI system and objective, register snapshots.

The page costs what it shows: status counts and the pages of KPIs listed come from one
query (:func:`aims_core.performance.kpis.listing`), the trends of a page are one chart,
the AI system filter searches once there are many systems, and each tab runs only while
it is open.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from aims_core.inventory import systems
from aims_core.performance import kpis
from aims_core.performance.kpi_status import STATUS_LABELS
from aims_core.performance.registers import OBJECTIVE_STATUSES
from aims_core.ui.charts import TREND_STRETCHES, kpi_trends
from aims_core.ui.editable_table import show_outcome
from aims_core.ui.paging import known_offset, page_offset
from aims_core.ui.pickers import search_text
from aims_core.ui.session import Identity, cached, current_identity, get_db, today
from aims_core.ui.text import md_escape
from aims_core.ui.views import kpi_entry

CHARTS_PER_PAGE = 8
TABLE_ROWS = 50
PERIODS = {"Last 18 months": 548, "Last 12 months": 365, "Last 6 months": 183, "Everything": None}
ORGANISATION_WIDE_LABEL = "Organisation-wide (no AI system)"
TABS = ["Trends", "Enter values", "Import a file", "KPI definitions & objectives"]


def _system_choices() -> dict[int, str]:
    """The AI systems the filter offers: all of them while they are few, else the ones a
    search finds, always with those chosen (in the widget or in a shared link)."""
    chosen = [i for i in st.session_state.get("kpis_system") or [] if i != kpis.ORGANISATION_WIDE]
    linked = [n for n in st.query_params.get_all("kpis_system") if n != ORGANISATION_WIDE_LABEL]
    kept = tuple(dict.fromkeys([*chosen, *cached(systems.ids_named, linked)]))
    search = search_text("kpis_system", cached(systems.pickable_count, True), "AI systems")
    return {kpis.ORGANISATION_WIDE: ORGANISATION_WIDE_LABEL,
            **cached(systems.names, search, kept, True)}


def _filters() -> tuple[kpis.KpiFilter, int | None]:
    """AI system, objective and period; kept in the URL so a filtered view can be shared."""
    cols = st.columns([3, 3, 2], vertical_alignment="bottom")
    with cols[0]:
        names = _system_choices()
        chosen_systems = st.multiselect("AI system", list(names), format_func=names.get,
                                        key="kpis_system", bind="query-params")
    titles = cached(kpis.objective_titles)
    chosen_objectives = cols[1].multiselect("Objective", list(titles), format_func=titles.get,
                                            key="kpis_objective", bind="query-params")
    period = cols[2].selectbox("Period", list(PERIODS), key="kpis_period",
                               bind="query-params")
    filters = kpis.KpiFilter(tuple(chosen_systems) or None, tuple(chosen_objectives) or None)
    return filters, PERIODS[period]


def _status_tiles(counts: dict[str, int]) -> None:
    tiles = st.columns(4)
    for tile, status in zip(tiles, ("red", "amber", "green", "no_data"), strict=True):
        number = counts[status] + (counts["unrated"] if status == "no_data" else 0)
        label = STATUS_LABELS[status] if status != "no_data" else "○ No data"
        tile.metric(label, number, border=True,
                    help="No value yet, or no thresholds to rate it" if status == "no_data"
                    else None)


def _value_text(value: float | None, unit: str | None) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{value:.3g} {unit}" if unit and unit != "count" else f"{value:.3g}"


# Streamlit's named colours for a tile's sparkline and delta, by status (text says it too).
_TILE_COLOURS = {"red": "red", "amber": "orange", "green": "green"}


TILES_PER_ROW = 3  # a value with its unit ("0.823 ratio") fits its tile at 1280 px


def _tiles(page: pd.DataFrame, series: pd.DataFrame) -> None:
    """Sparkline tiles: latest value, change since the previous value, status in words."""
    columns = st.columns(TILES_PER_ROW)
    for position, kpi in enumerate(page.to_dict("records")):
        points = series.loc[series["kpi_id"] == kpi["id"], "value"].tolist()
        change = None
        if not pd.isna(kpi["previous_value"]) and not pd.isna(kpi["value"]):
            change = float(f"{kpi['value'] - kpi['previous_value']:.3g}")
        tile = columns[position % TILES_PER_ROW].container(border=True, gap="small")
        # the name above the figure wraps: a long name is never cut as a metric label is
        tile.markdown(f"**{md_escape(kpi['name'])}**", help=md_escape(
            f"Target {_value_text(kpi['target'], kpi['unit'])}, amber beyond "
            f"{_value_text(kpi['amber_threshold'], kpi['unit'])}, red beyond "
            f"{_value_text(kpi['red_threshold'], kpi['unit'])} "
            f"({'higher' if kpi['direction'] == 'higher' else 'lower'} is better)"))
        tile.metric(
            md_escape(kpi["name"]), md_escape(_value_text(kpi["value"], kpi["unit"])),
            delta=change, delta_color=_TILE_COLOURS.get(kpi["status"], "gray"),
            delta_description=STATUS_LABELS[kpi["status"]],
            chart_data=points[-24:] or None, label_visibility="collapsed")


def _snapshot(who: Identity) -> None:
    result = kpis.take_snapshot(get_db(), today(), who.actor)
    if not result.write.ok:
        st.session_state["_kpis_outcome"] = result.write
        return
    st.session_state["_kpis_outcome"] = ("success", result.summary())


def _objectives() -> None:
    summary = cached(kpis.objective_summary)
    if summary.empty:
        return
    st.subheader("Objectives (6.2) and their KPIs now")
    st.dataframe(
        summary.assign(status=summary["status"].map(OBJECTIVE_STATUSES)).drop(columns="id"),
        hide_index=True, width="stretch",
        column_config={
            "title": st.column_config.TextColumn("Objective", width="large"),
            "owner": "Owner", "target_date": st.column_config.DateColumn("Target date"),
            "status": "Status", "kpis": "KPIs", "red": STATUS_LABELS["red"],
            "amber": STATUS_LABELS["amber"], "green": STATUS_LABELS["green"]})


def _summary_table(frame: pd.DataFrame) -> None:
    shown = frame.assign(status_text=frame["status"].map(STATUS_LABELS),
                         ai_system=frame["ai_system"].fillna("Organisation-wide"))
    st.dataframe(
        shown[["name", "status_text", "value", "unit", "measured_on", "target",
               "amber_threshold", "red_threshold", "ai_system", "objectives", "owner", "kind"]],
        hide_index=True, width="stretch",
        column_config={
            "name": "KPI", "status_text": "Status", "value": "Latest", "unit": "Unit",
            "measured_on": st.column_config.DateColumn("Measured on"), "target": "Target",
            "amber_threshold": "Amber", "red_threshold": "Red", "ai_system": "AI system",
            "objectives": st.column_config.TextColumn("Objectives", width="medium"),
            "owner": "Owner", "kind": "Kind"})


def _listing(filters: kpis.KpiFilter) -> tuple[kpis.KpiListing, DeltaGenerator,
                                                DeltaGenerator]:
    """Counts, tiles and the two page pickers (charts and table), the pages read in one
    query (again only when a page count moved); returns the listing and the places for the
    charts and the table."""
    guess = (known_offset("kpis_page", CHARTS_PER_PAGE), known_offset("kpis_table", TABLE_ROWS))
    shown = cached(kpis.listing, filters, (guess[0], CHARTS_PER_PAGE), (guess[1], TABLE_ROWS))
    st.caption(f"{shown.total} KPIs match, red first")
    if shown.total == 0:
        return shown, st.container(), st.container()
    _status_tiles(shown.counts)
    _objectives()
    with st.columns(4)[0]:
        first = page_offset(shown.total, CHARTS_PER_PAGE, "kpis_page", "red first")
    charts = st.container()
    st.subheader("All matching KPIs")
    with st.columns(4)[0]:
        rows = page_offset(shown.total, TABLE_ROWS, "kpis_table", "red first")
    if (first, rows) != guess:
        shown = cached(kpis.listing, filters, (first, CHARTS_PER_PAGE), (rows, TABLE_ROWS))
    return shown, charts, st.container()


def _trends(filters: kpis.KpiFilter, days: int | None, defined: int) -> None:
    if defined == 0:
        st.caption("Trends appear here once KPIs are defined and have values.")
        return
    shown, charts, table = _listing(filters)
    if shown.total == 0:
        st.info("No KPI matches these filters.", icon=":material/filter_alt_off:")
        return
    since = None if days is None else today() - timedelta(days=days)
    series = cached(kpis.measurements, [int(i) for i in shown.trends["id"]], since)
    with charts:
        _tiles(shown.trends, series)
        st.plotly_chart(kpi_trends(shown.trends.to_dict("records"), series),
                        key="kpi_trends", config={"displayModeBar": False})
        if (series.groupby("kpi_id").size() > 2 * TREND_STRETCHES).any():
            st.caption(f"A series of more than {2 * TREND_STRETCHES} values is drawn as the "
                       f"mean of {TREND_STRETCHES} equal stretches, its lowest to highest "
                       "value shaded; every stretch's amber or red value and the latest value "
                       "are marked.")
    with table:
        _summary_table(shown.table)


def render() -> None:
    st.title("KPIs & objectives")
    st.caption("AI objectives (ISO/IEC 42001 6.2) and the KPIs that monitor them (9.1). "
               "Status comes from each KPI's latest value: red beyond the red threshold, amber "
               "beyond amber. A red KPI linked to an AI system makes it due for re-validation.")
    who = current_identity()
    show_outcome(st.session_state.pop("_kpis_outcome", None))
    defined = cached(kpis.kpi_count)
    if defined == 0:
        st.info("No KPIs yet. Define the KPIs that show whether your AI systems and the "
                "management system work (accuracy, drift, fairness, complaints, SoA progress) "
                "in the KPI definitions tab below, then link them to your objectives.",
                icon=":material/lightbulb:")
    filters, days = _filters()
    top = st.columns([5, 2], vertical_alignment="center")
    top[0].caption("Computed KPIs record the registers once a day (button, or "
                   "`python -m aims_core snapshot` from a scheduler)")
    top[1].button("Take today's snapshot", icon=":material/photo_camera:",
                  key="kpis_snapshot", disabled=not who.can("manage"), on_click=_snapshot,
                  args=(who,), help="Record today's register figures for the computed KPIs "
                  "(again today: replaces today's values)")
    trends, enter, upload, define = st.tabs(TABS, key="kpis_tab", on_change="rerun")
    if trends.open:
        with trends:
            _trends(filters, days, defined)
    if enter.open:
        with enter:
            kpi_entry.values_editor(who)
    if upload.open:
        with upload:
            kpi_entry.file_import(who)
    if define.open:
        with define:
            kpi_entry.definitions(who, filters)
