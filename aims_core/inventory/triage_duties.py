"""The obligations of each role the organisation plays for a system, from what the walk
established: Art. 4, the high-risk duties by basis (Annex III and Annex I, each with its
date), the Art. 6(4)/49(2) duties of a provider relying on Art. 6(3), and Art. 50 by role.
"""

from __future__ import annotations

from datetime import date

from aims_core.inventory.triage_questionnaire import (
    D_ANNEX_I,
    D_ANNEX_III,
    D_ART50,
    D_ART50_2_GRACE,
    D_PROHIBITIONS,
)
from aims_core.inventory.triage_walk import Obligation, State


def role_duties(s: State, role: str) -> list[Obligation]:
    if s.category == "prohibited" or role.startswith("gpai") or role == "downstream_modifier":
        return [d for d in s.duties if d.role == role]
    duties = [d for d in s.duties if d.role == role]
    if s.stopped or s.open_source:  # outside the Act, or Annex I Section B's own regime
        return duties
    if role in ("provider", "deployer"):
        duties.append(Obligation("Take measures to support the AI literacy of staff and others "
                                 "operating or using the system on your behalf", "Art. 4",
                                 D_PROHIBITIONS, role, "AI literacy (Art. 4)"))
    if s.category == "high_risk":
        duties += _high_risk_duties(s, role)
    if s.derogated and role == "provider":
        topic = "Art. 6(3) assessment and registration"
        duties += [Obligation("Document the Art. 6(3) assessment before placing the system on "
                              "the market, and provide it on request", "Art. 6(4)",
                              D_ANNEX_III, role, topic),
                   Obligation("Register the system in the EU database", "Art. 49(2)",
                              D_ANNEX_III, role, topic)]
    duties += _art50_duties(s, role)
    return duties


def _high_risk_duties(s: State, role: str) -> list[Obligation]:
    starts = dict(s.high_risk)
    first = min(starts.values())
    annex_iii = "annex_iii" in starts
    # duties shared by both bases start with the earlier one: that basis names them
    topic = "Annex III high-risk duties" if annex_iii else "Annex I high-risk duties"
    people = annex_iii and s.area != 2

    def duty(text: str, basis: str, start: date = first, what: str = topic) -> Obligation:
        return Obligation(text, basis, start, role, what)

    if role == "provider":
        duties = [
            duty("Requirements: risk management, data governance, technical documentation, "
                 "automatic logs, information for deployers, human oversight, accuracy, "
                 "robustness and cybersecurity", "Arts. 8–15"),
            duty("Quality management system; keep documentation 10 years and logs at least 6 "
                 "months; corrective actions and duty to inform", "Arts. 16–20"),
        ]
        if annex_iii:
            iii = "Annex III high-risk duties"
            duties.append(duty("Conformity assessment, EU declaration of conformity and CE "
                               "marking before placing on the market", "Arts. 43, 47–48",
                               D_ANNEX_III, iii))
            duties.append(duty("Register the system at national level before placing it on "
                               "the market", "Art. 49(5)", D_ANNEX_III, iii) if s.area == 2
                          else duty("Register the system in the EU database before placing "
                                    "it on the market", "Art. 49(1)", D_ANNEX_III, iii))
        if "annex_i" in starts:
            duties.append(duty("Conformity assessment within the product law's own procedure, "
                               "EU declaration of conformity and CE marking",
                               "Arts. 43(3), 47–48", D_ANNEX_I, "Annex I high-risk duties"))
        duties.append(duty("Post-market monitoring and serious-incident reporting (15 days; 2 "
                           "or 10 days in the gravest cases)", "Arts. 72–73"))
        return duties
    if role == "deployer":
        duties = [duty("Use it as instructed, with competent human oversight and relevant "
                       "input data; monitor it and inform the provider of risks and serious "
                       "incidents; keep logs at least 6 months; inform workers' "
                       "representatives before use at work", "Art. 26")]
        if s.rbi_exception:
            duties.append(duty("Use real-time remote biometric identification only where "
                               "national law allows it, with prior authorisation by a "
                               "judicial or independent administrative authority, and notify "
                               "each use to the market surveillance and data protection "
                               "authorities", "Art. 5(2)–(7)", D_PROHIBITIONS,
                               "Art. 5(1)(h) conditions"))
        if people:
            iii = "Annex III high-risk duties"
            duties += [duty("Tell the people it makes or helps make decisions about that a "
                            "high-risk AI system is used", "Art. 26(11)", D_ANNEX_III, iii),
                       duty("Explain, on request, the system's role in a decision with legal "
                            "or similarly significant effects on a person", "Art. 86",
                            D_ANNEX_III, iii)]
            if s.deployer_public in ("public_authority", "public_service") or \
                    s.point in ("5(b)", "5(c)"):
                duties.append(duty("Fundamental rights impact assessment before first use, "
                                   "results notified to the market surveillance authority",
                                   "Art. 27", D_ANNEX_III, iii))
            if s.deployer_public == "public_authority":
                duties.append(duty("Register the use in the EU database before first use",
                                   "Arts. 26(8), 49(3)", D_ANNEX_III, iii))
        return duties
    texts = {
        "importer": ("Before placing it on the market, check its conformity assessment, "
                     "technical documentation, CE marking, declaration and authorised "
                     "representative; put your name on it; keep the documents 10 years",
                     "Art. 23"),
        "distributor": ("Before making it available, check its CE marking, declaration and "
                        "instructions; do not supply a system you believe does not conform",
                        "Art. 24"),
        "authorised_rep": ("Carry out the provider's mandate: verify the declaration, "
                           "technical documentation and conformity assessment, keep documents "
                           "10 years, cooperate with the authorities", "Art. 22"),
    }
    return [duty(*texts[role])] if role in texts else []


def _art50_duties(s: State, role: str) -> list[Obligation]:
    topic = "Transparency duties (Art. 50)"
    duties = []
    if role == "provider":
        if "interacts" in s.art50_provider:
            duties.append(Obligation("Design it so that people are told they are interacting "
                                     "with an AI system", "Art. 50(1)", D_ART50, role, topic))
        if "generates" in s.art50_provider:
            duties.append(Obligation("Mark generated audio, image, video or text as "
                                     "AI-generated in a machine-readable, detectable way",
                                     "Art. 50(2)",
                                     D_ART50_2_GRACE if s.art50_grace else D_ART50, role,
                                     topic))
    if role == "deployer":
        for case, text, basis in (
                ("emotion_biometric", "Inform the people exposed to emotion recognition or "
                                      "biometric categorisation", "Art. 50(3)"),
                ("deepfake", "Disclose that deep-fake image, audio or video content is "
                             "artificially generated or manipulated", "Art. 50(4)"),
                ("public_text", "Disclose that text published on matters of public interest "
                                "is AI-generated", "Art. 50(4)")):
            if case in s.art50_deployer:
                duties.append(Obligation(text, basis, D_ART50, role, topic))
    return duties
