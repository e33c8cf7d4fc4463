"""Nonconformities and corrective action (ISO/IEC 42001 10.2): the register, filtered and
paged; one nonconformity's corrective actions, effectiveness check and closing."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.improvement import exports, nonconformities
from aims_core.improvement.audits import requirement_choices
from aims_core.improvement.registers import (
    EFFECTIVENESS_RESULTS,
    NC_GRADES,
    NC_STATUSES,
    NONCONFORMITIES,
)
from aims_core.improvement.sources import NC_SOURCES, labels
from aims_core.inventory import systems as inventory_systems
from aims_core.records.writes import RowChange
from aims_core.storage.filters import ColumnFilter
from aims_core.ui.actions_panel import actions_panel
from aims_core.ui.downloads import spreadsheet_downloads
from aims_core.ui.editable_table import editable_table, invalidate, shown_rows
from aims_core.ui.forms import FormKeys
from aims_core.ui.paging import page_height, page_offset, show_count
from aims_core.ui.pickers import open_record
from aims_core.ui.session import Identity, cached, current_identity, get_db, today
from aims_core.ui.text import md_escape

PAGE_SIZE = 100
TABLE = "nonconformities"
COLUMNS = ["title", "grade", "status", "owner", "source_record", "requirement_id",
           "ai_system_id", "raised_on", "correction", "root_cause", "actions_text",
           "effectiveness_due", "effectiveness_checked_on", "effectiveness_result",
           "effectiveness_notes", "closed_on", "attention", "description"]
# Sources a nonconformity can be recorded from on this page; findings and incidents raise
# theirs on their own pages, linked.
_RECORDED_HERE = ("complaint", "management_review", "self_assessment", "other")


def _tiles() -> None:
    counts = cached(nonconformities.tile_counts, today())
    tiles = st.columns(4)
    tiles[0].metric("Open", counts["open"], border=True,
                    help="Open, action planned or awaiting the effectiveness check")
    tiles[1].metric("Major, open", counts["major"], border=True,
                    help="Each lowers the Annex A control it concerns to partial")
    tiles[2].metric("Overdue", counts["overdue"], border=True,
                    help="A corrective action or the effectiveness check is late")
    tiles[3].metric("Awaiting effectiveness check", counts["awaiting_check"], border=True)


def _record_form(who: Identity, expanded: bool) -> None:
    form = FormKeys("nc_new")
    form.show_outcome()
    with st.expander("Record a nonconformity", expanded=expanded, icon=":material/report:"):
        st.caption("From a complaint, a management review or anything else. Audit findings "
                   "and incidents raise theirs in one step on their own pages.")
        sources = {code: NC_SOURCES[code].label for code in _RECORDED_HERE}
        reviews = cached(nonconformities.review_choices)
        choices = cached(requirement_choices)
        cols = st.columns([3, 2, 2])
        cols[0].text_input("Nonconformity (title)", max_chars=300, key=form.key("title"))
        cols[1].selectbox("Source", list(sources), format_func=sources.get,
                          key=form.key("source"))
        cols[2].selectbox("Management review", list(reviews), index=None,
                          format_func=reviews.get, key=form.key("review"),
                          placeholder="For the source Management review",
                          disabled=not reviews)
        cols = st.columns([3, 1, 2, 2])
        cols[0].selectbox("Clause or control not met", list(choices), index=None,
                          format_func=choices.get, key=form.key("requirement_id"),
                          placeholder="Optional")
        cols[1].selectbox("Grade", list(NC_GRADES), format_func=NC_GRADES.get,
                          key=form.key("grade"))
        cols[2].text_input("Owner", key=form.default("owner", who.name or ""))
        cols[3].date_input("Raised on", value=today(), max_value=today(),
                           format="YYYY-MM-DD", key=form.key("raised_on"))
        st.text_area("Description", height=80, key=form.key("description"))
        st.button("Record the nonconformity", type="primary", icon=":material/save:",
                  key="nc_new_go", disabled=not who.can_edit, on_click=_record,
                  args=(form, who.actor))


def _record(form: FormKeys, actor: Actor) -> None:
    values = form.values("title", "source", "review", "requirement_id", "grade", "owner",
                         "raised_on", "description")
    review = values.pop("review")
    linked = NC_SOURCES[values["source"]].default_table
    result = nonconformities.record(get_db(), actor, {
        **values, "status": "open", "source_table": linked,
        "source_id": review if linked else None})
    if form.finish(result, f"Nonconformity #{result.inserted[0]} recorded: plan its "
                           "corrective actions below." if result.ok else ""):
        st.session_state["nc_open_choice"] = result.inserted[0]
        st.query_params["nc"] = str(result.inserted[0])
        invalidate(TABLE)


def _filters(who: Identity) -> tuple[ColumnFilter, str | None]:
    top = st.columns([3, 2, 3, 2])
    status = top[0].multiselect("Status", list(NC_STATUSES), format_func=NC_STATUSES.get,
                                key="nonconformities_status", bind="query-params")
    grade = top[1].multiselect("Grade", list(NC_GRADES), format_func=NC_GRADES.get,
                               key="nonconformities_grade", bind="query-params")
    source = top[2].multiselect("Source", list(NC_SOURCES), format_func=labels(NC_SOURCES).get,
                                key="nonconformities_source")
    owner = top[3].multiselect("Owner", cached(nonconformities.owners), key="nc_owner")
    mine = st.toggle("My nonconformities first", value=True, key="nc_mine_first",
                     help="Yours on top, then the overdue ones (an action or the check late)")
    return (ColumnFilter.of(status=status, grade=grade, source=source, owner=owner),
            who.name if mine and who.name else None)


def _load(filters: ColumnFilter, me: str | None, offset: int) -> pd.DataFrame:
    frame = nonconformities.register(get_db(), today(), filters, me=me, limit=PAGE_SIZE,
                                     offset=offset)
    frame["actions_text"] = [f"{int(o)} open of {int(n)}" if n else "none"
                             for n, o in zip(frame["actions"], frame["open_actions"],
                                             strict=True)]
    frame["attention"] = [", ".join(text for flag, text in (
        (late, "action overdue"), (check, "check overdue")) if flag)
        for late, check in zip(frame["overdue_actions"] > 0, frame["check_overdue"],
                               strict=True)]
    return frame


def _register(who: Identity) -> pd.DataFrame:
    filters, me = _filters(who)
    total = cached(nonconformities.count, today(), filters)
    offset = page_offset(total, PAGE_SIZE, "nc_page")
    show_count(total, offset, PAGE_SIZE, ("nonconformity", "nonconformities"),
               register_empty=not cached(nonconformities.count, today(), ColumnFilter()),
               first_steps="No nonconformity yet. Raise one from a major or minor audit "
               "finding (Internal audits page) or from an incident on an AI system "
               "(Incidents page), or record one from a complaint or a management review with "
               "the form above.")
    editable_table(
        NONCONFORMITIES, lambda: _load(filters, me, offset), key=TABLE, who=who,
        signature=repr((filters, me, offset)), column_order=COLUMNS, allow_add=False,
        labels={"ai_system_id": cached(inventory_systems.names),
                "requirement_id": cached(requirement_choices)},
        context={"source_record": st.column_config.TextColumn("Source", width="medium"),
                 "actions_text": st.column_config.TextColumn("Corrective actions"),
                 "attention": st.column_config.TextColumn("Attention")},
        height=page_height(total, offset, PAGE_SIZE, add_row=False))
    return shown_rows(TABLE)


def _source_link(nc: dict[str, Any]) -> None:
    text = md_escape(nc["source_record"])
    link = nc["source_link"]
    if isinstance(link, str) and link:
        page, _, query = link.partition("?")
        name, _, value = query.partition("=")
        st.page_link(f"pages/{page}.py", label=f"From {text}", icon=":material/link:",
                     query_params={name: value})
    else:
        st.caption(f"From {text}")


def _check(nc: dict[str, Any], who: Identity) -> None:
    st.subheader("Effectiveness check (10.2 e)")
    st.caption("Plan when to check that the corrective actions removed the cause; record the "
               "result once checked. With every action done, a planned check moves the "
               "nonconformity to 'Awaiting effectiveness check'.")
    nc_id = int(nc["id"])
    form = FormKeys(f"nc_check_{nc_id}")
    form.show_outcome()

    def day(name: str) -> Any:
        return None if pd.isna(nc[name]) else nc[name].date()

    cols = st.columns(3)
    cols[0].date_input("Check due on", value=day("effectiveness_due"), format="YYYY-MM-DD",
                       key=form.key("due"))
    cols[1].date_input("Checked on", value=day("effectiveness_checked_on"),
                       max_value=today(), format="YYYY-MM-DD", key=form.key("checked_on"))
    results = list(EFFECTIVENESS_RESULTS)
    cols[2].selectbox("Result", results, format_func=EFFECTIVENESS_RESULTS.get,
                      index=results.index(nc["effectiveness_result"])
                      if nc["effectiveness_result"] in results else None,
                      key=form.key("result"), placeholder="Not checked yet")
    st.text_input("Evidence of effectiveness", value=nc["effectiveness_notes"] or "",
                  key=form.key("evidence"))
    st.button("Save the effectiveness check", key=f"nc_check_{nc_id}_go",
              icon=":material/fact_check:", disabled=not who.can_edit, on_click=_save_check,
              args=(form, nc_id, int(nc["version"]), who.actor))


def _save_check(form: FormKeys, nc_id: int, version: int, actor: Actor) -> None:
    values = form.values("due", "checked_on", "result", "evidence")
    result = nonconformities.record_check(get_db(), actor, nc_id, version, values["due"],
                                          values["checked_on"], values["result"],
                                          values["evidence"])
    if form.finish(result, "Effectiveness check saved."):
        invalidate(TABLE)


def _close(nc: dict[str, Any], who: Identity) -> None:
    nc_id = int(nc["id"])
    form = FormKeys(f"nc_close_{nc_id}")
    form.show_outcome()
    if not nc["is_open"]:
        st.success(f"Closed on {nc['closed_on']:%-d %b %Y}: "
                   f"{NC_STATUSES[nc['status']].lower()}.", icon=":material/verified:")
        return
    st.button("Close the nonconformity", key=f"nc_close_{nc_id}_go",
              icon=":material/done_all:", disabled=not who.can_edit, on_click=_save_close,
              args=(form, nc_id, int(nc["version"]), nc["effectiveness_result"], who.actor),
              help="Allowed once every corrective action is done or cancelled and the "
                   "effectiveness check is recorded (10.2)")


def _save_close(form: FormKeys, nc_id: int, version: int, result: str | None,
                actor: Actor) -> None:
    written = nonconformities.close(get_db(), actor, nc_id, version,
                                    None if pd.isna(result) else result, today())
    if form.finish(written, f"Nonconformity #{nc_id} closed."):
        invalidate(TABLE)


def _plan_on_first_action(nc_id: int) -> list[tuple[str, list[RowChange]]]:
    """An open nonconformity moves to 'Action planned' with its first corrective action."""
    nc = nonconformities.one(get_db(), today(), nc_id)
    if nc is None or nc["status"] != "open":
        return []
    return [("nonconformities", [RowChange("update", {"status": "action_planned"},
                                           row_id=nc_id, expected_version=int(nc["version"]))])]


def _detail(shown: pd.DataFrame, who: Identity) -> None:
    st.header("One nonconformity: corrective actions, effectiveness, closing")
    nc = open_record(shown, lambda i: cached(nonconformities.one, today(), i),
                     noun="nonconformity", param="nc", key="nc_open_choice",
                     listed_in="register")
    if nc is None:
        return
    chosen = int(nc["id"])
    st.markdown(f"**{md_escape(nc['title'])}** · {NC_GRADES[nc['grade']]} · "
                f"{NC_STATUSES[nc['status']]} · owner {md_escape(nc['owner'])}"
                + (f" · {md_escape(nc['requirement_id'])}" if nc["requirement_id"] else ""))
    _source_link(nc)
    if nc["grade"] == "major" and nc["is_open"] and nc["requirement_id"]:
        st.caption(f"While open, this major nonconformity counts control "
                   f"{md_escape(nc['requirement_id'])} as partial in the SoA coverage.")
    st.subheader("Corrective actions (10.2 c)")
    actions_panel("nonconformity", chosen, owner=nc["owner"], key=f"nc_{chosen}",
                  also=lambda: _plan_on_first_action(chosen), invalidates=(TABLE,))
    _check(nc, who)
    _close(nc, who)


def render() -> None:
    st.title("Nonconformities")
    st.caption("Nonconformities and corrective action (ISO/IEC 42001 10.2): what requirement "
               "was not met, the correction, the root cause, the corrective actions and the "
               "check that they worked. A nonconformity closes only when its actions are done "
               "and the effectiveness check is recorded.")
    who = current_identity()
    if not cached(inventory_systems.names):
        st.info("Nonconformities come from audit findings, incidents on AI systems, "
                "complaints and management reviews: start with the AI systems page, then "
                "record incidents and plan internal audits.", icon=":material/lightbulb:")
    _tiles()
    _record_form(who, expanded=False)
    st.subheader("Register")
    shown = _register(who)
    spreadsheet_downloads("nonconformities", {"Nonconformities": lambda: cached(
        exports.nonconformity_register, today())}, key="nc_export")
    st.divider()
    _detail(shown, who)
