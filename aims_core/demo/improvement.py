"""The demo's incidents, internal audits with their findings, nonconformities and actions.

The curated entries tell one story for Aldwick Finance: old incidents closed and followed by
a re-validation, a privacy breach notified within 72 hours, two recent serious incidents on
the high-risk systems (one still inside its reporting deadline), an audit programme with a
major nonconformity against an implemented control, and corrective actions at every stage.
Larger organisations repeat a simpler pattern per system so that every page has volume.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from aims_core.demo.common import AIMS_OWNER, History, at, months_before
from aims_core.demo.inventory import ARCHETYPES

AUDITOR = "Nadia Ferreira"  # the internal auditor (Internal Audit)

# fmt: off
# Incidents: (system id or None, title, occurred / detected / closed days before the anchor,
#   reported by, owner, severity, harm type, people affected, status, serious, personal-data
#   breach, AI Act / GDPR reported days before the anchor, description, immediate action,
#   root cause, lessons learned)
INCIDENTS = (
    (4, "Card payments wrongly blocked after a fraud-threshold update", 471, 470, 455,
     "Marco Rossi", "Marco Rossi", "medium", "service_disruption", 1240, "closed", "not_serious",
     False, None, None,
     "After the monthly threshold update FraudGuard flagged 3 % of contactless payments instead "
     "of 0.4 %; cards stayed blocked until customers called.",
     "Threshold rolled back within five hours; cards unblocked in bulk; apology text sent.",
     "The threshold was recalibrated on pre-holiday data without a shadow run.",
     "Every threshold change now runs in shadow mode for 48 hours before it goes live."),
    (6, "Draft campaign e-mail promised a 0 % APR offer that does not exist", 331, 330, 325,
     "Julia Hart", "Julia Hart", "low", "other", 0, "closed", "not_serious", False, None, None,
     "The copy assistant invented a 0 % APR offer; the marketing approval step caught it "
     "before sending.",
     "Draft withdrawn; the prompt template now lists the live offers.",
     "The prompt did not restrict offers to the product catalogue.",
     "Keep the human approval step; put the offer list in every prompt."),
    (9, "Code assistant suggestion put an API key into a pull request", 300, 300, 296,
     "Ben Okafor", "Ben Okafor", "medium", "security", 0, "closed", "not_serious", False, None,
     None,
     "A suggested snippet embedded a live test-environment API key; secret scanning flagged "
     "the pull request.",
     "Key revoked and rotated within the hour.",
     "A developer accepted a completion that copied a key from an open file.",
     "Secret scanning now blocks the merge; a note for developers on reviewing completions."),
    (3, "Chatbot showed another customer's loan balance", 75, 74, 40, "Lena Novak",
     "Lena Novak", "high", "privacy", 2, "closed", "not_serious", True, None, 72,
     "Two customers who shared a device saw each other's loan balance in the chat history.",
     "Chat history switched off; both customers informed and apologised to.",
     "The session cache was keyed by device instead of by authenticated customer.",
     "Test session isolation on every release; privacy review of every new chat feature."),
    (None, "Staff pasted customer data into a public AI chatbot", 50, 48, 30, "Tom Becker",
     AIMS_OWNER, "medium", "privacy", 14, "closed", None, True, None, 46,
     "An employee pasted a spreadsheet with 14 customers' names and incomes into a public "
     "chatbot to summarise it.",
     "Conversation deleted with the provider; the employee was briefed.",
     "No approved AI tool for summaries; the AI use policy was not part of onboarding.",
     "An approved internal assistant is available; the AI use policy is part of onboarding."),
    (2, "Selection-rate ratio for applicants over 50 fell to 0.71", 30, 12, None, "Tom Becker",
     "Tom Becker", "high", "discrimination", 38, "investigating", "serious", False, 11, None,
     "The monthly fairness review found applicants over 50 shortlisted at 0.71 of the rate of "
     "younger applicants (four-fifths rule: 0.80) since the vendor's September model update.",
     "Recruiters review the full applicant list without the ranking; the vendor was asked to "
     "roll the update back.", None, None),
    (1, "Thin-file applicants declined after drift in bureau data", 20, 9, None, "Priya Shah",
     "Priya Shah", "high", "fundamental_rights", 212, "open", "serious", False, None, None,
     "Population stability (PSI) crossed its red threshold; declines of applicants with short "
     "credit histories rose from 18 % to 31 %.",
     "Borderline declines are routed to manual underwriting.", None, None),
    (5, "Payslip amounts misread for a new payroll layout", 4, 3, None, "Marco Rossi",
     "Lena Novak", "medium", "other", 57, "contained", "not_serious", False, None, None,
     "A large employer changed its payslip layout; net pay was read as gross pay on 57 "
     "applications.", "Confidence threshold raised; the 57 applications re-keyed by hand.",
     None, None),
)

# Audits: (title, planned / held days before the anchor (negative: ahead), lead auditor,
#   status, auditee, other auditors, scope (clauses, objectives, system ids), scope covered,
#   conclusion)
AUDITS = (
    ("AIMS clauses 4–10: first internal audit", 262, 260, AUDITOR, "completed", AIMS_OWNER,
     "Marta Lindqvist (Meridian Assurance)", (("4", "5", "6", "7", "8", "9", "10"), (), ()),
     "Clauses 4–10 in full; sampled the risk register, the SoA and both management reviews.",
     "The AIMS is established and operating. Competence records are incomplete (minor "
     "nonconformity); two observations."),
    ("Annex A.6, A.8 and A.9: CreditLens and ChurnRadar", 62, 58, AUDITOR, "completed",
     "Priya Shah", "Ben Okafor (technical expert)", ((), ("A.6", "A.8", "A.9"), (1, 7)),
     "Life-cycle records of CreditLens v2.0 and ChurnRadar; information for and oversight by "
     "underwriters.",
     "Life-cycle controls operate for ChurnRadar; CreditLens has a major nonconformity and an "
     "observation, ChurnRadar a minor nonconformity."),
    ("People & HR AI systems: impact assessments (A.5)", 10, None, AUDITOR, "planned",
     "Tom Becker", None, ((), ("A.5",), (2, 10)), None, None),
    ("Suppliers and the Ask Aldwick chatbot (A.10)", -25, None, AUDITOR, "planned",
     "Lena Novak", None, ((), ("A.10",), (3,)), None, None),
    ("Clauses 9.3 and 10: management review and improvement", -120, None, AIMS_OWNER,
     "planned", AIMS_OWNER, None, (("9.3", "10"), (), ()), None, None),
)

@dataclass(frozen=True)
class MajorStory:
    """The CreditLens audit's major finding and the nonconformity it raised, about a control
    the demo's SoA stands implemented, so that the demo shows the control lowered."""

    control: str
    finding: str
    evidence: str
    title: str
    correction: str
    root_cause: str
    in_progress: tuple[str, str]  # (action, progress note), Priya Shah, due in two weeks
    overdue: str  # an action of Ben Okafor's, three weeks late


MAJOR_STORIES = (
    MajorStory("A.6.2.7", "The CreditLens technical documentation describes model v1.3; v2.0 "
               "has been in production since June.", "Model registry entry v2.0; technical "
               "file dated November last year",
               "CreditLens technical documentation out of date (model v2.0)",
               "Release note for v2.0 added to the technical file.",
               "No release gate requires the technical file to be updated.",
               ("Update the CreditLens technical file to model v2.0 (Annex IV)",
                "Sections 2 and 3 redrafted."),
               "Add a documentation check to the model release gate"),
    MajorStory("A.9.3", "Underwriters confirmed 41 of 50 sampled CreditLens declines without "
               "the second review the human-oversight rule requires.", "Sample of 50 "
               "declines, June to August; oversight procedure v2",
               "CreditLens declines confirmed without the required human review",
               "The 41 declines re-reviewed by a second underwriter.",
               "The case tool lets one person confirm a decline alone.",
               ("Retrain underwriters on the oversight procedure", "Two of three teams done."),
               "Enforce the four-eyes step for declines in the case tool"),
    MajorStory("A.6.2.4", "The re-validation of CreditLens after the v2.0 retrain did not "
               "re-test fairness across age bands.", "Validation report AIMS-VAL-0001-1",
               "CreditLens re-validated without a fairness re-test",
               "Fairness re-test of the model in production scheduled.",
               "The validation template has no fairness section.",
               ("Re-test CreditLens v2.0 across age bands", "Test data prepared."),
               "Add fairness metrics to the validation template"),
    MajorStory("A.6.2.6", "CreditLens drift alerts (PSI above 0.25) went unanswered for six "
               "weeks.", "Monitoring log, July to September",
               "CreditLens drift alerts not acted on",
               "The open alerts were reviewed and the model's threshold tightened.",
               "Alerts go to a shared mailbox nobody owns.",
               ("Route drift alerts to the model owner's on-call rota", "Rota agreed."),
               "Add alert response times to the monitoring procedure"),
)


def major_story(soa: pd.DataFrame, anchor: date) -> MajorStory:
    """The first story whose control stands implemented at the anchor (evidence current,
    reviewed within 12 months), else the first one."""
    rows = soa.set_index("control_id")
    for story in MAJOR_STORIES:
        row = rows.loc[story.control]
        expiry, reviewed = row["evidence_expiry"], row["last_reviewed"]
        if row["implementation_status"] == "implemented" \
                and (pd.isna(expiry) or expiry >= anchor) \
                and (pd.isna(reviewed) or reviewed >= months_before(anchor, 12)):
            return story
    return MAJOR_STORIES[0]


def _with_story(story: MajorStory) -> tuple[tuple, tuple, tuple]:
    """The findings, nonconformities and actions with the major story in its place (finding
    #4, nonconformity #2 and its two corrective actions)."""
    findings = (*FINDINGS[:3], (2, "major", story.control, 1, story.finding, story.evidence),
                *FINDINGS[3:])
    raised = ("audit_finding", 4, "major", story.control, 1, story.title, "Priya Shah", 57,
              story.correction, story.root_cause, "action_planned", -45, None, None, None,
              None)
    nonconformities = (NONCONFORMITIES[0], raised, *NONCONFORMITIES[1:])
    corrective = (("nonconformity", 2, story.in_progress[0], "Priya Shah", 57, -14, None,
                   "in_progress", story.in_progress[1]),
                  ("nonconformity", 2, story.overdue, "Ben Okafor", 57, 20, None, "open",
                   None))
    return findings, nonconformities, (ACTIONS[0], *corrective, *ACTIONS[1:])


# Findings: (audit number, type, clause or control, system id, finding, evidence seen); the
# CreditLens audit's major finding comes from its MajorStory.
FINDINGS = (
    (1, "minor", "7.2", None, "Competence records are missing for 3 of the 7 model owners.",
     "Training matrix v3; HR files of the model owners"),
    (1, "observation", "9.1", None, "KPI thresholds of two models were set without a recorded "
     "rationale.", "KPI register"),
    (1, "improvement", "6.2", None, "Objectives could name the top risks they address.",
     "Objectives register"),
    (2, "minor", "A.6.2.4", 7, "The ChurnRadar validation report records no fairness metrics.",
     "Validation report AIMS-VAL-0007-1"),
    (2, "observation", "A.8.2", 1, "The underwriter guide does not explain the new decline "
     "reason codes.", "Underwriter guide v4"),
)

# Nonconformities: (source, source number (finding, incident or review), grade, clause or
#   control, system id, title, owner, raised days before the anchor, correction, root cause,
#   status, effectiveness due / checked days before the anchor, result, evidence, closed)
NONCONFORMITIES = (
    ("audit_finding", 1, "minor", "7.2", None,
     "Competence records missing for 3 of 7 model owners", "Tom Becker", 258,
     "Certificates of the three model owners collected.",
     "No onboarding step records AI competence.", "closed", 170, 168, "effective",
     "Sample of all 7 model owners: every record complete.", 168),
    ("incident", 4, "minor", "A.6.2.5", 3,
     "Chatbot released without a session-isolation test", "Lena Novak", 70,
     "Chat history switched off.", "The release checklist has no privacy test.",
     "awaiting_check", 5, None, None, None, None),
    ("incident", 6, "major", "A.5.4", 2,
     "CV screening disadvantages applicants over 50", "Tom Becker", 10,
     "Recruiters review shortlists without the ranking.", None, "open", None, None, None, None,
     None),
    ("complaint", None, "minor", "A.8.2", 1,
     "Declined applicants get no understandable reason", "Priya Shah", 130, None,
     "Decline letters list codes, not reasons.", "action_planned", -60, None, None, None,
     None),
    ("management_review", 2, "minor", "7.3",
     None, "AI awareness training below target (70 % against 95 %)", AIMS_OWNER, 150, None,
     "Refresher sessions were not planned for shift teams.", "action_planned", -75, None,
     None, None, None),
)

# Actions: (source, source number, title, owner, created / due / done days before the anchor,
#   status, notes). Risk-treatment actions name the risk by its system's first risk.
ACTIONS = (
    ("nonconformity", 1, "Add the AI competence record to the onboarding checklist",
     "Tom Becker", 258, 230, 220, "done", "Checklist v5 published on the intranet."),
    ("nonconformity", 3, "Isolate chat sessions per authenticated customer", "Lena Novak", 70,
     55, 60, "done", "Vendor fix deployed in release 4.2."),
    ("nonconformity", 3, "Add a cross-session leakage test to the release checklist",
     "Ben Okafor", 70, 45, 45, "done", "Test added to the chatbot release pipeline."),
    ("nonconformity", 5, "Rewrite decline letters with plain-language reasons", "Priya Shah",
     130, 15, None, "open", None),
    ("nonconformity", 6, "Run the AI awareness refresher for Customer Service and Collections",
     "Lena Novak", 150, -30, None, "in_progress", "Four of seven sessions held."),
    ("incident", 7, "Re-score declined thin-file applicants by hand", "Priya Shah", 9, -3,
     None, "open", None),
    ("incident", 6, "Ask HireMatic for the notes of the September model change", "Tom Becker",
     12, 5, 8, "done", "Change notes received: new embedding model, no fairness re-test."),
    ("finding", 6, "Explain the new reason codes in the underwriter guide", "Priya Shah", 58,
     -40, None, "open", None),
    ("finding", 3, "Link each objective to the top risks it addresses", AIMS_OWNER, 258, -90,
     None, "open", None),
    ("risk_treatment", 2, "Add age-band fairness tests to the TalentSift acceptance checks",
     "Tom Becker", 10, -60, None, "open", None),
    ("other", None, "Publish the AI use policy on the intranet", AIMS_OWNER, 130, 100, 104,
     "done", None),
)
# fmt: on
_INCIDENT_KEYS = ("ai_system_id", "title", "occurred", "detected", "closed", "reported_by",
                  "owner", "severity", "harm_type", "people_affected", "status",
                  "serious_incident", "personal_data_breach", "ai_act_reported", "gdpr_reported",
                  "description", "immediate_action", "root_cause", "lessons_learned")
_INCIDENT_DATES = {"occurred": "occurred_on", "detected": "detected_on", "closed": "closed_on",
                   "ai_act_reported": "ai_act_reported_on", "gdpr_reported": "gdpr_reported_on"}
_SOURCE_TABLES = {"audit_finding": "audit_findings", "finding": "audit_findings",
                  "incident": "incidents", "nonconformity": "nonconformities",
                  "management_review": "management_reviews",
                  "risk_treatment": "risks"}


def _day(anchor: date, days_before: int | None) -> date | None:
    return None if days_before is None else anchor - timedelta(days=days_before)


class _Builder:
    """Collects rows per table and logs each one's history (opened, then its final state)."""

    def __init__(self, anchor: date, history: History) -> None:
        self.anchor, self.history = anchor, history
        self.rows: dict[str, list[dict[str, Any]]] = {}

    def add(self, table: str, row: dict[str, Any], opened_on: date, who: str,
            opening: dict[str, Any] | None = None, settled_on: date | None = None) -> int:
        """A row created on ``opened_on`` as ``{**row, **opening}``, then (on ``settled_on``)
        changed to ``row``; returns its id."""
        rows = self.rows.setdefault(table, [])
        row = {"id": len(rows) + 1, **row}
        states = [(at(opened_on, 11), who, {**row, **(opening or {})})]
        if opening and settled_on is not None:
            states.append((at(max(settled_on, opened_on), 16), who, dict(row)))
        row["version"] = self.history.record(table, states)
        rows.append(row)
        return row["id"]

    def frames(self) -> dict[str, pd.DataFrame]:
        return {table: pd.DataFrame(rows) for table, rows in self.rows.items()}


def generate(systems: list[dict], risks: pd.DataFrame, soa: pd.DataFrame, anchor: date,
             history: History, seed: int) -> dict[str, pd.DataFrame]:
    """The improvement registers: the curated story for the first twelve systems, then a
    repeating pattern for each further system."""
    build = _Builder(anchor, history)
    known = {s["id"] for s in systems}
    first_risk = risks.dropna(subset=["ai_system_id"]).groupby("ai_system_id")["id"].min()
    _curated(build, known, {int(k): int(v) for k, v in first_risk.items()},
             _with_story(major_story(soa, anchor)))
    _at_scale(build, systems[len(ARCHETYPES):], np.random.default_rng(seed + 10))
    frames = build.frames()
    empty = {"incidents", "audits", "audit_scope_items", "audit_findings", "nonconformities",
             "actions"} - frames.keys()
    return {**frames, **{table: pd.DataFrame() for table in empty}}


def _curated(build: _Builder, known: set[int], first_risk: dict[int, int],
             story: tuple[tuple, tuple, tuple]) -> None:
    findings, nonconformities, actions = story
    day = lambda days: _day(build.anchor, days)  # noqa: E731
    incident_ids: dict[int, int] = {}
    for number, entry in enumerate(INCIDENTS, 1):
        values = dict(zip(_INCIDENT_KEYS, entry, strict=True))
        if values["ai_system_id"] is not None and values["ai_system_id"] not in known:
            continue
        dates = {name: day(values.pop(key)) for key, name in _INCIDENT_DATES.items()}
        row, detected, closed = {**values, **dates}, dates["detected_on"], dates["closed_on"]
        opening = {"status": "open", "closed_on": None, "lessons_learned": None} \
            if row["status"] != "open" else None
        incident_ids[number] = build.add("incidents", row, detected, row["owner"], opening,
                                         closed or detected + timedelta(days=2))
    audit_ids: dict[int, int] = {}
    for number, (title, planned, held, lead, status, auditee, auditors, scope, covered,
                 conclusion) in enumerate(AUDITS, 1):
        clauses, objectives, system_ids = scope
        row = {"title": title, "planned_on": day(planned), "lead_auditor": lead,
               "status": status, "held_on": day(held), "auditee": auditee,
               "auditors": auditors, "scope_covered": covered, "conclusion": conclusion}
        planned_on = day(max(planned, 0) + 90)
        opening = {"status": "planned", "held_on": None, "scope_covered": None,
                   "conclusion": None} if status != "planned" else None
        audit_ids[number] = build.add("audits", row, planned_on, AIMS_OWNER, opening,
                                      day(held) if held is not None else None)
        items = [{"clause_id": c} for c in clauses] + [{"objective_id": o} for o in objectives]
        items += [{"ai_system_id": s} for s in system_ids if s in known]
        for item in items:
            build.add("audit_scope_items", {"audit_id": audit_ids[number], "clause_id": None,
                                            "objective_id": None, "ai_system_id": None,
                                            **item}, planned_on, AIMS_OWNER)
    finding_ids: dict[int, int] = {}
    for number, (audit, kind, requirement, system, text, evidence) in enumerate(findings, 1):
        if system is not None and system not in known:
            continue
        held = day(AUDITS[audit - 1][2])
        finding_ids[number] = build.add("audit_findings", {
            "audit_id": audit_ids[audit], "finding_type": kind, "requirement_id": requirement,
            "ai_system_id": system, "description": text, "evidence": evidence}, held, AUDITOR)
    sources = {"audit_finding": finding_ids, "finding": finding_ids, "incident": incident_ids,
               "management_review": {2: 1},
               "risk_treatment": first_risk}
    nc_ids = _curated_nonconformities(build, known, sources, nonconformities)
    sources["nonconformity"] = nc_ids
    for (source, number, title, owner, created, due, done, status, notes) in actions:
        ids = sources.get(source, {})
        if number is not None and number not in ids:
            continue
        row = {"title": title, "owner": owner, "due_on": day(due), "status": status,
               "done_on": day(done), "source": source,
               "source_table": _SOURCE_TABLES.get(source) if number is not None else None,
               "source_id": ids[number] if number is not None else None,
               "created_on": day(created), "notes": notes}
        opening = {"status": "open", "done_on": None, "notes": None} \
            if status != "open" else None
        build.add("actions", row, day(created), owner, opening,
                  day(done) if done is not None else day(max(created - 7, 0)))


def _curated_nonconformities(build: _Builder, known: set[int],
                             sources: dict[str, dict[int, int]],
                             nonconformities: tuple) -> dict[int, int]:
    day = lambda days: _day(build.anchor, days)  # noqa: E731
    ids: dict[int, int] = {}
    for number, (source, source_no, grade, requirement, system, title, owner, raised,
                 correction, root_cause, status, due, checked, result, evidence,
                 closed) in enumerate(nonconformities, 1):
        linked = sources.get(source, {})
        if (system is not None and system not in known) or \
                (source_no is not None and source_no not in linked):
            continue
        row = {"title": title, "grade": grade, "source": source,
               "source_table": _SOURCE_TABLES.get(source) if source_no is not None else None,
               "source_id": linked[source_no] if source_no is not None else None,
               "requirement_id": requirement, "ai_system_id": system,
               "description": f"{title}.", "owner": owner, "raised_on": day(raised),
               "correction": correction, "root_cause": root_cause, "status": status,
               "effectiveness_due": day(due), "effectiveness_checked_on": day(checked),
               "effectiveness_result": result, "effectiveness_notes": evidence,
               "closed_on": day(closed)}
        opening = {"status": "open", "effectiveness_checked_on": None,
                   "effectiveness_result": None, "effectiveness_notes": None,
                   "closed_on": None} if status != "open" else None
        ids[number] = build.add("nonconformities", row, day(raised), owner, opening,
                                day(closed) if closed is not None else day(max(raised - 14, 0)))
    return ids


def _at_scale(build: _Builder, systems: list[dict], rng: np.random.Generator) -> None:
    """Per further system: every fourth has an incident; every eighth a nonconformity raised
    from it with two corrective actions; every hundredth an audit with two findings."""
    anchor = build.anchor
    for position, system in enumerate(systems):
        if position % 4 == 0:
            detected = anchor - timedelta(days=int(rng.integers(1, 400)))
            closed = detected + timedelta(days=int(rng.integers(3, 40)))
            is_closed = closed < anchor
            incident = build.add("incidents", {
                "ai_system_id": system["id"], "title": f"Output errors in {system['name']}",
                "occurred_on": detected - timedelta(days=1), "detected_on": detected,
                "reported_by": system["owner"], "owner": system["owner"],
                "severity": ("low", "medium", "high", "critical")[int(rng.integers(0, 4))],
                "harm_type": "service_disruption", "people_affected": int(rng.integers(0, 500)),
                "description": "Wrong outputs reported by users.",
                "immediate_action": "Outputs checked by hand.", "root_cause": None,
                "status": "closed" if is_closed else "investigating",
                "closed_on": closed if is_closed else None, "lessons_learned": None,
                "serious_incident": "not_serious", "personal_data_breach": False,
                "ai_act_reported_on": None, "gdpr_reported_on": None}, detected,
                system["owner"])
            if position % 8 == 0:
                _scaled_nonconformity(build, system, incident, detected, rng)
        if position % 100 == 0:
            audit = build.add("audits", {
                "title": f"Life-cycle audit of {system['name']}",
                "planned_on": anchor + timedelta(days=int(rng.integers(-200, 200))),
                "lead_auditor": AUDITOR, "status": "planned", "held_on": None,
                "auditee": system["owner"], "auditors": None, "scope_covered": None,
                "conclusion": None}, anchor - timedelta(days=250), AIMS_OWNER)
            build.add("audit_scope_items", {"audit_id": audit, "clause_id": None,
                                            "objective_id": "A.6",
                                            "ai_system_id": None}, anchor - timedelta(days=250),
                      AIMS_OWNER)
            for kind, requirement in (("minor", "A.6.2.6"), ("observation", "A.6.2.8")):
                build.add("audit_findings", {
                    "audit_id": audit, "finding_type": kind, "requirement_id": requirement,
                    "ai_system_id": system["id"], "description": "Monitoring records "
                    "incomplete.", "evidence": "Monitoring log"}, anchor - timedelta(days=240),
                    AUDITOR)


def _scaled_nonconformity(build: _Builder, system: dict, incident: int, raised: date,
                          rng: np.random.Generator) -> None:
    anchor = build.anchor
    nc = build.add("nonconformities", {
        "title": f"Monitoring gap behind the incident on {system['name']}",
        "grade": "minor", "source": "incident", "source_table": "incidents",
        "source_id": incident, "requirement_id": "A.6.2.6", "ai_system_id": system["id"],
        "description": "Monitoring did not catch the wrong outputs.", "owner": system["owner"],
        "raised_on": raised, "correction": None, "root_cause": None, "status": "action_planned",
        "effectiveness_due": raised + timedelta(days=120), "effectiveness_checked_on": None,
        "effectiveness_result": None, "effectiveness_notes": None, "closed_on": None},
        raised, system["owner"])
    for offset, done in ((20, True), (int(rng.integers(30, 200)), False)):
        due = raised + timedelta(days=offset)
        finished = done and due < anchor
        build.add("actions", {
            "title": f"Add an output check to {system['name']}", "owner": system["owner"],
            "due_on": due, "status": "done" if finished else "open",
            "done_on": due if finished else None, "source": "nonconformity",
            "source_table": "nonconformities", "source_id": nc, "created_on": raised,
            "notes": None}, raised, system["owner"])
