"""Shared fixtures: a database per test, on a real DuckDB file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aims_core.auth.actor import Actor
from aims_core.bootstrap import init_database, open_database
from aims_core.storage.database import Database

TODAY = date(2026, 11, 22)
ANA = Actor("Ana")  # the author of the tests' writes


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """An empty organisation (catalogue loaded, no registers)."""
    database = open_database(tmp_path / "aims.duckdb")
    yield database
    database.close()


@pytest.fixture
def demo_db(tmp_path: Path) -> Database:
    """The demo organisation, with its dates shifted to end on TODAY."""
    database = init_database(tmp_path / "demo.duckdb", "demo", today=TODAY)
    yield database
    database.close()
