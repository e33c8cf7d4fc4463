"""The actor every write carries: the change history's author, their app role and channel.

Pages build it from the signed-in (or, on a laptop, the picked) person; the command line acts
as a named admin; scheduled jobs and the HTTP API name themselves. The write path records
``name`` as ``changed_by`` and asks :mod:`aims_core.auth.permissions` whether the actor may
make each change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aims_core.auth.roles import Role

Channel = Literal["app", "cli", "api", "job"]


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role = "admin"
    channel: Channel = "app"
    # A person from the directory acting through a sign-in (team mode) or the command line:
    # at every write the directory's *current* role and active flag decide, not ``role``.
    person_id: int | None = None
    # The sign-in session the actor acts in (team mode): an ended or expired one is refused.
    session_id: str | None = None
    # API tokens (channel "api"): what the token may write; None = whatever the role allows.
    scope: frozenset[str] | None = None
