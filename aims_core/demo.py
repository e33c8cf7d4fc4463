"""The demo organisation, and synthetic organisations of any size for benchmarks.

Everything is derived from a seed, so the same arguments give the same rows. With the
default twelve systems the generator produces the curated demo (a fictional consumer-finance
SME); larger sizes repeat the same system archetypes with numbered names. Dates are laid out
relative to an anchor date; :func:`shift_dates` moves a loaded demo to "today".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from aims_core.dashboard.overview import Headline, headline
from aims_core.performance.kpis import FIGURES
from aims_core.storage.database import Database

DEMO_ANCHOR = date(2026, 11, 15)
HISTORY_MONTHS = 18
AIMS_OWNER = "Sarah Klein"


@dataclass(frozen=True)
class SystemArchetype:
    name: str
    purpose: str
    owner: str
    department: str
    sourcing: str
    supplier: str | None
    stage: str
    category: str
    annex_iii_area: int | None
    personal_data: bool
    automated_decisions: bool
    human_oversight: str
    affected_people: str
    risk_themes: tuple[int, ...]  # indexes into RISK_TEMPLATES


# fmt: off
ARCHETYPES: tuple[SystemArchetype, ...] = (
    SystemArchetype("CreditLens credit scoring", "Scores consumer loan applications for creditworthiness",
                    "Priya Shah", "Credit Risk", "built", None, "operation", "high_risk", 5, True, True,
                    "Underwriter reviews every decline and borderline score", "Loan applicants",
                    (0, 1, 2, 3, 9)),
    SystemArchetype("TalentSift CV screening", "Ranks job applicants' CVs against vacancy profiles",
                    "Tom Becker", "People & HR", "bought", "HireMatic BV", "operation", "high_risk", 4,
                    True, False, "Recruiter decides; shortlist is advisory", "Job applicants",
                    (0, 1, 4, 10)),
    SystemArchetype("Ask Aldwick customer chatbot", "Answers customer questions on a third-party LLM API",
                    "Lena Novak", "Customer Service", "api", "Nimbus LLM Cloud", "operation", "transparency",
                    None, True, False, "Escalation to an agent on request or low confidence", "Customers",
                    (5, 6, 7, 11)),
    SystemArchetype("FraudGuard transaction screening", "Flags card and loan transactions for fraud review",
                    "Marco Rossi", "Financial Crime", "built", None, "operation", "minimal", None, True, False,
                    "Analyst confirms every block", "Customers", (2, 3, 8)),
    SystemArchetype("DocuRead document extraction", "Extracts fields from payslips and bank statements",
                    "Lena Novak", "Operations", "api", "Scriptly OCR", "operation", "minimal", None, True,
                    False, "Low-confidence fields go to manual keying", "Loan applicants", (3, 8, 12)),
    SystemArchetype("CampaignHub copy assistant", "Drafts marketing copy inside the marketing suite",
                    "Julia Hart", "Marketing", "saas_embedded", "CampaignHub Inc.", "operation",
                    "transparency", None, False, False, "Marketing lead approves all published copy",
                    "Prospects and public", (6, 7, 13)),
    SystemArchetype("ChurnRadar retention model", "Predicts which customers are likely to leave",
                    "Priya Shah", "Analytics", "built", None, "validation", "minimal", None, True, False,
                    "Retention team chooses offers", "Customers", (2, 9, 14)),
    SystemArchetype("Collections prioritiser", "Orders overdue accounts for collection calls",
                    "Marco Rossi", "Collections", "built", None, "development", "minimal", None, True,
                    False, "Agents may re-order the queue", "Customers in arrears", (0, 4, 14)),
    SystemArchetype("DevPilot code assistant", "Suggests code in the developers' IDE",
                    "Ben Okafor", "IT", "saas_embedded", "DevTools Cloud", "operation", "minimal", None,
                    False, False, "Code review before merge", "Developers", (11, 12, 13)),
    SystemArchetype("PeopleCore performance insights", "Scores employee performance inside the HR suite",
                    "Tom Becker", "People & HR", "saas_embedded", "PeopleCore SE", "deployment",
                    "high_risk", 4, True, False, "Managers must confirm any rating", "Employees",
                    (0, 1, 4, 10)),
    SystemArchetype("MeetNotes transcription", "Transcribes and summarises internal meetings",
                    "Ben Okafor", "IT", "saas_embedded", "MeetNotes Ltd", "operation", "minimal", None, True,
                    False, "Summaries are drafts for the meeting owner", "Staff", (5, 11, 12)),
    SystemArchetype("IncomeCheck categoriser", "Categorises bank-statement lines to verify income",
                    "Priya Shah", "Credit Risk", "bought", "FinSight AB", "design", "not_assessed", None,
                    True, False, "Underwriter sees every category", "Loan applicants", (2, 3, 8)),
)

# (title, risk source C.3.x, objective C.2.x, likelihood, impact, controls treating it)
RISK_TEMPLATES: tuple[tuple[str, str, str, int, int, tuple[str, ...]], ...] = (
    ("Biased outcomes against protected groups", "C.3.4", "C.2.5", 3, 5, ("A.5.4", "A.7.4", "A.6.2.4")),
    ("Decisions cannot be explained to affected people", "C.3.2", "C.2.11", 3, 4, ("A.8.2", "A.6.2.7")),
    ("Model performance drifts after deployment", "C.3.6", "C.2.8", 4, 3, ("A.6.2.6", "A.6.2.4")),
    ("Training data of poor or unknown quality", "C.3.4", "C.2.3", 3, 4, ("A.7.4", "A.7.5", "A.7.3")),
    ("Over-reliance on automated ranking by staff", "C.3.3", "C.2.1", 3, 4, ("A.9.3", "A.9.4", "A.3.2")),
    ("Personal data leaks through prompts or transcripts", "C.3.1", "C.2.7", 3, 4, ("A.7.2", "A.10.3")),
    ("Generated answers or copy are false or misleading", "C.3.4", "C.2.11", 4, 3, ("A.8.2", "A.9.4")),
    ("People not told they are dealing with AI", "C.3.2", "C.2.11", 2, 3, ("A.8.2", "A.8.5")),
    ("Adversarial inputs evade detection", "C.3.1", "C.2.10", 2, 4, ("A.6.2.4", "A.6.2.8")),
    ("Model used outside its intended purpose", "C.3.6", "C.2.1", 2, 4, ("A.9.4", "A.6.2.2")),
    ("Supplier changes the model without notice", "C.3.7", "C.2.6", 3, 3, ("A.10.3", "A.10.2")),
    ("Service outage of third-party AI provider", "C.3.5", "C.2.8", 2, 3, ("A.10.3", "A.4.5")),
    ("Insufficient logging to investigate incidents", "C.3.6", "C.2.1", 3, 3, ("A.6.2.8", "A.8.4")),
    ("Intellectual-property claims on generated content", "C.3.7", "C.2.1", 2, 3, ("A.10.3", "A.2.3")),
    ("Unfair treatment of vulnerable customers", "C.3.3", "C.2.5", 2, 5, ("A.5.4", "A.5.5", "A.9.2")),
)

ORG_RISKS = (
    ("No overview of AI tools used by staff (shadow AI)", "C.3.1", "C.2.1", 4, 3, ("A.4.2", "A.9.2")),
    ("AI competence gaps in teams that use AI", "C.3.7", "C.2.2", 3, 3, ("A.4.6", "A.3.2")),
    ("EU AI Act obligations missed for high-risk systems", "C.3.1", "C.2.1", 2, 5, ("A.5.2", "A.2.2")),
    ("Energy use of AI workloads not tracked", "C.3.5", "C.2.4", 2, 2, ()),  # no control yet
)

# (name, unit, direction, target, amber, red, kind, archetype index or None, control, base, noise)
KPI_TEMPLATES = (
    ("SoA controls implemented", "%", "higher", 90, 75, 60, "computed", None, "A.2.2", 5, 0),
    ("Open high and critical risks", "count", "lower", 2, 5, 8, "computed", None, "A.5.2", 12, 0),
    ("Overdue re-validations", "count", "lower", 0, 1, 3, "computed", None, "A.6.2.4", 2, 0),
    ("CreditLens AUC", "ratio", "higher", 0.80, 0.76, 0.72, "measured", 0, "A.6.2.6", 0.82, 0.01),
    ("CreditLens population stability (PSI)", "index", "lower", 0.10, 0.20, 0.25, "measured", 0,
     "A.6.2.6", 0.05, 0.02),
    ("TalentSift selection-rate ratio (4/5 rule)", "ratio", "higher", 0.90, 0.80, 0.75, "measured", 1,
     "A.5.4", 0.88, 0.03),
    ("Chatbot answers rated wrong", "%", "lower", 2, 4, 6, "measured", 2, "A.6.2.6", 3.0, 0.6),
    ("FraudGuard precision", "%", "higher", 85, 80, 75, "measured", 3, "A.6.2.6", 87, 1.5),
    ("Complaints about AI-supported decisions", "count", "lower", 3, 6, 10, "measured", None, "A.3.3",
     4, 1.5),
    ("Staff with AI awareness training", "%", "higher", 95, 85, 70, "measured", None, "A.4.6", 70, 2),
)
# The register figure each computed KPI template records (aims_core/kpis.py).
COMPUTED_CODES = {"SoA controls implemented": "soa_implemented_pct",
                  "Open high and critical risks": "high_critical_risks_open",
                  "Overdue re-validations": "revalidations_overdue"}

# (title, description, owner, months to target date, status, names of the KPIs that measure it)
OBJECTIVES = (
    ("Keep every AI model within its performance and drift limits",
     "Models in production stay at or above their validated accuracy, and drift is caught "
     "before customers notice.", "Priya Shah", 6, "at_risk",
     ("CreditLens AUC", "CreditLens population stability (PSI)", "FraudGuard precision",
      "Chatbot answers rated wrong")),
    ("Fair outcomes for applicants and customers",
     "No group of applicants or customers is treated worse by an AI-supported decision.",
     "Tom Becker", 9, "on_track",
     ("TalentSift selection-rate ratio (4/5 rule)", "Complaints about AI-supported decisions")),
    ("Ready for ISO/IEC 42001 certification",
     "Applicable Annex A controls implemented, high risks treated and every AI system "
     "re-validated on time before the stage 1 audit.", AIMS_OWNER, 8, "at_risk",
     ("SoA controls implemented", "Open high and critical risks", "Overdue re-validations")),
    ("Everyone who uses AI knows its risks",
     "Staff who build, buy or use AI complete the awareness training every year.",
     AIMS_OWNER, 12, "on_track", ("Staff with AI awareness training",)),
)
# fmt: on

_NO_AREA = {"art5_practices": ["none"], "annex_i": "no", "annex_iii_area": "0",
            "gpai_provider": "no"}
# EU AI Act triage answers per archetype (None: not yet assessed). Each must lead to the
# archetype's category; the generator checks it.
TRIAGE_ANSWERS: tuple[dict | None, ...] = (
    {**_NO_AREA, "role": "both", "annex_iii_area": "5", "area5_point": "b", "profiling": "yes",
     "fria_public_service": "no", "art50_cases": ["none"]},
    {**_NO_AREA, "role": "deployer", "annex_iii_area": "4", "profiling": "yes",
     "fria_public_service": "no", "art50_cases": ["none"]},
    {**_NO_AREA, "role": "deployer", "art50_cases": ["interacts"]},
    {**_NO_AREA, "role": "both", "art50_cases": ["none"]},
    {**_NO_AREA, "role": "deployer", "art50_cases": ["none"]},
    {**_NO_AREA, "role": "deployer", "art50_cases": ["generates"],
     "placed_before_aug_2026": "yes"},
    {**_NO_AREA, "role": "both", "art50_cases": ["none"]},
    {**_NO_AREA, "role": "both", "art50_cases": ["none"]},
    {**_NO_AREA, "role": "deployer", "art50_cases": ["none"]},
    {**_NO_AREA, "role": "deployer", "annex_iii_area": "4", "profiling": "yes",
     "fria_public_service": "no", "art50_cases": ["none"]},
    {**_NO_AREA, "role": "deployer", "art50_cases": ["none"]},
    None,
)

SOA_EXCLUSIONS = {
    "A.10.4": "We supply no AI system or AI-based service to customers of our own; revisit if "
    "the chatbot is offered to partner firms.",
}

# Why each objective's controls are included (the exclusions above say why not).
SOA_JUSTIFICATIONS = {
    "A.2": "Our AI policy is the basis of the AIMS; the board approves and reviews it yearly.",
    "A.3": "Credit and HR decisions use AI: roles and a route to raise concerns must be clear.",
    "A.4": "We build and run models in-house: data, tooling, compute and people must be known.",
    "A.5": "Two EU AI Act high-risk systems (credit scoring, CV screening) need impact "
    "assessments before use and on change.",
    "A.6": "We develop CreditLens, FraudGuard and ChurnRadar in-house across the whole life "
    "cycle.",
    "A.7": "Our models are trained and run on customer and applicant personal data.",
    "A.8": "Customers and applicants must be told about AI use, and incidents reported.",
    "A.9": "Staff rely on AI outputs in lending, hiring and customer service.",
    "A.10": "Several AI systems are bought, used through third-party APIs or embedded in SaaS.",
}
# Changes besides implementation progress: control -> (months before the anchor, values).
# Ten months back falls between the two approvals; two months back is not yet approved.
SOA_REVISIONS = {
    "A.5.4": (10, {"justification": "Two EU AI Act high-risk systems need impact assessments;"
                   " PeopleCore performance scoring now affects employees too."}),
    "A.9.3": (10, {"owner": "Lena Novak"}),
    "A.6.2.8": (10, {"owner": "Ben Okafor", "justification": "Event logs must be kept six "
                     "months for our high-risk systems (EU AI Act Art. 12, 19) and to "
                     "investigate incidents."}),
    "A.3.3": (10, {"owner": "Tom Becker"}),
    "A.8.3": (2, {"owner": "Lena Novak", "justification": "We report on AI use to the "
                  "regulator and publish an AI statement for customers."}),
}
SOA_APPROVER = "Daniel Price (CEO)"
# (months before the anchor, note): each approved after a management review.
SOA_APPROVALS = (
    (14, "First SoA, approved at the management review."),
    (5, "Re-approved at the management review: progress on A.5-A.7, new owners for A.3.3 and "
        "A.9.3, logging justification revised."),
)
CLAUSE_STATUSES = {
    "implemented": ("4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1.1", "6.1.2", "6.1.3",
                    "7.5.1", "8.1", "8.2", "9.3.1", "9.3.2", "9.3.3"),
    "partial": ("6.1.4", "6.2", "7.1", "7.2", "7.3", "7.4", "7.5.2", "7.5.3", "8.3", "8.4",
                "9.1"),
    "planned": ("6.3", "9.2.1", "9.2.2", "10.2"),
    "not_started": ("10.1",),
}
CLAUSE_OWNERS = {"5": "Daniel Price (CEO)", "7": "Tom Becker", "9": "Ben Okafor"}
CLAUSE_NOTES = {
    "6.1.4": "Impact assessments done for CreditLens and TalentSift; PeopleCore pending.",
    "7.2": "AI awareness training at 70 %; target 95 % by year end.",
    "9.2.1": "First internal audit of the AIMS booked with an external auditor.",
    "10.1": "No improvement process yet beyond corrective actions.",
}


def _months_before(anchor: date, months: int) -> date:
    year, month = divmod(anchor.year * 12 + anchor.month - 1 - months, 12)
    return date(year, month + 1, min(anchor.day, 28))


class _History:
    """Collects change-log rows whose last 'after' state equals the final row."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def record(self, table: str, states: list[tuple[datetime, str, dict]]) -> int:
        """Log a row's successive states; returns its final version."""
        before = None
        for version, (when, who, state) in enumerate(states, start=1):
            after = {**state, "version": version}
            self.rows.append((table, after["id"], "insert" if before is None else "update", who,
                              when, before, after))
            before = after
        return len(states)

    def frame(self, table: str | None = None) -> pd.DataFrame:
        """The change log so far (of one ``table`` only, if given)."""

        def dump(row: dict | None) -> str | None:
            if row is None:
                return None
            return json.dumps({k: v.isoformat() if isinstance(v, date) else v
                               for k, v in row.items()}, ensure_ascii=False)

        rows = [r for r in self.rows if r[0] == table] if table else self.rows
        frame = pd.DataFrame(rows, columns=["table_name", "row_id", "operation", "changed_by",
                                            "changed_at", "before", "after"])
        frame = frame.sort_values(["changed_at", "table_name", "row_id"], kind="stable")
        frame["before_json"] = [dump(r) for r in frame.pop("before")]
        frame["after_json"] = [dump(r) for r in frame.pop("after")]
        frame.insert(0, "id", np.arange(1, len(frame) + 1))
        return frame.reset_index(drop=True)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0))


def generate(systems: int = 12, seed: int = 42, anchor: date = DEMO_ANCHOR,
             risks_per_system: int | None = None, kpi_points_per_system: int | None = None,
             ) -> dict[str, pd.DataFrame]:
    """All register frames (plus ``change_log``) for an organisation of ``systems`` systems."""
    rng = np.random.default_rng(seed)
    start = _months_before(anchor, HISTORY_MONTHS)
    history = _History()
    scale = systems > len(ARCHETYPES)
    frames: dict[str, pd.DataFrame] = {}

    organisation = {
        "id": 1, "name": "Aldwick Finance Ltd",
        "scope_statement": "Design, procurement and use of AI systems supporting consumer lending, "
        "hiring and customer service at Aldwick Finance Ltd (UK and EU operations).",
        "ai_roles": "developer, provider, deployer",
        "interested_parties": "Customers (fair, explained decisions); applicants (non-discrimination);"
        " regulators (EU AI Act, consumer credit rules); staff (training, oversight duties); "
        "suppliers (contract clarity)",
    }
    organisation["version"] = history.record("organisation", [(_at(start), AIMS_OWNER,
                                                               dict(organisation))])
    frames["organisation"] = pd.DataFrame([organisation])

    frames["suppliers"] = _suppliers(start, anchor, history)
    supplier_ids = dict(zip(frames["suppliers"]["name"], frames["suppliers"]["id"], strict=True))
    sys_rows = _systems(systems, rng, start, anchor, history, supplier_ids)
    frames["ai_systems"] = pd.DataFrame(sys_rows)
    frames["ai_data_sources"] = _data_sources(sys_rows, start, history)
    frames["triage_assessments"] = _triage(sys_rows, history)
    per_system = risks_per_system or (25 if scale else None)
    risks, links = _risks(sys_rows, rng, start, anchor, history, per_system)
    assessments, impacts, raised = _impact_assessments(sys_rows, anchor, history, len(risks) + 1)
    frames["risks"] = pd.concat([risks, raised], ignore_index=True)
    frames["risk_controls"] = links
    frames["risk_acceptances"] = _acceptances(frames["risks"], rng, anchor, history)
    frames["impact_assessments"], frames["impacts"] = assessments, impacts
    frames["soa"], timelines = _soa(rng, start, anchor, history)
    frames["soa_versions"], frames["soa_version_items"] = _soa_versions(timelines, anchor,
                                                                        history)
    frames["clause_status"] = _clause_status(start, anchor, history)
    frames["validations"] = _validations(sys_rows, rng, anchor, history)
    kpis, points = _kpis(frames, rng, start, anchor, history, kpi_points_per_system)
    frames["kpis"], frames["kpi_measurements"] = kpis, points
    frames["objectives"], frames["objective_kpis"] = _objectives(kpis, start, anchor, history)
    frames["management_reviews"] = _reviews(anchor, history)
    frames["change_log"] = history.frame()
    return frames


def _suppliers(start: date, anchor: date, history: _History) -> pd.DataFrame:
    names = sorted({a.supplier for a in ARCHETYPES if a.supplier})
    provides = {a.supplier: a.purpose for a in ARCHETYPES if a.supplier}
    rows = []
    for i, name in enumerate(names, 1):
        checked = _months_before(anchor, 3 + (i * 5) % 14)
        row = {"id": i, "name": name, "provides": provides[name], "owner": AIMS_OWNER,
               "contract_ai_clauses": i % 3 != 0,
               "contract_notes": "AI addendum: model change notice, data use limits, audit "
               "rights" if i % 3 else "Standard SaaS terms; AI addendum under negotiation",
               "last_due_diligence": checked, "next_review": _months_before(checked, -12)}
        row["version"] = history.record("suppliers", [(_at(start + timedelta(days=i)),
                                                       AIMS_OWNER, dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)


# Data sources per archetype: (name, provenance, personal data, quality checks)
_DATA_SOURCES = {
    "built": ("Internal records extract", "Own core systems, nightly export", True,
              "Completeness and range checks per load; drift report monthly"),
    "bought": ("Vendor-trained model + our labelled sample", "Supplier training data "
               "(described in contract) and 2,000 labelled internal cases", True,
               "Quarterly sample re-labelled by two reviewers"),
    "api": ("Prompts and uploaded documents", "Customer input at run time; sent to the "
            "API provider under the data-processing agreement", True,
            "PII redaction before sending; weekly sample review"),
    "saas_embedded": ("Content inside the SaaS tool", "Staff-created content in the "
                      "vendor's tenant", False, "Vendor statement; no own checks yet"),
}


def _data_sources(systems: list[dict], start: date, history: _History) -> pd.DataFrame:
    rows = []
    for system in systems:
        name, provenance, personal, checks = _DATA_SOURCES[system["sourcing"]]
        row = {"id": len(rows) + 1, "ai_system_id": system["id"], "name": name,
               "provenance": provenance, "personal_data": personal and system["personal_data"],
               "quality_checks": checks}
        row["version"] = history.record("ai_data_sources", [(_at(system["created_on"], 12),
                                                             system["owner"], dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)


def _triage(systems: list[dict], history: _History) -> pd.DataFrame:
    from aims_core.inventory.triage import triage

    rows = []
    for system in systems:
        answers = TRIAGE_ANSWERS[(system["id"] - 1) % len(ARCHETYPES)]
        if answers is None:
            continue
        result = triage(answers)
        if result.category != system["eu_ai_act_category"]:
            raise AssertionError(f"demo triage of {system['name']} gives {result.category}")
        day = system["created_on"] + timedelta(days=20)
        row = {"id": len(rows) + 1, "ai_system_id": system["id"], "assessed_on": day,
               "assessed_by": AIMS_OWNER, "answers_json": json.dumps(answers, sort_keys=True),
               "category": result.category, "annex_iii_area": result.annex_iii_area,
               "reasoning": result.reasoning_text()}
        row["version"] = history.record("triage_assessments", [(_at(day, 15), AIMS_OWNER,
                                                                dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)


def _systems(n: int, rng: np.random.Generator, start: date, anchor: date,
             history: _History, supplier_ids: dict[str, int]) -> list[dict]:
    rows = []
    span = (anchor - start).days
    for i in range(n):
        arch = ARCHETYPES[i % len(ARCHETYPES)]
        batch = i // len(ARCHETYPES)
        name = arch.name if batch == 0 else f"{arch.name} #{batch + 1}"
        created = start + timedelta(days=int(rng.integers(0, span // 3)))
        row = {
            "id": i + 1, "name": name, "purpose": arch.purpose, "owner": arch.owner,
            "department": arch.department, "sourcing": arch.sourcing,
            "supplier_id": supplier_ids.get(arch.supplier),
            "lifecycle_stage": arch.stage, "model_version": f"{1 + batch % 3}.{i % 7}",
            "eu_ai_act_category": arch.category, "annex_iii_area": arch.annex_iii_area,
            "personal_data": arch.personal_data, "automated_decisions": arch.automated_decisions,
            "human_oversight": arch.human_oversight, "affected_people": arch.affected_people,
            "created_on": created, "retired_on": None,
        }
        states = [(_at(created), arch.owner, row)]
        if arch.stage == "operation" and i % 3 == 0:
            # The system went live during the period: record the stage change.
            went_live = created + timedelta(days=int(rng.integers(30, 120)))
            states = [(_at(created), arch.owner, {**row, "lifecycle_stage": "deployment"}),
                      (_at(went_live), arch.owner, row)]
        row["version"] = history.record("ai_systems", states)
        rows.append(row)
    return rows


def _risks(systems: list[dict], rng: np.random.Generator, start: date, anchor: date,
           history: _History, per_system: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows: list[dict] = []
    links: list[dict] = []
    picks: list[tuple[int | None, tuple]] = []
    for system in systems:
        arch = ARCHETYPES[(system["id"] - 1) % len(ARCHETYPES)]
        themes = list(arch.risk_themes)
        if per_system:
            themes = list(rng.choice(len(RISK_TEMPLATES), size=per_system))
        elif system["id"] % 4 == 0:
            themes = themes[:2]  # keep the demo at about forty risks
        picks += [(system["id"], RISK_TEMPLATES[t]) for t in themes]
    picks += [(None, template) for template in ORG_RISKS]
    owners = {s["id"]: s["owner"] for s in systems}
    for rid, (system_id, (title, source, objective, lik, imp, controls)) in enumerate(picks, 1):
        inherent_l = int(np.clip(lik + rng.integers(-1, 2), 1, 5))
        inherent_i = int(np.clip(imp + rng.integers(-1, 1), 1, 5))
        identified = start + timedelta(days=int(rng.integers(0, 200)))
        owner = owners.get(system_id, AIMS_OWNER)
        row = {
            "id": rid, "ai_system_id": system_id, "title": title,
            "description": f"{title} for this system." if system_id else title,
            "risk_source": source, "objective_affected": objective, "owner": owner,
            "inherent_likelihood": inherent_l, "inherent_impact": inherent_i,
            "residual_likelihood": None, "residual_impact": None, "treatment": None,
            "treatment_plan": None, "status": "open", "identified_on": identified,
            "impact_id": None,
            "review_date": identified + timedelta(days=90),
        }
        states = [(_at(identified), owner, dict(row))]
        roll = rng.random()
        if roll < 0.8:  # most risks were assessed and treated later in the period
            treated = identified + timedelta(days=int(rng.integers(20, 150)))
            treatment = "accept" if inherent_l * inherent_i <= 6 else \
                ("transfer" if rng.random() < 0.1 else "mitigate")
            drop = 0 if treatment == "accept" else int(rng.integers(1, 3))
            row.update(
                residual_likelihood=max(1, inherent_l - drop),
                residual_impact=max(1, inherent_i - (1 if drop == 2 else 0)),
                treatment=treatment,
                treatment_plan="Apply the linked controls and monitor the KPI"
                if treatment != "accept" else "Within tolerance; review yearly",
                status="accepted" if treatment == "accept" else
                ("closed" if roll < 0.15 else "treating"),
                review_date=max(treated, anchor + timedelta(days=int(rng.integers(-45, 330)))),
            )
            states.append((_at(treated, 15), owner, dict(row)))
        row["version"] = history.record("risks", states)
        rows.append(row)
        for control in controls:
            link = {"id": len(links) + 1, "risk_id": rid, "control_id": control}
            link["version"] = history.record("risk_controls", [(_at(identified, 11), owner, link)])
            links.append(link)
    return pd.DataFrame(rows), pd.DataFrame(links)


IMPACT_TEMPLATES = (
    ("individuals", "A person is wrongly refused or rated low and cannot tell why", 4, 3,
     "Reason codes on every outcome; human review on request"),
    ("groups", "Lower approval rates for a protected group through proxy variables", 4, 3,
     "Quarterly disparate-impact test; remove proxies found"),
    ("society", "Loss of public trust in automated decisions about people", 3, 2,
     "Publish how the system is used and overseen"),
)


def _impact_assessments(systems: list[dict], anchor: date, history: _History,
                        first_risk_id: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """An impact assessment per EU high-risk system; its first impact raised as a risk."""
    assessments, impacts, raised = [], [], []
    for system in (s for s in systems if s["eu_ai_act_category"] == "high_risk"):
        day = anchor - timedelta(days=120 + 7 * len(assessments))
        arch = ARCHETYPES[(system["id"] - 1) % len(ARCHETYPES)]
        assessment = {
            "id": len(assessments) + 1, "ai_system_id": system["id"],
            "intended_use": system["purpose"],
            "foreseeable_misuse": "Used as the only basis of a decision, without the human "
                                  "review the procedure requires",
            "affected_individuals": system["affected_people"],
            "affected_groups": "Groups protected by equality law among the "
                               + str(system["affected_people"]).lower(),
            "societal_impact": "Fair access to credit and work", "reviewer": AIMS_OWNER,
            "assessed_on": day, "next_review": day + timedelta(days=365)}
        assessment["version"] = history.record("impact_assessments",
                                               [(_at(day), AIMS_OWNER, dict(assessment))])
        assessments.append(assessment)
        for affected, text, severity, likelihood, mitigation in IMPACT_TEMPLATES:
            impact = {"id": len(impacts) + 1, "impact_assessment_id": assessment["id"],
                      "affected": affected, "description": text, "severity": severity,
                      "likelihood": likelihood, "mitigation": mitigation}
            impact["version"] = history.record("impacts", [(_at(day, 11), AIMS_OWNER,
                                                            dict(impact))])
            impacts.append(impact)
        first = impacts[-len(IMPACT_TEMPLATES)]
        risk = {"id": first_risk_id + len(raised), "ai_system_id": system["id"],
                "title": first["description"],
                "description": "Raised from the AI system impact assessment (6.1.4).",
                "risk_source": "C.3.4", "objective_affected": "C.2.5", "owner": arch.owner,
                "inherent_likelihood": first["likelihood"], "inherent_impact": first["severity"],
                "residual_likelihood": None, "residual_impact": None, "treatment": "mitigate",
                "treatment_plan": first["mitigation"], "status": "open", "identified_on": day,
                "review_date": day + timedelta(days=90), "impact_id": first["id"]}
        risk["version"] = history.record("risks", [(_at(day, 12), AIMS_OWNER, dict(risk))])
        raised.append(risk)
    return pd.DataFrame(assessments), pd.DataFrame(impacts), pd.DataFrame(raised)


def _acceptances(risks: pd.DataFrame, rng: np.random.Generator, anchor: date,
                 history: _History) -> pd.DataFrame:
    """A year-long acceptance for every accepted risk; the older ones have expired."""
    rows = []
    for risk in risks[risks["status"] == "accepted"].itertuples():
        approved = anchor - timedelta(days=int(rng.integers(30, 500)))
        row = {"id": len(rows) + 1, "risk_id": risk.id, "approved_by": AIMS_OWNER,
               "approved_on": approved,
               "justification": "Residual risk within the tolerance set by top management",
               "expires_on": approved + timedelta(days=365)}
        row["version"] = history.record("risk_acceptances", [(_at(approved), AIMS_OWNER,
                                                              dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)


def _soa(rng: np.random.Generator, start: date, anchor: date,
         history: _History) -> tuple[pd.DataFrame, dict[str, list[tuple[datetime, str, dict]]]]:
    """The SoA rows and, per control, its dated states (for the approved versions)."""
    from aims_core.catalogue import read_catalogue_csv

    controls = read_catalogue_csv("controls")[["control_id", "objective_id"]]
    owners = ["Sarah Klein", "Priya Shah", "Tom Becker", "Ben Okafor", "Lena Novak"]
    ladder = ["not_started", "planned", "partial", "implemented"]
    rows, timelines = [], {}
    for i, (control, objective) in enumerate(controls.itertuples(index=False), 1):
        excluded = control in SOA_EXCLUSIONS
        reached = 0 if excluded else int(rng.choice(4, p=[0.1, 0.2, 0.3, 0.4]))
        owner = owners[i % len(owners)]
        base = {
            "id": i, "control_id": control, "applicable": not excluded,
            "justification": SOA_EXCLUSIONS.get(control, SOA_JUSTIFICATIONS[objective]),
            "implementation_status": "not_started", "owner": owner if i % 9 else None,
            "evidence": None, "evidence_expiry": None, "last_reviewed": None,
            "target_date": _months_before(anchor, -int(rng.integers(1, 9))),
        }
        # Dated changes: each step up the ladder, then the revisions of SOA_REVISIONS.
        events: list[tuple[date, dict]] = []
        when = start + timedelta(days=20)
        for step in range(1, reached + 1):
            when = when + timedelta(days=int(rng.integers(30, 110)))
            patch = {"implementation_status": ladder[step], "last_reviewed": min(when, anchor)}
            if ladder[step] == "implemented":
                patch["evidence"] = f"AIMS-DOC-{100 + i}: procedure and records"
                patch["evidence_expiry"] = when + timedelta(days=int(rng.integers(200, 500)))
            events.append((min(when, anchor), patch))
        if control in SOA_REVISIONS:
            months, values = SOA_REVISIONS[control]
            day = _months_before(anchor, months)
            events.append((day, {**values, "last_reviewed": day}))
        states = [(_at(start + timedelta(days=20)), AIMS_OWNER, dict(base))]
        for day, patch in sorted(events, key=lambda e: e[0]):
            base = {**base, **patch}
            states.append((_at(day), base["owner"] or AIMS_OWNER, dict(base)))
        base["version"] = history.record("soa", states)
        rows.append(base)
        timelines[control] = states
    return pd.DataFrame(rows), timelines


def _soa_versions(timelines: dict[str, list[tuple[datetime, str, dict]]], anchor: date,
                  history: _History) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The SoA approved after each management review, as it stood on that day."""
    versions, items = [], []
    for number, (months, note) in enumerate(SOA_APPROVALS, 1):
        day = _months_before(anchor, months)
        version = {"id": number, "version_no": number, "approved_by": SOA_APPROVER,
                   "approved_on": day, "note": note}
        version["version"] = history.record("soa_versions", [(_at(day, 17), AIMS_OWNER,
                                                              dict(version))])
        versions.append(version)
        for states in timelines.values():
            state = [s for when, _, s in states if when.date() <= day][-1]
            item = {"id": len(items) + 1, "version_no": number,
                    **{k: v for k, v in state.items() if k not in ("id", "version")}}
            item["version"] = history.record("soa_version_items", [(_at(day, 17), AIMS_OWNER,
                                                                    dict(item))])
            items.append(item)
    return pd.DataFrame(versions), pd.DataFrame(items)


def _clause_status(start: date, anchor: date, history: _History) -> pd.DataFrame:
    from aims_core.catalogue import read_catalogue_csv

    clauses = read_catalogue_csv("clauses")
    leaves = clauses.loc[clauses["is_leaf"] == "true", "clause_id"].tolist()
    status_of = {c: status for status, ids in CLAUSE_STATUSES.items() for c in ids}
    if sorted(status_of) != sorted(leaves):
        raise AssertionError("CLAUSE_STATUSES must name each leaf clause once")
    rows = []
    for i, clause in enumerate(leaves, 1):
        main = clause.split(".")[0]
        status = status_of[clause]
        reviewed = _months_before(anchor, 1 + i % 7)
        row = {"id": i, "clause_id": clause, "status": status,
               "owner": CLAUSE_OWNERS.get(main, AIMS_OWNER),
               "evidence": None if status == "not_started" else f"AIMS-MAN-{i:02d}: manual "
               f"section {clause}", "notes": CLAUSE_NOTES.get(clause),
               "last_reviewed": None if status == "not_started" else reviewed}
        first = {**row, "status": "not_started", "evidence": None, "notes": None,
                 "last_reviewed": None}
        states = [(_at(start + timedelta(days=10)), AIMS_OWNER, first)]
        if row != first:
            states.append((_at(reviewed, 11), row["owner"], dict(row)))
        row["version"] = history.record("clause_status", states)
        rows.append(row)
    return pd.DataFrame(rows)


def _kpis(frames: dict[str, pd.DataFrame], rng: np.random.Generator, start: date, anchor: date,
          history: _History, points_per_system: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    systems = frames["ai_systems"].to_dict("records")
    kpis = []
    for name, unit, direction, target, amber, red, kind, arch, control, *_ in KPI_TEMPLATES:
        kpis.append({"name": name, "unit": unit, "direction": direction, "target": float(target),
                     "amber_threshold": float(amber), "red_threshold": float(red),
                     "frequency": "monthly", "kind": kind, "control_id": control,
                     "code": COMPUTED_CODES.get(name),
                     "ai_system_id": None if arch is None else arch + 1,
                     "owner": AIMS_OWNER if arch is None else ARCHETYPES[arch].owner})
    for system in systems[len(ARCHETYPES):]:
        kpis.append({"name": f"{system['name']} accuracy", "unit": "%", "direction": "higher",
                     "target": 90.0, "amber_threshold": 85.0, "red_threshold": 80.0,
                     "frequency": "weekly", "kind": "measured", "control_id": "A.6.2.6",
                     "code": None, "ai_system_id": system["id"], "owner": system["owner"]})
    for i, kpi in enumerate(kpis, 1):
        kpi["id"] = i
        kpi["description"] = f"{kpi['name']} ({'higher' if kpi['direction'] == 'higher' else 'lower'}"\
            " is better)"
        kpi["version"] = history.record("kpis", [(_at(start), kpi["owner"], dict(kpi))])

    # Month starts before the anchor day (18 of them, whatever the anchor's day of month).
    months = pd.date_range(start, anchor - timedelta(days=1), freq="MS").date
    trend = np.linspace(0, 1, len(months))
    series: dict[int, pd.DataFrame] = {}
    for kpi, template in zip(kpis, KPI_TEMPLATES, strict=False):
        base, noise = template[9], template[10]
        if kpi["kind"] == "computed":
            continue
        if kpi["name"].endswith("(PSI)"):  # drift creeping up into the red lately
            values = base + noise * rng.standard_normal(len(months)) + 0.22 * trend ** 4
        else:
            values = base + noise * rng.standard_normal(len(months))
        if kpi["unit"] == "count":
            values = np.maximum(values, 0)
        series[kpi["id"]] = pd.DataFrame({
            "kpi_id": kpi["id"], "measured_on": months,
            "value": np.round(values, {"count": 0, "%": 1}.get(kpi["unit"], 3))})
    extra = kpis[len(KPI_TEMPLATES):]
    if extra:
        per = points_per_system or 250
        days = pd.date_range(end=anchor, periods=per, freq="D").date
        ids = np.repeat([k["id"] for k in extra], per)
        values = np.round(88 + 4 * rng.standard_normal(len(ids)), 2)
        series[extra[0]["id"]] = pd.DataFrame({"kpi_id": ids, "value": values,
                                               "measured_on": np.tile(days, len(extra))})
    frame = pd.DataFrame(kpis)
    figures = _register_figures(frames, frame, _points(series, "entered"), history, anchor)
    # Computed KPIs: monthly snapshots trending to today's figure, plus today's snapshot.
    days = [*months, anchor]
    for kpi, template in zip(kpis, KPI_TEMPLATES, strict=False):
        if kpi["kind"] == "computed":
            base, now = template[9], FIGURES[kpi["code"]](figures)
            values = base + (now - base) * np.linspace(0, 1, len(days))
            series[kpi["id"]] = pd.DataFrame({
                "kpi_id": kpi["id"], "measured_on": days,
                "value": np.round(values, 1 if kpi["unit"] == "%" else 0)})
    points = _points(series, None, {k["id"]: k["kind"] for k in kpis})
    owners = {k["id"]: k["owner"] for k in kpis}
    if len(points) <= 5000:  # the curated demo logs every entry; scale data logs in bulk below
        for row in points.to_dict("records"):
            history.record("kpi_measurements",
                           [(_at(row["measured_on"], 9), owners[row["kpi_id"]],
                             {k: v for k, v in row.items() if k != "version"})])
    return frame, points


def _points(series: dict[int, pd.DataFrame], source: str | None,
            kinds: dict[int, str] | None = None) -> pd.DataFrame:
    """Measurement rows in KPI order; source per KPI kind unless one ``source`` is given."""
    points = pd.concat([series[k] for k in sorted(series)], ignore_index=True)
    points["source"] = source if source else \
        ["computed" if kinds[k] == "computed" else "entered" for k in points["kpi_id"]]
    points["note"] = None
    points.insert(0, "id", np.arange(1, len(points) + 1))
    points["version"] = 1
    return points


def _register_figures(frames: dict[str, pd.DataFrame], kpis: pd.DataFrame,
                      measured: pd.DataFrame, history: _History, anchor: date) -> Headline:
    """The Overview's figures for the generated registers on the anchor day, so that each
    computed KPI's history ends at what a snapshot taken that day records."""
    registers = {table: frames[table] for table in ("ai_systems", "risks", "soa", "validations")}
    with Database(":memory:") as db:
        write_frames(db, {**registers, "kpis": kpis, "kpi_measurements": measured,
                          "change_log": history.frame("ai_systems")}, anchor)
        return headline(db, anchor)


def _objectives(kpis: pd.DataFrame, start: date, anchor: date,
                history: _History) -> tuple[pd.DataFrame, pd.DataFrame]:
    kpi_ids = dict(zip(kpis["name"], kpis["id"], strict=True))
    rows, links = [], []
    for i, (title, description, owner, months, status, names) in enumerate(OBJECTIVES, 1):
        set_on = start + timedelta(days=30 + 7 * i)
        row = {"id": i, "title": title, "description": description, "owner": owner,
               "target_date": _months_before(anchor, -months), "status": "planned"}
        states = [(_at(set_on), AIMS_OWNER, dict(row))]
        if status != "planned":  # reviewed at the last management review
            states.append((_at(_months_before(anchor, 5), 15), owner, {**row, "status": status}))
            row["status"] = status
        row["version"] = history.record("objectives", states)
        rows.append(row)
        for name in names:
            link = {"id": len(links) + 1, "objective_id": i, "kpi_id": kpi_ids[name]}
            link["version"] = history.record("objective_kpis", [(_at(set_on, 11), AIMS_OWNER,
                                                                 dict(link))])
            links.append(link)
    return pd.DataFrame(rows), pd.DataFrame(links)


def _validations(systems: list[dict], rng: np.random.Generator, anchor: date,
                 history: _History) -> pd.DataFrame:
    rows = []
    for system in systems:
        if system["lifecycle_stage"] in ("design", "development"):
            continue
        months = 6 if system["eu_ai_act_category"] == "high_risk" else 12
        # Every third system is left overdue; one in twelve has never been validated.
        if system["id"] % 12 == 10:
            continue
        overdue = system["id"] % 3 == 1
        last = _months_before(anchor, months + (2 if overdue else -int(rng.integers(1, 4))))
        for k in range(3):
            when = _months_before(last, k * months)
            if when < system["created_on"]:
                break
            row = {"id": len(rows) + 1, "ai_system_id": system["id"], "validated_on": when,
                   "validated_by": system["owner"] if k else AIMS_OWNER,
                   "method": "Hold-out test set and fairness metrics review",
                   "result": "conditional" if (system["id"] + k) % 5 == 0 else "pass",
                   "notes": None, "evidence_link": f"AIMS-VAL-{system['id']:04d}-{k + 1}"}
            row["version"] = history.record("validations", [(_at(when, 16), row["validated_by"],
                                                             dict(row))])
            rows.append(row)
    return pd.DataFrame(rows)


def _reviews(anchor: date, history: _History) -> pd.DataFrame:
    rows = []
    for i, months in enumerate((14, 5), 1):
        day = _months_before(anchor, months)
        row = {"id": i, "review_date": day, "chair": "Daniel Price (CEO)",
               "attendees": "CEO, AIMS owner, heads of Credit Risk, HR, Customer Service, IT",
               "notes": "Reviewed risk register, SoA progress and KPI trends; actions recorded."}
        row["version"] = history.record("management_reviews", [(_at(day, 14), AIMS_OWNER,
                                                                dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)


def write_frames(db: Database, frames: dict[str, pd.DataFrame], anchor: date) -> None:
    """Replace the registers with generated frames, in one transaction."""
    with db.transaction() as cur:
        for table, frame in frames.items():
            cur.execute(f'DELETE FROM "{table}"')
            if frame.empty:
                continue
            cur.register("generated_frame", frame)
            cur.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM generated_frame')
            cur.unregister("generated_frame")
        cur.execute("INSERT OR REPLACE INTO aims_meta VALUES ('data_anchor_date', ?)",
                    [anchor.isoformat()])


def shift_dates(db: Database, days: int) -> None:
    """Move every date and timestamp of the registers by ``days``, change history included.

    This keeps the committed demo current: its overdue items stay overdue by the same margin
    whenever it is loaded, and the change history still ends in the rows' present state.
    """
    if days == 0:
        return
    columns = db.query_rows(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE data_type IN ('DATE', 'TIMESTAMP') AND table_name NOT IN "
        "('schema_migrations', 'eu_ai_act_dates')"
    )
    date_fields: dict[str, set[str]] = {}
    for table, column in columns:
        date_fields.setdefault(table, set()).add(column)
    log = db.query_df("SELECT id, table_name, before_json, after_json FROM change_log")
    for side in ("before_json", "after_json"):
        log[side] = [_shift_json(text, date_fields.get(table, set()), days)
                     for text, table in zip(log[side], log["table_name"], strict=True)]
    with db.transaction() as cur:
        for table, column in columns:
            cur.execute(f'UPDATE "{table}" SET "{column}" = "{column}" + INTERVAL (?) DAY',
                        [days])
        cur.register("shifted_log", log)
        cur.execute("UPDATE change_log SET before_json = s.before_json, after_json = s.after_json"
                    " FROM shifted_log s WHERE change_log.id = s.id")
        cur.unregister("shifted_log")
        anchor = cur.execute("SELECT value FROM aims_meta WHERE key = 'data_anchor_date'")\
            .fetchone()
        if anchor:
            moved = date.fromisoformat(anchor[0]) + timedelta(days=days)
            cur.execute("UPDATE aims_meta SET value = ? WHERE key = 'data_anchor_date'",
                        [moved.isoformat()])


def _shift_json(text: object, fields: set[str], days: int) -> object:
    if not isinstance(text, str) or not fields:
        return text
    row = json.loads(text)
    for name in fields & row.keys():
        value = row[name]
        if isinstance(value, str):
            moved = datetime.fromisoformat(value) + timedelta(days=days)
            row[name] = moved.date().isoformat() if len(value) == 10 else moved.isoformat()
    return json.dumps(row, ensure_ascii=False)
