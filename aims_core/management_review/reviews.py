"""Management reviews (9.3) as other areas read them."""

from __future__ import annotations

from datetime import date

from aims_core.storage.database import Database


def last_review_on(db: Database, today: date) -> date | None:
    """The date of the latest management review held on or before ``today``."""
    return db.scalar("SELECT max(review_date) FROM management_reviews WHERE review_date <= ?",
                     [today])
