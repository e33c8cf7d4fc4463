"""The daily jobs and their settings (``[jobs]`` in ``.streamlit/secrets.toml``).

``timezone`` (IANA name; default the machine's), ``snapshot_at`` (00:15), ``backup_at``
(02:00), ``reminders_at`` (07:00) as HH:MM local times, and ``enabled`` (true).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aims_core.auth.actor import Actor
from aims_core.config import SettingsError, settings_section
from aims_core.jobs.runs import JobFailed
from aims_core.jobs.scheduler import Job, JobContext
from aims_core.performance.kpis import take_snapshot
from aims_core.reminders import delivery
from aims_core.storage import backup

SNAPSHOT_ACTOR = Actor("daily KPI snapshot", channel="job")
DEFAULT_TIMES = {"snapshot": time(0, 15), "backup": time(2, 0), "reminders": time(7, 0)}


def local_zone() -> tzinfo:
    """The machine's time zone: ``$TZ``, else /etc/localtime's zone name, else UTC."""
    for name in (os.environ.get("TZ", "").lstrip(":"), _etc_localtime()):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _etc_localtime() -> str:
    target = Path("/etc/localtime")
    if target.is_symlink():
        parts = target.resolve().parts
        if "zoneinfo" in parts:
            return "/".join(parts[parts.index("zoneinfo") + 1:])
    return ""


@dataclass(frozen=True)
class JobSettings:
    zone: tzinfo
    times: dict[str, time]
    enabled: bool = True


def _time(name: str, value: object) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise SettingsError(f"[jobs] {name} must be a time as HH:MM, got {value!r}") from None


def job_settings() -> JobSettings:
    section = settings_section("jobs")
    zone_name = section.get("timezone")
    try:
        zone = ZoneInfo(str(zone_name)) if zone_name else local_zone()
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"[jobs] timezone {zone_name!r} is not a time zone name such as "
                            "'Europe/Berlin'") from None
    times = {job: _time(f"{job}_at", section.get(f"{job}_at", default.isoformat("minutes")))
             for job, default in DEFAULT_TIMES.items()}
    return JobSettings(zone, times, bool(section.get("enabled", True)))


def app_zone() -> tzinfo:
    """The jobs' time zone (the machine's when the settings cannot be read): what "a day"
    means for snapshots, reminders and the history's dates."""
    try:
        return job_settings().zone
    except SettingsError:
        return local_zone()


def local_today() -> date:
    """Today in :func:`app_zone`."""
    return datetime.now(app_zone()).date()


def snapshot(ctx: JobContext) -> str:
    """Today's computed KPI values (idempotent: a second run replaces nothing new)."""
    result = take_snapshot(ctx.db, ctx.today, SNAPSHOT_ACTOR, today=ctx.today)
    if not result.write.ok:
        raise JobFailed("; ".join(str(p) for p in result.write.errors + result.write.conflicts))
    return result.summary()


def nightly_backup(ctx: JobContext) -> str:
    directory = backup.backup_dir(ctx.db.path)
    made = backup.take_backup(ctx.db, directory, "nightly", ctx.now_utc)
    removed = backup.rotate(directory, backup.rotation_policy())
    backup.clean_leftovers(directory)
    return (f"{made.name} ({made.size / 1e6:.1f} MB) in {directory}; rotation removed "
            f"{len(removed)} older nightly backup(s)")


def reminders(ctx: JobContext) -> str:
    try:
        settings = delivery.smtp_settings()
    except delivery.SettingsProblem as exc:
        raise JobFailed(str(exc)) from None
    report = delivery.send_digests(ctx.db, ctx.today, settings, delivery.app_url())
    if report.failed:
        raise JobFailed(report.summary())
    return report.summary()


def daily_jobs(settings: JobSettings) -> list[Job]:
    return [Job("snapshot", "Daily KPI snapshot", settings.times["snapshot"], snapshot),
            Job("backup", "Nightly backup", settings.times["backup"], nightly_backup),
            Job("reminders", "Reminder digests", settings.times["reminders"], reminders)]
