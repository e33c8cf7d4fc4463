"""Answers to the earlier triage questionnaire (version 1), read with the current steps.

Version 1 asked one role ("provider", "deployer" or "both"), Art. 5, Annex I yes/no, the
Annex III area (a point only for area 5), Art. 6(3), one list of Art. 50 cases for every
role, and whether the organisation provides a GPAI model. It had no version key. Steps it
did not ask are answered the way version 1 assumed (an AI system, in scope, no exclusion,
no role change); its Art. 50 cases go to the role the Act gives them to. Values the current
questionnaire no longer offers are legacy options (``Question.legacy``).
"""

from __future__ import annotations

from typing import Any

from aims_core.inventory.triage_questionnaire import NONE, VERSION_KEY, legacy_point

_ROLES = {"provider": ["provider"], "deployer": ["deployer"],
          "both": ["provider", "deployer"]}
_PROVIDER_CASES = {"interacts", "generates"}
_DEPLOYER_CASES = {"emotion_biometric": ["emotion_biometric"],
                   "deepfake_public_text": ["deepfake", "public_text"]}


def _listed(value: Any) -> list[str]:
    items = value if isinstance(value, list | tuple | set) else [value] if value else []
    return [str(v) for v in items]


def from_v1(old: dict[str, Any]) -> dict[str, Any]:
    """The version-1 answers as answers to the current questionnaire (legacy values kept)."""
    roles = _ROLES.get(str(old.get("role")), [str(old.get("role"))])
    area = str(old.get("annex_iii_area") or "0")
    if area == "2":
        point = "2"
    elif area == "5" and old.get("area5_point") in ("a", "b", "c", "d"):
        point = f"5({old['area5_point']})"
    else:
        point = legacy_point(int(area)) if area.isdigit() and area != "0" else None
    cases = set(_listed(old.get("art50_cases"))) - {NONE}
    deployer_cases = sorted({c for case in cases for c in _DEPLOYER_CASES.get(case, [])})
    converted = {
        VERSION_KEY: 1, "subject": "system", "is_ai_system": "yes", "roles": roles,
        "art25_changes": [NONE], "territorial_scope": ["placed_eu", "established_eu"],
        "exclusions": [NONE], "art5_practices": _listed(old.get("art5_practices")) or None,
        "rbi_exception": NONE,
        "annex_i_sector": "section_a" if old.get("annex_i") == "yes" else NONE,
        "annex_i_third_party": "yes", "annex_iii_area": area, "annex_iii_point": point,
        "profiling": old.get("profiling"), "derogation": old.get("derogation"),
        "significant_harm": old.get("significant_harm"),
        "deployer_public": "public_service" if old.get("fria_public_service") == "yes"
        else "no",
        "art50_provider": sorted(cases & _PROVIDER_CASES) or [NONE],
        "placed_before_aug_2026": old.get("placed_before_aug_2026") or "no",
        "art50_deployer": deployer_cases or [NONE], "open_source": "no",
        "gpai_role": "provider" if old.get("gpai_provider") == "yes" else NONE,
        "gpai_systemic": old.get("gpai_systemic") or "no", "gpai_open_source": "no",
        "gpai_placed_before_aug_2025": "no",
    }
    return {key: value for key, value in converted.items() if value is not None}
