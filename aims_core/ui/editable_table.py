"""One editable table for every register: data editor in, one write path out.

How it avoids the data editor's known traps:
- the frame shown is a per-session snapshot, never the editor's own output, and it does not
  change under the user's pending edits when someone else saves (a notice offers a reload);
- edits are read from the editor's state (``edited_rows``/``added_rows``/``deleted_rows``)
  and sent through :func:`aims_core.records.writes.apply_changes` when Save is pressed (no st.form:
  in a form the editor's pending edits did not reach the submit run in Chromium);
- after a successful save the snapshot is reloaded and the editor key changes, which is the
  supported way to reset it; after a failed save the edits stay on screen to be fixed;
- typed numbers and dates are text cells read by the one validation layer: the grid's
  number cell reads "3,2" as 32 and "12x,5" as 125, its date cell drops a pasted
  "31/12/2026", and a text cell with a limit cuts what is pasted beyond it (all checked in
  Chromium). The column help says what to type and the limit; nothing is bent silently;
- when someone else saved a row since it was loaded, edits to fields they did not touch are
  saved on top of theirs (and the person is told); for a field both changed, both values
  are shown and the person chooses, the rest of their typing still on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from aims_core.auth import people, roles
from aims_core.records import history
from aims_core.records.fields import Field, Register, split_codes
from aims_core.records.validation import input_hint, shown
from aims_core.records.writes import FieldConflict, RowChange, WriteResult, apply_changes
from aims_core.ui.pickers import LIST_ALL
from aims_core.ui.session import Identity, cached, get_db
from aims_core.ui.text import md_escape

WIDE_TABLE = 6  # columns beyond which the ID and title columns are pinned
PEOPLE_LISTED = 500  # up to this many active people, person columns offer every name

_DTYPES = {"text": "string", "choice": "string", "int": "Int64", "float": "Float64",
           "bool": "boolean"}


def _typed_as_text(spec: Field, options: dict[Any, str] | None) -> bool:
    """Numbers and dates a person types (no list to pick from) are text cells."""
    return spec.kind in ("int", "float", "date") and not spec.choices and options is None


def cell_text(value: Any) -> str | None:
    """A stored number or date as its text cell shows it (exactly: 0.1 stays 0.1)."""
    if value is None or value is pd.NA or value is pd.NaT or \
            (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value.item() if hasattr(value, "item") else value)


def prepare_frame(register: Register, frame: pd.DataFrame, extra: tuple[str, ...] = (),
                  labels: dict[str, dict[Any, str]] | None = None) -> pd.DataFrame:
    """Nullable dtypes, so cleared cells and added rows keep their types; numbers and dates
    typed by hand as text (see :func:`_typed_as_text`).

    ``extra`` columns of ``frame`` (read-only context such as a title) are kept as they are.
    """
    labels = labels or {}
    out = pd.DataFrame({"id": frame["id"].astype("Int64")})
    for spec in register.fields:
        column = frame[spec.name] if spec.name in frame else pd.Series([None] * len(frame))
        if _typed_as_text(spec, labels.get(spec.name)):
            out[spec.name] = pd.Series([cell_text(v) for v in column], dtype="string",
                                       index=out.index)
        elif spec.kind == "date":
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


def default_order(register: Register, context: dict[str, Any] | None = None) -> list[str]:
    """What names the row first, then the fields a person edits, then what is read-only."""
    rest = [f.name for f in register.fields if f.name != register.title_field]
    editable = [n for n in rest if register.field(n).editable]
    first = [register.title_field] if register.title_field in register.field_names else []
    return [*first, *editable, *[n for n in rest if n not in editable],
            *(context or {})]


def person_options(register: Register, frame: pd.DataFrame) -> list[str] | None:
    """Active people, plus anyone the shown rows name (an owner disabled since keeps their
    name on screen; the write path refuses picking them again). None in a directory of more
    than :data:`PEOPLE_LISTED`: person columns then take a typed name, which the write path
    checks against the directory, rather than send thousands of names to the browser."""
    if cached(people.active_count) > PEOPLE_LISTED:
        return None
    named = {v for spec in register.fields if spec.person and spec.name in frame
             for v in frame[spec.name].dropna()}
    active = cached(people.active_names)
    return [*active, *sorted(named - set(active))]


def _help(spec: Field, picked: bool) -> str | None:
    """The field's help and, where the cell is typed rather than picked, how to type it."""
    parts = [md_escape(part) for part in (spec.help, None if picked else input_hint(spec))
             if part]
    return " · ".join(parts) or None


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
    picked = options is not None or (spec.kind in ("choice", "multi") and bool(spec.choices))
    common = {"help": _help(spec, picked), "required": spec.required,
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
    if spec.kind == "bool":
        return st.column_config.CheckboxColumn(spec.label, **common)
    return st.column_config.TextColumn(
        spec.label, alignment="right" if spec.kind in ("int", "float") else None, **common)


def changes_from_state(register: Register, frame: pd.DataFrame, state: dict[str, Any],
                       fixed: dict[str, Any] | None = None,
                       resolved: dict[int, tuple[int, set[str]]] | None = None
                       ) -> list[RowChange]:
    """Translate the editor's edit state (positions in ``frame``) into row changes.

    Each update carries the version its row was loaded at and the row as shown (its base,
    for merging with a colleague's newer change). ``fixed`` values are set on every added
    row (e.g. the AI system a sub-table belongs to). ``resolved`` maps rows whose conflict
    the person settled to (the version they chose against, the fields to leave as theirs).
    """
    fields = set(register.field_names)
    resolved = resolved or {}
    changes: list[RowChange] = []
    for position, edits in (state.get("edited_rows") or {}).items():
        row = frame.iloc[int(position)]
        row_id = int(row["id"])
        version, theirs = resolved.get(row_id, (int(row["version"]), set()))
        values = {k: _plain(v) for k, v in edits.items() if k in fields and k not in theirs}
        if values:
            changes.append(RowChange("update", values, row_id=row_id, expected_version=version,
                                     base=None if row_id in resolved else
                                     {name: _plain(row[name]) for name in register.field_names}))
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
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def show_result(result: WriteResult) -> None:
    """A write's problems as the person reads them (user text escaped: it is data)."""
    for problem in result.conflicts:
        st.warning(md_escape(problem), icon=":material/sync_problem:")
    if result.errors:
        st.error("Nothing was saved. Please fix:\n\n" +
                 "\n".join(f"- {md_escape(problem)}" for problem in result.errors),
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
                "log_id": cached(history.latest_change_id),
                "frame": prepare_frame(register, load(), tuple(context or {}), labels)}
        st.session_state[snap_key] = snap
        st.session_state.pop(f"{snap_key}_conflicts", None)
    show_outcome(st.session_state.pop(f"{snap_key}_outcome", None))
    read_only = not who.can_edit
    conflicts = st.session_state.get(f"{snap_key}_conflicts") or []
    if conflicts and not read_only:
        _choose(register, key, who, fixed, conflicts)
    else:
        _newer_data_notice(register, key, who)

    if read_only:
        st.caption("Pick your name in the sidebar to edit this table." if not who.name else
                   f"Your role ({roles.label(who.role)}) can read this table, not change it.")
    elif who.only_own_rows:
        st.caption("As a Contributor you change the rows you own; a change to anyone "
                   "else's row is refused when you save.")
    order = [c for c in (column_order or default_order(register, context))
             if c not in (fixed or {})]
    # Read-only per column: the editor checks type compatibility of every column not
    # disabled in its own config (an all-empty context column would be refused).
    offered, trimmed = offered_labels(labels or {}, snap["frame"])
    people_offered = person_options(register, snap["frame"])
    _large_choices_note(register, trimmed, people_offered is None)
    config = {**column_config(register, offered, read_only, people_offered),
              **{name: {**spec, "disabled": True} for name, spec in (context or {}).items()}}
    if len(order) > WIDE_TABLE:  # scrolled right, the row still says which one it is
        for name in ("id", register.title_field):
            if name in config:
                config[name] = {**config[name], "pinned": True}
    st.data_editor(
        snap["frame"],
        placeholder="",  # a blank cell reads blank, not "None"
        alt=f"{register.label} register",
        key=f"{key}_editor_{snap['epoch']}",
        hide_index=True,
        num_rows="dynamic" if allow_add and not read_only else "fixed",
        column_config=config,
        column_order=["id", *order] if show_id else order,
        width="stretch",
        height=height,
        disabled=read_only,
    )
    st.button("Save changes", type="primary", icon=":material/save:",
              disabled=read_only or bool(conflicts), key=f"{key}_save", on_click=_save,
              args=(register, key, who, fixed))


def _newer_data_notice(register: Register, key: str, who: Identity) -> None:
    """Say so when someone else saved rows of this register after the table was opened.

    One's own saves elsewhere (another table, a form, a snapshot) bump the database's
    write generation too; they are not news to the person, so they bring no notice."""
    snap_key = f"_table_{key}"
    snap = st.session_state[snap_key]
    if snap["generation"] == get_db().generation:
        return
    others = cached(history.authors_since, register.table, snap["log_id"], who.name or "")
    if not others:
        snap["generation"] = get_db().generation  # only own writes since: nothing to say
        return
    names = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    left, right = st.columns([4, 1], vertical_alignment="center")
    left.info(f"{md_escape(names)} saved changes to this table since you opened it. Your "
              "edits are saved on top of them; where someone changed the same field, you "
              "choose.", icon=":material/info:")
    right.button("Reload table", key=f"{key}_reload", on_click=invalidate, args=(key,))


def shown_rows(key: str) -> pd.DataFrame:
    """The rows the table ``key`` shows on this run (its snapshot)."""
    return st.session_state[f"_table_{key}"]["frame"]


def invalidate(key: str) -> None:
    """Make the table ``key`` reload on its next run (after a write made elsewhere)."""
    snap = st.session_state.get(f"_table_{key}")
    if snap:
        st.session_state[f"_table_{key}"] = {**snap, "signature": None}


def _choice_key(key: str, conflict: FieldConflict) -> str:
    return f"{key}_keep_{conflict.row_id}_{conflict.field}"


def _choose(register: Register, key: str, who: Identity, fixed: dict[str, Any] | None,
            conflicts: list[FieldConflict]) -> None:
    """Both values of every field that the person and someone else changed, to choose
    from; the person's other edits stay in the table below and are saved with the choice."""
    with st.container(border=True):
        st.markdown("**Someone else changed the same fields since you loaded the table.** "
                    "Choose, field by field, which value to keep; your other edits in the "
                    "table are saved with your choice.")
        for conflict in conflicts:
            st.radio(
                md_escape(f"{conflict.row} — {conflict.label} (changed by {conflict.by})"),
                ("yours", "theirs"), key=_choice_key(key, conflict), horizontal=True,
                format_func=lambda side, c=conflict: md_escape(
                    f"Keep yours: {_value(c.yours)}" if side == "yours"
                    else f"Keep theirs: {_value(c.theirs)}"))
        left, right, _ = st.columns([2, 2, 3])
        left.button("Save with these choices", type="primary", key=f"{key}_resolve",
                    icon=":material/merge:", on_click=_save,
                    args=(register, key, who, fixed, True))
        right.button("Discard my edits and reload", key=f"{key}_discard",
                     on_click=lambda: st.session_state.pop(f"_table_{key}", None))


def _value(value: Any) -> str:
    return "(empty)" if value is None else shown(cell_text(value) if not isinstance(value, str)
                                                 and not isinstance(value, bool) else value)


def _save(register: Register, key: str, who: Identity, fixed: dict[str, Any] | None,
          resolving: bool = False) -> None:
    """Save-button callback: runs before the rerun, so the rerun already shows the result
    (and no rerun is needed that could drop the click)."""
    snap_key = f"_table_{key}"
    snap = st.session_state[snap_key]
    state = st.session_state.get(f"{key}_editor_{snap['epoch']}", {})
    outcome_key = f"{snap_key}_outcome"
    resolved: dict[int, tuple[int, set[str]]] = {}
    settled = st.session_state.pop(f"{snap_key}_conflicts", None) if resolving else None
    for conflict in settled or []:
        _, theirs = resolved.setdefault(conflict.row_id, (conflict.version, set()))
        if st.session_state.get(_choice_key(key, conflict)) == "theirs":
            theirs.add(conflict.field)
    changes = changes_from_state(register, snap["frame"], state, fixed, resolved)
    if not changes:
        st.session_state[outcome_key] = (
            ("info", "Nothing left to save: you kept their values.") if resolving else
            ("info", "No changes to save yet. Finish the cell you are editing (Enter) and "
                     "save again."))
        if resolving:
            invalidate(key)
        return
    result = apply_changes(get_db(), register.table, changes, who.actor)
    if result.ok:
        st.session_state[outcome_key] = ("success", _summary(register, result))
        invalidate(key)  # reload the rows and reset the editor
    else:
        st.session_state[outcome_key] = result
        if result.field_conflicts:
            st.session_state[f"{snap_key}_conflicts"] = result.field_conflicts


Outcome = tuple[str, str] | WriteResult
"""What a save callback leaves for the next run to show: ("success" | "info" | "error",
message) or the write result with its per-row problems. Messages are shown as text (they
hold row titles and names, which are data)."""

_NOTICES = {"success": (st.success, ":material/check_circle:"),
            "info": (st.info, ":material/info:"), "error": (st.error, ":material/error:"),
            "warning": (st.warning, ":material/warning:")}


def show_outcome(outcome: Outcome | None) -> None:
    if isinstance(outcome, WriteResult):
        show_result(outcome)
    elif outcome:
        notice, icon = _NOTICES[outcome[0]]
        notice(md_escape(outcome[1]), icon=icon)


def _summary(register: Register, result: WriteResult) -> str:
    parts = [f"{len(ids)} {verb}" for verb, ids in
             (("added", result.inserted), ("updated", result.updated),
              ("deleted", result.deleted)) if ids]
    merged = "".join(f" {problem}" for problem in result.merged)
    return f"{register.label} changes saved: {', '.join(parts) or 'nothing changed'}.{merged}"
