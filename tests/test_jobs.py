"""Scheduled jobs with a clock moved by hand: once per daily slot, recorded, caught up once
after downtime, retried after a failure; the real daily jobs on the demo; and a real server
that runs missed jobs at start and stops cleanly."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from aims_core.bootstrap import init_database
from aims_core.jobs.clock import ManualClock
from aims_core.jobs.daily import daily_jobs, job_settings
from aims_core.jobs.runs import JobFailed, latest_per_job, recent_runs
from aims_core.jobs.scheduler import Job, JobContext, Scheduler
from aims_core.storage import backup
from aims_core.storage.database import Database
from tests.browser_kit import start_server

BERLIN = ZoneInfo("Europe/Berlin")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


class Counting:
    def __init__(self, fail: int = 0) -> None:
        self.calls: list[JobContext] = []
        self.fail = fail

    def __call__(self, ctx: JobContext) -> str:
        self.calls.append(ctx)
        if len(self.calls) <= self.fail:
            raise JobFailed(f"attempt {len(self.calls)} failed")
        return f"run {len(self.calls)} on {ctx.today}"


def scheduler(db: Database, clock: ManualClock, **jobs: Counting) -> Scheduler:
    at = {"early": clock_time(2, 0), "late": clock_time(7, 0)}
    return Scheduler(db, [Job(name, name, at[name], work) for name, work in jobs.items()],
                     BERLIN, clock)


def test_slots_are_local_times_in_utc(db: Database) -> None:
    clock = ManualClock(local(2026, 11, 22, 1, 0))
    jobs = scheduler(db, clock, early=Counting())
    job = jobs.job("early")
    assert jobs.slot(job) == datetime(2026, 11, 21, 1, 0)  # yesterday 02:00 CET = 01:00 UTC
    clock.set(local(2026, 7, 1, 2, 30))
    assert jobs.slot(job) == datetime(2026, 7, 1, 0, 0)  # 02:00 CEST = 00:00 UTC


def test_each_slot_runs_once_and_is_recorded(db: Database) -> None:
    clock = ManualClock(local(2026, 11, 22, 2, 3))
    early, late = Counting(), Counting()
    jobs = scheduler(db, clock, early=early, late=late)
    first = jobs.tick()
    # 02:03: early's slot is today 02:00 (on time); late's is yesterday 07:00, never run
    assert [(r.job, r.trigger, r.outcome) for r in first] == [("early", "schedule", "ok"),
                                                            ("late", "catch-up", "ok")]
    assert jobs.tick() == []
    clock.advance(hours=5)  # 07:03
    assert [(r.job, r.trigger) for r in jobs.tick()] == [("late", "schedule")]
    clock.advance(minutes=30)
    assert jobs.tick() == []
    clock.advance(days=1)
    assert sorted(r.job for r in jobs.tick()) == ["early", "late"]
    assert len(early.calls) == 2 and early.calls[-1].today.isoformat() == "2026-11-23"
    runs = recent_runs(db)
    assert len(runs) == 5 and set(runs["outcome"]) == {"ok"}
    assert runs["finished_at"].notna().all() and runs["message"].str.startswith("run ").all()
    assert jobs.next_run(jobs.job("early")) == local(2026, 11, 24, 2, 0)


def test_a_missed_slot_runs_once_after_downtime(db: Database) -> None:
    clock = ManualClock(local(2026, 11, 22, 2, 1))
    early = Counting()
    jobs = scheduler(db, clock, early=early)
    jobs.tick()
    clock.advance(days=3, hours=10)  # the server was down for three nights
    caught = jobs.tick()
    assert [(r.trigger, r.scheduled_for) for r in caught] == [
        ("catch-up", datetime(2026, 11, 25, 1, 0))]
    assert jobs.tick() == [] and len(early.calls) == 2


def test_a_failed_run_is_retried_then_left_until_the_next_slot(db: Database) -> None:
    clock = ManualClock(local(2026, 11, 22, 2, 0))
    flaky = Counting(fail=5)
    jobs = scheduler(db, clock, early=flaky)
    assert [r.outcome for r in jobs.tick()] == ["failed"]
    assert jobs.tick() == []  # too soon
    clock.advance(minutes=16)
    assert [r.message for r in jobs.tick()] == ["attempt 2 failed"]
    clock.advance(minutes=16)
    jobs.tick()
    clock.advance(minutes=16)
    assert jobs.tick() == []  # three attempts: settled as failed until tomorrow
    assert latest_per_job(db)["early"].outcome == "failed"
    clock.advance(days=1)
    assert [r.outcome for r in jobs.tick()] == ["failed"]
    manual = jobs.run_now("early", "Ana")
    assert manual.trigger == "manual" and manual.outcome == "failed"


def test_a_crashing_job_is_recorded_not_raised(db: Database) -> None:
    def broken(_: JobContext) -> str:
        raise ZeroDivisionError("division by zero")
    clock = ManualClock(local(2026, 11, 22, 3, 0))
    jobs = Scheduler(db, [Job("broken", "Broken", clock_time(2, 0), broken)], BERLIN, clock)
    [run] = jobs.tick()
    assert run.outcome == "failed" and run.message == "ZeroDivisionError: division by zero"


def test_runs_left_running_are_marked_interrupted_at_start(db: Database) -> None:
    with db.transaction() as cur:
        cur.execute("INSERT INTO job_runs VALUES (1, 'backup', 'schedule', NULL, now(), NULL, "
                    "'running', NULL, NULL)")
    jobs = scheduler(db, ManualClock(local(2026, 11, 22, 1, 0)))
    jobs.poll_seconds = 0.05
    jobs.start()
    assert jobs.running
    assert jobs.stop(timeout=10)
    assert latest_per_job(db)["backup"].outcome == "interrupted"


def test_the_first_tick_waits_for_its_signal(db: Database) -> None:
    work = Counting()
    jobs = scheduler(db, ManualClock(local(2026, 11, 22, 3, 0)), early=work)  # 02:00 missed
    jobs.poll_seconds = 0.05
    first_page = threading.Event()
    jobs.start(first_page.wait)
    try:
        assert jobs.running and not first_page.wait(0.3) and work.calls == []  # held
        first_page.set()
        for _ in range(200):
            if work.calls:
                break
            time.sleep(0.05)
        assert len(work.calls) == 1
    finally:
        assert jobs.stop(timeout=10)


def test_the_daily_jobs_on_the_demo(demo_db: Database, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIMS_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("AIMS_SETTINGS", str(tmp_path / "none.toml"))
    settings = job_settings()
    assert [t.isoformat("minutes") for t in settings.times.values()] == ["00:15", "02:00",
                                                                         "07:00"]
    today = datetime.now(UTC).astimezone(BERLIN).date()
    clock = ManualClock(datetime.combine(today, clock_time(8, 0), BERLIN))
    jobs = Scheduler(demo_db, daily_jobs(settings), BERLIN, clock)
    runs = {r.job: r for r in jobs.tick()}
    assert {name: r.outcome for name, r in runs.items()} == {
        "snapshot": "ok", "backup": "ok", "reminders": "ok"}, runs
    assert runs["snapshot"].message.startswith(f"Snapshot of {today:%Y-%m-%d}")
    assert demo_db.scalar("SELECT count(*) FROM kpi_measurements m JOIN kpis k ON "
                          "k.id = m.kpi_id WHERE k.kind = 'computed' AND measured_on = ?",
                          [today]) == demo_db.scalar(
        "SELECT count(*) FROM kpis WHERE kind = 'computed'") > 0  # every computed KPI
    assert "e-mailed" in runs["reminders"].message
    for _ in range(9):  # nine more nights: rotation keeps seven daily backups
        clock.advance(days=1)
        jobs.tick()
    nightly = backup.list_backups(tmp_path / "backups")
    assert 7 <= len(nightly) <= 9 and all(b.kind == "nightly" for b in nightly)
    assert len({b.taken_at.date() for b in nightly}) == len(nightly)


def test_the_server_runs_missed_jobs_at_start_and_stops_cleanly(tmp_path: Path) -> None:
    db_path = tmp_path / "aims.duckdb"
    init_database(db_path, "demo").close()
    settings = tmp_path / "settings.toml"
    settings.write_text('[jobs]\ntimezone = "UTC"\nsnapshot_at = "00:00"\nbackup_at = "00:01"\n'
                        'reminders_at = "00:02"\n')
    server = start_server(db_path, tmp_path / "server.log",
                          secrets=settings)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{server.url}/api/v1/health", timeout=10) as reply:
                health = json.loads(reply.read())
            last = health["jobs"]["last"]
            if len(last) == 3 and all(r["outcome"] != "running" for r in last.values()):
                break
            time.sleep(0.5)
        assert health["jobs"]["running"] is True
        assert {job: run["outcome"] for job, run in health["jobs"]["last"].items()} == {
            "snapshot": "ok", "backup": "ok", "reminders": "ok"}
    finally:
        server.process.terminate()
        server.process.wait(timeout=60)
    # shut-down stopped the jobs and closed the file (a clean close leaves no log behind)
    assert not db_path.with_name(db_path.name + ".wal").exists()
    con = duckdb.connect(str(db_path), read_only=True)
    runs = con.execute("SELECT trigger, outcome FROM job_runs").fetchall()
    con.close()
    assert set(runs) == {("catch-up", "ok")}
    assert [b.kind for b in backup.list_backups(tmp_path / "backups")] == ["nightly"]
