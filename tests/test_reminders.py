"""Reminder digests: their content equals the Schedule's items of the person within their
horizon; settings go through the write path; delivery to a real local SMTP server (aiosmtpd),
once per person per day, with failures recorded and retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from aims_core.auth.actor import Actor
from aims_core.jobs.daily import reminders
from aims_core.jobs.runs import JobFailed
from aims_core.jobs.scheduler import JobContext
from aims_core.reminders import delivery
from aims_core.reminders.digest import (
    all_digests,
    body,
    digest_for,
    preference,
    save_preference,
    subject,
)
from aims_core.storage.database import Database
from tests.browser_kit import free_port
from tests.conftest import TODAY
from tests.schedule_truth import every_due_date as due_dates

JULIA, MARCO, LENA = "Julia Hart", "Marco Rossi", "Lena Novak"  # demo owners


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> tuple[Inbox, int]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def settings(port: int) -> delivery.SmtpSettings:
    return delivery.SmtpSettings(host="127.0.0.1", port=port, starttls=False,
                                 sender="AIMS <aims@aldwick.example>", timeout=10)


def test_digest_is_the_schedule_of_the_person_within_the_horizon(demo_db: Database) -> None:
    assert save_preference(demo_db, Actor(LENA), LENA, 14, None, False).ok
    digest = digest_for(demo_db, LENA, TODAY)
    items = due_dates(demo_db, TODAY)
    mine = items[(items["owner"] == LENA)
                 & (items["overdue"] | (items["due_on"] <= TODAY + timedelta(days=14)))]
    assert digest.horizon_days == 14 and len(digest.items) == len(mine) > 0
    assert list(digest.items["item"]) == list(mine["item"])
    assert digest.overdue == int(mine["overdue"].sum())
    everyone = {d.person: d for d, _ in all_digests(demo_db, TODAY)}
    assert len(everyone[LENA].items) == len(digest.items)
    text = body(digest, "https://aims.example")
    assert digest.overdue and digest.due_soon
    assert text.index("Overdue (") < text.index("Due soon (")
    for item in mine.itertuples():
        assert item.item in text and f"https://aims.example/{item.link}" in text
    assert subject(digest) == (f"AIMS reminders: {digest.overdue} overdue, {digest.due_soon} "
                               "due in the next 14 days")


def test_a_longer_horizon_and_validated_settings(demo_db: Database) -> None:
    me = Actor(JULIA)
    short = len(digest_for(demo_db, JULIA, TODAY).items)
    assert save_preference(demo_db, me, JULIA, 365, None, False).ok
    longer = digest_for(demo_db, JULIA, TODAY)
    assert longer.horizon_days == 365 and len(longer.items) > short
    refused = save_preference(demo_db, me, JULIA, 14, "julia at aldwick", True)
    assert not refused.ok
    assert [(p.row, p.field) for p in refused.errors] == [("Your setting", "E-mail address")]
    refused = save_preference(demo_db, me, JULIA, 0, None, False)
    assert [p.field for p in refused.errors] == ["Look ahead (days)"]
    assert save_preference(demo_db, me, JULIA, 14, None, True).ok  # the directory's address
    assert preference(demo_db, JULIA).address == "julia.hart@aldwick-finance.example"


def emailed_by_choice(db: Database) -> set[str]:
    """People with something due who asked for the digest by e-mail (the demo has some)."""
    return {d.person for d, s in all_digests(db, TODAY) if s.email_enabled and s.address}


def test_delivery_to_a_real_smtp_server_once_a_day(demo_db: Database,
                                                   smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    assert save_preference(demo_db, Actor(JULIA), JULIA, 14, "julia.hart@aldwick.example",
                           True).ok
    assert save_preference(demo_db, Actor(MARCO), MARCO, 30, "marco@aldwick.example",
                           False).ok
    wanted = emailed_by_choice(demo_db)
    assert JULIA in wanted and MARCO not in wanted
    report = delivery.send_digests(demo_db, TODAY, settings(port), "https://aims.example")
    people = len(all_digests(demo_db, TODAY))
    assert (report.emailed, report.failed) == (len(wanted), 0)
    assert report.in_app == people - len(wanted) and len(inbox.messages) == len(wanted)
    [(sender, recipients, mail)] = [m for m in inbox.messages
                                    if m[1] == ["julia.hart@aldwick.example"]]
    assert sender == "aims@aldwick.example" and recipients == ["julia.hart@aldwick.example"]
    digest = digest_for(demo_db, JULIA, TODAY)
    assert mail["Subject"] == subject(digest) and JULIA in mail["To"]
    assert mail.get_content_type() == "text/plain"
    text = mail.get_payload(decode=True).decode("utf-8")
    assert all(item in text for item in digest.items["item"])
    again = delivery.send_digests(demo_db, TODAY, settings(port), None)
    assert again.emailed == 0 and again.already == people
    assert len(inbox.messages) == len(wanted)
    log = delivery.deliveries(demo_db, JULIA)
    assert [(row[0], row[3], row[6]) for row in log] == [
        (TODAY, "sent", "julia.hart@aldwick.example")]
    assert delivery.deliveries(demo_db, MARCO)[0][3] == "in_app"


def test_an_unreachable_server_is_recorded_and_retried(demo_db: Database,
                                                       smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    assert save_preference(demo_db, Actor(JULIA), JULIA, 14, "julia.hart@aldwick.example",
                           True).ok
    wanted = emailed_by_choice(demo_db)
    down = delivery.send_digests(demo_db, TODAY, settings(free_port()))
    assert down.failed == len(wanted) and "cannot reach the SMTP server" in down.summary()
    assert delivery.deliveries(demo_db, JULIA)[0][3] == "failed"
    retry = delivery.send_digests(demo_db, TODAY, settings(port))
    assert retry.emailed == len(wanted) == len(inbox.messages)
    assert delivery.deliveries(demo_db, JULIA)[0][3] == "sent"


def test_the_reminders_job_reads_smtp_from_the_settings(demo_db: Database,
                                                        smtp: tuple[Inbox, int],
                                                        tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port = smtp
    settings_file = tmp_path / "secrets.toml"
    monkeypatch.setenv("AIMS_SETTINGS", str(settings_file))
    assert delivery.smtp_settings() is None  # off by default
    assert save_preference(demo_db, Actor(MARCO), MARCO, 14, "marco@aldwick.example", True).ok
    settings_file.write_text(f'[smtp]\nenabled = true\nhost = "127.0.0.1"\nport = {port}\n'
                             'starttls = false\nsender = "aims@aldwick.example"\n'
                             '[reminders]\napp_url = "https://aims.example"\n')
    context = JobContext(demo_db, datetime.now(UTC), TODAY)
    assert f"{len(emailed_by_choice(demo_db))} e-mailed" in reminders(context)
    assert "https://aims.example/" in inbox.messages[0][2].get_payload(decode=True).decode()
    settings_file.write_text("[smtp]\nenabled = true\n")
    with pytest.raises(JobFailed, match="needs a host"):
        reminders(JobContext(demo_db, datetime.now(UTC), TODAY + timedelta(days=1)))


def test_a_page_of_the_digest_carries_the_counts_of_all_of_it(demo_db: Database) -> None:
    """The Reminders page asks DuckDB for one page and the counts (issue 17)."""
    assert save_preference(demo_db, Actor(JULIA), JULIA, 365, None, False).ok
    whole = digest_for(demo_db, JULIA, TODAY)
    page = digest_for(demo_db, JULIA, TODAY, offset=1, limit=2)
    assert whole.listed == len(whole.items) > 3
    assert (page.overdue, page.listed) == (whole.overdue, whole.listed)
    assert list(page.items["item"]) == list(whole.items["item"])[1:3]
