"""User text is text everywhere: every page, with every name, title, person and author of
the demo replaced by markdown and HTML payloads (links, images, bold, headings, LaTeX,
colour directives, scripts, entities), renders them literally.

Every string a page sends to the browser for Markdown rendering (bodies, labels, help,
options of radios, tab and expander labels, metric labels and values, column help) and
every string of its Plotly figures and HTML charts (which understand HTML, not Markdown)
is searched for
the raw payloads: none may appear; the escaped form must appear, so the test sees the
payloads it checks. The browser half
(tests/test_browser_user_text.py) checks that no external request is made.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from aims_core.bootstrap import init_database
from aims_core.ui.navigation import all_pages
from aims_core.ui.text import md_escape
from tests.apptest_kit import ROOT, fresh_caches
from tests.conftest import TODAY
from tests.fuzz_kit import PAYLOADS, SHORT, plant_payloads

# Strings shown as plain text, never as Markdown: options of pickers, typed values.
PLAIN = {("selectbox", "options"), ("multiselect", "options"), ("selectbox", "placeholder"),
         ("multiselect", "placeholder"), ("text_input", "value"), ("text_input", "default"),
         ("text_area", "default"), ("text_area", "value"), ("text_input", "placeholder"),
         ("text_area", "placeholder"), ("selectbox", "raw_value"), ("multiselect", "raw_values")}
RAW = [p for p in (*PAYLOADS, SHORT) if p != md_escape(p)]
HTML = [p for p in RAW if "<" in p or "&" in p]  # what Plotly labels would interpret
ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")  # a backslash-escaped character: shown literally
VISITS = [(spec.path, {}) for spec in all_pages()] + [
    # every AI system's page: the demo's twelve names carry every payload between them
    *(("pages/ai_systems.py", {"system": str(n)}) for n in range(1, 13)),
    ("pages/risks.py", {"risk": "1"}), ("pages/impact_assessments.py", {"assessment": "1"})]


@pytest.fixture(scope="module")
def payload_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("payloads") / "payloads.duckdb"
    with init_database(path, "demo", today=TODAY) as db:
        plant_payloads(db)
    yield path


def _strings(message: object, kind: str, path: str = "") -> Iterator[tuple[str, str]]:
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        for item in values:
            if field.type == field.TYPE_STRING and (kind, field.name) not in PLAIN:
                yield f"{kind}.{path}{field.name}", item
            elif field.type == field.TYPE_MESSAGE:
                yield from _strings(item, kind, f"{path}{field.name}.")


def _json_strings(value: object, path: str = "") -> Iterator[str]:
    """The strings of a figure or column set-up; the options a grid's select cell offers
    (labels and values) are plain text (the grid draws them on its canvas and in a plain
    list)."""
    if isinstance(value, str):
        if not path.endswith(("/type_config/options/label", "/type_config/options/value")):
            yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _json_strings(item, f"{path}/{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item, path)


def shown_strings(node: object) -> Iterator[tuple[str, str]]:
    """Every string of every element under ``node`` the browser may render as markup."""
    proto, kind = getattr(node, "proto", None), getattr(node, "type", "")
    if proto is not None and hasattr(proto, "ListFields"):
        for where, text in _strings(proto, kind):
            if where.endswith(".spec") or where.endswith(".columns"):
                try:
                    yield from ((where, s) for s in _json_strings(json.loads(text)))
                    continue
                except ValueError:
                    pass
            yield where, text
    for child in getattr(node, "children", {}).values():
        yield from shown_strings(child)


def test_no_payload_is_interpreted_on_any_page(payload_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIMS_DB", str(payload_path))
    found_escaped: set[str] = set()
    for page, params in VISITS:
        fresh_caches()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        at.switch_page(page).run()
        at.sidebar.selectbox(key="identity_name").set_value(PAYLOADS[3]).run()
        assert not at.exception, (page, at.exception)
        for where, text in shown_strings(at._tree):
            chart = where.startswith(("plotly_chart", "html"))
            unescaped = text if chart else ESCAPED.sub("", text)  # what Markdown would read
            for payload in HTML if chart else RAW:
                assert payload not in unescaped, f"{page} {params}: {where} shows {payload!r}"
            found_escaped |= {p for p in RAW if md_escape(p) in text or
                              p.replace("<", "&lt;").replace(">", "&gt;") in text}
    fresh_caches()
    assert found_escaped == set(RAW), f"never shown: {set(RAW) - found_escaped}"
