"""Many people editing the same rows at once: threads on the server's one database, and real
Streamlit sessions (AppTest runs of the app, sharing the process's database as browser
sessions do).

What must hold: no lost update (a value someone saved is only ever replaced by a writer who
had seen it, or by one who chose to, after being shown both); every conflict reported;
exactly one change-log entry per applied change, each 'before' equal to the row as the
previous entry left it. Counts go to test-artifacts/reliability.json for the README.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest

from aims_core.auth.actor import Actor
from aims_core.records.writes import RowChange, apply_changes
from aims_core.storage.database import Database
from aims_core.ui.text import md_unescape
from tests.apptest_kit import open_page
from tests.fuzz_kit import Tally

SESSIONS = 20
EDITS_PER_THREAD = 101  # 2,020 stale-version edits in all
ROWS = (1, 2, 3)  # few rows, so that edits collide
FIELDS = ("purpose", "department", "model_version", "human_oversight", "affected_people")
PEOPLE = ("Ben Okafor", "Julia Hart", "Lena Novak", "Marco Rossi", "Priya Shah",
          "Sarah Klein", "Tom Becker")
tally = Tally("concurrency")


@dataclass
class Edit:
    author: str
    row_id: int
    field: str
    seen: object  # the field's value when the writer loaded the row
    value: str
    outcome: str = ""


def _log_chain(db: Database, row_ids: tuple[int, ...],
               since: int = 0) -> dict[int, list[dict]]:
    """Each row's change-log entries after entry ``since`` (and the one before, to chain)."""
    chains: dict[int, list[dict]] = {row_id: [] for row_id in row_ids}
    for row_id, operation, who, before, after in db.query_rows(
            "SELECT row_id, operation, changed_by, before_json, after_json FROM change_log l "
            "WHERE table_name = 'ai_systems' AND row_id IN (SELECT unnest(?)) AND id >= "
            "(SELECT coalesce(max(p.id), 0) FROM change_log p WHERE p.table_name = "
            "'ai_systems' AND p.row_id = l.row_id AND p.id <= ?) ORDER BY id",
            [list(row_ids), since]):
        chains[row_id].append({"operation": operation, "who": who,
                               "before": json.loads(before) if before else None,
                               "after": json.loads(after)})
    return chains


def _last_log_id(db: Database) -> int:
    return db.scalar("SELECT coalesce(max(id), 0) FROM change_log")


def _plain(value: object) -> object:
    return None if value is None or value != value or value is pd.NA else value


def _check_history(db: Database, edits: list[Edit], since: int) -> None:
    """No lost update, and one log entry per applied change, chained without gaps."""
    chains = _log_chain(db, ROWS, since)
    by_value = {(e.row_id, e.field, e.value): e for e in edits}
    applied = 0
    for row_id, chain in chains.items():
        current = db.query_df("SELECT * FROM ai_systems WHERE id = ?", [row_id]).iloc[0]
        for previous, entry in pairwise(chain):
            assert entry["before"] == previous["after"], "a change was logged on a stale row"
        assert chain[-1]["after"]["version"] == int(current["version"])
        for entry in chain[1:]:  # the first is the state before the test
            changed = [f for f in FIELDS if entry["before"][f] != entry["after"][f]]
            for field in changed:
                edit = by_value.get((row_id, field, entry["after"][field]))
                assert edit is not None and edit.outcome in ("applied", "merged")
                # The overwritten value was the one this writer had seen: nothing lost.
                assert entry["before"][field] == edit.seen, (field, entry, edit)
                applied += 1
    assert applied == sum(e.outcome in ("applied", "merged") for e in edits)
    tally.add("updates_lost", 0)


def test_twenty_threads_of_stale_edits_lose_nothing(demo_db: Database) -> None:
    edits: list[Edit] = []
    since = _last_log_id(demo_db)
    start = threading.Barrier(SESSIONS)

    def work(number: int) -> None:
        rng = random.Random(number)
        author = PEOPLE[number % len(PEOPLE)]
        start.wait()
        for seq in range(EDITS_PER_THREAD):
            row_id, field = rng.choice(ROWS), rng.choice(FIELDS)
            row = demo_db.query_df("SELECT * FROM ai_systems WHERE id = ?",
                                   [row_id]).iloc[0].to_dict()
            for _ in range(rng.randint(0, 3)):  # others save meanwhile: the version goes stale
                threading.Event().wait(0.0005)
            edit = Edit(author, row_id, field, _plain(row[field]), f"{author} #{number}.{seq}")
            result = apply_changes(demo_db, "ai_systems", [RowChange(
                "update", {field: edit.value}, row_id=row_id,
                expected_version=int(row["version"]),
                base={f: _plain(row[f]) for f in FIELDS})], Actor(author))
            if result.ok:
                edit.outcome = "merged" if result.merged else "applied"
            else:
                assert result.field_conflicts or result.conflicts, result.errors
                conflict = result.field_conflicts[0]
                assert (conflict.field, conflict.yours) == (field, edit.value)
                edit.outcome = "reported"
            edits.append(edit)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(SESSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(edits) == SESSIONS * EDITS_PER_THREAD
    _check_history(demo_db, edits, since)
    outcomes = {kind: sum(e.outcome == kind for e in edits)
                for kind in ("applied", "merged", "reported")}
    assert outcomes["merged"] > 0 and outcomes["reported"] > 0, outcomes
    tally.add("thread_sessions", SESSIONS)
    tally.add("thread_edits", len(edits))
    for kind, count in outcomes.items():
        tally.add(f"thread_{kind}", count)
    tally.save()


def _editor_save(at: object, edits: dict) -> None:
    at.session_state["ai_systems_editor_0"] = {"edited_rows": edits, "added_rows": [],
                                               "deleted_rows": []}
    at.button(key="ai_systems_save").click()


def _restore_format_functions(at: object) -> None:
    """AppTest keeps each widget's format function in the session's state as the script
    draws it; runs of several AppTests at the same moment may file a radio's under another
    session. Give back what the app's function gave: the labels it drew, in order."""
    from streamlit.testing.v1.element_tree import TESTING_KEY

    functions = at.session_state[TESTING_KEY]
    for radio in at.radio:
        if radio.id not in functions:
            labels = dict(zip(("yours", "theirs"), radio.options, strict=True))
            functions[radio.id] = labels.get


def test_twenty_streamlit_sessions_saving_at_once_merge_or_choose(demo_path: Path) -> None:
    """Each session loads the AI systems, edits a field of system 1 (some the same field,
    some another) and all press Save at once; then each one told of a conflict chooses."""
    from aims_core.ui.session import get_db

    sessions = [open_page("pages/ai_systems.py", PEOPLE[n % len(PEOPLE)])
                for n in range(SESSIONS)]
    since = _last_log_id(get_db())
    fields = [FIELDS[n % 3] for n in range(SESSIONS)]  # three fields, many on each
    for n, at in enumerate(sessions):
        _editor_save(at, {0: {fields[n]: f"session {n}"}})
    start = threading.Barrier(SESSIONS)
    failures: list[BaseException] = []

    def save(at: object) -> None:
        start.wait()
        try:
            at.run()
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=save, args=(at,)) for at in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    saved, choosing = [], []
    for n, at in enumerate(sessions):
        assert not at.exception, at.exception
        if any("AI system changes saved" in md_unescape(s.value) for s in at.success):
            saved.append(n)
        else:
            radios = [r for r in at.radio if r.key.startswith("ai_systems_keep_1_")]
            assert radios, [md_unescape(w.value) for w in at.warning + at.error]
            options = [md_unescape(o) for r in radios for o in r.options]
            assert f"Keep yours: 'session {n}'" in options, options
            choosing.append(n)
    assert len(saved) == 3  # the first to save each of the three fields
    merged = sum("saved on top" in md_unescape(s.value) for n in saved
                 for s in sessions[n].success)
    insisted = list(saved)
    for position, n in enumerate(choosing):  # half keep their own value, half the other's
        at, keep = sessions[n], "yours" if position % 2 == 0 else "theirs"
        _restore_format_functions(at)
        for _ in range(SESSIONS):  # someone else may insist first: then choose again
            at.radio(key=f"ai_systems_keep_1_{fields[n]}").set_value(keep)
            at.button(key="ai_systems_resolve").click().run()
            assert not at.exception and not at.error, [e.value for e in at.error]
            if not [r for r in at.radio if r.key.startswith("ai_systems_keep_1_")]:
                break
            tally.add("app_conflicts_reported_again")
        if keep == "yours":
            insisted.append(n)
    from aims_core.ui.session import get_db

    db = get_db()
    final = db.query_df("SELECT * FROM ai_systems WHERE id = 1").iloc[0]
    chain = _log_chain(db, (1,), since)[1]
    for previous, entry in pairwise(chain):
        assert entry["before"] == previous["after"]
    for field in set(fields):  # every insisting session wrote once, in order: none lost
        written = [e["after"][field] for e in chain[1:] if e["before"][field] !=
                   e["after"][field]]
        assert written == [f"session {n}" for n in insisted if fields[n] == field], field
        assert final[field] == written[-1]
    tally.add("app_sessions", SESSIONS)
    tally.add("app_saved_first", len(saved))
    tally.add("app_merged", merged)
    tally.add("app_conflicts_reported", len(choosing))
    tally.add("app_updates_lost", 0)
    tally.save()


@pytest.mark.parametrize(("field", "value"), [("purpose", "Mine"), ("owner", "Lena Novak")])
def test_a_merged_save_keeps_both_peoples_changes(demo_db: Database, field: str,
                                                  value: str) -> None:
    row = demo_db.query_df("SELECT * FROM ai_systems WHERE id = 2").iloc[0].to_dict()
    assert apply_changes(demo_db, "ai_systems", [RowChange(
        "update", {"department": "Theirs"}, row_id=2, expected_version=int(row["version"]))],
        Actor("Daniel Price")).ok
    mine = apply_changes(demo_db, "ai_systems", [RowChange(  # no base: the history tells
        "update", {field: value}, row_id=2, expected_version=int(row["version"]))],
        Actor("Sarah Klein"))
    assert mine.ok and "(Department); your edits" in mine.merged[0].message, mine.errors
    stored = demo_db.query_df("SELECT * FROM ai_systems WHERE id = 2").iloc[0]
    assert (stored["department"], stored[field]) == ("Theirs", value)
