"""The figures of the last fuzz, concurrency and fault run, as the README prints them.

    .venv/bin/python benchmarks/reliability.py

The suites (tests/test_fuzz_*.py, test_concurrency.py, test_faults.py,
test_browser_user_text.py) write their counts to test-artifacts/reliability.json as they
run; ``make test`` runs them all.
"""

from __future__ import annotations

import json
from pathlib import Path

FIGURES = Path(__file__).resolve().parents[1] / "test-artifacts" / "reliability.json"

ROWS = (  # (suite, what, count keys added up)
    ("fuzz_values", "values tried on every field of every register", ("tried",)),
    ("fuzz_values", "… refused in words", ("refused",)),
    ("fuzz_values", "… stored exactly as intended", ("accepted",)),
    ("fuzz_values", "… crashed, stored although invalid, or bent",
     ("crashed", "accepted_invalid", "bent")),
    ("fuzz_values", "pages rendered over the accepted values", ("pages_rendered",)),
    ("fuzz_kpi_files", "KPI value files tried", ("tried",)),
    ("fuzz_kpi_files", "… imported / refused naming each bad row / refused as a file",
     ("imported", "refused", "file_refused")),
    ("fuzz_kpi_files", "… crashed", ("crashed",)),
    ("fuzz_export_dirs", "export directories tried (damaged or sound)", ("tried",)),
    ("fuzz_export_dirs", "… refused whole / imported exactly / crashed",
     ("refused", "imported", "crashed")),
    ("concurrency", "threads editing three rows / their stale-version edits",
     ("thread_sessions", "thread_edits")),
    ("concurrency", "… applied / merged on top / reported as a conflict",
     ("thread_applied", "thread_merged", "thread_reported")),
    ("concurrency", "Streamlit sessions saving one row at once / saved first / merged",
     ("app_sessions", "app_saved_first", "app_merged")),
    ("concurrency", "… told of a conflict and chose / told again (someone chose first)",
     ("app_conflicts_reported", "app_conflicts_reported_again")),
    ("concurrency", "updates lost (threads, sessions)", ("updates_lost", "app_updates_lost")),
    ("faults", "kill -9 during import, init --force, saves, generation, upgrade: survived",
     ("kills_survived",)),
    ("user_text", "pages walked in Chromium with markup in every name / requests elsewhere",
     ("pages_checked", "external_requests")),
)


def table(figures: dict[str, dict[str, int]]) -> str:
    lines = ["| what | count |", "|---|---|"]
    for suite, what, keys in ROWS:
        counts = figures.get(suite, {})
        lines.append(f"| {what} | {' / '.join(f'{counts.get(k, 0):,}' for k in keys)} |")
    stamps = sorted({f.get("recorded_at", "") for f in figures.values()} - {""})
    if stamps:
        lines.append(f"\nRecorded {stamps[0]} – {stamps[-1]}.")
    return "\n".join(lines)


def main() -> None:
    if not FIGURES.exists():
        raise SystemExit(f"no figures yet: run the tests first ({FIGURES} is written by them)")
    print(table(json.loads(FIGURES.read_text())))


if __name__ == "__main__":
    main()
