"""Bulk writes: a 20,000-value KPI import, and what a person saving one cell meanwhile waits.

    .venv/bin/python benchmarks/writes.py [--values 20000] [--systems 12]

Prints the import's time (file checks and the write), how long it held the write lock,
and how long a one-cell save waited that was started the moment the import's write began.
Uses only the public API, so the same script measures an older checkout (copy it into the
checkout's ``benchmarks/`` and run it there) for a before/after comparison.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

from aims_core.auth.actor import Actor  # noqa: E402
from aims_core.bootstrap import generate_into, init_database  # noqa: E402
from aims_core.performance.kpi_import import import_measurements  # noqa: E402
from aims_core.records.writes import RowChange, apply_changes  # noqa: E402

ACTOR = Actor("benchmark", channel="cli")


def _values_file(db: object, values: int) -> bytes:
    """``values`` measurements over the measured KPIs, one per KPI and day, as a CSV."""
    kpis = [r[0] for r in db.query_rows("SELECT id FROM kpis WHERE kind = 'measured' "
                                        "ORDER BY id")]
    days = -(-values // len(kpis))
    start = date.today() - timedelta(days=days + 400)
    rows = [(kpis[n % len(kpis)], (start + timedelta(days=n // len(kpis))).isoformat(),
             round(0.5 + (n % 97) / 200, 4)) for n in range(values)]
    frame = pd.DataFrame(rows, columns=["kpi", "measured_on", "value"])
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def _watch_writes(db: object, writing: threading.Event, held: list[float]) -> None:
    """Note when each write transaction starts and how long it holds the write lock."""
    transaction = db.transaction

    @contextmanager
    def watched() -> Iterator[object]:
        with transaction() as cur:
            writing.set()
            begin = time.perf_counter()
            yield cur
        held.append(time.perf_counter() - begin)

    db.transaction = watched


def _one_cell_save(db: object, waits: list[float], writing: threading.Event) -> None:
    row_id, version = db.query_rows("SELECT id, version FROM ai_systems ORDER BY id LIMIT 1")[0]
    writing.wait()  # the import's write has just begun
    begin = time.perf_counter()
    result = apply_changes(db, "ai_systems", [RowChange(
        "update", {"department": f"Dept {time.time_ns()}"}, row_id=row_id,
        expected_version=version)], Actor("Ana"))
    waits.append(time.perf_counter() - begin)
    assert result.ok, result.errors


def run(values: int, systems: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = init_database(Path(tmp) / "bench.duckdb", "demo")
        if systems > 12:
            generate_into(db, systems)
        data = _values_file(db, values)
        waits: list[float] = []
        held: list[float] = []
        writing = threading.Event()
        _watch_writes(db, writing, held)
        other = threading.Thread(target=_one_cell_save, args=(db, waits, writing))
        other.start()
        begin = time.perf_counter()
        report = import_measurements(db, data, "values.csv", ACTOR)
        took = time.perf_counter() - begin
        other.join()
        assert report.write is not None and report.write.ok, report.problems[:3]
        stored = db.scalar("SELECT count(*) FROM kpi_measurements WHERE source = 'imported'")
        again = time.perf_counter()
        unchanged = import_measurements(db, data, "values.csv", ACTOR)
        second = time.perf_counter() - again
        db.close()
    print(f"KPI import of {values:,} values ({len(data) / 1e6:.1f} MB CSV, {systems} systems):")
    print(f"  first import (all new)      {took:7.2f} s   ({stored:,} rows stored)")
    print(f"  write lock held by it       {held[0]:7.2f} s")
    print(f"  a one-cell save started as its write began waited {waits[0]:.2f} s")
    print(f"  same file again (unchanged) {second:7.2f} s   "
          f"({unchanged.write.changed} rows rewritten)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--values", type=int, default=20_000)
    parser.add_argument("--systems", type=int, default=12)
    args = parser.parse_args()
    run(args.values, args.systems)


if __name__ == "__main__":
    main()
