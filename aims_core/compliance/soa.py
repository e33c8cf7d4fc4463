"""Statement of Applicability (ISO/IEC 42001 6.1.3) and clause 4–10 status.

The SoA rows with their crosswalks and the risks they treat, applicability suggested from
the registers, approved versions and the diff between any two, coverage by objective and
the auditor's export. Streamlit-free; aggregation happens in DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.compliance.registers import IMPLEMENTATION_STATUSES, SOA, SOA_VERSION_ITEMS
from aims_core.improvement.registers import OPEN_NC_STATUSES
from aims_core.management_system import organisation
from aims_core.management_system.documents import label_sql
from aims_core.records.writes import (
    RowChange,
    RowProblem,
    WriteResult,
    apply_batches,
    apply_changes,
)
from aims_core.storage.database import Database

# The SoA fields an approved version records (everything but the control itself).
SNAPSHOT_FIELDS = tuple(f for f in SOA.field_names if f != "control_id")
STATUS_ORDER = tuple(IMPLEMENTATION_STATUSES)  # not_started … implemented
# Applicability as snapshots hold it (cast to text) and as people read it.
APPLICABLE_TEXT = {"true": "Yes", "false": "No"}
UNDECIDED = "Not decided"


REVIEW_MONTHS = 12  # an applicable control not reviewed for this long is overdue for review
# The SoA as it stands, one row per ``soa`` row with its columns: a linked evidence document's
# next review is the evidence's expiry (the date typed on the row counts only without one).
SOA_ROWS_SQL = """SELECT s.* REPLACE (CASE WHEN s.evidence_document_id IS NULL
                                       THEN s.evidence_expiry ELSE d.next_review END
                                  AS evidence_expiry)
    FROM soa s LEFT JOIN documents d ON d.id = s.evidence_document_id"""
# Evidence and reviews must stay current for a control to count as implemented
# (PRODUCT.md "Dates act"): an implemented control whose evidence has expired or whose
# review is overdue stands as partial in coverage and on the Overview.
_REVIEW_OVERDUE_SQL = f"s.last_reviewed < $today - INTERVAL {REVIEW_MONTHS} MONTH"
_STALE_SQL = f"(s.evidence_expiry < $today OR {_REVIEW_OVERDUE_SQL})"
# An open major nonconformity against the control (improvement register, 10.2) also lowers
# an implemented control to partial until the nonconformity is closed.
_OPEN_MAJOR_NC_SQL = (
    "s.control_id IN (SELECT requirement_id FROM nonconformities WHERE grade = 'major' "
    f"AND status IN {OPEN_NC_STATUSES!r})")
# An AI policy (documents register) past its next review lowers A.2.2, the AI policy
# control, to partial: the policy in force is overdue for its planned review (A.2.4).
AI_POLICY_CONTROL = "A.2.2"
AI_POLICY_EXPIRED_SQL = """EXISTS (SELECT 1 FROM documents p WHERE p.doc_type = 'ai_policy'
                                AND p.status <> 'withdrawn' AND p.next_review < $today)"""
_AI_POLICY_LOWERS_SQL = f"(s.control_id = '{AI_POLICY_CONTROL}' AND {AI_POLICY_EXPIRED_SQL})"
# What makes an implemented control stand as partial; each condition is named above.
_LOWERED_SQL = f"({_STALE_SQL} OR {_OPEN_MAJOR_NC_SQL} OR {_AI_POLICY_LOWERS_SQL})"
STANDING_SQL = (f"CASE WHEN s.implementation_status = 'implemented' AND {_LOWERED_SQL} "
                "THEN 'partial' ELSE s.implementation_status END")


def _status_counts(status: str, where: str = "TRUE") -> str:
    """One ``count(*) FILTER`` column per implementation status."""
    return ", ".join(f"count(*) FILTER (WHERE {where} AND {status} = '{code}') AS {code}"
                     for code in STATUS_ORDER)


DOCUMENT_LABEL_SQL = label_sql("d")


# --- starting the registers ------------------------------------------------------------------
_MISSING_SQL = {
    "soa": "SELECT control_id AS key FROM controls WHERE control_id NOT IN "
           "(SELECT control_id FROM soa) ORDER BY sort_order",
    "clause_status": "SELECT clause_id AS key FROM clauses WHERE is_leaf AND clause_id NOT IN "
                     "(SELECT clause_id FROM clause_status) ORDER BY sort_order",
}
_START_VALUES = {"soa": ("control_id", "implementation_status"),
                 "clause_status": ("clause_id", "status")}


def missing_rows(db: Database, table: str) -> list[str]:
    """Controls (``soa``) or leaf clauses (``clause_status``) that have no row yet."""
    return [r[0] for r in db.query_rows(_MISSING_SQL[table])]


def add_missing_rows(db: Database, table: str, actor: Actor) -> WriteResult:
    """One row per missing control or leaf clause, not started and not yet decided."""
    key, status = _START_VALUES[table]
    changes = [RowChange("insert", {key: value, status: "not_started"}, label=value)
               for value in missing_rows(db, table)]
    return apply_changes(db, table, changes, actor)


# --- the SoA table ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SoaFilter:
    objectives: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    eu_articles: tuple[str, ...] = ()
    nist_subcategories: tuple[str, ...] = ()
    owner: str | None = None
    flagged_only: bool = False


# The risks each control treats (risks not closed) and its crosswalks, one row per control.
TITLES_SHOWN = 10  # risk titles listed per control; the count says how many in all
_PER_CONTROL_CTES = f"""
treated AS (
    SELECT rc.control_id, count(DISTINCT r.id) AS risks,
           list(DISTINCT r.title ORDER BY r.title) AS titles
    FROM risk_controls rc JOIN risks r ON r.id = rc.risk_id
    WHERE r.status <> 'closed' GROUP BY ALL
), titled AS (  -- the first titles of the risks each control treats, and how many more
    SELECT control_id, risks,
           array_to_string(titles[:{TITLES_SHOWN}], '; ')
               || CASE WHEN len(titles) > {TITLES_SHOWN}
                       THEN '; and ' || (len(titles) - {TITLES_SHOWN}) || ' more' ELSE '' END
               AS risk_titles
    FROM treated
), nist AS (  -- each subcategory with its short title (NIST AI 100-1)
    SELECT x.iso_id AS control_id,
           string_agg(x.nist_subcategory || coalesce(' ' || t.title, ''), '; '
                      ORDER BY t.sort_order, x.nist_subcategory) AS nist
    FROM crosswalk_nist x LEFT JOIN nist_subcategories t ON t.subcategory_id = x.nist_subcategory
    WHERE x.iso_kind = 'control' GROUP BY ALL
), eu AS (
    SELECT iso_id AS control_id,
           string_agg(DISTINCT eu_article, ', '
                      ORDER BY TRY_CAST(regexp_extract(eu_article, '\\d+') AS INTEGER))
               AS eu_articles
    FROM crosswalk_eu_ai_act WHERE iso_kind = 'control' GROUP BY ALL
), major_nc AS (
    SELECT requirement_id AS control_id, string_agg('#' || id, ', ' ORDER BY id) AS ids
    FROM nonconformities WHERE grade = 'major' AND status IN {OPEN_NC_STATUSES!r}
    GROUP BY ALL
)"""

_SOA_SQL = f"""
WITH {_PER_CONTROL_CTES}
SELECT s.*, o.objective_id || ' ' || o.title AS objective, c.title AS control_title,
       coalesce(t.risks, 0) AS risks, t.risk_titles, n.nist, e.eu_articles,
       {DOCUMENT_LABEL_SQL} AS evidence_document,
       concat_ws('; ',
           CASE WHEN s.applicable IS NULL THEN 'Not decided' END,
           CASE WHEN s.applicable AND s.owner IS NULL THEN 'No owner' END,
           CASE WHEN s.applicable AND s.evidence_expiry < $today THEN 'Evidence expired' END,
           CASE WHEN s.applicable AND d.status = 'withdrawn'
                THEN 'Evidence document withdrawn' END,
           CASE WHEN s.applicable AND {_AI_POLICY_LOWERS_SQL}
                THEN 'AI policy past its review' END,
           CASE WHEN s.applicable AND {_REVIEW_OVERDUE_SQL} THEN 'Review overdue' END,
           CASE WHEN s.applicable AND s.implementation_status <> 'implemented'
                AND s.target_date < $today THEN 'Target date passed' END,
           CASE WHEN s.applicable AND mnc.ids IS NOT NULL
                THEN 'Open major nonconformity ' || mnc.ids END) AS flags
FROM ({SOA_ROWS_SQL}) s
LEFT JOIN documents d ON d.id = s.evidence_document_id
JOIN controls c USING (control_id)
JOIN control_objectives o USING (objective_id)
LEFT JOIN titled t USING (control_id)
LEFT JOIN nist n USING (control_id)
LEFT JOIN eu e USING (control_id)
LEFT JOIN major_nc mnc USING (control_id)
WHERE ($objectives = [] OR o.objective_id IN (SELECT unnest($objectives)))
  AND ($statuses = [] OR s.implementation_status IN (SELECT unnest($statuses)))
  AND ($owner IS NULL OR s.owner = $owner)
  AND ($eu = [] OR control_id IN (SELECT iso_id FROM crosswalk_eu_ai_act
                                  WHERE eu_article IN (SELECT unnest($eu))))
  AND ($nist = [] OR control_id IN (SELECT iso_id FROM crosswalk_nist
                                    WHERE nist_subcategory IN (SELECT unnest($nist))))
ORDER BY c.sort_order
"""


def soa_table(db: Database, today: date, filters: SoaFilter = SoaFilter()) -> pd.DataFrame:
    """The SoA rows (every register field, id and version; the evidence expiry as it
    stands) with objective, control title, the risks each treats, NIST AI RMF
    subcategories, EU AI Act articles, the evidence document's label and flags."""
    frame = db.query_df(_SOA_SQL, {
        "today": today, "objectives": list(filters.objectives),
        "statuses": list(filters.statuses), "owner": filters.owner,
        "eu": list(filters.eu_articles), "nist": list(filters.nist_subcategories)})
    if filters.flagged_only:
        frame = frame[frame["flags"] != ""]
    return frame.reset_index(drop=True)


def control_labels(db: Database) -> dict[str, str]:
    """{control id: "A.2.2 AI policy"} in catalogue order."""
    return dict(db.query_rows("SELECT control_id, control_id || ' ' || title FROM controls "
                              "ORDER BY sort_order"))


def objective_choices(db: Database) -> dict[str, str]:
    """The Annex A objectives for the filter: {"A.2": "A.2 Policies related to AI", …}."""
    return dict(db.query_rows("SELECT objective_id, objective_id || ' ' || title "
                              "FROM control_objectives ORDER BY sort_order"))


def crosswalk_choices(db: Database) -> tuple[dict[str, str], dict[str, str]]:
    """EU AI Act articles ({article: "Art. 14 Human oversight"}) and NIST subcategories
    ({"GOVERN 1.6": "GOVERN 1.6 Inventory of AI systems"}) that map to at least one Annex A
    control, for the filters."""
    articles = db.query_rows(
        "SELECT eu_article, any_value(article_title) FROM crosswalk_eu_ai_act "
        "WHERE iso_kind = 'control' GROUP BY eu_article "
        "ORDER BY TRY_CAST(regexp_extract(eu_article, '\\d+') AS INTEGER)")
    nist = db.query_rows(
        "SELECT DISTINCT x.nist_subcategory, t.title, t.sort_order FROM crosswalk_nist x "
        "LEFT JOIN nist_subcategories t ON t.subcategory_id = x.nist_subcategory "
        "WHERE x.iso_kind = 'control' ORDER BY t.sort_order, 1")
    return ({a: f"{a} {title}" for a, title in articles},
            {sub: f"{sub} {title}" if title else sub for sub, title, _ in nist})


# --- suggested applicability -----------------------------------------------------------------
@dataclass(frozen=True)
class SuggestionRule:
    """Controls to include when ``source`` finds anything; ``reason`` names what it found."""

    controls: str  # a control-id prefix ("A.10.") or a comma-separated list
    source: str | Callable[[Database], list[str]]  # SQL returning one column of names, or
    # a function of the database returning the names
    reason: str  # formatted with {names}

    def names(self, db: Database) -> list[str]:
        found = self.source(db) if callable(self.source) else \
            [r[0] for r in db.query_rows(self.source)]
        return sorted({name for name in found if name})

    def control_ids(self, all_ids: list[str]) -> list[str]:
        wanted = [c.strip() for c in self.controls.split(",")]
        return [c for c in all_ids if any(c == w or (w.endswith(".") and c.startswith(w))
                                          for w in wanted)]


_ACTIVE = "lifecycle_stage IS DISTINCT FROM 'retired'"


def _declared_provider(db: Database) -> list[str]:
    """The organisation, when its profile declares the provider role."""
    if "provider" not in organisation.ai_roles(db):
        return []
    return [organisation.name(db) or "this organisation"]


SUGGESTION_RULES: tuple[SuggestionRule, ...] = (
    SuggestionRule(
        "A.10.2, A.10.3",
        f"SELECT name FROM ai_systems WHERE {_ACTIVE} AND sourcing IN "
        "('bought', 'api', 'saas_embedded') UNION SELECT name FROM suppliers",
        "Third-party AI (bought, API or embedded in SaaS; suppliers): {names}"),
    SuggestionRule(
        "A.10.4", _declared_provider,
        "The organisation profile names the provider role, so customers receive AI from "
        "it: {names}"),
    SuggestionRule(
        "A.7.",
        f"SELECT name FROM ai_systems WHERE {_ACTIVE} AND personal_data UNION "
        "SELECT s.name FROM ai_data_sources d JOIN ai_systems s ON s.id = d.ai_system_id "
        f"WHERE d.personal_data AND s.{_ACTIVE}",
        "AI systems that process personal data: {names}"),
    SuggestionRule(
        "A.6.1., A.6.2.",
        "SELECT name FROM ai_systems WHERE lifecycle_stage IN ('design', 'development')",
        "AI systems in design or development: {names}"),
    SuggestionRule(
        "A.5.",
        f"SELECT name FROM ai_systems WHERE {_ACTIVE} AND eu_ai_act_category = 'high_risk'",
        "EU AI Act high-risk systems need impact assessments: {names}"),
    SuggestionRule(
        "A.6.2.6, A.8.4, A.9.",
        "SELECT name FROM ai_systems WHERE lifecycle_stage IN ('deployment', 'operation')",
        "AI systems in use need monitoring, incident communication and rules for "
        "responsible use: {names}"),
)
_MAX_NAMES = 4


def _names(found: list[str]) -> str:
    shown = ", ".join(found[:_MAX_NAMES])
    return shown + (f" and {len(found) - _MAX_NAMES} more" if len(found) > _MAX_NAMES else "")


def suggestions(db: Database) -> pd.DataFrame:
    """Controls the registers suggest including, each with its reason, next to the SoA's
    current decision. ``differs`` marks those the SoA does not include yet."""
    all_ids = [r[0] for r in db.query_rows("SELECT control_id FROM controls ORDER BY sort_order")]
    reasons: dict[str, list[str]] = {}
    for rule in SUGGESTION_RULES:
        found = rule.names(db)
        if found:
            for control in rule.control_ids(all_ids):
                reasons.setdefault(control, []).append(rule.reason.format(names=_names(found)))
    frame = pd.DataFrame({"control_id": list(reasons),
                          "reason": [". ".join(r) for r in reasons.values()]})
    current = db.query_df(
        "SELECT c.control_id, c.title AS control_title, c.sort_order, s.id, s.version, "
        "s.applicable, s.justification FROM controls c LEFT JOIN soa s USING (control_id)")
    frame = frame.merge(current, on="control_id", how="left").sort_values("sort_order")
    frame["differs"] = ~frame["applicable"].astype("boolean").fillna(False).astype(bool)
    return frame.drop(columns="sort_order").reset_index(drop=True)


def apply_suggestions(db: Database, chosen: pd.DataFrame, actor: Actor) -> WriteResult:
    """Include the chosen suggested controls, with the suggestion's reason as justification.

    ``chosen`` holds rows of :func:`suggestions` as the person saw them: their versions make
    a colleague's edit since then a reported conflict, never overwritten."""
    changes = [RowChange("update", {"applicable": True,
                                    "justification": f"Included: {row.reason}."},
                         row_id=int(row.id), expected_version=int(row.version))
               for row in chosen.itertuples() if not pd.isna(row.id)]
    return apply_changes(db, "soa", changes, actor)


# --- versions --------------------------------------------------------------------------------
def versions(db: Database) -> pd.DataFrame:
    return db.query_df(
        "SELECT v.*, count(i.id) AS controls, count(i.id) FILTER (WHERE i.applicable) "
        "AS applicable FROM soa_versions v LEFT JOIN soa_version_items i USING (version_no) "
        "GROUP BY ALL ORDER BY v.version_no DESC")


def approve(db: Database, approved_by: str, approved_on: date, note: str | None,
            actor: Actor) -> WriteResult:
    """Record the current SoA as the next approved version, if every control is decided.

    The version number is the next free one; two approvals at the same moment cannot both
    take it (``version_no`` is unique), the second is refused and changes nothing."""
    problems = [RowProblem(f"SoA entry {c}", None, "has no row yet: add the missing controls")
                for c in missing_rows(db, "soa")]
    problems += [RowProblem(f"SoA entry {r[0]}", "Applicable",
                            "must be decided (yes or no, with a justification) before approval")
                 for r in db.query_rows("SELECT s.control_id FROM soa s JOIN controls c "
                                        "USING (control_id) WHERE s.applicable IS NULL "
                                        "ORDER BY c.sort_order")]
    if problems:
        return WriteResult(errors=problems)
    number = db.scalar("SELECT coalesce(max(version_no), 0) + 1 FROM soa_versions")
    rows = db.query_df(f"SELECT control_id, {', '.join(SNAPSHOT_FIELDS)} "
                       f"FROM ({SOA_ROWS_SQL}) ORDER BY control_id")
    items = [RowChange("insert", {"version_no": number, **_plain_row(row)},
                       label=f"SoA entry {row['control_id']}")
             for row in rows.to_dict("records")]
    header = RowChange("insert", {"version_no": number, "approved_by": approved_by,
                                  "approved_on": approved_on, "note": note},
                       label=f"SoA version {number}")
    return apply_batches(db, [("soa_versions", [header]), ("soa_version_items", items)],
                         actor)


def _plain_row(row: dict) -> dict:
    """Frame values as plain Python: NaT/NA to None, timestamps to dates."""
    out = {}
    for name, value in row.items():
        if name not in SOA_VERSION_ITEMS.field_names:
            continue
        if value is None or value is pd.NA or value is pd.NaT or \
                (isinstance(value, float) and pd.isna(value)):
            out[name] = None
        elif isinstance(value, pd.Timestamp):
            out[name] = value.date()
        else:
            out[name] = value
    return out


def _snapshot_sql(version_no: int | None) -> str:
    """The SoA rows of an approved version, or the current SoA for ``None``."""
    columns = ", ".join(f"CAST({f} AS VARCHAR) AS {f}" for f in SNAPSHOT_FIELDS)
    source = f"({SOA_ROWS_SQL})" if version_no is None else \
        f"soa_version_items WHERE version_no = {int(version_no)}"
    return f"SELECT control_id, {columns} FROM {source}"


DIFF_LABELS = {f.name: f.label for f in SOA.fields if f.name in SNAPSHOT_FIELDS}
# What a reader of two SoA versions looks for first; evidence and dates on request.
KEY_FIELDS = ("applicable", "justification", "implementation_status", "owner")


def diff(db: Database, old: int | None, new: int | None,
         fields: tuple[str, ...] = KEY_FIELDS) -> pd.DataFrame:
    """Each of ``fields`` that differs between two versions (``None`` = the current SoA):
    one row per control and field, with both values as shown to people."""
    unpivot = " UNION ALL ".join(
        f"SELECT control_id, '{f}' AS field, {f} AS value FROM snap" for f in fields)
    sql = f"""
        WITH a AS (WITH snap AS ({_snapshot_sql(old)}) {unpivot}),
             b AS (WITH snap AS ({_snapshot_sql(new)}) {unpivot})
        SELECT coalesce(a.control_id, b.control_id) AS control_id, c.title AS control_title,
               coalesce(a.field, b.field) AS field, a.value AS before, b.value AS after
        FROM a FULL JOIN b ON a.control_id = b.control_id AND a.field = b.field
        JOIN controls c ON c.control_id = coalesce(a.control_id, b.control_id)
        WHERE a.value IS DISTINCT FROM b.value
        ORDER BY c.sort_order,
                 list_position({list(fields)}, coalesce(a.field, b.field))
    """
    frame = db.query_df(sql)
    for side in ("before", "after"):
        frame[side] = [_shown(f, v) for f, v in zip(frame["field"], frame[side], strict=True)]
    frame["field"] = frame["field"].map(DIFF_LABELS)
    return frame


def _shown(field_name: str, value: object) -> str:
    if value is None or pd.isna(value):
        return "—"
    if field_name == "applicable":
        return APPLICABLE_TEXT[str(value)]
    if field_name == "implementation_status":
        return IMPLEMENTATION_STATUSES.get(str(value), str(value))
    return str(value)


# --- coverage and gaps -----------------------------------------------------------------------
def coverage(db: Database, today: date) -> pd.DataFrame:
    """Per objective: applicable controls and how many stand at each implementation status
    (see :data:`STANDING_SQL`), with shares in percent of the applicable ones;
    ``lowered`` counts the implemented controls standing as partial."""
    frame = db.query_df(f"""
        SELECT o.objective_id, o.objective_id || ' ' || o.title AS objective,
               count(*) AS controls, count(*) FILTER (WHERE s.applicable) AS applicable,
               {_status_counts(STANDING_SQL, 's.applicable')},
               count(*) FILTER (WHERE s.applicable AND s.implementation_status = 'implemented'
                                AND {_LOWERED_SQL}) AS lowered
        FROM control_objectives o JOIN controls c USING (objective_id)
        LEFT JOIN ({SOA_ROWS_SQL}) s USING (control_id)
        GROUP BY ALL ORDER BY any_value(o.sort_order)""", {"today": today})
    frame["lowered"] = frame["lowered"].astype("int64")
    return _with_shares(frame, "applicable")


def clause_coverage(db: Database) -> pd.DataFrame:
    """Per main clause (4–10): leaf subclauses at each status (no row counts as not started)."""
    frame = db.query_df(f"""
        SELECT p.clause_id, p.clause_id || ' ' || p.title AS clause, count(*) AS subclauses,
               {_status_counts("coalesce(s.status, 'not_started')")}
        FROM clauses c JOIN clauses p ON p.clause_id = split_part(c.clause_id, '.', 1)
        LEFT JOIN clause_status s ON s.clause_id = c.clause_id
        WHERE c.is_leaf GROUP BY ALL ORDER BY any_value(p.sort_order)""")
    return _with_shares(frame, "subclauses")


def _with_shares(frame: pd.DataFrame, total: str) -> pd.DataFrame:
    for code in STATUS_ORDER:
        frame[code] = frame[code].astype("int64")
        frame[f"{code}_pct"] = (100.0 * frame[code] / frame[total].where(frame[total] > 0))\
            .round(1)
    return frame


# Risks not closed that no applicable control treats: those without an applicable link
# are found first, so the reasons are worded for them alone.
_UNTREATED_SQL = """
    SELECT r.id, r.title, r.ai_system_id, r.owner, r.status FROM risks r
    WHERE r.status <> 'closed' AND r.id NOT IN (
        SELECT rc.risk_id FROM risk_controls rc JOIN soa s ON s.control_id = rc.control_id
        WHERE s.applicable)
"""


def untreated_count(db: Database) -> int:
    """How many risks not closed no applicable control treats."""
    return int(db.scalar(f"SELECT count(*) FROM ({_UNTREATED_SQL})"))


def untreated_risks(db: Database, limit: int | None = None) -> pd.DataFrame:
    """Risks not closed that no applicable control treats, with the reason; the first
    ``limit`` by id (None: all)."""
    rows = "" if limit is None else f"LIMIT {int(limit)}"
    return db.query_df(f"""
        SELECT u.id, u.title, s.name AS ai_system, u.owner, u.status,
               CASE WHEN count(rc.id) = 0 THEN 'No treating control listed'
                    ELSE 'Only controls marked not applicable or undecided: '
                         || string_agg(rc.control_id, ', ' ORDER BY rc.control_id) END AS reason
        FROM (SELECT * FROM ({_UNTREATED_SQL}) ORDER BY id {rows}) u
        LEFT JOIN ai_systems s ON s.id = u.ai_system_id
        LEFT JOIN risk_controls rc ON rc.risk_id = u.id
        GROUP BY ALL ORDER BY u.id""")


# --- clause 4-10 status ----------------------------------------------------------------------
def clause_table(db: Database) -> pd.DataFrame:
    """The clause_status rows in clause order, with each subclause's title and the label of
    its evidence document."""
    return db.query_df(f"""
        SELECT s.*, c.title AS clause_title, {DOCUMENT_LABEL_SQL} AS evidence_document
        FROM clause_status s JOIN clauses c USING (clause_id)
        LEFT JOIN documents d ON d.id = s.evidence_document_id ORDER BY c.sort_order""")


# --- evidence documents ----------------------------------------------------------------------
EVIDENCE_TABLES = ("soa", "clause_status")


def link_evidence_document(db: Database, table: str, row_id: int, expected_version: int,
                           document_id: int | None, actor: Actor) -> WriteResult:
    """Point an SoA entry's or a clause's evidence to a documents-register entry (None
    removes the link). On the SoA the document's next review then is the evidence's
    expiry, so a date set by hand on the row is cleared with the link."""
    if table not in EVIDENCE_TABLES:
        raise ValueError(f"{table} holds no evidence documents")
    values: dict[str, object] = {"evidence_document_id": document_id}
    if table == "soa" and document_id is not None:
        values["evidence_expiry"] = None
    return apply_changes(db, table, [RowChange("update", values, row_id=row_id,
                                               expected_version=expected_version)], actor)


# --- the auditor's export --------------------------------------------------------------------
@dataclass(frozen=True)
class Approval:
    version_no: int
    approved_by: str
    approved_on: date
    note: str | None = None


def latest_approval(db: Database, version_no: int | None = None) -> Approval | None:
    """The given approved version, or the latest one; None when nothing is approved."""
    row = db.query_rows(
        "SELECT version_no, approved_by, approved_on, note FROM soa_versions "
        "WHERE $v IS NULL OR version_no = $v ORDER BY version_no DESC LIMIT 1",
        {"v": version_no})
    return Approval(*row[0]) if row else None


EXPORT_COLUMNS = ("ID", "Objective", "Control", "Applicable", "Justification",
                  "Implementation status", "Owner", "Evidence", "Evidence expires",
                  "Last reviewed", "Target date", "Risks treated", "NIST AI RMF",
                  "EU AI Act (indicative)", "SoA version", "Approval")


def export_frame(db: Database, version_no: int | None = None) -> pd.DataFrame:
    """The SoA in the layout an auditor expects: one row per Annex A control.

    ``version_no`` exports an approved version as approved; ``None`` exports the current
    SoA, where each row says whether it still equals the latest approved version."""
    approval = latest_approval(db, version_no)
    source = _snapshot_sql(version_no)
    latest = _snapshot_sql(approval.version_no) if approval else _snapshot_sql(None) + \
        " WHERE FALSE"
    frame = db.query_df(f"""
        WITH shown AS ({source}), approved AS ({latest}), {_PER_CONTROL_CTES}
        SELECT c.control_id, o.objective_id || ' ' || o.title AS objective, c.title,
               s.applicable, s.justification, s.implementation_status, s.owner,
               nullif(concat_ws(' · ', {DOCUMENT_LABEL_SQL}, s.evidence), '') AS evidence,
               s.evidence_expiry, s.last_reviewed, s.target_date, coalesce(t.risks, 0) AS risks,
               n.nist, e.eu_articles,
               a.control_id IS NOT NULL AND
                   ({' AND '.join(f's.{f} IS NOT DISTINCT FROM a.{f}' for f in SNAPSHOT_FIELDS)})
                   AS as_approved
        FROM controls c JOIN control_objectives o USING (objective_id)
        LEFT JOIN shown s USING (control_id) LEFT JOIN approved a USING (control_id)
        LEFT JOIN documents d ON d.id = TRY_CAST(s.evidence_document_id AS BIGINT)
        LEFT JOIN treated t USING (control_id) LEFT JOIN nist n USING (control_id)
        LEFT JOIN eu e USING (control_id)
        ORDER BY c.sort_order""")
    frame["applicable"] = frame["applicable"].map(APPLICABLE_TEXT).fillna(UNDECIDED)
    frame["implementation_status"] = frame["implementation_status"].map(IMPLEMENTATION_STATUSES)
    as_approved = frame.pop("as_approved")
    if approval is None:
        frame["version"], frame["approval"] = "—", "Not yet approved"
    else:
        stamp = f"Approved by {approval.approved_by} on {approval.approved_on:%Y-%m-%d}"
        frame["version"] = f"v{approval.version_no}"
        frame["approval"] = [stamp if same else "Changed since this approval"
                             for same in as_approved]
    frame.columns = list(EXPORT_COLUMNS)
    return frame

