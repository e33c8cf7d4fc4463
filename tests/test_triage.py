"""EU AI Act triage mechanics: the questions each answer reveals, refused and contradictory
answers, answers to the earlier questionnaire, the public roles() and default roles.
(What the answers mean under the Regulation: test_triage_reference.py.)"""

from __future__ import annotations

from datetime import date

import pytest

from aims_core.inventory import triage
from tests.test_triage_reference import BOTH, DEPLOYER, PROVIDER

CV_SCREENING = {**DEPLOYER, "annex_iii_area": "4", "annex_iii_point": "4(a)",
                "profiling": "yes", "deployer_public": "no"}


def ids(answers: dict) -> list[str]:
    return [q.id for q in triage.visible_questions(answers)]


def test_questions_are_revealed_one_step_at_a_time_in_the_checkers_order() -> None:
    assert ids({}) == ["subject"]
    assert ids({"subject": "system"}) == ["subject", "is_ai_system"]
    assert ids({"subject": "system", "is_ai_system": "uncertain"})[-1] == "definition_elements"
    walked = ids(CV_SCREENING)
    assert walked == ["subject", "is_ai_system", "roles", "art25_changes", "territorial_scope",
                      "exclusions", "art5_practices", "annex_i_sector", "annex_iii_area",
                      "annex_iii_point", "profiling", "deployer_public", "art50_deployer",
                      "gpai_role"]


def test_an_area_opens_only_its_own_points() -> None:
    point = triage.visible_questions({**DEPLOYER, "annex_iii_area": "5"})[-1]
    assert point.id == "annex_iii_point"
    assert list(point.options) == ["5(a)", "5(b)", "5(b)-fraud", "5(c)", "5(d)", "none"]


def test_provider_and_deployer_questions_follow_the_roles() -> None:
    assert "art50_provider" in ids(PROVIDER) and "art50_deployer" not in ids(PROVIDER)
    assert "art50_deployer" in ids(DEPLOYER) and "art50_provider" not in ids(DEPLOYER)
    assert {"art50_provider", "art50_deployer"} <= set(ids(BOTH))
    assert "art25_changes" not in ids(PROVIDER)  # a provider needs no role change


def test_two_roles_give_two_results_each_with_its_own_obligations() -> None:
    result = triage.triage({**BOTH, "art50_provider": ["interacts"],
                            "placed_before_aug_2026": "no"})
    provider, deployer = result.roles
    assert (provider.role, deployer.role) == ("provider", "deployer")
    assert {o.legal_basis for o in provider.obligations} == {"Art. 4", "Art. 50(1)"}
    assert {o.legal_basis for o in deployer.obligations} == {"Art. 4"}


@pytest.mark.parametrize(("answers", "question", "message"), [
    ({"questionnaire": 2, "subject": "system", "is_ai_system": "no", "annex_iii_area": "4",
      "annex_iii_point": "4(a)"}, "annex_iii_area", "you answered that it is not an AI system"),
    ({**DEPLOYER, "art50_provider": ["interacts"]}, "art50_provider",
     "it is a provider's question"),
    ({**CV_SCREENING, "art25_changes": ["none"], "art50_provider": ["generates"]},
     "art50_provider", "no provider"),
    ({**DEPLOYER, "annex_iii_area": "4", "annex_iii_point": "5(b)"}, "annex_iii_point",
     "it is not a point of Annex III area 4 (its points: 4(a), 4(b))"),
    ({**DEPLOYER, "questionnaire": 7}, "questionnaire", "questionnaire version 7"),
    ({key: value for key, value in CV_SCREENING.items() if key != "profiling"}, "profiling",
     "is not answered"),
    ({**DEPLOYER, "roles": ["deployer", "personal_use"]}, "roles", "cannot be combined"),
    ({**DEPLOYER, "exclusions": ["none", "military"]}, "exclusions", "cannot be combined"),
    ({**DEPLOYER, "annex_i_sector": "spaceships"}, "annex_i_sector",
     "not one of the answers offered"),
    ({**DEPLOYER, "subject": ["system", "gpai_model"]}, "subject", "takes one answer"),
    ({"subject": "system"}, "questionnaire", "do not say which questionnaire"),
])
def test_bad_answers_are_refused_naming_the_question(answers: dict, question: str,
                                                     message: str) -> None:
    with pytest.raises(triage.TriageError, match=message.replace("(", r"\(")
                       .replace(")", r"\)")) as refused:
        triage.triage(answers)
    assert refused.value.question == question


def test_negative_answers_to_questions_that_do_not_apply_are_harmless() -> None:
    result = triage.triage({**CV_SCREENING, "open_source": "no", "art50_provider": ["none"]})
    assert result.category == "high_risk"


V1_CREDIT = {"role": "both", "art5_practices": ["none"], "annex_i": "no",
             "annex_iii_area": "5", "area5_point": "b", "profiling": "yes",
             "fria_public_service": "no", "art50_cases": ["none"], "gpai_provider": "no"}


def test_earlier_questionnaire_answers_stay_readable() -> None:
    result = triage.triage(V1_CREDIT)
    assert result.questionnaire_version == 1
    assert result.category == "high_risk" and result.annex_iii_point == "5(b)"
    assert result.role_codes == ("provider", "deployer")
    assert "earlier questionnaire" in result.reasons[0]
    assert {(o.role, o.legal_basis) for o in result.obligations} >= {
        ("provider", "Arts. 72–73"), ("deployer", "Art. 27")}


def test_earlier_answers_without_a_point_name_their_area() -> None:
    result = triage.triage({**V1_CREDIT, "role": "deployer", "annex_iii_area": "4",
                            "area5_point": None})
    assert result.annex_iii_point == "4?"
    assert "the point was not recorded by the earlier questionnaire" in result.reasoning_text()


def test_earlier_art50_cases_go_to_the_role_the_act_gives_them_to() -> None:
    chatbot = {**V1_CREDIT, "role": "deployer", "annex_iii_area": "0",
               "art50_cases": ["interacts"]}
    assert triage.triage(chatbot).category == "minimal"  # 50(1) is the provider's duty
    built = triage.triage({**chatbot, "role": "both"})
    assert built.category == "transparency"
    assert ("provider", "Art. 50(1)") in {(o.role, o.legal_basis) for o in built.obligations}


def test_earlier_annex_i_yes_stays_high_risk_from_2028() -> None:
    result = triage.triage({**V1_CREDIT, "role": "provider", "annex_i": "yes",
                            "annex_iii_area": "0"})
    assert result.category == "high_risk"
    assert {o.applies_from for o in result.obligations if o.legal_basis == "Arts. 8–15"} == \
        {date(2028, 8, 2)}


def test_roles_reads_old_and_new_answers_with_role_changes() -> None:
    assert triage.roles(V1_CREDIT) == {"provider", "deployer"}
    assert triage.roles({"role": "deployer", "art5_practices": None}) == {"deployer"}
    assert triage.roles(CV_SCREENING) == {"deployer"}
    rebranded = {**CV_SCREENING, "art25_changes": ["own_name"], "art50_provider": ["none"]}
    assert triage.roles(rebranded) == {"provider", "deployer"}
    assert triage.roles({"questionnaire": 2, "roles": ["importer"]}) == {"importer"}


def test_the_providers_incident_duty_is_there_for_issue_10() -> None:
    result = triage.triage({**CV_SCREENING, "roles": ["provider", "deployer"],
                            "art50_provider": ["none"]})
    duty = next(o for o in result.obligations if o.legal_basis == "Arts. 72–73")
    assert duty.role == "provider" and duty.applies_from == date(2027, 12, 2)


@pytest.mark.parametrize(("profile", "sourcing", "expected"), [
    ({"developer", "provider", "deployer"}, "built", ["provider", "deployer"]),
    ({"provider"}, "built", ["provider"]),
    (set(), "built", ["provider", "deployer"]),
    ({"developer", "provider", "deployer"}, "api", ["deployer"]),
    ({"deployer/user"}, "saas_embedded", ["deployer"]),
    ({"distributor"}, "bought", ["distributor"]),
    ({"producer", "data_provider", "customer"}, "built", ["provider", "deployer"]),
    ({"data provider", "deployer"}, "built", ["provider", "deployer"]),
    (set(), None, ["deployer"]),
])
def test_default_roles_from_profile_and_sourcing(profile: set[str], sourcing: str | None,
                                                 expected: list[str]) -> None:
    roles, why = triage.default_roles(profile, sourcing)
    assert roles == expected
    assert "organisation profile" in why


def test_an_open_source_system_on_our_own_model_keeps_only_the_models_duties() -> None:
    result = triage.triage({**PROVIDER, "open_source": "yes", "gpai_role": "provider",
                            "gpai_systemic": "no", "gpai_open_source": "yes",
                            "gpai_placed_before_aug_2025": "no"})
    assert result.category == "gpai"
    assert {(o.role, o.legal_basis) for o in result.obligations} == {
        ("gpai_provider", "Art. 53(1)(c)–(d)")}
    assert "Art. 2(12)" in result.reasoning_text()
