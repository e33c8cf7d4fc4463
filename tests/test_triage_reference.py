"""Reference cases for the EU AI Act triage, written from the Regulation's text.

Regulation (EU) 2024/1689 as amended by Regulation (EU) 2026/1744. Each case gives the
answers and what a careful reader of the Regulation concludes: the roles (with the article
that makes the organisation so), the risk level, every obligation per role with the date
it applies from, and the reasons that must be shown. The expected values come from the
articles cited in each case, not from the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from aims_core.inventory import triage

# Dates (Art. 113 as amended; Art. 111(3), 111(4))
ART4 = ART5 = date(2025, 2, 2)
ART5_NEW = date(2026, 12, 2)  # Art. 5(1)(ba)-(bb), added in 2026
GPAI = date(2025, 8, 2)
GPAI_OLD = date(2027, 8, 2)  # GPAI models placed before 2 Aug 2025
ART50 = date(2026, 8, 2)
ART50_2_OLD = date(2026, 12, 2)  # Art. 50(2) for systems placed before 2 Aug 2026
ANNEX_III = date(2027, 12, 2)
ANNEX_I = date(2028, 8, 2)

# A system that is an AI system, in scope, with no exclusion, no prohibited practice, no
# Annex I product, no Annex III use and no GPAI role; cases change what they test.
BASE = {"questionnaire": 2, "subject": "system", "is_ai_system": "yes",
        "territorial_scope": ["placed_eu", "established_eu"], "exclusions": ["none"],
        "art5_practices": ["none"], "annex_i_sector": "none", "annex_iii_area": "0",
        "gpai_role": "none"}
DEPLOYER = {**BASE, "roles": ["deployer"], "art25_changes": ["none"],
            "art50_deployer": ["none"], "open_source": "no"}
PROVIDER = {**BASE, "roles": ["provider"], "art50_provider": ["none"], "open_source": "no"}
BOTH = {**BASE, "roles": ["provider", "deployer"], "art50_provider": ["none"],
        "art50_deployer": ["none"], "open_source": "no"}
MODEL = {"questionnaire": 2, "subject": "gpai_model", "gpai_is_general": "yes",
         "territorial_scope": ["placed_eu", "established_eu"], "exclusions": ["none"]}

# High-risk obligations by role (Arts. 8-20, 43, 47-49, 72-73 provider; Art. 26 deployer)
PROVIDER_ANNEX_III = {("provider", "Arts. 8–15", ANNEX_III), ("provider", "Arts. 16–20", ANNEX_III),
                      ("provider", "Arts. 43, 47–48", ANNEX_III),
                      ("provider", "Art. 49(1)", ANNEX_III),
                      ("provider", "Arts. 72–73", ANNEX_III)}
DEPLOYER_ANNEX_III = {("deployer", "Art. 26", ANNEX_III), ("deployer", "Art. 26(11)", ANNEX_III),
                      ("deployer", "Art. 86", ANNEX_III)}
LITERACY = {"provider": ("provider", "Art. 4", ART4), "deployer": ("deployer", "Art. 4", ART4)}


@dataclass(frozen=True)
class Case:
    name: str
    answers: dict
    level: str
    roles: dict[str, str]  # role -> the article that makes the organisation so
    obligations: set[tuple[str, str, date]]  # (role, article, applies from)
    reasons: tuple[str, ...] = ()  # each must appear in the reasoning
    point: str | None = None
    extra: dict = field(default_factory=dict)


CASES = (
    # --- step 2: is it an AI system (Art. 3(1)) ---
    Case("plain rule-based software is not an AI system",
         {"questionnaire": 2, "subject": "system", "is_ai_system": "no"},
         "out_of_scope", {}, set(), ("Art. 3(1)", "not an AI system")),
    Case("uncertain: a system that does not infer is not an AI system",
         {"questionnaire": 2, "subject": "system", "is_ai_system": "uncertain",
          "definition_elements": ["machine_based", "autonomy", "influences"]},
         "out_of_scope", {}, set(), ("lacks elements", "it infers from its input")),
    Case("uncertain: every element but adaptiveness makes an AI system (deployer, minimal)",
         {**DEPLOYER, "is_ai_system": "uncertain",
          "definition_elements": ["machine_based", "autonomy", "infers", "influences"]},
         "minimal", {"deployer": "Art. 3(4)"}, {LITERACY["deployer"]},
         ("adaptiveness after deployment is optional", "Art. 95")),
    # --- step 3: role ---
    Case("purely personal, non-professional use is outside the Act (Art. 2(10))",
         {"questionnaire": 2, "subject": "system", "is_ai_system": "yes",
          "roles": ["personal_use"]}, "out_of_scope", {}, set(), ("Art. 2(10)",)),
    # --- steps 4-5: territorial scope and exclusions (Art. 2) ---
    Case("no link to the EU: outside the territorial scope",
         {**DEPLOYER, "territorial_scope": ["none"]}, "out_of_scope", {"deployer": "Art. 3(4)"},
         set(), ("Art. 2(1)",)),
    Case("exclusively military use is excluded (Art. 2(3))",
         {**PROVIDER, "exclusions": ["military"]}, "out_of_scope", {"provider": "Art. 3(3)"},
         set(), ("Art. 2(3)", "military, defence or national-security")),
    Case("sole purpose of scientific research is excluded (Art. 2(6))",
         {**PROVIDER, "exclusions": ["research"]}, "out_of_scope", {"provider": "Art. 3(3)"},
         set(), ("Art. 2(6)",)),
    Case("testing before placing on the market is excluded (Art. 2(8))",
         {**PROVIDER, "exclusions": ["pre_market"]}, "out_of_scope", {"provider": "Art. 3(3)"},
         set(), ("Art. 2(8)",)),
    Case("third-country authority in law-enforcement cooperation is excluded (Art. 2(4))",
         {**DEPLOYER, "exclusions": ["third_country_le"]}, "out_of_scope",
         {"deployer": "Art. 3(4)"}, set(), ("Art. 2(4)",)),
    # --- step 6: prohibited practices (Art. 5) ---
    Case("emotion recognition at work is prohibited since 2 Feb 2025 (Art. 5(1)(f))",
         {**DEPLOYER, "art5_practices": ["f"]}, "prohibited", {"deployer": "Art. 3(4)"},
         {("deployer", "Art. 5(1)(f)", ART5)}, ("5(1)(f) Emotion recognition", "must not")),
    Case("generating child sexual abuse material is prohibited from 2 Dec 2026 (5(1)(bb))",
         {**PROVIDER, "art5_practices": ["bb"]}, "prohibited", {"provider": "Art. 3(3)"},
         {("provider", "Art. 5(1)(bb)", ART5_NEW)}, ("2 Dec 2026",)),
    Case("real-time remote biometric identification without an exception is prohibited",
         {**DEPLOYER, "art5_practices": ["h"], "rbi_exception": "none"}, "prohibited",
         {"deployer": "Art. 3(4)"}, {("deployer", "Art. 5(1)(h)", ART5)}),
    Case("real-time RBI under the missing-persons exception: high-risk 1(a), authorised use",
         {**DEPLOYER, "art5_practices": ["h"], "rbi_exception": "i",
          "deployer_public": "public_authority"},
         "high_risk", {"deployer": "Art. 3(4)"},
         {LITERACY["deployer"], *DEPLOYER_ANNEX_III, ("deployer", "Art. 5(2)–(7)", ART5),
          ("deployer", "Art. 27", ANNEX_III), ("deployer", "Arts. 26(8), 49(3)", ANNEX_III)},
         ("prior authorisation", "point 1(a)"), "1(a)"),
    # --- step 7: Annex I (Art. 6(1)) ---
    Case("a medical device needing a notified body is high-risk from 2 Aug 2028",
         {**PROVIDER, "annex_i_sector": "medical_devices", "annex_i_third_party": "yes"},
         "high_risk", {"provider": "Art. 3(3)"},
         {LITERACY["provider"], ("provider", "Arts. 8–15", ANNEX_I),
          ("provider", "Arts. 16–20", ANNEX_I), ("provider", "Arts. 43(3), 47–48", ANNEX_I),
          ("provider", "Arts. 72–73", ANNEX_I)},
         ("Annex I Section A", "Regulation (EU) 2017/745", "2 Aug 2028")),
    Case("an Annex I product without third-party assessment is not high-risk",
         {**PROVIDER, "annex_i_sector": "toys", "annex_i_third_party": "no"},
         "minimal", {"provider": "Art. 3(3)"}, {LITERACY["provider"]},
         ("no third-party conformity assessment",)),
    Case("Annex I Section B (motor vehicles): only Art. 6(1), 102-109 and 112 apply",
         {**PROVIDER, "annex_i_sector": "motor_vehicles", "annex_i_third_party": "yes"},
         "high_risk", {"provider": "Art. 3(3)"}, {("provider", "Art. 6(1); Art. 2(2)", ANNEX_I)},
         ("Section B", "Art. 2(2)")),
    # --- step 8: Annex III, point by point ---
    Case("CV screening bought in, used by a private employer: deployer duties only",
         {**DEPLOYER, "annex_iii_area": "4", "annex_iii_point": "4(a)", "profiling": "yes",
          "deployer_public": "no"},
         "high_risk", {"deployer": "Art. 3(4)"}, {LITERACY["deployer"], *DEPLOYER_ANNEX_III},
         ("point 4(a)", "profiles natural persons", "2 Dec 2027"), "4(a)"),
    Case("credit scoring built and used in-house: both results, FRIA for the deployer",
         {**BOTH, "annex_iii_area": "5", "annex_iii_point": "5(b)", "profiling": "yes",
          "deployer_public": "no"},
         "high_risk", {"provider": "Art. 3(3)", "deployer": "Art. 3(4)"},
         {LITERACY["provider"], LITERACY["deployer"], *PROVIDER_ANNEX_III,
          *DEPLOYER_ANNEX_III, ("deployer", "Art. 27", ANNEX_III)},
         ("point 5(b)",), "5(b)"),
    Case("fraud detection is excluded from point 5(b): not high-risk, the reason cites it",
         {**BOTH, "annex_iii_area": "5", "annex_iii_point": "5(b)-fraud"},
         "minimal", {"provider": "Art. 3(3)", "deployer": "Art. 3(4)"},
         {LITERACY["provider"], LITERACY["deployer"]},
         ("excludes it from point 5(b)", "fraud"), "5(b)-fraud"),
    Case("life and health insurance pricing: the deployer assesses fundamental rights",
         {**DEPLOYER, "annex_iii_area": "5", "annex_iii_point": "5(c)", "profiling": "yes",
          "deployer_public": "no"},
         "high_risk", {"deployer": "Art. 3(4)"},
         {LITERACY["deployer"], *DEPLOYER_ANNEX_III, ("deployer", "Art. 27", ANNEX_III)},
         (), "5(c)"),
    Case("public benefits eligibility by a public authority: FRIA and registration of use",
         {**DEPLOYER, "annex_iii_area": "5", "annex_iii_point": "5(a)", "profiling": "no",
          "derogation": ["none"], "deployer_public": "public_authority"},
         "high_risk", {"deployer": "Art. 3(4)"},
         {LITERACY["deployer"], *DEPLOYER_ANNEX_III, ("deployer", "Art. 27", ANNEX_III),
          ("deployer", "Arts. 26(8), 49(3)", ANNEX_III)},
         ("none of the Art. 6(3) conditions applies",), "5(a)"),
    Case("critical infrastructure (point 2): national registration, no FRIA or Art. 86",
         {**BOTH, "annex_iii_area": "2", "annex_iii_point": "2", "profiling": "no",
          "derogation": ["none"]},
         "high_risk", {"provider": "Art. 3(3)", "deployer": "Art. 3(4)"},
         {LITERACY["provider"], LITERACY["deployer"],
          *(PROVIDER_ANNEX_III - {("provider", "Art. 49(1)", ANNEX_III)}),
          ("provider", "Art. 49(5)", ANNEX_III), ("deployer", "Art. 26", ANNEX_III)},
         (), "2"),
    Case("an area whose points do not describe the use is not high-risk",
         {**DEPLOYER, "annex_iii_area": "3", "annex_iii_point": "none"},
         "minimal", {"deployer": "Art. 3(4)"}, {LITERACY["deployer"]},
         ("none of its points describes the use",)),
    # --- step 9: Art. 6(3) and 6(4) ---
    Case("a provider's narrow procedural task without significant risk: not high-risk, "
         "documented and registered",
         {**PROVIDER, "annex_iii_area": "8", "annex_iii_point": "8(a)", "profiling": "no",
          "derogation": ["a"], "significant_harm": "no"},
         "not_high_risk", {"provider": "Art. 3(3)"},
         {LITERACY["provider"], ("provider", "Art. 6(4)", ANNEX_III),
          ("provider", "Art. 49(2)", ANNEX_III)},
         ("likely not high-risk", "narrow procedural task"), "8(a)"),
    Case("the same derogation for a deployer: documentation and registration are the "
         "provider's",
         {**DEPLOYER, "annex_iii_area": "3", "annex_iii_point": "3(b)", "profiling": "no",
          "derogation": ["d"], "significant_harm": "no"},
         "not_high_risk", {"deployer": "Art. 3(4)"}, {LITERACY["deployer"]},
         ("The provider documents this assessment",), "3(b)"),
    Case("a derogation condition with a significant risk of harm stays high-risk",
         {**DEPLOYER, "annex_iii_area": "3", "annex_iii_point": "3(a)", "profiling": "no",
          "derogation": ["d"], "significant_harm": "yes", "deployer_public": "public_service"},
         "high_risk", {"deployer": "Art. 3(4)"},
         {LITERACY["deployer"], *DEPLOYER_ANNEX_III, ("deployer", "Art. 27", ANNEX_III)},
         ("it poses a significant risk of harm",), "3(a)"),
    # --- Annex I and Annex III together ---
    Case("an emergency-triage medical device: both bases, Annex III's earlier date first",
         {**PROVIDER, "annex_i_sector": "medical_devices", "annex_i_third_party": "yes",
          "annex_iii_area": "5", "annex_iii_point": "5(d)", "profiling": "no",
          "derogation": ["none"]},
         "high_risk", {"provider": "Art. 3(3)"},
         {LITERACY["provider"], *PROVIDER_ANNEX_III,
          ("provider", "Arts. 43(3), 47–48", ANNEX_I)},
         ("Annex I Section A", "2 Aug 2028", "point 5(d)", "2 Dec 2027"), "5(d)"),
    # --- Art. 25 role changes and other operators ---
    Case("a deployer putting its own name on a high-risk CV screener becomes its provider",
         {**DEPLOYER, "art25_changes": ["own_name"], "annex_iii_area": "4",
          "annex_iii_point": "4(a)", "profiling": "yes", "deployer_public": "no",
          "art50_provider": ["none"]},
         "high_risk", {"provider": "Art. 25(1)(a)", "deployer": "Art. 3(4)"},
         {LITERACY["provider"], LITERACY["deployer"], *PROVIDER_ANNEX_III,
          *DEPLOYER_ANNEX_III}, ("Art. 25(1)", "now considered the provider"), "4(a)"),
    Case("repurposing a general-purpose chatbot for credit decisions makes the deployer "
         "its provider (Art. 25(1)(c))",
         {**DEPLOYER, "art25_changes": ["purpose_change"], "annex_iii_area": "5",
          "annex_iii_point": "5(b)", "profiling": "yes", "deployer_public": "no",
          "art50_provider": ["interacts"]},
         "high_risk", {"provider": "Art. 25(1)(c)", "deployer": "Art. 3(4)"},
         {LITERACY["provider"], LITERACY["deployer"], *PROVIDER_ANNEX_III,
          *DEPLOYER_ANNEX_III, ("deployer", "Art. 27", ANNEX_III),
          ("provider", "Art. 50(1)", ART50)}, (), "5(b)"),
    Case("a distributor's substantial modification of a minimal-risk system changes nothing",
         {**BASE, "roles": ["distributor"], "art25_changes": ["substantial_modification"],
          "open_source": "no"},
         "minimal", {"distributor": "Art. 3(7)"}, set(),
         ("only of a high-risk system",)),
    Case("an importer of a high-risk system checks conformity before placing it (Art. 23)",
         {**BASE, "roles": ["importer"], "art25_changes": ["none"], "annex_iii_area": "4",
          "annex_iii_point": "4(b)", "profiling": "yes"},
         "high_risk", {"importer": "Art. 3(6)"}, {("importer", "Art. 23", ANNEX_III)},
         (), "4(b)"),
    Case("a machinery maker shipping the AI under its own name is its provider (Art. 25(3))",
         {**BASE, "roles": ["product_manufacturer"], "manufacturer_own_name": "yes",
          "annex_i_sector": "machinery", "annex_i_third_party": "yes",
          "art50_provider": ["none"], "open_source": "no"},
         "high_risk", {"provider": "Art. 25(3)"},
         {LITERACY["provider"], ("provider", "Arts. 8–15", ANNEX_I),
          ("provider", "Arts. 16–20", ANNEX_I), ("provider", "Arts. 43(3), 47–48", ANNEX_I),
          ("provider", "Arts. 72–73", ANNEX_I)}, ("Art. 25(3)",)),
    # --- step 10: Art. 50 by role ---
    Case("a chatbot bought and used as it is: no provider duty falls on the deployer",
         DEPLOYER, "minimal", {"deployer": "Art. 3(4)"}, {LITERACY["deployer"]},
         ("none of the transparency cases applies",)),
    Case("a chatbot built on an LLM API and run under our name: Art. 50(1) since 2 Aug 2026",
         {**BOTH, "art50_provider": ["interacts", "generates"],
          "placed_before_aug_2026": "yes"},
         "transparency", {"provider": "Art. 3(3)", "deployer": "Art. 3(4)"},
         {LITERACY["provider"], LITERACY["deployer"], ("provider", "Art. 50(1)", ART50),
          ("provider", "Art. 50(2)", ART50_2_OLD)}, ("as provider, 50(1)",)),
    Case("a generator placed on the market after 2 Aug 2026 has no marking grace",
         {**PROVIDER, "art50_provider": ["generates"], "placed_before_aug_2026": "no"},
         "transparency", {"provider": "Art. 3(3)"},
         {LITERACY["provider"], ("provider", "Art. 50(2)", ART50)}),
    Case("a deployer publishing deep fakes discloses them (Art. 50(4))",
         {**DEPLOYER, "art50_deployer": ["deepfake"]}, "transparency",
         {"deployer": "Art. 3(4)"}, {LITERACY["deployer"], ("deployer", "Art. 50(4)", ART50)},
         ("as deployer, 50(4)",)),
    Case("emotion recognition outside work and school: high-risk 1(c) and Art. 50(3)",
         {**DEPLOYER, "annex_iii_area": "1", "annex_iii_point": "1(c)", "profiling": "no",
          "derogation": ["none"], "deployer_public": "no",
          "art50_deployer": ["emotion_biometric"]},
         "high_risk", {"deployer": "Art. 3(4)"},
         {LITERACY["deployer"], *DEPLOYER_ANNEX_III, ("deployer", "Art. 50(3)", ART50)},
         ("on top of the high-risk duties",), "1(c)"),
    # --- step 11: free and open-source (Art. 2(12)) ---
    Case("an open-source minimal-risk system is outside the Act",
         {**PROVIDER, "open_source": "yes"}, "out_of_scope", {"provider": "Art. 3(3)"},
         set(), ("Art. 2(12)",)),
    # --- step 12: general-purpose AI models (Arts. 51-55) ---
    Case("a GPAI model provider in the EU, no systemic risk: Art. 53 since 2 Aug 2025",
         {**MODEL, "gpai_role": "provider", "gpai_systemic": "no", "gpai_open_source": "no",
          "gpai_placed_before_aug_2025": "no"},
         "gpai", {"gpai_provider": "Art. 3(3)"},
         {("gpai_provider", "Art. 53(1)(a)–(b)", GPAI),
          ("gpai_provider", "Art. 53(1)(c)–(d)", GPAI)}),
    Case("a non-EU provider of a systemic-risk model: Arts. 52, 53, 54 and 55",
         {**MODEL, "territorial_scope": ["placed_eu"], "gpai_role": "provider",
          "gpai_systemic": "yes", "gpai_placed_before_aug_2025": "no"},
         "gpai_systemic", {"gpai_provider": "Art. 3(3)"},
         {("gpai_provider", "Art. 53(1)(a)–(b)", GPAI),
          ("gpai_provider", "Art. 53(1)(c)–(d)", GPAI), ("gpai_provider", "Art. 52(1)", GPAI),
          ("gpai_provider", "Art. 55", GPAI), ("gpai_provider", "Art. 54(1)", GPAI)},
         ("systemic risk",)),
    Case("an open-source model without systemic risk: copyright policy and summary only",
         {**MODEL, "territorial_scope": ["placed_eu"], "gpai_role": "provider",
          "gpai_systemic": "no", "gpai_open_source": "yes",
          "gpai_placed_before_aug_2025": "no"},
         "gpai", {"gpai_provider": "Art. 3(3)"},
         {("gpai_provider", "Art. 53(1)(c)–(d)", GPAI)}, ("open source",)),
    Case("a model placed before 2 Aug 2025 complies by 2 Aug 2027 (Art. 111(3))",
         {**MODEL, "gpai_role": "provider", "gpai_systemic": "no", "gpai_open_source": "no",
          "gpai_placed_before_aug_2025": "yes"},
         "gpai", {"gpai_provider": "Art. 3(3)"},
         {("gpai_provider", "Art. 53(1)(a)–(b)", GPAI_OLD),
          ("gpai_provider", "Art. 53(1)(c)–(d)", GPAI_OLD)}, ("Art. 111(3)",)),
    Case("a significant fine-tune makes the modifier provider of the modified model",
         {**MODEL, "gpai_role": "modifier", "gpai_significant_change": "yes",
          "gpai_systemic": "no", "gpai_open_source": "no",
          "gpai_placed_before_aug_2025": "no"},
         "gpai", {"gpai_provider": "Art. 3(3), as provider of the modified model"},
         {("gpai_provider", "Art. 53(1)(a)–(b)", GPAI),
          ("gpai_provider", "Art. 53(1)(c)–(d)", GPAI)}, ("provider of the modified model",)),
    Case("a minor fine-tune leaves the model duties with the original provider",
         {**MODEL, "gpai_role": "modifier", "gpai_significant_change": "no"},
         "gpai", {"downstream_modifier": "Art. 3(68)"}, set(), ("stay with its provider",)),
    Case("the EU representative of a non-EU model provider (Art. 54)",
         {**MODEL, "gpai_role": "authorised_rep", "gpai_systemic": "no"},
         "gpai", {"gpai_authorised_rep": "Art. 54"},
         {("gpai_authorised_rep", "Art. 54(3)–(5)", GPAI)}),
    Case("a narrow model is not a general-purpose AI model",
         {"questionnaire": 2, "subject": "gpai_model", "gpai_is_general": "no"},
         "out_of_scope", {}, set(), ("Art. 3(63)",)),
    Case("a chatbot on our own GPAI model: the system's duties and the model's",
         {**BOTH, "art50_provider": ["interacts"], "gpai_role": "provider",
          "gpai_systemic": "no", "gpai_open_source": "no", "gpai_placed_before_aug_2025": "no"},
         "transparency",
         {"provider": "Art. 3(3)", "deployer": "Art. 3(4)", "gpai_provider": "Art. 3(3)"},
         {LITERACY["provider"], LITERACY["deployer"], ("provider", "Art. 50(1)", ART50),
          ("gpai_provider", "Art. 53(1)(a)–(b)", GPAI),
          ("gpai_provider", "Art. 53(1)(c)–(d)", GPAI)}),
)


def obligations(result: triage.TriageResult) -> set[tuple[str, str, date]]:
    return {(o.role, o.legal_basis, o.applies_from) for o in result.obligations}


def test_the_table_covers_every_step() -> None:
    assert len(CASES) >= 25
    asked = {key for case in CASES for key in case.answers}
    assert {q.id for q in triage.QUESTIONS} <= asked
    assert {c.level for c in CASES} >= {"out_of_scope", "prohibited", "high_risk",
                                       "not_high_risk", "transparency", "gpai",
                                       "gpai_systemic", "minimal"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reference_case(case: Case) -> None:
    result = triage.triage(case.answers)
    assert result.category == case.level
    assert {r.role: r.basis for r in result.roles} == case.roles
    assert obligations(result) == case.obligations
    text = result.reasoning_text()
    for reason in case.reasons:
        assert reason in text, (reason, text)
    assert result.annex_iii_point == case.point
    # every obligation sits under its own role, each role's list earliest first
    for outcome in result.roles:
        assert all(o.role == outcome.role for o in outcome.obligations)
        dates = [o.applies_from for o in outcome.obligations]
        assert dates == sorted(dates)
    # the answers that led there are kept, one line per question asked
    assert len(result.answered) >= 2
    assert result.reasons[-1].startswith("Result: likely ")


def test_both_bases_keep_both_dates_without_contradiction() -> None:
    result = triage.triage(next(c for c in CASES if "emergency-triage" in c.name).answers)
    text = result.reasoning_text()
    assert text.index("2 Aug 2028") < text.index("2 Dec 2027")  # reasons in the walk's order
    assert result.obligations[1].applies_from == ANNEX_III  # after Art. 4: earlier date first
    assert {o.applies_from for o in result.obligations} == {ART4, ANNEX_III, ANNEX_I}
    assert "not high-risk" not in text
