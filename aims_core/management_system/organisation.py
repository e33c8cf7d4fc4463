"""The organisation profile (clauses 4.1-4.3) as the Organisation page edits it and other
areas read it: its name, its AI roles (EU AI Act triage defaults, SoA suggestions) and the
AIMS scope."""

from __future__ import annotations

from typing import Any

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.management_system.registers import AI_ROLES, ORGANISATION
from aims_core.records.fields import split_codes
from aims_core.records.labels import for_people
from aims_core.records.writes import RowChange, WriteResult, apply_changes
from aims_core.storage.database import Database


def name(db: Database) -> str | None:
    """The organisation's name, or None before a profile exists."""
    return db.scalar("SELECT name FROM organisation ORDER BY id LIMIT 1")


def ai_roles(db: Database) -> set[str]:
    """The AI roles the organisation declares in its profile, as codes of
    :data:`~aims_core.management_system.registers.AI_ROLES` (e.g. {"developer",
    "provider", "deployer"}); empty without a profile."""
    return set(split_codes(_stored_roles(db))) & set(AI_ROLES)


def unrecognised_roles(db: Database) -> list[str]:
    """Words of the stored AI roles that are no role code: free text kept from before the
    roles were codes, for the profile page to ask for them to be picked again."""
    return [word for word in split_codes((_stored_roles(db) or "").replace(";", ","))
            if word not in AI_ROLES]


def _stored_roles(db: Database) -> str | None:
    return db.scalar("SELECT ai_roles FROM organisation ORDER BY id LIMIT 1")


def profile(db: Database) -> dict[str, Any] | None:
    """The profile row (every field, id and version), or None before one exists."""
    rows = db.query_dicts("SELECT * FROM organisation ORDER BY id LIMIT 1")
    return rows[0] if rows else None


def save_profile(db: Database, values: dict[str, Any], expected_version: int | None,
                 actor: Actor, row_id: int | None = None) -> WriteResult:
    """Create the profile (``row_id`` None) or update it, version-checked."""
    change = RowChange("insert", values, label="The organisation profile") if row_id is None \
        else RowChange("update", values, row_id=row_id, expected_version=expected_version)
    return apply_changes(db, "organisation", [change], actor)


def export(db: Database) -> pd.DataFrame:
    """The profile as people read it, one column per field."""
    return for_people(ORGANISATION, db.query_df("SELECT * FROM organisation ORDER BY id"))
