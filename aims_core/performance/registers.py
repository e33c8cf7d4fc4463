"""Objectives (6.2), KPIs (9.1) and their measured or computed values."""

from __future__ import annotations

from itertools import pairwise
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

KPI_DIRECTIONS = {"higher": "Higher is better", "lower": "Lower is better"}


KPI_KINDS = {"computed": "Computed from the registers", "measured": "Measured"}


MEASUREMENT_SOURCES = {"computed": "Computed", "entered": "Entered", "imported": "Imported"}


COMPUTED_KPI_CODES = {
    "soa_implemented_pct": "SoA: applicable controls implemented (%)",
    "high_critical_risks_open": "Open high and critical risks",
    "revalidations_overdue": "Re-validations overdue or due now",
    "incidents_open": "Open incidents",
    "actions_overdue": "Overdue actions",
    "nonconformities_open": "Open nonconformities",
    "ai_literacy_coverage_pct": "AI literacy coverage of people who operate or use AI (%)",
    "self_assessment_overall": "Self-assessment: latest overall maturity (0–5)",
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


def _computed_kpi_code(_: Cursor,
                       row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("kind") == "computed" and row.get("code") is None:
        return [("code", "is required for a computed KPI: pick the register figure it records")]
    if row.get("kind") == "measured" and row.get("code") is not None:
        return [("code", "must be empty for a measured KPI")]
    return []


def _thresholds_in_order(_: Cursor,
                         row: dict[str, Any]) -> list[tuple[str, str]]:
    """Target, amber and red must get worse in the KPI's direction (each may be empty)."""
    higher = row.get("direction") == "higher"
    levels = [(name, row.get(name)) for name in ("target", "amber_threshold", "red_threshold")
              if row.get(name) is not None]
    for (better, good), (worse, bad) in pairwise(levels):
        if (bad > good) if higher else (bad < good):
            relation = "at most" if higher else "at least"
            return [(worse, f"must be {relation} the {better.replace('_', ' ')} ({good:g}) "
                     f"when {'higher' if higher else 'lower'} is better")]
    return []


KPIS = Register(
    table="kpis",
    label="KPI",
    title_field="name",
    referenced_by=(("kpi_measurements", "kpi_id"), ("objective_kpis", "kpi_id")),
    rules=(_computed_kpi_code, _thresholds_in_order),
    owner_field="owner",
    fields=(
        Field("name", "KPI", required=True, max_length=200),
        Field("description", "Description"),
        Field("unit", "Unit", max_length=40,
              help="What the value counts or measures: %, ratio, days, count …"),
        Field("direction", "Direction", "choice", required=True, choices=KPI_DIRECTIONS,
              help="Whether a higher or a lower value is better; decides which side of a threshold"
                   " is red"),
        Field("target", "Target", "float",
              help="The value aimed for (drawn as a dashed line on the trend)"),
        Field("amber_threshold", "Amber threshold", "float",
              help="Beyond this value the KPI is amber: watch it"),
        Field("red_threshold", "Red threshold", "float",
              help="Beyond this value the KPI is red; a red KPI linked to an AI system makes it "
                   "due for re-validation"),
        Field("frequency", "Frequency", "choice", choices=FREQUENCIES,
              help="How often a value is expected; a missing one falls due on the Schedule"),
        person_field("owner", "Owner"),
        Field("ai_system_id", "AI system", "int", reference=AI_SYSTEM_REF,
              help="The AI system the KPI monitors (empty: organisation-wide)"),
        Field("control_id", "Control", reference=CONTROL_REF,
              help="The Annex A control whose effectiveness the KPI shows"),
        Field("kind", "Kind", "choice", required=True, choices=KPI_KINDS,
              help="Measured (values entered or imported) or computed from the registers"),
        Field("code", "Computed from", "choice", choices=COMPUTED_KPI_CODES,
              help="For computed KPIs: the register figure each snapshot records"),
    ),
)


KPI_MEASUREMENTS = Register(
    table="kpi_measurements",
    label="KPI measurement",
    title_field="measured_on",
    importable=False,  # the KPI import (page, CLI, API) checks computed KPIs and dates
    owned_through="kpi_id",
    allow_delete=True,
    unique_together=("kpi_id", "measured_on"),
    fields=(
        Field("kpi_id", "KPI", "int", required=True, reference=Reference("kpis", "id", "name")),
        Field("measured_on", "Date", "date", required=True, not_after_today=True),
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
    owner_field="owner",
    fields=(
        Field("title", "Objective", required=True, max_length=300),
        Field("description", "Description"),
        person_field("owner", "Owner", required=True),
        Field("target_date", "Target date", "date",
              help="When the objective should be reached (clause 6.2)"),
        Field("status", "Status", "choice", required=True, choices=OBJECTIVE_STATUSES),
    ),
)


OBJECTIVE_KPIS = Register(
    table="objective_kpis",
    label="Objective–KPI link",
    title_field="kpi_id",
    owned_through="objective_id",
    allow_delete=True,
    unique_together=("objective_id", "kpi_id"),
    fields=(
        Field("objective_id", "Objective", "int", required=True,
              reference=Reference("objectives", "id", "title")),
        Field("kpi_id", "KPI", "int", required=True, reference=Reference("kpis", "id", "name")),
    ),
)
