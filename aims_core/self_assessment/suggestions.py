"""The evidence the registers hold for each requirement, and the level it suggests.

Each requirement has rules (``RULES``); a rule reads the live registers and returns a
:class:`Hint`: facts to show beside the question and, where the evidence says so, a floor
("at least 3": an approved SoA version exists and every control is decided) or a ceiling
("at most 2": re-validations overdue on high-risk systems). Every clause requirement also
reads its row on the Clauses page, every Annex A objective its controls in the SoA.

:func:`suggest` combines the hints: the highest floor, capped by the lowest ceiling (evidence
of a problem wins). The suggestion is shown, never saved as an answer on its own; when the
person answers, it is recorded beside their answer. A rule whose register does not exist in
the file (an older or partial schema) is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from aims_core.compliance.registers import IMPLEMENTATION_STATUSES
from aims_core.compliance.soa import STANDING_SQL
from aims_core.improvement import legal_clocks
from aims_core.improvement.audits import INDEPENDENCE_SQL
from aims_core.improvement.registers import OPEN_ACTION_STATUSES, OPEN_NC_STATUSES
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.management_system import documents, organisation, roles, training
from aims_core.management_system.registers import AI_ROLE_SHORT
from aims_core.risk.risk_method import RATED_RISKS_SQL
from aims_core.storage.database import Database

YEAR = 365
_ACTIVE = "lifecycle_stage IS DISTINCT FROM 'retired'"
_PERIOD_DAYS = {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92, "yearly": 366}
_NAMES_SHOWN = 4


@dataclass(frozen=True)
class Fact:
    """One thing the registers say, with the page (and filter) that shows it."""

    text: str
    page: str | None = None  # a page's url path, e.g. "soa"
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Hint:
    facts: tuple[Fact, ...] = ()
    at_least: int | None = None
    at_most: int | None = None
    reason: str | None = None  # why the bound holds
    not_applicable: bool = False


@dataclass(frozen=True)
class Suggestion:
    requirement_id: str
    facts: tuple[Fact, ...] = ()
    level: int | None = None  # None: the registers do not say enough
    not_applicable: bool = False
    reasons: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        """The suggestion in one line, for the page and for the answer's record."""
        if self.not_applicable:
            return "Suggested: not applicable — " + "; ".join(self.reasons)
        if self.level is None:
            return ""
        return f"Suggested: level {self.level} — " + "; ".join(self.reasons)


Rule = Callable[[Database, date], Hint | None]


def _row(db: Database, sql: str, params: list | dict | None = None) -> tuple:
    return db.query_rows(sql, params or [])[0]


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_NAMES_SHOWN])
    return shown + (f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN
                    else "")


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole}"


def _soa_link(db: Database, objective_id: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The SoA page filtered to one objective (its filter holds "A.6 AI system life cycle")."""
    title = db.scalar("SELECT title FROM control_objectives WHERE objective_id = ?",
                      [objective_id])
    return "soa", (("soa_objective", f"{objective_id} {title}"),)


# --- generic: the Clauses page and the SoA ---------------------------------------------------
def clause_status(clause_id: str) -> Rule:
    """The status the Clauses page records for a subclause."""

    def rule(db: Database, today: date) -> Hint | None:
        found = db.query_rows("SELECT status, owner, evidence, last_reviewed FROM "
                              "clause_status WHERE clause_id = ?", [clause_id])
        link = ("clauses", ())
        if not found:
            return Hint((Fact("The Clauses page has no status for this subclause yet.",
                              *link),))
        status, owner, evidence, reviewed = found[0]
        text = (f"Clauses page: {IMPLEMENTATION_STATUSES[status].lower()}"
                + (f", owner {owner}" if owner else ", no owner")
                + (f", evidence: {evidence}" if evidence else ", no evidence recorded")
                + (f", last reviewed {reviewed:%d %b %Y}" if reviewed else ", never reviewed"))
        fact = Fact(text, *link)
        current = reviewed is not None and reviewed >= today - timedelta(days=YEAR)
        if status == "implemented" and evidence and current:
            return Hint((fact,), at_least=3, reason="the Clauses page records it implemented "
                        "with evidence, reviewed within 12 months")
        if status == "partial":
            return Hint((fact,), at_most=2, reason="the Clauses page records it as partial")
        if status in ("planned", "not_started"):
            return Hint((fact,), at_most=1, reason="the Clauses page records it as "
                        f"{IMPLEMENTATION_STATUSES[status].lower()}")
        return Hint((fact,))

    return rule


def soa_objective(objective_id: str) -> Rule:
    """How the SoA stands for the controls of an Annex A objective."""

    def rule(db: Database, today: date) -> Hint | None:
        controls, applicable, undecided, implemented = _row(db, f"""
            SELECT count(*), count(*) FILTER (WHERE s.applicable),
                   count(*) FILTER (WHERE s.applicable IS NULL),
                   count(*) FILTER (WHERE s.applicable AND {STANDING_SQL} = 'implemented')
            FROM controls c LEFT JOIN soa s USING (control_id)
            WHERE c.objective_id = $objective""", {"objective": objective_id, "today": today})
        link = _soa_link(db, objective_id)
        if applicable == 0 and undecided == 0:
            return Hint((Fact(f"The SoA excludes all {controls} controls of {objective_id}.",
                              *link),), not_applicable=True,
                        reason=f"the SoA excludes every control of {objective_id}")
        fact = Fact(f"SoA: {_share(implemented, applicable)} applicable controls of "
                    f"{objective_id} stand implemented"
                    + (f"; {undecided} of {controls} not decided yet" if undecided else ""),
                    *link)
        if applicable and implemented / applicable >= 0.8:
            return Hint((fact,), at_least=3, reason=f"{_share(implemented, applicable)} "
                        "applicable controls stand implemented in the SoA")
        if applicable and implemented / applicable < 0.5:
            return Hint((fact,), at_most=2, reason=f"only {_share(implemented, applicable)} "
                        "applicable controls stand implemented in the SoA")
        return Hint((fact,))

    return rule


# --- clause 4 and 5: the organisation profile, context, policy, roles ------------------------
_CURRENT = "(closed_on IS NULL OR closed_on > $today)"


def _reviewed_within_a_year(reviewed: date | None, today: date) -> bool:
    return reviewed is not None and reviewed >= today - timedelta(days=YEAR)


def context_issues(db: Database, today: date) -> Hint:
    """4.1: the AI roles on the profile and the context issues register."""
    roles = sorted(organisation.ai_roles(db))
    external, internal, reviewed = _row(db, f"""
        SELECT count(*) FILTER (WHERE issue_type = 'external'),
               count(*) FILTER (WHERE issue_type = 'internal'), max(last_reviewed)
        FROM context_issues WHERE {_CURRENT}""", {"today": today})
    link = ("context", (("context_tab", "Issues"),))
    facts = (Fact("AI roles on the organisation profile: "
                  + (", ".join(AI_ROLE_SHORT.get(r, r) for r in roles) if roles
                     else "none recorded") + ".", "organisation"),
             Fact(f"Context issues: {external} external, {internal} internal"
                  + (f", last reviewed {reviewed:%d %b %Y}" if reviewed else ", never reviewed")
                  + ".", *link))
    if not roles and not external + internal:
        return Hint(facts, at_most=1, reason="neither your AI roles nor any context issue "
                    "is recorded")
    if roles and external and internal and _reviewed_within_a_year(reviewed, today):
        return Hint(facts, at_least=3, reason="your AI roles and both external and internal "
                    "issues are recorded and reviewed within 12 months")
    return Hint(facts, at_most=2, reason="the context is only partly recorded (AI roles, "
                "external and internal issues, a review within 12 months)")


def interested_parties(db: Database, today: date) -> Hint:
    """4.2: the interested parties register and whether each need is decided."""
    parties, decided, reviewed = _row(db, f"""
        SELECT count(*), count(addressed), max(last_reviewed)
        FROM interested_parties WHERE {_CURRENT}""", {"today": today})
    link = ("context", (("context_tab", "Interested parties"),))
    if parties == 0:
        return Hint((Fact("No interested party is recorded.", *link),), at_most=1,
                    reason="no interested party is recorded")
    fact = Fact(f"{parties} interested parties recorded; for {_share(decided, parties)} it is "
                "decided whether the AIMS addresses their needs"
                + (f"; last reviewed {reviewed:%d %b %Y}" if reviewed else "; never reviewed"),
                *link)
    if decided == parties and _reviewed_within_a_year(reviewed, today):
        return Hint((fact,), at_least=3, reason="every party's needs are recorded and decided, "
                    "reviewed within 12 months")
    return Hint((fact,), at_most=2, reason=f"{parties - decided} parties' needs are not "
                "decided yet" if decided < parties else "the parties are not reviewed within "
                "12 months")


def scope_statement(db: Database, today: date) -> Hint:
    """4.3: the scope on the organisation profile."""
    found = db.query_rows("SELECT scope_statement, out_of_scope, exclusion_reasons, "
                          "scope_reviewed_on FROM organisation ORDER BY id LIMIT 1")
    scope, out, reasons, reviewed = found[0] if found else (None, None, None, None)
    if not scope:
        return Hint((Fact("No AIMS scope statement is recorded.", "organisation"),),
                    at_most=1, reason="the scope is not written down")
    fact = Fact(f"Scope statement: {scope}"
                + (f" Out of scope: {out}." if out else "")
                + (f" Reviewed {reviewed:%d %b %Y}." if reviewed else " Never reviewed."),
                "organisation")
    if out and not reasons:
        return Hint((fact,), at_most=2, reason="exclusions from the scope have no reason")
    return Hint((fact,), at_least=3, reason="a scope statement is documented"
                + (" and reviewed within 12 months" if _reviewed_within_a_year(reviewed, today)
                   else ""))


def ai_policy_document(db: Database, today: date) -> Hint:
    """5.2: the AI policy in the documents register and its 5.2 checklist."""
    policies = documents.ai_policies(db, today)
    link = ("documents", (("documents_type", "ai_policy"),))
    if not policies:
        return Hint((Fact("The documents register holds no AI policy.", *link),), at_most=1,
                    reason="no AI policy is recorded")
    best = max(policies, key=lambda p: (p.status == "approved", not p.expired,
                                        -len(p.missing)))
    fact = Fact(f"AI policy {best.label}: {best.status}"
                + (", past its review date" if best.expired else "")
                + (f"; the 5.2 checklist misses {len(best.missing)} items" if best.missing
                   else "; every 5.2 checklist item confirmed"), *link)
    if best.status == "approved" and not best.expired and not best.missing:
        return Hint((fact,), at_least=3, reason="an approved, current AI policy meets every "
                    "item of the 5.2 checklist")
    return Hint((fact,), at_most=2, reason="the AI policy is not approved, is past its review "
                "or misses checklist items")


def ai_policy(db: Database, today: date) -> Hint | None:
    """5.2: how the SoA stands for A.2.2 (AI policy)."""
    found = db.query_rows(f"SELECT s.applicable, {STANDING_SQL} FROM soa s WHERE "
                          "s.control_id = 'A.2.2'", {"today": today})
    link = _soa_link(db, "A.2")
    if not found or found[0][0] is None:
        return Hint((Fact("The SoA has not decided A.2.2 AI policy yet.", *link),))
    standing = found[0][1]
    fact = Fact(f"SoA: A.2.2 AI policy stands {IMPLEMENTATION_STATUSES[standing].lower()}.",
                *link)
    if standing == "implemented":
        return Hint((fact,), at_least=3, reason="A.2.2 AI policy stands implemented in the "
                    "SoA")
    if standing in ("not_started", "planned"):
        return Hint((fact,), at_most=1, reason="the AI policy (A.2.2) is not in place yet")
    return Hint((fact,), at_most=2, reason="the AI policy (A.2.2) is only partly in place")


def aims_roles(db: Database, today: date) -> Hint:
    """5.3: the roles register and the roles an AIMS usually needs."""
    held = roles.count(db, today)
    missing = roles.unheld_standard_roles(db, today)
    if held == 0:
        return Hint((Fact("No AIMS role is recorded.", "roles"),), at_most=1,
                    reason="no role or responsibility is assigned")
    fact = Fact(f"{held} current AIMS roles"
                + (f"; no holder yet for: {_names(missing)}" if missing else
                   "; every usual AIMS role has a holder") + ".", "roles")
    if missing:
        return Hint((fact,), at_most=2, reason=f"{len(missing)} usual AIMS roles have no "
                    "holder")
    return Hint((fact,))


def competence(db: Database, today: date) -> Hint:
    """7.2: who lacks a competence their role requires, or holds an expired one."""
    gaps = training.gap_counts(db, today)
    records = db.scalar("SELECT count(*) FROM training_records")
    if not records:
        return Hint((Fact("No training record is recorded.", "training"),), at_most=1,
                    reason="no competence or training is recorded")
    fact = Fact(f"{records} training records; {gaps.people_with_gaps} people lack a required "
                f"competence ({gaps.missing} missing, {gaps.expired} expired).", "training")
    if gaps.people_with_gaps:
        return Hint((fact,), at_most=2, reason=f"{gaps.people_with_gaps} people lack a "
                    "competence their role requires")
    return Hint((fact,), at_least=3, reason="everyone holds the competences their role "
                "requires")


def awareness(db: Database, today: date) -> Hint:
    """7.3 and A.4: AI literacy of the people who operate or use AI (EU AI Act Art. 4)."""
    coverage = training.ai_literacy(db, today)
    if not coverage.people:
        return Hint((Fact("Nobody is recorded as operating or using AI yet.", "training"),))
    fact = Fact(f"AI literacy: {_share(coverage.literate, coverage.people)} people who operate "
                f"or use AI hold a current AI literacy competence ({coverage.pct:g} %).",
                "training")
    if coverage.pct >= 95:
        return Hint((fact,), at_least=3, reason="AI literacy covers the people who work with "
                    "AI")
    return Hint((fact,), at_most=2, reason=f"only {coverage.pct:g} % of the people who work "
                "with AI hold a current AI literacy competence")


def documents_controlled(db: Database, today: date) -> Hint:
    """7.5.1 and 7.5.2: documents approved and within their review date."""
    total, approved, overdue = _row(db, """
        SELECT count(*), count(*) FILTER (WHERE status = 'approved'),
               count(*) FILTER (WHERE next_review < $today)
        FROM documents WHERE status <> 'withdrawn'""", {"today": today})
    if total == 0:
        return Hint((Fact("The documents register is empty.", "documents"),), at_most=1,
                    reason="no document is under control")
    fact = Fact(f"Documents: {_share(approved, total)} approved, {overdue} past their review "
                "date.", "documents")
    if approved == total and not overdue:
        return Hint((fact,), at_least=3, reason="every document is approved and within its "
                    "review date")
    return Hint((fact,), at_most=2, reason=f"{total - approved} documents are not approved "
                f"and {overdue} are past their review date")


def processes_in_use(db: Database, today: date) -> Hint:
    """Whether each process of the management system leaves records in the registers."""
    year_ago = today - timedelta(days=YEAR)
    checks = {
        "AI inventory": "SELECT count(*) > 0 FROM ai_systems",
        "risk assessment": "SELECT count(*) > 0 FROM risks",
        "approved SoA": "SELECT count(*) > 0 FROM soa_versions",
        "objectives and KPIs": "SELECT count(*) > 0 FROM objective_kpis",
        "internal audit in the last 12 months": "SELECT count(*) > 0 FROM audits WHERE "
                                                "status = 'completed' AND held_on >= $since",
        "management review in the last 12 months": "SELECT count(*) > 0 FROM "
                                                   "management_reviews WHERE review_date >= "
                                                   "$since AND review_date <= $today "
                                                   "AND status <> 'planned'",
        "nonconformities and corrective action": "SELECT count(*) > 0 FROM nonconformities",
    }
    values = {"since": year_ago, "today": today}
    used = [name for name, sql in checks.items()
            if db.scalar(sql, {k: v for k, v in values.items() if f"${k}" in sql} or None)]
    missing = [name for name in checks if name not in used]
    fact = Fact(f"{_share(len(used), len(checks))} AIMS processes leave records here"
                + (f"; none yet for {', '.join(missing)}" if missing else ""))
    if not missing:
        return Hint((fact,), at_least=3, reason="every AIMS process leaves records in the "
                    "registers")
    if len(used) <= 3:
        return Hint((fact,), at_most=2, reason=f"only {len(used)} of the {len(checks)} AIMS "
                    "processes leave records")
    return Hint((fact,))


def leadership(db: Database, today: date) -> Hint:
    found = db.query_rows("SELECT review_date, chair FROM management_reviews WHERE "
                          "review_date <= ? AND status <> 'planned' "
                          "ORDER BY review_date DESC LIMIT 1", [today])
    if not found or found[0][0] < today - timedelta(days=YEAR):
        return Hint((Fact("No management review was held in the last 12 months.",
                          "overview"),), at_most=2,
                    reason="top management has not reviewed the AIMS in the last 12 months")
    held, chair = found[0]
    return Hint((Fact(f"Last management review {held:%d %b %Y}"
                      + (f", chaired by {chair}" if chair else "") + "."),))


def owners(db: Database, today: date) -> Hint:
    """Owners on the records that need one."""
    rows = db.query_rows(f"""
        SELECT 'AI systems', count(*), count(owner) FROM ai_systems WHERE {_ACTIVE}
        UNION ALL SELECT 'open risks', count(*), count(owner) FROM risks
                  WHERE status IN ('open', 'treating')
        UNION ALL SELECT 'applicable controls', count(*), count(owner) FROM soa WHERE applicable
        UNION ALL SELECT 'KPIs', count(*), count(owner) FROM kpis
        UNION ALL SELECT 'subclauses', count(*), count(owner) FROM clause_status""")
    total = sum(r[1] for r in rows)
    owned = sum(r[2] for r in rows)
    if total == 0:
        return Hint((Fact("No record needs an owner yet."),))
    gaps = [f"{r[1] - r[2]} {r[0]}" for r in rows if r[2] < r[1]]
    fact = Fact(f"{_share(owned, total)} records have an owner"
                + (f"; without one: {', '.join(gaps)}" if gaps else ""), "my_work")
    if owned / total >= 0.95:
        return Hint((fact,), at_least=3, reason="owners are named on "
                    f"{round(100 * owned / total)} % of the records")
    if owned / total < 0.8:
        return Hint((fact,), at_most=2, reason="many records have no owner")
    return Hint((fact,))


# --- clause 6 and 8: risk, treatment, impact, objectives -------------------------------------
def risk_criteria(db: Database, today: date) -> Hint:
    tolerance = db.scalar("SELECT value FROM aims_meta WHERE key = 'risk_tolerance'")
    risks = db.scalar("SELECT count(*) FROM risks")
    fact = Fact(f"Risk method: {db.scalar('SELECT max(level) FROM risk_scale') or 0}-point "
                f"scales, tolerance {tolerance or 'not set'}; {risks} risks rated with it.",
                "risk_method")
    if not risks:
        return Hint((fact,), at_most=1, reason="no risk has been assessed with the criteria")
    if tolerance:
        return Hint((fact,), at_least=3, reason="documented risk criteria with a tolerance "
                    "are used for every risk")
    return Hint((fact,))


def risks_per_system(db: Database, today: date) -> Hint:
    active, assessed, unassessed = _row(db, f"""
        SELECT count(*), count(*) FILTER (WHERE n > 0),
               list(name ORDER BY name) FILTER (WHERE n = 0)
        FROM (SELECT s.name, count(r.id) AS n FROM ai_systems s
              LEFT JOIN risks r ON r.ai_system_id = s.id
              WHERE s.{_ACTIVE} GROUP BY s.id, s.name)""")
    if active == 0:
        return Hint((Fact("No AI system is in the inventory yet.", "ai_systems"),), at_most=1,
                    reason="there is nothing to assess yet")
    fact = Fact(f"{_share(assessed, active)} active AI systems have risks in the register"
                + (f"; none for {_names(unassessed)}" if unassessed else ""), "risks")
    if assessed == active:
        return Hint((fact,), at_least=3, reason="every active AI system has assessed risks")
    if assessed / active < 0.5:
        return Hint((fact,), at_most=2, reason=f"only {_share(assessed, active)} AI systems "
                    "have assessed risks")
    return Hint((fact,))


def soa_approved(db: Database, today: date) -> Hint:
    controls, decided = _row(db, "SELECT count(*), count(s.applicable) FROM controls c "
                                 "LEFT JOIN soa s USING (control_id)")
    approval = db.query_rows("SELECT version_no, approved_by, approved_on FROM soa_versions "
                             "ORDER BY version_no DESC LIMIT 1")
    untreated = db.scalar("SELECT count(*) FROM risks r WHERE r.status IN ('open', 'treating') "
                          "AND NOT EXISTS (SELECT 1 FROM risk_controls rc JOIN soa s USING "
                          "(control_id) WHERE rc.risk_id = r.id AND s.applicable)")
    facts = [Fact(f"SoA: {_share(decided, controls)} Annex A controls decided"
                  + (f"; version {approval[0][0]} approved by {approval[0][1]} on "
                     f"{approval[0][2]:%d %b %Y}" if approval else "; no version approved"),
                  "soa"),
             Fact(f"{untreated} open risks have no applicable treating control.", "risks")]
    if decided < controls:
        return Hint(tuple(facts), at_most=2, reason=f"{controls - decided} of {controls} "
                    "Annex A controls are not decided in the SoA")
    if approval:
        return Hint(tuple(facts), at_least=3, reason=f"SoA version {approval[0][0]} is "
                    "approved and every control is decided")
    return Hint(tuple(facts), at_most=2, reason="every control is decided but no SoA "
                "version has been approved")


_NEEDS_ASSESSMENT = (f"s.{_ACTIVE} AND (s.eu_ai_act_category = 'high_risk' OR s.personal_data "
                     "OR s.automated_decisions)")


def impact_coverage(db: Database, today: date) -> Hint:
    needed, assessed, missing = _row(db, f"""
        SELECT count(*), count(*) FILTER (WHERE n > 0),
               list(name ORDER BY name) FILTER (WHERE n = 0)
        FROM (SELECT s.name, count(a.id) AS n FROM ai_systems s
              LEFT JOIN impact_assessments a ON a.ai_system_id = s.id
              WHERE {_NEEDS_ASSESSMENT} GROUP BY s.id, s.name)""")
    if needed == 0:
        return Hint((Fact("No active AI system is high-risk, uses personal data or makes "
                          "automated decisions.", "impact_assessments"),))
    fact = Fact(f"{_share(assessed, needed)} AI systems that are high-risk, use personal data "
                "or decide automatically have an impact assessment"
                + (f"; missing for {_names(missing)}" if missing else ""), "impact_assessments")
    if assessed == needed:
        return Hint((fact,), at_least=3, reason="every system that needs an impact assessment "
                    "has one")
    return Hint((fact,), at_most=2, reason=f"{needed - assessed} systems that need an impact "
                "assessment have none")


def impact_reviews(db: Database, today: date) -> Hint:
    total, overdue = _row(db, "SELECT count(*), count(*) FILTER (WHERE next_review < ?) "
                              "FROM impact_assessments", [today])
    if total == 0:
        return Hint((Fact("No impact assessment is recorded yet.", "impact_assessments"),),
                    at_most=1, reason="no impact assessment exists to repeat")
    fact = Fact(f"{_share(overdue, total)} impact assessments are past their next review "
                "date.", "impact_assessments")
    if overdue:
        return Hint((fact,), at_most=2, reason=f"{overdue} impact-assessment reviews are "
                    "overdue")
    return Hint((fact,), at_least=3, reason="every impact assessment is within its review date")


def objectives_measured(db: Database, today: date) -> Hint:
    total, complete = _row(db, """
        SELECT count(*), count(*) FILTER (WHERE owner IS NOT NULL AND target_date IS NOT NULL
                                          AND EXISTS (SELECT 1 FROM objective_kpis l
                                                      WHERE l.objective_id = o.id))
        FROM objectives o WHERE status <> 'withdrawn'""")
    if total == 0:
        return Hint((Fact("No AI objective is recorded.", "kpis"),), at_most=1,
                    reason="no AI objective is set")
    fact = Fact(f"{_share(complete, total)} AI objectives have an owner, a target date and a "
                "KPI that measures them.", "kpis")
    if complete == total:
        return Hint((fact,), at_least=3, reason="every objective is owned, dated and measured")
    return Hint((fact,), at_most=2, reason=f"{total - complete} objectives lack an owner, a "
                "date or a KPI")


def risk_reviews(db: Database, today: date) -> Hint:
    total, late = _row(db, "SELECT count(*), count(*) FILTER (WHERE review_date IS NULL OR "
                           "review_date < ?) FROM risks WHERE status IN ('open', 'treating')",
                       [today])
    if total == 0:
        return Hint((Fact("No open risk to review.", "risks"),))
    fact = Fact(f"{_share(late, total)} open risks are past their review date or have none.",
                "risks")
    if late == 0:
        return Hint((fact,), at_least=3, reason="every open risk is within its review date")
    if late / total > 0.2:
        return Hint((fact,), at_most=2, reason=f"{_share(late, total)} open risks are not "
                    "reviewed on time")
    return Hint((fact,))


def treatments(db: Database, today: date) -> Hint:
    severe, untreated = _row(db, f"""
        SELECT count(*), count(*) FILTER (WHERE treatment_plan IS NULL AND NOT EXISTS
                                          (SELECT 1 FROM risk_controls rc WHERE rc.risk_id = r.id))
        FROM ({RATED_RISKS_SQL}) r WHERE is_open AND current_level IN ('High', 'Critical')""")
    expired = db.scalar("""
        SELECT count(*) FROM risks r WHERE r.status = 'accepted' AND coalesce(
            (SELECT arg_max(expires_on, approved_on) FROM risk_acceptances a
             WHERE a.risk_id = r.id) < ?, TRUE)""", [today])
    facts = (Fact(f"{_share(untreated, severe)} open high or critical risks have neither a "
                  "treatment plan nor a treating control.", "risks"),
             Fact(f"{expired} accepted risks have an expired or missing acceptance.", "risks"))
    if untreated or expired:
        return Hint(facts, at_most=2, reason="treatment is missing for high or critical "
                    "risks, or residual-risk acceptances have expired")
    if severe:
        return Hint(facts, at_least=3, reason="every open high or critical risk is treated and "
                    "acceptances are current")
    return Hint(facts)


# --- the life cycle, data, suppliers, incidents ---------------------------------------------
def revalidations_high_risk(db: Database, today: date) -> Hint:
    schedule = revalidation_schedule(db, today)
    if schedule.empty:
        return Hint((Fact("No AI system is in validation, deployment or operation yet.",
                          "schedule"),))
    high = schedule[schedule["eu_high_risk"].fillna(False).astype(bool)]
    late_high = high[high["overdue"].astype(bool)]
    late_all = int(schedule["overdue"].astype(bool).sum())
    link = ("schedule", (("schedule_horizon", "Overdue only"),
                         ("schedule_kinds", "Re-validation")))
    facts = [Fact(f"Re-validation overdue or due now: {_share(late_all, len(schedule))} "
                  "systems in validation or operation.", *link)]
    if len(late_high):
        facts.append(Fact(f"Overdue on {_share(len(late_high), len(high))} EU AI Act "
                          f"high-risk systems: {_names(sorted(late_high['name']))}.", *link))
        return Hint(tuple(facts), at_most=2, reason="re-validations are overdue on high-risk "
                    "systems")
    if late_all == 0:
        return Hint(tuple(facts), at_least=3, reason="every system is within its "
                    "re-validation date")
    return Hint(tuple(facts))


def life_cycle(db: Database, today: date) -> Hint:
    stages = db.query_rows(f"SELECT lifecycle_stage, count(*) FROM ai_systems WHERE {_ACTIVE} "
                           "GROUP BY ALL ORDER BY 2 DESC")
    if not stages:
        return Hint((Fact("No AI system is in the inventory yet.", "ai_systems"),), at_most=1,
                    reason="no AI system is recorded")
    return Hint((Fact("Active AI systems by life-cycle stage: "
                      + ", ".join(f"{n} {stage}" for stage, n in stages) + ".",
                      "ai_systems"),))


def data_sources(db: Database, today: date) -> Hint:
    needed, documented, missing = _row(db, f"""
        SELECT count(*), count(*) FILTER (WHERE ok),
               list(name ORDER BY name) FILTER (WHERE NOT ok)
        FROM (SELECT s.name, count(d.id) > 0 AND count(d.id) = count(d.provenance)
                                             AND count(d.id) = count(d.quality_checks) AS ok
              FROM ai_systems s LEFT JOIN ai_data_sources d ON d.ai_system_id = s.id
              WHERE s.{_ACTIVE} AND (s.personal_data OR s.sourcing = 'built')
              GROUP BY s.id, s.name)""")
    if needed == 0:
        return Hint((Fact("No active AI system is built in-house or uses personal data.",
                          "ai_systems"),))
    fact = Fact(f"{_share(documented, needed)} systems built in-house or using personal data "
                "have their data sources recorded with provenance and quality checks"
                + (f"; incomplete for {_names(missing)}" if missing else ""), "ai_systems")
    if documented == needed:
        return Hint((fact,), at_least=3, reason="data provenance and quality checks are "
                    "recorded for every system that needs them")
    if documented / needed < 0.5:
        return Hint((fact,), at_most=2, reason="most systems lack documented data sources")
    return Hint((fact,))


def suppliers(db: Database, today: date) -> Hint:
    total, overdue = _row(db, "SELECT count(*), count(*) FILTER (WHERE next_review < ?) "
                              "FROM suppliers", [today])
    unlinked = db.scalar(f"SELECT count(*) FROM ai_systems WHERE {_ACTIVE} AND sourcing IN "
                         "('bought', 'api', 'saas_embedded') AND supplier_id IS NULL")
    facts = (Fact(f"{_share(overdue, total)} suppliers are past their next review.",
                  "suppliers"),
             Fact(f"{unlinked} third-party AI systems name no supplier.", "ai_systems"))
    if overdue:
        return Hint(facts, at_most=2, reason=f"{overdue} supplier reviews are overdue")
    if total and not unlinked:
        return Hint(facts, at_least=3, reason="every supplier is reviewed on time and every "
                    "third-party system names its supplier")
    return Hint(facts)


def incident_reporting(db: Database, today: date) -> Hint:
    overdue = legal_clocks.running(db, today)
    late_now = int(overdue["overdue"].sum())
    reported = [int(r[0]) for r in db.query_rows(
        "SELECT id FROM incidents WHERE coalesce(ai_act_reported_on, gdpr_reported_on) >= ?",
        [today - timedelta(days=YEAR)])]
    clocks = [c for report in legal_clocks.reporting(db, reported).values()
              for c in report.clocks if c.reported_on is not None]
    late = sum(1 for c in clocks if c.state(today) == "reported late")
    facts = (Fact(f"{late_now} legal reporting deadlines of incidents are overdue now; "
                  f"{_share(len(clocks) - late, len(clocks))} reports in the last 12 months "
                  "were on time.", "incidents"),)
    if late_now or late:
        return Hint(facts, at_most=2, reason="incidents were or are reported late")
    if clocks:
        return Hint(facts, at_least=3, reason="every incident report was made on time")
    return Hint(facts)


def concerns(db: Database, today: date) -> Hint:
    reported = db.scalar("SELECT count(*) FROM incidents WHERE reported_by IS NOT NULL AND "
                         "detected_on >= ?", [today - timedelta(days=YEAR)])
    return Hint((Fact(f"{reported} incidents in the last 12 months name who raised them "
                      "(A.3.3 reporting of concerns).", "incidents"),))


# --- clause 9 and 10: monitoring, audit, review, improvement --------------------------------
def kpis_current(db: Database, today: date) -> Hint:
    periods = " ".join(f"WHEN '{f}' THEN {d}" for f, d in _PERIOD_DAYS.items())
    total, current = _row(db, f"""
        SELECT count(*), count(*) FILTER (WHERE k.target IS NOT NULL AND m.latest >=
                                          $today - CAST(CASE k.frequency {periods} ELSE 31 END
                                                        AS INTEGER))
        FROM kpis k LEFT JOIN (SELECT kpi_id, max(measured_on) AS latest FROM kpi_measurements
                               GROUP BY kpi_id) m ON m.kpi_id = k.id""", {"today": today})
    if total == 0:
        return Hint((Fact("No KPI is defined.", "kpis"),), at_most=1,
                    reason="nothing is measured yet")
    fact = Fact(f"{_share(current, total)} KPIs have a target and a value in their last "
                "period.", "kpis")
    if current / total >= 0.8:
        return Hint((fact,), at_least=3, reason=f"{_share(current, total)} KPIs have targets "
                    "and current values")
    return Hint((fact,), at_most=2, reason=f"only {_share(current, total)} KPIs have a target "
                "and a value in their last period")


def audits_held(db: Database, today: date) -> Hint:
    latest = db.query_rows("SELECT title, held_on FROM audits WHERE status = 'completed' "
                           "ORDER BY held_on DESC LIMIT 1")
    if not latest:
        return Hint((Fact("No internal audit has been completed.", "audits"),), at_most=1,
                    reason="no internal audit has been completed")
    title, held = latest[0]
    fact = Fact(f"Last completed internal audit: {title} ({held:%d %b %Y}).", "audits")
    if held >= today - timedelta(days=YEAR):
        return Hint((fact,), at_least=3, reason="an internal audit was completed in the last "
                    "12 months")
    return Hint((fact,), at_most=2, reason="no internal audit was completed in the last "
                "12 months")


def audit_programme(db: Database, today: date) -> Hint:
    window = {"since": today - timedelta(days=YEAR), "until": today + timedelta(days=YEAR)}
    audits, scoped = _row(db, """
        SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM audit_scope_items i
                                                        WHERE i.audit_id = a.id))
        FROM audits a WHERE status <> 'cancelled'
          AND coalesce(held_on, planned_on) BETWEEN $since AND $until""", window)
    if audits == 0:
        return Hint((Fact("No audit is held or planned within 12 months either side of today.",
                          "audits"),), at_most=1, reason="there is no audit programme")
    flagged = db.scalar(f"""SELECT count(DISTINCT i.audit_id) FROM ({INDEPENDENCE_SQL}) i
                            JOIN audits a ON a.id = i.audit_id WHERE a.status <> 'cancelled'
                              AND coalesce(a.held_on, a.planned_on) BETWEEN $since AND $until""",
                        window)
    facts = (Fact(f"Audit programme: {audits} audits held or planned within 12 months either "
                  f"side of today, {scoped} with a recorded scope.", "audits"),
             Fact(f"{flagged} of them have a lead auditor who would audit their own work.",
                  "audits"))
    if flagged:
        return Hint(facts, at_most=2, reason="some auditors would audit their own work")
    if scoped == audits:
        return Hint(facts, at_least=3, reason="the programme plans audits with their scope and "
                    "independent auditors")
    return Hint(facts)


def _last_review(db: Database, today: date) -> tuple | None:
    found = db.query_rows("SELECT id, review_date, chair, notes FROM management_reviews "
                          "WHERE review_date <= ? AND status <> 'planned' "
                          "ORDER BY review_date DESC LIMIT 1", [today])
    return found[0] if found else None


def reviews_held(db: Database, today: date) -> Hint:
    last = _last_review(db, today)
    if last is None:
        return Hint((Fact("No management review is recorded.", "overview"),), at_most=1,
                    reason="no management review has been held")
    fact = Fact(f"Last management review: {last[1]:%d %b %Y}"
                + (f", chaired by {last[2]}" if last[2] else "") + ".", "overview")
    if last[1] >= today - timedelta(days=YEAR):
        return Hint((fact,), at_least=3, reason="a management review was held in the last "
                    "12 months")
    return Hint((fact,), at_most=2, reason="the last management review is more than 12 months "
                "old")


def review_inputs(db: Database, today: date) -> Hint:
    last = _last_review(db, today)
    if last is None:
        return Hint((Fact("No management review is recorded.", "overview"),), at_most=1,
                    reason="no management review has been held")
    return Hint((Fact(f"The review of {last[1]:%d %b %Y} has "
                      + ("notes recorded." if last[3] else "no notes recorded."),
                      "overview"),))


def review_decisions(db: Database, today: date) -> Hint:
    if _last_review(db, today) is None:
        return Hint((Fact("No management review is recorded.", "overview"),), at_most=1,
                    reason="no management review has been held")
    total, done, late = _row(db, f"""
        SELECT count(*), count(*) FILTER (WHERE status = 'done'),
               count(*) FILTER (WHERE status IN {OPEN_ACTION_STATUSES!r} AND due_on < ?)
        FROM actions WHERE source = 'management_review_decision'""", [today])
    link = ("actions", (("actions_source", "Management review decision"),))
    if total == 0:
        return Hint((Fact("No action comes from a management review decision.", *link),),
                    at_most=2, reason="review decisions are not followed up as actions")
    fact = Fact(f"{total} actions from management review decisions: {done} done, {late} "
                "overdue.", *link)
    return Hint((fact,), at_least=3, reason="review decisions are followed up as actions")


def actions_followed(db: Database, today: date) -> Hint:
    total, done, open_, late = _row(db, f"""
        SELECT count(*), count(*) FILTER (WHERE status = 'done' AND done_on >= $since),
               count(*) FILTER (WHERE status IN {OPEN_ACTION_STATUSES!r}),
               count(*) FILTER (WHERE status IN {OPEN_ACTION_STATUSES!r} AND due_on < $today)
        FROM actions""", {"since": today - timedelta(days=YEAR), "today": today})
    if total == 0:
        return Hint((Fact("The actions list is empty.", "actions"),), at_most=1,
                    reason="no improvement action is recorded")
    fact = Fact(f"Actions: {done} done in the last 12 months; {_share(late, open_)} open ones "
                "overdue.", "actions")
    if open_ and late / open_ > 0.25:
        return Hint((fact,), at_most=2, reason=f"{_share(late, open_)} open actions are "
                    "overdue")
    if done and (not open_ or late / open_ <= 0.1):
        return Hint((fact,), at_least=3, reason="actions are completed and few are overdue")
    return Hint((fact,))


def nonconformities(db: Database, today: date) -> Hint:
    total, effective, late = _row(db, f"""
        SELECT count(*), count(*) FILTER (WHERE status IN ('closed', 'closed_not_effective')
                                          AND effectiveness_checked_on IS NOT NULL),
               count(*) FILTER (WHERE status IN {OPEN_NC_STATUSES!r} AND (
                   effectiveness_due < $today OR EXISTS (
                       SELECT 1 FROM actions a WHERE a.source_table = 'nonconformities'
                         AND a.source_id = n.id AND a.status IN {OPEN_ACTION_STATUSES!r}
                         AND a.due_on < $today)))
        FROM nonconformities n""", {"today": today})
    if total == 0:
        return Hint((Fact("No nonconformity is recorded yet.", "nonconformities"),))
    fact = Fact(f"{total} nonconformities: {effective} closed after an effectiveness check, "
                f"{late} open ones with an overdue action or check.", "nonconformities")
    if late:
        return Hint((fact,), at_most=2, reason=f"{late} open nonconformities are late")
    if effective:
        return Hint((fact,), at_least=3, reason="nonconformities are closed after checking "
                    "that the corrective actions worked")
    return Hint((fact,))


def change_history(db: Database, today: date) -> Hint:
    changes = db.scalar("SELECT count(*) FROM change_log WHERE changed_at >= ?",
                        [today - timedelta(days=90)])
    versions = db.scalar("SELECT count(*) FROM soa_versions")
    return Hint((Fact(f"Every change to the registers is logged with who and when: {changes} in "
                      f"the last 90 days; {versions} approved SoA versions are kept."),))


# Requirement -> the rules that read its evidence, besides the generic ones (the Clauses page
# for a subclause, the SoA for an objective).
RULES: dict[str, tuple[Rule, ...]] = {
    "4.1": (context_issues,),
    "4.2": (interested_parties,),
    "4.3": (scope_statement,),
    "4.4": (processes_in_use,),
    "5.1": (leadership,),
    "5.2": (ai_policy_document, ai_policy),
    "5.3": (aims_roles, owners),
    "6.1.1": (risk_criteria,),
    "6.1.2": (risks_per_system,),
    "6.1.3": (soa_approved,),
    "6.1.4": (impact_coverage,),
    "6.2": (objectives_measured,),
    "7.2": (competence,),
    "7.3": (awareness,),
    "7.5.1": (documents_controlled,),
    "7.5.2": (documents_controlled, change_history),
    "7.5.3": (change_history,),
    "8.1": (life_cycle, revalidations_high_risk),
    "8.2": (risk_reviews,),
    "8.3": (treatments,),
    "8.4": (impact_reviews,),
    "9.1": (kpis_current,),
    "9.2.1": (audits_held,),
    "9.2.2": (audit_programme,),
    "9.3.1": (reviews_held,),
    "9.3.2": (review_inputs,),
    "9.3.3": (review_decisions,),
    "10.1": (actions_followed,),
    "10.2": (nonconformities,),
    "A.3": (concerns, aims_roles),
    "A.4": (awareness,),
    "A.5": (impact_coverage,),
    "A.6": (revalidations_high_risk,),
    "A.7": (data_sources,),
    "A.8": (incident_reporting,),
    "A.10": (suppliers,),
}


def rules_for(requirement_id: str) -> tuple[Rule, ...]:
    generic = soa_objective(requirement_id) if requirement_id.startswith("A.") \
        else clause_status(requirement_id)
    return (*RULES.get(requirement_id, ()), generic)


def combine(requirement_id: str, hints: list[Hint]) -> Suggestion:
    """One suggestion from the hints: the highest floor, capped by the lowest ceiling."""
    facts = tuple(f for h in hints for f in h.facts)
    floors = [h for h in hints if h.at_least is not None]
    ceilings = [h for h in hints if h.at_most is not None]
    floor = max(floors, key=lambda h: h.at_least, default=None)
    ceiling = min(ceilings, key=lambda h: h.at_most, default=None)
    if floor is None and ceiling is None:
        excluded = [h for h in hints if h.not_applicable]
        return Suggestion(requirement_id, facts, not_applicable=bool(excluded),
                          reasons=tuple(h.reason for h in excluded if h.reason))
    if ceiling is not None and (floor is None or ceiling.at_most < floor.at_least):
        # evidence of a problem wins over evidence of a practice
        reasons = [f"at most {ceiling.at_most}: {ceiling.reason}"]
        if floor is not None:
            reasons.append(f"although {floor.reason}")
        return Suggestion(requirement_id, facts, ceiling.at_most, reasons=tuple(reasons))
    reasons = [f"at least {floor.at_least}: {floor.reason}"]
    if ceiling is not None:
        reasons.append(f"at most {ceiling.at_most}: {ceiling.reason}")
    return Suggestion(requirement_id, facts, floor.at_least, reasons=tuple(reasons))


def suggest(db: Database, requirement_id: str, today: date) -> Suggestion:
    """The evidence and the suggested level for one requirement, from the live registers."""
    hints = []
    for rule in rules_for(requirement_id):
        try:
            hint = rule(db, today)
        except duckdb.CatalogException:  # a register this file does not have: skip the hint
            continue
        if hint is not None:
            hints.append(hint)
    return combine(requirement_id, hints)
