"""What every part of the demo generator shares: the anchor date, the change history it
writes as it goes, and writing generated frames into a database."""

from __future__ import annotations

import json
from datetime import date, datetime, time

import numpy as np
import pandas as pd

from aims_core.storage.database import Database

DEMO_ANCHOR = date(2026, 11, 15)
HISTORY_MONTHS = 18
AIMS_OWNER = "Sarah Klein"
CEO = "Daniel Price"


def months_before(anchor: date, months: int) -> date:
    year, month = divmod(anchor.year * 12 + anchor.month - 1 - months, 12)
    return date(year, month + 1, min(anchor.day, 28))


class History:
    """Collects change-log rows whose last 'after' state equals the final row."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def record(self, table: str, states: list[tuple[datetime, str, dict]]) -> int:
        """Log a row's successive states; returns its final version."""
        before = None
        for version, (when, who, state) in enumerate(states, start=1):
            after = {**state, "version": version}
            self.rows.append((table, after["id"], "insert" if before is None else "update", who,
                              when, before, after))
            before = after
        return len(states)

    def frame(self, table: str | None = None) -> pd.DataFrame:
        """The change log so far (of one ``table`` only, if given)."""

        def dump(row: dict | None) -> str | None:
            if row is None:
                return None
            return json.dumps({k: v.isoformat() if isinstance(v, date) else v
                               for k, v in row.items()}, ensure_ascii=False)

        rows = [r for r in self.rows if r[0] == table] if table else self.rows
        frame = pd.DataFrame(rows, columns=["table_name", "row_id", "operation", "changed_by",
                                            "changed_at", "before", "after"])
        frame = frame.sort_values(["changed_at", "table_name", "row_id"], kind="stable")
        frame["before_json"] = [dump(r) for r in frame.pop("before")]
        frame["after_json"] = [dump(r) for r in frame.pop("after")]
        frame.insert(0, "id", np.arange(1, len(frame) + 1))
        return frame.reset_index(drop=True)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0))


def write_frames(db: Database, frames: dict[str, pd.DataFrame], anchor: date) -> None:
    """Replace the registers with generated frames, in one transaction."""
    with db.transaction() as cur:
        for table, frame in frames.items():
            cur.execute(f'DELETE FROM "{table}"')
            if frame.empty:
                continue
            cur.register("generated_frame", frame)
            cur.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM generated_frame')
            cur.unregister("generated_frame")
        cur.execute("INSERT OR REPLACE INTO aims_meta VALUES ('data_anchor_date', ?)",
                    [anchor.isoformat()])

