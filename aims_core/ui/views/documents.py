"""Documents: the register of documented information (7.5, A.2), the AI policy first, with
versions that keep the one before, what each document evidences, the AI policy checked
against clause 5.2, filters, paging and export."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from aims_core.management_system import documents
from aims_core.management_system.registers import (
    DOCUMENT_STATUSES,
    DOCUMENT_TYPES,
    DOCUMENTS,
    POLICY_CHECKS,
)
from aims_core.records.fields import split_codes
from aims_core.records.writes import WriteResult
from aims_core.ui.downloads import spreadsheet_downloads
from aims_core.ui.editable_table import editable_table, invalidate, show_outcome, table_height
from aims_core.ui.paging import paged_rows
from aims_core.ui.session import Identity, cached, current_identity, get_db, today
from aims_core.ui.text import md_escape

PAGE_SIZE = 50
_CONTEXT = {
    "review_state": st.column_config.TextColumn("Review", width="small"),
    "evidences": st.column_config.TextColumn("Evidences", help="Clauses, Annex A controls and "
                                             "AI systems it is evidence for (set below)"),
    "earlier_versions": st.column_config.NumberColumn("Earlier versions", width="small"),
}
_ORDER = ["reference", "title", "doc_type", "doc_version", "status", "owner", "approved_by",
          "approved_on", "next_review", "review_state", "location", "change_note",
          "evidences", "earlier_versions"]


def _outcome_key(key: str) -> str:
    return f"_{key}_outcome"


def _run(key: str, write: Callable[[], WriteResult], success: str) -> None:
    """Button callback: the write, its outcome left for the next run; the register reloads."""
    result = write()
    st.session_state[_outcome_key(key)] = ("success", success) if result.ok else result
    if result.ok:
        invalidate("documents")


def _tiles() -> None:
    policies = cached(documents.ai_policies, today())
    tiles = st.columns(4)
    if policies:
        policy = policies[0]
        tiles[0].metric("AI policy", f"v{policy.label.rsplit(' v', 1)[-1]}", border=True,
                        delta=DOCUMENT_STATUSES[policy.status], delta_color="off",
                        delta_arrow="off", help=md_escape(policy.label))
        tiles[1].metric("Next policy review",
                        f"{policy.next_review:%b %Y}" if policy.next_review else "not set",
                        border=True, delta="overdue: A.2.2 stands partial" if policy.expired
                        else None, delta_color="inverse", delta_arrow="off",
                        help=f"{policy.next_review:%d %b %Y}" if policy.next_review else None)
        tiles[2].metric("Policy checklist (5.2)",
                        f"{len(policy.ticked)} of {len(POLICY_CHECKS)}", border=True,
                        help="Items of clause 5.2 the owner confirms the policy meets")
    else:
        tiles[0].metric("AI policy", "none yet", border=True)
        tiles[1].metric("Next policy review", "–", border=True)
        tiles[2].metric("Policy checklist (5.2)", "–", border=True)
    due = cached(documents.count, today(), documents.DocumentFilter(review_due_only=True))
    tiles[3].metric("Reviews due", due, border=True,
                    help=f"Overdue or due within {documents.REVIEW_SOON_DAYS} days")


def _filters(who: Identity) -> documents.DocumentFilter:
    top = st.columns([3, 3, 2], vertical_alignment="bottom")
    search = top[0].text_input("Search title or reference", key="documents_search")
    types = top[1].multiselect("Type", list(DOCUMENT_TYPES), format_func=DOCUMENT_TYPES.get,
                               key="documents_type", bind="query-params",
                               placeholder="Every type")
    statuses = top[2].multiselect("Status", list(DOCUMENT_STATUSES),
                                  format_func=DOCUMENT_STATUSES.get, key="documents_status",
                                  placeholder="Every status")
    row = st.container(horizontal=True)
    due = row.toggle("Review due only", key="documents_due",
                     help=f"Overdue or due within {documents.REVIEW_SOON_DAYS} days")
    owners = cached(documents.owners)
    mine = row.toggle("Only documents I own", key="documents_mine",
                      disabled=not (who.name and who.name in owners))
    return documents.DocumentFilter(search, tuple(types), tuple(statuses),
                                    who.name if mine and who.name else None, due)


def _register(filters: documents.DocumentFilter, who: Identity) -> pd.DataFrame:
    shown, offset = paged_rows(
        documents.count, documents.register, (today(), filters), key="documents_page",
        page_size=PAGE_SIZE, noun=("document", "documents"),
        register_empty=cached(documents.total) == 0,
        first_steps="No documents yet. Start with your AI policy (5.2, A.2.2): add it in the "
        "empty row below with the type 'AI policy', its version, owner and where it is kept; "
        "then procedures, plans, records, and the model cards, data sheets and impact "
        "assessment reports of your AI systems.")
    editable_table(DOCUMENTS, lambda: shown, key="documents", who=who,
                   signature=f"{filters!r}|{offset}", context=_CONTEXT, column_order=_ORDER,
                   height=table_height(min(len(shown) + 1, 16)))
    st.caption("Approved documents need an approver and a date; the next review cannot "
               "precede the approval. To issue a new version use 'Start a new version' "
               "below: the version before is kept as it stood.")
    return shown


def _pick(shown: pd.DataFrame) -> dict | None:
    labels = {int(r.id): f"{r.reference + ' ' if isinstance(r.reference, str) else ''}"
              f"{r.title} v{r.doc_version}" for r in shown.itertuples()}
    wanted = st.query_params.get("document", "")
    if wanted.isdigit() and int(wanted) not in labels:  # a link from the Schedule
        found = cached(documents.one, int(wanted))
        if found:
            labels[int(wanted)] = found["label"]
    if not labels:
        return None
    ids = list(labels)
    chosen = st.selectbox("Open a document", ids, format_func=labels.get,
                          index=ids.index(int(wanted)) if wanted.isdigit()
                          and int(wanted) in labels else None,
                          placeholder="Choose a document from the register above",
                          key="documents_detail")
    if chosen is None:
        st.query_params.pop("document", None)
        return None
    st.query_params["document"] = str(chosen)
    return cached(documents.one, chosen)


def _next_label(current: str) -> str:
    major = current.split(".")[0]
    return f"{int(major) + 1}.0" if major.isdigit() else ""


def _versions(doc: dict, who: Identity) -> None:
    st.subheader("Versions")
    key = f"documents_new_{doc['id']}"
    show_outcome(st.session_state.pop(_outcome_key(key), None))
    history = cached(documents.history, int(doc["id"]))
    history = history.assign(shown=history["current"].map({True: "Current",
                                                           False: "Earlier"}),
                             status=history["status"].map(DOCUMENT_STATUSES))
    st.dataframe(history, hide_index=True, width="stretch",
                 column_order=["shown", "doc_version", "status", "approved_by",
                               "approved_on", "next_review", "superseded_on", "change_note",
                               "location"],
                 column_config={
                     "shown": "", "doc_version": "Version", "status": "Status",
                     "approved_by": "Approved by",
                     "approved_on": st.column_config.DateColumn("Approved on"),
                     "next_review": st.column_config.DateColumn("Next review"),
                     "superseded_on": st.column_config.DateColumn("Superseded on"),
                     "change_note": st.column_config.TextColumn("What changed",
                                                                width="large"),
                     "location": st.column_config.TextColumn("Location")})
    with st.form(key, enter_to_submit=False):
        cols = st.columns([1, 3], vertical_alignment="bottom")
        cols[0].text_input("New version", value=_next_label(str(doc["doc_version"])),
                           key=f"{key}_label")
        cols[1].text_input("What changes in it", key=f"{key}_note",
                           placeholder="e.g. yearly review: new EU AI Act dates")
        st.form_submit_button(
            "Start a new version", icon=":material/difference:", disabled=not who.can_edit,
            help="Keeps the current version as it stands and makes the register row a draft "
                 "of the new one, to be approved again",
            on_click=lambda: _run(key, lambda: documents.new_version(
                get_db(), int(doc["id"]), int(doc["version"]),
                st.session_state[f"{key}_label"], st.session_state[f"{key}_note"] or None,
                today(), who.actor), "New version started as a draft; the earlier one is "
                "kept. Approve it in the register when it is ready."))


def _links(doc: dict, who: Identity) -> None:
    st.subheader("What it evidences")
    key = f"documents_links_{doc['id']}"
    show_outcome(st.session_state.pop(_outcome_key(key), None))
    existing = cached(documents.links, int(doc["id"]))
    options = cached(documents.link_options)
    labels = {"clause_id": "Clauses 4–10", "control_id": "Annex A controls",
              "ai_system_id": "AI systems"}
    cols = st.columns(3)
    for column, name in zip(cols, documents.LINK_COLUMNS, strict=True):
        linked = [v if name != "ai_system_id" else int(v)
                  for v in existing[name].dropna()]
        column.multiselect(labels[name], list(options[name]), default=linked,
                           format_func=options[name].get, key=f"{key}_{name}")
    st.button("Save what it evidences", key=f"{key}_save", disabled=not who.can_edit,
              icon=":material/link:", on_click=lambda: _run(key, lambda: documents.save_links(
                  get_db(), int(doc["id"]), existing,
                  {n: st.session_state[f"{key}_{n}"] for n in documents.LINK_COLUMNS},
                  who.actor), "Links saved."))


def _checklist(doc: dict, who: Identity) -> None:
    st.subheader("AI policy checklist (clause 5.2)")
    st.caption("What clause 5.2 asks of an AI policy, in our words. The policy's owner ticks "
               "what the current version meets.")
    key = f"documents_checks_{doc['id']}"
    show_outcome(st.session_state.pop(_outcome_key(key), None))
    ticked = set(split_codes(doc["policy_checks"]))
    with st.form(key, enter_to_submit=False):
        for code, text in POLICY_CHECKS.items():
            st.checkbox(text, value=code in ticked, key=f"{key}_{code}")
        st.form_submit_button(
            "Save the checklist", icon=":material/fact_check:", disabled=not who.can_edit,
            on_click=lambda: _run(key, lambda: documents.save_policy_checks(
                get_db(), int(doc["id"]), int(doc["version"]),
                [c for c in POLICY_CHECKS if st.session_state[f"{key}_{c}"]], who.actor),
                "Checklist saved."))


def _detail(shown: pd.DataFrame, who: Identity) -> None:
    st.header("One document")
    doc = _pick(shown)
    if doc is None:
        st.caption("Pick a document to see its versions, start a new one and set what it "
                   "evidences.")
        return
    location = doc.get("location")
    if isinstance(location, str) and location.startswith(("http://", "https://")):
        st.link_button("Open the document", location, icon=":material/open_in_new:")
    elif isinstance(location, str):
        st.caption(f"Kept at: {md_escape(location)}")
    _versions(doc, who)
    _links(doc, who)
    if doc["doc_type"] == "ai_policy":
        _checklist(doc, who)


def render() -> None:
    st.title("Documents")
    st.caption("Documented information (ISO/IEC 42001 7.5, A.2): the AI policy first, then "
               "procedures, plans, records, model cards, data sheets and impact assessment "
               "reports, each with its version, owner, approval and next review. The app "
               "keeps the link to where a document lives, not the file. SoA and clause "
               "evidence can point here.")
    who = current_identity()
    if cached(documents.total) and not cached(documents.ai_policies, today()):
        st.warning("No AI policy in the register (5.2, A.2.2): add it with the type "
                   "'AI policy'.", icon=":material/policy:")
    _tiles()
    filters = _filters(who)
    shown = _register(filters, who)
    db, day = get_db(), today()
    spreadsheet_downloads("documents-register",
                          {"Documents register": lambda: documents.export(db, day)},
                          "documents_export", label="Register")
    st.divider()
    _detail(shown, who)
