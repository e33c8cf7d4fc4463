"""AI systems: the inventory, filtered and paged, edited through the one write path, with a
detail view of one system and exports."""

from __future__ import annotations

from datetime import date

import streamlit as st

from aims_core.inventory import exports
from aims_core.inventory.registers import (
    AI_SYSTEMS,
    EU_AI_ACT_CATEGORIES,
    LIFECYCLE_STAGES,
    SOURCING,
)
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.storage import spreadsheets
from aims_core.ui.editable_table import editable_table
from aims_core.ui.paging import page_offset, show_count
from aims_core.ui.session import cached, current_identity, query, today
from aims_core.ui.views import system_detail

PAGE_SIZE = 100


def _overdue_ids() -> list[int]:
    schedule = cached(revalidation_schedule, today())
    return [int(i) for i in schedule.loc[schedule["overdue"], "ai_system_id"]]


def _filters() -> tuple[str, list, str]:
    people = query("SELECT DISTINCT owner, department FROM ai_systems")
    top = st.columns([3, 2, 2])
    search = top[0].text_input("Search name or purpose", key="systems_search")
    owner = top[1].multiselect("Owner", sorted(people["owner"].dropna().unique()),
                               key="systems_owner")
    department = top[2].multiselect("Department", sorted(people["department"].dropna().unique()),
                                    key="systems_department")
    row = st.columns([2, 2, 2, 1], vertical_alignment="bottom")
    sourcing = row[0].multiselect("Sourcing", list(SOURCING), format_func=SOURCING.get,
                                  key="systems_sourcing")
    stage = row[1].multiselect("Life-cycle stage", list(LIFECYCLE_STAGES),
                               format_func=LIFECYCLE_STAGES.get, key="systems_stage")
    category = row[2].multiselect("EU AI Act category", list(EU_AI_ACT_CATEGORIES),
                                  format_func=EU_AI_ACT_CATEGORIES.get, key="systems_category")
    overdue = row[3].toggle("Overdue only", key="systems_overdue",
                            help="Due for re-validation now or past the due date")
    clauses, params = ["TRUE"], []
    if search.strip():
        clauses.append("(name ILIKE ? OR purpose ILIKE ?)")
        params += [f"%{search.strip()}%"] * 2
    for column, chosen in (("owner", owner), ("department", department),
                           ("sourcing", sourcing), ("lifecycle_stage", stage),
                           ("eu_ai_act_category", category)):
        if chosen:
            clauses.append(f"{column} IN (SELECT unnest(?))")
            params.append(chosen)
    if overdue:
        clauses.append("id IN (SELECT unnest(?::BIGINT[]))")
        params.append(_overdue_ids())
    signature = repr((search, owner, department, sourcing, stage, category, overdue))
    return " AND ".join(clauses), params, signature


def _register(where: str, params: list, signature: str) -> None:
    total = int(query(f"SELECT count(*) AS n FROM ai_systems WHERE {where}", tuple(params))
                ["n"].iloc[0])
    all_systems = int(query("SELECT count(*) AS n FROM ai_systems")["n"].iloc[0])
    offset = page_offset(total, PAGE_SIZE, "systems_page")
    show_count(total, offset, PAGE_SIZE, ("AI system", "AI systems"),
               register_empty=all_systems == 0,
               first_steps="No AI systems yet. Add the first one in the empty row of the table "
               "below: name, owner, sourcing, life-cycle stage and EU AI Act category are "
               "required. Then open it below to run the EU AI Act triage.")
    suppliers = query("SELECT id, name FROM suppliers ORDER BY name")
    areas = query("SELECT area_no, title FROM eu_annex_iii_areas ORDER BY area_no")
    editable_table(
        AI_SYSTEMS,
        lambda: query(f"SELECT * FROM ai_systems WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
                      (*params, PAGE_SIZE, offset)),
        key="ai_systems",
        who=current_identity(),
        signature=f"{signature}|{offset}",
        labels={
            "annex_iii_area": {int(r.area_no): f"{r.area_no}. {r.title}"
                               for r in areas.itertuples()},
            "supplier_id": {int(r.id): r.name for r in suppliers.itertuples()},
        },
    )


def _exports() -> None:
    missing = current_identity().lacks("export", "export the inventory")
    if missing:
        st.caption(missing)
        return
    frame = cached(exports.inventory)
    stamp = date.today().isoformat()
    left, right, _ = st.columns([1, 1, 3])
    left.download_button("Inventory as CSV", spreadsheets.to_csv_bytes(frame),
                         file_name=f"ai-inventory-{stamp}.csv", mime="text/csv",
                         icon=":material/download:")
    right.download_button(
        "Inventory as Excel", lambda: spreadsheets.to_excel_bytes(frame, "AI inventory"),
        file_name=f"ai-inventory-{stamp}.xlsx", icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def render() -> None:
    st.title("AI systems")
    st.caption("The inventory of every AI system the organisation builds, buys or uses "
               "(ISO/IEC 42001 8.1, A.6). Edit cells in place, add rows at the bottom, then "
               "save. Retire a system by setting its stage to Retired with a date: nothing is "
               "deleted, its history stays.")
    where, params, signature = _filters()
    _register(where, params, signature)
    _exports()
    st.divider()
    system_detail.render()
