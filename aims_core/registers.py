"""What each editable register holds: fields, types, allowed values and references.

This metadata drives validation in the write path and the column set-up of the editable
table, so a rule is stated once and holds everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

FieldKind = Literal["text", "int", "float", "bool", "date", "choice"]


@dataclass(frozen=True)
class Reference:
    """A value that must exist in another table's key column."""

    table: str
    column: str = "id"
    label_column: str | None = None


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    choices: dict[str, str] | None = None  # stored code -> label shown to people
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = 2000
    reference: Reference | None = None
    editable: bool = True
    help: str | None = None


@dataclass(frozen=True)
class Register:
    table: str
    label: str  # singular, for messages: "AI system"
    title_field: str  # names a row in messages
    fields: tuple[Field, ...]
    allow_delete: bool = False
    referenced_by: tuple[tuple[str, str], ...] = field(default=())  # (table, column)
    unique_together: tuple[str, ...] = ()  # no two rows share these values (a table UNIQUE)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.table} has no field {name!r}")

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


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
    "transparency": "Transparency obligations",
    "gpai": "General-purpose AI model",
    "minimal": "Minimal risk",
    "not_assessed": "Not yet assessed",
}
TREATMENTS = {"mitigate": "Mitigate", "accept": "Accept", "transfer": "Transfer", "avoid": "Avoid"}
RISK_STATUSES = {
    "open": "Open",
    "treating": "In treatment",
    "accepted": "Accepted",
    "closed": "Closed",
}
IMPLEMENTATION_STATUSES = {
    "not_started": "Not started",
    "planned": "Planned",
    "partial": "Partial",
    "implemented": "Implemented",
}
VALIDATION_RESULTS = {"pass": "Pass", "conditional": "Conditional", "fail": "Fail"}
KPI_DIRECTIONS = {"higher": "Higher is better", "lower": "Lower is better"}
KPI_KINDS = {"computed": "Computed from the registers", "measured": "Measured"}
MEASUREMENT_SOURCES = {"computed": "Computed", "entered": "Entered", "imported": "Imported"}
# Register figures a computed KPI can record (aims_core/kpis.py computes them).
COMPUTED_KPI_CODES = {
    "soa_implemented_pct": "SoA: applicable controls implemented (%)",
    "high_critical_risks_open": "Open high and critical risks",
    "revalidations_overdue": "Re-validations overdue or due now",
}
OBJECTIVE_STATUSES = {
    "planned": "Planned",
    "on_track": "On track",
    "at_risk": "At risk",
    "achieved": "Achieved",
    "missed": "Missed",
    "withdrawn": "Withdrawn",
}
FREQUENCIES = {
    "daily": "Daily",
    "weekly": "Weekly",
    "monthly": "Monthly",
    "quarterly": "Quarterly",
    "yearly": "Yearly",
}

MAX_MATRIX_SIZE = 7
# The current matrix size is checked by the write path's rules (risk_scale).
_LEVEL = {"kind": "int", "min_value": 1, "max_value": MAX_MATRIX_SIZE}
_AI_SYSTEM_REF = Reference("ai_systems", "id", "name")
_CONTROL_REF = Reference("controls", "control_id", "title")

AI_SYSTEMS = Register(
    table="ai_systems",
    label="AI system",
    title_field="name",
    referenced_by=(("risks", "ai_system_id"), ("kpis", "ai_system_id"),
                   ("validations", "ai_system_id"), ("ai_data_sources", "ai_system_id"),
                   ("triage_assessments", "ai_system_id"),
                   ("impact_assessments", "ai_system_id")),
    fields=(
        Field("name", "Name", required=True, max_length=200),
        Field("purpose", "Purpose"),
        Field("owner", "Owner", required=True, max_length=200),
        Field("department", "Department", max_length=200),
        Field("sourcing", "Sourcing", "choice", required=True, choices=SOURCING),
        Field("supplier_id", "Supplier", "int", reference=Reference("suppliers", "id", "name"),
              help="From the supplier register; empty for systems built in-house"),
        Field("lifecycle_stage", "Life-cycle stage", "choice", required=True,
              choices=LIFECYCLE_STAGES),
        Field("model_version", "Model version", max_length=100),
        Field("eu_ai_act_category", "EU AI Act category", "choice", required=True,
              choices=EU_AI_ACT_CATEGORIES),
        Field("annex_iii_area", "Annex III area", "int", min_value=1, max_value=8,
              reference=Reference("eu_annex_iii_areas", "area_no", "title"),
              help="1–8; only for systems in an EU AI Act Annex III area"),
        Field("personal_data", "Personal data", "bool"),
        Field("automated_decisions", "Automated decisions", "bool"),
        Field("human_oversight", "Human oversight"),
        Field("affected_people", "Affected people"),
        Field("created_on", "Added on", "date"),
        Field("retired_on", "Retired on", "date"),
    ),
)

RISKS = Register(
    table="risks",
    label="Risk",
    title_field="title",
    referenced_by=(("risk_controls", "risk_id"), ("risk_acceptances", "risk_id")),
    fields=(
        Field("ai_system_id", "AI system", "int", reference=_AI_SYSTEM_REF,
              help="Leave empty for an organisation-wide risk"),
        Field("title", "Risk", required=True, max_length=300),
        Field("description", "Description"),
        Field("risk_source", "Risk source (Annex C.3)", "text",
              reference=Reference("annex_c_risk_sources", "source_id", "title")),
        Field("objective_affected", "Objective affected (Annex C.2)", "text",
              reference=Reference("annex_c_objectives", "objective_id", "title")),
        Field("owner", "Owner", required=True, max_length=200),
        Field("inherent_likelihood", "Inherent likelihood", required=True, **_LEVEL),
        Field("inherent_impact", "Inherent impact", required=True, **_LEVEL),
        Field("residual_likelihood", "Residual likelihood", **_LEVEL),
        Field("residual_impact", "Residual impact", **_LEVEL),
        Field("treatment", "Treatment", "choice", choices=TREATMENTS),
        Field("treatment_plan", "Treatment plan"),
        Field("status", "Status", "choice", required=True, choices=RISK_STATUSES),
        Field("identified_on", "Identified on", "date"),
        Field("review_date", "Next review", "date"),
        Field("impact_id", "Raised from impact", "int", reference=Reference("impacts"),
              editable=False, help="The impact assessment finding this risk was raised from"),
    ),
)

RISK_ACCEPTANCES = Register(
    table="risk_acceptances",
    label="Risk acceptance",
    title_field="approved_by",
    fields=(
        Field("risk_id", "Risk", "int", required=True, reference=Reference("risks", "id")),
        Field("approved_by", "Approved by", required=True, max_length=200),
        Field("approved_on", "Approved on", "date", required=True),
        Field("justification", "Justification", required=True),
        Field("expires_on", "Expires on", "date", required=True,
              help="After this date the acceptance is due for renewal"),
    ),
)

IMPACT_ASSESSMENTS = Register(
    table="impact_assessments",
    label="Impact assessment",
    title_field="intended_use",
    referenced_by=(("impacts", "impact_assessment_id"),),
    fields=(
        Field("ai_system_id", "AI system", "int", required=True, reference=_AI_SYSTEM_REF),
        Field("intended_use", "Intended use", required=True),
        Field("foreseeable_misuse", "Reasonably foreseeable misuse"),
        Field("affected_individuals", "Affected individuals"),
        Field("affected_groups", "Affected groups"),
        Field("societal_impact", "Impact on society"),
        Field("reviewer", "Reviewer", required=True, max_length=200),
        Field("assessed_on", "Assessed on", "date", required=True),
        Field("next_review", "Next review", "date"),
    ),
)

IMPACT_AFFECTED = {"individuals": "Individuals", "groups": "Groups", "society": "Society"}

IMPACTS = Register(
    table="impacts",
    label="Impact",
    title_field="description",
    referenced_by=(("risks", "impact_id"),),
    allow_delete=True,
    fields=(
        Field("impact_assessment_id", "Assessment", "int", required=True,
              reference=Reference("impact_assessments")),
        Field("affected", "Who is affected", "choice", required=True, choices=IMPACT_AFFECTED),
        Field("description", "Impact", required=True),
        Field("severity", "Severity", required=True, **_LEVEL),
        Field("likelihood", "Likelihood", required=True, **_LEVEL),
        Field("mitigation", "Mitigation"),
    ),
)

RISK_CONTROLS = Register(
    table="risk_controls",
    label="Risk–control link",
    title_field="control_id",
    allow_delete=True,
    fields=(
        Field("risk_id", "Risk", "int", required=True, reference=Reference("risks", "id", "title")),
        Field("control_id", "Annex A control", required=True, reference=_CONTROL_REF),
    ),
)

SOA = Register(
    table="soa",
    label="SoA entry",
    title_field="control_id",
    fields=(
        Field("control_id", "Control", required=True, reference=_CONTROL_REF, editable=False),
        Field("applicable", "Applicable", "bool"),
        Field("justification", "Justification",
              help="Why the control is included or excluded (required for both)"),
        Field("implementation_status", "Implementation status", "choice", required=True,
              choices=IMPLEMENTATION_STATUSES),
        Field("owner", "Owner", max_length=200),
        Field("evidence", "Evidence", help="Link or note: where an auditor finds the proof"),
        Field("evidence_expiry", "Evidence expires", "date"),
        Field("last_reviewed", "Last reviewed", "date"),
        Field("target_date", "Target date", "date"),
    ),
)

SOA_VERSIONS = Register(
    table="soa_versions",
    label="SoA version",
    title_field="version_no",
    referenced_by=(("soa_version_items", "version_no"),),
    fields=(
        Field("version_no", "Version", "int", required=True, min_value=1, editable=False),
        Field("approved_by", "Approved by", required=True, max_length=200, editable=False),
        Field("approved_on", "Approved on", "date", required=True, editable=False),
        Field("note", "Note"),
    ),
)

# One SoA row as it stood when a version was approved: written once, never changed.
SOA_VERSION_ITEMS = Register(
    table="soa_version_items",
    label="Approved SoA entry",
    title_field="control_id",
    fields=(
        Field("version_no", "Version", "int", required=True, editable=False,
              reference=Reference("soa_versions", "version_no")),
        *(replace(f, editable=False) for f in SOA.fields),
    ),
)

CLAUSE_STATUS = Register(
    table="clause_status",
    label="Clause status",
    title_field="clause_id",
    fields=(
        Field("clause_id", "Clause", required=True, editable=False,
              reference=Reference("clauses", "clause_id", "title")),
        Field("status", "Status", "choice", required=True, choices=IMPLEMENTATION_STATUSES),
        Field("owner", "Owner", max_length=200),
        Field("evidence", "Evidence", help="Link or note: where an auditor finds the proof"),
        Field("notes", "Notes"),
        Field("last_reviewed", "Last reviewed", "date"),
    ),
)

KPIS = Register(
    table="kpis",
    label="KPI",
    title_field="name",
    referenced_by=(("kpi_measurements", "kpi_id"), ("objective_kpis", "kpi_id")),
    fields=(
        Field("name", "KPI", required=True, max_length=200),
        Field("description", "Description"),
        Field("unit", "Unit", max_length=40),
        Field("direction", "Direction", "choice", required=True, choices=KPI_DIRECTIONS),
        Field("target", "Target", "float"),
        Field("amber_threshold", "Amber threshold", "float"),
        Field("red_threshold", "Red threshold", "float"),
        Field("frequency", "Frequency", "choice", choices=FREQUENCIES),
        Field("owner", "Owner", max_length=200),
        Field("ai_system_id", "AI system", "int", reference=_AI_SYSTEM_REF),
        Field("control_id", "Control", reference=_CONTROL_REF),
        Field("kind", "Kind", "choice", required=True, choices=KPI_KINDS),
        Field("code", "Computed from", "choice", choices=COMPUTED_KPI_CODES,
              help="For computed KPIs: the register figure each snapshot records"),
    ),
)

KPI_MEASUREMENTS = Register(
    table="kpi_measurements",
    label="KPI measurement",
    title_field="measured_on",
    allow_delete=True,
    unique_together=("kpi_id", "measured_on"),
    fields=(
        Field("kpi_id", "KPI", "int", required=True, reference=Reference("kpis", "id", "name")),
        Field("measured_on", "Date", "date", required=True),
        Field("value", "Value", "float", required=True),
        Field("source", "Source", "choice", required=True, choices=MEASUREMENT_SOURCES),
        Field("note", "Note"),
    ),
)

OBJECTIVES = Register(
    table="objectives",
    label="Objective",
    title_field="title",
    referenced_by=(("objective_kpis", "objective_id"),),
    fields=(
        Field("title", "Objective", required=True, max_length=300),
        Field("description", "Description"),
        Field("owner", "Owner", required=True, max_length=200),
        Field("target_date", "Target date", "date"),
        Field("status", "Status", "choice", required=True, choices=OBJECTIVE_STATUSES),
    ),
)

OBJECTIVE_KPIS = Register(
    table="objective_kpis",
    label="Objective–KPI link",
    title_field="kpi_id",
    allow_delete=True,
    unique_together=("objective_id", "kpi_id"),
    fields=(
        Field("objective_id", "Objective", "int", required=True,
              reference=Reference("objectives", "id", "title")),
        Field("kpi_id", "KPI", "int", required=True, reference=Reference("kpis", "id", "name")),
    ),
)

VALIDATIONS = Register(
    table="validations",
    label="Validation",
    title_field="validated_on",
    fields=(
        Field("ai_system_id", "AI system", "int", required=True, reference=_AI_SYSTEM_REF),
        Field("validated_on", "Validated on", "date", required=True),
        Field("validated_by", "Validated by", required=True, max_length=200),
        Field("method", "Method"),
        Field("result", "Result", "choice", required=True, choices=VALIDATION_RESULTS),
        Field("notes", "Notes"),
        Field("evidence_link", "Evidence link"),
    ),
)

MANAGEMENT_REVIEWS = Register(
    table="management_reviews",
    label="Management review",
    title_field="review_date",
    fields=(
        Field("review_date", "Review date", "date", required=True),
        Field("chair", "Chair", max_length=200),
        Field("attendees", "Attendees"),
        Field("notes", "Notes"),
    ),
)

SUPPLIERS = Register(
    table="suppliers",
    label="Supplier",
    title_field="name",
    referenced_by=(("ai_systems", "supplier_id"),),
    fields=(
        Field("name", "Supplier", required=True, max_length=200),
        Field("provides", "What it provides"),
        Field("owner", "Relationship owner", max_length=200),
        Field("contract_ai_clauses", "AI clauses in contract", "bool",
              help="Does the contract cover AI-specific duties (A.10.2, A.10.3)?"),
        Field("contract_notes", "Contract notes"),
        Field("last_due_diligence", "Last due diligence", "date"),
        Field("next_review", "Next review", "date"),
    ),
)

AI_DATA_SOURCES = Register(
    table="ai_data_sources",
    label="Data source",
    title_field="name",
    allow_delete=True,
    fields=(
        Field("ai_system_id", "AI system", "int", required=True, reference=_AI_SYSTEM_REF),
        Field("name", "Data source", required=True, max_length=200),
        Field("provenance", "Provenance (A.7.5)"),
        Field("personal_data", "Personal data", "bool"),
        Field("quality_checks", "Quality checks (A.7.4)"),
    ),
)

TRIAGE_ASSESSMENTS = Register(
    table="triage_assessments",
    label="EU AI Act triage",
    title_field="assessed_on",
    fields=(
        Field("ai_system_id", "AI system", "int", required=True, reference=_AI_SYSTEM_REF),
        Field("assessed_on", "Assessed on", "date", required=True),
        Field("assessed_by", "Assessed by", required=True, max_length=200),
        Field("answers_json", "Answers", required=True, max_length=20000),
        Field("category", "Category", "choice", required=True, choices=EU_AI_ACT_CATEGORIES),
        Field("annex_iii_area", "Annex III area", "int", min_value=1, max_value=8),
        Field("reasoning", "Reasoning", required=True, max_length=20000),
    ),
)

REVALIDATION_INTERVALS = Register(
    table="revalidation_intervals",
    label="Re-validation interval",
    title_field="risk_tier",
    fields=(
        Field("risk_tier", "Risk tier", required=True, editable=False),
        Field("months", "Months between validations", "int", required=True, min_value=1,
              max_value=60),
        Field("description", "Applies to", editable=False),
    ),
)

ORGANISATION = Register(
    table="organisation",
    label="Organisation profile",
    title_field="name",
    fields=(
        Field("name", "Organisation", required=True, max_length=200),
        Field("scope_statement", "AIMS scope (4.3)"),
        Field("ai_roles", "AI roles (developer, provider, deployer, customer)"),
        Field("interested_parties", "Interested parties and their needs (4.2)"),
    ),
)

REGISTERS: dict[str, Register] = {
    r.table: r
    for r in (ORGANISATION, AI_SYSTEMS, SUPPLIERS, AI_DATA_SOURCES, TRIAGE_ASSESSMENTS, RISKS,
              RISK_CONTROLS, RISK_ACCEPTANCES, IMPACT_ASSESSMENTS, IMPACTS, SOA, SOA_VERSIONS,
              SOA_VERSION_ITEMS, CLAUSE_STATUS, OBJECTIVES, KPIS, OBJECTIVE_KPIS,
              KPI_MEASUREMENTS, VALIDATIONS, MANAGEMENT_REVIEWS, REVALIDATION_INTERVALS)
}
