"""The triage's walk: the questions asked in the checker's order, what each answer sets,
and the duties the walk itself finds (prohibitions, Annex I Section B, GPAI models).

``walk`` records every question it asks (``Walk.asked``) and stops at the first one not
answered (``Pending``), so the same walk shows the questionnaire and triages the answers;
``State`` holds what the answers established, for ``triage_duties`` and ``triage``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from aims_core.inventory.triage_questionnaire import (
    ANNEX_I_SECTION,
    ANNEX_I_SECTORS,
    ANNEX_III_AREAS,
    ANNEX_III_POINTS,
    ART5_PRACTICES,
    BY_ID,
    D_ANNEX_I,
    D_ANNEX_III,
    D_GPAI,
    D_GPAI_LEGACY,
    D_OMNIBUS_PROHIBITIONS,
    D_PROHIBITIONS,
    DEFINITION_ELEMENTS,
    DEROGATIONS,
    EXCLUSION_REASONS,
    NONE,
    OMNIBUS_PRACTICES,
    QUESTIONS,
    RBI_EXCEPTIONS,
    REQUIRED_ELEMENTS,
    ROLE_BASES,
    ROLE_NAMES,
    TERRITORIAL_SCOPE,
    Question,
    area_points,
    lower_first,
)

ROLE_ORDER = tuple(ROLE_NAMES)  # results list the roles in this order


class TriageError(ValueError):
    """Answers that cannot be triaged; ``question`` names the question concerned."""

    def __init__(self, question: str | None, message: str) -> None:
        super().__init__(message)
        self.question = question


@dataclass(frozen=True)
class Obligation:
    text: str
    legal_basis: str
    applies_from: date
    role: str = ""  # the role the duty falls on (a key of ROLE_NAMES)
    topic: str = ""  # what starts to apply, for the schedule: "Annex III high-risk duties"


class Pending(Exception):
    """The walk reached a question that has no answer yet."""


_CHAIN_ROLES = {"deployer", "importer", "distributor", "authorised_rep"}  # Art. 25(1)
_ART25_BASIS = {"own_name": "Art. 25(1)(a)", "substantial_modification": "Art. 25(1)(b)",
                "purpose_change": "Art. 25(1)(c)"}
# Why a question was not asked, for answers given to it anyway (the walk's own stop reason
# comes first when it ended early).
_NOT_ASKED = {
    "definition_elements": "it is asked only when you are not sure it is an AI system",
    "manufacturer_own_name": "it is asked only of product manufacturers",
    "art25_changes": "it is asked only of a deployer, importer, distributor or authorised "
                     "representative that is not already the provider",
    "rbi_exception": "it is asked only when practice 5(1)(h) is ticked",
    "annex_i_third_party": "it is asked only for a product under Annex I law",
    "annex_iii_point": "it is asked only when an Annex III area is chosen",
    "profiling": "it is asked only for a use listed in an Annex III point",
    "derogation": "it is asked only when the system does not profile people",
    "significant_harm": "it is asked only when an Art. 6(3) condition is ticked",
    "deployer_public": "it is asked only of deployers of a high-risk Annex III system",
    "art50_provider": "it is a provider's question, and the roles include no provider (nor "
                      "an Art. 25 role change that makes you one)",
    "placed_before_aug_2026": "it is asked only of providers of generative systems",
    "art50_deployer": "it is a deployer's question, and the roles include no deployer",
    "open_source": "it is asked only when the system is neither high-risk nor prohibited nor "
                   "under Art. 50",
    "gpai_is_general": "it is asked only when a general-purpose AI model is triaged",
    "gpai_significant_change": "it is asked only of downstream modifiers",
    "gpai_systemic": "it is asked only of a model's provider or representative",
    "gpai_open_source": "it is asked only of a model provider without systemic risk",
    "gpai_placed_before_aug_2025": "it is asked only of a model provider",
}


@dataclass
class State:
    reasons: list[str] = field(default_factory=list)
    category: str = "minimal"
    stopped: str | None = None  # why the walk ended early
    roles: dict[str, str] = field(default_factory=dict)  # role -> the article making it so
    scope: set[str] = field(default_factory=set)
    high_risk: list[tuple[str, date]] = field(default_factory=list)  # ("annex_i"|..., start)
    section_b: bool = False
    derogated: bool = False
    area: int | None = None
    point: str | None = None
    rbi_exception: str | None = None
    deployer_public: str | None = None
    art50_provider: set[str] = field(default_factory=set)
    art50_grace: bool = False
    art50_deployer: set[str] = field(default_factory=set)
    duties: list[Obligation] = field(default_factory=list)
    gpai_systemic: bool = False
    art25: set[str] = field(default_factory=set)  # Art. 25(1) role changes ticked
    open_source: bool = False  # the system (not a model) is outside the Act (Art. 2(12))

    def stop(self, category: str, reason: str) -> None:
        self.category, self.stopped = category, reason
        self.reasons.append(reason)


class Walk:
    """Asks the questions in order; every ask is recorded, a missing answer pauses the walk."""

    def __init__(self, answers: dict[str, Any], *, legacy: bool) -> None:
        self.answers, self.legacy = answers, legacy
        self.asked: list[Question] = []
        self.answered: list[tuple[str, str]] = []

    def ask(self, question_id: str, allowed: Iterable[str] | None = None,
            outside: str | None = None) -> Any:
        """The answer (a set for multi questions, 'none' removed); ``allowed`` narrows the
        options shown, ``outside`` explains why a value beyond them is refused."""
        question = BY_ID[question_id]
        if allowed is not None:
            keep = set(allowed)
            question = replace(question, options={k: v for k, v in question.options.items()
                                                  if k in keep})
        self.asked.append(question)
        value = self.answers.get(question_id)
        if value is None or value in ("", []):
            raise Pending(question_id)
        accepted = {**question.options, **(question.legacy if self.legacy else {})}
        values = [str(v) for v in (value if isinstance(value, list | tuple | set) else [value])]
        if question.kind != "multi" and len(values) != 1:
            raise TriageError(question_id, f"'{question.text}' takes one answer, not "
                                           f"{len(values)}")
        for item in values:
            if item not in accepted:
                why = outside if outside and item in BY_ID[question_id].options else \
                    "it is not one of the answers offered"
                raise TriageError(question_id, f"'{question.text}': {item!r} cannot be "
                                               f"answered here: {why}")
        lonely = set(values) & question.exclusive
        if lonely and len(values) > 1:
            raise TriageError(question_id, f"'{question.text}': "
                                           f"'{accepted[lonely.pop()]}' cannot be combined "
                                           "with other answers")
        self.answered.append((question.text, "; ".join(accepted[v] for v in values)))
        return set(values) - {NONE} if question.kind == "multi" else values[0]


def walk(w: Walk, s: State) -> None:
    if w.ask("subject") == "gpai_model":
        _model_branch(w, s)
        return
    if not _is_ai_system(w, s) or not _role(w, s) or not _in_scope(w, s):
        return
    if _prohibited(w, s):
        return
    _annex_i(w, s)
    if s.section_b:
        return
    _annex_iii(w, s)
    if s.high_risk:
        s.category = "high_risk"
    elif s.derogated:
        s.category = "not_high_risk"
    _role_changes(s)
    if "deployer" in s.roles and ("annex_iii", D_ANNEX_III) in s.high_risk and s.area != 2:
        s.deployer_public = w.ask("deployer_public")
    _transparency(w, s)
    quiet = not (s.art50_provider or s.art50_deployer)
    if s.category in ("minimal", "not_high_risk") and quiet and w.ask("open_source") == "yes":
        s.category, s.open_source = "out_of_scope", True
        s.reasons.append("Art. 2(12): the Act does not apply to a system released under a "
                         "free and open-source licence that is not high-risk, prohibited or "
                         "under Art. 50.")
    role = w.ask("gpai_role")
    if role != NONE:
        _gpai(w, s, role)


def _is_ai_system(w: Walk, s: State) -> bool:
    answer = w.ask("is_ai_system")
    if answer == "no":
        s.stop("out_of_scope", "Art. 3(1): you answered that it is not an AI system, so the "
                               "Act does not apply to it.")
        return False
    if answer == "uncertain":
        elements = w.ask("definition_elements")
        missing = [lower_first(DEFINITION_ELEMENTS[e].split(" (")[0]) for e in REQUIRED_ELEMENTS
                   if e not in elements]
        if missing:
            s.stop("out_of_scope", "Art. 3(1): it lacks elements of the AI-system definition "
                                   f"({'; '.join(missing)}), so it is likely not an AI system "
                                   "and the Act does not apply.")
            return False
        s.reasons.append("Art. 3(1): it has every element of the AI-system definition "
                         "(adaptiveness after deployment is optional).")
    else:
        s.reasons.append("Art. 3(1): you answered that it is an AI system.")
    return True


def _role(w: Walk, s: State) -> bool:
    declared = w.ask("roles")
    if "personal_use" in declared:
        s.stop("out_of_scope", "Art. 2(10): the Act does not apply to obligations of people "
                               "using AI in a purely personal, non-professional activity.")
        return False
    s.roles = {r: ROLE_BASES[r] for r in ROLE_ORDER if r in declared}
    if "product_manufacturer" in declared and w.ask("manufacturer_own_name") == "yes":
        del s.roles["product_manufacturer"]
        s.roles.setdefault("provider", "Art. 25(3)")
        s.reasons.append("Art. 25(3): you place the system on the market with your product "
                         "under your own name, so you are treated as its provider.")
    if declared & _CHAIN_ROLES and "provider" not in s.roles:
        s.art25 = w.ask("art25_changes")
    return True


def _in_scope(w: Walk, s: State) -> bool:
    s.scope = w.ask("territorial_scope")
    if not s.scope:
        s.stop("out_of_scope", "Art. 2(1): it is not placed on the EU market or put into "
                               "service there, you are not established in the EU and its "
                               "output is not used in the EU, so the Act does not apply.")
        return False
    excluded = w.ask("exclusions")
    if excluded:
        s.stop("out_of_scope", "; ".join(EXCLUSION_REASONS[e] for e in sorted(excluded))
               + ". The system is outside the Act.")
        return False
    s.reasons.append("Art. 2: in scope (" + "; ".join(
        lower_first(TERRITORIAL_SCOPE[c]) for c in sorted(s.scope)) + "), and none of the "
        "exclusions applies.")
    return True


def _prohibited(w: Walk, s: State) -> bool:
    practices = w.ask("art5_practices")
    if "h" in practices:
        exception = w.ask("rbi_exception")
        if exception != NONE:
            practices.discard("h")
            s.rbi_exception = exception
    if not practices:
        s.reasons.append("Art. 5: none of the prohibited practices applies"
                         + (f"; real-time remote biometric identification is used under the "
                            f"exception {RBI_EXCEPTIONS[s.rbi_exception]}, which allows it "
                            "only with prior authorisation (Art. 5(2)–(7))"
                            if s.rbi_exception else "") + ".")
        return False
    labels = "; ".join(ART5_PRACTICES[p] for p in sorted(practices))
    later = practices & OMNIBUS_PRACTICES
    s.stop("prohibited", f"Art. 5: the system carries out a prohibited practice ({labels}), "
                         "so it must not be placed on the market, put into service or used"
           + (" (the practices added by Regulation (EU) 2026/1744 are banned from "
              "2 Dec 2026)" if later else "") + ".")
    verbs = {"provider": "do not place it on the market or put it into service",
             "deployer": "do not use it", "importer": "do not place it on the market",
             "distributor": "do not make it available on the market",
             "authorised_rep": "do not act for it on the provider's behalf",
             "product_manufacturer": "do not place it on the market with your product"}
    for role in s.roles:
        for practice in sorted(practices):
            start = D_OMNIBUS_PROHIBITIONS if practice in OMNIBUS_PRACTICES else D_PROHIBITIONS
            label = ART5_PRACTICES[practice]
            s.duties.append(Obligation(f"Prohibited practice {label}: {verbs[role]}",
                                       f"Art. {label.split()[0]}", start, role,
                                       "Art. 5 prohibition"))
    return True


def _annex_i(w: Walk, s: State) -> None:
    sector = w.ask("annex_i_sector")
    if sector == NONE:
        s.reasons.append("Annex I: it is not a product, or a safety component of a product, "
                         "under the product law listed in Annex I.")
        return
    law = ANNEX_I_SECTORS.get(sector, "Annex I product law (sector not recorded)")
    if w.ask("annex_i_third_party") == "no":
        s.reasons.append(f"Annex I ({law}): the product needs no third-party conformity "
                         "assessment, so Art. 6(1) does not make it high-risk.")
        return
    if ANNEX_I_SECTION.get(sector, "A") == "B":
        s.section_b = True
        s.stop("high_risk", f"Art. 6(1) and Annex I Section B ({law}): it is likely "
                            "high-risk; under Art. 2(2) only Art. 6(1), Arts. 102–109 and "
                            "Art. 112 of the Act apply, so its AI requirements reach you "
                            "through that sector's own type-approval law, from 2 Aug 2028.")
        if "provider" in s.roles:
            s.duties.append(Obligation(
                "Meet the AI requirements the sector's type-approval law takes over from the "
                "Act (Chapter III Section 2, through Arts. 102–109)",
                "Art. 6(1); Art. 2(2)", D_ANNEX_I, "provider", "Annex I high-risk duties"))
        return
    s.high_risk.append(("annex_i", D_ANNEX_I))
    s.reasons.append(f"Art. 6(1) and Annex I Section A ({law}): a product needing third-party "
                     "conformity assessment, so it is likely high-risk; these obligations "
                     "apply from 2 Aug 2028.")


def _annex_iii(w: Walk, s: State) -> None:
    if s.rbi_exception:
        s.area, s.point = 1, "1(a)"
        s.high_risk.append(("annex_iii", D_ANNEX_III))
        s.reasons.append("Annex III point 1(a): remote biometric identification used under an "
                         "Art. 5(1)(h) exception is high-risk; these obligations apply from "
                         "2 Dec 2027.")
        return
    area = int(w.ask("annex_iii_area"))
    if not area:
        s.reasons.append("Annex III: it is not intended for use in any Annex III area.")
        return
    s.area = area
    listed = area_points(area)
    s.point = point = w.ask("annex_iii_point", allowed=[*listed, NONE],
                            outside=f"it is not a point of Annex III area {area} (its points: "
                                    f"{', '.join(p for p in listed if '-' not in p)})")
    area_title = ANNEX_III_AREAS[str(area)]
    if point == NONE:
        s.point = None
        s.reasons.append(f"Annex III area {area_title}: none of its points describes the use, "
                         "so Annex III does not make it high-risk.")
        return
    entry = ANNEX_III_POINTS.get(point)
    if entry is not None and entry.excluded:
        base = point.split("-")[0]
        s.reasons.append(f"Annex III: {lower_first(entry.title)} — the Annex "
                         f"excludes it from point {base}, so Annex III does not make it "
                         "high-risk.")
        return
    named = f"point {point} ({entry.title})" if entry else \
        f"area {area_title} (the point was not recorded by the earlier questionnaire)"
    if w.ask("profiling") == "yes":
        s.high_risk.append(("annex_iii", D_ANNEX_III))
        s.reasons.append(f"Annex III {named}; Art. 6(3): the system profiles natural persons, "
                         "so no derogation can apply and it is likely high-risk; these "
                         "obligations apply from 2 Dec 2027.")
        return
    conditions = w.ask("derogation")
    if conditions and w.ask("significant_harm") == "no":
        labels = "; ".join(DEROGATIONS[c] for c in sorted(conditions))
        s.derogated = True
        s.reasons.append(f"Annex III {named}; Art. 6(3): likely not high-risk, because it "
                         f"poses no significant risk of harm and meets {labels}. The provider "
                         "documents this assessment (Art. 6(4)) and registers the system "
                         "(Art. 49(2)) before placing it on the market.")
        return
    why = "it poses a significant risk of harm" if conditions else \
        "none of the Art. 6(3) conditions applies"
    s.high_risk.append(("annex_iii", D_ANNEX_III))
    s.reasons.append(f"Annex III {named}; Art. 6(3): the derogation does not apply because "
                     f"{why}, so it is likely high-risk; these obligations apply from "
                     "2 Dec 2027.")


def _role_changes(s: State) -> None:
    changes = s.art25
    if not changes:
        return
    ticked = ", ".join(_ART25_BASIS[c] for c in sorted(changes))
    if s.category != "high_risk":
        s.reasons.append(f"Art. 25(1): the role changes ticked ({ticked}) make you a provider "
                         "only of a high-risk system; this one is not, so your roles stay as "
                         "declared.")
        return
    for gone in ("importer", "distributor"):
        s.roles.pop(gone, None)
    s.roles = {"provider": _ART25_BASIS[min(changes)], **s.roles}
    s.reasons.append(f"Art. 25(1): {ticked} — you are now considered the provider of this "
                     "high-risk system, with the provider's obligations (Art. 16); the "
                     "original provider must cooperate (Art. 25(2)).")


def _transparency(w: Walk, s: State) -> None:
    if "provider" in s.roles:
        s.art50_provider = w.ask("art50_provider")
        if "generates" in s.art50_provider:
            s.art50_grace = w.ask("placed_before_aug_2026") == "yes"
    if "deployer" in s.roles:
        s.art50_deployer = w.ask("art50_deployer")
    cases = [f"as provider, 50({'1' if c == 'interacts' else '2'})"
             for c in sorted(s.art50_provider)]
    cases += [f"as deployer, 50({'3' if c == 'emotion_biometric' else '4'})"
              for c in sorted(s.art50_deployer)]
    if cases:
        s.reasons.append(f"Art. 50: transparency duties apply ({'; '.join(cases)})"
                         + (" on top of the high-risk duties." if s.category == "high_risk"
                            else "."))
        if s.category == "minimal":
            s.category = "transparency"
    elif {"provider", "deployer"} & s.roles.keys():
        s.reasons.append("Art. 50: none of the transparency cases applies to your roles.")


def _model_branch(w: Walk, s: State) -> None:
    if w.ask("gpai_is_general") == "no":
        s.stop("out_of_scope", "Art. 3(63): the model does not display significant generality, "
                               "so it is not a general-purpose AI model; a system built on it "
                               "is triaged as an AI system.")
        return
    role = w.ask("gpai_role", allowed=["provider", "modifier", "authorised_rep"],
                 outside="a general-purpose AI model is triaged for the organisation that "
                         "provides, modifies or represents it")
    s.scope = w.ask("territorial_scope")
    if "placed_eu" not in s.scope:
        s.stop("out_of_scope", "Art. 2(1)(a): the Act reaches general-purpose AI models placed "
                               "on the EU market; this one is not.")
        return
    excluded = w.ask("exclusions", allowed=["research", "pre_market", NONE],
                     outside="the exclusions for military use and third-country "
                             "law enforcement concern AI systems, not models")
    if excluded:
        s.stop("out_of_scope", "; ".join(EXCLUSION_REASONS[e] for e in sorted(excluded))
               + ". The model is outside the Act.")
        return
    s.category = "gpai"
    _gpai(w, s, role)


def _gpai(w: Walk, s: State, role: str) -> None:
    """Model-level duties (Arts. 52–55) of the organisation's role for the GPAI model."""
    if role == "modifier" and w.ask("gpai_significant_change") == "no":
        s.roles["downstream_modifier"] = "Art. 3(68)"
        s.reasons.append("GPAI: your modification does not significantly change the model's "
                         "generality, capabilities or systemic risk, so the model duties stay "
                         "with its provider.")
        _gpai_category(s)
        return
    s.gpai_systemic = w.ask("gpai_systemic") == "yes"
    if role == "authorised_rep":
        s.roles["gpai_authorised_rep"] = "Art. 54"
        s.duties.append(Obligation(
            "Carry out the provider's mandate: verify the model's technical documentation and "
            "its compliance, keep the documentation 10 years, cooperate with the AI Office",
            "Art. 54(3)–(5)", D_GPAI, "gpai_authorised_rep", "GPAI model duties"))
        s.reasons.append("GPAI: you represent the model's provider in the EU (Art. 54).")
        _gpai_category(s)
        return
    modified = role == "modifier"
    s.roles["gpai_provider"] = "Art. 3(3), as provider of the modified model" if modified \
        else "Art. 3(3)"
    open_source = not s.gpai_systemic and w.ask("gpai_open_source") == "yes"
    start = D_GPAI_LEGACY if w.ask("gpai_placed_before_aug_2025") == "yes" else D_GPAI
    scope = " (for your modification)" if modified else ""
    duties = []
    if not open_source:
        duties.append(("Technical documentation of the model (Annex XI) and information for "
                       "downstream providers (Annex XII)" + scope, "Art. 53(1)(a)–(b)"))
    duties.append(("A copyright policy and a public summary of the training content" + scope,
                   "Art. 53(1)(c)–(d)"))
    if s.gpai_systemic:
        duties += [("Notify the Commission within two weeks of meeting the systemic-risk "
                    "threshold", "Art. 52(1)"),
                   ("Evaluate the model (including adversarial testing), assess and mitigate "
                    "systemic risks, report serious incidents, ensure cybersecurity",
                    "Art. 55")]
    if "established_eu" not in s.scope and not open_source:
        duties.append(("Appoint an authorised representative in the EU before placing the "
                       "model on the market", "Art. 54(1)"))
    s.duties += [Obligation(text, basis, start, "gpai_provider", "GPAI model duties")
                 for text, basis in duties]
    s.reasons.append(
        "GPAI: " + ("your modification significantly changes the model, so you are the "
                    "provider of the modified model" if modified else
                    "you provide a general-purpose AI model")
        + (" with systemic risk (Art. 51)" if s.gpai_systemic else "")
        + ("; released as open source, it is spared Art. 53(1)(a)–(b) and Art. 54"
           if open_source else "")
        + f"; these duties apply from {start:%-d %b %Y}"
        + (" (Art. 111(3): placed before 2 Aug 2025)" if start == D_GPAI_LEGACY else "") + ".")
    _gpai_category(s)


def _gpai_category(s: State) -> None:
    if s.category in ("minimal", "gpai", "out_of_scope"):
        s.category = "gpai_systemic" if s.gpai_systemic else "gpai"


_NEGATIVE = {NONE, "no", "0"}


def _asserts(value: Any) -> bool:
    """Whether an answer says something (a 'none', 'no' or empty answer does not)."""
    values = value if isinstance(value, list | tuple | set) else [value]
    return bool({str(v) for v in values if v not in (None, "")} - _NEGATIVE)


def refuse_unasked(answers: dict[str, Any], asked: set[str], state: State) -> None:
    """Answers that assert something for a question the walk did not ask contradict the
    others (e.g. an Annex III point for what is not an AI system)."""
    for question in QUESTIONS:
        value = answers.get(question.id)
        if question.id in asked or not _asserts(value):
            continue
        why = state.stopped or _NOT_ASKED.get(question.id, "it does not follow from the "
                                                           "other answers")
        raise TriageError(question.id, f"'{question.text}' was answered, but it does not "
                                       f"apply: {lower_first(why).rstrip('.')}")
