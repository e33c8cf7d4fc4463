"""The demo's people directory: everyone its registers name, with emails and app roles.

The list is derived from the generated registers (every person field of every register, via
the registry), so names that other areas' demo data add join the directory by themselves;
the curated entries below give the known staff their email and role, plus two people who own
nothing: the certification auditor and a board member who only reads. Names are fictional.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pandas as pd

from aims_core.auth.people import person_columns
from aims_core.demo.common import AIMS_OWNER, CEO, History, at

DOMAIN = "aldwick-finance.example"

# name -> (app role, sign-in method)
STAFF: dict[str, tuple[str, str]] = {
    AIMS_OWNER: ("admin", "local"),
    CEO: ("aims_manager", "local"),
    "Priya Shah": ("contributor", "local"),
    "Tom Becker": ("contributor", "local"),
    "Ben Okafor": ("contributor", "local"),
    "Lena Novak": ("contributor", "local"),
    "Marco Rossi": ("contributor", "local"),
    "Julia Hart": ("contributor", "local"),
    "Olivia Grant": ("auditor", "local"),  # the certification body's auditor
    "Hannah Weiss": ("viewer", "local"),  # non-executive director, reads the reports
}


def email(name: str) -> str:
    return f"{'.'.join(name.lower().split())}@{DOMAIN}"


def people(frames: dict[str, pd.DataFrame], start: date, history: History) -> pd.DataFrame:
    """One row per person named in ``frames`` or listed in :data:`STAFF`."""
    named: Counter[str] = Counter()
    for table, column in person_columns(set(frames)):
        if column in frames[table]:
            named.update(frames[table][column].dropna())
    names = [*STAFF, *sorted(set(named) - set(STAFF))]
    rows = []
    for i, name in enumerate(names, 1):
        role, sign_in = STAFF.get(name, ("contributor", "none"))
        row = {"id": i, "name": name, "email": email(name), "active": True, "role": role,
               "sign_in": sign_in}
        row["version"] = history.record("people", [(at(start), AIMS_OWNER, dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)
