"""Who may do what only an administrator may: create and revoke API tokens, restore.

One function, so that the role check of the people directory replaces it in one place.
Until roles exist every identified person counts as an administrator (the actor's role
defaults to ``admin``); the command line is the administrator at the machine.
"""

from __future__ import annotations

from aims_core.auth.actor import Actor


class NotAllowed(PermissionError):
    """The actor may not do this; the message says who may."""


def is_admin(actor: Actor) -> bool:
    return bool(actor.name.strip()) and actor.role == "admin"


def require_admin(actor: Actor, what: str) -> None:
    if not is_admin(actor):
        raise NotAllowed(f"Only an administrator may {what}.")
