"""The risk registers: risks, their treating controls, acceptances, impact assessments."""

from __future__ import annotations

from typing import Any

from aims_core.records.fields import (
    AI_SYSTEM_REF,
    CONTROL_REF,
    Cursor,
    Field,
    Reference,
    Register,
    person_field,
)

TREATMENTS = {"mitigate": "Mitigate", "accept": "Accept", "transfer": "Transfer", "avoid": "Avoid"}


RISK_STATUSES = {
    "open": "Open",
    "treating": "In treatment",
    "accepted": "Accepted",
    "closed": "Closed",
}


MAX_MATRIX_SIZE = 7


LEVEL_FIELD = {"kind": "int", "min_value": 1, "max_value": MAX_MATRIX_SIZE}


_RATINGS = {"likelihood": ("inherent_likelihood", "residual_likelihood"),
            "impact": ("inherent_impact", "residual_impact")}


def _residual_pair(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    pair = (row.get("residual_likelihood"), row.get("residual_impact"))
    if (pair[0] is None) != (pair[1] is None):
        missing = "residual_impact" if pair[1] is None else "residual_likelihood"
        return [(missing, "is required when the other residual rating is set")]
    return []


def _ratings_on_scale(cur: Cursor,
                      row: dict[str, Any]) -> list[tuple[str, str]]:
    """Ratings must lie on the configured matrix (its size can change)."""
    sizes = dict(cur.execute("SELECT axis, max(level) FROM risk_scale GROUP BY axis").fetchall())
    return [(name, f"must be between 1 and {sizes[axis]} on the current risk matrix")
            for axis, names in _RATINGS.items() for name in names
            if row.get(name) is not None and row[name] > sizes[axis]]


RISKS = Register(
    table="risks",
    label="Risk",
    title_field="title",
    referenced_by=(("risk_controls", "risk_id"), ("risk_acceptances", "risk_id")),
    rules=(_residual_pair, _ratings_on_scale),
    owner_field="owner",
    fields=(
        Field("ai_system_id", "AI system", "int", reference=AI_SYSTEM_REF,
              help="Leave empty for an organisation-wide risk"),
        Field("title", "Risk", required=True, max_length=300),
        Field("description", "Description"),
        Field("risk_source", "Risk source (Annex C.3)", "text",
              reference=Reference("annex_c_risk_sources", "source_id", "title"),
              help="What could cause the risk (ISO/IEC 42001 Annex C.3)"),
        Field("objective_affected", "Objective affected (Annex C.2)", "text",
              reference=Reference("annex_c_objectives", "objective_id", "title"),
              help="The organisational objective the risk threatens (Annex C.2)"),
        person_field("owner", "Owner", required=True,
                     help="The person who treats and reviews this risk"),
        Field("inherent_likelihood", "Inherent likelihood", required=True, **LEVEL_FIELD,
              help="Before any treatment, on the risk method's scale"),
        Field("inherent_impact", "Inherent impact", required=True, **LEVEL_FIELD,
              help="Before any treatment, on the risk method's scale"),
        Field("residual_likelihood", "Residual likelihood", **LEVEL_FIELD,
              help="After the treating controls; set it together with the residual impact"),
        Field("residual_impact", "Residual impact", **LEVEL_FIELD,
              help="After the treating controls; set it together with the residual likelihood"),
        Field("treatment", "Treatment", "choice", choices=TREATMENTS,
              help="Mitigate, accept, transfer or avoid (6.1.3); accepting needs a recorded "
                   "acceptance below the table"),
        Field("treatment_plan", "Treatment plan",
              help="What will be done, by whom and by when"),
        Field("status", "Status", "choice", required=True, choices=RISK_STATUSES),
        Field("identified_on", "Identified on", "date", not_after_today=True),
        Field("review_date", "Next review", "date", not_before="identified_on",
              help="The next review; a past date puts the risk on the Schedule as overdue"),
        Field("impact_id", "Raised from impact", "int", reference=Reference("impacts"),
              editable=False, help="The impact assessment finding this risk was raised from"),
        Field("self_assessment_step_id", "Raised from self-assessment step", "int",
              reference=Reference("self_assessment_steps"), editable=False,
              help="The roadmap step of a self-assessment this risk was raised from"),
    ),
)


RISK_ACCEPTANCES = Register(
    table="risk_acceptances",
    label="Risk acceptance",
    title_field="approved_by",
    owned_through="risk_id",
    approver_field="approved_by",
    fields=(
        Field("risk_id", "Risk", "int", required=True, reference=Reference("risks", "id")),
        person_field("approved_by", "Approved by", required=True),
        Field("approved_on", "Approved on", "date", required=True, not_after_today=True),
        Field("justification", "Justification", required=True),
        Field("expires_on", "Expires on", "date", required=True, not_before="approved_on",
              help="After this date the acceptance is due for renewal"),
    ),
)


IMPACT_ASSESSMENTS = Register(
    table="impact_assessments",
    label="Impact assessment",
    title_field="intended_use",
    referenced_by=(("impacts", "impact_assessment_id"),),
    owner_field="reviewer",
    fields=(
        Field("ai_system_id", "AI system", "int", required=True, reference=AI_SYSTEM_REF),
        Field("intended_use", "Intended use", required=True,
              help="What the system is meant to do, for whom and in which context (A.5)"),
        Field("foreseeable_misuse", "Reasonably foreseeable misuse",
              help="How it could reasonably be used in ways not intended"),
        Field("affected_individuals", "Affected individuals",
              help="The people the output affects directly and how"),
        Field("affected_groups", "Affected groups",
              help="Groups that could be affected differently, e.g. by age or language"),
        Field("societal_impact", "Impact on society",
              help="Wider effects: on society, the environment, democratic processes …"),
        person_field("reviewer", "Reviewer", required=True),
        Field("assessed_on", "Assessed on", "date", required=True, not_after_today=True),
        Field("next_review", "Next review", "date", not_before="assessed_on",
              help="The next review of this assessment; it falls due on the Schedule"),
    ),
)


IMPACT_AFFECTED = {"individuals": "Individuals", "groups": "Groups", "society": "Society"}


IMPACTS = Register(
    table="impacts",
    label="Impact",
    title_field="description",
    owned_through="impact_assessment_id",
    referenced_by=(("risks", "impact_id"),),
    allow_delete=True,
    fields=(
        Field("impact_assessment_id", "Assessment", "int", required=True,
              reference=Reference("impact_assessments")),
        Field("affected", "Who is affected", "choice", required=True, choices=IMPACT_AFFECTED),
        Field("description", "Impact", required=True),
        Field("severity", "Severity", required=True, **LEVEL_FIELD),
        Field("likelihood", "Likelihood", required=True, **LEVEL_FIELD),
        Field("mitigation", "Mitigation"),
    ),
)


RISK_CONTROLS = Register(
    table="risk_controls",
    label="Risk–control link",
    title_field="control_id",
    owned_through="risk_id",
    allow_delete=True,
    fields=(
        Field("risk_id", "Risk", "int", required=True, reference=Reference("risks", "id", "title")),
        Field("control_id", "Annex A control", required=True, reference=CONTROL_REF),
    ),
)
