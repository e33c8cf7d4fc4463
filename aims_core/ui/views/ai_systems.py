"""AI systems: the inventory, filtered and paged, edited through the one write path, with a
detail view of one system and exports."""

from __future__ import annotations

import streamlit as st

from aims_core.inventory import exports, systems
from aims_core.inventory.registers import (
    AI_SYSTEMS,
    EU_AI_ACT_CATEGORIES,
    LIFECYCLE_STAGES,
    SOURCING,
)
from aims_core.ui.downloads import spreadsheet_downloads
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
    row = st.columns([2, 2, 2, 2], vertical_alignment="bottom")
    sourcing = row[0].multiselect("Sourcing", list(SOURCING), format_func=SOURCING.get,
                                  key="systems_sourcing")
    stage = row[1].multiselect("Life-cycle stage", list(LIFECYCLE_STAGES),
                               format_func=LIFECYCLE_STAGES.get, key="systems_stage")
    category = row[2].multiselect("EU AI Act category", list(EU_AI_ACT_CATEGORIES),
                                  format_func=EU_AI_ACT_CATEGORIES.get, key="systems_category",
                                  bind="query-params")
    switches = row[3].container(gap="small")  # stacked: each label whole at 1280 px
    overdue = switches.toggle("Overdue only", key="systems_overdue",
                              help="Due for re-validation today or earlier (never validated, "
                                   "past the date, or due now after a trigger)")
    recheck = switches.toggle("Triage to re-check", key="systems_recheck", bind="query-params",
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
    db = get_db()  # the file is built only when its button is pressed
    spreadsheet_downloads("ai-inventory", {"AI inventory": lambda: exports.inventory(db)},
                          "systems_export", label="Inventory")


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
