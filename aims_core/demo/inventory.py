"""The demo's AI systems, suppliers, data sources, EU AI Act triages and validations."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from aims_core.demo.common import AIMS_OWNER, History, at, months_before


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


def data_sources(systems: list[dict], start: date, history: History) -> pd.DataFrame:
    rows = []
    for system in systems:
        name, provenance, personal, checks = _DATA_SOURCES[system["sourcing"]]
        row = {"id": len(rows) + 1, "ai_system_id": system["id"], "name": name,
               "provenance": provenance, "personal_data": personal and system["personal_data"],
               "quality_checks": checks}
        row["version"] = history.record("ai_data_sources", [(at(system["created_on"], 12),
                                                             system["owner"], dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)


def triage_assessments(systems: list[dict], history: History) -> pd.DataFrame:
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
        row["version"] = history.record("triage_assessments", [(at(day, 15), AIMS_OWNER,
                                                                dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)


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
            row = {"id": len(rows) + 1, "ai_system_id": system["id"], "validated_on": when,
                   "validated_by": system["owner"] if k else AIMS_OWNER,
                   "method": "Hold-out test set and fairness metrics review",
                   "result": "conditional" if (system["id"] + k) % 5 == 0 else "pass",
                   "notes": None, "evidence_link": f"AIMS-VAL-{system['id']:04d}-{k + 1}"}
            row["version"] = history.record("validations", [(at(when, 16), row["validated_by"],
                                                             dict(row))])
            rows.append(row)
    return pd.DataFrame(rows)

