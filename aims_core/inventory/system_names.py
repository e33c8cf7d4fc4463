"""The AI systems as other registers name them: pickers, filters and labels."""

from __future__ import annotations

from aims_core.storage.database import Database


def system_names(db: Database) -> dict[int, str]:
    """{id: name} of every AI system, retired ones too (old records still name them)."""
    return {int(r[0]): r[1] for r in db.query_rows("SELECT id, name FROM ai_systems "
                                                   "ORDER BY name, id")}


def system_owner(db: Database, system_id: int) -> str | None:
    return db.scalar("SELECT owner FROM ai_systems WHERE id = ?", [system_id])
