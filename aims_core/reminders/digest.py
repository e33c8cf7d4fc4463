"""Each person's daily digest: what they own that is overdue or due within their horizon.

Read from the Schedule's sources (``schedule.listing``), so the digest, the Schedule's
"only mine" and "My work" list the same items. People without a saved setting get the
default horizon and the digest in the app only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.dashboard import schedule
from aims_core.records.writes import RowChange, WriteResult, apply_changes
from aims_core.reminders.registers import DEFAULT_HORIZON_DAYS
from aims_core.storage.database import Database


@dataclass(frozen=True)
class Preference:
    person: str
    horizon_days: int = DEFAULT_HORIZON_DAYS
    email: str | None = None  # the person's own choice for the digest
    email_enabled: bool = False
    id: int | None = None
    version: int | None = None
    directory_email: str | None = None  # from the people directory

    @property
    def address(self) -> str | None:
        """Where the digest goes: the chosen address, else the directory's."""
        return self.email or self.directory_email


# Every person with a setting or a directory entry, with both (names compared loosely).
_PREFERENCES_SQL = """
    SELECT coalesce(r.person, d.name) AS person,
           coalesce(r.horizon_days, $horizon) AS horizon_days, r.email,
           coalesce(r.email_enabled, FALSE) AS email_enabled, r.id, r.version,
           d.email AS directory_email
    FROM reminder_preferences r
    FULL JOIN (SELECT name, email FROM people WHERE active) d
      ON lower(trim(d.name)) = lower(trim(r.person))"""


@dataclass(frozen=True)
class Digest:
    person: str
    day: date
    horizon_days: int
    items: pd.DataFrame  # schedule columns, overdue first: all of them, or the page asked for
    overdue: int  # of every item of the digest, the page or not
    listed: int

    @classmethod
    def of(cls, person: str, day: date, horizon_days: int, items: pd.DataFrame) -> Digest:
        """A digest of all its ``items``."""
        return cls(person, day, horizon_days, items, int(items["overdue"].sum()), len(items))

    @property
    def due_soon(self) -> int:
        return self.listed - self.overdue

    @property
    def empty(self) -> bool:
        return self.listed == 0


def preference(db: Database, person: str) -> Preference:
    """The person's saved setting, or the defaults (with their directory e-mail)."""
    row = db.query_rows(f"SELECT * FROM ({_PREFERENCES_SQL}) WHERE lower(trim(person)) = "
                        "lower(trim($person))", {"horizon": DEFAULT_HORIZON_DAYS,
                                                 "person": person})
    return Preference(*row[0]) if row else Preference(person)


def save_preference(db: Database, actor: Actor, person: str, horizon_days: object,
                    email: object, email_enabled: object) -> WriteResult:
    """Create or update ``person``'s setting through the one write path."""
    current = preference(db, person)
    values = {"horizon_days": horizon_days, "email": email, "email_enabled": email_enabled}
    if current.id is None:
        change = RowChange("insert", {"person": person, **values}, label="Your setting")
    else:
        change = RowChange("update", values, row_id=current.id,
                           expected_version=current.version, label="Your setting")
    return apply_changes(db, "reminder_preferences", [change], actor)


def _within(items: pd.DataFrame, day: date, horizon_days: int) -> pd.DataFrame:
    until = day + timedelta(days=horizon_days)
    return items[items["overdue"] | (items["due_on"] <= until)].reset_index(drop=True)


def digest_for(db: Database, person: str, day: date, offset: int = 0,
               limit: int | None = None) -> Digest:
    """One person's digest for ``day``, with their horizon: the Schedule's "only mine"
    filtered, counted and paged in DuckDB (``limit`` None: every item, as the e-mail has)."""
    setting = preference(db, person)
    listing = schedule.listing(db, day, schedule.DueFilter(owner=person,
                                                           horizon=setting.horizon_days),
                               offset, limit)
    return Digest(person, day, setting.horizon_days, listing.rows, listing.counts.overdue,
                  listing.counts.listed)


def all_digests(db: Database, day: date) -> list[tuple[Digest, Preference]]:
    """Every person who owns something due within their horizon, with their setting."""
    items = schedule.page(db, day, limit=None)
    saved = {p.person.strip().casefold(): p for p in (Preference(*row) for row in db.query_rows(
        _PREFERENCES_SQL, {"horizon": DEFAULT_HORIZON_DAYS}))}
    out = []
    owned = items[items["owner"].notna() & (items["owner"].str.strip() != "")]
    for owner, theirs in owned.groupby(owned["owner"].str.strip(), sort=True):
        setting = saved.get(str(owner).strip().casefold(), Preference(str(owner)))
        digest = Digest.of(str(owner), day, setting.horizon_days,
                           _within(theirs, day, setting.horizon_days))
        if not digest.empty:
            out.append((digest, setting))
    return out


def subject(digest: Digest) -> str:
    return (f"AIMS reminders: {digest.overdue} overdue, {digest.due_soon} due in the next "
            f"{digest.horizon_days} days")


def body(digest: Digest, app_url: str | None) -> str:
    """The digest as plain text (user text stays inert: no HTML in the e-mail)."""
    lines = [f"Good morning {digest.person},", "",
             f"this is what you own in the AI management system that is overdue or falls due "
             f"by {digest.day + timedelta(days=digest.horizon_days):%d %b %Y}.", ""]
    for overdue, title in ((True, "Overdue"), (False, "Due soon")):
        part = digest.items[digest.items["overdue"] == overdue]
        if part.empty:
            continue
        lines.append(f"{title} ({len(part)})")
        for item in part.itertuples():
            days = (item.due_on - digest.day).days
            when = f"{-days} days overdue" if days < 0 else ("today" if days == 0
                                                               else f"in {days} days")
            lines.append(f"- {item.kind}: {item.item} — due {item.due_on:%d %b %Y} ({when})")
            if item.reason:
                lines.append(f"  {item.reason}")
            if app_url and item.link:
                lines.append(f"  {app_url.rstrip('/')}/{item.link}")
        lines.append("")
    lines += ["You get this digest because items in the register name you as their owner. "
              "Change how far ahead it looks, or stop the e-mail, on the Reminders page."]
    return "\n".join(lines)
