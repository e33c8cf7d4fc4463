"""The frozen pack's exports, opened as their readers would: the HTML parsed (every section,
inline SVG charts, nothing fetched from outside, user text escaped), the PDF read back with
pypdf (pages and text), the Excel workbook opened with openpyxl."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser

import openpyxl
import pypdf

from aims_core.auth.actor import Actor
from aims_core.management_review import pack_export, reviews
from aims_core.management_review.sections import SECTIONS
from aims_core.storage.database import Database
from aims_core.storage.spreadsheets import defuse


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[str] = []
        self.sources: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if tag == "section" and found.get("id"):
            self.ids.append(found["id"])
        for name in ("src", "href"):
            if found.get(name) and not str(found[name]).startswith("#"):
                self.sources.append(str(found[name]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _demo_pack(demo_db: Database) -> dict:
    signed = int(demo_db.scalar("SELECT id FROM management_reviews WHERE status = 'signed'"))
    return reviews.pack(demo_db, signed)


def test_the_html_pack_holds_every_section_and_opens_offline(demo_db: Database) -> None:
    pack = _demo_pack(demo_db)
    pack["sections"][0]["discussion"] = "<script>alert(1)</script> **bold**"
    page = _Page()
    page.feed(pack_export.to_html(pack))
    assert page.ids == [s.code for s in SECTIONS] + ["results"]
    assert "svg" in page.tags and "script" not in page.tags and "img" not in page.tags
    assert page.sources == []  # no stylesheet, image or script from anywhere
    text = " ".join(page.text)
    assert "<script>alert(1)</script> **bold**" in text  # shown as typed, not run
    for decision in pack["decisions"]:
        assert decision["decision"] in text
    assert "Book the stage 1 certification audit" in text


def test_the_pdf_pack_has_a_page_per_section_and_its_text(demo_db: Database) -> None:
    pack = _demo_pack(demo_db)
    reader = pypdf.PdfReader(io.BytesIO(pack_export.to_pdf(pack)))
    assert len(reader.pages) >= len(SECTIONS) + 2
    text = " ".join(page.extract_text() for page in reader.pages)
    for section in SECTIONS:
        assert section.title in text
    assert "Aldwick Finance Ltd" in text and "Results (9.3.3)" in text
    assert pack["review"]["conclusion"].split(".")[0] in text.replace("\n", " ")


def test_the_workbook_holds_the_decisions_and_actions(demo_db: Database) -> None:
    pack = _demo_pack(demo_db)
    book = openpyxl.load_workbook(io.BytesIO(pack_export.to_workbook(pack)))
    assert book.sheetnames == ["Decisions and actions", "Inputs and notes", "Review"]
    title, header, *rows = book["Decisions and actions"].iter_rows(values_only=True)
    assert title[0].startswith(f"{pack['organisation']} · Decisions and actions · exported")
    assert header == tuple(pack_export.DECISION_COLUMNS)
    actions = [a["title"] for d in pack["decisions"] for a in d["actions"]]
    assert sorted(r[2] for r in rows) == sorted(actions)
    assert len(list(book["Inputs and notes"].iter_rows())) == len(SECTIONS) + 2


def test_a_formula_typed_into_a_decision_is_defused_in_the_workbook(demo_db: Database) -> None:
    planned = int(demo_db.scalar("SELECT id FROM management_reviews WHERE status = 'planned'"))
    result = reviews.record_decision(demo_db, Actor("Sarah Klein"), planned, "other",
                                     "=HYPERLINK(\"http://x\")", None)
    assert result.ok
    review = reviews.one(demo_db, planned)
    pack = json.loads(json.dumps(reviews.build_pack(demo_db, review, review["review_date"])))
    book = openpyxl.load_workbook(io.BytesIO(pack_export.to_workbook(pack)))
    cells = [r[1] for r in book["Decisions and actions"].iter_rows(values_only=True)]
    typed = '=HYPERLINK("http://x")'
    assert defuse(typed) in cells and typed not in cells
