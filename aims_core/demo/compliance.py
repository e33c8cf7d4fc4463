"""The demo's Statement of Applicability, its approved versions and clause 4-10 status."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from aims_core.demo.common import AIMS_OWNER, CEO, History, at, months_before

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
SOA_APPROVER = CEO
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
                "9.1", "9.2.1", "9.2.2", "10.2"),
    "planned": ("6.3",),
    "not_started": ("10.1",),
}
CLAUSE_OWNERS = {"5": CEO, "7": "Tom Becker", "9": "Ben Okafor"}
CLAUSE_NOTES = {
    "6.1.4": "Impact assessments done for CreditLens and TalentSift; PeopleCore pending.",
    "7.2": "AI awareness training at 70 %; target 95 % by year end.",
    "9.2.1": "Audit programme running: two internal audits held this year (the first "
             "co-audited by an external auditor), three planned.",
    "10.2": "Nonconformities and corrective actions tracked on the Nonconformities page; "
            "effectiveness checks not yet done on time.",
    "10.1": "No improvement process yet beyond corrective actions.",
}



def soa(rng: np.random.Generator, start: date, anchor: date, history: History,
        evidence_documents: dict[str, int],
        ) -> tuple[pd.DataFrame, dict[str, list[tuple[datetime, str, dict]]]]:
    """The SoA rows and, per control, its dated states (for the approved versions).
    Controls of ``evidence_documents`` point to that document as their evidence once under
    way; its next review is then their evidence's expiry."""
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
            "target_date": months_before(anchor, -int(rng.integers(1, 9))),
            "evidence_document_id": None,
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
            if ladder[step] in ("partial", "implemented") and control in evidence_documents:
                patch.update(evidence_document_id=evidence_documents[control],
                             evidence=None, evidence_expiry=None)
            events.append((min(when, anchor), patch))
        if control in SOA_REVISIONS:
            months, values = SOA_REVISIONS[control]
            day = months_before(anchor, months)
            events.append((day, {**values, "last_reviewed": day}))
        states = [(at(start + timedelta(days=20)), AIMS_OWNER, dict(base))]
        for day, patch in sorted(events, key=lambda e: e[0]):
            base = {**base, **patch}
            states.append((at(day), base["owner"] or AIMS_OWNER, dict(base)))
        base["version"] = history.record("soa", states)
        rows.append(base)
        timelines[control] = states
    return pd.DataFrame(rows), timelines


def soa_versions(timelines: dict[str, list[tuple[datetime, str, dict]]], anchor: date,
                  history: History) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The SoA approved after each management review, as it stood on that day."""
    versions, items = [], []
    for number, (months, note) in enumerate(SOA_APPROVALS, 1):
        day = months_before(anchor, months)
        version = {"id": number, "version_no": number, "approved_by": SOA_APPROVER,
                   "approved_on": day, "note": note}
        version["version"] = history.record("soa_versions", [(at(day, 17), AIMS_OWNER,
                                                              dict(version))])
        versions.append(version)
        for states in timelines.values():
            state = [s for when, _, s in states if when.date() <= day][-1]
            item = {"id": len(items) + 1, "version_no": number,
                    **{k: v for k, v in state.items() if k not in ("id", "version")}}
            item["version"] = history.record("soa_version_items", [(at(day, 17), AIMS_OWNER,
                                                                    dict(item))])
            items.append(item)
    return pd.DataFrame(versions), pd.DataFrame(items)


def clause_status(start: date, anchor: date, history: History,
                  evidence_documents: dict[str, int]) -> pd.DataFrame:
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
        reviewed = months_before(anchor, 1 + i % 7)
        row = {"id": i, "clause_id": clause, "status": status,
               "owner": CLAUSE_OWNERS.get(main, AIMS_OWNER),
               "evidence": None if status == "not_started" else f"AIMS-MAN-{i:02d}: manual "
               f"section {clause}", "notes": CLAUSE_NOTES.get(clause),
               "last_reviewed": None if status == "not_started" else reviewed,
               "evidence_document_id": evidence_documents.get(clause)}
        first = {**row, "status": "not_started", "evidence": None, "notes": None,
                 "last_reviewed": None, "evidence_document_id": None}
        states = [(at(start + timedelta(days=10)), AIMS_OWNER, first)]
        if row != first:
            states.append((at(reviewed, 11), row["owner"], dict(row)))
        row["version"] = history.record("clause_status", states)
        rows.append(row)
    return pd.DataFrame(rows)

