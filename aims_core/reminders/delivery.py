"""Sending the daily digests: by e-mail when SMTP is configured and the person asked for it,
always recorded (``reminder_digests``) so the app shows what went out.

SMTP is off by default; ``[smtp]`` in ``.streamlit/secrets.toml`` turns it on:
``enabled = true``, ``host``, ``port`` (587), ``username``/``password`` (optional),
``starttls`` (true) or ``ssl`` (false), ``sender``. ``[reminders] app_url`` adds links.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from aims_core.config import settings_section
from aims_core.reminders.digest import Digest, Preference, all_digests, body, subject
from aims_core.storage.database import Database, utc_now


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    use_ssl: bool = False
    sender: str = "AIMS Dashboard <aims@localhost>"
    timeout: float = 30.0


class SettingsProblem(ValueError):
    """The [smtp] section is switched on but incomplete."""


def smtp_settings() -> SmtpSettings | None:
    """The SMTP server, or None while e-mail is off (the default)."""
    section = settings_section("smtp")
    if not section.get("enabled", False):
        return None
    if not str(section.get("host", "")).strip():
        raise SettingsProblem("[smtp] enabled = true needs a host")
    try:
        return SmtpSettings(
            host=str(section["host"]).strip(), port=int(section.get("port", 587)),
            username=section.get("username") or None, password=section.get("password") or None,
            starttls=bool(section.get("starttls", True)), use_ssl=bool(section.get("ssl", False)),
            sender=str(section.get("sender", SmtpSettings.sender)),
            timeout=float(section.get("timeout", 30)))
    except (TypeError, ValueError) as exc:
        raise SettingsProblem(f"[smtp] has a bad value: {exc}") from None


def app_url() -> str | None:
    return settings_section("reminders").get("app_url") or None


def message(digest: Digest, to: str, settings: SmtpSettings, url: str | None) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject(digest)
    mail["From"] = settings.sender
    mail["To"] = formataddr((digest.person, to))
    mail["Message-ID"] = make_msgid(domain="aims-dashboard")
    mail.set_content(body(digest, url))
    return mail


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.use_ssl:
        server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port,
                                                timeout=settings.timeout,
                                                context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.starttls:
            server.starttls(context=ssl.create_default_context())
    if settings.username:
        server.login(settings.username, settings.password or "")
    return server


@dataclass
class DeliveryReport:
    day: date
    emailed: int = 0
    in_app: int = 0
    failed: int = 0
    already: int = 0
    problems: list[str] | None = None

    def summary(self) -> str:
        text = (f"Digests of {self.day:%Y-%m-%d}: {self.emailed} e-mailed, {self.in_app} in the "
                f"app only, {self.failed} failed, {self.already} already sent today")
        if self.problems:
            text += " — " + "; ".join(self.problems[:5])
        return text


def _done_today(db: Database, day: date) -> set[str]:
    return {r[0].casefold() for r in db.query_rows(
        "SELECT person FROM reminder_digests WHERE digest_date = ? AND outcome <> 'failed'",
        [day])}


def _record(db: Database, digest: Digest, email: str | None, outcome: str, note: str,
            when: datetime) -> None:
    with db.transaction() as cur:
        cur.execute("DELETE FROM reminder_digests WHERE person = ? AND digest_date = ?",
                    [digest.person, digest.day])
        new_id = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM reminder_digests")\
            .fetchone()[0]
        cur.execute("INSERT INTO reminder_digests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [new_id, digest.person, digest.day, digest.overdue, digest.due_soon,
                     email, outcome, note[:2000], when])


def send_digests(db: Database, day: date, settings: SmtpSettings | None = None,
                 url: str | None = None) -> DeliveryReport:
    """Build today's digests and deliver each once (a failed e-mail is tried again on the
    next run; one already sent is not sent twice)."""
    report = DeliveryReport(day, problems=[])
    done = _done_today(db, day)
    pending: list[tuple[Digest, Preference]] = []
    for digest, setting in all_digests(db, day):
        if digest.person.casefold() in done:
            report.already += 1
        elif settings is None or not (setting.email_enabled and setting.address):
            why = ("e-mail is off for this installation" if settings is None else
                   "no e-mail requested" if not setting.email_enabled else
                   "no e-mail address (in the setting or the people directory)")
            _record(db, digest, None, "in_app", why, utc_now())
            report.in_app += 1
        else:
            pending.append((digest, setting))
    if not pending or settings is None:
        return report
    try:
        server = _connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        for digest, setting in pending:
            _record(db, digest, setting.address, "failed", f"SMTP server: {exc}", utc_now())
        report.failed += len(pending)
        report.problems.append(f"cannot reach the SMTP server {settings.host}: {exc}")
        return report
    with server:
        for digest, setting in pending:
            try:
                server.send_message(message(digest, str(setting.address), settings, url))
            except (OSError, smtplib.SMTPException) as exc:
                _record(db, digest, setting.address, "failed", str(exc), utc_now())
                report.failed += 1
                report.problems.append(f"{digest.person}: {exc}")
                continue
            _record(db, digest, setting.address, "sent", "", utc_now())
            report.emailed += 1
    return report


def deliveries(db: Database, person: str, limit: int = 30) -> list[tuple]:
    """A person's latest digests: day, overdue, due soon, outcome, note, sent at."""
    return db.query_rows("SELECT digest_date, overdue, due_soon, outcome, message, sent_at, "
                         "email FROM reminder_digests WHERE lower(person) = lower(?) "
                         "ORDER BY digest_date DESC LIMIT ?", [person, limit])
