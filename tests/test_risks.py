"""The one risk method, the register's heatmap counts, acceptances and impact-to-risk links."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from aims_core.auth.actor import Actor
from aims_core.records.writes import RowChange, apply_changes
from aims_core.risk import risks
from aims_core.risk.risk_method import (
    LEVEL_BANDS,
    RATED_RISKS_SQL,
    change_method,
    default_grid,
    default_labels,
    load_method,
)
from aims_core.storage.database import Database
from tests.conftest import ANA, TODAY

# The default 5 x 5 grid as the migration writes it (rows: likelihood 1..5).
DEFAULT_5 = ["Low Low Low Medium Medium", "Low Low Medium Medium High",
             "Low Medium Medium High High", "Medium Medium High High Critical",
             "Medium High High Critical Critical"]


def _risk(**values: object) -> RowChange:
    return RowChange("insert", {"title": "R", "owner": "Ana", "status": "open",
                                "inherent_likelihood": 1, "inherent_impact": 1, **values})


def test_every_cell_maps_to_its_band(db: Database) -> None:
    cells = [(lik, imp) for lik in range(1, 6) for imp in range(1, 6)]
    result = apply_changes(db, "risks", [_risk(inherent_likelihood=lik, inherent_impact=imp,
                                               residual_likelihood=imp, residual_impact=lik)
                                         for lik, imp in cells], ANA)
    assert result.ok, result.errors
    levels = db.query_rows(f"SELECT inherent_likelihood, inherent_impact, inherent_level, "
                           f"residual_level FROM ({RATED_RISKS_SQL}) r ORDER BY id")
    for lik, imp, inherent, residual in levels:
        assert inherent == DEFAULT_5[lik - 1].split()[imp - 1]
        assert residual == DEFAULT_5[imp - 1].split()[lik - 1]
    assert load_method(db).grid == default_grid(5)


def test_default_grids_never_fall_as_ratings_rise() -> None:
    for size in range(3, 8):
        grid = default_grid(size)
        for (lik, imp), band in grid.items():
            rank = LEVEL_BANDS.index(band)
            assert all(LEVEL_BANDS.index(grid[c]) <= rank
                       for c in ((lik - 1, imp), (lik, imp - 1)) if c in grid)
        assert grid[(1, 1)] == "Low" and grid[(size, size)] == "Critical"


def test_smaller_matrix_clamps_ratings_and_logs_everything(db: Database) -> None:
    apply_changes(db, "risks", [_risk(inherent_likelihood=5, inherent_impact=2,
                                      residual_likelihood=4, residual_impact=5),
                                _risk(inherent_likelihood=3, inherent_impact=3)], ANA)
    method = load_method(db)
    smaller = replace(method, size=4, likelihood_labels=default_labels("likelihood", 4),
                      impact_labels=default_labels("impact", 4), grid=default_grid(4),
                      tolerance="High")
    result = change_method(db, smaller, method.version, Actor("Admin"))
    assert result.ok, result.errors
    assert result.updated == [1]
    assert db.query_rows("SELECT inherent_likelihood, inherent_impact, residual_likelihood, "
                         "residual_impact, version FROM risks ORDER BY id") == \
        [(4, 2, 4, 4, 2), (3, 3, None, None, 1)]
    now = load_method(db)
    assert (now.size, now.tolerance, now.version) == (4, "High", method.version + 1)
    assert db.scalar("SELECT count(*) FROM risk_level_grid") == 16
    logged = db.query_rows("SELECT table_name, row_id, changed_by, after_json FROM change_log "
                           "WHERE changed_by = 'Admin' ORDER BY id")
    assert [(t, r) for t, r, _, _ in logged] == [("risks", 1), ("risk_method", 2)]
    assert json.loads(logged[1][3])["size"] == 4
    # A rating beyond the new matrix is refused by the write path, naming the field.
    refused = apply_changes(db, "risks", [_risk(inherent_likelihood=5)], ANA)
    assert "Inherent likelihood" in str(refused.errors[0])
    assert "between 1 and 4" in str(refused.errors[0])


def test_method_change_is_version_checked(db: Database) -> None:
    method = load_method(db)
    assert change_method(db, replace(method, tolerance="Low"), method.version, Actor("A")).ok
    stale = change_method(db, replace(method, tolerance="High"), method.version, Actor("B"))
    assert not stale.ok and "changed by someone else" in str(stale.errors[0])
    assert load_method(db).tolerance == "Low"


def test_bad_method_is_refused_naming_the_cell(db: Database) -> None:
    method = load_method(db)
    grid = {**method.grid, (2, 2): "Critical"}
    result = change_method(db, replace(method, grid=grid), method.version, Actor("A"))
    assert not result.ok
    assert any("Grid cell L2 × I3" in str(e) or "Grid cell L3 × I2" in str(e)
               for e in result.errors), result.errors
    labels = change_method(db, replace(method, impact_labels=("a", "b", "b", "c", "d")),
                           method.version, Actor("A"))
    assert "Impact labels" in str(labels.errors[0])
    assert load_method(db) == method


@pytest.mark.parametrize("view", risks.VIEWS)
def test_heatmap_counts_equal_sql_over_risks(demo_db: Database, view: str) -> None:
    counts = risks.matrix_counts(demo_db, TODAY, risks.RiskFilter(), view)
    expected = {(lik, imp): n for lik, imp, n in demo_db.query_rows(
        f"SELECT {view}_likelihood, {view}_impact, count(*) FROM risks "
        f"WHERE status <> 'closed' AND {view}_likelihood IS NOT NULL GROUP BY ALL")}
    shown = {(r.likelihood, r.impact): r.risks for r in counts.itertuples() if r.risks}
    assert shown == expected
    assert len(counts) == 25


def test_cell_filter_lists_exactly_the_cell_count(demo_db: Database) -> None:
    counts = risks.matrix_counts(demo_db, TODAY, risks.RiskFilter(), "residual")
    busiest = counts.sort_values("risks").iloc[-1]
    cell = risks.RiskFilter(cell=("residual", int(busiest.likelihood), int(busiest.impact)))
    listed = risks.register(demo_db, TODAY, cell)
    assert len(listed) == busiest.risks == risks.count(demo_db, TODAY, cell)
    assert set(listed["residual_level"]) == {busiest.level_band}


def test_filters_narrow_counts(demo_db: Database) -> None:
    org = risks.RiskFilter(org_wide=True)
    assert risks.count(demo_db, TODAY, org) == demo_db.scalar(
        "SELECT count(*) FROM risks WHERE ai_system_id IS NULL")
    high = risks.RiskFilter(levels=("High", "Critical"), statuses=("open", "treating"))
    listed = risks.register(demo_db, TODAY, high)
    assert set(listed["current_level"]) <= {"High", "Critical"}
    assert set(listed["status"]) <= {"open", "treating"}


def test_my_risks_first_with_overdue_reviews_on_top(demo_db: Database) -> None:
    listed = risks.register(demo_db, TODAY, risks.RiskFilter(), me="Tom Becker")
    mine = listed["owner"] == "Tom Becker"
    assert mine.iloc[:int(mine.sum())].all()
    flags = list(listed.loc[mine, "review_overdue"] | listed.loc[mine, "acceptance_due"])
    assert flags == sorted(flags, reverse=True)


def test_expired_acceptance_is_due_and_renewal_clears_it(demo_db: Database) -> None:
    due = risks.acceptances_due(demo_db, TODAY)
    expected = demo_db.query_rows(
        "SELECT r.id FROM risks r WHERE r.status = 'accepted' AND coalesce((SELECT "
        "arg_max(expires_on, approved_on) FROM risk_acceptances a WHERE a.risk_id = r.id), "
        "DATE '1900-01-01') < ? ORDER BY r.id", [TODAY])
    assert sorted(due["risk_id"]) == [r[0] for r in expected] and len(expected) >= 1
    renewed = int(due["risk_id"].iloc[0])
    assert apply_changes(demo_db, "risk_acceptances", [RowChange("insert", {
        "risk_id": renewed, "approved_by": "Daniel Price", "approved_on": TODAY,
        "justification": "Still within tolerance", "expires_on": TODAY + timedelta(days=365),
    })], Actor("Daniel Price")).ok
    assert renewed not in set(risks.acceptances_due(demo_db, TODAY)["risk_id"])


def test_impact_raised_as_risk_once_and_linked_both_ways(demo_db: Database) -> None:
    impact_id = demo_db.scalar("SELECT min(id) FROM impacts i WHERE NOT EXISTS "
                               "(SELECT 1 FROM risks r WHERE r.impact_id = i.id)")
    result = risks.raise_impact_as_risk(demo_db, impact_id, "Priya Shah", TODAY,
                                       Actor("Sarah Klein"))
    assert result.ok, result.errors
    risk_id = result.inserted[0]
    row = demo_db.query_rows(
        "SELECT r.impact_id, r.ai_system_id = a.ai_system_id, r.inherent_impact = i.severity, "
        "r.inherent_likelihood = i.likelihood, r.owner FROM risks r "
        "JOIN impacts i ON i.id = r.impact_id "
        "JOIN impact_assessments a ON a.id = i.impact_assessment_id WHERE r.id = ?",
        [risk_id])[0]
    assert row == (impact_id, True, True, True, "Priya Shah")
    again = risks.raise_impact_as_risk(demo_db, impact_id, "Priya Shah", TODAY,
                                       Actor("Sarah Klein"))
    assert not again.ok and f"already raised as risk {risk_id}" in str(again.errors[0])
    # An impact with a risk cannot be deleted from under it.
    version = demo_db.scalar("SELECT version FROM impacts WHERE id = ?", [impact_id])
    blocked = apply_changes(demo_db, "impacts", [RowChange("delete", row_id=impact_id,
                                                           expected_version=version)], Actor("A"))
    assert "still used by 1 row(s) of risks" in str(blocked.errors[0])


def test_movement_counts_every_live_risk(demo_db: Database) -> None:
    table = risks.movement(demo_db, TODAY, risks.RiskFilter())
    assert int(table.to_numpy().sum()) == demo_db.scalar(
        "SELECT count(*) FROM risks WHERE status <> 'closed'")
