"""The EU AI Act triage questionnaire, version 2: every question, its options and the dates.

The steps follow the European Commission's compliance checker (model or system, AI-system
definition, role with the Art. 25 role changes, territorial scope, exclusions, Art. 5,
Annex I, Annex III point by point, Art. 6(3), Art. 50 by role, open source, the GPAI
branch). Regulation (EU) 2024/1689 as amended by Regulation (EU) 2026/1744. The Annex I
sectors and the Annex III points come from the catalogue (``eu_annex_i_legislation``,
``eu_annex_iii_points``), so the app and the file's catalogue tables say the same.

A question may accept *legacy* values: answers converted from the earlier questionnaire
(version 1) that the current one no longer offers (e.g. an Annex III area whose point was
not asked). They are never offered on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from aims_core.catalogue import read_catalogue_csv

QUESTIONNAIRE_VERSION = 2
KNOWN_VERSIONS = (1, 2)
VERSION_KEY = "questionnaire"  # the answers' own record of the questionnaire they answer

DISCLAIMER = ("A triage aid for your AI management system, not legal advice: each result is "
              "what the answers *likely* mean under Regulation (EU) 2024/1689 as amended by "
              "Regulation (EU) 2026/1744. Confirm high-risk, prohibited and borderline cases "
              "with counsel.")

NONE = "none"


def lower_first(text: str) -> str:
    """A label continued inside a sentence: "Provider of the GPAI model" -> "provider of…"
    (acronyms and article numbers keep their case)."""
    return text[:1].lower() + text[1:]


# --- dates (Art. 113 as amended; Art. 111) ------------------------------------------------
D_PROHIBITIONS = date(2025, 2, 2)  # Chapters I-II: Art. 4, Art. 5
D_OMNIBUS_PROHIBITIONS = date(2026, 12, 2)  # Art. 5(1)(ba), (bb)
D_GPAI = date(2025, 8, 2)
D_GPAI_LEGACY = date(2027, 8, 2)  # models placed before 2 Aug 2025 (Art. 111(3))
D_ART50 = date(2026, 8, 2)
D_ART50_2_GRACE = date(2026, 12, 2)  # Art. 50(2) for systems placed before 2 Aug 2026
D_ANNEX_III = date(2027, 12, 2)
D_ANNEX_I = date(2028, 8, 2)

YES_NO = {"yes": "Yes", "no": "No"}

SUBJECTS = {
    "system": "An AI system (software that uses AI to produce its outputs)",
    "gpai_model": "A general-purpose AI model itself (e.g. a large language model), not a "
                  "system built on one",
}
IS_AI_SYSTEM = {"yes": "Yes", "no": "No", "uncertain": "Not sure: go through the definition"}
DEFINITION_ELEMENTS = {
    "machine_based": "It is machine-based (it runs on hardware and software)",
    "autonomy": "It works with some degree of autonomy from people",
    "adaptiveness": "It may adapt or learn after deployment (optional)",
    "infers": "It infers from its input how to generate outputs, for explicit or implicit "
              "objectives (it is not only rules written by people)",
    "influences": "Its outputs (predictions, content, recommendations, decisions) can "
                  "influence physical or virtual environments",
    NONE: "None of these",
}
REQUIRED_ELEMENTS = ("machine_based", "autonomy", "infers", "influences")

ROLES = {
    "provider": "Provider: we develop it (or have it developed) and place it on the market or "
                "put it into service under our own name or trademark, also for our own use",
    "deployer": "Deployer: we use it under our authority",
    "importer": "Importer: based in the EU, we place on the market a system bearing the name "
                "of a company outside the EU",
    "distributor": "Distributor: we make it available on the EU market, as neither provider "
                   "nor importer",
    "authorised_rep": "Authorised representative: we hold a written mandate from a provider "
                      "outside the EU",
    "product_manufacturer": "Product manufacturer: we place it on the market together with "
                            "our product",
    "personal_use": "None of these: a person using it in a purely personal, non-professional "
                    "activity",
}
ROLE_NAMES = {"provider": "Provider", "deployer": "Deployer", "importer": "Importer",
              "distributor": "Distributor", "authorised_rep": "Authorised representative",
              "product_manufacturer": "Product manufacturer",
              "gpai_provider": "Provider of the general-purpose AI model",
              "gpai_authorised_rep": "Authorised representative of the GPAI model provider",
              "downstream_modifier": "Downstream modifier of the GPAI model"}
ROLE_BASES = {"provider": "Art. 3(3)", "deployer": "Art. 3(4)", "importer": "Art. 3(6)",
              "distributor": "Art. 3(7)", "authorised_rep": "Art. 3(5)",
              "product_manufacturer": "Art. 2(1)(e)"}
ART25_CHANGES = {
    "own_name": "We put our name or trademark on a high-risk AI system already on the market "
                "or in service (Art. 25(1)(a))",
    "substantial_modification": "We made a substantial modification to a high-risk AI "
                                "system already on the market or in service, and it remains "
                                "high-risk (Art. 25(1)(b))",
    "purpose_change": "We changed the intended purpose of a system not classified as "
                      "high-risk (e.g. a general-purpose AI system) so that it becomes "
                      "high-risk (Art. 25(1)(c))",
    NONE: "None of these",
}
TERRITORIAL_SCOPE = {
    "placed_eu": "We place it on the EU market or put it into service in the EU",
    "established_eu": "We are established or located in the EU",
    "output_eu": "Its output is used in the EU",
    NONE: "None of these",
}
EXCLUSIONS = {
    "military": "Used exclusively for military, defence or national-security purposes "
                "(Art. 2(3))",
    "third_country_le": "Used by a public authority of a non-EU country or an international "
                        "organisation in law-enforcement or judicial cooperation with the EU, "
                        "with adequate safeguards (Art. 2(4))",
    "research": "Developed and put into service for the sole purpose of scientific research "
                "and development (Art. 2(6))",
    "pre_market": "Only researched, tested or developed before being placed on the market or "
                  "put into service; not tested in real-world conditions (Art. 2(8))",
    NONE: "None of these",
}
EXCLUSION_REASONS = {
    "military": "Art. 2(3): the Act does not apply to systems used exclusively for military, "
                "defence or national-security purposes",
    "third_country_le": "Art. 2(4): the Act does not apply to public authorities of a third "
                        "country or international organisations using AI in law-enforcement "
                        "or judicial cooperation with the Union under adequate safeguards",
    "research": "Art. 2(6): the Act does not apply to AI systems developed and put into "
                "service for the sole purpose of scientific research and development",
    "pre_market": "Art. 2(8): the Act does not apply to research, testing or development "
                  "before a system is placed on the market or put into service",
}
ART5_PRACTICES = {
    "a": "5(1)(a) Subliminal, manipulative or deceptive techniques causing significant harm",
    "b": "5(1)(b) Exploiting vulnerabilities due to age, disability or social or economic "
         "situation",
    "ba": "5(1)(ba) Generating non-consensual intimate or sexual content",
    "bb": "5(1)(bb) Generating child sexual abuse material",
    "c": "5(1)(c) Social scoring leading to detrimental or unfavourable treatment",
    "d": "5(1)(d) Predicting crime risk of a person solely from profiling or personality traits",
    "e": "5(1)(e) Untargeted scraping of facial images for recognition databases",
    "f": "5(1)(f) Emotion recognition at work or in education (not for medical or safety "
         "reasons)",
    "g": "5(1)(g) Biometric categorisation inferring race, opinions, beliefs, union membership "
         "or sex life",
    "h": "5(1)(h) Real-time remote biometric identification in public spaces for law "
         "enforcement",
    NONE: "None of these",
}
OMNIBUS_PRACTICES = frozenset({"ba", "bb"})
RBI_EXCEPTIONS = {
    "i": "(i) Targeted search for specific victims of abduction, trafficking or sexual "
         "exploitation, or for missing persons",
    "ii": "(ii) Preventing a specific, substantial and imminent threat to life or physical "
          "safety, or a genuine and present or foreseeable terrorist attack",
    "iii": "(iii) Locating or identifying a suspect of a serious criminal offence listed in "
           "Annex II (punishable by at least four years)",
    NONE: "None of these",
}
DEROGATIONS = {
    "a": "(a) It performs a narrow procedural task",
    "b": "(b) It improves the result of a previously completed human activity",
    "c": "(c) It detects decision patterns or deviations from them, without replacing or "
         "influencing the human assessment without proper human review",
    "d": "(d) It performs a task preparatory to an assessment",
    NONE: "None of these",
}
DEPLOYER_PUBLIC = {
    "public_authority": "A public authority, agency or body governed by public law",
    "public_service": "A private entity providing public services (e.g. education, "
                      "healthcare, social services, housing)",
    "no": "Neither",
}
ART50_PROVIDER = {
    "interacts": "It is intended to interact directly with people (e.g. a chatbot), and that "
                 "is not obvious to them (Art. 50(1))",
    "generates": "It generates synthetic audio, image, video or text (more than an assistive "
                 "edit of the input) (Art. 50(2))",
    NONE: "None of these",
}
ART50_DEPLOYER = {
    "emotion_biometric": "We use it for emotion recognition or biometric categorisation "
                         "(Art. 50(3))",
    "deepfake": "We use it to generate or manipulate image, audio or video that is a deep "
                "fake (Art. 50(4))",
    "public_text": "We publish AI-generated or manipulated text to inform the public on "
                   "matters of public interest, without human review and editorial "
                   "responsibility (Art. 50(4))",
    NONE: "None of these",
}
GPAI_ROLES = {
    NONE: "None: we use a third-party model as it is, or no general-purpose model is "
          "involved",
    "provider": "Provider: we develop the model and place it on the market under our name",
    "modifier": "Downstream modifier: we fine-tune or otherwise modify someone else's model",
    "authorised_rep": "Authorised representative of a model provider established outside "
                      "the EU",
}


# --- the catalogue's Annex I sectors and Annex III points ---------------------------------
def _annex_i() -> tuple[dict[str, str], dict[str, str]]:
    frame = read_catalogue_csv("eu_annex_i_legislation").sort_values("sort_order", key=lambda
                                                                      s: s.astype(int))
    labels = {r.sector_id: f"Section {r.section} · {r.title} ({r.legislation})"
              for r in frame.itertuples()}
    return labels, dict(zip(frame["sector_id"], frame["section"], strict=True))


ANNEX_I_SECTORS, ANNEX_I_SECTION = _annex_i()


@dataclass(frozen=True)
class AnnexIIIPoint:
    point_id: str
    area: int
    title: str
    excluded: bool  # an exclusion the Annex states (e.g. fraud detection under 5(b))

    @property
    def label(self) -> str:
        return self.title if self.excluded else f"{self.point_id} {self.title}"


def _points() -> dict[str, AnnexIIIPoint]:
    frame = read_catalogue_csv("eu_annex_iii_points")
    frame = frame.sort_values("sort_order", key=lambda s: s.astype(int))
    return {r.point_id: AnnexIIIPoint(r.point_id, int(r.area_no), r.title,
                                      r.excluded == "true") for r in frame.itertuples()}


ANNEX_III_POINTS = _points()
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


def area_points(area: int) -> list[str]:
    """The point ids of an Annex III area, its stated exclusions included, in order."""
    return [p.point_id for p in ANNEX_III_POINTS.values() if p.area == area]


def legacy_point(area: int) -> str:
    """The point code of an area answered with the earlier questionnaire (no point asked)."""
    return f"{area}?"


# --- the questions -------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    id: str
    step: str
    text: str
    help: str
    kind: str  # "yesno" | "choice" | "multi"
    options: dict[str, str]
    legacy: dict[str, str] = field(default_factory=dict)  # accepted from version-1 answers
    exclusive: frozenset[str] = frozenset({NONE})  # multi: cannot combine with other options


QUESTIONS: tuple[Question, ...] = (
    Question("subject", "1 · Model or system", "What are you triaging?",
             "A chatbot or tool built on a model is an AI system; the model itself follows the "
             "general-purpose AI (GPAI) branch.", "choice", SUBJECTS),
    Question("is_ai_system", "2 · AI system?", "Is it an AI system as the Act defines it "
             "(Art. 3(1))?",
             "A machine-based system with some autonomy that infers from its input how to "
             "generate outputs (predictions, content, recommendations, decisions) that can "
             "influence its environment. Plain rule-based software written fully by people "
             "is not.", "choice", IS_AI_SYSTEM),
    Question("definition_elements", "2 · AI system?", "Which elements of the definition does "
             "it have?", "All but adaptiveness are needed for an AI system.", "multi",
             DEFINITION_ELEMENTS),
    Question("roles", "3 · Role", "What is your organisation's role for this system?",
             "Tick every role you play; each gets its own obligations. Pre-selected from the "
             "organisation profile and the system's sourcing.", "multi", ROLES,
             exclusive=frozenset({"personal_use"})),
    Question("manufacturer_own_name", "3 · Role", "Is the system placed on the market or put "
             "into service together with your product, under your name or trademark?",
             "Then you are treated as its provider (Art. 25(3)).", "yesno", YES_NO),
    Question("art25_changes", "3 · Role", "Did your organisation do any of these with the "
             "system (Art. 25)?",
             "Each makes you the provider of a high-risk system, with the provider's duties.",
             "multi", ART25_CHANGES),
    Question("territorial_scope", "4 · Territorial scope", "Which of these apply (Art. 2(1))?",
             "The Act reaches providers placing systems on the EU market, deployers in the EU, "
             "and anyone whose system's output is used in the EU.", "multi",
             TERRITORIAL_SCOPE),
    Question("exclusions", "5 · Exclusions", "Does one of the Act's exclusions apply?",
             "Any of these puts the system outside the Act; the reason is kept.", "multi",
             EXCLUSIONS),
    Question("art5_practices", "6 · Prohibited practices (Art. 5)", "Does the system carry "
             "out any of these practices?",
             "Prohibited practices are banned outright. Tick every one that applies.",
             "multi", ART5_PRACTICES),
    Question("rbi_exception", "6 · Prohibited practices (Art. 5)", "Is the use strictly "
             "necessary for one of the narrow objectives of Art. 5(1)(h)?",
             "Only then may real-time remote biometric identification be used, with prior "
             "authorisation, where national law allows it (Art. 5(2)–(7)).", "choice",
             RBI_EXCEPTIONS),
    Question("annex_i_sector", "7 · Annex I product law", "Is the system a safety component "
             "of a product, or itself a product, covered by the EU product law in Annex I?",
             "Section A: new legislative framework products; Section B: vehicles, aviation, "
             "marine and rail. Regulation (EU) 2026/1744 is reported to move machinery to "
             "Section B: confirm for machinery.", "choice",
             {NONE: "No", **ANNEX_I_SECTORS},
             legacy={"section_a": "A product under Annex I law (sector not recorded by the "
                                  "earlier questionnaire)"}),
    Question("annex_i_third_party", "7 · Annex I product law", "Must that product undergo a "
             "third-party conformity assessment under that law (e.g. by a notified body)?",
             "Only then is the AI system high-risk under Art. 6(1).", "yesno", YES_NO),
    Question("annex_iii_area", "8 · Annex III use", "Is the system intended for use in one of "
             "the Annex III areas?",
             "The next question lists the area's points; the point decides.", "choice",
             ANNEX_III_AREAS),
    Question("annex_iii_point", "8 · Annex III use", "Which point of the area describes the "
             "intended use?",
             "Some points carry an exclusion the Annex states (e.g. fraud detection is not "
             "credit scoring): pick it if it fits.", "choice",
             {**{p.point_id: p.label for p in ANNEX_III_POINTS.values()},
              NONE: "None of these points"},
             legacy={legacy_point(a): f"Area {a}, point not recorded by the earlier "
                                      "questionnaire" for a in range(1, 9)}),
    Question("profiling", "9 · Art. 6(3)", "Does the system perform profiling of natural "
             "persons?",
             "Automated evaluation of personal aspects such as work performance, economic "
             "situation, health, preferences, reliability, behaviour or location. Profiling "
             "always keeps an Annex III system high-risk.", "yesno", YES_NO),
    Question("derogation", "9 · Art. 6(3)", "Do any of these conditions describe the system?",
             "Relevant only when the system poses no significant risk of harm.", "multi",
             DEROGATIONS),
    Question("significant_harm", "9 · Art. 6(3)", "Does the system nonetheless pose a "
             "significant risk of harm to health, safety or fundamental rights, including by "
             "materially influencing the outcome of decisions?", "When in doubt, answer yes.",
             "yesno", YES_NO),
    Question("deployer_public", "Deployer", "Which describes your organisation as deployer?",
             "Public bodies and private entities providing public services assess fundamental "
             "rights before first use (Art. 27); public authorities also register the use "
             "(Art. 49(3)).", "choice", DEPLOYER_PUBLIC),
    Question("art50_provider", "10 · Transparency (Art. 50), as provider", "As its provider, "
             "which of these describe the system?",
             "Providers design the system so people know they deal with AI, and mark "
             "generated content in a machine-readable way.", "multi", ART50_PROVIDER),
    Question("placed_before_aug_2026", "10 · Transparency (Art. 50), as provider", "Was the "
             "generative system placed on the market or put into service before 2 August "
             "2026?", "Such systems have until 2 December 2026 for machine-readable marking "
             "(Art. 111(4)).", "yesno", YES_NO),
    Question("art50_deployer", "10 · Transparency (Art. 50), as deployer", "As its deployer, "
             "which of these do you do with the system?",
             "Deployers inform the people exposed and disclose deep fakes and AI-written "
             "public-interest text.", "multi", ART50_DEPLOYER),
    Question("open_source", "11 · Open source", "Is the system released under a free and "
             "open-source licence?",
             "The Act does not apply to such systems unless they are high-risk, prohibited or "
             "under Art. 50 (Art. 2(12)).", "yesno", YES_NO),
    Question("gpai_is_general", "12 · General-purpose AI model", "Does the model display "
             "significant generality and competently perform a wide range of distinct tasks "
             "(Art. 3(63))?", "E.g. a large language, image or speech model that can be "
             "integrated into many systems.", "yesno", YES_NO),
    Question("gpai_role", "12 · General-purpose AI model", "What is your organisation's role "
             "for the general-purpose AI model (the model itself, not the system)?",
             "Using someone else's model through an API does not make you its provider.",
             "choice", GPAI_ROLES),
    Question("gpai_significant_change", "12 · General-purpose AI model", "Does your "
             "modification significantly change the model's generality, capabilities or "
             "systemic risk?", "Then you become the provider of the modified model, for your "
             "modification.", "yesno", YES_NO),
    Question("gpai_systemic", "12 · General-purpose AI model", "Does the model have systemic "
             "risk: high-impact capabilities (presumed above 10^25 FLOPs of training compute, "
             "Art. 51(2)) or designated by the Commission?", "", "yesno", YES_NO),
    Question("gpai_open_source", "12 · General-purpose AI model", "Is the model released under "
             "a free and open-source licence, with its weights, architecture and usage "
             "information public?", "Then the documentation duties of Art. 53(1)(a)–(b) and "
             "the EU representative of Art. 54 do not apply.", "yesno", YES_NO),
    Question("gpai_placed_before_aug_2025", "12 · General-purpose AI model", "Was the model "
             "placed on the market before 2 August 2025?",
             "Such models must comply by 2 August 2027 (Art. 111(3)).", "yesno", YES_NO),
)
BY_ID = {q.id: q for q in QUESTIONS}
