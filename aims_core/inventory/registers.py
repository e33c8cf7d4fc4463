"""The inventory's registers: AI systems, suppliers, data sources, triages, validations."""

from __future__ import annotations

import json
from typing import Any

from aims_core.inventory.triage_questionnaire import ANNEX_III_POINTS as ANNEX_III_POINT_ENTRIES
from aims_core.inventory.triage_questionnaire import QUESTIONNAIRE_VERSION
from aims_core.records.fields import AI_SYSTEM_REF, Cursor, Field, Reference, Register, person_field

SOURCING = {
    "built": "Built in-house",
    "bought": "Bought (licensed product)",
    "api": "Third-party API",
    "saas_embedded": "Embedded in SaaS",
}


LIFECYCLE_STAGES = {
    "design": "Design",
    "development": "Development / training",
    "validation": "Validation",
    "deployment": "Deployment",
    "operation": "Operation & monitoring",
    "retired": "Retired",
}


EU_AI_ACT_CATEGORIES = {
    "prohibited": "Prohibited practice",
    "high_risk": "High-risk",
    "not_high_risk": "Not high-risk (Art. 6(3))",
    "transparency": "Transparency obligations",
    "gpai": "General-purpose AI model",
    "gpai_systemic": "General-purpose AI model with systemic risk",
    "minimal": "Minimal risk",
    "out_of_scope": "Outside the AI Act",
    "not_assessed": "Not yet assessed",
}
# Annex III points (catalogue eu_annex_iii_points), the exclusions the Annex states included.
ANNEX_III_POINTS = {p.point_id: p.label for p in ANNEX_III_POINT_ENTRIES.values()}


VALIDATION_RESULTS = {"pass": "Pass", "conditional": "Conditional", "fail": "Fail"}


def _answers_are_an_object(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    """The stored answers must be a JSON object of answers by question id."""
    try:
        answers = json.loads(row.get("answers_json") or "{}")
    except ValueError:
        return [("answers_json", "is not valid JSON")]
    if not isinstance(answers, dict):
        return [("answers_json", "must be a JSON object of answers by question id")]
    return []


def _retired_needs_date(_: Cursor,
                        row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("lifecycle_stage") == "retired" and row.get("retired_on") is None:
        return [("retired_on", "is required when the life-cycle stage is Retired")]
    return []


def _point_in_its_area(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    point, area = row.get("annex_iii_point"), row.get("annex_iii_area")
    if point is None:
        return []
    own = ANNEX_III_POINT_ENTRIES[point].area
    if area is None:
        return [("annex_iii_area", f"is required with Annex III point {point} (area {own})")]
    if own != area:
        return [("annex_iii_point", f"{point} is not a point of Annex III area {area}")]
    return []


AI_SYSTEMS = Register(
    table="ai_systems",
    label="AI system",
    title_field="name",
    referenced_by=(("risks", "ai_system_id"), ("kpis", "ai_system_id"),
                   ("validations", "ai_system_id"), ("ai_data_sources", "ai_system_id"),
                   ("triage_assessments", "ai_system_id"),
                   ("impact_assessments", "ai_system_id")),
    rules=(_retired_needs_date, _point_in_its_area),
    owner_field="owner",
    fields=(
        Field("name", "Name", required=True, max_length=200),
        Field("purpose", "Purpose",
              help="What the system is for and what it decides or produces, in a sentence"),
        person_field("owner", "Owner", required=True,
                     help="The person accountable for the system: its risks, validations and KPIs"),
        Field("department", "Department", max_length=200),
        Field("sourcing", "Sourcing", "choice", required=True, choices=SOURCING,
              help="Built in-house, bought, used through a third-party API or embedded in a SaaS "
                   "product: decides supplier checks and your EU AI Act role"),
        Field("supplier_id", "Supplier", "int", reference=Reference("suppliers", "id", "name"),
              help="From the supplier register; empty for systems built in-house"),
        Field("lifecycle_stage", "Life-cycle stage", "choice", required=True,
              choices=LIFECYCLE_STAGES,
              help="Where the system stands in its life cycle (ISO/IEC 42001 A.6); a change of "
                   "stage makes it due for re-validation"),
        Field("model_version", "Model version", max_length=100,
              help="The model or release in use; a change makes the system due for re-validation"),
        Field("eu_ai_act_category", "EU AI Act category", "choice", required=True,
              choices=EU_AI_ACT_CATEGORIES,
              help="The likely risk level, set by the EU AI Act triage below the table (a triage "
                   "aid, not legal advice)"),
        Field("annex_iii_area", "Annex III area", "int", min_value=1, max_value=8,
              reference=Reference("eu_annex_iii_areas", "area_no", "title"),
              help="1–8; only for systems in an EU AI Act Annex III area"),
        Field("annex_iii_point", "Annex III point", "choice", choices=ANNEX_III_POINTS,
              help="The point of the area that describes the use, e.g. 4(a) recruitment; "
                   "set by the triage"),
        Field("personal_data", "Personal data", "bool",
              help="Ticked when the system processes personal data (GDPR applies too)"),
        Field("automated_decisions", "Automated decisions", "bool",
              help="Ticked when its output decides about people without a person deciding each "
                   "case"),
        Field("human_oversight", "Human oversight",
              help="Who checks or can override the output, and how"),
        Field("affected_people", "Affected people",
              help="Who is affected by the output: customers, applicants, staff …"),
        Field("created_on", "Added on", "date"),
        Field("retired_on", "Retired on", "date", not_before="created_on",
              help="Required once the stage is Retired; the system's history stays"),
    ),
)


SUPPLIERS = Register(
    table="suppliers",
    label="Supplier",
    title_field="name",
    referenced_by=(("ai_systems", "supplier_id"),),
    owner_field="owner",
    fields=(
        Field("name", "Supplier", required=True, max_length=200),
        Field("provides", "What it provides",
              help="The AI systems, models, data or services the supplier provides (A.10)"),
        person_field("owner", "Relationship owner"),
        Field("contract_ai_clauses", "AI clauses in contract", "bool",
              help="Does the contract cover AI-specific duties (A.10.2, A.10.3)?"),
        Field("contract_notes", "Contract notes"),
        Field("last_due_diligence", "Last due diligence", "date", not_after_today=True,
              help="When the supplier was last assessed"),
        Field("next_review", "Next review", "date", not_before="last_due_diligence",
              help="The next due-diligence review; it falls due on the Schedule"),
    ),
)


AI_DATA_SOURCES = Register(
    table="ai_data_sources",
    label="Data source",
    title_field="name",
    owned_through="ai_system_id",
    allow_delete=True,
    fields=(
        Field("ai_system_id", "AI system", "int", required=True, reference=AI_SYSTEM_REF),
        Field("name", "Data source", required=True, max_length=200),
        Field("provenance", "Provenance (A.7.5)"),
        Field("personal_data", "Personal data", "bool"),
        Field("quality_checks", "Quality checks (A.7.4)"),
    ),
)


TRIAGE_ASSESSMENTS = Register(
    table="triage_assessments",
    label="EU AI Act triage",
    importable=False,  # written by the triage questionnaire
    title_field="assessed_on",
    rules=(_answers_are_an_object,),
    owned_through="ai_system_id",
    fields=(
        Field("ai_system_id", "AI system", "int", required=True, reference=AI_SYSTEM_REF),
        Field("assessed_on", "Assessed on", "date", required=True, not_after_today=True),
        person_field("assessed_by", "Assessed by", required=True),
        Field("answers_json", "Answers", required=True, max_length=20000),
        Field("category", "Category", "choice", required=True, choices=EU_AI_ACT_CATEGORIES),
        Field("annex_iii_area", "Annex III area", "int", min_value=1, max_value=8),
        Field("reasoning", "Reasoning", required=True, max_length=20000),
        Field("questionnaire_version", "Questionnaire version", "int",
              min_value=1, max_value=QUESTIONNAIRE_VERSION),
        Field("roles", "Roles", max_length=500,
              help="The organisation's EU AI Act roles for the system, comma-separated codes"),
        Field("annex_iii_point", "Annex III point", max_length=40),
        Field("obligations_json", "Obligations", max_length=40000,
              help="Every obligation with its role, article and the date it applies from"),
        Field("recheck", "Re-check", max_length=500,
              help="Why this triage should be run again (e.g. an earlier questionnaire)"),
    ),
)


VALIDATIONS = Register(
    table="validations",
    label="Validation",
    title_field="validated_on",
    owned_through="ai_system_id",
    fields=(
        Field("ai_system_id", "AI system", "int", required=True, reference=AI_SYSTEM_REF),
        Field("validated_on", "Validated on", "date", required=True, not_after_today=True),
        person_field("validated_by", "Validated by", required=True),
        Field("method", "Method",
              help="How the system was validated: test set, fairness check, red-teaming …"),
        Field("result", "Result", "choice", required=True, choices=VALIDATION_RESULTS,
              help="A fail or a pass with conditions leaves the system due for re-validation now"),
        Field("notes", "Notes"),
        Field("evidence_link", "Evidence link",
              help="Where the validation report is: a URL or a file path"),
    ),
)


REVALIDATION_INTERVALS = Register(
    table="revalidation_intervals",
    label="Re-validation interval",
    importable=False,  # one fixed row per risk tier
    title_field="risk_tier",
    fields=(
        Field("risk_tier", "Risk tier", required=True, editable=False),
        Field("months", "Months between validations", "int", required=True, min_value=1,
              max_value=60),
        Field("description", "Applies to", editable=False),
    ),
)
