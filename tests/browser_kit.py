"""What browser tests share: a Streamlit server on a free port over a demo database of its
own, Debian's chromium through Playwright, and waiting for the app the way a person would.

Fixtures (``server``, ``browser``, ``page``) are in conftest.py; tests import the helpers.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@dataclass
class Server:
    url: str
    db_path: Path  # held by the server while it runs; read it after stop()
    process: subprocess.Popen
    before: Path  # a copy of the database as the server found it, readable at any time

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db_path: Path, log: Path, *, secrets: Path | None = None,
                 env: dict[str, str] | None = None, script: Path = ROOT / "server.py",
                 poll: float = 0.3, settled: bool = True) -> Server:
    """``server.py`` as ``make run`` starts it: the pages, the API and the scheduled jobs
    (another ``script``, e.g. a bare page for the start-up benchmark, runs alone).

    ``secrets``: a secrets.toml of the test's own (sign-in, and the service's [jobs],
    [backups], [smtp], [api] settings). Ready once the jobs it catches up at start-up have
    finished, so that no job writes while a test clicks through the pages; with
    ``settled=False`` (and for another script) ready once Streamlit's health check, asked
    every ``poll`` seconds, answers: when a browser could first load the page."""
    port = free_port()
    env = {**os.environ, "AIMS_DB": str(db_path),
           **({"AIMS_SETTINGS": str(secrets)} if secrets else {}), **(env or {})}
    before = db_path.with_name(f"before-{db_path.name}")
    if db_path.exists():
        shutil.copyfile(db_path, before)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1",
         "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
         *([f"--secrets.files={secrets}"] if secrets else [])],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if _ready(url, settled and script.name == "server.py"):
                return Server(url, db_path, process, before)
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(poll)
    process.kill()
    raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")


def _ready(url: str, settled: bool) -> bool:
    if not settled:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
            return reply.read().decode().strip() == "ok"
    with urllib.request.urlopen(f"{url}/api/v1/health", timeout=5) as reply:
        return _jobs_settled(json.loads(reply.read())["jobs"])


def _jobs_settled(jobs: dict) -> bool:
    """Jobs off, or each daily job's catch-up run finished."""
    if not jobs["running"]:
        return True
    last = jobs["last"]
    return len(last) == 3 and all(run["outcome"] != "running" for run in last.values())


def settle(page: object) -> None:
    """Wait until the app is connected and its script has finished running."""
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']",
                           timeout=60_000)
    # A rerun triggered just before may not have started yet: give it time to begin.
    page.wait_for_timeout(600)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                           timeout=60_000)


def press(page: object, button: str, outcome: str) -> None:
    """Click a button and wait for the alert that reports its outcome, then for the rerun."""
    page.get_by_role("button", name=button).click()
    page.locator("[data-testid='stAlert']", has_text=outcome).wait_for(timeout=30_000)
    settle(page)


def pick_identity(page: object, name: str) -> None:
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input")
    box.click()
    box.fill(name)
    box.press("Enter")
    settle(page)


def until(page: object, act: Callable[[], None], selector: str, tries: int = 5) -> None:
    """Repeat ``act`` until ``selector`` is in the page: the grid sometimes takes the first
    click or key only as focus."""
    for _ in range(tries):
        act()
        try:
            page.wait_for_selector(selector, state="attached", timeout=3_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"{selector} never appeared after {tries} tries")
