"""The demo's organisation profile and its past management reviews."""

from __future__ import annotations

from datetime import date

import pandas as pd

from aims_core.demo.common import AIMS_OWNER, CEO, History, at, months_before


def organisation(start: date, history: History) -> pd.DataFrame:
    row = {
        "id": 1, "name": "Aldwick Finance Ltd",
        "scope_statement": "Design, procurement and use of AI systems supporting consumer lending, "
        "hiring and customer service at Aldwick Finance Ltd (UK and EU operations).",
        "ai_roles": "developer, provider, deployer",
        "interested_parties": "Customers (fair, explained decisions); applicants (non-discrimination);"
        " regulators (EU AI Act, consumer credit rules); staff (training, oversight duties); "
        "suppliers (contract clarity)",
    }
    row["version"] = history.record("organisation", [(at(start), AIMS_OWNER, dict(row))])
    return pd.DataFrame([row])


def reviews(anchor: date, history: History) -> pd.DataFrame:
    rows = []
    for i, months in enumerate((14, 5), 1):
        day = months_before(anchor, months)
        row = {"id": i, "review_date": day, "chair": CEO,
               "attendees": "CEO, AIMS owner, heads of Credit Risk, HR, Customer Service, IT",
               "notes": "Reviewed risk register, SoA progress and KPI trends; actions recorded."}
        row["version"] = history.record("management_reviews", [(at(day, 14), AIMS_OWNER,
                                                                dict(row))])
        rows.append(row)
    return pd.DataFrame(rows)

