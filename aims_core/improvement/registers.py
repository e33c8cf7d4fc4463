"""The improvement registers: incidents, audits with their scope and findings,
nonconformities and the actions list."""

from __future__ import annotations

from typing import Any

from aims_core.improvement.sources import ACTION_SOURCES, NC_SOURCES, labels, linked_source
from aims_core.records.fields import (
    AI_SYSTEM_REF,
    Cursor,
    Field,
    Reference,
    Register,
    RowRule,
    person_field,
)

SEVERITIES = {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}

HARM_TYPES = {
    "health_safety": "Health and safety",
    "fundamental_rights": "Fundamental rights",
    "discrimination": "Discrimination / bias",
    "privacy": "Privacy / personal data",
    "security": "Security",
    "property_environment": "Property / environment",
    "service_disruption": "Service disruption",
    "other": "Other",
}

INCIDENT_STATUSES = {"open": "Open", "investigating": "Investigating",
                     "contained": "Contained", "closed": "Closed"}
OPEN_INCIDENT_STATUSES = ("open", "investigating", "contained")

# EU AI Act Art. 3(49) serious incident, by the deadline of Art. 73 it sets.
SERIOUSNESS = {
    "not_serious": "Not serious",
    "serious": "Serious (Art. 3(49))",
    "death": "Serious: a person died",
    "widespread": "Serious: widespread infringement or critical infrastructure disrupted",
}

AUDIT_STATUSES = {"planned": "Planned", "in_progress": "In progress",
                  "completed": "Completed", "cancelled": "Cancelled"}
OPEN_AUDIT_STATUSES = ("planned", "in_progress")

FINDING_TYPES = {"major": "Major nonconformity", "minor": "Minor nonconformity",
                 "observation": "Observation", "improvement": "Opportunity for improvement"}
NONCONFORMITY_FINDINGS = ("major", "minor")  # the finding types that raise a nonconformity

NC_GRADES = {"major": "Major", "minor": "Minor"}
NC_STATUSES = {
    "open": "Open",
    "action_planned": "Action planned",
    "awaiting_check": "Awaiting effectiveness check",
    "closed": "Closed",
    "closed_not_effective": "Closed – not effective",
}
OPEN_NC_STATUSES = ("open", "action_planned", "awaiting_check")
EFFECTIVENESS_RESULTS = {"effective": "Effective", "not_effective": "Not effective"}
# The effectiveness result each closing status needs.
CLOSING_RESULTS = {"closed": "effective", "closed_not_effective": "not_effective"}

ACTION_STATUSES = {"open": "Open", "in_progress": "In progress", "done": "Done",
                   "cancelled": "Cancelled"}
OPEN_ACTION_STATUSES = ("open", "in_progress")

_REQUIREMENT_HELP = "An ISO/IEC 42001 clause (e.g. 9.2.2) or an Annex A control (e.g. A.6.2.4)"


# --- rules shared by several registers -----------------------------------------------------
def _date_for_status(date_field: str, statuses: dict[str, str], when: tuple[str, ...], *,
                     only_then: bool = True) -> RowRule:
    """``date_field`` is required at the statuses ``when`` (and, ``only_then``, empty at the
    others): a closing date without a closed status, or the reverse, is a typing slip."""
    names = " or ".join(statuses[s] for s in when)

    def check(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
        if row.get("status") in when and row.get(date_field) is None:
            return [(date_field, f"is required when the status is {names}")]
        if only_then and row.get("status") not in when and row.get(date_field) is not None:
            return [(date_field, f"must be empty unless the status is {names}")]
        return []

    return check


def requirement_problem(cur: Cursor, value: str | None) -> str | None:
    """Why ``value`` is not a clause or Annex A control of the catalogue (None when it is)."""
    if value is None:
        return None
    found = cur.execute("SELECT count(*) FROM (SELECT clause_id AS id FROM clauses UNION ALL "
                        "SELECT control_id FROM controls) WHERE id = ?", [value]).fetchone()[0]
    if found:
        return None
    return (f"{value!r} is neither an ISO/IEC 42001 clause (4–10, e.g. 9.2.2) nor an "
            "Annex A control (e.g. A.6.2.4)")


def _requirement(required_for: tuple[str, ...] = (), type_field: str = "") -> RowRule:
    def check(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
        value = row.get("requirement_id")
        if value is None and row.get(type_field) in required_for:
            return [("requirement_id", "is required for a nonconformity finding: the clause "
                                       "or control it does not meet")]
        problem = requirement_problem(cur, value)
        return [("requirement_id", problem)] if problem else []

    return check


# --- incidents -------------------------------------------------------------------------------
def _serious_needs_system(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("serious_incident") not in (None, "not_serious") and row.get("ai_system_id") is None:
        return [("ai_system_id", "is required for a serious incident (Art. 3(49)): the AI "
                                 "system involved decides whether Art. 73 applies")]
    return []


INCIDENTS = Register(
    table="incidents",
    label="Incident",
    title_field="title",
    rules=(_date_for_status("closed_on", INCIDENT_STATUSES, ("closed",)),
           _serious_needs_system),
    owner_field="owner",
    fields=(
        Field("ai_system_id", "AI system", "int", reference=AI_SYSTEM_REF,
              help="Leave empty for an organisation-wide incident"),
        Field("title", "Incident", required=True, max_length=300),
        Field("occurred_on", "Occurred on", "date",
              help="When it happened, if known (the legal clocks count from awareness, the "
                   "detected-on date)"),
        Field("detected_on", "Detected on", "date", required=True, not_before="occurred_on",
              help="The day the organisation became aware: legal reporting clocks count "
                   "from it"),
        person_field("reported_by", "Reported by",
                     help="Who raised it (A.3.3 reporting of concerns); empty if anonymous"),
        person_field("owner", "Incident owner", required=True),
        Field("severity", "Severity", "choice", required=True, choices=SEVERITIES,
              help="How bad the harm is or could be"),
        Field("harm_type", "Harm type", "choice", required=True, choices=HARM_TYPES,
              help="What kind of harm: to health and safety, fundamental rights, property …"),
        Field("people_affected", "People affected", "int", min_value=0,
              help="How many people were or may have been affected"),
        Field("description", "Description"),
        Field("immediate_action", "Immediate action"),
        Field("root_cause", "Root cause",
              help="Why it happened, once investigated (a nonconformity can follow, 10.2)"),
        Field("status", "Status", "choice", required=True, choices=INCIDENT_STATUSES),
        Field("closed_on", "Closed on", "date", not_before="detected_on",
              help="Required when the status is Closed"),
        Field("lessons_learned", "Lessons learned",
              help="What the organisation changes so it does not happen again"),
        Field("serious_incident", "Serious incident (EU AI Act)", "choice",
              choices=SERIOUSNESS,
              help="Art. 3(49): death or serious harm to health; serious and irreversible "
                   "disruption of critical infrastructure; infringement of fundamental-rights "
                   "law; serious harm to property or the environment"),
        Field("personal_data_breach", "Personal-data breach (GDPR Art. 33)", "bool",
              help="Tick when personal data was breached and the breach is likely to put "
                   "people at risk: the 72-hour clock to the supervisory authority runs"),
        Field("ai_act_reported_on", "AI Act reported on", "date", not_before="detected_on",
              help="When the serious incident was reported (provider: to the market "
                   "surveillance authority; deployer: to the provider). Stops the clock"),
        Field("gdpr_reported_on", "GDPR notified on", "date", not_before="detected_on",
              help="When the supervisory authority was notified. Stops the 72-hour clock"),
    ),
)


# --- internal audits -------------------------------------------------------------------------
def _completed_needs_conclusion(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("status") == "completed" and not row.get("conclusion"):
        return [("conclusion", "is required when the audit is Completed")]
    return []


AUDITS = Register(
    table="audits",
    label="Audit",
    title_field="title",
    referenced_by=(("audit_scope_items", "audit_id"), ("audit_findings", "audit_id")),
    rules=(_date_for_status("held_on", AUDIT_STATUSES, ("completed",), only_then=False),
           _completed_needs_conclusion),
    owner_field="lead_auditor",
    fields=(
        Field("title", "Audit", required=True, max_length=300),
        Field("planned_on", "Planned on", "date", required=True),
        person_field("lead_auditor", "Lead auditor", required=True),
        Field("status", "Status", "choice", required=True, choices=AUDIT_STATUSES),
        Field("held_on", "Held on", "date"),
        person_field("auditee", "Auditee",
                     help="Who owns the audited area; must not be the lead auditor (9.2.2)"),
        Field("auditors", "Other auditors", max_length=500),
        Field("scope_covered", "Scope covered",
              help="What the audit actually covered, and any departure from the plan"),
        Field("conclusion", "Conclusion"),
    ),
)


def _one_scope_item(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    given = [name for name in ("clause_id", "objective_id", "ai_system_id")
             if row.get(name) is not None]
    if len(given) != 1:
        return [("clause_id", "give exactly one of clause, Annex A objective or AI system")]
    name = given[0]
    taken = cur.execute(f"SELECT count(*) FROM audit_scope_items WHERE audit_id = ? AND "
                        f"{name} = ? AND id IS DISTINCT FROM ?",
                        [row.get("audit_id"), row[name], row.get("id")]).fetchone()[0]
    return [(name, "is already in this audit's scope")] if taken else []


AUDIT_SCOPE_ITEMS = Register(
    table="audit_scope_items",
    label="Audit scope item",
    title_field="audit_id",
    allow_delete=True,
    owned_through="audit_id",
    rules=(_one_scope_item,),
    fields=(
        Field("audit_id", "Audit", "int", required=True, reference=Reference("audits")),
        Field("clause_id", "Clause", reference=Reference("clauses", "clause_id", "title")),
        Field("objective_id", "Annex A objective",
              reference=Reference("control_objectives", "objective_id", "title")),
        Field("ai_system_id", "AI system", "int", reference=AI_SYSTEM_REF),
    ),
)


AUDIT_FINDINGS = Register(
    table="audit_findings",
    label="Finding",
    title_field="description",
    owned_through="audit_id",
    rules=(_requirement(NONCONFORMITY_FINDINGS, "finding_type"),),
    fields=(
        Field("audit_id", "Audit", "int", required=True, reference=Reference("audits")),
        Field("finding_type", "Type", "choice", required=True, choices=FINDING_TYPES),
        Field("requirement_id", "Clause or control", help=_REQUIREMENT_HELP),
        Field("ai_system_id", "AI system", "int", reference=AI_SYSTEM_REF),
        Field("description", "Finding", required=True),
        Field("evidence", "Evidence seen"),
    ),
)


# --- nonconformities -------------------------------------------------------------------------
def _closing_rule(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    """10.2: a nonconformity is closed only when its corrective actions are done and their
    effectiveness has been checked; the result decides which closing status fits."""
    status = row.get("status")
    if status not in CLOSING_RESULTS:
        return []
    problems = []
    if row.get("id") is not None:
        unfinished = cur.execute(
            "SELECT '#' || id || ' ''' || title || ''' (' || replace(status, '_', ' ') || ')' "
            "FROM actions WHERE source_table = 'nonconformities' AND source_id = ? "
            f"AND status IN {OPEN_ACTION_STATUSES!r} ORDER BY id", [row["id"]]).fetchall()
        if unfinished:
            problems.append(("status", "cannot be closed while its corrective actions are not "
                             "done: " + ", ".join(r[0] for r in unfinished) + ". Rule (ISO/IEC "
                             "42001 10.2): finish or cancel every action, then check their "
                             "effectiveness, then close"))
    result = row.get("effectiveness_result")
    if result is None or row.get("effectiveness_checked_on") is None:
        problems.append(("effectiveness_result", "is required to close: record the "
                         "effectiveness check (date and result) first (ISO/IEC 42001 10.2)"))
    elif result != CLOSING_RESULTS[status]:
        fitting = next(s for s, r in CLOSING_RESULTS.items() if r == result)
        problems.append(("status", f"must be {NC_STATUSES[fitting]} when the effectiveness "
                         f"check found the actions {EFFECTIVENESS_RESULTS[result].lower()}"))
    return problems


def _check_recorded_whole(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    checked, result = row.get("effectiveness_checked_on"), row.get("effectiveness_result")
    if (checked is None) != (result is None):
        missing = "effectiveness_result" if result is None else "effectiveness_checked_on"
        return [(missing, "is required with the other half of the effectiveness check")]
    if row.get("status") == "awaiting_check" and row.get("effectiveness_due") is None:
        return [("effectiveness_due", "is required while the effectiveness check is awaited")]
    return []


def not_a_nonconformity(finding_type: str) -> str:
    return (f"is an {FINDING_TYPES[finding_type].lower()}: only major and minor nonconformity "
            "findings raise a nonconformity (record an action instead)")


_RAISED_ONCE = {"audit_findings": "finding", "incidents": "incident"}  # one nonconformity each


def _finding_raises_one(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    """A major or minor audit finding is one nonconformity: it raises exactly one; an
    incident raises at most one. Checked here, under the write lock, so that two people
    raising the same record at once make one nonconformity."""
    source = row.get("source_table")
    if source not in _RAISED_ONCE or row.get("source_id") is None:
        return []
    if source == "audit_findings":
        finding = cur.execute("SELECT finding_type FROM audit_findings WHERE id = ?",
                              [row["source_id"]]).fetchone()
        if finding and finding[0] not in NONCONFORMITY_FINDINGS:
            return [("source_id",
                     f"finding #{row['source_id']} {not_a_nonconformity(finding[0])}")]
    taken = cur.execute("SELECT min(id) FROM nonconformities WHERE source_table = ? "
                        "AND source_id = ? AND id IS DISTINCT FROM ?",
                        [source, row["source_id"], row.get("id")]).fetchone()[0]
    if taken is not None:
        return [("source_id", f"{_RAISED_ONCE[source]} #{row['source_id']} is already raised "
                              f"as nonconformity #{taken}")]
    return []
    finding = cur.execute("SELECT finding_type FROM audit_findings WHERE id = ?",
                          [row["source_id"]]).fetchone()
    if finding and finding[0] not in NONCONFORMITY_FINDINGS:
        return [("source_id", f"finding #{row['source_id']} {not_a_nonconformity(finding[0])}")]
    taken = cur.execute("SELECT min(id) FROM nonconformities WHERE source_table = "
                        "'audit_findings' AND source_id = ? AND id IS DISTINCT FROM ?",
                        [row["source_id"], row.get("id")]).fetchone()[0]
    if taken is not None:
        return [("source_id", f"finding #{row['source_id']} is already raised as "
                              f"nonconformity #{taken}")]
    return []


NONCONFORMITIES = Register(
    table="nonconformities",
    label="Nonconformity",
    title_field="title",
    rules=(linked_source(NC_SOURCES), _finding_raises_one, _requirement(),
           _date_for_status("closed_on", NC_STATUSES, tuple(CLOSING_RESULTS)),
           _check_recorded_whole, _closing_rule),
    owner_field="owner",
    fields=(
        Field("title", "Nonconformity", required=True, max_length=300),
        Field("grade", "Grade", "choice", required=True, choices=NC_GRADES,
              help="A major nonconformity against an Annex A control lowers that control to "
                   "partial until it is closed"),
        Field("source", "Source", "choice", required=True, choices=labels(NC_SOURCES),
              editable=False,
              help="Where the nonconformity was found: audit finding, incident, review …"),
        Field("source_table", "Source register", max_length=100, editable=False),
        Field("source_id", "Source record", "int", editable=False),
        Field("requirement_id", "Clause or control", help=_REQUIREMENT_HELP),
        Field("ai_system_id", "AI system", "int", reference=AI_SYSTEM_REF),
        Field("description", "Description"),
        person_field("owner", "Owner", required=True),
        Field("raised_on", "Raised on", "date", required=True),
        Field("correction", "Correction", help="The immediate fix (10.2 a)"),
        Field("root_cause", "Root cause", help="Why it happened (10.2 b)"),
        Field("status", "Status", "choice", required=True, choices=NC_STATUSES),
        Field("effectiveness_due", "Effectiveness check due", "date", not_before="raised_on",
              help="When to check that the corrective actions removed the cause (10.2 e)"),
        Field("effectiveness_checked_on", "Effectiveness checked on", "date",
              not_before="raised_on",
              help="When the effectiveness check was made"),
        Field("effectiveness_result", "Effectiveness result", "choice",
              choices=EFFECTIVENESS_RESULTS,
              help="Whether the corrective actions removed the cause of the nonconformity"),
        Field("effectiveness_notes", "Effectiveness evidence"),
        Field("closed_on", "Closed on", "date", not_before="raised_on"),
    ),
)


# --- the actions list ------------------------------------------------------------------------
def _not_on_a_closed_nonconformity(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("source_table") != "nonconformities" or row.get("source_id") is None \
            or row.get("status") not in OPEN_ACTION_STATUSES:
        return []
    status = cur.execute("SELECT status FROM nonconformities WHERE id = ?",
                         [row["source_id"]]).fetchone()
    if status and status[0] not in OPEN_NC_STATUSES:
        return [("status", f"cannot be open: nonconformity #{row['source_id']} is closed. "
                           "Raise a new nonconformity for what remains")]
    return []


ACTIONS = Register(
    table="actions",
    label="Action",
    title_field="title",
    rules=(linked_source(ACTION_SOURCES), _date_for_status("done_on", ACTION_STATUSES, ("done",)),
           _not_on_a_closed_nonconformity),
    owner_field="owner",
    fields=(
        Field("title", "Action", required=True, max_length=300),
        person_field("owner", "Owner", required=True),
        Field("due_on", "Due on", "date", required=True, not_before="created_on",
              help="A past due date puts the action on the Schedule as overdue"),
        Field("status", "Status", "choice", required=True, choices=ACTION_STATUSES),
        Field("done_on", "Done on", "date", not_before="created_on",
              help="Required when the status is Done"),
        Field("source", "Source", "choice", required=True, choices=labels(ACTION_SOURCES),
              editable=False,
              help="What the action comes from: a risk's treatment, a nonconformity, a management "
                   "review …"),
        Field("source_table", "Source register", max_length=100, editable=False),
        Field("source_id", "Source record", "int", editable=False),
        Field("created_on", "Created on", "date", required=True, editable=False),
        Field("notes", "Notes", help="Progress, and the evidence that the action is done"),
    ),
)
