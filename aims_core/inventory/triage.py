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
from dataclasses import dataclass
from typing import Any

from aims_core.inventory import triage_legacy
from aims_core.inventory.registers import EU_AI_ACT_CATEGORIES
from aims_core.inventory.triage_duties import role_duties
from aims_core.inventory.triage_questionnaire import (
    ANNEX_III_AREAS,
    BY_ID,
    DISCLAIMER,
    KNOWN_VERSIONS,
    QUESTIONNAIRE_VERSION,
    QUESTIONS,
    ROLE_NAMES,
    VERSION_KEY,
    Question,
    lower_first,
)
from aims_core.inventory.triage_walk import (
    ROLE_ORDER,
    Obligation,
    Pending,
    State,
    TriageError,
    Walk,
    refuse_unasked,
    walk,
)

__all__ = ["ANNEX_III_AREAS", "DISCLAIMER", "QUESTIONNAIRE_VERSION", "QUESTIONS", "VERSION_KEY",
           "Obligation", "Question", "RoleOutcome", "TriageError", "TriageResult",
           "default_roles", "roles", "triage", "visible_questions"]


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


_LEGACY_NOTE = ("These answers were given to the earlier questionnaire (version 1) and are "
                "read here with the current steps where they allow it: re-check the triage.")


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
    asking = Walk({**answers, VERSION_KEY: QUESTIONNAIRE_VERSION}, legacy=False)
    with contextlib.suppress(Pending, TriageError):
        walk(asking, State())
    return asking.asked


def triage(answers: dict[str, Any]) -> TriageResult:
    """The risk level, roles, obligations and reasons; TriageError names the question that
    is missing, refused or contradicts the others."""
    prepared, legacy = _prepared(answers)
    asking, state = Walk(prepared, legacy=legacy), State()
    try:
        walk(asking, state)
    except Pending as pending:
        question = BY_ID[str(pending)]
        raise TriageError(question.id, f"'{question.text}' ({question.step}) is not "
                                       "answered") from None
    if not legacy:
        refuse_unasked(prepared, {q.id for q in asking.asked}, state)
    outcomes = tuple(RoleOutcome(role, basis, tuple(sorted(role_duties(state, role),
                                                           key=lambda o: o.applies_from)))
                     for role, basis in state.roles.items())
    obligations = sorted((o for r in outcomes for o in r.obligations),
                         key=lambda o: (o.applies_from, ROLE_ORDER.index(o.role)))
    reasons = [_LEGACY_NOTE, *state.reasons] if legacy else list(state.reasons)
    reasons.append(_summary(state, outcomes))
    return TriageResult(state.category, state.area, tuple(reasons), tuple(obligations),
                        state.point, outcomes, tuple(asking.answered),
                        1 if legacy else QUESTIONNAIRE_VERSION)


def _summary(state: State, outcomes: tuple[RoleOutcome, ...]) -> str:
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
