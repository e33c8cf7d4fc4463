"""Internal audits (ISO/IEC 42001 9.2): the audit programme, each audit's scope and
findings, raising a nonconformity from a finding in one step, and the actions of a finding.
An auditor auditing their own work is warned about (9.2.2)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.improvement import audits, exports, nonconformities
from aims_core.improvement.registers import (
    AUDIT_FINDINGS,
    AUDIT_STATUSES,
    AUDITS,
    FINDING_TYPES,
    NONCONFORMITY_FINDINGS,
)
from aims_core.inventory import systems as inventory_systems
from aims_core.storage.filters import ColumnFilter
from aims_core.ui.actions_panel import actions_panel
from aims_core.ui.downloads import spreadsheet_downloads
from aims_core.ui.editable_table import editable_table, invalidate, shown_rows
from aims_core.ui.forms import FormKeys
from aims_core.ui.paging import page_height, page_offset, show_count
from aims_core.ui.pickers import linked_id, open_record
from aims_core.ui.session import Identity, cached, current_identity, get_db, today
from aims_core.ui.text import md_escape

PAGE_SIZE = 100
TABLE = "audits"
PICKER = "audits_open_choice"
COLUMNS = ["title", "planned_on", "status", "lead_auditor", "auditee", "held_on", "auditors",
           "scope", "finding_counts", "independence", "scope_covered", "conclusion"]
FINDING_COLUMNS = ["finding_type", "requirement_id", "ai_system_id", "description",
                   "evidence", "raised"]


def _tiles() -> None:
    counts = cached(audits.tile_counts, today())
    tiles = st.columns(4)
    tiles[0].metric("Planned in the next 90 days", counts["next_90_days"], border=True)
    tiles[1].metric("Overdue", counts["overdue"], border=True,
                    help="Planned or in progress, past the planned date")
    tiles[2].metric("Completed in the last 12 months", counts["completed_12_months"],
                    border=True)
    tiles[3].metric("Findings to raise", counts["findings_to_raise"], border=True,
                    help="Major or minor nonconformity findings not yet raised as a "
                         "nonconformity")


def _filters(who: Identity) -> tuple[ColumnFilter, str | None]:
    cols = st.columns([3, 3, 2], vertical_alignment="bottom")
    status = cols[0].multiselect("Status", list(AUDIT_STATUSES), format_func=AUDIT_STATUSES.get,
                                 key="audits_status", bind="query-params")
    lead = cols[1].multiselect("Lead auditor", cached(audits.lead_auditors),
                               key="audits_lead")
    mine = cols[2].toggle("My audits first", value=True, key="audits_mine_first",
                          help="Audits you lead or are audited in, on top")
    return ColumnFilter.of(status=status, lead_auditor=lead), \
        who.name if mine and who.name else None


def _programme(who: Identity) -> pd.DataFrame:
    filters, me = _filters(who)
    total = cached(audits.count, today(), filters)
    offset = page_offset(total, PAGE_SIZE, "audits_page")
    show_count(total, offset, PAGE_SIZE, ("audit", "audits"),
               register_empty=not cached(audits.count, today(), ColumnFilter()),
               first_steps="No audit planned yet. Plan the internal audit programme (9.2) in "
               "the empty row below: a title, the planned date, the lead auditor and the "
               "status. Then open the audit to set its scope — clauses, Annex A objectives or "
               "AI systems — and record its findings.")
    editable_table(
        AUDITS, lambda: audits.programme(get_db(), today(), filters, me=me, limit=PAGE_SIZE,
                                         offset=offset),
        key=TABLE, who=who, signature=repr((filters, me, offset)), column_order=COLUMNS,
        context={"scope": st.column_config.TextColumn("Scope", width="medium"),
                 "finding_counts": st.column_config.TextColumn("Findings"),
                 "independence": st.column_config.TextColumn(
                     "Independence (9.2.2)", help="Why the lead auditor would audit their "
                     "own work; empty when independent")},
        height=page_height(total, offset, PAGE_SIZE, add_row=True))
    return shown_rows(TABLE)


def _independence(audit_id: int) -> None:
    for warning in cached(audits.independence, audit_id):
        st.warning(f"{md_escape(warning)}: an auditor must not audit their own work "
                   "(ISO/IEC 42001 9.2.2). Choose a lead auditor from outside the audited "
                   "area, or record why this is acceptable in the conclusion.",
                   icon=":material/person_alert:")


def _scope(audit_id: int, who: Identity) -> None:
    st.subheader("Scope")
    clauses, objectives = cached(audits.scope_choices)
    systems = cached(inventory_systems.names)
    current = cached(audits.scope, audit_id)
    form = FormKeys(f"audit_scope_{audit_id}")
    form.show_outcome()
    cols = st.columns(3)
    cols[0].multiselect("Clauses", list(clauses), format_func=clauses.get,
                        default=list(current["clause_id"].dropna()), key=form.key("clauses"))
    cols[1].multiselect("Annex A objectives", list(objectives), format_func=objectives.get,
                        default=list(current["objective_id"].dropna()),
                        key=form.key("objectives"))
    cols[2].multiselect("AI systems", list(systems), format_func=systems.get,
                        default=[int(s) for s in current["ai_system_id"].dropna()],
                        key=form.key("systems"))
    st.button("Save the scope", key=f"audit_scope_{audit_id}_go", icon=":material/save:",
              disabled=not who.can_edit, on_click=_save_scope, args=(form, audit_id, who.actor))


def _save_scope(form: FormKeys, audit_id: int, actor: Actor) -> None:
    values = form.values("clauses", "objectives", "systems")
    result = audits.save_scope(get_db(), actor, audit_id, values["clauses"] or [],
                               values["objectives"] or [], values["systems"] or [])
    if form.finish(result, "Scope saved." if result.changed else "The scope is unchanged."):
        invalidate(TABLE)


def _load_findings(audit_id: int) -> pd.DataFrame:
    frame = audits.findings(get_db(), audit_id)
    frame["raised"] = ["" if pd.isna(n) else f"Nonconformity #{int(n)}"
                       for n in frame["nonconformity_id"]]
    return frame


def _findings(audit: dict[str, Any], who: Identity) -> pd.DataFrame:
    audit_id = int(audit["id"])
    st.subheader("Findings")
    st.caption("Type, the clause or Annex A control concerned, the AI system (optional), what "
               "was found and the evidence seen. Add findings in the empty row.")
    editable_table(
        AUDIT_FINDINGS, lambda: _load_findings(audit_id), key=f"findings_{audit_id}", who=who,
        signature=str(audit_id), fixed={"audit_id": audit_id}, column_order=FINDING_COLUMNS,
        labels={"requirement_id": cached(audits.requirement_choices),
                "ai_system_id": cached(inventory_systems.names)},
        context={"raised": st.column_config.TextColumn("Raised as")})
    return cached(audits.findings, audit_id)


def _raise(audit: dict[str, Any], findings: pd.DataFrame, who: Identity) -> None:
    audit_id = int(audit["id"])
    to_raise = findings[findings["finding_type"].isin(NONCONFORMITY_FINDINGS)
                        & findings["nonconformity_id"].isna()]
    form = FormKeys(f"audit_raise_{audit_id}")
    form.show_outcome()
    raised = findings[findings["nonconformity_id"].notna()]
    for row in raised.itertuples():
        st.page_link("pages/nonconformities.py",
                     label=f"Finding #{row.id} → nonconformity #{int(row.nonconformity_id)}",
                     icon=":material/report:",
                     query_params={"nc": str(int(row.nonconformity_id))})
    if to_raise.empty:
        return
    titles = {int(r.id): f"#{int(r.id)} {FINDING_TYPES[r.finding_type]} "
                         f"{r.requirement_id}: {r.description}" for r in to_raise.itertuples()}
    cols = st.columns([4, 2, 2], vertical_alignment="bottom")
    cols[0].selectbox("Raise a nonconformity from a finding", list(titles),
                      format_func=titles.get, key=form.key("finding"))
    owner = audit["auditee"] if isinstance(audit["auditee"], str) else who.name or ""
    cols[1].text_input("Nonconformity owner", key=form.default("owner", owner))
    cols[2].button("Raise nonconformity", key=f"audit_raise_{audit_id}_go",
                   icon=":material/report:", disabled=not who.can_edit, on_click=_save_raise,
                   args=(form, audit_id, who.actor))


def _save_raise(form: FormKeys, audit_id: int, actor: Actor) -> None:
    values = form.values("finding", "owner")
    result = nonconformities.raise_from_finding(get_db(), actor, int(values["finding"]),
                                                values["owner"], today())
    if form.finish(result, f"Raised as nonconformity #{result.inserted[0]}, pre-filled from "
                           "the finding: plan its corrective actions on the Nonconformities "
                           "page." if result.ok else ""):
        invalidate(f"findings_{audit_id}")
        invalidate(TABLE)


def _finding_actions(findings: pd.DataFrame, wanted: int | None) -> None:
    if findings.empty:
        return
    st.subheader("Actions on a finding")
    st.caption("Observations and opportunities for improvement get actions here; a "
               "nonconformity's corrective actions are planned on the nonconformity.")
    titles = {int(r.id): f"#{int(r.id)} {FINDING_TYPES[r.finding_type]}: {r.description}"
              for r in findings.itertuples() if pd.isna(r.nonconformity_id)}
    if not titles:
        st.caption("Every finding of this audit is raised as a nonconformity.")
        return
    ids = list(titles)
    chosen = st.selectbox("Finding", ids, format_func=titles.get,
                          index=ids.index(wanted) if wanted in titles else 0,
                          key=f"audit_finding_actions_{findings['audit_id'].iloc[0]}")
    owner = findings.set_index("id").loc[chosen, "auditee"]
    actions_panel("finding", int(chosen), owner=owner if isinstance(owner, str) else None,
                  key=f"finding_{chosen}")


def _detail(shown: pd.DataFrame, who: Identity) -> None:
    st.header("One audit: scope, findings, nonconformities")
    finding = linked_id("finding")
    if finding is not None and linked_id("audit") is None:  # a link to one finding
        parent = cached(audits.audit_of_finding, finding)
        if parent is not None:
            st.query_params["audit"] = str(parent)
    audit = open_record(shown, lambda i: cached(audits.one, today(), i), noun="audit",
                        param="audit", key=PICKER, listed_in="programme")
    if audit is None:
        return
    chosen = int(audit["id"])
    st.markdown(f"**{md_escape(audit['title'])}** · {AUDIT_STATUSES[audit['status']]} · "
                f"planned {audit['planned_on']:%-d %b %Y} · lead auditor "
                f"{md_escape(audit['lead_auditor'])}")
    _independence(chosen)
    _scope(chosen, who)
    findings = _findings(audit, who)
    _raise(audit, findings, who)
    _finding_actions(findings, finding)


def render() -> None:
    st.title("Internal audits")
    st.caption("The internal audit programme (ISO/IEC 42001 9.2): planned audits with their "
               "scope — clauses, Annex A objectives or AI systems — the audits held, their "
               "conclusion and findings. A major or minor finding raises a nonconformity in "
               "one step.")
    who = current_identity()
    if not cached(inventory_systems.names):
        st.info("Audits can cover clauses and Annex A objectives now; add AI systems on the "
                "AI systems page to put them in an audit's scope.", icon=":material/lightbulb:")
    _tiles()
    st.subheader("Audit programme")
    shown = _programme(who)
    spreadsheet_downloads("internal-audits", {
        "Programme": lambda: cached(exports.audit_programme, today()),
        "Findings": lambda: cached(exports.audit_findings)}, key="audits_export")
    st.divider()
    _detail(shown, who)
