"""The demo's AI systems, suppliers, data sources, EU AI Act triages and validations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from aims_core.demo.common import AIMS_OWNER, History, at, months_before
from aims_core.inventory.triage import roles, triage
from aims_core.inventory.triage_records import triage_row
from aims_core.storage.schema import RECHECK_EARLIER_QUESTIONNAIRE


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
    annex_iii_point: str | None
    personal_data: bool
    automated_decisions: bool
    human_oversight: str
    affected_people: str
    risk_themes: tuple[int, ...]  # indexes into RISK_TEMPLATES



# fmt: off
ARCHETYPES: tuple[SystemArchetype, ...] = (
    SystemArchetype("CreditLens credit scoring", "Scores consumer loan applications for creditworthiness",
                    "Priya Shah", "Credit Risk", "built", None, "operation", "high_risk", 5, "5(b)", True, True,
                    "Underwriter reviews every decline and borderline score", "Loan applicants",
                    (0, 1, 2, 3, 9)),
    SystemArchetype("TalentSift CV screening", "Ranks job applicants' CVs against vacancy profiles",
                    "Tom Becker", "People & HR", "bought", "HireMatic BV", "operation", "high_risk", 4,
                    "4(a)", True, False, "Recruiter decides; shortlist is advisory", "Job applicants",
                    (0, 1, 4, 10)),
    SystemArchetype("Ask Aldwick customer chatbot", "Answers customer questions; runs under our name on a third-party LLM API",
                    "Lena Novak", "Customer Service", "api", "Nimbus LLM Cloud", "operation", "transparency",
                    None, None, True, False, "Escalation to an agent on request or low confidence", "Customers",
                    (5, 6, 7, 11)),
    SystemArchetype("FraudGuard transaction screening", "Flags card and loan transactions for fraud review",
                    "Marco Rossi", "Financial Crime", "built", None, "operation", "minimal", 5, "5(b)-fraud", True, False,
                    "Analyst confirms every block", "Customers", (2, 3, 8)),
    SystemArchetype("DocuRead document extraction", "Turns payslips and bank statements into structured fields for underwriters",
                    "Lena Novak", "Operations", "api", "Scriptly OCR", "operation", "not_high_risk", 5, "5(b)", True,
                    False, "Low-confidence fields go to manual keying", "Loan applicants", (3, 8, 12)),
    SystemArchetype("CampaignHub copy assistant", "Drafts marketing copy inside the marketing suite",
                    "Julia Hart", "Marketing", "saas_embedded", "CampaignHub Inc.", "operation",
                    "minimal", None, None, False, False, "Marketing lead approves all published copy",
                    "Prospects and public", (6, 7, 13)),
    SystemArchetype("ChurnRadar retention model", "Predicts which customers are likely to leave",
                    "Priya Shah", "Analytics", "built", None, "validation", "minimal", None, None, True, False,
                    "Retention team chooses offers", "Customers", (2, 9, 14)),
    SystemArchetype("Collections prioritiser", "Orders overdue accounts for collection calls",
                    "Marco Rossi", "Collections", "built", None, "development", "minimal", None, None, True,
                    False, "Agents may re-order the queue", "Customers in arrears", (0, 4, 14)),
    SystemArchetype("DevPilot code assistant", "Suggests code in the developers' IDE",
                    "Ben Okafor", "IT", "saas_embedded", "DevTools Cloud", "operation", "minimal", None,
                    None, False, False, "Code review before merge", "Developers", (11, 12, 13)),
    SystemArchetype("PeopleCore performance insights", "Scores employee performance inside the HR suite",
                    "Tom Becker", "People & HR", "saas_embedded", "PeopleCore SE", "deployment",
                    "high_risk", 4, "4(b)", True, False, "Managers must confirm any rating", "Employees",
                    (0, 1, 4, 10)),
    SystemArchetype("MeetNotes transcription", "Transcribes and summarises internal meetings",
                    "Ben Okafor", "IT", "saas_embedded", "MeetNotes Ltd", "operation", "minimal", None, None, True,
                    False, "Summaries are drafts for the meeting owner", "Staff", (5, 11, 12)),
    SystemArchetype("IncomeCheck categoriser", "Categorises bank-statement lines to verify income",
                    "Priya Shah", "Credit Risk", "bought", "FinSight AB", "design", "not_assessed", None,
                    None, True, False, "Underwriter sees every category", "Loan applicants", (2, 3, 8)),
)
# fmt: on

_SYSTEM = {"questionnaire": 2, "subject": "system", "is_ai_system": "yes",
           "territorial_scope": ["placed_eu", "established_eu"], "exclusions": ["none"],
           "art5_practices": ["none"], "annex_i_sector": "none", "annex_iii_area": "0",
           "gpai_role": "none"}
# Built in-house and run under our name: provider and deployer (Art. 3(3), 3(4)).
_OWN = {**_SYSTEM, "roles": ["provider", "deployer"], "art50_provider": ["none"],
        "art50_deployer": ["none"]}
# Bought or used as a service as it is: deployer only, no Art. 25 role change.
_BOUGHT = {**_SYSTEM, "roles": ["deployer"], "art25_changes": ["none"],
           "art50_deployer": ["none"]}
_MINIMAL = {"open_source": "no"}
# EU AI Act triage answers per archetype (current questionnaire; None: not yet assessed).
# Each must lead to the archetype's category, area and point; the generator checks it.
TRIAGE_ANSWERS: tuple[dict | None, ...] = (
    {**_OWN, "annex_iii_area": "5", "annex_iii_point": "5(b)", "profiling": "yes",
     "deployer_public": "no"},
    {**_BOUGHT, "annex_iii_area": "4", "annex_iii_point": "4(a)", "profiling": "yes",
     "deployer_public": "no"},
    {**_OWN, "art50_provider": ["interacts", "generates"], "placed_before_aug_2026": "yes"},
    {**_OWN, **_MINIMAL, "annex_iii_area": "5", "annex_iii_point": "5(b)-fraud"},
    # recital 53: turning unstructured documents into structured data is a narrow task
    {**_OWN, **_MINIMAL, "annex_iii_area": "5", "annex_iii_point": "5(b)",
     "profiling": "no", "derogation": ["a"], "significant_harm": "no"},
    {**_BOUGHT, **_MINIMAL},
    {**_OWN, **_MINIMAL},
    {**_OWN, **_MINIMAL},
    {**_BOUGHT, **_MINIMAL},
    {**_BOUGHT, "annex_iii_area": "4", "annex_iii_point": "4(b)", "profiling": "yes",
     "deployer_public": "no"},
    None,  # triaged with the earlier questionnaire: see LEGACY_TRIAGES
    None,
)
# Triages recorded with the earlier questionnaire (version 1), which migration 10 marked
# for a re-check: (answers, reasoning as version 1 wrote it).
LEGACY_TRIAGES: dict[int, tuple[dict, str]] = {
    10: ({"role": "deployer", "art5_practices": ["none"], "annex_i": "no", "annex_iii_area": "0",
          "art50_cases": ["none"], "gpai_provider": "no"},
         "Art. 5: none of the prohibited practices applies. Annex I: the system is not a "
         "product or safety component under Annex I harmonisation law. Annex III: the system "
         "is not used in any Annex III area. Art. 50: none of the transparency cases applies. "
         "Result: minimal risk; only AI literacy (Art. 4) and voluntary codes of conduct "
         "(Art. 95) apply."),
}


def suppliers(start: date, anchor: date, history: History) -> pd.DataFrame:
    names = sorted({a.supplier for a in ARCHETYPES if a.supplier})
    provides = {a.supplier: a.purpose for a in ARCHETYPES if a.supplier}
    rows = []
    for i, name in enumerate(names, 1):
        checked = months_before(anchor, 3 + (i * 5) % 14)
        row = {"id": i, "name": name, "provides": provides[name], "owner": AIMS_OWNER,
               "contract_ai_clauses": i % 3 != 0,
               "contract_notes": "AI addendum: model change notice, data use limits, audit "
               "rights" if i % 3 else "Standard SaaS terms; AI addendum under negotiation",
               "last_due_diligence": checked, "next_review": months_before(checked, -12)}
        row["version"] = history.record("suppliers", [(at(start + timedelta(days=i)),
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


# Archetypes whose data differ from what their sourcing suggests (by archetype name).
_OWN_DATA_SOURCES = {
    "PeopleCore performance insights": (
        "Employee records, goals and manager ratings", "HR data of every employee in the "
        "vendor's tenant (employment contract, GDPR Art. 6(1)(b) and (f))", True,
        "HR samples 20 ratings a quarter against manager reviews"),
    "MeetNotes transcription": (
        "Meeting audio, transcripts and attendee names", "Recordings of internal meetings "
        "in the vendor's tenant; staff told before recording starts", True,
        "Vendor statement; meeting owners correct summaries"),
}


def data_sources(systems: list[dict], start: date, history: History) -> pd.DataFrame:
    rows = []
    for system in systems:
        arch = ARCHETYPES[(system["id"] - 1) % len(ARCHETYPES)]
        name, provenance, personal, checks = _OWN_DATA_SOURCES.get(
            arch.name, _DATA_SOURCES[system["sourcing"]])
        row = {"id": len(rows) + 1, "ai_system_id": system["id"], "name": name,
               "provenance": provenance, "personal_data": personal and system["personal_data"],
               "quality_checks": checks}
        row["version"] = history.record("ai_data_sources", [(at(system["created_on"], 12),
                                                             system["owner"], dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)


def triage_assessments(systems: list[dict], anchor: date, history: History) -> pd.DataFrame:
    """Each system's triage (current questionnaire), one from the earlier questionnaire."""
    rows = []
    for system in systems:
        archetype = (system["id"] - 1) % len(ARCHETYPES)
        day = system["created_on"] + timedelta(days=20)
        if archetype in LEGACY_TRIAGES:
            rows.append(_legacy_triage(system, *LEGACY_TRIAGES[archetype], day, anchor,
                                       len(rows) + 1, history))
            continue
        answers = TRIAGE_ANSWERS[archetype]
        if answers is None:
            continue
        result = triage(answers)
        found = (result.category, result.annex_iii_area, result.annex_iii_point)
        wanted = (system["eu_ai_act_category"], system["annex_iii_area"],
                  system["annex_iii_point"])
        if found != wanted:
            raise AssertionError(f"demo triage of {system['name']} gives {found}")
        row = {"id": len(rows) + 1, **triage_row(system["id"], answers, result, AIMS_OWNER,
                                                 day)}
        row["version"] = history.record("triage_assessments", [(at(day, 15), AIMS_OWNER,
                                                                dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)


def _legacy_triage(system: dict, answers: dict, reasoning: str, day: date, anchor: date,
                   row_id: int, history: History) -> dict:
    """A version-1 triage as migration 10 left it: re-check flagged, its role kept."""
    result = triage(answers)
    before = {"id": row_id, "ai_system_id": system["id"], "assessed_on": day,
              "assessed_by": AIMS_OWNER, "answers_json": json.dumps(answers, sort_keys=True),
              "category": result.category, "annex_iii_area": None, "reasoning": reasoning}
    row = {**before, "questionnaire_version": 1, "roles": ",".join(sorted(roles(answers))),
           "annex_iii_point": None, "obligations_json": None,
           "recheck": RECHECK_EARLIER_QUESTIONNAIRE}
    row["version"] = history.record("triage_assessments", [
        (at(day, 15), AIMS_OWNER, before),
        (at(anchor - timedelta(days=12), 9), "schema migration 10", dict(row))])
    return row


def systems(n: int, rng: np.random.Generator, start: date, anchor: date,
             history: History, supplier_ids: dict[str, int]) -> list[dict]:
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
            "annex_iii_point": arch.annex_iii_point,
            "personal_data": arch.personal_data, "automated_decisions": arch.automated_decisions,
            "human_oversight": arch.human_oversight, "affected_people": arch.affected_people,
            "created_on": created, "retired_on": None,
        }
        states = [(at(created), arch.owner, row)]
        if arch.stage == "operation" and i % 3 == 0:
            # The system went live during the period: record the stage change.
            went_live = created + timedelta(days=int(rng.integers(30, 120)))
            states = [(at(created), arch.owner, {**row, "lifecycle_stage": "deployment"}),
                      (at(went_live), arch.owner, row)]
        row["version"] = history.record("ai_systems", states)
        rows.append(row)
    return rows



_VALIDATION_NOTES = {
    "pass": None,
    "conditional": "Accuracy met; drift alerting to be configured before the next release",
    "fail": "Recall on the hold-out set below the agreed 0.80; retrain before go-live",
}


def validations(systems: list[dict], rng: np.random.Generator, anchor: date,
                 history: History) -> pd.DataFrame:
    rows = []
    for system in systems:
        if system["lifecycle_stage"] in ("design", "development"):
            continue
        months = 6 if system["eu_ai_act_category"] == "high_risk" else 12
        # Every third system is left overdue; one in twelve has never been validated.
        if system["id"] % 12 == 10:
            continue
        overdue = system["id"] % 3 == 1
        last = months_before(anchor, months + (2 if overdue else -int(rng.integers(1, 4))))
        for k in range(3):
            when = months_before(last, k * months)
            if when < system["created_on"]:
                break
            result = "fail" if k == 0 and system["id"] % 12 == 7 else \
                "conditional" if (system["id"] + k) % 5 == 0 else "pass"
            row = {"id": len(rows) + 1, "ai_system_id": system["id"], "validated_on": when,
                   "validated_by": system["owner"] if k else AIMS_OWNER,
                   "method": "Hold-out test set and fairness metrics review",
                   "result": result, "notes": _VALIDATION_NOTES[result],
                   "evidence_link": f"AIMS-VAL-{system['id']:04d}-{k + 1}"}
            row["version"] = history.record("validations", [(at(when, 16), row["validated_by"],
                                                             dict(row))])
            rows.append(row)
    return pd.DataFrame(rows)

