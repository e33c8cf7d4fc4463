"""Clauses 4–10: where the management system stands, requirement by requirement, and which
registers hold the evidence of each, so a status is backed by records."""

from __future__ import annotations

import streamlit as st

from aims_core.compliance import clause_evidence, soa
from aims_core.compliance.registers import CLAUSE_STATUS
from aims_core.ui.editable_table import editable_table, shown_rows, table_height
from aims_core.ui.evidence import evidence_document_picker
from aims_core.ui.plain_html import status_bars
from aims_core.ui.session import cached, current_identity, today
from aims_core.ui.views.soa import start_register

_CONTEXT = {
    "clause_id": st.column_config.TextColumn("Subclause", pinned=True),
    "clause_title": st.column_config.TextColumn("Title", width="medium", pinned=True),
    "evidence_document": st.column_config.TextColumn("Evidence document",
                                                     help="Pick it below the table"),
    "sources": st.column_config.TextColumn("Evidence in the registers", width="large",
                                           help="Registers holding records for this clause"),
    "unbacked": st.column_config.CheckboxColumn(
        "No records", help="Partial or implemented, but no register holds evidence yet"),
}


def _evidence() -> None:
    st.subheader("Where the evidence is")
    found = cached(clause_evidence.evidence, today())
    clauses = list(dict.fromkeys(found["clause_id"]))
    picked = st.multiselect("Subclauses", clauses, key="clauses_evidence_pick",
                            placeholder="Every subclause with a source of evidence")
    shown = found[found["clause_id"].isin(picked)] if picked else found
    st.dataframe(shown, hide_index=True, width="stretch",
                 height=table_height(min(len(shown), 20)), column_config={
                     "clause_id": st.column_config.TextColumn("Subclause", width="small"),
                     "source": st.column_config.TextColumn("Register", width="large"),
                     "records": st.column_config.NumberColumn("Records"),
                     "latest": st.column_config.DateColumn("Latest"),
                     "link": st.column_config.LinkColumn("Where", display_text="Open")})
    st.caption("Each register counts its records for the subclauses it evidences; documents "
               "count where they name the subclause or are picked as its evidence. A "
               "subclause not listed has no register of its own yet: point its evidence to "
               "a document.")


def render() -> None:
    st.title("Clauses 4–10")
    st.caption("The requirements of ISO/IEC 42001 clauses 4–10 (32 subclauses): the status of "
               "each, who owns it, where the evidence is. Together with the Statement of "
               "Applicability this is what a certification audit checks.")
    who = current_identity()
    start_register("clause_status", "subclauses of clauses 4–10 have no status yet. Add "
                   "them, then record for each how far the management system around your "
                   "AI systems meets it.", who)
    table = cached(soa.clause_table)
    if table.empty:
        return
    st.subheader("Clause by clause")
    frame = cached(soa.clause_coverage)
    frame["label"] = frame["clause"] + " (" + frame["subclauses"].astype(str) + ")"
    st.html(status_bars(frame, "label", "subclauses"))
    st.caption("Share of each clause's subclauses (their number in brackets) at each status; "
               "the figure in a bar is the count. A subclause without an entry counts as not "
               "started.")
    st.subheader("Status per subclause")
    rows = cached(clause_evidence.status_with_evidence, today())
    unbacked = rows[rows["unbacked"].fillna(False).astype(bool)]
    if not unbacked.empty:
        st.warning(f"{len(unbacked)} subclause(s) stand partial or implemented with no "
                   "record behind them: " + ", ".join(unbacked["clause_id"])
                   + ". Point their evidence to a document, or revisit the status.",
                   icon=":material/rule:")
    editable_table(
        CLAUSE_STATUS, lambda: rows, key="clauses", who=who, allow_add=False,
        context=_CONTEXT,
        column_order=["clause_id", "clause_title", "status", "owner", "evidence",
                      "evidence_document", "sources", "unbacked", "notes", "last_reviewed"],
        height=table_height(len(table)), show_id=False)
    evidence_document_picker("clause_status", shown_rows("clauses"), "clause_id",
                             "clause_title", "clause_id", "clauses", who)
    _evidence()
