"""The figures of the HTML charts (:mod:`aims_core.ui.html_charts`) read back from a page,
as a person would read them: each cell's count, each bar's segments."""

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


def tags(body: str) -> list[dict[str, str]]:
    parser = _Tagged()
    parser.feed(body)
    return parser.tags


def chart(at: AppTest, attribute: str, nth: int = 0) -> str:
    """The body of the page's ``nth`` HTML element that has an ``attribute``."""
    bodies = [e.proto.body for e in at.get("html") if f"{attribute}=" in e.proto.body]
    return bodies[nth]


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
