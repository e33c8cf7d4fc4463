"""Management-system dates that fall due: reviews of the AIMS scope, of context issues,
interested parties and opportunities, of the AI policy and other documents, and training
that expires.

Each source is one SELECT with the columns kind, item, owner, due_on, reason, link (the
page and filter where the item is handled); it may use ``$today``. The Schedule, the
Overview and "My work" read every area's sources (aims_core/dashboard/schedule.py).
"""

from __future__ import annotations

from aims_core.management_system.context import CONTEXT_TABS
from aims_core.management_system.documents import label_sql
from aims_core.management_system.training import HELD_SQL

_STILL_RELEVANT = "(closed_on IS NULL OR closed_on > $today)"
# The scope review falls to whoever holds the AIMS owner role, if someone does.
_AIMS_OWNER_SQL = """(SELECT min(holder) FROM aims_roles
                      WHERE role ILIKE '%AIMS owner%' AND ended_on IS NULL)"""


def _context_link(tab: str) -> str:
    return f"'context?context_tab={CONTEXT_TABS[tab].replace(' ', '%20')}'"


DUE_DATES: dict[str, str] = {
    "Context review": f"""
        SELECT 'Context review' AS kind, 'AIMS scope of ' || name AS item,
               {_AIMS_OWNER_SQL} AS owner,
               next_review AS due_on, 'Review the AIMS scope (4.3)' AS reason,
               'organisation' AS link
        FROM organisation WHERE next_review IS NOT NULL
        UNION ALL
        SELECT 'Context review', 'Issue: ' || description, owner, next_review,
               'Review the ' || issue_type || ' issue (4.1)', {_context_link("issues")}
        FROM context_issues WHERE next_review IS NOT NULL AND {_STILL_RELEVANT}
        UNION ALL
        SELECT 'Context review', 'Interested party: ' || party, owner, next_review,
               'Review their needs and expectations (4.2)', {_context_link("parties")}
        FROM interested_parties WHERE next_review IS NOT NULL AND {_STILL_RELEVANT}
        UNION ALL
        SELECT 'Context review', 'Opportunity: ' || title, owner, next_review,
               'Review the opportunity (6.1.1)', {_context_link("opportunities")}
        FROM opportunities WHERE next_review IS NOT NULL
          AND status NOT IN ('realised', 'dropped')""",
    "AI policy review": f"""
        SELECT 'AI policy review' AS kind, {label_sql('d')} AS item, d.owner,
               d.next_review AS due_on,
               'Review the AI policy (5.2, A.2.4); past this date A.2.2 stands partial'
                   AS reason,
               'documents?document=' || d.id AS link
        FROM documents d WHERE d.doc_type = 'ai_policy' AND d.status <> 'withdrawn'
          AND d.next_review IS NOT NULL""",
    "Document review": f"""
        SELECT 'Document review' AS kind, {label_sql('d')} AS item, d.owner,
               d.next_review AS due_on, 'Review the document (7.5.2)' AS reason,
               'documents?document=' || d.id AS link
        FROM documents d WHERE d.doc_type <> 'ai_policy' AND d.status <> 'withdrawn'
          AND d.next_review IS NOT NULL""",
    "Training": f"""
        SELECT 'Training' AS kind, h.person || ': ' || c.name AS item, h.person AS owner,
               h.expires_on AS due_on,
               'Renew: completed ' || strftime(h.completed_on, '%d %b %Y') || ', valid '
                   || c.validity_months || ' months' AS reason,
               'training?training_tab=Records&training_person=' || url_encode(h.person)
                   AS link
        FROM ({HELD_SQL}) h JOIN competences c ON c.id = h.competence_id
        WHERE h.expires_on IS NOT NULL""",
}
