"""What AppTest page tests share: the app run through its router, a page opened as a person.

Fixtures ``demo_path`` and ``empty_path`` (conftest.py) point the app at a fresh database.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from aims_core.bootstrap import close_shared, generate_into, init_database

ROOT = Path(__file__).resolve().parents[1]


def fresh_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
    close_shared()


def point_at_generated(path: Path, systems: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Generate an organisation of ``systems`` AI systems at ``path`` and point the app at
    it (fresh caches)."""
    db = init_database(path, "empty")
    generate_into(db, systems)
    db.close()
    monkeypatch.setenv("AIMS_DB", str(path))
    fresh_caches()
    return path


def run_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def open_page(page: str, name: str | None) -> AppTest:
    """Run the app, go to ``page`` and, if ``name`` is given, pick it as the user (personal
    mode: they act with every right). A name not in the people directory is added first."""
    if name:
        _ensure_person(name)
    at = run_app()
    at.switch_page(page).run()
    if name:
        at.sidebar.selectbox(key="identity_name").set_value(name).run()
    assert not at.exception, at.exception
    return at


def _ensure_person(name: str) -> None:
    from aims_core.auth import people
    from aims_core.ui.session import get_db

    db = get_db()
    if people.by_name(db, name) is None:
        with db.transaction() as cur:  # test set-up, outside the change history
            cur.execute("INSERT INTO people SELECT coalesce(max(id), 0) + 1, ?, NULL, TRUE, "
                        "'contributor', 'none', 1 FROM people", [name])


def shown(markdown: str) -> str:
    """An element's text as the reader sees it (the escapes of md_escape removed)."""
    return re.sub(r"\\(.)", r"\1", markdown)
