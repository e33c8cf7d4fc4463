"""Explainable EU AI Act triage: the questions asked, the answers, and what they likely mean.

The walk follows the European Commission's compliance checker step by step (see
``triage_questionnaire``): model or system -> is it an AI system (Art. 3(1)) -> the
organisation's role(s), with the Art. 25 role changes -> territorial scope and exclusions
(Art. 2) -> prohibited practices (Art. 5) -> Annex I -> Annex III, point by point -> the
Art. 6(3) derogation -> Art. 50 by role -> open source (Art. 2(12)) -> the GPAI branch.

The result gives the risk level, each role with the article that makes it so and its own
obligations (article and the date each applies from), the reasons, and the answers that led
there. Answers to the earlier questionnaire (version 1, no version key) are converted
(``triage_legacy``) and stay readable. A triage aid, not legal advice.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from aims_core.inventory import triage_legacy
from aims_core.inventory.registers import EU_AI_ACT_CATEGORIES
from aims_core.inventory.triage_questionnaire import (
    ANNEX_I_SECTION,
    ANNEX_I_SECTORS,
    ANNEX_III_AREAS,
    ANNEX_III_POINTS,
    ART5_PRACTICES,
    BY_ID,
    D_ANNEX_I,
    D_ANNEX_III,
    D_ART50,
    D_ART50_2_GRACE,
    D_GPAI,
    D_GPAI_LEGACY,
    D_OMNIBUS_PROHIBITIONS,
    D_PROHIBITIONS,
    DEFINITION_ELEMENTS,
    DEROGATIONS,
    DISCLAIMER,
    EXCLUSION_REASONS,
    KNOWN_VERSIONS,
    NONE,
    OMNIBUS_PRACTICES,
    QUESTIONNAIRE_VERSION,
    QUESTIONS,
    RBI_EXCEPTIONS,
    REQUIRED_ELEMENTS,
    ROLE_BASES,
    ROLE_NAMES,
    TERRITORIAL_SCOPE,
    VERSION_KEY,
    Question,
    area_points,
    lower_first,
)

__all__ = ["ANNEX_III_AREAS", "DISCLAIMER", "QUESTIONNAIRE_VERSION", "QUESTIONS", "VERSION_KEY",
           "Obligation", "Question", "RoleOutcome", "TriageError", "TriageResult",
           "default_roles", "roles", "triage", "visible_questions"]


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


@dataclass(frozen=True)
class RoleOutcome:
    role: str
    basis: str  # the article that makes the organisation this: "Art. 3(4)", "Art. 25(1)(a)"
    obligations: tuple[Obligation, ...]

    @property
    def label(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


@dataclass(frozen=True)
class TriageResult:
    category: str
    annex_iii_area: int | None
    reasons: tuple[str, ...]
    obligations: tuple[Obligation, ...]  # every role's, earliest date first
    annex_iii_point: str | None = None
    roles: tuple[RoleOutcome, ...] = ()
    answered: tuple[tuple[str, str], ...] = ()  # (question, answer) in the order asked
    questionnaire_version: int = QUESTIONNAIRE_VERSION

    @property
    def role_codes(self) -> tuple[str, ...]:
        return tuple(r.role for r in self.roles)

    def reasoning_text(self) -> str:
        """The reasons as one paragraph, for exports and the stored record."""
        return " ".join(self.reasons)


# --- the walk --------------------------------------------------------------------------------
class _Pending(Exception):
    """The walk reached a question that has no answer yet."""


_LEGACY_NOTE = ("These answers were given to the earlier questionnaire (version 1) and are "
                "read here with the current steps where they allow it: re-check the triage.")
_ROLE_ORDER = tuple(ROLE_NAMES)  # results list the roles in this order
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
class _State:
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

    def stop(self, category: str, reason: str) -> None:
        self.category, self.stopped = category, reason
        self.reasons.append(reason)


class _Walk:
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
            raise _Pending(question_id)
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


def _walk(w: _Walk, s: _State) -> None:
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
        s.category = "out_of_scope"
        s.reasons.append("Art. 2(12): the Act does not apply to a system released under a "
                         "free and open-source licence that is not high-risk, prohibited or "
                         "under Art. 50.")
    role = w.ask("gpai_role")
    if role != NONE:
        _gpai(w, s, role)


def _is_ai_system(w: _Walk, s: _State) -> bool:
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


def _role(w: _Walk, s: _State) -> bool:
    declared = w.ask("roles")
    if "personal_use" in declared:
        s.stop("out_of_scope", "Art. 2(10): the Act does not apply to obligations of people "
                               "using AI in a purely personal, non-professional activity.")
        return False
    s.roles = {r: ROLE_BASES[r] for r in _ROLE_ORDER if r in declared}
    if "product_manufacturer" in declared and w.ask("manufacturer_own_name") == "yes":
        del s.roles["product_manufacturer"]
        s.roles.setdefault("provider", "Art. 25(3)")
        s.reasons.append("Art. 25(3): you place the system on the market with your product "
                         "under your own name, so you are treated as its provider.")
    if declared & _CHAIN_ROLES and "provider" not in s.roles:
        s.art25 = w.ask("art25_changes")
    return True


def _in_scope(w: _Walk, s: _State) -> bool:
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


def _prohibited(w: _Walk, s: _State) -> bool:
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


def _annex_i(w: _Walk, s: _State) -> None:
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


def _annex_iii(w: _Walk, s: _State) -> None:
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


def _role_changes(s: _State) -> None:
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


def _transparency(w: _Walk, s: _State) -> None:
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


def _model_branch(w: _Walk, s: _State) -> None:
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


def _gpai(w: _Walk, s: _State, role: str) -> None:
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


def _gpai_category(s: _State) -> None:
    if s.category in ("minimal", "gpai", "out_of_scope"):
        s.category = "gpai_systemic" if s.gpai_systemic else "gpai"


# --- obligations per role --------------------------------------------------------------------
def _role_duties(s: _State, role: str) -> list[Obligation]:
    if s.category == "prohibited" or role.startswith("gpai") or role == "downstream_modifier":
        return [d for d in s.duties if d.role == role]
    duties = [d for d in s.duties if d.role == role]
    if s.category == "out_of_scope" or s.section_b:
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


def _high_risk_duties(s: _State, role: str) -> list[Obligation]:
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


def _art50_duties(s: _State, role: str) -> list[Obligation]:
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


# --- public API ------------------------------------------------------------------------------
def _prepared(answers: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Current-version answers, and whether they were converted from version 1."""
    version = answers.get(VERSION_KEY)
    if version is None:
        if "role" in answers:  # the earlier questionnaire had no version key
            return triage_legacy.from_v1(answers), True
        raise TriageError(VERSION_KEY, "the answers do not say which questionnaire they "
                                       "answer")
    if version not in KNOWN_VERSIONS:
        raise TriageError(VERSION_KEY, f"the answers were made with questionnaire version "
                                       f"{version!r}, which this version of the app does not "
                                       f"know (it knows {', '.join(map(str, KNOWN_VERSIONS))})")
    if version == 1:
        return triage_legacy.from_v1(answers), True
    return answers, False


def visible_questions(answers: dict[str, Any]) -> list[Question]:
    """The current questionnaire's questions, in order, up to the first one not answered."""
    walk = _Walk({**answers, VERSION_KEY: QUESTIONNAIRE_VERSION}, legacy=False)
    with contextlib.suppress(_Pending, TriageError):
        _walk(walk, _State())
    return walk.asked


def triage(answers: dict[str, Any]) -> TriageResult:
    """The risk level, roles, obligations and reasons; TriageError names the question that
    is missing, refused or contradicts the others."""
    prepared, legacy = _prepared(answers)
    walk, state = _Walk(prepared, legacy=legacy), _State()
    try:
        _walk(walk, state)
    except _Pending as pending:
        question = BY_ID[str(pending)]
        raise TriageError(question.id, f"'{question.text}' ({question.step}) is not "
                                       "answered") from None
    if not legacy:
        _refuse_unasked(prepared, {q.id for q in walk.asked}, state)
    outcomes = tuple(RoleOutcome(role, basis, tuple(sorted(_role_duties(state, role),
                                                           key=lambda o: o.applies_from)))
                     for role, basis in state.roles.items())
    obligations = sorted((o for r in outcomes for o in r.obligations),
                         key=lambda o: (o.applies_from, _ROLE_ORDER.index(o.role)))
    reasons = [_LEGACY_NOTE, *state.reasons] if legacy else list(state.reasons)
    reasons.append(_summary(state, outcomes))
    return TriageResult(state.category, state.area, tuple(reasons), tuple(obligations),
                        state.point, outcomes, tuple(walk.answered),
                        1 if legacy else QUESTIONNAIRE_VERSION)


_NEGATIVE = {NONE, "no", "0"}


def _asserts(value: Any) -> bool:
    """Whether an answer says something (a 'none', 'no' or empty answer does not)."""
    values = value if isinstance(value, list | tuple | set) else [value]
    return bool({str(v) for v in values if v not in (None, "")} - _NEGATIVE)


def _refuse_unasked(answers: dict[str, Any], asked: set[str], state: _State) -> None:
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


def _summary(state: _State, outcomes: tuple[RoleOutcome, ...]) -> str:
    level = EU_AI_ACT_CATEGORIES[state.category]
    roles = "; ".join(f"{o.label} ({o.basis})" for o in outcomes) or "none asked"
    dates = sorted({o.applies_from for r in outcomes for o in r.obligations})
    when = f", obligations applying from {dates[0]:%-d %b %Y}" + (
        f" to {dates[-1]:%-d %b %Y}" if len(dates) > 1 else "") if dates else \
        ", no obligations for these roles"
    if state.category == "minimal":
        when += "; voluntary codes of conduct (Art. 95)"
    return f"Result: likely {lower_first(level)}; role: {roles}{when}."


def roles(answers: dict[str, Any]) -> set[str]:
    """The organisation's EU AI Act roles for the system, Art. 25 role changes included;
    works for old and new stored answers (the declared roles if the answers are
    incomplete)."""
    try:
        return set(triage(answers).role_codes)
    except TriageError:
        if "role" in answers:
            return {"provider", "deployer"} if answers["role"] == "both" else \
                {str(answers["role"])}
        declared = answers.get("roles") or []
        return {str(r) for r in declared} - {"personal_use"}


def default_roles(organisation_roles: set[str], sourcing: str | None) -> tuple[list[str], str]:
    """Roles to pre-select for a system, and why: built in-house -> provider (and deployer
    when the organisation deploys AI); bought, API or SaaS -> deployer (or the supply-chain
    roles the organisation declares instead)."""
    words = {part.strip() for role in organisation_roles
             for part in role.lower().replace("_", " ").replace("-", " ").split("/")}
    declared = {code for code, names in _ROLE_WORDS.items() if words & names}
    source = {"built": "built in-house", "bought": "bought", "api": "used through an API",
              "saas_embedded": "embedded in a SaaS product"}.get(sourcing or "", "sourcing "
                                                                             "not recorded")
    if sourcing == "built":
        chosen = ["provider"] + (["deployer"] if "deployer" in declared or not declared else [])
    else:
        chain = [r for r in ("importer", "distributor") if r in declared]
        chosen = ["deployer"] if "deployer" in declared or not chain else chain
    profile = ", ".join(sorted(organisation_roles)) or "no AI roles recorded"
    return chosen, (f"Pre-selected from the organisation profile ({profile}) and the sourcing "
                    f"({source}); change it if the system is used otherwise.")


# How organisation profiles name the roles (codes or words; "deployer/user" is two words).
_ROLE_WORDS = {"provider": {"provider", "ai provider"},
               "deployer": {"deployer", "user", "ai user"},
               "importer": {"importer"}, "distributor": {"distributor"},
               "authorised_rep": {"authorised rep", "authorised representative",
                                  "authorized representative"},
               "product_manufacturer": {"product manufacturer"}}
