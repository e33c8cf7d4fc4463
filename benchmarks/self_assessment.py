"""Print the server time of one self-assessment answer + the next question, on the demo and
on a large generated organisation, and their ratio (the issue asks for at most 2×).

Each answer is a click on a level button through Streamlit's AppTest (the whole page runs:
a browser reruns only the question's fragment, so this is an upper bound). The first
answers warm the caches; the median of the rest is printed.

Usage: python benchmarks/self_assessment.py [--systems 2000] [--answers 12]
Figures only; no assertion. Compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from aims_core import bootstrap  # noqa: E402
from aims_core.auth.actor import Actor  # noqa: E402
from aims_core.demo.common import AIMS_OWNER  # noqa: E402
from aims_core.self_assessment import bank, sessions  # noqa: E402

WARM_UP = 2


def _prepare(path: Path, systems: int | None) -> int:
    """A database (the demo, or ``systems`` generated) with a fresh quick session."""
    if systems is None:
        db = bootstrap.init_database(path, "demo")
    else:
        db = bootstrap.open_database(path)
        bootstrap.generate_into(db, systems)
    result = sessions.start(db, Actor("benchmark"), title="Benchmark", held_on=date.today(),
                            mode="quick", facilitator=AIMS_OWNER)
    db.close()
    if not result.ok:
        raise SystemExit(f"could not start a session: {result.errors}")
    return result.inserted[0]


def answer_times(path: Path, session_id: int, answers: int) -> list[float]:
    """Seconds per answer click (each runs the page and shows the next question)."""
    os.environ["AIMS_DB"] = str(path)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/self_assessment.py").run()
    at.sidebar.selectbox(key="identity_name").set_value(AIMS_OWNER).run()
    picker = next(b for b in at.selectbox if b.key.startswith("sa_session_choice"))
    picker.set_value(session_id).run()
    times = []
    for n in range(answers + WARM_UP):
        started = time.perf_counter()
        at.button(key=f"sa_{session_id}_L{n % 6}").click().run()
        times.append(time.perf_counter() - started)
        if at.exception:
            raise SystemExit(f"the page failed: {at.exception}")
    given = at.session_state[f"sa_{session_id}_question"]
    assert given == bank.load().for_mode("quick")[answers + WARM_UP].id, given
    return times[WARM_UP:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--systems", type=int, default=2000)
    parser.add_argument("--answers", type=int, default=12)
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, systems in (("demo (12 systems)", None),
                               (f"generated ({args.systems} systems)", args.systems)):
            path = Path(tmp) / f"{systems or 'demo'}.duckdb"
            session_id = _prepare(path, systems)
            times = answer_times(path, session_id, args.answers)
            figures[label] = statistics.median(times)
            print(f"{'answer + next question, ' + label:<58} "
                  f"{figures[label] * 1000:8.1f} ms (median of {len(times)}, "
                  f"max {max(times) * 1000:.1f} ms)")
    demo, large = figures.values()
    print(f"{'ratio large / demo (target: at most 2x)':<58} {large / demo:8.2f}x")


if __name__ == "__main__":
    main()
