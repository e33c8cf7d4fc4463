"""The frozen review pack as files to hand the auditor: one self-contained HTML page (charts
inline as SVG, no script, opens offline), a PDF (fpdf2 with the bundled DejaVu font, pure
Python) and an Excel workbook of the decisions and actions.

Every renderer reads only the pack's JSON (reviews.build_pack), so each file shows what
was frozen at sign-off, however the registers have moved on since.
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from aims_core.management_review.svg import chart_svg
from aims_core.storage.spreadsheets import to_workbook_bytes

FONTS = Path(__file__).parent / "fonts"
PDF_MAX_ROWS = 25  # rows per table in the PDF (laying out long tables is slow); HTML has all
_YES_NO = {True: "Yes", False: "No", None: "Not answered"}

_CSS = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; margin: 2rem auto; max-width: 60rem;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.8rem; } h2 { border-top: 2px solid #0072B2; padding-top: .8rem;
       margin-top: 2.4rem; } h3 { font-size: 1.05rem; margin-bottom: .3rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #bbb; padding: .25rem .45rem; text-align: left;
         vertical-align: top; } th { background: #eef3f8; }
.facts td:first-child { width: 60%; } .clause { color: #555; font-weight: normal; }
.notes { background: #f6f6f6; border-left: 4px solid #0072B2; padding: .5rem .8rem;
         white-space: pre-wrap; } .missing { border-left-color: #D55E00; }
figure { margin: .6rem 0 1rem; } .meta td:first-child { width: 30%; font-weight: bold; }
"""


def file_stem(pack: dict[str, Any]) -> str:
    return f"management-review-{pack['review']['review_date']}"


# --- HTML ----------------------------------------------------------------------------------
def _html_table(columns: list[str], rows: list[list[str]], css: str = "") -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _html_section(section: dict[str, Any]) -> str:
    parts = [f'<section id="{escape(section["code"])}"><h2>{escape(section["title"])} '
             f'<span class="clause">({escape(section["clause"])})</span></h2>',
             f"<p>{escape(section['asks'])}</p>"]
    if section.get("missing"):
        parts.append(f'<p class="notes missing">{escape(section["missing"])}</p>')
    if section["facts"]:
        parts.append(_html_table(["Figure", "Value"], section["facts"], "facts"))
    for chart in section["charts"]:
        parts.append(f"<figure>{chart_svg(chart)}</figure>")
    for t in section["tables"]:
        parts.append(f"<h3>{escape(t['title'])}</h3>")
        parts.append(_html_table(t["columns"], t["rows"]) if t["rows"]
                     else f"<p>{escape(t['empty'])}</p>")
        if t.get("note"):
            parts.append(f"<p><em>{escape(t['note'])}</em></p>")
    for note in section["notes"]:
        parts.append(f"<p><em>{escape(note)}</em></p>")
    discussed = "Discussed" if section.get("discussed") else "Not marked as discussed"
    parts.append(f"<h3>Discussion notes ({discussed})</h3>")
    parts.append(f'<p class="notes">{escape(section.get("discussion") or "No notes recorded.")}'
                 "</p>")
    return "".join(parts) + "</section>"


def _meta_rows(pack: dict[str, Any]) -> list[list[str]]:
    review = pack["review"]
    present = [a["person"] + (f" ({a['capacity']})" if a.get("capacity") else "")
               for a in pack["attendees"] if a.get("attended") is not False]
    return [["Organisation", pack.get("organisation") or ""],
            ["Review date", review["review_date"]], ["Chair", review.get("chair") or ""],
            ["Attendees", ", ".join(present) or review.get("attendees") or ""],
            ["Scope", review.get("scope") or ""], ["Period covered", pack["period_label"]],
            ["Signed off", f"{review.get('signed_by') or ''} on {review.get('signed_on') or ''}"]]


def _conclusion_rows(review: dict[str, Any]) -> list[list[str]]:
    return [["The AIMS remains suitable", _YES_NO[review.get("aims_suitable")]],
            ["The AIMS remains adequate", _YES_NO[review.get("aims_adequate")]],
            ["The AIMS remains effective", _YES_NO[review.get("aims_effective")]],
            ["Reasons", review.get("conclusion") or ""]]


def decision_rows(pack: dict[str, Any]) -> list[list[str]]:
    return [[d["type"], d["decision"], a["title"], a["owner"], a["due_on"] or "", a["status"]]
            for d in pack["decisions"] for a in (d["actions"] or [{"title": "", "owner": "",
                                                                  "due_on": "", "status": ""}])]


DECISION_COLUMNS = ["Kind", "Decision", "Action", "Owner", "Due", "Status at sign-off"]


def to_html(pack: dict[str, Any]) -> str:
    """One self-contained HTML page of the whole pack."""
    title = f"Management review of {pack['review']['review_date']}"
    body = [f"<h1>{escape(title)}</h1>",
            f"<p>{escape(pack.get('organisation') or '')}: ISO/IEC 42001 clause 9.3. Frozen at "
            "sign-off; later changes to the registers do not alter it.</p>",
            _html_table(["", ""], _meta_rows(pack), "meta"),
            "<h2>Contents</h2><ol>" + "".join(
                f'<li><a href="#{escape(s["code"])}">{escape(s["clause"])} '
                f'{escape(s["title"])}</a></li>' for s in pack["sections"])
            + '<li><a href="#results">Results (9.3.3)</a></li></ol>',
            *[_html_section(s) for s in pack["sections"]],
            '<section id="results"><h2>Results (9.3.3)</h2><h3>Decisions and actions</h3>',
            _html_table(DECISION_COLUMNS, decision_rows(pack)) if pack["decisions"]
            else "<p>No decision was recorded.</p>",
            "<h3>Conclusion on the AIMS</h3>",
            _html_table(["", ""], _conclusion_rows(pack["review"]), "meta"), "</section>"]
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
            + "".join(body) + "</body></html>")


# --- PDF -----------------------------------------------------------------------------------
class _PackPdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.title_text = title
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(title)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 6, f"{self.title_text} · page {self.page_no()}/{{nb}}", align="C")


def _pdf_text(pdf: FPDF, text: str, size: float = 10, bold: bool = False,
              height: float = 5.5) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _pdf_table(pdf: FPDF, columns: list[str], rows: list[list[str]]) -> None:
    pdf.set_font("DejaVu", size=8)
    with pdf.table(headings_style=FontFace(emphasis="BOLD", fill_color=(238, 243, 248)),
                   line_height=4.5, text_align="LEFT") as grid:
        grid.row(columns)
        for row in rows:
            grid.row([str(v) for v in row])
    pdf.ln(2)


def _pdf_chart(pdf: FPDF, chart: dict[str, Any]) -> None:
    svg = chart_svg(chart, font="DejaVu").encode()
    pdf.image(io.BytesIO(svg), w=170)
    pdf.ln(2)


def to_pdf(pack: dict[str, Any]) -> bytes:
    """The pack as a PDF: the same sections, tables, charts, notes and results."""
    title = f"Management review of {pack['review']['review_date']}"
    pdf = _PackPdf(title)
    pdf.add_page()
    _pdf_text(pdf, title, 18, bold=True, height=9)
    _pdf_text(pdf, f"{pack.get('organisation') or ''}: ISO/IEC 42001 clause 9.3. Frozen at "
                   "sign-off.")
    pdf.ln(2)
    _pdf_table(pdf, ["", ""], _meta_rows(pack))
    for section in pack["sections"]:
        pdf.add_page()
        _pdf_text(pdf, f"{section['clause']} {section['title']}", 14, bold=True, height=8)
        _pdf_text(pdf, section["asks"])
        if section.get("missing"):
            _pdf_text(pdf, section["missing"])
        if section["facts"]:
            _pdf_table(pdf, ["Figure", "Value"], section["facts"])
        for chart in section["charts"]:
            _pdf_chart(pdf, chart)
        for t in section["tables"]:
            _pdf_text(pdf, t["title"], 10, bold=True)
            if t["rows"]:
                _pdf_table(pdf, t["columns"], t["rows"][:PDF_MAX_ROWS])
            else:
                _pdf_text(pdf, t["empty"], 9)
            if len(t["rows"]) > PDF_MAX_ROWS:
                _pdf_text(pdf, f"{PDF_MAX_ROWS} of {t['total']:,} shown here; the HTML pack "
                               f"holds {len(t['rows'])} and the register all of them.", 8)
            elif t.get("note"):
                _pdf_text(pdf, t["note"], 8)
        for note in section["notes"]:
            _pdf_text(pdf, note, 9)
        discussed = "Discussed" if section.get("discussed") else "Not marked as discussed"
        _pdf_text(pdf, f"Discussion notes ({discussed})", 10, bold=True)
        _pdf_text(pdf, section.get("discussion") or "No notes recorded.", 9)
    pdf.add_page()
    _pdf_text(pdf, "Results (9.3.3)", 14, bold=True, height=8)
    _pdf_text(pdf, "Decisions and actions", 10, bold=True)
    if pack["decisions"]:
        _pdf_table(pdf, DECISION_COLUMNS, decision_rows(pack))
    else:
        _pdf_text(pdf, "No decision was recorded.", 9)
    _pdf_text(pdf, "Conclusion on the AIMS", 10, bold=True)
    _pdf_table(pdf, ["", ""], _conclusion_rows(pack["review"]))
    return bytes(pdf.output())


# --- Excel ---------------------------------------------------------------------------------
def to_workbook(pack: dict[str, Any]) -> bytes:
    """Decisions and actions, the notes per input and the conclusion, one sheet each."""
    decisions = pd.DataFrame(decision_rows(pack), columns=DECISION_COLUMNS)
    notes = pd.DataFrame([[f"{s['clause']} {s['title']}", "Yes" if s.get("discussed") else "No",
                           s.get("discussion") or ""] for s in pack["sections"]],
                         columns=["Input", "Discussed", "Notes"])
    summary = pd.DataFrame(_meta_rows(pack) + _conclusion_rows(pack["review"]),
                           columns=["Item", "Value"])
    return to_workbook_bytes({"Decisions and actions": decisions, "Inputs and notes": notes,
                              "Review": summary}, organisation=pack.get("organisation"))
