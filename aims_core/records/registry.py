"""Every register of every domain area, by table name."""

from __future__ import annotations

from aims_core.api import registers as api
from aims_core.auth import registers as auth
from aims_core.compliance import registers as compliance
from aims_core.data_import import registers as data_import
from aims_core.improvement import registers as improvement
from aims_core.inventory import registers as inventory
from aims_core.management_review import registers as management_review
from aims_core.management_system import registers as management_system
from aims_core.performance import registers as performance
from aims_core.records.fields import Register
from aims_core.reminders import registers as reminders
from aims_core.risk import registers as risk
from aims_core.self_assessment import registers as self_assessment

REGISTERS: dict[str, Register] = {
    r.table: r
    for r in (management_system.ORGANISATION, management_system.CONTEXT_ISSUES,
              management_system.INTERESTED_PARTIES, management_system.OPPORTUNITIES,
              management_system.DOCUMENTS, management_system.DOCUMENT_VERSIONS,
              management_system.DOCUMENT_LINKS, management_system.AIMS_ROLES,
              management_system.COMPETENCES, management_system.ROLE_COMPETENCES,
              management_system.TRAINING_RECORDS, inventory.AI_SYSTEMS, inventory.SUPPLIERS,
              inventory.AI_DATA_SOURCES, inventory.TRIAGE_ASSESSMENTS, risk.RISKS,
              risk.RISK_CONTROLS, risk.RISK_ACCEPTANCES, risk.IMPACT_ASSESSMENTS, risk.IMPACTS,
              compliance.SOA, compliance.SOA_VERSIONS, compliance.SOA_VERSION_ITEMS,
              compliance.CLAUSE_STATUS, performance.OBJECTIVES, performance.KPIS,
              performance.OBJECTIVE_KPIS, performance.KPI_MEASUREMENTS, inventory.VALIDATIONS,
              management_review.MANAGEMENT_REVIEWS, management_review.MANAGEMENT_REVIEW_SECTIONS,
              management_review.MANAGEMENT_REVIEW_DECISIONS,
              management_review.MANAGEMENT_REVIEW_ATTENDEES,
              management_review.MANAGEMENT_REVIEW_PACKS, inventory.REVALIDATION_INTERVALS,
              improvement.INCIDENTS, improvement.AUDITS, improvement.AUDIT_SCOPE_ITEMS,
              improvement.AUDIT_FINDINGS, improvement.NONCONFORMITIES, improvement.ACTIONS,
              auth.PEOPLE, api.API_TOKENS, data_import.IMPORT_LAYOUTS,
              reminders.REMINDER_PREFERENCES, self_assessment.SESSIONS,
              self_assessment.PARTICIPANTS, self_assessment.ANSWERS, self_assessment.SCORES,
              self_assessment.STEPS)
}
