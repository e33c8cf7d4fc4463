"""App roles (what a person may do in the app), separate from the organisational AIMS roles.

Roles are ordered: each one can do what the roles before it can, except that a Contributor's
edits are limited to the rows they own (see :mod:`aims_core.auth.permissions`).
"""

from __future__ import annotations

from typing import Literal

Role = Literal["viewer", "auditor", "contributor", "aims_manager", "admin"]

ROLES: dict[str, str] = {
    "viewer": "Viewer",
    "auditor": "Auditor",
    "contributor": "Contributor",
    "aims_manager": "AIMS manager",
    "admin": "Admin",
}

ROLE_SUMMARIES: dict[str, str] = {
    "viewer": "reads every register (not the user administration)",
    "auditor": "Viewer + every export and the change history",
    "contributor": "edits the rows they own, adds rows they own, records values of their KPIs",
    "aims_manager": "edits every register, approves the SoA, signs off reviews, changes "
                    "intervals",
    "admin": "AIMS manager + people, roles, risk method, settings, restore",
}

# Capabilities beyond reading and editing registers, and the lowest role that has each.
Capability = Literal["export", "change_history", "edit", "manage", "administer"]
_LOWEST: dict[str, Role] = {
    "export": "auditor",
    "change_history": "auditor",
    "edit": "contributor",  # own rows only; "manage" edits every row
    "manage": "aims_manager",
    "administer": "admin",
}

# A person whose first sign-in creates their directory entry gets this role.
FIRST_SIGN_IN_ROLE: Role = "viewer"


def rank(role: str) -> int:
    """Position of ``role`` in :data:`ROLES` (unknown roles rank below every role)."""
    return list(ROLES).index(role) if role in ROLES else -1


def at_least(role: str, lowest: str) -> bool:
    return rank(role) >= rank(lowest)


def has(role: str, capability: Capability) -> bool:
    """Whether ``role`` has ``capability``; an Auditor exports but does not edit."""
    if capability == "edit" and role == "auditor":
        return False
    return at_least(role, _LOWEST[capability])


def lowest(capability: Capability) -> Role:
    """The lowest role with ``capability``."""
    return _LOWEST[capability]


def label(role: str) -> str:
    return ROLES.get(role, role)
