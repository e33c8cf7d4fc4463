"""AI systems: the inventory, filtered and paged, edited through the one write path, with a
detail view of one system and exports."""

from __future__ import annotations

from datetime import date

import streamlit as st

from aims_core.inventory import exports, systems
from aims_core.inventory.registers import (
    AI_SYSTEMS,
    EU_AI_ACT_CATEGORIES,
    LIFECYCLE_STAGES,
    SOURCING,
)
from aims_core.storage import spreadsheets
from aims_core.ui.editable_table import editable_table
from aims_core.ui.paging import page_offset, show_count
from aims_core.ui.session import cached, current_identity, get_db, today
from aims_core.ui.views import system_detail

PAGE_SIZE = 100


def _filters() -> systems.SystemFilter:
    owners, departments = cached(systems.filter_choices)
    top = st.columns([3, 2, 2])
    search = top[0].text_input("Search name or purpose", key="systems_search")
    owner = top[1].multiselect("Owner", owners, key="systems_owner")
    department = top[2].multiselect("Department", departments, key="systems_department")
    row = st.columns([2, 2, 2, 1, 1], vertical_alignment="bottom")
    sourcing = row[0].multiselect("Sourcing", list(SOURCING), format_func=SOURCING.get,
                                  key="systems_sourcing")
    stage = row[1].multiselect("Life-cycle stage", list(LIFECYCLE_STAGES),
                               format_func=LIFECYCLE_STAGES.get, key="systems_stage")
    category = row[2].multiselect("EU AI Act category", list(EU_AI_ACT_CATEGORIES),
                                  format_func=EU_AI_ACT_CATEGORIES.get, key="systems_category",
                                  bind="query-params")
    overdue = row[3].toggle("Overdue only", key="systems_overdue",
                            help="Due for re-validation today or earlier (never validated, "
                                 "past the date, or due now after a trigger)")
    recheck = row[4].toggle("Triage to re-check", key="systems_recheck", bind="query-params",
                            help="The latest EU AI Act triage was made with the earlier "
                                 "questionnaire (or is otherwise flagged): run it again")
    return systems.SystemFilter(search, tuple(owner), tuple(department), tuple(sourcing),
                                tuple(stage), tuple(category),
                                today() if overdue else None, recheck)


def _register(filters: systems.SystemFilter) -> None:
    total = cached(systems.count, filters)
    offset = page_offset(total, PAGE_SIZE, "systems_page")
    show_count(total, offset, PAGE_SIZE, ("AI system", "AI systems"),
               register_empty=cached(systems.count) == 0,
               first_steps="No AI systems yet. Add the first one in the empty row of the table "
               "below: name, owner, sourcing, life-cycle stage and EU AI Act category are "
               "required. Then open it below to run the EU AI Act triage.")
    editable_table(
        AI_SYSTEMS,
        lambda: cached(systems.page, filters, PAGE_SIZE, offset),
        key="ai_systems",
        who=current_identity(),
        signature=f"{filters!r}|{offset}",
        labels=cached(systems.reference_labels),
    )


def _exports() -> None:
    missing = current_identity().lacks("export", "export the inventory")
    if missing:
        st.caption(missing)
        return
    # Each file is built only when its button is pressed.
    db, stamp = get_db(), date.today().isoformat()
    left, right, _ = st.columns([1, 1, 3])
    left.download_button("Inventory as CSV",
                         lambda: spreadsheets.to_csv_bytes(exports.inventory(db)),
                         file_name=f"ai-inventory-{stamp}.csv", mime="text/csv",
                         icon=":material/download:", key="systems_csv")
    right.download_button(
        "Inventory as Excel",
        lambda: spreadsheets.to_excel_bytes(exports.inventory(db), "AI inventory"),
        file_name=f"ai-inventory-{stamp}.xlsx", icon=":material/download:",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="systems_excel")


def render() -> None:
    st.title("AI systems")
    st.caption("The inventory of every AI system the organisation builds, buys or uses "
               "(ISO/IEC 42001 8.1, A.6). Edit cells in place, add rows at the bottom, then "
               "save. Retire a system by setting its stage to Retired with a date: nothing is "
               "deleted, its history stays.")
    _register(_filters())
    _exports()
    st.divider()
    system_detail.render()
