"""Print timings of the running service's operations at a large generated organisation:
the daily KPI snapshot, a backup (the checkpointed copy chosen, against DuckDB's EXPORT
DATABASE and COPY FROM DATABASE), a restore, and an API post of 10,000 KPI values to a real
server.py over HTTP (JSON, then the same again, then CSV).

Usage: python benchmarks/operations.py [--systems 2000] [--values 10000]
Figures only; no assertion. Compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aims_core import bootstrap  # noqa: E402
from aims_core.api.tokens import create_token  # noqa: E402
from aims_core.auth.actor import Actor  # noqa: E402
from aims_core.performance import kpis  # noqa: E402
from aims_core.storage import backup  # noqa: E402
from tests.browser_kit import start_server  # noqa: E402

BENCH = Actor("benchmark")


def timed(label: str, func: Callable[[], object], repeat: int = 1) -> object:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - started)
    runs = f"best of {repeat}" if repeat > 1 else "once"
    print(f"{label:<58} {best * 1000:10.1f} ms ({runs})", flush=True)
    return result


def _export_database(db: bootstrap.Database, target: Path) -> None:
    db.cursor().execute(f"EXPORT DATABASE '{target}' (FORMAT parquet, COMPRESSION zstd)")


def _copy_from_database(db: bootstrap.Database, target: Path) -> None:
    cur = db.cursor()
    name = cur.execute("SELECT current_database()").fetchall()[0][0]
    cur.execute(f"ATTACH '{target}' AS bench_copy")
    cur.execute(f"COPY FROM DATABASE {name} TO bench_copy")
    cur.execute("DETACH bench_copy")


def _backups(db: bootstrap.Database, tmp: Path) -> Path:
    print("backup")
    timed("  checkpointed copy under the write lock (lock held)",
          lambda: db.copy_files_to(tmp / f"lock-{time.perf_counter_ns()}"), repeat=3)
    made = timed("  complete backup: copy, check, gzip -1 (chosen)",
                 lambda: backup.take_backup(db, tmp / "backups", "manual"), repeat=3)
    size = db.path.stat().st_size
    print(f"  {'file / backup size':<56} {size / 1e6:8.1f} MB / {made.size / 1e6:.1f} MB")
    counter = iter(range(100))
    timed("  EXPORT DATABASE to Parquet (zstd)",
          lambda: _export_database(db, tmp / f"export-{next(counter)}"), repeat=3)
    timed("  COPY FROM DATABASE to a new file",
          lambda: _copy_from_database(db, tmp / f"copy-{next(counter)}.duckdb"), repeat=3)
    return made.path


def _post(url: str, token: str, body: bytes, kind: str) -> dict:
    request = urllib.request.Request(f"{url}/api/v1/kpi-values", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": kind})
    with urllib.request.urlopen(request, timeout=3600) as reply:
        return json.loads(reply.read())


def _api_post(db_path: Path, tmp: Path, values: int) -> None:
    with bootstrap.open_database(db_path) as db:
        token, _ = create_token(db, BENCH, "benchmark pipeline", ["kpi:write"])
        ids = [r[0] for r in db.query_rows("SELECT id FROM kpis WHERE kind = 'measured' "
                                           "ORDER BY id LIMIT 100")]
    days = -(-values // len(ids))
    start = date.today() - timedelta(days=days + 400)
    rows = [{"kpi": k, "measured_on": (start + timedelta(days=d)).isoformat(),
             "value": round(0.1 + 0.001 * d, 4)} for k in ids for d in range(days)][:values]
    settings = tmp / "settings.toml"
    settings.write_text("[jobs]\nenabled = false\n[api]\nmax_body_mb = 50\n")
    server = start_server(db_path, tmp / "server.log", secrets=settings)
    try:
        print(f"API post of {len(rows):,} KPI values (server.py over HTTP)")
        body = json.dumps(rows).encode()
        first = timed("  JSON, new values", lambda: _post(server.url, token, body,
                                                           "application/json"))
        print(f"  {'':<56} {first['added']:,} added")
        again = timed("  the same JSON again (idempotent)",
                      lambda: _post(server.url, token, body, "application/json"))
        print(f"  {'':<56} {again['unchanged']:,} unchanged")
        csv = "kpi,measured_on,value\n" + "".join(
            f"{r['kpi']},{r['measured_on']},{r['value'] + 1}\n" for r in rows)
        changed = timed("  CSV, every value changed",
                        lambda: _post(server.url, token, csv.encode(), "text/csv"))
        print(f"  {'':<56} {changed['replaced']:,} replaced")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--systems", type=int, default=2000)
    parser.add_argument("--values", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        db_path = tmp / "bench.duckdb"
        with bootstrap.open_database(db_path) as db:
            timed(f"generate {args.systems} systems", lambda: bootstrap.generate_into(
                db, args.systems))
            timed("daily KPI snapshot", lambda: kpis.take_snapshot(db, date.today(), BENCH),
                  repeat=3)
            made = _backups(db, tmp)
            target = tmp / "restore-target.duckdb"
        shutil.copyfile(db_path, target)
        with bootstrap.open_database(target) as other:
            timed("restore the backup (safety backup, check, replace)",
                  lambda: backup.restore_into(other, made, tmp / "restore-backups"))
        _api_post(db_path, tmp, args.values)


if __name__ == "__main__":
    main()
