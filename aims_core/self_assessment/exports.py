"""A finished session as an auditor reads it: an Excel workbook (answers, scores, gaps,
roadmap) and one self-contained HTML report whose charts open offline (Plotly's script is
embedded once; every text is escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from aims_core.management_system import organisation
from aims_core.self_assessment import bank, roadmap, scoring, sessions
from aims_core.self_assessment.registers import RESPONSES, SESSION_STATUSES
from aims_core.storage import spreadsheets
from aims_core.storage.database import Database


def answers_sheet(db: Database, session_id: int) -> pd.DataFrame:
    """Every question of the session in order, answered or not."""
    session = _session(db, session_id)
    questions = bank.load(int(session["bank_version"])).for_mode(session["mode"])
    given = sessions.answers(db, session_id).set_index("question_id")
    rows = []
    for q in questions:
        a = given.loc[q.id] if q.id in given.index else None
        response = None if a is None or pd.isna(a["response"]) else a["response"]
        rows.append({
            "Question": q.id, "Requirement": q.requirement_id, "Asked": q.text,
            "Answer": RESPONSES.get(response, "Not answered"),
            "Level": None if a is None or pd.isna(a["level"]) else int(a["level"]),
            "Note": None if a is None else _text(a["note"]),
            "Evidence link": None if a is None else _text(a["evidence_link"]),
            "Suggested level": None if a is None or pd.isna(a["suggested_level"])
            else int(a["suggested_level"]),
            "Why suggested": None if a is None else _text(a["suggestion_reason"]),
            "Answered by": None if a is None else _text(a["answered_by"]),
            "Answered on": None if a is None or pd.isna(a["answered_on"])
            else a["answered_on"]})
    return pd.DataFrame(rows)


def scores_sheet(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Requirement": frame["requirement_id"], "Title": frame["title"],
        "Kind": frame["kind"].map({"clause": "Clause", "objective": "Annex A objective"}),
        "Score": frame["score"], "Questions": frame["questions"],
        "Answered with a level": frame["answered"], "Don't know": frame["dont_know"],
        "Not applicable": frame["not_applicable"], "Target": frame["target"],
        "Weight": frame["weight"], "Gap": frame["gap"], "Gap rank": frame["gap_rank"]})


def roadmap_sheet(db: Database, session_id: int) -> pd.DataFrame:
    steps = roadmap.steps(db, session_id)
    return pd.DataFrame({
        "Step": steps["step_no"], "Closes": steps["requirement_id"] + " "
        + steps["requirement_title"], "Step title": steps["title"], "Gap": steps["gap"],
        "Owner": steps["owner"], "Due on": steps["due_on"], "Actions": steps["actions"],
        "Risks": steps["risks"]})


def workbook(db: Database, session_id: int) -> bytes:
    """The Excel workbook: the session, answers, scores per requirement, gaps, roadmap."""
    frame = scoring.scores(db, session_id)
    session = _session(db, session_id)
    about = pd.DataFrame({"Field": ["Session", "Held on", "Mode", "Question bank version",
                                    "Facilitator", "Participants", "Other participants",
                                    "Scope note", "Status", "Finished on", "Overall score"],
                          "Value": [session["title"], session["held_on"],
                                    bank.MODE_NAMES[session["mode"]],
                                    session["bank_version"], session["facilitator"],
                                    session["participants"], session["other_participants"],
                                    session["scope_note"],
                                    SESSION_STATUSES[session["status"]],
                                    session["finished_on"], session["overall_score"]]})
    about["Value"] = [None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
                      for v in about["Value"]]
    return spreadsheets.to_workbook_bytes({
        "Session": about, "Answers": answers_sheet(db, session_id),
        "Scores": scores_sheet(frame),
        "Areas": scoring.area_scores(frame).rename(columns={
            "area": "Clause or objective", "label": "Title", "kind": "Kind", "score": "Score",
            "requirements": "Requirements", "scored": "Scored"}),
        "Gaps": scores_sheet(scoring.top_gaps(frame, limit=10_000)),
        "Roadmap": roadmap_sheet(db, session_id)}, organisation=organisation.name(db))


def html_report(db: Database, session_id: int, figures: Sequence[go.Figure],
                comparison: pd.DataFrame | None = None) -> str:
    """One HTML page that opens offline: the session, its charts, gaps, comparison with the
    previous finished session, roadmap and answers."""
    session = _session(db, session_id)
    frame = scoring.scores(db, session_id)
    counts = scoring.counts(frame)
    charts = "\n".join(f.to_html(full_html=False, include_plotlyjs=False,
                                 config={"displayModeBar": False}) for f in figures)
    overall = session["overall_score"]
    facts = [("Held on", f"{session['held_on']:%d %b %Y}"),
             ("Mode", bank.MODE_NAMES[session["mode"]]),
             ("Facilitator", session["facilitator"]),
             ("Participants", session["participants"] or "—"),
             ("Status", SESSION_STATUSES[session["status"]]),
             ("Overall score", "—" if pd.isna(overall) else f"{overall:.2f} of 5"),
             ("Answered", f"{counts.answered} with a level, {counts.dont_know} don't know, "
                          f"{counts.not_applicable} not applicable, of {counts.questions}")]
    sections = [
        "<h2>Largest gaps</h2>" + _table(scores_sheet(scoring.top_gaps(frame))),
        "<h2>Comparison with the previous session</h2>" + (
            _table(comparison) if comparison is not None and not comparison.empty
            else "<p>No earlier finished session to compare with.</p>"),
        "<h2>Roadmap</h2>" + _table(roadmap_sheet(db, session_id)),
        "<h2>Answers</h2>" + _table(answers_sheet(db, session_id))]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(str(session['title']))} — self-assessment report</title>
<script>{get_plotlyjs()}</script>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #222; }}
table {{ border-collapse: collapse; width: 100%; font-size: 0.9rem; margin-bottom: 1.5rem; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f0f0f0; }}
dl {{ display: grid; grid-template-columns: max-content auto; gap: 4px 16px; }}
dt {{ font-weight: 600; }}
</style></head><body>
<h1>{escape(str(session['title']))}</h1>
<p>ISO/IEC 42001 self-assessment over clauses 4–10 and the Annex A objectives
(question bank version {int(session['bank_version'])}).</p>
<dl>{''.join(f'<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>' for k, v in facts)}</dl>
{f'<p>Scope: {escape(str(session["scope_note"]))}</p>' if session["scope_note"] else ''}
<h2>Maturity per clause and Annex A objective</h2>
{charts}
{''.join(sections)}
</body></html>"""


def _table(frame: pd.DataFrame) -> str:
    """An HTML table of ``frame``, every cell escaped."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _text(value: object) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) \
        else str(value)


def _session(db: Database, session_id: int) -> dict:
    found = sessions.one(db, session_id)
    if found is None:
        raise KeyError(f"no self-assessment session {session_id}")
    return found
