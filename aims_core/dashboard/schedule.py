"""Every date that falls due, from every register that has one, in one list (PRODUCT.md §4
"Dates act"). Each row says what is due, for whom, when, and links to where it is handled.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from aims_core.compliance.soa import REVIEW_MONTHS
from aims_core.inventory.revalidation import revalidation_schedule
from aims_core.risk.risks import REGISTER_SQL
from aims_core.storage.database import Database

COLUMNS = ["kind", "item", "owner", "due_on", "overdue", "reason", "link"]

# SoA items open the SoA page filtered to the control's objective (a URL-bound filter).
_SOA_ROWS = """'soa?soa_objective=' || url_encode(o.objective_id || ' ' || o.title) AS link
        FROM soa s JOIN controls c USING (control_id)
        JOIN control_objectives o USING (objective_id)"""

# One SELECT per source with the same columns; $today is bound once.
_SOURCES = {
    "Risk review": f"""
        SELECT 'Risk review' AS kind, '#' || id || ' ' || title AS item, owner,
               review_date AS due_on, 'Review the rating and treatment' AS reason,
               'risks?risk=' || id AS link
        FROM ({REGISTER_SQL}) WHERE status <> 'closed' AND review_date IS NOT NULL""",
    "Risk acceptance": f"""
        SELECT 'Risk acceptance' AS kind, '#' || id || ' ' || title AS item, owner,
               coalesce(acceptance_expires, $today) AS due_on,
               CASE WHEN acceptance_expires IS NULL THEN 'Accepted without a recorded approval'
                    ELSE 'Acceptance by ' || accepted_by || ' expires' END AS reason,
               'risks?risk=' || id AS link
        FROM ({REGISTER_SQL}) WHERE status = 'accepted'""",
    "Impact assessment review": """
        SELECT 'Impact assessment review' AS kind,
               s.name || ' (assessed ' || strftime(a.assessed_on, '%d %b %Y') || ')' AS item,
               coalesce(s.owner, a.reviewer) AS owner, a.next_review AS due_on,
               'Review the impact assessment' AS reason,
               'impact_assessments?assessment=' || a.id AS link
        FROM impact_assessments a JOIN ai_systems s ON s.id = a.ai_system_id
        WHERE a.next_review IS NOT NULL""",
    "Supplier review": """
        SELECT 'Supplier review' AS kind, name AS item, owner, next_review AS due_on,
               'Due diligence and contract review (A.10.3)' AS reason,
               'suppliers' AS link
        FROM suppliers WHERE next_review IS NOT NULL""",
    "Evidence expiry": f"""
        SELECT 'Evidence expiry' AS kind, s.control_id || ' ' || c.title AS item, s.owner,
               s.evidence_expiry AS due_on,
               'Renew the evidence: ' || coalesce(s.evidence, 'none recorded') AS reason,
               {_SOA_ROWS}
        WHERE s.applicable AND s.evidence_expiry IS NOT NULL""",
    "Control review": f"""
        SELECT 'Control review' AS kind, s.control_id || ' ' || c.title AS item, s.owner,
               CAST(s.last_reviewed + INTERVAL {REVIEW_MONTHS} MONTH AS DATE) AS due_on,
               'Review the control (last reviewed ' || strftime(s.last_reviewed, '%d %b %Y')
                   || ')' AS reason,
               {_SOA_ROWS}
        WHERE s.applicable AND s.last_reviewed IS NOT NULL""",
    "Control target date": f"""
        SELECT 'Control target date' AS kind, s.control_id || ' ' || c.title AS item, s.owner,
               s.target_date AS due_on,
               'Implement the control (now ' || replace(s.implementation_status, '_', ' ')
                   || ')' AS reason,
               {_SOA_ROWS}
        WHERE s.applicable AND s.implementation_status <> 'implemented'
          AND s.target_date IS NOT NULL""",
    # A measured KPI is due one period after its latest value; one never measured, now.
    "KPI measurement": """
        SELECT 'KPI measurement' AS kind, k.name AS item, k.owner,
               coalesce(CAST(max(m.measured_on) + CASE k.frequency
                   WHEN 'daily' THEN INTERVAL 1 DAY WHEN 'weekly' THEN INTERVAL 7 DAY
                   WHEN 'monthly' THEN INTERVAL 1 MONTH WHEN 'quarterly' THEN INTERVAL 3 MONTH
                   ELSE INTERVAL 12 MONTH END AS DATE), $today) AS due_on,
               'Record the ' || coalesce(k.frequency, 'yearly') || ' value' AS reason,
               'kpis' AS link
        FROM kpis k LEFT JOIN kpi_measurements m ON m.kpi_id = k.id
        WHERE k.kind = 'measured' GROUP BY k.id, k.name, k.owner, k.frequency""",
}
KINDS = ("Re-validation", *_SOURCES)


def due_dates(db: Database, today: date) -> pd.DataFrame:
    """Every due date, overdue first, then by date."""
    union = " UNION ALL ".join(_SOURCES.values())
    frame = db.query_df(f"SELECT *, due_on < $today AS overdue FROM ({union})",
                        {"today": today})
    validations = revalidation_schedule(db, today)
    if not validations.empty:
        revalidation = pd.DataFrame({
            "kind": "Re-validation", "item": validations["name"],
            "owner": validations["owner"],
            "due_on": pd.to_datetime(validations["next_due"]).fillna(pd.Timestamp(today)),
            "overdue": validations["overdue"].astype(bool), "reason": validations["reason"],
            "link": "ai_systems?system=" + validations["ai_system_id"].astype(str)})
        frame = pd.concat([df for df in (frame, revalidation) if not df.empty],
                          ignore_index=True)
    frame["due_on"] = pd.to_datetime(frame["due_on"]).dt.date
    frame["overdue"] = frame["overdue"].astype(bool)
    return frame[COLUMNS].sort_values(["overdue", "due_on", "kind", "item"],
                                      ascending=[False, True, True, True],
                                      ignore_index=True)
