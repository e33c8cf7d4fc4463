"""AI systems as other registers name them."""

from __future__ import annotations

from aims_core.storage.database import Database


def names(db: Database) -> dict[int, str]:
    """Every AI system's name by id, in name order (for pickers and reference columns)."""
    return {int(i): name for i, name in
            db.query_rows("SELECT id, name FROM ai_systems ORDER BY name, id")}
