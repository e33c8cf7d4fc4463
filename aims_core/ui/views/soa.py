"""Controls (SoA): the Statement of Applicability of the 38 Annex A controls, edited in
place, with coverage, suggested applicability, approved versions and their diff, gaps and
the auditor's export."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from aims_core.compliance import soa
from aims_core.compliance.registers import IMPLEMENTATION_STATUSES, SOA
from aims_core.records.writes import WriteResult
from aims_core.ui.downloads import spreadsheet_downloads
from aims_core.ui.editable_table import editable_table, show_outcome, shown_rows, table_height
from aims_core.ui.evidence import evidence_document_picker
from aims_core.ui.people_picker import person_select
from aims_core.ui.plain_html import status_bars
from aims_core.ui.session import Identity, cached, current_identity, get_db, today
from aims_core.ui.text import md_escape

CURRENT = 0  # version selector value for the current, not yet approved SoA
RISKS_SHOWN = 200  # a large organisation's gap list stays a readable page


def run_write(key: str, write: Callable[[], WriteResult], success: str) -> None:
    """Button callback body: do the write, leave its outcome for the next run to show."""
    result = write()
    st.session_state[f"_{key}_outcome"] = ("success", success.format(n=result.changed)) \
        if result.ok else result


def outcome_of(key: str) -> None:
    show_outcome(st.session_state.pop(f"_{key}_outcome", None))


def start_register(table: str, guidance: str, who: Identity) -> None:
    """Guidance and a button that adds the catalogue rows a register lacks (an empty
    organisation, or a catalogue that grew). ``guidance`` follows "<n> … have no entry"."""
    missing = cached(soa.missing_rows, table)
    outcome_of(f"start_{table}")
    if not missing:
        return
    st.info(f"{len(missing)} {guidance}", icon=":material/lightbulb:")
    st.button(f"Add the {len(missing)} missing entries", key=f"start_{table}", type="primary",
              icon=":material/playlist_add:", disabled=not who.can("manage"),
              help=who.lacks("manage", "add them"),
              on_click=run_write, args=(f"start_{table}",
                                        lambda: soa.add_missing_rows(get_db(), table, who.actor),
                                        "{n} entries added."))


def _tiles(table: pd.DataFrame) -> None:
    coverage = cached(soa.coverage, today())
    applicable, done = int(coverage["applicable"].sum()), int(coverage["implemented"].sum())
    latest = cached(soa.latest_approval)
    untreated = cached(soa.untreated_count)
    tiles = st.columns(4)
    tiles[0].metric("Applicable controls", f"{applicable} of {len(table)}", border=True)
    tiles[1].metric("Implemented", f"{100 * done / applicable:.0f} %" if applicable else "–",
                    help=f"{done} of the {applicable} applicable controls stand implemented "
                    "(evidence current, reviewed within 12 months)", border=True)
    tiles[2].metric("Approved version", f"v{latest.version_no}" if latest else "none",
                    help=f"Approved by {md_escape(latest.approved_by)} on "
                    f"{latest.approved_on:%d %b %Y}" if latest else "No version approved yet",
                    border=True)
    tiles[3].metric("Need attention", int((table["flags"] != "").sum()) + untreated,
                    help="Controls not decided, without owner, with expired evidence, a review "
                    "overdue or past their target date, and risks no applicable control "
                    "treats", border=True)


def _coverage() -> None:
    frame = cached(soa.coverage, today())
    st.subheader("Coverage by objective")
    if frame["applicable"].sum() == 0:
        st.caption("No control is marked applicable yet: coverage appears once you decide.")
        return
    frame["label"] = frame["objective"] + " (" + frame["applicable"].astype(str) + ")"
    st.html(status_bars(frame, "label", "applicable"))
    st.caption("Share of the applicable controls of each objective (their number in "
               "brackets) at each implementation status; the figure in a bar is the count.")
    lowered = int(frame["lowered"].sum())
    if lowered:
        st.caption(f"{lowered} implemented control(s) count as partial here: their evidence "
                   f"has expired, their last review is over {soa.REVIEW_MONTHS} months old or "
                   "a major nonconformity against them is open (see *Needs attention only*).")


def _filters(who: Identity) -> tuple[soa.SoaFilter, str]:
    labels = cached(soa.objective_choices)
    articles, nist = cached(soa.crosswalk_choices)
    top = st.columns([3, 2, 3, 2])
    chosen_objectives = top[0].multiselect("Objective", list(labels), format_func=labels.get,
                                           key="soa_objective", bind="query-params")
    statuses = top[1].multiselect("Status", list(IMPLEMENTATION_STATUSES),
                                  format_func=IMPLEMENTATION_STATUSES.get, key="soa_status")
    chosen_articles = top[2].multiselect(
        "EU AI Act article (indicative)", list(articles), format_func=articles.get,
        key="soa_eu", help="Controls that speak to an article, e.g. Art. 14 human oversight")
    chosen_nist = top[3].multiselect("NIST AI RMF subcategory", list(nist), key="soa_nist",
                                     format_func=nist.get)
    row = st.columns([3, 3, 2])
    flagged = row[0].toggle("Needs attention only", key="soa_flagged",
                            help="Not decided, no owner, evidence expired, review overdue, "
                                 "target date passed or a major nonconformity open")
    mine = row[1].toggle("Only my controls", key="soa_mine", disabled=not who.name)
    filters = soa.SoaFilter(tuple(chosen_objectives), tuple(statuses), tuple(chosen_articles),
                            tuple(chosen_nist), who.name if mine and who.name else None, flagged)
    return filters, repr(filters)


_CONTEXT = {
    "control_id": st.column_config.TextColumn("ID", pinned=True),
    "control_title": st.column_config.TextColumn("Control", width="medium", pinned=True),
    "flags": st.column_config.TextColumn("Attention", width="small"),
    "risks": st.column_config.NumberColumn("Risks", help="Risks (not closed) this control "
                                           "treats", width="small"),
    "risk_titles": st.column_config.TextColumn("Risks treated"),
    "eu_articles": st.column_config.TextColumn("EU AI Act (indicative)",
                                               help="Indicative: no official mapping exists"),
    "nist": st.column_config.TextColumn("NIST AI RMF", width="large",
                                        help="Official NIST crosswalk; subcategory titles "
                                             "shortened from NIST AI 100-1"),
    "objective": st.column_config.TextColumn("Objective"),
    "evidence_document": st.column_config.TextColumn(
        "Evidence document", help="From the documents register: pick it below the table; "
        "its next review is the evidence's expiry"),
}
_ORDER = ["control_id", "control_title", "applicable", "justification",
          "implementation_status", "owner", "evidence", "evidence_document", "evidence_expiry",
          "last_reviewed", "target_date", "flags", "risks", "risk_titles", "eu_articles",
          "nist", "objective"]


def _statement(who: Identity) -> None:
    st.caption("Decide for each control whether it applies and why (a justification is "
               "required either way), then track its status, owner and evidence. Edit cells, "
               "then save; a colleague's newer change is never overwritten.")
    filters, signature = _filters(who)
    shown = cached(soa.soa_table, today(), filters)
    if shown.empty:
        st.warning("No control matches these filters.", icon=":material/filter_alt_off:")
        return
    editable_table(
        SOA, lambda: cached(soa.soa_table, today(), filters), key="soa", who=who,
        signature=signature, allow_add=False, context=_CONTEXT, column_order=_ORDER,
        height=table_height(len(shown)), show_id=False)
    evidence_document_picker("soa", shown_rows("soa"), "control_id", "control_title",
                             "control_id", "soa", who)
    _exports()


def _version_label(number: int) -> str:
    return "Current SoA (not approved)" if number == CURRENT else f"Version {number}"


def _exports() -> None:
    numbers = [CURRENT, *cached(soa.versions)["version_no"].astype(int)]
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    chosen = left.selectbox("Export for the auditor", numbers, format_func=_version_label,
                            key="soa_export_version")
    db, version = get_db(), chosen or None  # the file is built only when its button is pressed
    sheet = {"Statement of Applicability": lambda: soa.export_frame(db, version)}
    with right:
        spreadsheet_downloads("statement-of-applicability", sheet, "soa_export", label="SoA",
                              suffix=f"v{chosen}" if chosen else None)


def _suggestions(who: Identity) -> None:
    st.caption("Controls the registers point to, each with the reason. Nothing changes until "
               "you confirm: the chosen controls become applicable with the reason as their "
               "justification (edit it afterwards if you like).")
    outcome_of("soa_suggest")
    found = cached(soa.suggestions)
    if found.empty:
        st.info("No suggestions yet: they come from the AI systems (sourcing, personal data, "
                "life-cycle stage, EU AI Act category), suppliers and data sources you "
                "register.", icon=":material/lightbulb:")
        return
    open_ = found[found["differs"]]
    if open_.empty:
        st.success("The SoA already includes every suggested control.",
                   icon=":material/task_alt:")
    else:
        for row in open_.itertuples():
            now = "not decided" if pd.isna(row.applicable) else "marked not applicable"
            st.markdown(f"**{row.control_id} {md_escape(row.control_title)}** (now {now})  \n"
                        f"{md_escape(row.reason)}")
        labels = dict(zip(open_["control_id"], open_["control_id"] + " " +
                          open_["control_title"], strict=True))
        picked = st.multiselect("Include these controls", list(labels),
                                format_func=labels.get, key="soa_suggest_pick")
        st.button("Include the chosen controls", key="soa_suggest_apply", type="primary",
                  disabled=not (picked and who.can_edit), icon=":material/done_all:",
                  on_click=run_write, args=("soa_suggest", lambda: soa.apply_suggestions(
                      get_db(), open_[open_["control_id"].isin(
                          st.session_state["soa_suggest_pick"])], who.actor),
                      "{n} controls included."))
    followed = found[~found["differs"]]
    with st.expander(f"Suggestions the SoA already follows ({len(followed)})"):
        st.dataframe(followed[["control_id", "control_title", "reason"]], hide_index=True,
                     width="stretch", column_config=_SUGGESTION_COLUMNS)


_SUGGESTION_COLUMNS = {
    "control_id": st.column_config.TextColumn("ID", width="small"),
    "control_title": st.column_config.TextColumn("Control", width="medium"),
    "reason": st.column_config.TextColumn("Why it is suggested", width="large"),
}


def _approve(who: Identity, undecided: int) -> None:
    outcome_of("soa_approve")
    with st.container(border=True):
        st.markdown("**Approve the current SoA as a new version** (ISO/IEC 42001 6.1.3: "
                    "approval by designated management)")
        cols = st.columns([2, 1, 3], vertical_alignment="bottom")
        approver = person_select("Approved by", key="soa_approver", default=who.name,
                                 where=cols[0], help="Who approves, e.g. the CEO")
        cols[1].date_input("Approved on", value=today(), key="soa_approved_on")
        cols[2].text_input("Note", key="soa_approval_note",
                           placeholder="e.g. approved at the management review")
        if undecided:
            st.caption(f"{undecided} control(s) are not decided yet: decide each (applicable "
                       "or not, with a justification) before approving.")
        st.button("Approve this SoA", key="soa_approve", type="primary",
                  icon=":material/verified:",
                  disabled=not (who.can("manage") and approver) or bool(undecided),
                  on_click=run_write, args=("soa_approve", _approve_now(who),
                                            "Approved: the SoA is recorded as a new version."))


def _approve_now(who: Identity) -> Callable[[], WriteResult]:
    """The approval write, reading the form's values when the button is pressed."""
    def write() -> WriteResult:
        state = st.session_state
        return soa.approve(get_db(), state.get("soa_approver") or "", state["soa_approved_on"],
                           state["soa_approval_note"].strip() or None, who.actor)
    return write


def _versions(who: Identity, undecided: int) -> None:
    _approve(who, undecided)
    listed = cached(soa.versions)
    if listed.empty:
        st.info("No version approved yet. Once every control is decided and justified, "
                "approve the SoA above; each approval keeps the SoA as it stood.",
                icon=":material/lightbulb:")
        return
    st.dataframe(listed[["version_no", "approved_on", "approved_by", "note", "applicable",
                         "controls"]], hide_index=True, width="stretch", column_config={
        "version_no": st.column_config.NumberColumn("Version", width="small"),
        "approved_on": st.column_config.DateColumn("Approved on"),
        "approved_by": "Approved by", "note": st.column_config.TextColumn("Note", width="large"),
        "applicable": "Applicable", "controls": "Controls"})
    _diff(listed["version_no"].astype(int).tolist())


def _diff(numbers: list[int]) -> None:
    st.subheader("What changed between two versions")
    options = [CURRENT, *numbers]
    cols = st.columns([2, 2, 2], vertical_alignment="bottom")
    old = cols[0].selectbox("From", options, index=min(2, len(options) - 1),
                            format_func=_version_label, key="soa_diff_from")
    new = cols[1].selectbox("To", options, index=1 if len(options) > 2 else 0,
                            format_func=_version_label, key="soa_diff_to")
    everything = cols[2].toggle("Include evidence and dates", key="soa_diff_all")
    fields = soa.SNAPSHOT_FIELDS if everything else soa.KEY_FIELDS
    changes = cached(soa.diff, old or None, new or None, fields)
    if changes.empty:
        st.success(f"No differences between {_version_label(old)} and {_version_label(new)}"
                   f"{'' if everything else ' in applicability, justification, status or owner'}.",
                   icon=":material/check_circle:")
        return
    st.caption(f"{len(changes)} change(s) in {changes['control_id'].nunique()} control(s).")
    st.dataframe(changes, hide_index=True, width="stretch",
                 height=table_height(len(changes)), column_config={
        "control_id": st.column_config.TextColumn("ID", width="small"),
        "control_title": "Control", "field": "Field",
        "before": st.column_config.TextColumn(_version_label(old), width="large"),
        "after": st.column_config.TextColumn(_version_label(new), width="large")})


def _gaps(table: pd.DataFrame) -> None:
    flagged = table[table["flags"] != ""]  # the unfiltered table, read once for the page
    st.subheader("Controls that need attention")
    if flagged.empty:
        st.success("Every control is decided; every applicable one has an owner, evidence "
                   "that has not expired and is on time.", icon=":material/task_alt:")
    else:
        st.dataframe(flagged[["control_id", "control_title", "flags", "owner",
                              "evidence_expiry"]], hide_index=True, width="stretch",
                     height=table_height(len(flagged)), column_config={
                         "control_id": st.column_config.TextColumn("ID", width="small"),
                         "control_title": "Control", "flags": "Why", "owner": "Owner",
                         "evidence_expiry": st.column_config.DateColumn("Evidence expires")})
    st.subheader("Risks no applicable control treats")
    total = cached(soa.untreated_count)
    if total == 0:
        st.success("Every risk that is not closed has an applicable treating control.",
                   icon=":material/task_alt:")
        return
    shown = f"the first {RISKS_SHOWN} of " if total > RISKS_SHOWN else ""
    st.caption(f"Showing {shown}{total} risk(s). Link a treating control on the risk, or "
               "revisit the SoA decision.")
    risks = cached(soa.untreated_risks, RISKS_SHOWN)
    st.dataframe(risks, hide_index=True, width="stretch", column_config={
        "id": st.column_config.NumberColumn("Risk", width="small"), "title": "Title",
        "ai_system": "AI system", "owner": "Owner", "status": "Status",
        "reason": st.column_config.TextColumn("Why", width="large")})


def render() -> None:
    st.title("Controls (SoA)")
    st.caption("The Statement of Applicability (ISO/IEC 42001 6.1.3): every Annex A control, "
               "whether it applies and why, how far it is implemented, who owns it and "
               "where the evidence is; with the NIST AI RMF crosswalk and indicative EU AI "
               "Act articles.")
    who = current_identity()
    start_register("soa", "Annex A controls have no entry in the SoA yet. Add them, then "
                   "decide for each whether it applies, with a justification; the "
                   "suggestions come from the AI systems, suppliers and data sources you "
                   "register.", who)
    table = cached(soa.soa_table, today(), soa.SoaFilter())
    if table.empty:
        return
    _tiles(table)
    _coverage()
    suggested = cached(soa.suggestions)
    open_count = int(suggested["differs"].sum()) if not suggested.empty else 0
    tabs = st.tabs(["Statement of Applicability", f"Suggested applicability ({open_count})",
                    "Versions and diff", "Gaps"])
    with tabs[0]:
        _statement(who)
    with tabs[1]:
        _suggestions(who)
    with tabs[2]:
        _versions(who, int(table["applicable"].isna().sum()))
    with tabs[3]:
        _gaps(table)
