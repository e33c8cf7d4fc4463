"""Shared fixtures: a database per test, on a real DuckDB file; for page tests the app pointed
at a fresh demo or empty database (tests/apptest_kit.py); for browser tests a server of their
own and Debian's chromium (tests/browser_kit.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from aims_core.auth.actor import Actor
from aims_core.bootstrap import init_database, open_database
from aims_core.storage.database import Database
from tests.apptest_kit import fresh_caches

TODAY = date(2026, 11, 22)
ANA = Actor("Ana")  # the author of the tests' writes (acts as an Admin)
DEMO_ADMIN = Actor("Sarah Klein")  # the demo's Admin, in its people directory
# The people every test on an empty organisation may name, with their app roles.
BROWSER_TESTER = "Browser Tester"  # in the browser tests' demo directory
TEST_PEOPLE = {"Ana": "admin", "Ben": "aims_manager", "Bo": "contributor", "Cleo": "contributor"}


def seed_test_people(database: Database) -> None:
    """Add the test people directly (test set-up: the change history stays empty)."""
    with database.transaction() as cur:
        for number, (name, role) in enumerate(TEST_PEOPLE.items(), 1):
            cur.execute("INSERT INTO people VALUES (?, ?, ?, TRUE, ?, 'local', 1)",
                        [number, name, f"{name.lower()}@example.com", role])


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """An empty organisation (catalogue loaded, no registers) with the test people."""
    database = open_database(tmp_path / "aims.duckdb")
    seed_test_people(database)
    yield database
    database.close()


@pytest.fixture
def demo_db(tmp_path: Path) -> Database:
    """The demo organisation, with its dates shifted to end on TODAY."""
    database = init_database(tmp_path / "demo.duckdb", "demo", today=TODAY)
    yield database
    database.close()


@pytest.fixture
def demo_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "demo.duckdb"
    init_database(path, "demo", today=TODAY).close()
    monkeypatch.setenv("AIMS_DB", str(path))
    fresh_caches()
    yield path
    fresh_caches()


@pytest.fixture
def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "empty.duckdb"
    database = init_database(path, "empty")
    seed_test_people(database)
    database.close()
    monkeypatch.setenv("AIMS_DB", str(path))
    fresh_caches()
    yield path
    fresh_caches()


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from tests.browser_kit import CHROMIUM, start_server

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/ensure-chromium (make test does)")
    tmp = tmp_path_factory.mktemp("browser")  # a fresh server and database per test
    db_path = tmp / "aims.duckdb"
    database = init_database(db_path, "demo")
    with database.transaction() as cur:  # the person browser tests pick in the sidebar
        cur.execute("INSERT INTO people SELECT max(id) + 1, ?, NULL, TRUE, 'contributor', "
                    "'none', 1 FROM people", [BROWSER_TESTER])
    database.close()
    running = start_server(db_path, tmp / "streamlit.log")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    from tests.browser_kit import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    opened = context.new_page()
    yield opened
    context.close()
