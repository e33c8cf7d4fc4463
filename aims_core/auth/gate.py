"""What only an Admin may do outside the registers: create and revoke API tokens, restore.

Pages ask ``Identity.can("administer")``; domain functions check the actor they are given
here, with the same role rule (``roles.has(role, "administer")``). Token writes are also
checked by the write path (``api_tokens`` has ``edit_role="admin"``).
"""

from __future__ import annotations

from aims_core.auth import roles
from aims_core.auth.actor import Actor


class NotAllowed(PermissionError):
    """The actor may not do this; the message says who may."""


def is_admin(actor: Actor) -> bool:
    return bool(actor.name.strip()) and roles.has(actor.role, "administer")


def require_admin(actor: Actor, what: str) -> None:
    if not is_admin(actor):
        raise NotAllowed(f"Only an administrator may {what}.")
