"""The management system's own registers: the organisation profile and AIMS scope (4.3),
context issues (4.1), interested parties (4.2), opportunities (6.1.1), documented
information (7.5, A.2), AIMS roles (5.3, A.3.2), competences and training (7.2, 7.3, A.4.6).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from aims_core.records.fields import (
    AI_SYSTEM_REF,
    CONTROL_REF,
    Cursor,
    Field,
    Reference,
    Register,
    RowRule,
    person_field,
)
from aims_core.records.validation import is_blank

# --- the organisation profile ----------------------------------------------------------------
# The roles an organisation can play for AI: ISO/IEC 22989 / 42001 (AI producer, provider,
# customer, data provider) and the EU AI Act operators (provider, deployer, importer,
# distributor). The stored codes are what organisation.ai_roles(db) returns.
AI_ROLES = {
    "developer": "AI producer / developer",
    "provider": "AI provider (places AI on the market or in service under its name)",
    "deployer": "Deployer (uses AI under its authority)",
    "importer": "Importer (brings a non-EU provider's AI into the EU)",
    "distributor": "Distributor (makes others' AI available)",
    "customer": "AI customer (buys or uses AI products and services)",
    "data_provider": "Data provider (supplies data for AI)",
}
AI_ROLE_SHORT = {"developer": "Developer", "provider": "Provider", "deployer": "Deployer",
                 "importer": "Importer", "distributor": "Distributor", "customer": "Customer",
                 "data_provider": "Data provider"}
SIZE_BANDS = {  # the EU's SME bands by staff headcount
    "micro": "Micro (fewer than 10 staff)",
    "small": "Small (10-49 staff)",
    "medium": "Medium (50-249 staff)",
    "large": "Large (250 staff or more)",
}


def _one_profile(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("id") is None and cur.execute("SELECT count(*) FROM organisation").fetchone()[0]:
        return [("name", "an organisation profile exists already: edit that one")]
    return []


def _scope_for_eu_market(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    if (row.get("established_in_eu") or row.get("eu_market")) and \
            is_blank(row.get("scope_statement")):
        return [("scope_statement", "is required when the organisation is established in the "
                 "EU or places AI systems on the EU market: say what the AIMS covers")]
    return []


ORGANISATION = Register(
    table="organisation",
    label="Organisation profile",
    importable=False,  # one profile, edited in place
    title_field="name",
    rules=(_one_profile, _scope_for_eu_market),
    fields=(
        Field("name", "Legal name", required=True, max_length=200),
        Field("sector", "Sector", max_length=200),
        Field("size_band", "Size", "choice", choices=SIZE_BANDS),
        Field("countries", "Countries of operation", max_length=500),
        Field("established_in_eu", "Established in the EU", "bool"),
        Field("eu_market", "Places AI on the EU market or uses it there", "bool",
              help="Places AI systems on the EU market, puts them into service in the EU, or "
                   "uses their output in the EU"),
        Field("ai_roles", "AI roles", "multi", choices=AI_ROLES,
              help="Every role the organisation plays for some AI system"),
        Field("scope_statement", "AIMS scope statement (4.3)"),
        Field("in_scope", "In scope", help="Units, sites, AI systems and activities covered"),
        Field("out_of_scope", "Out of scope"),
        Field("exclusion_reasons", "Why these are out of scope"),
        Field("scope_reviewed_on", "Scope last reviewed", "date"),
        Field("next_review", "Next scope review", "date", not_before="scope_reviewed_on"),
    ),
)

# --- context: issues (4.1), interested parties (4.2), opportunities (6.1.1) ------------------
ISSUE_TYPES = {"external": "External", "internal": "Internal"}
ISSUE_TOPICS = {
    "legal": "Laws and regulation",
    "market": "Market and customers",
    "technology": "Technology",
    "social": "Society and ethics",
    "climate": "Climate and environment",
    "organisation": "Organisation and culture",
    "resources": "People and resources",
    "other": "Other",
}
PARTY_TYPES = ISSUE_TYPES
OPPORTUNITY_STATUSES = {
    "identified": "Identified",
    "pursuing": "Pursuing",
    "realised": "Realised",
    "dropped": "Dropped",
}

CONTEXT_ISSUES = Register(
    table="context_issues",
    label="Context issue",
    title_field="description",
    owner_field="owner",
    fields=(
        Field("issue_type", "Type", "choice", required=True, choices=ISSUE_TYPES),
        Field("topic", "Topic", "choice", choices=ISSUE_TOPICS),
        Field("description", "Issue", required=True, max_length=1000),
        Field("effect_on_aims", "Effect on the AIMS",
              help="How the issue affects the intended results of the AI management system"),
        Field("source", "Source", max_length=500, help="Where you learnt of it"),
        person_field("owner", "Owner"),
        Field("last_reviewed", "Last reviewed", "date"),
        Field("next_review", "Next review", "date", not_before="last_reviewed"),
        Field("closed_on", "No longer relevant from", "date"),
    ),
)


def _party_response(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("addressed") is not None and is_blank(row.get("response")):
        return [("response", "is required once you decide whether the AIMS addresses the "
                 "need: say how, or why not")]
    return []


INTERESTED_PARTIES = Register(
    table="interested_parties",
    label="Interested party",
    title_field="party",
    owner_field="owner",
    rules=(_party_response,),
    fields=(
        Field("party", "Interested party", required=True, max_length=300),
        Field("party_type", "Type", "choice", choices=PARTY_TYPES),
        Field("needs", "Needs and expectations", required=True),
        Field("addressed", "Addressed by the AIMS", "bool",
              help="Whether the AI management system addresses this need (4.2 c)"),
        Field("response", "How, or why not"),
        person_field("owner", "Owner"),
        Field("last_reviewed", "Last reviewed", "date"),
        Field("next_review", "Next review", "date", not_before="last_reviewed"),
        Field("closed_on", "No longer relevant from", "date"),
    ),
)

OPPORTUNITIES = Register(
    table="opportunities",
    label="Opportunity",
    title_field="title",
    owner_field="owner",
    fields=(
        Field("title", "Opportunity", required=True, max_length=300),
        Field("description", "Description"),
        Field("benefit", "Expected benefit"),
        Field("ai_system_id", "AI system", "int", reference=AI_SYSTEM_REF),
        person_field("owner", "Owner"),
        Field("status", "Status", "choice", required=True, choices=OPPORTUNITY_STATUSES),
        Field("last_reviewed", "Last reviewed", "date"),
        Field("next_review", "Next review", "date", not_before="last_reviewed"),
    ),
)

# --- documented information (7.5, A.2) -------------------------------------------------------
DOCUMENT_TYPES = {
    "ai_policy": "AI policy",
    "policy": "Other policy",
    "procedure": "Procedure",
    "plan": "Plan",
    "record": "Record",
    "impact_assessment_report": "Impact assessment report",
    "model_card": "Model card",
    "data_sheet": "Data sheet",
    "other": "Other",
}
DOCUMENT_STATUSES = {"draft": "Draft", "approved": "Approved", "withdrawn": "Withdrawn"}
# What clause 5.2 (and A.2.3) ask of an AI policy, in our own words: the owner ticks each.
POLICY_CHECKS = {
    "purpose": "Fits the organisation's purpose and the AI it builds, sells or uses (5.2 a)",
    "objectives": "Gives a frame for setting AI objectives (5.2 b)",
    "requirements": "Commits to meeting the requirements that apply (5.2 c)",
    "improvement": "Commits to improving the AIMS continually (5.2 d)",
    "other_policies": "Refers to the other policies it touches (5.2, A.2.3)",
    "documented": "Is kept as documented information (5.2)",
    "communicated": "Is communicated within the organisation (5.2)",
    "available": "Is available to interested parties as appropriate (5.2)",
}


def _approval_recorded(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("status") != "approved":
        return []
    return [(name, "is required for an approved document")
            for name in ("approved_by", "approved_on") if row.get(name) is None]


def _not_in_future(name: str, advice: str = "") -> RowRule:
    """A rule: the date ``name`` cannot lie after today (the day of the write)."""
    def rule(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
        day = row.get(name)
        if day is not None and day > date.today():
            return [(name, f"cannot be in the future ({day:%Y-%m-%d}){advice}")]
        return []
    return rule


def _checks_on_ai_policy(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    if row.get("policy_checks") and row.get("doc_type") != "ai_policy":
        return [("policy_checks", "apply to an AI policy only: clear them or set the type to "
                 "AI policy")]
    return []


def _version_history(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    """A document's version label changes only with a new version, which keeps the one
    before in ``document_versions`` (7.5.3), and never goes back to an earlier label."""
    if row.get("id") is None or row.get("doc_version") is None:
        return []
    stored = cur.execute("SELECT doc_version FROM documents WHERE id = ?",
                         [row["id"]]).fetchone()
    if stored is None or stored[0] == row["doc_version"]:
        return []
    kept = {r[0] for r in cur.execute("SELECT doc_version FROM document_versions "
                                      "WHERE document_id = ?", [row["id"]]).fetchall()}
    if row["doc_version"] in kept:
        return [("doc_version", f"{row['doc_version']!r} is an earlier version of this "
                 "document: give the new version its own number")]
    if stored[0] not in kept:
        return [("doc_version", f"changes only with a new version, which keeps version "
                 f"{stored[0]!r}: use 'Start a new version' on the document")]
    return []


DOCUMENTS = Register(
    table="documents",
    label="Document",
    title_field="title",
    owner_field="owner",
    unique_together=("reference",),
    rules=(_approval_recorded, _not_in_future("approved_on"), _checks_on_ai_policy,
           _version_history),
    fields=(
        Field("reference", "Reference", max_length=60, help="Your document number, e.g. "
              "AIMS-POL-01"),
        Field("title", "Title", required=True, max_length=300),
        Field("doc_type", "Type", "choice", required=True, choices=DOCUMENT_TYPES),
        Field("doc_version", "Version", required=True, max_length=40),
        person_field("owner", "Owner", required=True),
        Field("status", "Status", "choice", required=True, choices=DOCUMENT_STATUSES),
        person_field("approved_by", "Approved by"),
        Field("approved_on", "Approved on", "date"),
        Field("next_review", "Next review", "date", not_before="approved_on"),
        Field("location", "Location", max_length=1000,
              help="URL or file path where the document is kept (the app stores the link, "
                   "not the file)"),
        Field("change_note", "What changed in this version"),
        Field("policy_checks", "AI policy checklist (5.2)", "multi", choices=POLICY_CHECKS),
    ),
)

DOCUMENT_VERSIONS = Register(
    table="document_versions",
    label="Earlier document version",
    title_field="doc_version",
    owned_through="document_id",
    unique_together=("document_id", "doc_version"),
    importable=False,  # written by starting a new version
    fields=(
        Field("document_id", "Document", "int", required=True, editable=False,
              reference=Reference("documents", "id", "title")),
        # the earlier version as it stood, kept unchanged (7.5.3)
        *(replace(f, editable=False) for f in DOCUMENTS.fields),
        Field("superseded_on", "Superseded on", "date", required=True, editable=False),
    ),
)


def _one_target(cur: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    """A link names exactly one clause, control or AI system, once per document."""
    targets = [name for name in ("clause_id", "control_id", "ai_system_id")
               if row.get(name) is not None]
    if len(targets) != 1:
        return [("clause_id", "name exactly one clause, Annex A control or AI system")]
    name = targets[0]
    if cur.execute(f'SELECT count(*) FROM document_links WHERE document_id = ? AND "{name}" = ? '
                   "AND id IS DISTINCT FROM ?",
                   [row.get("document_id"), row[name], row.get("id")]).fetchone()[0]:
        return [(name, f"{row[name]!r} is linked to this document already")]
    return []


DOCUMENT_LINKS = Register(
    table="document_links",
    label="Document link",
    title_field="document_id",
    owned_through="document_id",
    allow_delete=True,
    rules=(_one_target,),
    fields=(
        Field("document_id", "Document", "int", required=True,
              reference=Reference("documents", "id", "title")),
        Field("clause_id", "Clause", reference=Reference("clauses", "clause_id", "title")),
        Field("control_id", "Annex A control", reference=CONTROL_REF),
        Field("ai_system_id", "AI system", "int", reference=AI_SYSTEM_REF),
    ),
)

# --- roles (5.3, A.3.2) ----------------------------------------------------------------------
# Roles an AIMS usually needs; the Roles page names those nobody holds yet.
STANDARD_ROLES = ("AIMS owner", "Risk owner", "AI system owner", "Internal auditor",
                  "Data protection officer", "Human-oversight operator")


def _deputy_is_someone_else(_: Cursor, row: dict[str, Any]) -> list[tuple[str, str]]:
    holder, deputy = row.get("holder"), row.get("deputy")
    if holder and deputy and holder.casefold() == deputy.casefold():
        return [("deputy", "must be someone other than the holder")]
    return []


AIMS_ROLES = Register(
    table="aims_roles",
    label="Role",
    title_field="role",
    owner_field="holder",
    rules=(_deputy_is_someone_else,),
    fields=(
        Field("role", "Role", required=True, max_length=200),
        Field("responsibilities", "Responsibilities and authorities"),
        person_field("holder", "Held by", required=True),
        person_field("deputy", "Deputy"),
        Field("ai_system_id", "AI system", "int", reference=AI_SYSTEM_REF,
              help="For a role tied to one AI system (its owner, its oversight operator)"),
        Field("works_with_ai", "Operates or uses AI", "bool",
              help="Its holder and deputy operate or use AI systems: they count for AI "
                   "literacy (EU AI Act Art. 4)"),
        Field("assigned_on", "Since", "date"),
        Field("ended_on", "Ended on", "date", not_before="assigned_on"),
    ),
)

# --- competences and training (7.2, 7.3, A.4.6) ----------------------------------------------
COMPETENCE_KINDS = {
    "training": "Training",
    "certification": "Certification",
    "awareness": "Awareness",
    "ai_literacy": "AI literacy",
}
COMPETENCE_REF = Reference("competences", "id", "name")

COMPETENCES = Register(
    table="competences",
    label="Competence",
    title_field="name",
    unique_together=("name",),
    fields=(
        Field("name", "Course or competence", required=True, max_length=200),
        Field("kind", "Kind", "choice", required=True, choices=COMPETENCE_KINDS),
        Field("validity_months", "Valid for (months)", "int", min_value=1, max_value=240,
              help="Empty when it does not expire"),
        Field("provider", "Provider", max_length=200),
        Field("description", "What it covers"),
    ),
)

ROLE_COMPETENCES = Register(
    table="role_competences",
    label="Required competence",
    title_field="competence_id",
    allow_delete=True,
    unique_together=("role_id", "competence_id"),
    fields=(
        Field("role_id", "Role", "int", required=True,
              reference=Reference("aims_roles", "id", "role")),
        Field("competence_id", "Competence", "int", required=True, reference=COMPETENCE_REF),
    ),
)


TRAINING_RECORDS = Register(
    table="training_records",
    label="Training record",
    title_field="person",
    owner_field="person",
    rules=(_not_in_future("completed_on", ": record training once it is done"),),
    fields=(
        person_field("person", "Person", required=True),
        Field("competence_id", "Course or competence", "int", required=True,
              reference=COMPETENCE_REF),
        Field("completed_on", "Completed on", "date", required=True),
        Field("evidence_link", "Evidence", max_length=1000,
              help="Certificate, attendance list or LMS record (link or reference)"),
        Field("notes", "Notes"),
    ),
)
