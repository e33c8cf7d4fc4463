"""The organisation profile as other areas read it (clauses 4.1-4.3)."""

from __future__ import annotations

from aims_core.storage.database import Database


def name(db: Database) -> str | None:
    """The organisation's name, or None before a profile exists."""
    return db.scalar("SELECT name FROM organisation ORDER BY id LIMIT 1")


def ai_roles(db: Database) -> set[str]:
    """The AI roles the organisation declares in its profile, as lower-case words
    (e.g. {"developer", "provider", "deployer"}); empty without a profile."""
    text = db.scalar("SELECT ai_roles FROM organisation ORDER BY id LIMIT 1") or ""
    return {part.strip().lower() for part in text.replace(";", ",").split(",") if part.strip()}
