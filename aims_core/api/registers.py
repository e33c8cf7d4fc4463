"""API tokens: a name, what it may do (scopes), a hash of its secret, who made and revoked it."""

from __future__ import annotations

from typing import Any

from aims_core.records.fields import Cursor, Field, Register, person_field

SCOPES = {
    "kpi:write": "Post measured KPI values",
    "snapshot": "Take the computed KPIs' snapshot",
    "backup:read": "Download a backup or an export of every table",
    "read": "Read KPI status and the re-validation schedule",
}


def _known_scopes(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    scopes = (row.get("scopes") or "").split()
    if not scopes:
        return [("scopes", "needs at least one of: " + ", ".join(SCOPES))]
    if unknown := [s for s in scopes if s not in SCOPES]:
        return [("scopes", f"{', '.join(unknown)} is not a scope; use: " + ", ".join(SCOPES))]
    return []


API_TOKENS = Register(
    table="api_tokens",
    label="API token",
    title_field="name",
    unique_together=("name",),
    owner_field="created_by",
    edit_role="admin",
    importable=False,
    rules=(_known_scopes,),
    fields=(
        Field("name", "Token name", required=True, max_length=100,
              help="Recorded as the author of every change made with the token"),
        Field("scopes", "Scopes", required=True, max_length=200),
        Field("token_hash", "SHA-256 of the token", required=True, max_length=64,
              editable=False),
        Field("token_hint", "Starts with", required=True, max_length=16, editable=False),
        person_field("created_by", "Created by", required=True, editable=False),
        Field("created_on", "Created on", "date", required=True, editable=False),
        person_field("revoked_by", "Revoked by"),
        Field("revoked_on", "Revoked on", "date", not_before="created_on"),
    ),
)
