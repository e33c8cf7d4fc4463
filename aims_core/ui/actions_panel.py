"""The actions of one record — a nonconformity, finding, incident, risk, management review
decision or self-assessment gap: listed and edited in place, added and marked done.

Every page that shows a source record calls :func:`actions_panel`; the actions land in the
one actions list (aims_core/improvement/actions.py) linked to that record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.improvement import actions
from aims_core.improvement.registers import ACTIONS
from aims_core.records.writes import RowChange
from aims_core.ui.editable_table import editable_table, invalidate
from aims_core.ui.forms import FormKeys
from aims_core.ui.session import cached, current_identity, get_db, today

# Edits of other registers to save with a new action (e.g. the source's status moving on).
AlsoOnAdd = Callable[[], Sequence[tuple[str, list[RowChange]]]]

_COLUMNS = ["title", "owner", "due_on", "status", "done_on", "notes", "attention"]


def _load(source: str, source_id: int) -> pd.DataFrame:
    frame = actions.for_source(get_db(), source, source_id, today())
    frame["attention"] = ["Overdue" if late else "" for late in frame["overdue"]]
    return frame


def actions_panel(source: str, source_id: int, *, owner: str | None, key: str,
                  also: AlsoOnAdd | None = None, invalidates: tuple[str, ...] = ()) -> None:
    """Show the actions of the record ``source_id`` (an ``ACTION_SOURCES`` code), add one
    (its owner defaults to ``owner``) and mark one done. ``invalidates`` names the editable
    tables on the page to reload after a save here."""
    who = current_identity()
    listed = cached(actions.for_source, source, source_id, today())
    if listed.empty:
        st.caption("No action yet: add what is to be done, by whom and by when.")
    else:
        editable_table(ACTIONS, lambda: _load(source, source_id), key=f"{key}_table", who=who,
                       signature=f"{source}:{source_id}", allow_add=False,
                       column_order=_COLUMNS,
                       context={"attention": st.column_config.TextColumn("Attention")})
    adding = FormKeys(f"{key}_add")
    adding.show_outcome()
    cols = st.columns([4, 2, 2, 2], vertical_alignment="bottom")
    cols[0].text_input("New action", key=adding.key("title"), max_chars=300,
                       placeholder="What is to be done")
    cols[1].text_input("Owner", key=adding.default("owner", owner or ""))
    cols[2].date_input("Due on", value=None, min_value=today(), format="YYYY-MM-DD",
                       key=adding.key("due_on"))
    cols[3].button("Add action", key=f"{key}_add_go", icon=":material/add_task:",
                   disabled=not who.can_edit, on_click=_add,
                   args=(adding, source, source_id, who.actor, also,
                         (f"{key}_table", *invalidates)))
    done = FormKeys(f"{key}_done")
    done.show_outcome()
    still_open = listed[listed["is_open"]]
    if still_open.empty:
        return
    titles = {int(r.id): f"#{int(r.id)} {r.title}" for r in still_open.itertuples()}
    versions = {int(r.id): int(r.version) for r in still_open.itertuples()}
    cols = st.columns([4, 2, 2, 2], vertical_alignment="bottom")
    cols[0].selectbox("Mark an action done", list(titles), format_func=titles.get,
                      key=done.key("action"))
    cols[1].date_input("Done on", value=today(), max_value=today(), format="YYYY-MM-DD",
                       key=done.key("done_on"))
    cols[2].text_input("Evidence", key=done.key("notes"), placeholder="Optional")
    cols[3].button("Mark done", key=f"{key}_done_go", icon=":material/task_alt:",
                   disabled=not who.can_edit, on_click=_mark_done,
                   args=(done, versions, who.actor, (f"{key}_table", *invalidates)))


def _add(form: FormKeys, source: str, source_id: int, actor: Actor, also: AlsoOnAdd | None,
         tables: tuple[str, ...]) -> None:
    values = form.values("title", "owner", "due_on")
    result = actions.create(get_db(), actor, values["title"], values["owner"],
                            values["due_on"], source, source_id, created_on=today(),
                            also=also() if also else ())
    if form.finish(result, "Action added; it is on the actions list and the Schedule."):
        for table in tables:
            invalidate(table)


def _mark_done(form: FormKeys, versions: dict[int, int], actor: Actor,
               tables: tuple[str, ...]) -> None:
    values = form.values("action", "done_on", "notes")
    action_id = int(values["action"])
    done_on: date = values["done_on"]
    result = actions.mark_done(get_db(), actor, action_id, versions[action_id], done_on,
                               values["notes"])
    if form.finish(result, f"Action #{action_id} is done."):
        for table in tables:
            invalidate(table)
