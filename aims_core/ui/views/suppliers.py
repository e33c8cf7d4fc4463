"""Suppliers (A.10.3): who provides which AI systems, contract AI clauses, review dates."""

from __future__ import annotations

import streamlit as st

from aims_core.inventory import suppliers
from aims_core.inventory.registers import SUPPLIERS
from aims_core.ui.editable_table import editable_table
from aims_core.ui.session import cached, current_identity, get_db, today
from aims_core.ui.text import md_escape


def render() -> None:
    st.title("Suppliers")
    st.caption("Third parties that provide AI systems, models, APIs or data (ISO/IEC 42001 "
               "A.10.2, A.10.3). Record whether the contract covers AI duties, when you last "
               "checked the supplier and when the next review is due.")
    overview = cached(suppliers.overview)
    if overview.empty:
        st.info("No suppliers yet. Add each vendor of a bought, API-based or SaaS-embedded AI "
                "system below, then pick it as the system's supplier on the AI systems page.",
                icon=":material/lightbulb:")
    else:
        due = overview[overview["next_review"].notna()
                       & (overview["next_review"].dt.date < today())]
        if not due.empty:
            st.error(f"{len(due)} supplier review(s) overdue: "
                     + md_escape(", ".join(due["supplier"].astype(str))),
                     icon=":material/event_busy:")
        st.subheader("AI systems per supplier")
        st.dataframe(overview[["supplier", "systems", "ai_systems"]], hide_index=True,
                     width="stretch", column_config={
                         "supplier": "Supplier", "systems": "Active systems",
                         "ai_systems": st.column_config.TextColumn("AI systems", width="large")})
    st.subheader("Supplier register")
    editable_table(SUPPLIERS, lambda: suppliers.register(get_db()),
                   key="suppliers", who=current_identity())
