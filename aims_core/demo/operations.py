"""The demo's operational settings: API tokens of its ML pipelines, each owner's reminder
settings and the remembered layout of the inventory spreadsheet it once imported.

Demo tokens are unusable by construction: their stored hash is not a SHA-256 digest (no
secret can match it), so a demo database put into service opens no door.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd

from aims_core.data_import.mapping import layout_key
from aims_core.demo.common import AIMS_OWNER, History, at, months_before

_TOKENS = (  # name, scopes, months ago created, months ago revoked (None: active)
    ("CreditLens drift pipeline", "kpi:write", 11, None),
    ("Nightly warehouse export", "backup:read read", 16, 4),
    ("Fairness monitor (HireMatch)", "kpi:write read", 6, None),
)
# The consultant's inventory spreadsheet as it was imported once.
_HEADERS = ["System", "What it does", "Owner", "Dept", "Built/bought", "Vendor", "Stage",
            "EU AI Act"]
_COLUMNS = {"System": "name", "What it does": "purpose", "Owner": "owner",
            "Dept": "department", "Built/bought": "sourcing", "Vendor": "supplier_id",
            "Stage": "lifecycle_stage", "EU AI Act": "eu_ai_act_category"}
_VALUES = {"lifecycle_stage": {"in prod": "operation", "pilot": "validation",
                               "build": "development"},
           "sourcing": {"in-house": "built", "SaaS": "saas_embedded"},
           "eu_ai_act_category": {"High": "high_risk", "Limited": "transparency",
                                  "n/a": "not_assessed"}}


def api_tokens(anchor: date, history: History) -> pd.DataFrame:
    rows = []
    for i, (name, scopes, created_ago, revoked_ago) in enumerate(_TOKENS, 1):
        created = months_before(anchor, created_ago)
        row = {"id": i, "name": name, "scopes": scopes, "token_hash": f"demo-unusable-{i}",
               "token_hint": "aims_demo", "created_by": AIMS_OWNER, "created_on": created,
               "revoked_by": None, "revoked_on": None}
        states = [(at(created, 11), AIMS_OWNER, dict(row))]
        if revoked_ago is not None:
            revoked = months_before(anchor, revoked_ago)
            row.update(revoked_by=AIMS_OWNER, revoked_on=revoked)
            states.append((at(revoked, 16), AIMS_OWNER, dict(row)))
        row["version"] = history.record("api_tokens", states)
        rows.append(row)
    return pd.DataFrame(rows)


def reminder_preferences(owners: list[str], anchor: date, history: History) -> pd.DataFrame:
    """One setting per owner who chose one: horizons differ, two get the digest by e-mail."""
    rows = []
    for i, person in enumerate(sorted(owners)[:6], 1):
        first = person.split()[0].lower()
        row = {"id": i, "person": person, "horizon_days": (14, 30, 7, 60, 14, 21)[i - 1],
               "email": f"{first}.private@aldwick.example" if i == 4 else None,
               "email_enabled": i in (1, 3, 4)}  # others: the directory's address, in-app
        when = at(anchor - timedelta(days=40 + 9 * i), 9)
        row["version"] = history.record("reminder_preferences", [(when, person, dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)


def import_layouts(start: date, history: History) -> pd.DataFrame:
    day = start + timedelta(days=12)
    row = {"id": 1, "register": "ai_systems", "layout_key": layout_key(_HEADERS),
           "headers_json": json.dumps(_HEADERS), "column_map_json": json.dumps(_COLUMNS),
           "value_map_json": json.dumps(_VALUES), "saved_by": AIMS_OWNER, "saved_on": day}
    row["version"] = history.record("import_layouts", [(at(day, 15), AIMS_OWNER, dict(row))])
    return pd.DataFrame([row])
