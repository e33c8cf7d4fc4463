"""The organisation profile (clauses 4.1-4.3)."""

from __future__ import annotations

from aims_core.records.fields import Field, Register

ORGANISATION = Register(
    table="organisation",
    label="Organisation profile",
    importable=False,  # one profile, edited in place
    title_field="name",
    fields=(
        Field("name", "Organisation", required=True, max_length=200),
        Field("scope_statement", "AIMS scope (4.3)"),
        Field("ai_roles", "AI roles (developer, provider, deployer, customer)"),
        Field("interested_parties", "Interested parties and their needs (4.2)"),
    ),
)
