"""One editable table for every register: data editor in, one write path out.

How it avoids the data editor's known traps:
- the frame shown is a per-session snapshot, never the editor's own output, and it does not
  change under the user's pending edits when someone else saves (a notice offers a reload);
- edits are read from the editor's state (``edited_rows``/``added_rows``/``deleted_rows``)
  and sent through :func:`aims_core.records.writes.apply_changes` when Save is pressed (no st.form:
  in a form the editor's pending edits did not reach the submit run in Chromium);
- after a successful save the snapshot is reloaded and the editor key changes, which is the
  supported way to reset it; after a failed save the edits stay on screen to be fixed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from aims_core.auth import people, roles
from aims_core.records.fields import Field, Register, split_codes
from aims_core.records.writes import RowChange, WriteResult, apply_changes
from aims_core.ui.pickers import LIST_ALL
from aims_core.ui.session import Identity, cached, get_db

PEOPLE_LISTED = 500  # up to this many active people, person columns offer every name

_DTYPES = {"text": "string", "choice": "string", "int": "Int64", "float": "Float64",
           "bool": "boolean"}


def prepare_frame(register: Register, frame: pd.DataFrame,
                  extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Nullable dtypes and plain dates, so cleared cells and added rows keep their types.

    ``extra`` columns of ``frame`` (read-only context such as a title) are kept as they are.
    """
    out = pd.DataFrame({"id": frame["id"].astype("Int64")})
    for spec in register.fields:
        column = frame[spec.name] if spec.name in frame else pd.Series([None] * len(frame))
        if spec.kind == "date":
            # object dtype even when empty: an empty list would become float, which the
            # data editor refuses for a date column
            out[spec.name] = pd.Series([None if pd.isna(v) else pd.Timestamp(v).date()
                                        for v in column], dtype="object", index=out.index)
        elif spec.kind == "multi":  # a list of codes per cell, for the multiselect column
            out[spec.name] = pd.Series([split_codes(v) if isinstance(v, str) else []
                                        for v in column], dtype="object", index=out.index)
        else:
            out[spec.name] = column.astype(_DTYPES[spec.kind])
    out["version"] = frame["version"].astype("Int64")
    for name in extra:
        if name not in out:
            out[name] = _nullable(frame[name].reset_index(drop=True))
    return out.reset_index(drop=True)


def _nullable(column: pd.Series) -> pd.Series:
    """A read-only context column that an added row (all empty) can extend: whole numbers
    as nullable integers, timestamps as plain dates."""
    if pd.api.types.is_integer_dtype(column) or pd.api.types.is_bool_dtype(column):
        return column.astype("Int64" if pd.api.types.is_integer_dtype(column) else "boolean")
    if pd.api.types.is_datetime64_any_dtype(column):
        return pd.Series([None if pd.isna(v) else v.date() for v in column], dtype="object")
    return column


def table_height(rows: int) -> int:
    """Pixel height that shows ``rows`` rows and the header without inner scrolling."""
    return 35 * (rows + 1) + 3


def offered_labels(labels: dict[str, dict[Any, str]], frame: pd.DataFrame
                   ) -> tuple[dict[str, dict[Any, str]], list[str]]:
    """Reference columns' choices as sent to the browser: a column with more than
    :data:`~aims_core.ui.pickers.LIST_ALL` choices offers those the shown rows hold (never
    thousands of names); also the columns so trimmed."""
    offered, trimmed = {}, []
    for column, options in labels.items():
        if len(options) > LIST_ALL and column in frame:
            held = set(frame[column].dropna())
            options = {k: v for k, v in options.items() if k in held}
            trimmed.append(column)
        offered[column] = options
    return offered, trimmed


def column_config(register: Register, labels: dict[str, dict[Any, str]] | None = None,
                  read_only: bool = False, people: list[str] | None = None) -> dict[str, Any]:
    """Data-editor column set-up derived from the register's field metadata. Person fields
    pick from ``people`` (the directory's active names)."""
    labels = labels or {}
    config: dict[str, Any] = {"id": st.column_config.NumberColumn("ID", disabled=True,
                                                                   width="small")}
    for spec in register.fields:
        options = labels.get(spec.name)
        if options is None and spec.person and people is not None:
            options = {name: name for name in people}
        config[spec.name] = _column(spec, options, read_only)
    return config


def person_options(register: Register, frame: pd.DataFrame) -> list[str] | None:
    """Active people, plus anyone the shown rows name (an owner disabled since keeps their
    name on screen; the write path refuses picking them again). None in a directory of more
    than :data:`PEOPLE_LISTED`: person columns then take a typed name, which the write path
    checks against the directory, rather than send thousands of names to the browser."""
    if cached(people.active_count) > PEOPLE_LISTED:
        return None
    shown = {v for spec in register.fields if spec.person and spec.name in frame
             for v in frame[spec.name].dropna()}
    active = cached(people.active_names)
    return [*active, *sorted(shown - set(active))]


def _large_choices_note(register: Register, trimmed: list[str], typed_people: bool) -> None:
    """Say how a large organisation's columns offer their choices."""
    notes = []
    if trimmed:
        names = ", ".join(register.field(c).label if c in register.field_names else c
                          for c in trimmed)
        notes.append(f"{names}: the choices offered are those of the rows listed (there are "
                     "too many to list them all)")
    if typed_people:
        notes.append("people: type the name as in the people directory")
    if notes:
        st.caption("In this large organisation, " + "; ".join(notes) + ".")


def _column(spec: Field, options: dict[Any, str] | None, read_only: bool) -> Any:
    common = {"help": spec.help, "required": spec.required,
              "disabled": read_only or not spec.editable}
    if spec.kind == "choice" and spec.choices:
        return st.column_config.SelectboxColumn(spec.label, options=list(spec.choices),
                                                format_func=spec.choices.get, **common)
    if spec.kind == "multi" and spec.choices:
        return st.column_config.MultiselectColumn(spec.label, options=list(spec.choices),
                                                  format_func=spec.choices.get, **common)
    if options is not None:
        return st.column_config.SelectboxColumn(spec.label, options=list(options),
                                                format_func=lambda v: options.get(v, str(v)),
                                                **common)
    if spec.kind in ("int", "float"):
        return st.column_config.NumberColumn(
            spec.label, min_value=spec.min_value, max_value=spec.max_value,
            step=1 if spec.kind == "int" else None, **common)
    if spec.kind == "bool":
        return st.column_config.CheckboxColumn(spec.label, **common)
    if spec.kind == "date":
        return st.column_config.DateColumn(spec.label, format="YYYY-MM-DD", **common)
    return st.column_config.TextColumn(spec.label, max_chars=spec.max_length, **common)


def changes_from_state(register: Register, frame: pd.DataFrame, state: dict[str, Any],
                       fixed: dict[str, Any] | None = None) -> list[RowChange]:
    """Translate the editor's edit state (positions in ``frame``) into row changes.

    ``fixed`` values are set on every added row (e.g. the AI system a sub-table belongs to).
    """
    fields = set(register.field_names)
    changes: list[RowChange] = []
    for position, edits in (state.get("edited_rows") or {}).items():
        row = frame.iloc[int(position)]
        values = {k: _plain(v) for k, v in edits.items() if k in fields}
        if values:
            changes.append(RowChange("update", values, row_id=int(row["id"]),
                                     expected_version=int(row["version"])))
    for number, added in enumerate(state.get("added_rows") or [], start=1):
        values = {k: _plain(v) for k, v in added.items() if k in fields}
        if any(v is not None for v in values.values()):
            changes.append(RowChange("insert", {**values, **(fixed or {})},
                                     label=f"New row {number}"))
    for position in state.get("deleted_rows") or []:
        row = frame.iloc[int(position)]
        changes.append(RowChange("delete", row_id=int(row["id"]),
                                 expected_version=int(row["version"])))
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def show_result(result: WriteResult) -> None:
    for problem in result.conflicts:
        st.warning(str(problem), icon=":material/sync_problem:")
    if result.errors:
        st.error("Nothing was saved. Please fix:\n\n" +
                 "\n".join(f"- {problem}" for problem in result.errors),
                 icon=":material/error:")


def editable_table(register: Register, load: Callable[[], pd.DataFrame], *, key: str,
                   who: Identity, signature: str = "", allow_add: bool = True,
                   labels: dict[str, dict[Any, str]] | None = None,
                   column_order: list[str] | None = None, height: int | str = "auto",
                   fixed: dict[str, Any] | None = None,
                   context: dict[str, Any] | None = None, show_id: bool = True) -> None:
    """Show ``load()``'s rows of ``register`` for editing and save edits on submit.

    ``signature`` identifies the current filter/page: when it changes the snapshot is
    reloaded. ``labels`` maps reference fields to {stored value: label} choices. ``fixed``
    columns are hidden and set on added rows. ``context`` maps further columns of
    ``load()`` (or fields that are not editable) to their column config: shown read-only
    (place them with ``column_order``). ``show_id=False`` hides the row id where another
    column names each row.
    """
    db = get_db()
    snap_key = f"_table_{key}"
    snap = st.session_state.get(snap_key)
    if snap is None or snap["signature"] != signature:
        epoch = snap["epoch"] + 1 if snap else 0
        snap = {"signature": signature, "generation": db.generation, "epoch": epoch,
                "frame": prepare_frame(register, load(), tuple(context or {}))}
        st.session_state[snap_key] = snap
    show_outcome(st.session_state.pop(f"_table_{key}_outcome", None))
    if snap["generation"] != db.generation:
        left, right = st.columns([4, 1], vertical_alignment="center")
        left.info("Newer data was saved since you opened this table. Your edits are checked "
                  "against it when you save.", icon=":material/info:")
        if right.button("Reload table", key=f"{key}_reload"):
            st.session_state.pop(snap_key)
            st.rerun()

    read_only = not who.can_edit
    if read_only:
        st.caption("Pick your name in the sidebar to edit this table." if not who.name else
                   f"Your role ({roles.label(who.role)}) can read this table, not change it.")
    elif who.only_own_rows:
        st.caption("As a Contributor you change the rows you own; a change to anyone "
                   "else's row is refused when you save.")
    order = [c for c in (column_order or [*register.field_names, *(context or {})])
             if c not in (fixed or {})]
    # Read-only per column: the editor checks type compatibility of every column not
    # disabled in its own config (an all-empty context column would be refused).
    offered, trimmed = offered_labels(labels or {}, snap["frame"])
    people_offered = person_options(register, snap["frame"])
    _large_choices_note(register, trimmed, people_offered is None)
    config = {**column_config(register, offered, read_only, people_offered),
              **{name: {**spec, "disabled": True} for name, spec in (context or {}).items()}}
    st.data_editor(
        snap["frame"],
        key=f"{key}_editor_{snap['epoch']}",
        hide_index=True,
        num_rows="dynamic" if allow_add and not read_only else "fixed",
        column_config=config,
        column_order=["id", *order] if show_id else order,
        width="stretch",
        height=height,
        disabled=read_only,
    )
    st.button("Save changes", type="primary", icon=":material/save:", disabled=read_only,
              key=f"{key}_save", on_click=_save, args=(register, key, who, fixed))


def shown_rows(key: str) -> pd.DataFrame:
    """The rows the table ``key`` shows on this run (its snapshot)."""
    return st.session_state[f"_table_{key}"]["frame"]


def invalidate(key: str) -> None:
    """Make the table ``key`` reload on its next run (after a write made elsewhere)."""
    snap = st.session_state.get(f"_table_{key}")
    if snap:
        st.session_state[f"_table_{key}"] = {**snap, "signature": None}


def _save(register: Register, key: str, who: Identity, fixed: dict[str, Any] | None) -> None:
    """Save-button callback: runs before the rerun, so the rerun already shows the result
    (and no rerun is needed that could drop the click)."""
    snap = st.session_state[f"_table_{key}"]
    state = st.session_state.get(f"{key}_editor_{snap['epoch']}", {})
    outcome_key = f"_table_{key}_outcome"
    changes = changes_from_state(register, snap["frame"], state, fixed)
    if not changes:
        st.session_state[outcome_key] = ("info", "No changes to save yet. Finish the cell you "
                                                 "are editing (Enter) and save again.")
        return
    result = apply_changes(get_db(), register.table, changes, who.actor)
    if result.ok:
        st.session_state[outcome_key] = ("success", _summary(register, result))
        invalidate(key)  # reload the rows and reset the editor
    else:
        st.session_state[outcome_key] = result


Outcome = tuple[str, str] | WriteResult
"""What a save callback leaves for the next run to show: ("success" | "info" | "error",
message) or the write result with its per-row problems."""

_NOTICES = {"success": (st.success, ":material/check_circle:"),
            "info": (st.info, ":material/info:"), "error": (st.error, ":material/error:"),
            "warning": (st.warning, ":material/warning:")}


def show_outcome(outcome: Outcome | None) -> None:
    if isinstance(outcome, WriteResult):
        show_result(outcome)
    elif outcome:
        notice, icon = _NOTICES[outcome[0]]
        notice(outcome[1], icon=icon)


def _summary(register: Register, result: WriteResult) -> str:
    parts = [f"{len(ids)} {verb}" for verb, ids in
             (("added", result.inserted), ("updated", result.updated),
              ("deleted", result.deleted)) if ids]
    return f"{register.label} changes saved: {', '.join(parts) or 'nothing changed'}."
