"""The people directory: everyone a register can name, and how they sign in.

Every person field of every register (owner, approved by, reviewer …) holds a ``people.name``
of an active person. The app role and sign-in method matter in team mode (see README).
"""

from __future__ import annotations

import re
from typing import Any

from aims_core.auth.roles import ROLES
from aims_core.records.fields import Cursor, Field, Register

SIGN_IN_METHODS = {
    "none": "Does not sign in",
    "local": "Local account",
    "oidc": "Identity provider",
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def name_key(name: str) -> str:
    """Two names are the same person when they differ only in case or spacing."""
    return " ".join(name.split()).casefold()


def _unique_name_and_email(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    if row.get("name"):
        key = name_key(row["name"])
        others = cur.execute("SELECT id, name FROM people WHERE id IS DISTINCT FROM ?",
                             [row.get("id")]).fetchall()
        for other_id, other in others:  # the directory is small; keys are Python's casefold
            if name_key(other) == key:
                problems.append(("name", f"is already in the directory as person {other_id} "
                                         f"('{other}'), ignoring case and spacing"))
    email = row.get("email")
    if email:
        if not _EMAIL.match(email):
            problems.append(("email", f"{email!r} is not an email address"))
        clash = cur.execute("SELECT id, name FROM people WHERE lower(email) = lower(?) "
                            "AND id IS DISTINCT FROM ?", [email, row.get("id")]).fetchone()
        if clash:
            problems.append(("email", f"is already the email of person {clash[0]} "
                                      f"('{clash[1]}')"))
    return problems


def _keeps_an_admin(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    """The last active Admin cannot be demoted or disabled: nobody could manage people."""
    if row.get("id") is None or (row.get("role") == "admin" and row.get("active")):
        return []
    was_admin, others = cur.execute(
        "SELECT bool_or(id = $id AND role = 'admin' AND active), "
        "count(*) FILTER (id <> $id AND role = 'admin' AND active) FROM people",
        {"id": row["id"]}).fetchone()
    if was_admin and not others:
        field = "active" if not row.get("active") else "role"
        return [(field, "cannot change: this is the last active Admin; make someone else "
                        "Admin first")]
    return []


PEOPLE = Register(
    table="people",
    label="Person",
    title_field="name",
    edit_role="admin",
    rules=(_unique_name_and_email, _keeps_an_admin),
    fields=(
        Field("name", "Name", required=True, max_length=200, editable=False,
              help="As every register shows it. Fixed once added: owners and approvers "
                   "refer to it"),
        Field("email", "Email", max_length=254,
              help="Signed-in users are matched to their person by email"),
        Field("active", "Active", "bool", required=True,
              help="Inactive people cannot sign in or be picked as owners; their rows stay"),
        Field("role", "App role", "choice", required=True, choices=ROLES,
              help="What the person may do in team mode"),
        Field("sign_in", "Sign-in", "choice", required=True, choices=SIGN_IN_METHODS),
    ),
)
