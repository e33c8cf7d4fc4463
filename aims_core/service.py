"""The running service: the one process that owns the database file.

:mod:`aims_core.readiness` calls it from the server's start-up thread: it opens the
database and starts the scheduler; at shut-down it stops both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aims_core import bootstrap
from aims_core.config import SettingsError, database_path
from aims_core.jobs.daily import daily_jobs, job_settings
from aims_core.jobs.runs import JobRun
from aims_core.jobs.scheduler import Scheduler
from aims_core.storage.database import Database, DatabaseError

LOG = logging.getLogger("aims_core.service")
_state: dict[str, Any] = {"db": None, "scheduler": None, "jobs_problem": None}


def scheduler() -> Scheduler | None:
    """The scheduler of this process, when it runs one (the server does; AppTest does not)."""
    return _state["scheduler"]


def jobs_problem() -> str | None:
    """Why scheduled jobs are not running in this server, if they are not."""
    return _state["jobs_problem"]


def start(db: Database, before_first_tick: Callable[[], object] | None = None
          ) -> Scheduler | None:
    try:
        settings = job_settings()
    except SettingsError as exc:
        _state["jobs_problem"] = f"scheduled jobs are off: {exc}"
        LOG.error(_state["jobs_problem"])
        return None
    if not settings.enabled:
        _state["jobs_problem"] = "scheduled jobs are off ([jobs] enabled = false)"
        return None
    running = Scheduler(db, daily_jobs(settings), settings.zone)
    running.start(before_first_tick)
    _state.update(scheduler=running, jobs_problem=None)
    return running


def stop() -> None:
    running = _state["scheduler"]
    _state["scheduler"] = None
    if running is not None and not running.stop():
        LOG.warning("a job was still running at shut-down; it is recorded as interrupted")


def jobs_of(db: Database) -> Scheduler:
    """The running scheduler, or one built from the settings for a run by hand in a process
    that runs no jobs (e.g. ``streamlit run app.py``)."""
    running = scheduler()
    if running is not None and running.db is db:
        return running
    settings = job_settings()
    return Scheduler(db, daily_jobs(settings), settings.zone)


def run_now(db: Database, name: str, requested_by: str) -> JobRun:
    """Run one daily job by hand (recorded like the scheduled runs)."""
    return jobs_of(db).run_now(name, requested_by)


def open_database() -> None:
    """Open the database (the first start builds the demo); when another program holds the
    file, say so where the jobs' state is shown (the pages say it too)."""
    try:
        _state["db"] = bootstrap.shared_database(database_path())
    except DatabaseError as exc:
        LOG.error("%s", exc)
        _state["jobs_problem"] = f"scheduled jobs are off: {exc}"


def start_jobs(before_first_tick: Callable[[], object] | None = None) -> None:
    """Start the scheduler on the open database; it runs a daily job whose slot was missed
    once ``before_first_tick`` returns."""
    if _state["db"] is not None:
        start(_state["db"], before_first_tick)


def shut_down() -> None:
    """Let a running job finish, stop the scheduler and close the file so the command line
    can use it."""
    stop()
    _state["db"] = None
    bootstrap.close_shared()
