"""The figures of the plain HTML charts and tables (:mod:`aims_core.ui.plain_html`) read
back from a page, as a person would read them: each cell's count, each bar's segments, each
table row's texts."""

from __future__ import annotations

from html.parser import HTMLParser

from streamlit.testing.v1 import AppTest


class _Tagged(HTMLParser):
    """Every start tag's attributes, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append({name: value or "" for name, value in attrs})


class _Cells(HTMLParser):
    """Each table row's cell texts (header rows too)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_data(self, data: str) -> None:
        if self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def table_rows(body: str) -> list[dict[str, str]]:
    """A table's rows, each as {heading: text}."""
    parser = _Cells()
    parser.feed(body)
    head, *rows = parser.rows
    return [dict(zip(head, row, strict=True)) for row in rows]


def tags(body: str) -> list[dict[str, str]]:
    parser = _Tagged()
    parser.feed(body)
    return parser.tags


def chart(at: AppTest, marker: str, nth: int = 0) -> str:
    """The body of the page's ``nth`` HTML element holding ``marker`` (an attribute's name,
    a heading)."""
    return [e.proto.body for e in at.get("html") if marker in e.proto.body][nth]


def matrix_cells(body: str) -> dict[tuple[int, int], int]:
    """(likelihood, impact) → risks, for every cell of a risk matrix."""
    return {(int(t["data-likelihood"]), int(t["data-impact"])): int(t["data-risks"])
            for t in tags(body) if "data-likelihood" in t}


def bar_counts(body: str, status: str) -> list[int]:
    """The count of ``status`` in each bar, top to bottom (0 where it has no segment)."""
    counts: list[int] = []
    for t in tags(body):
        if "data-row" in t:
            counts.append(0)
        elif t.get("data-status") == status:
            counts[-1] = int(t["data-count"])
    return counts
