"""The inputs a review page shows: a signed review's frozen pack, else computed live from
the registers and cached until a register outside the review itself changes."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from aims_core.management_review import reviews
from aims_core.ui.session import cached, get_db, today


@st.cache_data(max_entries=32, show_spinner="Computing the inputs from the registers…")
def _live(path: str, mark: int, review_id: int, review_date: date, period_start: date | None,
          day: date) -> list[dict[str, Any]]:
    review = {"id": review_id, "review_date": review_date, "period_start": period_start}
    return reviews.live_sections(get_db(), review, day)


def live_sections(review: dict[str, Any]) -> list[dict[str, Any]]:
    """The open review's inputs, recomputed only when a register outside the review itself
    changed (notes, decisions and attendance saved in the meeting do not recompute them)."""
    db = get_db()
    return _live(str(db.path), cached(reviews.registers_mark), int(review["id"]),
                 review["review_date"], review.get("period_start"), today())


def content(review: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The inputs to show: a signed review's frozen pack, else computed live."""
    if review["status"] == "signed":
        pack = cached(reviews.pack, int(review["id"]))
        if pack is not None:
            return pack["sections"], pack
    return live_sections(review), None
