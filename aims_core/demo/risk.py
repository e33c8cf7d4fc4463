"""The demo's risks, their treating controls, acceptances and impact assessments."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from aims_core.demo.common import AIMS_OWNER, CEO, History, at
from aims_core.demo.inventory import ARCHETYPES, TRIAGE_ANSWERS
from aims_core.inventory.triage import triage

# fmt: off
# (title, risk source C.3.x, objective C.2.x, likelihood, impact, controls treating it)
RISK_TEMPLATES: tuple[tuple[str, str, str, int, int, tuple[str, ...]], ...] = (
    ("Biased outcomes against protected groups", "C.3.4", "C.2.5", 3, 5, ("A.5.4", "A.7.4", "A.6.2.4")),
    ("Decisions cannot be explained to affected people", "C.3.2", "C.2.11", 3, 4, ("A.8.2", "A.6.2.7")),
    ("Model performance drifts after deployment", "C.3.6", "C.2.8", 4, 3, ("A.6.2.6", "A.6.2.4")),
    ("Training data of poor or unknown quality", "C.3.4", "C.2.3", 3, 4, ("A.7.4", "A.7.5", "A.7.3")),
    ("Over-reliance on automated ranking by staff", "C.3.3", "C.2.1", 3, 4, ("A.9.3", "A.9.4", "A.3.2")),
    ("Personal data leaks through prompts or transcripts", "C.3.1", "C.2.7", 3, 4, ("A.7.2", "A.10.3")),
    ("Generated answers or copy are false or misleading", "C.3.4", "C.2.11", 4, 3, ("A.8.2", "A.9.4")),
    ("People not told they are dealing with AI", "C.3.2", "C.2.11", 2, 3, ("A.8.2", "A.8.5")),
    ("Adversarial inputs evade detection", "C.3.1", "C.2.10", 2, 4, ("A.6.2.4", "A.6.2.8")),
    ("Model used outside its intended purpose", "C.3.6", "C.2.1", 2, 4, ("A.9.4", "A.6.2.2")),
    ("Supplier changes the model without notice", "C.3.7", "C.2.6", 3, 3, ("A.10.3", "A.10.2")),
    ("Service outage of third-party AI provider", "C.3.5", "C.2.8", 2, 3, ("A.10.3", "A.4.5")),
    ("Insufficient logging to investigate incidents", "C.3.6", "C.2.1", 3, 3, ("A.6.2.8", "A.8.4")),
    ("Intellectual-property claims on generated content", "C.3.7", "C.2.1", 2, 3, ("A.10.3", "A.2.3")),
    ("Unfair treatment of vulnerable customers", "C.3.3", "C.2.5", 2, 5, ("A.5.4", "A.5.5", "A.9.2")),
)

ORG_RISKS = (
    ("No overview of AI tools used by staff (shadow AI)", "C.3.1", "C.2.1", 4, 3, ("A.4.2", "A.9.2")),
    ("AI competence gaps in teams that use AI", "C.3.7", "C.2.2", 3, 3, ("A.4.6", "A.3.2")),
    ("EU AI Act obligations missed for high-risk systems", "C.3.1", "C.2.1", 2, 5, ("A.5.2", "A.2.2")),
    ("Energy use of AI workloads not tracked", "C.3.5", "C.2.4", 2, 2, ()),  # no control yet
)
# fmt: on


# Risks that restate a legal duty: (title, legal basis, what the duty asks). Such a risk is
# never accepted untreated once the duty applies to its system (or, organisation-wide, to
# any system): it is treated with its controls and the plan names the duty.
LEGAL_DUTIES = {
    "People not told they are dealing with AI": (
        "Art. 50(1)", "tell people at the start of every conversation that they are talking "
                      "to an AI system"),
    "AI competence gaps in teams that use AI": (
        "Art. 4", "train the people who operate or use AI systems on its capabilities, limits "
                  "and risks"),
    "Personal data leaks through prompts or transcripts": (
        "GDPR Art. 32", "secure the personal data the system processes"),
}


def _duties_in_force(systems: list[dict], anchor: date) -> dict[int | None, set[str]]:
    """The legal bases already applying on ``anchor`` per system (None: to any system).

    EU AI Act duties come from each system's triage; GDPR Art. 32 applies wherever a system
    processes personal data."""
    in_force: dict[int | None, set[str]] = {None: set()}
    for system in systems:
        answers = TRIAGE_ANSWERS[(system["id"] - 1) % len(ARCHETYPES)]
        bases = {o.legal_basis for o in triage(answers).obligations
                 if o.applies_from <= anchor} if answers else set()
        if system["personal_data"]:
            bases.add("GDPR Art. 32")
        in_force[system["id"]] = bases
        in_force[None] |= bases
    return in_force


def risks(systems: list[dict], rng: np.random.Generator, start: date, anchor: date,
           history: History, per_system: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows: list[dict] = []
    links: list[dict] = []
    picks: list[tuple[int | None, tuple]] = []
    for system in systems:
        arch = ARCHETYPES[(system["id"] - 1) % len(ARCHETYPES)]
        themes = list(arch.risk_themes)
        if per_system:
            themes = list(rng.choice(len(RISK_TEMPLATES), size=per_system))
        elif system["id"] % 4 == 0:
            themes = themes[:2]  # keep the demo at about forty risks
        picks += [(system["id"], RISK_TEMPLATES[t]) for t in themes]
    picks += [(None, template) for template in ORG_RISKS]
    owners = {s["id"]: s["owner"] for s in systems}
    in_force = _duties_in_force(systems, anchor)
    for rid, (system_id, (title, source, objective, lik, imp, controls)) in enumerate(picks, 1):
        inherent_l = int(np.clip(lik + rng.integers(-1, 2), 1, 5))
        inherent_i = int(np.clip(imp + rng.integers(-1, 1), 1, 5))
        identified = start + timedelta(days=int(rng.integers(0, 200)))
        owner = owners.get(system_id, AIMS_OWNER)
        row = {
            "id": rid, "ai_system_id": system_id, "title": title,
            "description": f"{title} for this system." if system_id else title,
            "risk_source": source, "objective_affected": objective, "owner": owner,
            "inherent_likelihood": inherent_l, "inherent_impact": inherent_i,
            "residual_likelihood": None, "residual_impact": None, "treatment": None,
            "treatment_plan": None, "status": "open", "identified_on": identified,
            "impact_id": None, "self_assessment_step_id": None,
            "review_date": identified + timedelta(days=90),
        }
        states = [(at(identified), owner, dict(row))]
        roll = rng.random()
        if roll < 0.8:  # most risks were assessed and treated later in the period
            treated = identified + timedelta(days=int(rng.integers(20, 150)))
            treatment = "accept" if inherent_l * inherent_i <= 6 else \
                ("transfer" if rng.random() < 0.1 else "mitigate")
            drop = 0 if treatment == "accept" else int(rng.integers(1, 3))
            basis, duty = LEGAL_DUTIES.get(title, (None, None))
            plan = "Apply the linked controls and monitor the KPI" if treatment != "accept" \
                else "Within tolerance; review yearly"
            if basis in in_force[system_id]:  # a duty is never accepted, nor closed
                treatment, drop, roll = "mitigate", max(drop, 1), max(roll, 0.15)
                plan = f"Legal duty in force ({basis}): {duty}, through the linked controls"
            row.update(
                residual_likelihood=max(1, inherent_l - drop),
                residual_impact=max(1, inherent_i - (1 if drop == 2 else 0)),
                treatment=treatment,
                treatment_plan=plan,
                status="accepted" if treatment == "accept" else
                ("closed" if roll < 0.15 else "treating"),
                review_date=max(treated, anchor + timedelta(days=int(rng.integers(-45, 330)))),
            )
            states.append((at(treated, 15), owner, dict(row)))
        row["version"] = history.record("risks", states)
        rows.append(row)
        for control in controls:
            link = {"id": len(links) + 1, "risk_id": rid, "control_id": control}
            link["version"] = history.record("risk_controls", [(at(identified, 11), owner, link)])
            links.append(link)
    return pd.DataFrame(rows), pd.DataFrame(links)


IMPACT_TEMPLATES = (
    ("individuals", "A person is wrongly refused or rated low and cannot tell why", 4, 3,
     "Reason codes on every outcome; human review on request"),
    ("groups", "Lower approval rates for a protected group through proxy variables", 4, 3,
     "Quarterly disparate-impact test; remove proxies found"),
    ("society", "Loss of public trust in automated decisions about people", 3, 2,
     "Publish how the system is used and overseen"),
)


def impact_assessments(systems: list[dict], anchor: date, history: History,
                        first_risk_id: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """An impact assessment per EU high-risk system; its first impact raised as a risk."""
    assessments, impacts, raised = [], [], []
    for system in (s for s in systems if s["eu_ai_act_category"] == "high_risk"):
        day = anchor - timedelta(days=120 + 7 * len(assessments))
        arch = ARCHETYPES[(system["id"] - 1) % len(ARCHETYPES)]
        assessment = {
            "id": len(assessments) + 1, "ai_system_id": system["id"],
            "intended_use": system["purpose"],
            "foreseeable_misuse": "Used as the only basis of a decision, without the human "
                                  "review the procedure requires",
            "affected_individuals": system["affected_people"],
            "affected_groups": "Groups protected by equality law among the "
                               + str(system["affected_people"]).lower(),
            "societal_impact": "Fair access to credit and work", "reviewer": AIMS_OWNER,
            "assessed_on": day, "next_review": day + timedelta(days=365)}
        assessment["version"] = history.record("impact_assessments",
                                               [(at(day), AIMS_OWNER, dict(assessment))])
        assessments.append(assessment)
        for affected, text, severity, likelihood, mitigation in IMPACT_TEMPLATES:
            impact = {"id": len(impacts) + 1, "impact_assessment_id": assessment["id"],
                      "affected": affected, "description": text, "severity": severity,
                      "likelihood": likelihood, "mitigation": mitigation}
            impact["version"] = history.record("impacts", [(at(day, 11), AIMS_OWNER,
                                                            dict(impact))])
            impacts.append(impact)
        first = impacts[-len(IMPACT_TEMPLATES)]
        risk = {"id": first_risk_id + len(raised), "ai_system_id": system["id"],
                "title": first["description"],
                "description": "Raised from the AI system impact assessment (6.1.4).",
                "risk_source": "C.3.4", "objective_affected": "C.2.5", "owner": arch.owner,
                "inherent_likelihood": first["likelihood"], "inherent_impact": first["severity"],
                "residual_likelihood": None, "residual_impact": None, "treatment": "mitigate",
                "treatment_plan": first["mitigation"], "status": "open", "identified_on": day,
                "review_date": day + timedelta(days=90), "impact_id": first["id"],
                "self_assessment_step_id": None}
        risk["version"] = history.record("risks", [(at(day, 12), AIMS_OWNER, dict(risk))])
        raised.append(risk)
    return pd.DataFrame(assessments), pd.DataFrame(impacts), pd.DataFrame(raised)


def acceptances(risks: pd.DataFrame, rng: np.random.Generator, anchor: date,
                 history: History) -> pd.DataFrame:
    """A year-long acceptance for every accepted risk; the older ones have expired. The AIMS
    owner approves, except for her own risks: the CEO does (segregation of duties)."""
    rows = []
    for risk in risks[risks["status"] == "accepted"].itertuples():
        approved = anchor - timedelta(days=int(rng.integers(30, 500)))
        approver = CEO if risk.owner == AIMS_OWNER else AIMS_OWNER
        row = {"id": len(rows) + 1, "risk_id": risk.id, "approved_by": approver,
               "approved_on": approved,
               "justification": "Residual risk within the tolerance set by top management",
               "expires_on": approved + timedelta(days=365)}
        row["version"] = history.record("risk_acceptances", [(at(approved), approver,
                                                              dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)

