"""Clauses 4–10: where the management system stands, requirement by requirement."""

from __future__ import annotations

import streamlit as st

from aims_core.compliance import soa
from aims_core.compliance.registers import CLAUSE_STATUS
from aims_core.ui.charts import status_bars
from aims_core.ui.editable_table import editable_table, table_height
from aims_core.ui.session import cached, current_identity
from aims_core.ui.views.soa import start_register


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
    st.plotly_chart(status_bars(frame, "label", "subclauses"), key="clauses_coverage")
    st.caption("Share of each clause's subclauses (their number in brackets) at each status; "
               "the figure in a bar is the count. A subclause without an entry counts as not "
               "started.")
    st.subheader("Status per subclause")
    editable_table(
        CLAUSE_STATUS, lambda: cached(soa.clause_table), key="clauses", who=who,
        allow_add=False,
        context={"clause_id": st.column_config.TextColumn("Subclause", pinned=True),
                 "clause_title": st.column_config.TextColumn("Title", width="large",
                                                             pinned=True)},
        column_order=["clause_id", "clause_title", "status", "owner", "evidence", "notes",
                      "last_reviewed"],
        height=table_height(len(table)), show_id=False)
