"""EU AI Act triage: one case per path, the dates each obligation applies from, and the
questions each answer reveals."""

from __future__ import annotations

from datetime import date

import pytest

from aims_core.inventory import triage

NOTHING = {"role": "deployer", "art5_practices": ["none"], "annex_i": "no",
           "annex_iii_area": "0", "art50_cases": ["none"], "gpai_provider": "no"}


def answers(**changes: object) -> dict[str, object]:
    return {**NOTHING, **changes}


def bases(result: triage.TriageResult) -> dict[str, date]:
    return {o.legal_basis: o.applies_from for o in result.obligations}


def test_minimal_risk() -> None:
    result = triage.triage(answers())
    assert result.category == "minimal"
    assert result.annex_iii_area is None
    assert bases(result) == {"Art. 4": date(2025, 2, 2)}
    assert "minimal risk" in result.reasoning_text()


def test_prohibited_practice_stops_the_screen() -> None:
    result = triage.triage({"role": "deployer", "art5_practices": ["f"]})
    assert result.category == "prohibited"
    assert "5(1)(f) Emotion recognition" in result.reasoning_text()
    assert bases(result)["Art. 5"] == date(2025, 2, 2)
    assert [q.id for q in triage.visible_questions({"art5_practices": ["f"]})] == \
        ["role", "art5_practices"]


def test_omnibus_prohibitions_apply_from_2_december_2026() -> None:
    result = triage.triage({"role": "provider", "art5_practices": ["ba"]})
    assert result.category == "prohibited"
    assert bases(result)["Art. 5"] == date(2026, 12, 2)


def test_annex_iii_high_risk_from_2_december_2027_with_deployer_duties() -> None:
    result = triage.triage(answers(annex_iii_area="4", profiling="no", derogation=["none"],
                                   significant_harm="yes", fria_public_service="no"))
    assert result.category == "high_risk" and result.annex_iii_area == 4
    assert "significant risk of harm" in result.reasoning_text()
    assert bases(result)["Art. 6(2); Art. 26"] == date(2027, 12, 2)
    assert "Art. 27" not in bases(result)  # private employer: no FRIA


def test_annex_i_product_is_high_risk_from_2_august_2028() -> None:
    result = triage.triage(answers(role="provider", annex_i="yes"))
    assert result.category == "high_risk"
    assert bases(result)["Art. 6(1); Arts. 8–15"] == date(2028, 8, 2)
    assert "Annex I" in result.reasoning_text()


def test_article_6_3_derogation_keeps_it_out_of_high_risk() -> None:
    result = triage.triage(answers(annex_iii_area="3", profiling="no", derogation=["a"],
                                   significant_harm="no", fria_public_service="no"))
    assert result.category == "minimal"
    assert result.annex_iii_area == 3
    assert "not high-risk because it poses no significant risk" in result.reasoning_text()
    assert bases(result)["Art. 6(4)"] == date(2027, 12, 2)
    assert bases(result)["Art. 49(2)"] == date(2027, 12, 2)


def test_derogation_conditions_without_no_harm_stay_high_risk() -> None:
    result = triage.triage(answers(annex_iii_area="3", profiling="no", derogation=["d"],
                                   significant_harm="yes", fria_public_service="no"))
    assert result.category == "high_risk"


def test_profiling_always_stays_high_risk_and_skips_the_derogation() -> None:
    visible = [q.id for q in triage.visible_questions(answers(annex_iii_area="4",
                                                              profiling="yes"))]
    assert "derogation" not in visible and "significant_harm" not in visible
    result = triage.triage(answers(annex_iii_area="4", profiling="yes",
                                   fria_public_service="no"))
    assert result.category == "high_risk"
    assert "profiles natural persons, so no derogation can apply" in result.reasoning_text()


def test_credit_scoring_deployer_owes_a_fundamental_rights_impact_assessment() -> None:
    result = triage.triage(answers(annex_iii_area="5", area5_point="b", profiling="yes",
                                   fria_public_service="no"))
    assert result.category == "high_risk"
    assert bases(result)["Art. 27"] == date(2027, 12, 2)


def test_chatbot_is_limited_risk_from_2_august_2026() -> None:
    result = triage.triage(answers(art50_cases=["interacts"]))
    assert result.category == "transparency"
    assert bases(result)["Art. 50(1)"] == date(2026, 8, 2)


def test_generator_placed_before_august_2026_gets_the_marking_grace() -> None:
    before = triage.triage(answers(art50_cases=["generates"], placed_before_aug_2026="yes"))
    after = triage.triage(answers(art50_cases=["generates"], placed_before_aug_2026="no"))
    assert bases(before)["Art. 50(2)"] == date(2026, 12, 2)
    assert bases(after)["Art. 50(2)"] == date(2026, 8, 2)


def test_high_risk_with_transparency_duties_stays_high_risk() -> None:
    result = triage.triage(answers(annex_iii_area="4", profiling="yes",
                                   fria_public_service="no", art50_cases=["interacts"]))
    assert result.category == "high_risk"
    assert "on top of its high-risk duties" in result.reasoning_text()
    assert "Art. 50(1)" in bases(result)


@pytest.mark.parametrize(("systemic", "has_art55"), [("no", False), ("yes", True)])
def test_general_purpose_model_provider(systemic: str, has_art55: bool) -> None:
    result = triage.triage(answers(role="provider", gpai_provider="yes",
                                   gpai_systemic=systemic))
    assert result.category == "gpai"
    assert bases(result)["Art. 53"] == date(2025, 8, 2)
    assert ("Art. 55" in bases(result)) is has_art55


def test_public_service_deployer_in_area_5a_owes_the_assessment() -> None:
    result = triage.triage(answers(annex_iii_area="5", area5_point="a", profiling="no",
                                   derogation=["none"], significant_harm="yes",
                                   fria_public_service="yes"))
    assert "Art. 27" in bases(result)


def test_provider_only_has_no_deployer_duties() -> None:
    result = triage.triage(answers(role="provider", annex_iii_area="4", profiling="yes"))
    assert "Art. 6(2); Art. 26" not in bases(result)
    assert "Arts. 72–73" in bases(result)


def test_questions_revealed_in_order() -> None:
    ids = [q.id for q in triage.visible_questions(
        answers(role="both", annex_iii_area="5", profiling="no", art50_cases=["generates"],
                gpai_provider="yes"))]
    assert ids == ["role", "art5_practices", "annex_i", "annex_iii_area", "area5_point",
                   "profiling", "derogation", "significant_harm", "fria_public_service",
                   "art50_cases", "placed_before_aug_2026", "gpai_provider", "gpai_systemic"]


@pytest.mark.parametrize(("bad", "message"), [
    ({"annex_i": None}, "question 'annex_i'"),
    ({"annex_iii_area": "9"}, "not an option of question 'annex_iii_area'"),
    ({"art50_cases": ["none", "interacts"]}, "'none' cannot be combined"),
])
def test_incomplete_or_invalid_answers_are_refused(bad: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        triage.triage(answers(**bad))
