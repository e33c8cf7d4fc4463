"""Management reviews (clause 9.3): the review, its inputs' notes, its decisions, who
attended, and the pack frozen at the chair's sign-off.

Once a review is signed its minutes are locked in the write path: the change rules below refuse a
change to a signed review and to the rows that belong to it, whoever asks and from wherever.
"""

from __future__ import annotations

from typing import Any

from aims_core.management_review.sections import SECTION_TITLES
from aims_core.records.fields import Cursor, Field, Reference, Register, person_field

REVIEW_STATUSES = {"planned": "Planned", "held": "Held (minutes open)",
                   "signed": "Signed off (minutes locked)"}
DECISION_TYPES = {"improvement": "Continual-improvement opportunity",
                  "aims_change": "Change to the AIMS", "resources": "Resource need",
                  "other": "Other decision"}
REVIEW_REF = Reference("management_reviews", "id", "review_date")


def _signed(cur: Cursor, review_id: Any) -> tuple | None:
    """(review date, signed by, signed on) of a signed review, else None."""
    if review_id is None:
        return None
    return cur.execute("SELECT review_date, signed_by, signed_on FROM management_reviews "
                       "WHERE id = ? AND status = 'signed'", [review_id]).fetchone()


def _locked_message(signed: tuple) -> str:
    day, by, on = signed
    return (f"cannot be changed: the management review of {day:%Y-%m-%d} was signed off by "
            f"{by} on {on:%Y-%m-%d} and its minutes are locked")


def _review_locked(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    """A signed review is locked."""
    signed = _signed(cur, row.get("id"))
    return [("status", _locked_message(signed))] if signed else []


def _review_rules(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    """Signing needs a chair, the conclusion and the chair's name; a review cannot be dated
    on or before a review already signed (or, when added, before the latest review
    recorded)."""
    problems: list[tuple[str, str]] = []
    day = row.get("review_date")
    if day is not None:
        latest = cur.execute(
            "SELECT max(review_date) FILTER (WHERE status = 'signed'), max(review_date) "
            "FROM management_reviews WHERE id IS DISTINCT FROM ?", [row.get("id")]).fetchone()
        previous = latest[1] if row.get("id") is None else latest[0]
        if previous is not None and day <= previous:
            problems.append(("review_date", f"must be after the previous review "
                                            f"({previous:%Y-%m-%d})"))
    if row.get("status") == "signed":
        if not row.get("chair"):
            problems.append(("chair", "is required to sign off: the chair signs the minutes"))
        elif row.get("signed_by") != row.get("chair"):
            problems.append(("signed_by", f"must be the chair ({row['chair']}): only the "
                                          "chair signs off the minutes"))
        for name in ("aims_suitable", "aims_adequate", "aims_effective"):
            if row.get(name) is None:
                problems.append((name, "must be answered (yes or no) before sign-off"))
        if not (row.get("conclusion") or "").strip():
            problems.append(("conclusion", "is required to sign off: the reasons for the "
                                           "conclusion on the AIMS (9.3.3)"))
        if row.get("signed_on") is None:
            problems.append(("signed_on", "is required to sign off"))
    elif row.get("signed_by") or row.get("signed_on"):
        problems.append(("signed_by", "is set only by signing off the review"))
    return problems


def _part_of_open_review(field_name: str):
    """The rule that a row of a signed review (a note, decision, attendee) is locked."""

    def check(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
        signed = _signed(cur, row.get("review_id"))
        return [(field_name, _locked_message(signed))] if signed else []

    return check


def _pack_written_once(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    """A pack is added in the sign-off transaction and never changed."""
    if row.get("id") is not None:
        return [("content_json", "cannot be changed: a frozen review pack is kept as it was "
                                 "signed")]
    if not _signed(cur, row.get("review_id")):
        return [("review_id", "must be a signed-off review: the pack is frozen at sign-off")]
    return []


MANAGEMENT_REVIEWS = Register(
    table="management_reviews",
    label="Management review",
    title_field="review_date",
    rules=(_review_rules,),
    change_rules=(_review_locked,),
    fields=(
        Field("review_date", "Review date", "date", required=True, not_before="period_start"),
        Field("status", "Status", "choice", required=True, choices=REVIEW_STATUSES),
        person_field("chair", "Chair", help="Top management: chairs the review and signs off"),
        Field("attendees", "Attendees", help="Who took part (also listed one by one)"),
        Field("scope", "Scope", help="What this review covers, e.g. the whole AIMS"),
        Field("period_start", "Period covered from", "date",
              help="The period runs after this date (the previous review) to the review date"),
        Field("notes", "Notes"),
        Field("aims_suitable", "AIMS remains suitable", "bool"),
        Field("aims_adequate", "AIMS remains adequate", "bool"),
        Field("aims_effective", "AIMS remains effective", "bool"),
        Field("conclusion", "Conclusion and reasons", max_length=8000,
              help="Whether the AIMS remains suitable, adequate and effective, and why (9.3.3)"),
        person_field("signed_by", "Signed off by"),
        Field("signed_on", "Signed off on", "date", not_before="review_date"),
    ),
)

MANAGEMENT_REVIEW_SECTIONS = Register(
    table="management_review_sections",
    label="Review input",
    title_field="section",
    unique_together=("review_id", "section"),
    change_rules=(_part_of_open_review("notes"),),
    fields=(
        Field("review_id", "Review", "int", required=True, reference=REVIEW_REF,
              editable=False),
        Field("section", "Input", "choice", required=True, choices=SECTION_TITLES,
              editable=False),
        Field("notes", "Discussion notes", max_length=8000),
        Field("discussed", "Discussed", "bool"),
    ),
)

MANAGEMENT_REVIEW_DECISIONS = Register(
    table="management_review_decisions",
    label="Review decision",
    title_field="decision",
    change_rules=(_part_of_open_review("decision"),),
    fields=(
        Field("review_id", "Review", "int", required=True, reference=REVIEW_REF,
              editable=False),
        Field("decision_type", "Kind of decision", "choice", required=True,
              choices=DECISION_TYPES),
        Field("decision", "Decision", required=True, max_length=4000),
        Field("section", "From input", "choice", choices=SECTION_TITLES),
    ),
)

MANAGEMENT_REVIEW_ATTENDEES = Register(
    table="management_review_attendees",
    label="Review attendee",
    title_field="person",
    unique_together=("review_id", "person"),
    change_rules=(_part_of_open_review("person"),),
    fields=(
        Field("review_id", "Review", "int", required=True, reference=REVIEW_REF,
              editable=False),
        person_field("person", "Attendee", required=True),
        Field("capacity", "Capacity", max_length=200, help="e.g. Chair, AIMS owner, Head of HR"),
        Field("attended", "Attended", "bool"),
    ),
)

MANAGEMENT_REVIEW_PACKS = Register(
    table="management_review_packs",
    label="Review pack",
    title_field="frozen_on",
    change_rules=(_pack_written_once,),
    fields=(
        Field("review_id", "Review", "int", required=True, reference=REVIEW_REF,
              editable=False),
        Field("frozen_on", "Frozen on", "date", required=True),
        Field("content_json", "Content (JSON)", required=True, max_length=None),
        Field("content_sha256", "SHA-256 of the content", required=True, max_length=64),
    ),
)
