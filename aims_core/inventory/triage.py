"""Explainable EU AI Act triage: the questions asked, the answers, and the category they lead to.

Order of the screens: Art. 5 prohibited practices -> Annex I product law -> Annex III areas ->
Art. 6(3) derogation (profiling always stays high-risk) -> Art. 50 transparency -> general-
purpose AI models. Every step asked leaves one line of reasoning citing its article, and the
result lists the obligations with the date they apply from (Regulation (EU) 2024/1689 as
amended by Regulation (EU) 2026/1744). A triage aid for the AIMS, not legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DISCLAIMER = ("This triage is an aid for your AI management system, not legal advice: confirm "
              "the classification of high-risk or borderline systems with counsel.")

YES_NO = {"yes": "Yes", "no": "No"}
NONE = "none"

ART5_PRACTICES = {
    "a": "5(1)(a) Subliminal, manipulative or deceptive techniques causing significant harm",
    "b": "5(1)(b) Exploiting vulnerabilities due to age, disability or social or economic "
         "situation",
    "ba": "5(1)(ba) Generating non-consensual intimate or sexual content",
    "bb": "5(1)(bb) Generating child sexual abuse material",
    "c": "5(1)(c) Social scoring leading to detrimental or unfavourable treatment",
    "d": "5(1)(d) Predicting crime risk of a person solely from profiling or personality traits",
    "e": "5(1)(e) Untargeted scraping of facial images for recognition databases",
    "f": "5(1)(f) Emotion recognition at work or in education (not medical or safety)",
    "g": "5(1)(g) Biometric categorisation inferring race, opinions, beliefs, union membership "
         "or sex life",
    "h": "5(1)(h) Real-time remote biometric identification in public for law enforcement",
    NONE: "None of these",
}
OMNIBUS_PRACTICES = {"ba", "bb"}

ANNEX_III_AREAS = {
    "0": "None of these areas",
    "1": "1. Biometrics",
    "2": "2. Critical infrastructure",
    "3": "3. Education and vocational training",
    "4": "4. Employment, workers' management, access to self-employment",
    "5": "5. Access to essential private and public services and benefits",
    "6": "6. Law enforcement",
    "7": "7. Migration, asylum and border control",
    "8": "8. Administration of justice and democratic processes",
}
DEROGATIONS = {
    "a": "(a) Performs a narrow procedural task",
    "b": "(b) Improves the result of a previously completed human activity",
    "c": "(c) Detects decision patterns or deviations without replacing human assessment",
    "d": "(d) Performs a preparatory task to an assessment",
    NONE: "None of these",
}
AREA5_POINTS = {
    "a": "(a) Eligibility for public assistance benefits and services",
    "b": "(b) Creditworthiness or credit score (not fraud detection)",
    "c": "(c) Risk assessment and pricing of life or health insurance",
    "d": "(d) Emergency call classification, dispatch or triage",
}
ART50_CASES = {
    "interacts": "Interacts directly with people (e.g. a chatbot)",
    "generates": "Generates synthetic audio, image, video or text",
    "emotion_biometric": "Emotion recognition or biometric categorisation",
    "deepfake_public_text": "Deep fakes, or AI-written text published on matters of public "
                            "interest",
    NONE: "None of these",
}
ROLES = {"provider": "Provider (we develop it or have it developed and put it on the market "
                     "under our name)",
         "deployer": "Deployer (we use it under our authority)",
         "both": "Both"}

D_PROHIBITIONS = date(2025, 2, 2)
D_OMNIBUS_PROHIBITIONS = date(2026, 12, 2)
D_GPAI = date(2025, 8, 2)
D_ART50 = date(2026, 8, 2)
D_ART50_2_GRACE = date(2026, 12, 2)
D_ANNEX_III = date(2027, 12, 2)
D_ANNEX_I = date(2028, 8, 2)


@dataclass(frozen=True)
class Question:
    id: str
    step: str
    text: str
    help: str
    kind: str  # "yesno" | "choice" | "multi"
    options: dict[str, str]


@dataclass(frozen=True)
class Obligation:
    text: str
    legal_basis: str
    applies_from: date


@dataclass(frozen=True)
class TriageResult:
    category: str
    annex_iii_area: int | None
    reasons: tuple[str, ...]
    obligations: tuple[Obligation, ...]

    def reasoning_text(self) -> str:
        """The reasons as one paragraph, for exports and the stored record."""
        return " ".join(self.reasons)


QUESTIONS: tuple[Question, ...] = (
    Question("role", "Role", "What is your organisation's role for this system?",
             "Provider duties fall on whoever places the system on the market or puts it into "
             "service under its own name; deployers use it under their authority.",
             "choice", ROLES),
    Question("art5_practices", "Art. 5", "Does the system carry out any of these practices?",
             "Prohibited practices are banned outright. Tick every one that applies.",
             "multi", ART5_PRACTICES),
    Question("annex_i", "Annex I", "Is the system a safety component of a product, or itself "
             "a product, under EU harmonisation law listed in Annex I that needs third-party "
             "conformity assessment?",
             "For example machinery, toys, lifts, radio equipment, medical devices, vehicles.",
             "yesno", YES_NO),
    Question("annex_iii_area", "Annex III", "Is the system intended for use in one of the "
             "Annex III areas?",
             "E.g. CV screening is area 4, credit scoring area 5 (fraud detection is excluded).",
             "choice", ANNEX_III_AREAS),
    Question("area5_point", "Annex III", "Which point of area 5 describes the use?",
             "Deployers of credit scoring and life or health insurance systems must carry out a "
             "fundamental rights impact assessment (Art. 27).", "choice", AREA5_POINTS),
    Question("profiling", "Art. 6(3)", "Does the system perform profiling of natural persons?",
             "Automated evaluation of personal aspects such as work performance, economic "
             "situation, health, preferences, behaviour or location.", "yesno", YES_NO),
    Question("derogation", "Art. 6(3)", "Do any of these conditions describe the system?",
             "Only relevant when the system poses no significant risk of harm.", "multi",
             DEROGATIONS),
    Question("significant_harm", "Art. 6(3)", "Does the system pose a significant risk of harm "
             "to health, safety or fundamental rights, including by materially influencing "
             "decisions?", "When in doubt, answer yes.", "yesno", YES_NO),
    Question("fria_public_service", "Art. 27", "Are you a public body, or a private entity "
             "providing public services?",
             "Such deployers must assess fundamental-rights impact before first use.",
             "yesno", YES_NO),
    Question("art50_cases", "Art. 50", "Which of these transparency cases apply?",
             "Transparency duties apply on top of any other category.", "multi", ART50_CASES),
    Question("placed_before_aug_2026", "Art. 50", "Was the generative system placed on the "
             "market before 2 August 2026?",
             "Such systems have until 2 December 2026 for machine-readable marking.",
             "yesno", YES_NO),
    Question("gpai_provider", "GPAI", "Do you place a general-purpose AI model on the market "
             "(as its provider)?", "Using someone else's model through an API does not make "
             "you a GPAI model provider.", "yesno", YES_NO),
    Question("gpai_systemic", "GPAI", "Was the model trained with more than 10^25 FLOPs?",
             "Art. 51 presumes systemic risk above that compute.", "yesno", YES_NO),
)
_BY_ID = {q.id: q for q in QUESTIONS}


def _ticked(answers: dict[str, object], question_id: str) -> set[str]:
    value = answers.get(question_id) or []
    return {str(v) for v in (value if isinstance(value, list | tuple | set) else [value])} - {NONE}


def _area(answers: dict[str, object]) -> int:
    value = answers.get("annex_iii_area")
    return int(value) if value not in (None, "") else 0


def visible_questions(answers: dict[str, object]) -> list[Question]:
    """The questions that matter given the answers so far, in order."""
    shown = [_BY_ID["role"], _BY_ID["art5_practices"]]
    if "art5_practices" not in answers or _ticked(answers, "art5_practices"):
        return shown
    shown += [_BY_ID["annex_i"], _BY_ID["annex_iii_area"]]
    area = _area(answers)
    if area == 5:
        shown.append(_BY_ID["area5_point"])
    if area:
        shown.append(_BY_ID["profiling"])
        if answers.get("profiling") == "no":
            shown += [_BY_ID["derogation"], _BY_ID["significant_harm"]]
        if answers.get("role") in ("deployer", "both") and area != 2:
            shown.append(_BY_ID["fria_public_service"])
    shown.append(_BY_ID["art50_cases"])
    if "generates" in _ticked(answers, "art50_cases"):
        shown.append(_BY_ID["placed_before_aug_2026"])
    shown.append(_BY_ID["gpai_provider"])
    if answers.get("gpai_provider") == "yes":
        shown.append(_BY_ID["gpai_systemic"])
    return shown


def _check(answers: dict[str, object]) -> None:
    for question in visible_questions(answers):
        value = answers.get(question.id)
        if value in (None, "", []):
            raise ValueError(f"question '{question.id}' ({question.step}) is not answered")
        values = value if question.kind == "multi" and isinstance(value, list) else [value]
        for item in values:
            if str(item) not in question.options:
                raise ValueError(f"answer {item!r} is not an option of question "
                                 f"'{question.id}'")
        if question.kind == "multi" and NONE in values and len(values) > 1:
            raise ValueError(f"question '{question.id}': 'none' cannot be combined with others")


def roles(answers: dict[str, object]) -> set[str]:
    """The organisation's EU AI Act roles for the system, as the stored answers give them."""
    role = answers.get("role")
    return {"provider", "deployer"} if role == "both" else {str(role)}


def triage(answers: dict[str, object]) -> TriageResult:
    """Derive the category, reasoning and obligations; ValueError names a missing answer."""
    _check(answers)
    system_roles = roles(answers)
    reasons: list[str] = []
    duties = [Obligation("Take measures to support AI literacy of staff and others using the "
                         "system (Art. 4, as amended in 2026)", "Art. 4", D_PROHIBITIONS)]

    practices = _ticked(answers, "art5_practices")
    if practices:
        labels = "; ".join(ART5_PRACTICES[p] for p in sorted(practices))
        reasons.append(f"Art. 5: the system carries out a prohibited practice ({labels}), so it "
                       "must not be placed on the market, put into service or used.")
        for practice in sorted(practices):
            start = D_OMNIBUS_PROHIBITIONS if practice in OMNIBUS_PRACTICES else D_PROHIBITIONS
            duties.append(Obligation(f"Stop: prohibited practice {ART5_PRACTICES[practice]}",
                                     "Art. 5", start))
        return TriageResult("prohibited", None, tuple(reasons), tuple(duties))
    reasons.append("Art. 5: none of the prohibited practices applies.")

    category = "minimal"
    area = _area(answers)
    if answers.get("annex_i") == "yes":
        category = "high_risk"
        reasons.append("Art. 6(1) and Annex I: the system is (a safety component of) a product "
                       "under Annex I law needing third-party conformity assessment, so it is "
                       "high-risk; obligations apply from 2 Aug 2028.")
        duties += _high_risk_duties(system_roles, D_ANNEX_I, "Art. 6(1)")
    else:
        reasons.append("Annex I: the system is not a product or safety component under Annex "
                       "I harmonisation law.")
    if area:
        category = _annex_iii(answers, area, system_roles, category, reasons, duties)
    else:
        reasons.append("Annex III: the system is not used in any Annex III area.")

    cases = _ticked(answers, "art50_cases")
    if cases:
        labels = "; ".join(ART50_CASES[c].lower() for c in sorted(cases))
        reasons.append(f"Art. 50: transparency duties apply because the system {labels}"
                       + (" (on top of its high-risk duties)." if category == "high_risk"
                          else "."))
        duties += _art50_duties(answers, cases)
        if category == "minimal":
            category = "transparency"
    else:
        reasons.append("Art. 50: none of the transparency cases applies.")

    if answers.get("gpai_provider") == "yes":
        systemic = answers.get("gpai_systemic") == "yes"
        duties.append(Obligation("GPAI model provider: technical documentation, information for "
                                 "downstream providers, copyright policy, public training-"
                                 "content summary", "Art. 53", D_GPAI))
        if systemic:
            duties.append(Obligation("Systemic-risk model: evaluation incl. adversarial testing,"
                                     " risk mitigation, serious-incident reporting, "
                                     "cybersecurity", "Art. 55", D_GPAI))
        reasons.append("Arts. 51–55: you provide a general-purpose AI model"
                       + (" presumed to have systemic risk (over 10^25 FLOPs)" if systemic
                          else "") + "; model-level duties apply.")
        if category == "minimal":
            category = "gpai"
    if category == "minimal":
        reasons.append("Result: minimal risk; only AI literacy (Art. 4) and voluntary codes of "
                       "conduct (Art. 95) apply.")
    return TriageResult(category, area or None, tuple(reasons), tuple(duties))


def _annex_iii(answers: dict[str, object], area: int, roles: set[str], category: str,
               reasons: list[str], duties: list[Obligation]) -> str:
    title = ANNEX_III_AREAS[str(area)]
    if answers.get("profiling") == "yes":
        reasons.append(f"Annex III area {title}; Art. 6(3): the system profiles natural "
                       "persons, so no derogation can apply and it stays high-risk; "
                       "obligations apply from 2 Dec 2027.")
    else:
        conditions = _ticked(answers, "derogation")
        harmless = answers.get("significant_harm") == "no"
        if conditions and harmless:
            labels = "; ".join(DEROGATIONS[c] for c in sorted(conditions))
            reasons.append(f"Annex III area {title}; Art. 6(3): not high-risk because it poses "
                           f"no significant risk of harm and meets {labels}. Document this "
                           "assessment and register the system.")
            duties.append(Obligation("Document the Art. 6(3) assessment before placing on the "
                                     "market and provide it on request", "Art. 6(4)",
                                     D_ANNEX_III))
            duties.append(Obligation("Register the system in the EU database", "Art. 49(2)",
                                     D_ANNEX_III))
            return category
        why = "it poses a significant risk of harm" if not harmless else \
            "none of the Art. 6(3) conditions applies"
        reasons.append(f"Annex III area {title}; Art. 6(3): the derogation does not apply "
                       f"because {why}, so the system is high-risk; obligations apply from "
                       "2 Dec 2027.")
    if category != "high_risk":
        duties += _high_risk_duties(roles, D_ANNEX_III, "Art. 6(2)")
    credit_or_insurance = area == 5 and answers.get("area5_point") in ("b", "c")
    if "deployer" in roles and (credit_or_insurance
                                or answers.get("fria_public_service") == "yes"):
        duties.append(Obligation("Fundamental rights impact assessment before first use, "
                                 "results notified to the market surveillance authority",
                                 "Art. 27", D_ANNEX_III))
    return "high_risk"


def _high_risk_duties(roles: set[str], start: date, basis: str) -> list[Obligation]:
    duties = []
    if "provider" in roles:
        duties += [
            Obligation("Risk management, data governance, technical documentation, logging, "
                       "transparency, human oversight, accuracy and robustness",
                       f"{basis}; Arts. 8–15", start),
            Obligation("Quality management system, conformity assessment, EU declaration, CE "
                       "marking, registration", "Arts. 16–17, 43, 47–49", start),
            Obligation("Post-market monitoring and serious-incident reporting (15 days; 2 or "
                       "10 days in the gravest cases)", "Arts. 72–73", start),
        ]
    if "deployer" in roles:
        duties += [
            Obligation("Use per instructions, assign competent human oversight, monitor and "
                       "inform the provider, keep logs at least 6 months, inform workers",
                       f"{basis}; Art. 26", start),
        ]
    return duties


def _art50_duties(answers: dict[str, object], cases: set[str]) -> list[Obligation]:
    duties = []
    if "interacts" in cases:
        duties.append(Obligation("Tell people they are interacting with an AI system",
                                 "Art. 50(1)", D_ART50))
    if "generates" in cases:
        start = D_ART50_2_GRACE if answers.get("placed_before_aug_2026") == "yes" else D_ART50
        duties.append(Obligation("Mark generated content as AI-generated in a machine-readable "
                                 "way", "Art. 50(2)", start))
    if "emotion_biometric" in cases:
        duties.append(Obligation("Inform exposed people of emotion recognition or biometric "
                                 "categorisation", "Art. 50(3)", D_ART50))
    if "deepfake_public_text" in cases:
        duties.append(Obligation("Disclose deep fakes and AI-generated public-interest text",
                                 "Art. 50(4)", D_ART50))
    return duties
