"""What each app role may write, checked by the write path for every change.

The rules, stated once for every register (the README's role table):

- Viewers and Auditors change nothing.
- A Contributor changes and deletes rows they own and adds rows they own: the row's
  ``owner_field`` names them, or, for a child row (``owned_through``: a risk's acceptances and
  treating controls, a KPI's values, an AI system's validations …), the parent row's owner
  does. They cannot give a row to someone else. Registers with no owner (the organisation,
  SoA approvals, management reviews, re-validation intervals) are for AIMS managers.
- An AIMS manager changes every register whose ``edit_role`` is ``aims_manager`` (the
  default); people and settings (the risk method) need an Admin.
- Segregation of duties, for every role: the person named in a register's
  ``approver_field`` (e.g. who approved a residual-risk acceptance) cannot be the owner of
  the row, and the owner cannot record it.
- A signed-in actor (``person_id``) acts with the directory's current role and only while
  active and, in team mode, while their session is open: a stale page of a disabled person or
  an expired session writes nothing.

UI hiding is a courtesy; this module is the control.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from aims_core.auth import audit, roles
from aims_core.auth.actor import Actor
from aims_core.auth.registers import name_key
from aims_core.auth.sessions import SESSIONS
from aims_core.records.fields import Register
from aims_core.records.registry import REGISTERS

Cursor = duckdb.DuckDBPyConnection

# API tokens (issue 15): which registers a token's scope lets it write.
SCOPE_WRITES: dict[str, frozenset[str]] = {
    "kpi:write": frozenset({"kpi_measurements"}),
    "snapshot": frozenset({"kpi_measurements"}),
}


@dataclass(frozen=True)
class Standing:
    """Who is writing, with the role that decides (the directory's, for signed-in people)."""

    actor: Actor
    role: str

    @property
    def name(self) -> str:
        return self.actor.name.strip()


def standing(cur: Cursor, actor: Actor) -> tuple[Standing | None, str | None]:
    """The actor's standing for this write, or why they cannot write at all."""
    if actor.session_id is not None:
        session, problem = SESSIONS.check(actor.session_id)
        if session is None:
            return None, problem
        if session.person_id != actor.person_id:
            return None, "This session belongs to someone else: sign in again."
    if actor.person_id is None:
        return Standing(actor, actor.role), None
    found = cur.execute("SELECT name, active, role FROM people WHERE id = ?",
                        [actor.person_id]).fetchone()
    if found is None or not found[1]:
        return None, f"{actor.name} is no longer an active user: nothing was saved."
    if name_key(found[0]) != name_key(actor.name):
        return None, "Your name in the people directory changed: sign in again."
    return Standing(actor, found[2]), None


def settings_refusal(who: Standing) -> str | None:
    """Settings (the risk method, passwords of local accounts) are an Admin's."""
    if roles.has(who.role, "administer"):
        return None
    return (f"Only an Admin can change settings such as the risk method and passwords (you "
            f"are {who.name}, {roles.label(who.role)})")


@dataclass(frozen=True)
class Ownership:
    owner: str | None
    of: str  # what the owner owns, for messages: "risk 14"


def owned(register: Register) -> bool:
    return bool(register.owner_field or register.owned_through)


def owner_of(cur: Cursor, register: Register, row: dict[str, Any]) -> Ownership | None:
    """Who owns ``row``: its owner field, or its parent's owner (None: rows have no owner)."""
    if register.owner_field:
        return Ownership(row.get(register.owner_field),
                         f"{register.label.lower()} {row.get('id') or '(new)'}")
    if not register.owned_through:
        return None
    ref = register.field(register.owned_through).reference
    parent = REGISTERS.get(ref.table) if ref else None
    value = row.get(register.owned_through)
    if parent is None or value is None:
        return Ownership(None, f"its {register.field(register.owned_through).label.lower()}")
    result = cur.execute(f'SELECT * FROM "{parent.table}" WHERE "{ref.column}" = ? LIMIT 1',
                         [value])
    names = [d[0] for d in result.description]
    found = result.fetchone()
    of = f"{parent.label.lower()} {value}"
    if found is None:
        return Ownership(None, of)
    above = owner_of(cur, parent, dict(zip(names, found, strict=True)))
    return Ownership(above.owner if above else None, of)


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and name_key(a) == name_key(b)


def refusal(cur: Cursor, register: Register, operation: str, current: dict[str, Any] | None,
            values: dict[str, Any], who: Standing) -> str | None:
    """Why ``who`` may not make this change (None: allowed). ``values`` are the typed new
    values; ``current`` the row as stored (None for an insert)."""
    if who.actor.scope is not None:
        allowed = set().union(*(SCOPE_WRITES.get(s, ()) for s in who.actor.scope))
        if register.table not in allowed:
            return (f"the API token '{who.name}' may not change {register.label} rows "
                    f"(scope: {', '.join(sorted(who.actor.scope)) or 'none'})")
    if not roles.has(who.role, "edit"):
        return (f"{roles.label(who.role)}s can read the registers but not change them "
                f"({who.name} is a {roles.label(who.role)})")
    after = None if operation == "delete" else {**(current or {}), **values}
    # Owners are looked up only where a rule needs them (a query per row, for each change
    # of a 20,000-row import otherwise).
    after_owner = owner_of(cur, register, after) \
        if register.approver_field and after is not None else None
    if after_owner and after_owner.owner:
        approver = after.get(register.approver_field)
        if _same(approver, after_owner.owner):
            return (f"segregation of duties: {after_owner.owner} owns {after_owner.of} and "
                    f"cannot approve its {register.label.lower()}")
        if _same(who.name, after_owner.owner):
            return (f"segregation of duties: you own {after_owner.of}, so someone else must "
                    f"record its {register.label.lower()}")
    if roles.at_least(who.role, register.edit_role):
        return None
    before_owner = owner_of(cur, register, current) if current is not None else None
    after_owner = owner_of(cur, register, after) if after is not None else None
    manager = roles.label(register.edit_role)
    if not roles.at_least(who.role, "contributor") or not owned(register) or \
            not roles.at_least("aims_manager", register.edit_role):
        return f"only an {manager} can change {register.label} rows (you are {_you(who)})"
    if before_owner is not None and not _same(before_owner.owner, who.name):
        return (f"only the owner of {before_owner.of} ({before_owner.owner or 'nobody yet'}) "
                f"or an AIMS manager can change it (you are {_you(who)})")
    if after_owner is not None and not _same(after_owner.owner, who.name):
        if operation == "insert" and register.owner_field:
            label = register.field(register.owner_field).label.lower()
            return (f"a Contributor adds only rows they own: set the {label} to yourself "
                    f"({who.name})")
        if operation == "insert":
            return (f"a Contributor adds rows only to what they own: {after_owner.of} is "
                    f"owned by {after_owner.owner or 'nobody yet'} (you are {who.name})")
        return (f"only an AIMS manager can give {before_owner.of if before_owner else 'it'} "
                f"to {after_owner.owner or 'nobody'} (you are {_you(who)})")
    return None


def _you(who: Standing) -> str:
    return f"{who.name}, {roles.label(who.role)}"


def refused_event(who: Actor, register: str, row_id: int | None, message: str) -> audit.Event:
    """The audit event of a refused change (logged after the batch rolled back)."""
    return audit.Event("write_refused", who.name, who.channel, who.person_id,
                       table_name=register, row_id=row_id, detail=message)
