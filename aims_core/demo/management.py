"""The demo's management system: its profile and scope, context issues, interested parties
and opportunities, documents with their versions and links, AIMS roles, competences and
training records, and its past management reviews.

Lists that grow with an organisation grow with the number of systems: a model card and a
data sheet per system built in-house, a human-oversight operator per system in use, and
each operator's training records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from aims_core.demo.common import AIMS_OWNER, CEO, History, at, months_before
from aims_core.demo.inventory import ARCHETYPES

SET_UP_MONTHS = 14  # the AIMS was set up (context, roles entered), months before the anchor
REVIEW_MONTHS = 10  # the last management review, months before the anchor
NEXT_REVIEW_MONTHS = 2  # the next review, planned this many months after the anchor


def organisation(start: date, anchor: date, history: History) -> pd.DataFrame:
    reviewed = months_before(anchor, REVIEW_MONTHS)
    first = {
        "id": 1, "name": "Aldwick Finance Ltd",
        "sector": "Consumer finance (personal loans, credit cards)", "size_band": "medium",
        "countries": "United Kingdom, Ireland, Germany, Netherlands",
        "established_in_eu": True, "eu_market": True,
        "ai_roles": "developer, provider, deployer, customer",
        "scope_statement": "Design, procurement and use of AI systems supporting consumer "
        "lending, hiring and customer service at Aldwick Finance Ltd (UK and EU operations).",
        "in_scope": "Every AI system in the inventory; the Credit Risk, People & HR, Customer "
        "Service, Financial Crime, Operations, Marketing, Analytics, Collections and IT "
        "teams; the Leeds head office and the Dublin branch.",
        "out_of_scope": "Market-data analytics run by the parent group's treasury.",
        "exclusion_reasons": "Operated and governed by the parent group under its own "
        "management system; it makes no decision about Aldwick's customers or staff.",
        "interested_parties": None, "scope_reviewed_on": None, "next_review": None,
    }
    # The scope was confirmed at the last management review, with a yearly review date.
    final = {**first, "scope_reviewed_on": reviewed, "next_review": months_before(reviewed, -12)}
    states = [(at(start), AIMS_OWNER, dict(first)), (at(reviewed, 15), AIMS_OWNER, dict(final))]
    final["version"] = history.record("organisation", states)
    return pd.DataFrame([final])


# fmt: off
# (type, topic, issue, effect on the AIMS, source, owner, months since last review,
#  months to next review, revised: (months ago, new issue text) or None)
ISSUES = (
    ("external", "legal", "EU AI Act duties for our high-risk credit scoring and CV screening apply from 2 Dec 2027",
     "Risk management, data governance, logging and human oversight must be evidenced per system",
     "Regulation (EU) 2024/1689 as amended by Regulation (EU) 2026/1744", AIMS_OWNER, 5, 1,
     (2, "EU AI Act duties for our high-risk credit scoring and CV screening apply from 2 Dec 2027 (moved from Aug 2026 by the Digital Omnibus)")),
    ("external", "legal", "Consumer Duty: the regulator expects fair outcomes from automated credit decisions",
     "Outcome testing and explanations for declines are part of monitoring", "FCA Consumer Duty guidance",
     "Priya Shah", 5, 7, None),
    ("external", "market", "Customers expect instant loan decisions and round-the-clock chat support",
     "Pressure to automate more decisions; human oversight must keep pace", "Customer survey 2026",
     "Lena Novak", 5, 7, None),
    ("external", "technology", "Our chatbot relies on a third-party LLM API whose model changes without notice",
     "Re-validation triggers and supplier terms must catch model changes", "Supplier release notes",
     "Ben Okafor", 8, -1, None),
    ("external", "social", "Public concern about bias in automated hiring",
     "Selection-rate monitoring and candidate information for TalentSift", "Press coverage, works council",
     "Tom Becker", 5, 7, None),
    ("external", "climate", "Climate change: judged not relevant to the AIMS's intended results",
     "Only data-centre energy use of model training; tracked as an organisation-wide risk",
     "Annual context review", AIMS_OWNER, 5, 7, None),
    ("internal", "resources", "A data-science team of four people builds and runs our in-house models",
     "Key-person risk for CreditLens; documentation must let others take over", "Resourcing plan",
     "Priya Shah", 5, 7, None),
    ("internal", "organisation", "The board's risk appetite allows no fully automated loan declines",
     "Every decline needs an underwriter: a design requirement for CreditLens", "Board minutes",
     CEO, 14, 10, None),
    ("internal", "technology", "The core banking platform moves to a new vendor in 2027",
     "Data feeds of in-house models change: re-validation before switch-over", "IT roadmap",
     "Ben Okafor", 5, 4, None),
)

# (party, type, needs and expectations, addressed by the AIMS, how or why not, owner,
#  revised: (months ago, new needs text) or None)
PARTIES = (
    ("Loan applicants and customers", "external",
     "Fair, explained credit decisions; a person to contest a decline; privacy of their data", True,
     "Underwriter review of declines, reasons given with every decline, impact assessments (A.5) and user information (A.8.2)",
     "Priya Shah", None),
    ("Job applicants", "external", "Non-discriminatory screening; to know when AI is used", True,
     "Selection-rate monitoring (4/5 rule), recruiters decide, notice in every job advert", "Tom Becker", None),
    ("Employees", "internal", "Training to use AI tools safely", True,
     "AI literacy programme for everyone who uses AI; managers confirm every performance rating", "Tom Becker",
     (2, "Training to use AI tools safely; clarity on how AI-supported performance ratings are made (works council request)")),
    ("Financial regulators (FCA, Central Bank of Ireland)", "external",
     "Compliance with consumer credit and conduct rules; sound model risk management", True,
     "AIMS with model validation, KPIs and management reviews", AIMS_OWNER, None),
    ("EU AI Act market surveillance authority", "external",
     "Technical documentation, registration and serious-incident reports for high-risk systems", True,
     "Documents register, incident communication plan (A.8.4), triage of every system", AIMS_OWNER, None),
    ("AI suppliers", "external", "Clear contract terms on data use and model changes", True,
     "AI clauses in supplier contracts and yearly due diligence (A.10.3)", AIMS_OWNER, None),
    ("Parent group and shareholders", "external", "No reputational damage from AI; efficient operations", True,
     "Management reviews report AIMS performance to the board", CEO, None),
    ("Consumer advocacy groups", "external", "Transparency about where AI is used in lending", False,
     "Not through the AIMS: public affairs answers them in the yearly AI statement", "Lena Novak", None),
)

# (title, description, expected benefit, archetype index or None, owner, status)
OPPORTUNITIES = (
    ("Faster decisions on simple loan applications", "CreditLens v3 scores thin-file applicants with bank-statement data",
     "Time to decision from two days to two hours", 0, "Priya Shah", "pursuing"),
    ("Chatbot answers routine questions out of hours", "Ask Aldwick handles balance and payment-date questions",
     "A quarter fewer calls to the contact centre", 2, "Lena Novak", "realised"),
    ("Reuse TalentSift's fairness monitoring for PeopleCore", "The same selection-rate checks for performance ratings",
     "Earlier warning of unfair ratings", 9, "Tom Becker", "pursuing"),
    ("Automated drift alerts for every in-house model", "One monitoring job for CreditLens, FraudGuard and ChurnRadar",
     "Drift caught within a day instead of a month", None, "Ben Okafor", "identified"),
)
# fmt: on


def context(anchor: date, systems: list[dict],
            history: History) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Context issues, interested parties and opportunities, each reviewed at a management
    review; a few changed since the last one (inputs 9.3.2 b and c)."""
    set_up = months_before(anchor, SET_UP_MONTHS)
    issues = []
    for i, (kind, topic, text, effect, source, owner, since, until, revised) in enumerate(ISSUES, 1):
        reviewed = months_before(anchor, since)
        row = {"id": i, "issue_type": kind, "topic": topic, "description": text,
               "effect_on_aims": effect, "source": source, "owner": owner,
               "last_reviewed": reviewed, "next_review": months_before(anchor, -until),
               "closed_on": None}
        states = [(at(set_up, 11), AIMS_OWNER, dict(row))]
        if reviewed > set_up:  # entered at the first review, reviewed again since
            states = [(at(set_up, 11), AIMS_OWNER, {**row, "last_reviewed": None,
                                                     "next_review": None}),
                      (at(reviewed, 15), owner, dict(row))]
        if revised:
            day = months_before(anchor, revised[0])
            row = {**row, "description": revised[1], "last_reviewed": day}
            states.append((at(day, 10), owner, dict(row)))
        row["version"] = history.record("context_issues", states)
        issues.append(row)
    closed = {"id": len(issues) + 1, "issue_type": "internal", "topic": "organisation",
              "description": "Head office moves to a new building during 2026",
              "effect_on_aims": "Paper records of validations to be scanned before the move",
              "source": "Facilities plan", "owner": "Ben Okafor", "last_reviewed": set_up,
              "next_review": None, "closed_on": months_before(anchor, 3)}
    closed["version"] = history.record("context_issues", [
        (at(set_up, 11), AIMS_OWNER, {**closed, "closed_on": None}),
        (at(closed["closed_on"], 9), "Ben Okafor", dict(closed))])
    issues.append(closed)

    reviewed = months_before(anchor, REVIEW_MONTHS)
    parties = []
    for i, (party, kind, needs, addressed, response, owner, revised) in enumerate(PARTIES, 1):
        row = {"id": i, "party": party, "party_type": kind, "needs": needs,
               "addressed": addressed, "response": response, "owner": owner,
               "last_reviewed": reviewed, "next_review": months_before(reviewed, -12),
               "closed_on": None}
        states = [(at(set_up, 12), AIMS_OWNER, {**row, "last_reviewed": set_up,
                                                 "next_review": months_before(set_up, -12)}),
                  (at(reviewed, 15), owner, dict(row))]
        if revised:
            day = months_before(anchor, revised[0])
            row = {**row, "needs": revised[1], "last_reviewed": day}
            states.append((at(day, 10), owner, dict(row)))
        row["version"] = history.record("interested_parties", states)
        parties.append(row)

    by_archetype = {(s["id"] - 1) % len(ARCHETYPES): s["id"] for s in systems[:len(ARCHETYPES)]}
    opportunities = []
    for i, (title, text, benefit, arch, owner, status) in enumerate(OPPORTUNITIES, 1):
        row = {"id": i, "title": title, "description": text, "benefit": benefit,
               "ai_system_id": None if arch is None else by_archetype.get(arch),
               "owner": owner, "status": status, "last_reviewed": reviewed,
               "next_review": None if status == "realised" else months_before(reviewed, -6 - i)}
        row["version"] = history.record("opportunities", [(at(reviewed, 16), owner, dict(row))])
        opportunities.append(row)
    return pd.DataFrame(issues), pd.DataFrame(parties), pd.DataFrame(opportunities)


# --- documents -------------------------------------------------------------------------------
# fmt: off
# (key, reference, title, type, owner, status, months since approval, months to next review,
#  clauses and controls it evidences, earlier versions: (version, months approved before) ...)
DOCUMENTS = (
    ("ai_policy", "AIMS-POL-01", "AI policy", "ai_policy", AIMS_OWNER, "approved", 5, 7,
     ("5.2", "A.2.2", "A.2.3", "A.2.4"), (("1.0", 14),)),
    ("acceptable_use", "AIMS-POL-02", "Acceptable use of AI tools by staff", "policy", AIMS_OWNER, "approved", 13, -1,
     ("A.9.2", "A.9.4", "7.3"), ()),
    ("data_protection", "AIMS-POL-03", "Data protection policy (AI annex)", "policy", "Emma Fischer", "approved", 9, 3,
     ("A.7.2", "A.2.3"), ()),
    ("risk_procedure", "AIMS-PRO-01", "AI risk assessment and treatment procedure", "procedure", AIMS_OWNER, "approved", 10, 2,
     ("6.1.1", "6.1.2", "6.1.3", "8.2", "8.3"), (("1.0", 16),)),
    ("impact_procedure", "AIMS-PRO-02", "AI system impact assessment procedure", "procedure", AIMS_OWNER, "approved", 10, 2,
     ("6.1.4", "8.4", "A.5.2", "A.5.3"), ()),
    ("validation_procedure", "AIMS-PRO-03", "Model validation and monitoring procedure", "procedure", "Priya Shah", "approved", 7, 5,
     ("A.6.2.4", "A.6.2.6", "9.1"), ()),
    ("supplier_procedure", "AIMS-PRO-04", "Supplier AI due diligence procedure", "procedure", AIMS_OWNER, "approved", 6, 6,
     ("A.10.2", "A.10.3"), ()),
    ("document_control", "AIMS-PRO-05", "Control of documented information", "procedure", AIMS_OWNER, "draft", None, None,
     ("7.5.1", "7.5.2", "7.5.3"), ()),
    ("incident_plan", "AIMS-PLN-01", "AI incident communication plan", "plan", "Lena Novak", "approved", 4, 8,
     ("A.8.4", "A.8.5"), ()),
    ("competence_plan", "AIMS-PLN-02", "AI competence and literacy plan", "plan", "Tom Becker", "approved", 5, 7,
     ("7.2", "7.3", "A.4.6"), ()),
    ("review_minutes", "AIMS-REC-01", "Management review minutes", "record", CEO, "approved", 10, None,
     ("9.3.1", "9.3.2", "9.3.3"), ()),
    ("chatbot_terms", "AIMS-REC-02", "Chatbot disclosure wording (withdrawn)", "record", "Lena Novak", "withdrawn", 15, None,
     ("A.8.2",), ()),
)
# Which SoA controls and clauses point to a document as their evidence.
SOA_EVIDENCE = {"A.2.2": "ai_policy", "A.2.4": "ai_policy", "A.5.2": "impact_procedure",
                "A.6.2.4": "validation_procedure", "A.8.4": "incident_plan",
                "A.9.2": "acceptable_use", "A.10.3": "supplier_procedure",
                "A.4.6": "competence_plan"}
CLAUSE_EVIDENCE = {"5.2": "ai_policy", "6.1.2": "risk_procedure", "6.1.4": "impact_procedure",
                   "7.2": "competence_plan", "7.5.2": "document_control",
                   "7.5.3": "document_control", "9.3.3": "review_minutes"}
AI_POLICY_CHECKS = "purpose, objectives, requirements, improvement, other_policies, documented, communicated"
EARLIER_POLICY_CHECKS = "purpose, requirements, improvement, documented"
# fmt: on


@dataclass
class Documents:
    documents: pd.DataFrame
    versions: pd.DataFrame
    links: pd.DataFrame
    ids: dict[str, int] = field(default_factory=dict)  # by the keys of DOCUMENTS


def documents(anchor: date, systems: list[dict], impact_system_ids: list[int],
              history: History) -> Documents:
    docs: list[dict] = []
    versions: list[dict] = []
    links: list[dict] = []
    ids: dict[str, int] = {}

    def add(key: str, row: dict, earlier: tuple, targets: tuple, system_id: int | None) -> None:
        """A document, the earlier versions it kept (each superseded when the next one was
        approved) and what it evidences."""
        row = {"id": len(docs) + 1, **row}
        ids[key] = row["id"]
        approvals = [months_before(anchor, months) for _, months in earlier]
        states = []
        for n, (label, _) in enumerate(earlier):
            old = {**row, "doc_version": label, "status": "approved", "approved_by": CEO,
                   "approved_on": approvals[n], "next_review": months_before(approvals[n], -12),
                   "change_note": "First issue" if n == 0 else None,
                   "policy_checks": EARLIER_POLICY_CHECKS if row["policy_checks"] else None}
            states.append((at(approvals[n], 9), row["owner"], dict(old)))
            superseded = approvals[n + 1] if n + 1 < len(earlier) else row["approved_on"]
            version = {"id": len(versions) + 1, "document_id": row["id"],
                       **{k: v for k, v in old.items() if k != "id"},
                       "superseded_on": superseded}
            version["version"] = history.record("document_versions", [
                (at(superseded, 8), row["owner"], dict(version))])
            versions.append(version)
        written = row["approved_on"] or anchor - timedelta(days=20)
        states.append((at(written, 10), row["owner"], dict(row)))
        row["version"] = history.record("documents", states)
        docs.append(row)
        for target in targets:
            column = "control_id" if target.startswith("A.") else "clause_id"
            _link(links, history, row, {column: target}, written)
        if system_id is not None:
            _link(links, history, row, {"ai_system_id": system_id}, written)

    for key, ref, title, kind, owner, status, since, until, targets, earlier in DOCUMENTS:
        approved = months_before(anchor, since) if since is not None else None
        add(key, {"reference": ref, "title": title, "doc_type": kind,
                  "doc_version": f"{len(earlier) + 1}.0", "owner": owner, "status": status,
                  "approved_by": CEO if approved else None, "approved_on": approved,
                  "next_review": months_before(anchor, -until) if until is not None else None,
                  "location": f"https://intranet.aldwick.example/aims/{ref.lower()}",
                  "change_note": "Annual review: EU AI Act dates as amended, literacy duty"
                  if earlier else "First issue",
                  "policy_checks": AI_POLICY_CHECKS if kind == "ai_policy" else None},
            earlier, targets, None)

    # Per system: a model card and a data sheet for each system built in-house, an impact
    # assessment report for each assessed (high-risk) system.
    for system in systems:
        arch = ARCHETYPES[(system["id"] - 1) % len(ARCHETYPES)]
        code = f"{system['id']:04d}"
        approved = system["created_on"] + timedelta(days=45)
        # reviewed yearly since; the next reviews spread over the coming months, a few late
        review = months_before(anchor, 1 - (system["id"] * 5) % 11)
        common = {"doc_version": "1.0", "owner": system["owner"], "status": "approved",
                  "approved_by": system["owner"], "approved_on": min(approved, anchor),
                  "next_review": review, "change_note": "First issue", "policy_checks": None}
        if arch.sourcing == "built":
            add(f"model_card_{code}", {**common, "reference": f"MC-{code}",
                                       "title": f"Model card: {system['name']}",
                                       "doc_type": "model_card",
                                       "location": f"https://git.aldwick.example/models/{code}/MODEL_CARD.md"},
                (), ("A.6.2.7", "A.8.2"), system["id"])
            add(f"data_sheet_{code}", {**common, "reference": f"DS-{code}",
                                       "title": f"Data sheet: {system['name']}",
                                       "doc_type": "data_sheet",
                                       "location": f"https://git.aldwick.example/models/{code}/DATASHEET.md"},
                (), ("A.7.4", "A.7.5"), system["id"])
        if system["id"] in impact_system_ids:
            add(f"impact_report_{code}", {**common, "reference": f"IA-{code}",
                                          "title": f"Impact assessment report: {system['name']}",
                                          "doc_type": "impact_assessment_report",
                                          "approved_by": AIMS_OWNER,
                                          "location": f"S:/AIMS/impact-assessments/IA-{code}.pdf"},
                (), ("A.5.3", "A.5.4", "8.4"), system["id"])
    return Documents(pd.DataFrame(docs), pd.DataFrame(versions), pd.DataFrame(links), ids)


def _link(links: list[dict], history: History, document: dict, target: dict,
          day: date) -> None:
    row = {"id": len(links) + 1, "document_id": document["id"], "clause_id": None,
           "control_id": None, "ai_system_id": None, **target}
    row["version"] = history.record("document_links", [(at(day, 11), document["owner"], dict(row))])
    links.append(row)


# --- roles, competences and training ---------------------------------------------------------
# fmt: off
# (name, kind, validity in months or None, provider, what it covers)
COMPETENCES = (
    ("AI literacy essentials (EU AI Act Art. 4)", "ai_literacy", 24, "In-house e-learning",
     "What AI is and is not, the risks of our AI systems, when to question an output"),
    ("AI awareness for all staff", "awareness", 12, "In-house e-learning",
     "Our AI policy, acceptable use of AI tools, how to report a concern (A.3.3)"),
    ("Human oversight of AI decisions", "training", 12, "Credit Risk academy",
     "Reviewing, overriding and escalating AI outputs; automation bias"),
    ("ISO/IEC 42001 Lead Auditor", "certification", 36, "Accredited training body",
     "Auditing an AI management system"),
    ("Responsible ML development and fairness testing", "training", 24, "External course",
     "Data quality, bias testing, documentation of models"),
    ("AI risk and impact assessment method", "training", 24, "AIMS owner",
     "Our risk matrix and the impact assessment procedure"),
    ("Data protection for AI (GDPR)", "training", 24, "External course",
     "Lawful basis, DPIAs and data minimisation for AI systems"),
    ("CreditLens underwriter tool", "training", None, "Credit Risk academy",
     "Reading CreditLens scores and reason codes"),
)
# (role, responsibilities, holder, deputy, archetype index or None, operates or uses AI,
#  names of the competences it requires)
ROLES = (
    ("AIMS owner", "Runs the AI management system; reports to top management", AIMS_OWNER, "Ben Okafor",
     None, True, ("AI literacy essentials (EU AI Act Art. 4)", "AI risk and impact assessment method")),
    ("Top management sponsor", "Sets the AI policy and objectives; chairs management reviews", CEO, None,
     None, False, ("AI awareness for all staff",)),
    ("Risk owner: credit and fraud risks", "Owns the AI risks of lending and fraud systems", "Priya Shah", "Marco Rossi",
     None, True, ("AI literacy essentials (EU AI Act Art. 4)", "AI risk and impact assessment method")),
    ("Risk owner: people risks", "Owns the AI risks of hiring and HR systems", "Tom Becker", None,
     None, True, ("AI literacy essentials (EU AI Act Art. 4)", "AI risk and impact assessment method")),
    ("Internal auditor", "Audits the AIMS against ISO/IEC 42001 (9.2)", "Omar Haddad", None,
     None, False, ("ISO/IEC 42001 Lead Auditor", "AI awareness for all staff")),
    ("Data protection officer", "Advises on personal data in AI systems; reviews DPIAs", "Emma Fischer", AIMS_OWNER,
     None, False, ("Data protection for AI (GDPR)", "AI awareness for all staff")),
    ("Model developer", "Builds, tests and documents in-house models", "Noah Kim", "Sofia Costa",
     None, True, ("AI literacy essentials (EU AI Act Art. 4)", "Responsible ML development and fairness testing")),
)
# Human-oversight operators of the demo's systems in use: archetype -> (holder, deputy).
OPERATORS = {0: ("Aisha Rahman", "Jonas Weber"), 1: ("Mia Schneider", None), 2: ("Chloe Martin", None),
             3: ("Ravi Patel", None), 4: ("Luca Bianchi", None), 9: ("Hannah Clarke", None)}
OPERATOR_COMPETENCES = ("AI literacy essentials (EU AI Act Art. 4)", "Human oversight of AI decisions")
# Names for the operators of a large generated organisation's systems (fictional).
FIRST_NAMES = ("Alex", "Sam", "Robin", "Kim", "Jo", "Noor", "Ines", "Pavel", "Yara", "Tariq",
               "Lina", "Emil", "Zoe", "Arjun", "Maya", "Oskar", "Leila", "Finn", "Rosa", "Kenji")
LAST_NAMES = ("Adler", "Brennan", "Castillo", "Dahl", "Ekström", "Farrow", "Gallo", "Hughes",
              "Ivanova", "Jensen", "Kovac", "Lindqvist", "Moreau", "Nakamura", "Okoro", "Petit",
              "Quinn", "Rossi", "Sato", "Tanaka", "Ulrich", "Varga", "Walsh", "Young", "Zamora")
# Training that is missing, expired or about to expire in the demo: (person, competence) ->
# months before the anchor it was completed (None: never).
EXCEPTIONS = {
    ("Aisha Rahman", "Human oversight of AI decisions"): 14,
    ("Mia Schneider", "AI literacy essentials (EU AI Act Art. 4)"): None,
    ("Omar Haddad", "ISO/IEC 42001 Lead Auditor"): 40,
    ("Marco Rossi", "AI literacy essentials (EU AI Act Art. 4)"): 23,
    ("Julia Hart", "AI literacy essentials (EU AI Act Art. 4)"): None,
    ("Hannah Clarke", "Human oversight of AI decisions"): None,
}
# fmt: on
LITERACY = COMPETENCES[0][0]


@dataclass
class Staffing:
    roles: pd.DataFrame
    competences: pd.DataFrame
    role_competences: pd.DataFrame
    training_records: pd.DataFrame


def staffing(anchor: date, systems: list[dict], history: History) -> Staffing:
    """Roles, the competences they require and everyone's training: the curated demo's
    people, plus an oversight operator per generated system in use."""
    set_up = months_before(anchor, SET_UP_MONTHS)
    competences = []
    for i, (name, kind, months, provider, covers) in enumerate(COMPETENCES, 1):
        row = {"id": i, "name": name, "kind": kind, "validity_months": months,
               "provider": provider, "description": covers}
        row["version"] = history.record("competences", [(at(set_up, 9), AIMS_OWNER, dict(row))])
        competences.append(row)
    competence_ids = {c["name"]: c["id"] for c in competences}

    specs: list[tuple] = list(ROLES)
    owners = sorted({s["owner"] for s in systems if s["lifecycle_stage"] != "retired"})
    for owner in owners:
        names = [s["name"] for s in systems if s["owner"] == owner][:3]
        specs.append(("AI system owner", "Owns " + ", ".join(names)
                      + (" and more" if len(names) == 3 else ""), owner, None, None, True,
                      ("AI literacy essentials (EU AI Act Art. 4)",
                       "AI risk and impact assessment method")))
    for system in systems:
        arch_index = (system["id"] - 1) % len(ARCHETYPES)
        if system["lifecycle_stage"] not in ("deployment", "operation"):
            continue
        if system["id"] <= len(ARCHETYPES):
            if arch_index not in OPERATORS:
                continue
            holder, deputy = OPERATORS[arch_index]
        else:
            holder, deputy = _generated_name(system["id"]), None
        required = OPERATOR_COMPETENCES + (("CreditLens underwriter tool",) if arch_index == 0 else ())
        specs.append((f"Human-oversight operator: {system['name']}",
                      f"Reviews and may override the outputs of {system['name']}",
                      holder, deputy, system["id"], True, required))

    roles, links = [], []
    for i, (role, duties, holder, deputy, system_id, with_ai, required) in enumerate(specs, 1):
        row = {"id": i, "role": role, "responsibilities": duties, "holder": holder,
               "deputy": deputy, "ai_system_id": system_id, "works_with_ai": with_ai,
               "assigned_on": set_up, "ended_on": None}
        row["version"] = history.record("aims_roles", [(at(set_up, 10), AIMS_OWNER, dict(row))])
        roles.append(row)
        for name in required:
            link = {"id": len(links) + 1, "role_id": i, "competence_id": competence_ids[name]}
            link["version"] = history.record("role_competences",
                                             [(at(set_up, 10), AIMS_OWNER, dict(link))])
            links.append(link)

    curated = {name for spec in ROLES for name in spec[2:4]} | set(owners) | \
        {name for pair in OPERATORS.values() for name in pair}
    records = _training(anchor, roles, links, competences, curated, history)
    return Staffing(pd.DataFrame(roles), pd.DataFrame(competences), pd.DataFrame(links),
                  pd.DataFrame(records))


def _generated_name(n: int) -> str:
    """A fictional, unique name for the n-th system's operator (13,000 before repeating)."""
    first = FIRST_NAMES[n % len(FIRST_NAMES)]
    initial = chr(65 + (n // len(FIRST_NAMES)) % 26)
    return f"{first} {initial}. {LAST_NAMES[(n // (26 * len(FIRST_NAMES))) % len(LAST_NAMES)]}"


def _training(anchor: date, roles: list[dict], links: list[dict], competences: list[dict],
              curated: set[str], history: History) -> list[dict]:
    """A record of each competence each person's roles require, completed at staggered
    dates; the curated demo's EXCEPTIONS are missing or old, and one in nine of a generated
    organisation's people lacks a required competence."""
    names = {c["id"]: c["name"] for c in competences}
    required_of_role: dict[int, list[int]] = {}
    for link in links:
        required_of_role.setdefault(link["role_id"], []).append(link["competence_id"])
    needed: dict[str, set[str]] = {}
    for role in roles:
        for person in (role["holder"], role["deputy"]):
            if person:
                needed.setdefault(person, set()).update(names[c] for c in
                                                        required_of_role.get(role["id"], []))
    records = []
    for p, person in enumerate(sorted(needed)):
        for c, competence in enumerate(sorted(needed[person])):
            months = EXCEPTIONS.get((person, competence), 1 + (p * 3 + c * 5) % 11)
            if person not in curated and (p + c) % 9 == 0:
                months = None
            if months is None:
                continue
            done = months_before(anchor, months)
            row = {"id": len(records) + 1, "person": person,
                   "competence_id": next(k for k, v in names.items() if v == competence),
                   "completed_on": done, "evidence_link": f"LMS-{len(records) + 1:05d}",
                   "notes": None}
            row["version"] = history.record("training_records", [(at(done, 14), AIMS_OWNER,
                                                                  dict(row))])
            records.append(row)
    # An earlier round of AI literacy that the latest one renewed, kept as history.
    first = next(r for r in records if names[r["competence_id"]] == LITERACY)
    earlier = {**first, "id": len(records) + 1,
               "completed_on": months_before(first["completed_on"], 24),
               "evidence_link": "LMS-00000", "notes": "First AI literacy round"}
    earlier["version"] = history.record("training_records", [(at(earlier["completed_on"], 14),
                                                              AIMS_OWNER, dict(earlier))])
    records.append(earlier)
    return records


# --- management reviews (9.3) --------------------------------------------------------------
# fmt: off
REVIEW_ATTENDEES = ((CEO, "Chair, CEO"), (AIMS_OWNER, "AIMS owner"),
                    ("Priya Shah", "Head of Credit Risk"), ("Tom Becker", "Head of People & HR"),
                    ("Lena Novak", "Head of Customer Service"), ("Ben Okafor", "Head of IT"))
# Notes per input at the last review (code -> notes).
REVIEW_NOTES = {
    "a_actions": "First review since the AIMS was set up: no earlier actions.",
    "b_issues": "EU AI Act duties for credit scoring and CV screening confirmed as the main external driver.",
    "c_parties": "Works council asked how AI supports hiring; regulators' expectations unchanged.",
    "d1_nonconformities": "No nonconformity raised yet: the audit programme starts this year.",
    "d2_monitoring": "Chatbot containment below target for two months; fairness ratios stable.",
    "d3_audits": "No internal audit held yet; the first audits are planned.",
    "e_opportunities": "Out-of-hours chatbot answers realised; drift alerts to be scoped.",
    "risks": "Two high risks on CV screening above tolerance: treatment plan agreed.",
    "soa": "Applicability decided for every control; data controls (A.7) partly implemented.",
    "revalidation_incidents": "Re-validation backlog discussed with the owners; the chatbot incident is closed.",
    "eu_ai_act": "High-risk duties now apply from Dec 2027: plan the conformity work in 2027.",
    "changes": "Everything is new since set-up; the next review compares against this one.",
}
# (kind, decision, input, actions: (title, owner, days created before the anchor, due,
#  done or None, status))
REVIEW_DECISIONS = (
    ("aims_change", "Seek ISO/IEC 42001 certification next year", "changes",
     (("Book the stage 1 certification audit", AIMS_OWNER, 300, -45, None, "in_progress"),)),
    ("improvement", "Add automated drift alerts for the in-house models", "e_opportunities",
     (("Scope the drift-alert job for CreditLens, FraudGuard and ChurnRadar", "Ben Okafor", 300, 200, 210, "done"),)),
    ("resources", "Fund a fairness-testing contractor for TalentSift for six months", "risks",
     (("Sign the fairness-testing contract", "Tom Becker", 300, 240, 245, "done"),
      ("Publish the TalentSift selection-rate report to the works council", "Tom Becker", 300, 60, None, "open"))),
    ("improvement", "Raise chatbot containment with a better hand-over to agents", "d2_monitoring",
     (("Redesign the chatbot's agent hand-over", "Lena Novak", 300, 120, 118, "done"),)),
)
# fmt: on
CONCLUSION = ("The AIMS remains suitable and adequate for our AI systems. It is effective for "
              "risk assessment and monitoring, with the gaps recorded as decisions: data "
              "controls (A.7) are partly implemented and two CV-screening risks are above "
              "tolerance with treatment agreed.")


def reviews(anchor: date, history: History) -> pd.DataFrame:
    """The last review, held and signed about ten months ago, and the next one, planned."""
    held = months_before(anchor, REVIEW_MONTHS)
    attendees = ", ".join(person for person, _ in REVIEW_ATTENDEES)
    last = {"id": 1, "review_date": held, "status": "planned", "chair": CEO,
            "attendees": attendees, "scope": "The whole AIMS (scope statement of the "
            "organisation profile)", "period_start": months_before(anchor, SET_UP_MONTHS),
            "notes": "Reviewed risk register, SoA progress and KPI trends; actions recorded.",
            "aims_suitable": None, "aims_adequate": None, "aims_effective": None,
            "conclusion": None, "signed_by": None, "signed_on": None}
    signed = {**last, "status": "signed", "aims_suitable": True, "aims_adequate": True,
              "aims_effective": True, "conclusion": CONCLUSION, "signed_by": CEO,
              "signed_on": held + timedelta(days=1)}
    last["version"] = history.record("management_reviews", [
        (at(held - timedelta(days=21), 10), AIMS_OWNER, dict(last)),
        (at(held + timedelta(days=1), 12), CEO, dict(signed))])
    last.update(signed)
    nxt = {"id": 2, "review_date": months_before(anchor, -NEXT_REVIEW_MONTHS),
           "status": "planned", "chair": CEO, "attendees": attendees,
           "scope": "The whole AIMS", "period_start": None, "notes": None,
           "aims_suitable": None, "aims_adequate": None, "aims_effective": None,
           "conclusion": None, "signed_by": None, "signed_on": None}
    nxt["version"] = history.record("management_reviews", [
        (at(anchor - timedelta(days=20), 9), AIMS_OWNER, dict(nxt))])
    return pd.DataFrame([last, nxt])


def review_results(anchor: date, history: History, actions: pd.DataFrame,
                   systems: list[dict]) -> dict[str, pd.DataFrame]:
    """The last review's notes, attendees, decisions and their actions (some done, one
    overdue), the next review's invited attendees; a large organisation's review also
    decided one re-validation catch-up action per fifty generated systems."""
    held = months_before(anchor, REVIEW_MONTHS)
    meeting = at(held, 11)
    sections = []
    for i, (code, notes) in enumerate(REVIEW_NOTES.items(), 1):
        row = {"id": i, "review_id": 1, "section": code, "notes": notes, "discussed": True}
        row["version"] = history.record("management_review_sections",
                                        [(meeting, AIMS_OWNER, dict(row))])
        sections.append(row)
    people = []
    for review_id in (1, 2):
        for person, capacity in REVIEW_ATTENDEES:
            row = {"id": len(people) + 1, "review_id": review_id, "person": person,
                   "capacity": capacity, "attended": True if review_id == 1 else None}
            when = meeting if review_id == 1 else at(anchor - timedelta(days=20), 9)
            row["version"] = history.record("management_review_attendees",
                                            [(when, AIMS_OWNER, dict(row))])
            people.append(row)
    decided, added = [], []
    next_id = int(actions["id"].max()) + 1 if len(actions) else 1
    specs = list(REVIEW_DECISIONS)
    backlog = systems[len(ARCHETYPES)::50]
    if backlog:
        specs.append(("resources", "Clear the re-validation backlog of the generated systems",
                      "revalidation_incidents",
                      tuple((f"Re-validate {s['name']}", s["owner"], 300, 30 - i % 90,
                             None if i % 3 else 250, "done" if i % 3 == 0 else "open")
                            for i, s in enumerate(backlog))))
    for d, (kind, text, code, planned) in enumerate(specs, 1):
        row = {"id": d, "review_id": 1, "decision_type": kind, "decision": text,
               "section": code}
        row["version"] = history.record("management_review_decisions",
                                        [(meeting, AIMS_OWNER, dict(row))])
        decided.append(row)
        for title, owner, created, due, done, status in planned:
            created_on = anchor - timedelta(days=created)
            action = {"id": next_id, "title": title, "owner": owner,
                      "due_on": anchor - timedelta(days=due), "status": status,
                      "done_on": None if done is None else anchor - timedelta(days=done),
                      "source": "management_review_decision",
                      "source_table": "management_review_decisions", "source_id": d,
                      "created_on": created_on, "notes": None}
            states = [(at(created_on, 11), AIMS_OWNER, {**action, "status": "open",
                                                          "done_on": None})]
            if status != "open":
                states.append((at(action["done_on"] or anchor - timedelta(days=30), 15),
                               owner, dict(action)))
            action["version"] = history.record("actions", states)
            added.append(action)
            next_id += 1
    return {"management_review_sections": pd.DataFrame(sections),
            "management_review_attendees": pd.DataFrame(people),
            "management_review_decisions": pd.DataFrame(decided),
            "actions": pd.concat([actions, pd.DataFrame(added)], ignore_index=True)}
