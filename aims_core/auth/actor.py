"""The actor every write carries: the change history's author and their app role.

Pages build it from the signed-in (or, on a laptop, the picked) person; the command line
and scheduled jobs name themselves. The write path records ``name`` as ``changed_by``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["viewer", "auditor", "contributor", "aims_manager", "admin"]
Channel = Literal["app", "cli", "api", "job"]


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role = "admin"
    channel: Channel = "app"
