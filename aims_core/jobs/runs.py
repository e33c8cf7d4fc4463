"""The record of every job run (``job_runs``): started, finished, outcome, message.

Scheduled runs, runs started by hand and operations such as a restore are recorded the
same way, so the Data page and ``/api/v1/health`` read one history. A run left ``running``
by a server that was killed is marked ``interrupted`` when the next one starts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import pandas as pd

from aims_core.storage.database import Database, DatabaseError, utc_now

Trigger = Literal["schedule", "catch-up", "manual", "api"]
Outcome = Literal["running", "ok", "failed", "interrupted"]
LOG = logging.getLogger("aims_core.jobs")
_ONE_AT_A_TIME = threading.Lock()  # a process runs one job at a time (backups, snapshots)


class JobFailed(RuntimeError):
    """A job that ran but could not do its work; the message is recorded as the outcome."""


@dataclass(frozen=True)
class JobRun:
    id: int
    job: str
    trigger: Trigger
    scheduled_for: datetime | None
    started_at: datetime
    finished_at: datetime | None
    outcome: Outcome
    message: str


def _started(db: Database, job: str, trigger: Trigger, slot: datetime | None,
             requested_by: str | None, when: datetime) -> int:
    with db.transaction() as cur:
        run_id = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM job_runs").fetchone()[0]
        cur.execute("INSERT INTO job_runs VALUES (?, ?, ?, ?, ?, NULL, 'running', NULL, ?)",
                    [run_id, job, trigger, slot, when, requested_by])
    return run_id


def _finished(db: Database, run_id: int, outcome: Outcome, message: str,
              when: datetime) -> None:
    with db.transaction() as cur:
        cur.execute("UPDATE job_runs SET finished_at = ?, outcome = ?, message = ? WHERE id = ?",
                    [when, outcome, message[:4000], run_id])


def run_recorded(db: Database, job: str, work: Callable[[], str], *, trigger: Trigger,
                 slot: datetime | None = None, requested_by: str | None = None,
                 now: Callable[[], datetime] = utc_now) -> JobRun:
    """Run ``work`` (returns a one-line summary) and record it; never raises for the work's
    own failure, which becomes outcome ``failed`` with its message."""
    with _ONE_AT_A_TIME:
        started = now()
        run_id = _started(db, job, trigger, slot, requested_by, started)
        try:
            outcome, message = "ok", work()
        except (JobFailed, DatabaseError) as exc:  # messages phrased for people
            outcome, message = "failed", str(exc)
        except Exception as exc:  # a job must never take the server down
            LOG.exception("job %s failed", job)
            outcome, message = "failed", f"{type(exc).__name__}: {exc}"
        finished = now()
        _finished(db, run_id, outcome, message, finished)
    LOG.info("job %s (%s): %s — %s", job, trigger, outcome, message)
    return JobRun(run_id, job, trigger, slot, started, finished, outcome, message)


def mark_interrupted(db: Database, now: datetime | None = None) -> int:
    """Runs left ``running`` by a server that stopped mid-way; returns how many."""
    with db.transaction() as cur:
        count = cur.execute("SELECT count(*) FROM job_runs WHERE outcome = 'running'")\
            .fetchone()[0]
        cur.execute("UPDATE job_runs SET outcome = 'interrupted', finished_at = ?, message = "
                    "'The server stopped while this ran; nothing it did was half-written.' "
                    "WHERE outcome = 'running'", [now or utc_now()])
    return count


def slot_runs(db: Database, job: str, slot: datetime) -> list[tuple[str, datetime | None]]:
    """(outcome, finished_at) of the scheduled runs of ``job`` for one slot, oldest first."""
    return db.query_rows("SELECT outcome, finished_at FROM job_runs WHERE job = ? AND "
                         "scheduled_for = ? AND trigger IN ('schedule', 'catch-up') "
                         "ORDER BY id", [job, slot])


def recent_runs(db: Database, limit: int = 50, job: str | None = None) -> pd.DataFrame:
    """The latest runs, newest first."""
    return db.query_df("SELECT job, trigger, scheduled_for, started_at, finished_at, outcome, "
                       "message, requested_by FROM job_runs WHERE $job IS NULL OR job = $job "
                       "ORDER BY id DESC LIMIT $limit", {"job": job, "limit": limit})


def latest_per_job(db: Database) -> dict[str, JobRun]:
    """Each job's most recent run."""
    rows = db.query_rows("SELECT id, job, trigger, scheduled_for, started_at, finished_at, "
                         "outcome, coalesce(message, '') FROM job_runs "
                         "QUALIFY row_number() OVER (PARTITION BY job ORDER BY id DESC) = 1")
    return {row[1]: JobRun(*row) for row in rows}
