"""Context: the issues that shape the AI management system (4.1), the interested parties and
their needs (4.2), opportunities (6.1.1) and what changed since the last management
review, each edited in place through the one write path."""

from __future__ import annotations

import streamlit as st

from aims_core.inventory import systems
from aims_core.management_review.reviews import last_review_on
from aims_core.management_system import context
from aims_core.management_system.context import CONTEXT_TABS
from aims_core.management_system.registers import (
    CONTEXT_ISSUES,
    INTERESTED_PARTIES,
    ISSUE_TYPES,
    OPPORTUNITIES,
    OPPORTUNITY_STATUSES,
)
from aims_core.records.fields import Register
from aims_core.ui.downloads import spreadsheet_downloads
from aims_core.ui.editable_table import editable_table, table_height
from aims_core.ui.session import Identity, cached, current_identity, get_db, today

_REVIEW = {"review_state": st.column_config.TextColumn("Review", width="small",
                                                       help="Overdue, due within 30 days, "
                                                            "or no review date yet")}


def _tiles() -> None:
    summary = cached(context.summary, today()).set_index("register")
    tiles = st.columns(3)
    for tile, (name, label) in zip(tiles, (("issues", "Context issues"),
                                           ("parties", "Interested parties"),
                                           ("opportunities", "Open opportunities")),
                                   strict=True):
        overdue = int(summary.loc[name, "overdue"])
        tile.metric(label, int(summary.loc[name, "items"]), border=True,
                    delta=f"{overdue} review(s) overdue" if overdue else None,
                    delta_color="inverse", delta_arrow="off")


def _register(register: Register, frame: object, which: str, signature: str,
              first_steps: str | None, label: str, who: Identity,
              labels: dict[str, dict] | None = None) -> None:
    """One context register edited in place (with its review state) and exported;
    ``first_steps`` guides when it holds nothing yet."""
    if first_steps:
        st.info(first_steps, icon=":material/lightbulb:")
    editable_table(register, lambda: frame, key=f"context_{which}", who=who,
                   signature=signature, context=_REVIEW, labels=labels,
                   column_order=[*register.field_names, "review_state"],
                   height=table_height(min(len(frame) + 1, 15)))
    _export(which, label)


def _issues(who: Identity) -> None:
    st.caption("External and internal issues that affect what the AI management system is "
               "meant to achieve: laws, markets, technology, society, climate, the "
               "organisation itself. Set a review date on each; an issue that no longer "
               "applies gets a date from which it is not relevant (it stays on record).")
    cols = st.columns([3, 2], vertical_alignment="bottom")
    types = cols[0].multiselect("Type", list(ISSUE_TYPES), format_func=ISSUE_TYPES.get,
                                key="context_issue_types", placeholder="External and internal")
    closed = cols[1].toggle("Show issues no longer relevant", key="context_issues_closed")
    frame = cached(context.issues, today(), tuple(types), closed)
    _register(CONTEXT_ISSUES, frame, "issues", repr((types, closed)),
              None if not frame.empty or types or closed else
              "No context issues yet. List what around and inside the organisation shapes "
              "how it uses AI: a new AI law, customers' expectations, the AI systems and "
              "suppliers you depend on, skills in the team.", "Context issues", who)


def _parties(who: Identity) -> None:
    st.caption("Who has a stake in the organisation's AI and what they need from it; for "
               "each need, whether the AI management system addresses it (4.2 c), and how "
               "or why not.")
    closed = st.toggle("Show parties no longer relevant", key="context_parties_closed")
    frame = cached(context.parties, today(), closed)
    _register(INTERESTED_PARTIES, frame, "parties", repr(closed),
              None if not frame.empty or closed else
              "No interested parties yet. Think of the people your AI systems affect "
              "(customers, applicants, staff), regulators, suppliers and owners, and what "
              "each expects.", "Interested parties", who)


def _opportunities(who: Identity) -> None:
    st.caption("Opportunities the management system should act on (6.1.1), next to the "
               "risks on the Risks page: better outcomes, new uses, lessons that apply "
               "elsewhere.")
    statuses = st.multiselect("Status", list(OPPORTUNITY_STATUSES),
                              format_func=OPPORTUNITY_STATUSES.get, key="context_opp_status",
                              placeholder="Every status")
    frame = cached(context.opportunities, today(), tuple(statuses))
    _register(OPPORTUNITIES, frame, "opportunities", repr(statuses),
              None if not frame.empty or statuses else
              "No opportunities yet. Note where AI, or the management system around your "
              "AI systems, could do better or more.", "Opportunities", who,
              labels={"ai_system_id": cached(systems.names)})


def _export(which: str, label: str) -> None:
    db, day = get_db(), today()
    spreadsheet_downloads(f"aims-{which}", {label: lambda: context.export(db, day, which)},
                          f"context_{which}_export")


def _changes() -> None:
    since = cached(last_review_on, today())
    changes = cached(context.changes_since, since)
    if since:
        st.caption(f"Changes to context issues and to interested parties' needs since the "
                   f"last management review ({since:%d %b %Y}): inputs 9.3.2 b) and c) of "
                   "the next one.")
    else:
        st.caption("No management review is recorded yet: every change to context issues "
                   "and interested parties so far, for the first review (9.3.2 b, c).")
    if changes.empty:
        st.success("Nothing changed since then.", icon=":material/task_alt:")
        return
    st.dataframe(changes, hide_index=True, width="stretch",
                 height=table_height(min(len(changes), 15)),
                 column_order=["changed_at", "register", "item", "operation", "fields",
                               "changed_by"],
                 column_config={
                     "changed_at": st.column_config.DatetimeColumn("When (UTC)",
                                                                   format="YYYY-MM-DD"),
                     "register": "Register",
                     "item": st.column_config.TextColumn("Item", width="large"),
                     "operation": "Change", "fields": "Fields changed", "changed_by": "Who"})


def render() -> None:
    st.title("Context")
    st.caption("The context of the organisation (ISO/IEC 42001 4.1), its interested parties "
               "(4.2) and opportunities (6.1.1). Review dates appear on the Schedule; every "
               "change is kept with its date for the management review.")
    who = current_identity()
    _tiles()
    tabs = st.tabs(list(CONTEXT_TABS.values()), key="context_tab", bind="query-params")
    sections = (_issues, _parties, _opportunities)
    for tab, section in zip(tabs, sections, strict=False):
        if tab.open:
            with tab:
                section(who)
    if tabs[3].open:
        with tabs[3]:
            _changes()
