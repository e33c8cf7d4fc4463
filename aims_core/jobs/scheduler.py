"""A small in-process scheduler for daily jobs, with catch-up of a missed run.

Each job runs once a day at a local time. Its *slot* is the latest such moment not after
now; a slot is settled when a run for it succeeded, or failed ``attempts`` times (retried
``retry_after`` apart). A slot missed while the server was down is therefore run once at
the next start (trigger ``catch-up``), however many days were missed — a snapshot of
today's registers could not honestly be dated on the days in between anyway.

Why not a scheduler library: the jobs are three daily ones; catch-up needs the run history
in the database (``job_runs``, which the Data page shows) rather than a library's own job
store, and a clock passed in makes every rule testable by moving time by hand.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from aims_core.jobs.clock import Clock, SystemClock
from aims_core.jobs.runs import JobRun, mark_interrupted, run_recorded, slot_runs
from aims_core.storage.database import Database

LOG = logging.getLogger("aims_core.jobs")
ON_TIME = timedelta(minutes=10)  # a run this close after its slot is "schedule", else "catch-up"


@dataclass(frozen=True)
class JobContext:
    db: Database
    now: datetime  # timezone-aware
    today: date  # the local date of the run

    @property
    def now_utc(self) -> datetime:
        """Naive UTC, as the database stores times."""
        return self.now.astimezone(UTC).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    at: time  # local time of day
    work: Callable[[JobContext], str]  # returns a one-line summary; raises JobFailed


@dataclass
class Scheduler:
    db: Database
    jobs: Sequence[Job]
    zone: tzinfo
    clock: Clock = field(default_factory=SystemClock)
    attempts: int = 3
    retry_after: timedelta = timedelta(minutes=15)
    poll_seconds: float = 30.0
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    # --- when ---------------------------------------------------------------------------
    def slot(self, job: Job, now: datetime | None = None) -> datetime:
        """The latest local ``job.at`` not after ``now``, as naive UTC."""
        local = (now or self.clock.now()).astimezone(self.zone)
        moment = datetime.combine(local.date(), job.at, self.zone)
        if moment > local:
            moment = datetime.combine(local.date() - timedelta(days=1), job.at, self.zone)
        return moment.astimezone(UTC).replace(tzinfo=None)

    def next_run(self, job: Job, now: datetime | None = None) -> datetime:
        """When the job runs next (timezone-aware, local); now if its slot is not settled."""
        now = now or self.clock.now()
        if self._due(job, self.slot(job, now), now):
            return now.astimezone(self.zone)
        local = now.astimezone(self.zone)
        upcoming = datetime.combine(local.date(), job.at, self.zone)
        return upcoming if upcoming > local else \
            datetime.combine(local.date() + timedelta(days=1), job.at, self.zone)

    def _due(self, job: Job, slot: datetime, now: datetime) -> bool:
        runs = slot_runs(self.db, job.name, slot)
        if any(outcome in ("ok", "running") for outcome, _ in runs):
            return False
        if len(runs) >= self.attempts:
            return False
        last_finished = runs[-1][1] if runs else None
        naive_now = now.astimezone(UTC).replace(tzinfo=None)
        return last_finished is None or last_finished + self.retry_after <= naive_now

    def due(self) -> list[tuple[Job, datetime]]:
        now = self.clock.now()
        return [(job, self.slot(job, now)) for job in self.jobs
                if self._due(job, self.slot(job, now), now)]

    # --- running ------------------------------------------------------------------------
    def _context(self) -> JobContext:
        now = self.clock.now()
        return JobContext(self.db, now, now.astimezone(self.zone).date())

    def _utc_now(self) -> datetime:
        return self.clock.now().astimezone(UTC).replace(tzinfo=None, microsecond=0)

    def tick(self) -> list[JobRun]:
        """Run every job whose slot is due, one after the other."""
        runs = []
        for job, slot in self.due():
            late = self.clock.now().astimezone(UTC).replace(tzinfo=None) - slot
            runs.append(run_recorded(
                self.db, job.name, lambda job=job: job.work(self._context()),
                trigger="schedule" if late <= ON_TIME else "catch-up", slot=slot,
                now=self._utc_now))
        return runs

    def run_now(self, name: str, requested_by: str) -> JobRun:
        """Run one job by hand (the Data page's "Run now"); its schedule is unchanged."""
        job = self.job(name)
        return run_recorded(self.db, job.name, lambda: job.work(self._context()),
                            trigger="manual", requested_by=requested_by, now=self._utc_now)

    def job(self, name: str) -> Job:
        for job in self.jobs:
            if job.name == name:
                return job
        raise KeyError(f"no job {name!r}")

    # --- in the server ------------------------------------------------------------------
    def start(self, before_first_tick: Callable[[], object] | None = None) -> None:
        """Mark runs a killed server left behind, then tick in a background thread, the
        first time once ``before_first_tick`` returns."""
        mark_interrupted(self.db, self._utc_now())
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, args=(before_first_tick,),
                                        name="aims-jobs", daemon=True)
        self._thread.start()

    def _loop(self, before_first_tick: Callable[[], object] | None) -> None:
        if before_first_tick is not None:
            before_first_tick()
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # the database may be closing; try again next time
                LOG.exception("scheduler tick failed")
            self._stop.wait(self.poll_seconds)

    def stop(self, timeout: float = 120.0) -> bool:
        """Stop after the running job (if any) finishes; False if it outlasted ``timeout``."""
        self._stop.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        stopped = not self._thread.is_alive()
        self._thread = None
        return stopped

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
