"""What one run of a page costs on the server, measured through Streamlit's AppTest.

A :class:`Visitor` keeps one AppTest session per database (as one person moving between
pages) and measures each run it makes:

- server time: from the script's start to its end, as the script runner reports them (the
  test harness's own parsing of the result is left out);
- bytes sent: the serialised size of every message the run queues for the browser, which
  is what the server writes to the websocket (charts, tables, widget options included);
- DuckDB time: the time spent inside DuckDB (execute and fetch) during the run, so the
  page's own overhead (pandas, Plotly, pickling, Streamlit) shows as the difference.

The hooks are installed with :func:`install`; they wrap AppTest's script runner and the
database's cursors and change nothing else.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import ScriptRunnerEvent
from streamlit.testing.v1 import AppTest, app_test
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from aims_core.storage.database import Database
from aims_core.ui.navigation import all_pages

APP = Path(__file__).resolve().parents[1] / "app.py"
_STOPPED = {ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS,
            ScriptRunnerEvent.SCRIPT_STOPPED_WITH_COMPILE_ERROR}


@dataclass
class PageRun:
    server_s: float
    bytes_sent: int
    duckdb_s: float
    error: str | None = None


@dataclass
class _Recorder:
    """Collects one run's events (the runner calls it from the script thread)."""

    started: float | None = None
    stopped: float | None = None
    messages: list[Any] = field(default_factory=list)
    duckdb_s: float = 0.0

    def reset(self) -> None:
        self.started = self.stopped = None
        self.messages = []
        self.duckdb_s = 0.0

    def on_event(self, sender: object, event: ScriptRunnerEvent, **data: Any) -> None:
        now = time.perf_counter()
        if event == ScriptRunnerEvent.SCRIPT_STARTED and self.started is None:
            self.started = now
        elif event in _STOPPED:
            self.stopped = now
        elif event == ScriptRunnerEvent.ENQUEUE_FORWARD_MSG:
            self.messages.append(data["forward_msg"])


RECORDER = _Recorder()


class _ProbedRunner(LocalScriptRunner):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_event.connect(RECORDER.on_event, weak=False)


class _TimedCursor:
    """A DuckDB cursor whose execute and fetch calls add to the recorder's DuckDB time."""

    _TIMED = frozenset({"execute", "executemany", "sql", "query", "df", "fetchdf", "fetchall",
                        "fetchone", "fetchmany", "fetchnumpy", "fetch_df", "to_arrow_table"})

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._cursor, name)
        if name not in self._TIMED:
            return attribute

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = attribute(*args, **kwargs)
            finally:
                RECORDER.duckdb_s += time.perf_counter() - started
            return self if result is self._cursor else result
        return timed


def install() -> None:
    """Hook AppTest's runner and the database's read cursors (once per process)."""
    if app_test.LocalScriptRunner is _ProbedRunner:
        return
    app_test.LocalScriptRunner = _ProbedRunner
    plain_cursor = Database.cursor
    Database.cursor = lambda self: _TimedCursor(plain_cursor(self))  # type: ignore[method-assign]


class Visitor:
    """One person's session of the app on one database file (``person``: who is picked in
    the sidebar, so pages such as My work show what they would show that person)."""

    def __init__(self, db_path: Path, person: str | None = None) -> None:
        install()
        self.db_path = db_path
        self._at = AppTest.from_file(str(APP), default_timeout=900)
        self._run()  # the default page; opens (and keeps open) the database
        if person:  # picked on a page switched to (AppTest keeps it from there on)
            self._at.switch_page(all_pages()[0].path)
            self._run()
            self._at.sidebar.selectbox(key="identity_name").set_value(person)
            self._run()
            if self._at.session_state["_identity"].name != person:
                raise RuntimeError(f"{person} could not be picked in the sidebar")

    def _run(self) -> PageRun:
        os.environ["AIMS_DB"] = str(self.db_path)
        RECORDER.reset()
        self._at.run()
        error = "; ".join(e.value for e in self._at.exception) or None
        sent = sum(message.ByteSize() for message in RECORDER.messages)
        return PageRun(RECORDER.stopped - RECORDER.started, sent, RECORDER.duckdb_s, error)

    def first_visit(self, page: str) -> PageRun:
        """Open ``page`` with no cached query (as after any save, or a fresh start)."""
        st.cache_data.clear()
        self._at.switch_page(page)
        return self._run()

    def repeat(self) -> PageRun:
        """Rerun the page just opened, its queries now cached."""
        return self._run()

    def save_a_risk(self, text: str) -> PageRun:
        """On the Risks page as the visitor's person: edit the first row's treatment plan
        (their own risk, listed first) to ``text`` and press Save; the run measured is the
        save and the page redrawn after it."""
        at = self._at
        at.switch_page("pages/risks.py")
        self._run()
        epoch = at.session_state["_table_risks"]["epoch"]
        at.session_state[f"risks_editor_{epoch}"] = {
            "edited_rows": {0: {"treatment_plan": text}}, "added_rows": [],
            "deleted_rows": []}
        at.button(key="risks_save").click()
        run = self._run()
        if not any("Risk changes saved" in notice.value for notice in at.success):
            run.error = run.error or "the save was not confirmed"
        return run
