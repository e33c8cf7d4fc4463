"""Management reviews (clause 9.3)."""

from __future__ import annotations

from aims_core.records.fields import Field, Register, person_field

MANAGEMENT_REVIEWS = Register(
    table="management_reviews",
    label="Management review",
    title_field="review_date",
    fields=(
        Field("review_date", "Review date", "date", required=True),
        person_field("chair", "Chair"),
        Field("attendees", "Attendees"),
        Field("notes", "Notes"),
    ),
)
