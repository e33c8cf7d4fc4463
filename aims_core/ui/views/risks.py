"""Risks: inherent and residual heatmaps that filter the register, the register edited in
place, and one risk's treating controls and residual-risk acceptance."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.compliance import soa
from aims_core.inventory import systems
from aims_core.records.writes import RowChange, apply_batches, apply_changes
from aims_core.risk import risks
from aims_core.risk.registers import RISK_STATUSES, RISKS
from aims_core.risk.risk_method import BAND_COLOURS, LEVEL_BANDS, RiskMethod, load_method
from aims_core.ui.actions_panel import actions_panel
from aims_core.ui.charts import risk_matrices
from aims_core.ui.editable_table import editable_table, invalidate, show_outcome, shown_rows
from aims_core.ui.forms import FormKeys
from aims_core.ui.navigation import id_param
from aims_core.ui.paging import page_offset, show_count
from aims_core.ui.people_picker import person_select
from aims_core.ui.pickers import LIST_ALL, listed_only_note, search_text
from aims_core.ui.session import cached, current_identity, get_db, today
from aims_core.ui.text import md_escape

PAGE_SIZE = 100
ORG_WIDE = 0  # the AI-system filter's option for organisation-wide risks
MATRIX_KEY = "risk_matrix"
COLUMNS = ["title", "ai_system_id", "owner", "inherent_likelihood", "inherent_impact",
           "inherent_level", "residual_likelihood", "residual_impact", "residual_level",
           "treatment", "treatment_plan", "status", "review_date", "flags", "risk_source",
           "objective_affected", "description", "identified_on"]


def _system_choices() -> dict[int, str]:
    """Every AI system while they are few, else those a search finds, with the chosen."""
    chosen = tuple(i for i in st.session_state.get("risks_system") or () if i != ORG_WIDE)
    search = search_text("risks_system", cached(systems.pickable_count), "AI systems")
    return {ORG_WIDE: "Organisation-wide", **cached(systems.names, search, chosen)}


def _filters() -> risks.RiskFilter:
    source_names, objective_names = cached(risks.annex_c_choices)
    top = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
    with top[0]:
        names = _system_choices()
        chosen = st.multiselect("AI system", list(names), format_func=names.get,
                                key="risks_system")
    owner = top[1].multiselect("Owner", cached(risks.owners), key="risks_owner")
    level = top[2].multiselect("Current level", list(LEVEL_BANDS), key="risks_level",
                               bind="query-params")
    status = top[3].multiselect("Status", list(RISK_STATUSES), format_func=RISK_STATUSES.get,
                                key="risks_status", bind="query-params")
    row = st.columns([3, 3, 2], vertical_alignment="bottom")
    source = row[0].multiselect("Risk source (Annex C.3)", list(source_names),
                                format_func=source_names.get, key="risks_source")
    objective = row[1].multiselect("Objective affected (Annex C.2)", list(objective_names),
                                   format_func=objective_names.get, key="risks_objective")
    row[2].toggle("My risks first", value=True, key="risks_mine_first",
                  help="Your risks on top, overdue reviews and expired acceptances first "
                       "(pick your name in the sidebar)")
    return risks.RiskFilter(
        ai_system_ids=tuple(i for i in chosen if i != ORG_WIDE), org_wide=ORG_WIDE in chosen,
        owners=tuple(owner), levels=tuple(level), statuses=tuple(status),
        risk_sources=tuple(source), objectives=tuple(objective))


def _clicked_cell() -> tuple[risks.View, int, int] | None:
    state = st.session_state.get(f"{MATRIX_KEY}_{st.session_state.get('risk_matrix_epoch', 0)}")
    points = (state or {}).get("selection", {}).get("points", []) if state else []
    for point in points:
        data = point.get("customdata")
        if data and data[0] in risks.VIEWS:
            return data[0], int(data[1]), int(data[2])
    return None


def _clear_cell() -> None:
    st.session_state["risk_matrix_epoch"] = st.session_state.get("risk_matrix_epoch", 0) + 1


def _heatmaps(method: RiskMethod, filters: risks.RiskFilter) -> None:
    counts = {view: cached(risks.matrix_counts, today(), filters, view) for view in risks.VIEWS}
    above = {band for band in LEVEL_BANDS if method.above_tolerance(band)}
    st.plotly_chart(
        risk_matrices(counts, method.size, list(method.likelihood_labels),
                      list(method.impact_labels), BAND_COLOURS, above),
        on_select="rerun", selection_mode=("points",),
        key=f"{MATRIX_KEY}_{st.session_state.get('risk_matrix_epoch', 0)}",
        config={"displayModeBar": False})
    unrated = cached(risks.unrated_residual, today(), filters)
    st.caption(
        f"Live risks (all but closed) after the filters above. Colour and name = level band; "
        f"cells with a **thick black border** are above the risk tolerance "
        f"(**{method.tolerance}**). {unrated} risk(s) without a residual rating appear only "
        "on the inherent matrix. Click a cell to list its risks below.")


def _movement(filters: risks.RiskFilter) -> None:
    table = cached(risks.movement, today(), filters)
    st.markdown("**How treatment moved risks** — live risks by inherent level (rows) and "
                "residual level (columns)")
    st.dataframe(table.rename_axis("Inherent ↓ / Residual →"), width="stretch")


def _acceptances_due() -> None:
    total = cached(risks.acceptances_due_count, today())
    if total == 0:
        return
    due = cached(risks.acceptances_due, today(), 8)
    st.warning(f"{total} accepted risk(s) need their acceptance renewed (expired or never "
               "recorded): " + ", ".join(f"#{int(r.risk_id)} {md_escape(r.title)}"
                                         for r in due.itertuples())
               + (" …" if total > 8 else ""), icon=":material/event_busy:")


def _flags(frame: pd.DataFrame) -> list[str]:
    def flag(row: Any) -> str:
        notes = []
        if row.review_overdue:
            notes.append("review overdue")
        if row.acceptance_due:
            notes.append("acceptance expired")
        return ", ".join(notes)
    return [flag(row) for row in frame.itertuples()]


def _page(filters: risks.RiskFilter, me: str | None, offset: int) -> pd.DataFrame:
    """The register's rows listed on this page (read once per run)."""
    return cached(risks.register, today(), filters, me, PAGE_SIZE, offset)


def _load(filters: risks.RiskFilter, me: str | None, offset: int) -> pd.DataFrame:
    frame = _page(filters, me, offset).copy()
    frame["flags"] = _flags(frame)
    return frame


def _system_labels(filters: risks.RiskFilter, offset: int, me: str | None) -> dict[int, str]:
    """The AI system column's choices: every system while they are few; in a large
    organisation those of the rows listed and of the filter (filter by a system to add its
    risks), never thousands of names."""
    if cached(systems.pickable_count) <= LIST_ALL:
        return cached(systems.names)
    listed = tuple(sorted({int(i) for i in _page(filters, me, offset)["ai_system_id"].dropna()}))
    return cached(systems.names, "", listed + filters.ai_system_ids, False, 0)


def _register(method: RiskMethod, filters: risks.RiskFilter) -> pd.DataFrame:
    who = current_identity()
    me = who.name if st.session_state.get("risks_mine_first") else None
    total = cached(risks.count, today(), filters)
    offset = page_offset(total, PAGE_SIZE, "risks_page")
    show_count(total, offset, PAGE_SIZE, ("risk", "risks"),
               register_empty=not cached(risks.count, today(), risks.RiskFilter()),
               first_steps="No risks yet. Add the first one in the empty row below: title, "
               "owner, inherent likelihood and impact, and status are required. Leave the AI "
               "system empty for an organisation-wide risk.")
    sources, objectives = cached(risks.annex_c_choices)
    listed_only_note(cached(systems.pickable_count))
    likelihood = {n: f"{n} · {label}" for n, label in enumerate(method.likelihood_labels, 1)}
    impact = {n: f"{n} · {label}" for n, label in enumerate(method.impact_labels, 1)}
    editable_table(
        RISKS, lambda: _load(filters, me, offset), key="risks", who=who,
        signature=repr((filters, me, offset, method.version)),
        column_order=COLUMNS,
        labels={"ai_system_id": _system_labels(filters, offset, me),
                "risk_source": sources, "objective_affected": objectives,
                "inherent_likelihood": likelihood, "residual_likelihood": likelihood,
                "inherent_impact": impact, "residual_impact": impact},
        context={"inherent_level": st.column_config.TextColumn("Inherent level"),
                  "residual_level": st.column_config.TextColumn("Residual level"),
                  "flags": st.column_config.TextColumn("Attention")},
        height=420,
    )
    return shown_rows("risks")


def render() -> None:
    st.title("Risks")
    st.caption("The AI risk register (ISO/IEC 42001 6.1.2, 8.2–8.3): one risk method for "
               "every risk, inherent and residual ratings, treatment, the Annex A controls that "
               "treat each risk, and residual-risk acceptance.")
    method = cached(load_method)
    filters = _filters()
    cell = _clicked_cell()
    if cell and max(cell[1:]) > method.size:  # clicked before the matrix shrank
        cell = None
    _heatmaps(method, filters)
    if cell:
        view, likelihood, impact = cell
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.info(f"Showing the {view} cell likelihood {likelihood} "
                  f"({md_escape(method.likelihood_labels[likelihood - 1])}) × impact {impact} "
                  f"({md_escape(method.impact_labels[impact - 1])}).",
                  icon=":material/filter_alt:")
        right.button("Show all cells", on_click=_clear_cell, key="risks_clear_cell")
        filters = replace(filters, cell=cell)
    with st.expander("Movement from inherent to residual"):
        _movement(filters)
    _acceptances_due()
    st.subheader("Register")
    shown = _register(method, filters)
    st.divider()
    _risk_detail(shown)


def _risk_detail(shown: pd.DataFrame) -> None:
    st.header("One risk: treating controls, acceptance and actions")
    titles = {int(r.id): f"#{int(r.id)} {r.title}" for r in shown.itertuples()}
    wanted = id_param("risk")
    if wanted is not None and wanted not in titles:  # a link from the Schedule
        titles.update(cached(risks.titles, (wanted,)))
    if not titles:
        st.caption("Risks shown in the register above can be opened here.")
        return
    ids = list(titles)
    risk_id = st.selectbox("Open a risk", ids, format_func=titles.get,
                           index=ids.index(wanted) if wanted in titles else None,
                           placeholder="Choose a risk from the register above",
                           key="risks_detail_choice")
    if risk_id is None:
        st.query_params.pop("risk", None)
        return
    st.query_params["risk"] = str(risk_id)
    risk = cached(risks.one, int(risk_id))
    if pd.notna(risk["impact_id"]):
        st.caption(f"Raised from impact #{int(risk['impact_id'])} of an AI system impact "
                   "assessment (see the Impact assessments page).")
    left, right = st.columns(2)
    with left:
        _controls(risk_id)
    with right:
        _acceptance(risk)
    st.subheader("Treatment actions")
    actions_panel("risk_treatment", risk_id, owner=risk["owner"], key=f"risk_{risk_id}")


def _controls(risk_id: int) -> None:
    st.subheader("Treating controls (Annex A)")
    names = cached(soa.control_labels)
    linked = cached(risks.control_links, risk_id)
    key = f"risk_controls_{risk_id}"
    show_outcome(st.session_state.pop(f"{key}_outcome", None))
    st.multiselect("Controls that treat this risk", list(names),
                   default=list(linked["control_id"]),
                   format_func=names.get, key=key)
    who = current_identity()
    st.button("Save controls", key=f"{key}_save", disabled=not who.can_edit,
              on_click=_save_controls, args=(risk_id, linked, who.actor))


def _save_controls(risk_id: int, linked: pd.DataFrame, who: Actor) -> None:
    key = f"risk_controls_{risk_id}"
    wanted = set(st.session_state.get(key) or [])
    have = dict(zip(linked["control_id"], zip(linked["id"], linked["version"], strict=True),
                    strict=True))
    changes = [RowChange("insert", {"risk_id": risk_id, "control_id": c},
                         label=f"Link to {c}") for c in sorted(wanted - set(have))]
    changes += [RowChange("delete", row_id=int(have[c][0]), expected_version=int(have[c][1]))
                for c in sorted(set(have) - wanted)]
    if not changes:
        st.session_state[f"{key}_outcome"] = ("info", "The linked controls are unchanged.")
        return
    result = apply_changes(get_db(), "risk_controls", changes, who)
    st.session_state[f"{key}_outcome"] = ("success", "Treating controls saved.") \
        if result.ok else result


def _acceptance(risk: pd.Series) -> None:
    st.subheader("Residual-risk acceptance (6.1.3)")
    risk_id = int(risk["id"])
    history = cached(risks.acceptances_of, risk_id)
    prefix = f"acceptance_{risk_id}"
    if history.empty:
        st.caption("Not accepted yet.")
    else:
        latest = history.iloc[0]
        expired = latest["expires_on"].date() < today()
        (st.error if expired else st.success)(
            f"Accepted by {md_escape(latest['approved_by'])} on "
            f"{latest['approved_on']:%d %b %Y}; " + ("expired" if expired else "valid until")
            + f" {latest['expires_on']:%d %b %Y}.", icon=":material/verified:")
        st.dataframe(history, hide_index=True, width="stretch")
    who = current_identity()
    # Not st.form(clear_on_submit=True): that cleared the justification of a refused save.
    form = FormKeys(prefix)
    form.show_outcome()
    cols = st.columns(2)
    person_select("Approved by", key=form.key("approved_by"), default=who.name, where=cols[0],
                  help="Not the risk's owner: segregation of duties")
    cols[1].date_input("Approved on", value=today(), max_value=today(),
                       key=form.key("approved_on"))
    st.text_area("Justification", height=80, key=form.key("justification"),
                 placeholder="Why the residual risk is acceptable")
    st.date_input("Expires on", value=today() + timedelta(days=365),
                  key=form.key("expires_on"))
    st.button("Record acceptance", disabled=not who.can("manage"), key=f"{prefix}_record",
              on_click=_save_acceptance, args=(form, risk_id, int(risk["version"]), who.actor))


def _save_acceptance(form: FormKeys, risk_id: int, risk_version: int, who: Actor) -> None:
    """Record the acceptance and set the risk to accepted, in one transaction; a refused
    save leaves every field as typed."""
    values = {"risk_id": risk_id, **form.values("approved_by", "approved_on",
                                                  "justification", "expires_on")}
    result = apply_batches(get_db(), [
        ("risk_acceptances", [RowChange("insert", values, label="The acceptance")]),
        ("risks", [RowChange("update", {"status": "accepted", "treatment": "accept"},
                             row_id=risk_id, expected_version=risk_version)])], who)
    if form.finish(result, "Acceptance recorded; the risk is now Accepted."):
        invalidate("risks")
