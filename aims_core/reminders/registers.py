"""Each person's reminder settings: how far ahead the digest looks and where it goes."""

from __future__ import annotations

import re
from typing import Any

from aims_core.records.fields import Cursor, Field, Register, person_field

DEFAULT_HORIZON_DAYS = 14
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _valid_email(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    email = row.get("email")
    if email and not _EMAIL.match(email):
        return [("email", f"{email!r} is not an e-mail address")]
    return []


REMINDER_PREFERENCES = Register(
    table="reminder_preferences",
    label="Reminder setting",
    title_field="person",
    unique_together=("person",),
    owner_field="person",
    importable=False,
    rules=(_valid_email,),
    fields=(
        person_field("person", "Person", required=True, editable=False),
        Field("horizon_days", "Look ahead (days)", "int", required=True, min_value=1,
              max_value=365),
        Field("email", "E-mail address", max_length=254,
              help="Empty: the address in the people directory"),
        Field("email_enabled", "Send by e-mail", "bool", required=True),
    ),
)
