"""The server listens before it loads the app (aims_core.readiness): what server.py imports
is light, the start-up thread loads what the first page imports, and the lifespan opens and
closes the database around it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from aims_core import bootstrap, readiness, service
from aims_core.ui.navigation import SECTIONS
from tests.apptest_kit import ROOT


def _imported(script: Path) -> set[str]:
    tree = ast.parse(script.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module.startswith("aims_core."):
            package = ROOT.joinpath(*node.module.split("."))
            found |= {f"{node.module}.{a.name}" if (package / f"{a.name}.py").exists()
                      else node.module for a in node.names}  # a module, or a name in one
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("aims_core.")}
    return found


def test_the_start_up_thread_loads_what_the_first_page_imports() -> None:
    default = next(spec for pages in SECTIONS.values() for spec in pages if spec.default)
    wanted = _imported(ROOT / "app.py") | _imported(ROOT / default.path)
    assert wanted - {"aims_core.readiness"} <= set(readiness.FIRST_PAGE_MODULES)


def test_server_py_imports_no_data_library_before_it_listens() -> None:
    probe = ("import sys, server; heavy = [m for m in ('pandas', 'pyarrow', 'duckdb', "
             "'aims_core.api.routes', 'aims_core.service') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_waiting_returns_at_once_when_no_server_is_getting_ready() -> None:
    readiness.wait()  # AppTest and `streamlit run app.py`: nothing to wait for


def test_lifespan_opens_the_database_behind_the_start_and_closes_it(
        empty_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text("[jobs]\nenabled = false\n")
    monkeypatch.setenv("AIMS_SETTINGS", str(settings))
    bootstrap.close_shared()

    async def serve() -> None:
        async with readiness.lifespan(object()):
            await anyio.to_thread.run_sync(readiness.wait)
            assert bootstrap.shared_database(empty_path).path == empty_path.resolve()

    anyio.run(serve)
    assert service.jobs_problem() == "scheduled jobs are off ([jobs] enabled = false)"
    bootstrap.open_database(empty_path).close()  # closed again: another program may open it
