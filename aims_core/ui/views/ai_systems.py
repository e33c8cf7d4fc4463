"""AI systems: the inventory, filtered and paged, edited through the one write path."""

from __future__ import annotations

import streamlit as st

from aims_core.registers import AI_SYSTEMS, EU_AI_ACT_CATEGORIES, LIFECYCLE_STAGES
from aims_core.ui.editable_table import editable_table
from aims_core.ui.session import current_identity, query

PAGE_SIZE = 100


def _filters() -> tuple[str, list, str]:
    owners = query("SELECT DISTINCT owner FROM ai_systems WHERE owner IS NOT NULL ORDER BY 1")
    cols = st.columns([2, 2, 2, 2])
    search = cols[0].text_input("Search name or purpose", key="systems_search")
    owner = cols[1].multiselect("Owner", owners["owner"].tolist(), key="systems_owner")
    stage = cols[2].multiselect("Life-cycle stage", list(LIFECYCLE_STAGES),
                                format_func=LIFECYCLE_STAGES.get, key="systems_stage")
    category = cols[3].multiselect("EU AI Act category", list(EU_AI_ACT_CATEGORIES),
                                   format_func=EU_AI_ACT_CATEGORIES.get, key="systems_category")
    clauses, params = ["TRUE"], []
    if search.strip():
        clauses.append("(name ILIKE ? OR purpose ILIKE ?)")
        params += [f"%{search.strip()}%"] * 2
    for column, chosen in (("owner", owner), ("lifecycle_stage", stage),
                           ("eu_ai_act_category", category)):
        if chosen:
            clauses.append(f"{column} IN (SELECT unnest(?))")
            params.append(chosen)
    where = " AND ".join(clauses)
    return where, params, repr((search, owner, stage, category))


def render() -> None:
    st.title("AI systems")
    st.caption("The inventory of every AI system the organisation builds, buys or uses "
               "(ISO/IEC 42001 8.1, A.6). Edit cells in place, add rows at the bottom, "
               "then save. Retire a system by setting its stage to Retired with a date.")
    where, params, signature = _filters()
    total = int(query(f"SELECT count(*) AS n FROM ai_systems WHERE {where}", tuple(params))
                ["n"].iloc[0])
    pages = max(1, -(-total // PAGE_SIZE))
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (of {pages}, {total} systems)", 1, pages, 1,
                                   key="systems_page"))
    elif total == 0 and signature == repr(("", [], [], [])):
        st.info("No AI systems yet. Add the first one in the empty row of the table below: "
                "name, owner, sourcing, life-cycle stage and EU AI Act category are required.",
                icon=":material/lightbulb:")
    offset = (page - 1) * PAGE_SIZE
    if total:
        st.caption(f"Showing {offset + 1}–{min(offset + PAGE_SIZE, total)} of {total} "
                   f"matching AI systems")
    areas = query("SELECT area_no, title FROM eu_annex_iii_areas ORDER BY area_no")
    editable_table(
        AI_SYSTEMS,
        lambda: query(f"SELECT * FROM ai_systems WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
                      (*params, PAGE_SIZE, offset)),
        key="ai_systems",
        who=current_identity(),
        signature=f"{signature}|{page}",
        labels={"annex_iii_area": {int(r.area_no): f"{r.area_no}. {r.title}"
                                   for r in areas.itertuples()}},
    )
