"""Print timings of generation and of the aggregate queries the pages run, at scale.

Usage: python benchmarks/scale.py [--systems 2000] [--keep PATH]
Figures only; no assertion. Compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aims_core import bootstrap
from aims_core.auth.actor import Actor
from aims_core.compliance import clause_evidence, soa
from aims_core.dashboard import overview, schedule
from aims_core.improvement import actions, audits, incidents, legal_clocks, nonconformities
from aims_core.improvement.figures import figures as improvement_figures
from aims_core.inventory import revalidation
from aims_core.management_system import context, documents, roles, training
from aims_core.performance import kpis
from aims_core.risk import risks
from aims_core.storage.database import Database
from aims_core.storage.filters import ColumnFilter
from aims_core.storage.transfer import export_database


def timed(label: str, func: Callable[[], object], repeat: int = 3) -> object:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - started)
    print(f"{label:<48} {best * 1000:9.1f} ms (best of {repeat})")
    return result


def _improvement(db: Database, today: date) -> None:
    """The improvement pages' reads: one page of each register, the legal clocks, the
    figures of the Overview tile and the KPIs."""
    everything = ColumnFilter()
    page = incidents.register(db, everything, me="Priya Shah", limit=100)
    timed("incidents page (100 rows, mine first)",
          lambda: incidents.register(db, everything, me="Priya Shah", limit=100))
    timed("reporting clocks of one page of incidents",
          lambda: legal_clocks.reporting(db, [int(i) for i in page["id"]]))
    timed("running reporting clocks (schedule source)", lambda: legal_clocks.running(db, today))
    timed("nonconformities page (100 rows, mine first)",
          lambda: nonconformities.register(db, today, everything, me="Priya Shah", limit=100))
    timed("audit programme page (100 rows)",
          lambda: audits.programme(db, today, everything, limit=100))
    timed("actions page (100 rows, mine first, overdue on top)",
          lambda: actions.register(db, today, everything, me="Priya Shah", limit=100))
    timed("improvement figures (Overview tile, KPIs)",
          lambda: improvement_figures(db, today))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--systems", type=int, default=2000)
    args = parser.parse_args()
    today = date.today()
    with tempfile.TemporaryDirectory() as tmp:
        db = bootstrap.open_database(Path(tmp) / "bench.duckdb")
        started = time.perf_counter()
        counts = bootstrap.generate_into(db, args.systems)
        print(f"{'generate ' + str(args.systems) + ' systems':<48} "
              f"{(time.perf_counter() - started) * 1000:9.1f} ms (once)")
        for table in ("ai_systems", "risks", "risk_controls", "risk_acceptances", "impacts",
                      "kpi_measurements", "incidents", "nonconformities", "actions", "audits",
                      "documents", "aims_roles", "training_records",
                      "change_log"):
            print(f"  {table:<46} {counts[table]:>9,} rows")
        timed("overview headline", lambda: overview.headline(db, today))
        timed("systems by EU AI Act category", lambda: overview.systems_by_category(db))
        timed("open risks by level", lambda: overview.open_risks_by_level(db))
        timed("re-validation schedule", lambda: revalidation.revalidation_schedule(db, today))
        timed("AI systems page (100 rows, filtered by owner)", lambda: db.query_df(
            "SELECT * FROM ai_systems WHERE owner IN (SELECT unnest(?)) ORDER BY id LIMIT 100",
            [["Priya Shah"]]))
        everything = risks.RiskFilter()
        timed("risk heatmap counts (residual, all risks)",
              lambda: risks.matrix_counts(db, today, everything, "residual"))
        timed("risk register page (100 rows, my risks first)",
              lambda: risks.register(db, today, everything, me="Priya Shah", limit=100))
        timed("risk movement inherent -> residual", lambda: risks.movement(db, today, everything))
        timed("schedule of every due date", lambda: schedule.due_dates(db, today))
        timed("SoA coverage by objective (standing)", lambda: soa.coverage(db, today))
        timed("SoA table with crosswalks and flags", lambda: soa.soa_table(db, today))
        timed("changes since the last management review",
              lambda: overview.changes_since_last_review(db, today))
        status = timed("KPI page: latest status of every KPI", lambda: kpis.kpi_status(db))
        first_page = [int(i) for i in status["id"][:8]]
        timed("KPI page: series of one page of 8 KPIs",
              lambda: kpis.measurements(db, first_page))
        timed("KPIs in red (Overview)", lambda: kpis.kpis_in_red(db))
        timed("snapshot of the computed KPIs",
              lambda: kpis.take_snapshot(db, today, Actor("bench")))
        _improvement(db, today)
        timed("documents page (50 rows, AI policy first)",
              lambda: documents.register(db, today, limit=50))
        timed("documents: reviews due (count)", lambda: documents.count(
            db, today, documents.DocumentFilter(review_due_only=True)))
        timed("evidence document choices (SoA picker)", lambda: documents.choices(db))
        timed("roles page (50 rows, required competences)",
              lambda: roles.register(db, today, limit=50))
        timed("competence gap counts", lambda: training.gap_counts(db, today))
        timed("gaps by person (50 rows)", lambda: training.gaps_by_person(db, today, 50))
        timed("training records page (50 rows)", lambda: training.records(db, today, limit=50))
        timed("AI literacy coverage", lambda: training.ai_literacy(db, today))
        timed("context changes since the last review",
              lambda: context.changes_since(db, today.replace(year=today.year - 1)))
        timed("clause evidence per subclause", lambda: clause_evidence.backing(db, today))
        timed("export every table to Parquet", lambda: export_database(db, Path(tmp) / "x"),
              repeat=1)
        db.close()


if __name__ == "__main__":
    main()
