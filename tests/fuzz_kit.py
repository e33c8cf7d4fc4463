"""What the fuzz, concurrency and fault suites share: hostile values with what must become of
them, an oracle of what a stored value may be (written from the rules as the README states
them, not from the validation code), and the figures each suite records for the README.

A generated case is ``(raw value, expectation, intended)``: ``"refuse"`` (it must never be
stored), ``"accept"`` (if it is stored, it must be stored as ``intended``: nothing bent) or
``"any"`` (only the oracle judges what is stored).
"""

from __future__ import annotations

import json
import math
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

from aims_core.records.fields import MULTI_SEPARATOR, Field, Register

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "test-artifacts" / "reliability.json"
FLOAT_LIMIT = 1e15
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2200, 12, 31)
INTEGER = {"INTEGER": 2**31 - 1, "BIGINT": 2**63 - 1}
# Characters that show as nothing although Unicode calls them letters or marks.
INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u17b4", "\u17b5", "\u3164", "\uffa0", "\u034f"}

MARKUP = ["[click](https://evil.example/p)", "![x](https://evil.example/t.png)",
          "<img src=https://evil.example/i.png onerror=alert(1)>", "**bold** _it_",
          "# Heading", "$\\frac{1}{2}$", ":red[alarm] :material/home:", "<script>x()</script>",
          "=HYPERLINK(\"https://evil.example\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
          "https://evil.example", "www.evil.example", "&lt;b&gt;", "| a | b |", "> quote",
          "1. list", "- item", "`code`", "~~gone~~", "\\*", "   leading and trailing   "]
CONTROL = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\x0b", "\x0c"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202d", "\u2066",
             "\u2069", "\u200e", "\u200f", "\u061c", "\u00ad", "\u3164", "\U000e0041"]
LINE_BREAKS = ["\n", "\t", "\r\n", "\u2028"]


def _safe_alphabet() -> st.SearchStrategy[str]:
    return st.characters(categories=("L", "N", "P", "S", "Zs"),
                         exclude_characters=INVISIBLE_LETTERS | {"\u180e"})


def normalised(text: str, multiline: bool) -> str:
    if multiline:
        for line_break in ("\r\n", "\r", "\u2028", "\u2029"):
            text = text.replace(line_break, "\n")
    return unicodedata.normalize("NFC", text).strip()


@st.composite
def text_case(draw: st.DrawFn, spec: Field) -> tuple[Any, str, Any]:
    limit = spec.max_length or 2000
    base = draw(st.text(_safe_alphabet(), min_size=1, max_size=min(limit, 40)))
    kind = draw(st.sampled_from(["safe", "markup", "long", "control", "invisible", "break",
                                 "surrogate", "not text", "blank"]))
    if kind == "safe" or kind == "markup":
        raw = base if kind == "safe" else draw(st.sampled_from(MARKUP))
        value = normalised(raw, spec.is_multiline)
        if not value:
            return raw, "refuse" if spec.required else "accept", None
        if len(value) > limit:
            return raw, "refuse", None
        return raw, "accept", value
    if kind == "long":
        return "x" * (limit + draw(st.sampled_from([1, 2, 1000]))), "refuse", None
    cut = draw(st.integers(0, len(base)))
    if kind == "control":
        return base[:cut] + draw(st.sampled_from(CONTROL)) + base[cut:], "refuse", None
    if kind == "invisible":
        raw = "a" + base[:cut] + draw(st.sampled_from(INVISIBLE)) + base[cut:] + "z"
        if spec.is_name:
            return raw, "refuse", None
        value = normalised(raw, True)
        return raw, "accept" if len(value) <= limit else "refuse", value
    if kind == "break":
        raw = "a" + base[:cut] + draw(st.sampled_from(LINE_BREAKS)) + base[cut:] + "z"
        if not spec.is_multiline:
            return raw, "refuse", None
        value = normalised(raw, True)
        return raw, "accept" if len(value) <= limit else "refuse", value
    if kind == "surrogate":
        return base[:cut] + draw(st.sampled_from(["\ud800", "\udfff", "\udc00"])) + base[cut:], \
            "refuse", None
    if kind == "not text":
        return draw(st.sampled_from([3.5, True, [1], {"a": 1}, b"bytes", date(2026, 1, 1),
                                     float("nan")])), "any", None
    return draw(st.sampled_from(["", "   ", None])), "refuse" if spec.required else "accept", \
        None


def _decimal_text(number: float, comma: bool) -> str:
    text = repr(number)
    return text.replace(".", ",") if comma else text


@st.composite
def number_case(draw: st.DrawFn, spec: Field, sql_type: str) -> tuple[Any, str, Any]:
    whole = spec.kind == "int"
    low = spec.min_value if spec.min_value is not None else -math.inf
    high = spec.max_value if spec.max_value is not None else math.inf
    biggest = INTEGER.get(sql_type, INTEGER["BIGINT"]) if whole else FLOAT_LIMIT

    def verdict(value: float | int) -> tuple[str, Any]:
        if abs(value) > biggest or not low <= value <= high:
            return "refuse", None
        return ("any" if spec.reference else "accept"), (int(value) if whole else float(value))

    kind = draw(st.sampled_from(["typed", "text", "comma", "ambiguous", "grouped", "garbage",
                                 "huge", "special", "exotic"]))
    if kind == "typed":
        value = draw(st.integers(-1000, 1000) if whole else
                     st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: x + 0.0))
        return (value, *verdict(value))
    if kind in ("text", "comma"):
        value = draw(st.integers(-10**6, 10**6)) if whole else draw(
            st.floats(-1e9, 1e9, allow_nan=False).map(lambda x: x + 0.0))
        text = str(value) if whole else _decimal_text(value, kind == "comma")
        if kind == "comma" and "e" not in text:
            head, _, tail = text.lstrip("-").partition(",")
            if len(tail) == 3 and 1 <= len(head) <= 3 and not head.startswith("0"):
                return text, "refuse", None  # 1,234: thousand or decimal?
        return (text, *verdict(value))
    if kind == "ambiguous":
        head = draw(st.integers(1, 999))
        return f"{head},{draw(st.integers(0, 999)):03d}", "refuse", None
    if kind == "grouped":
        thousands, rest = draw(st.integers(1, 999)), draw(st.integers(0, 999))
        value = thousands * 1000 + rest
        text = draw(st.sampled_from([f"{thousands},{rest:03d}.5", f"{thousands}.{rest:03d},5",
                                     f"{thousands} {rest:03d},5"]))
        return (text, *verdict(value + 0.5)) if not whole else (text, "refuse", None)
    if kind == "garbage":
        return draw(st.sampled_from(["12x,5", "1_000", "0x10", "١٢٣", "3..2", "3,2,1", "1e",
                                     "--1", "½", "3 2", ",", ".", "1,2.3,4", "nan", "inf",
                                     "Infinity", "1e400", "-1e400"])), "refuse", None
    if kind == "huge":
        return draw(st.sampled_from([10**400, -(10**30), 2**31, 2**63, "1e30", 1e300, -1e16,
                                     "2147483648", Decimal("1e999"), 10**15 + 1])), "any", None
    if kind == "special":
        return draw(st.sampled_from([float("nan"), float("inf"), -math.inf, True, False,
                                     Decimal("NaN"), "1e-400", "", None])), "any", None
    return draw(st.sampled_from([np.int64(5), np.float32(2.5), np.int8(-3), np.bool_(True),
                                 [1, 2], {"v": 1}, b"12", date(2026, 1, 1)])), "any", None


@st.composite
def date_case(draw: st.DrawFn, spec: Field, today: date) -> tuple[Any, str, Any]:
    def verdict(day: date) -> tuple[str, Any]:
        if not DATE_MIN <= day <= DATE_MAX or (spec.not_after_today and day > today):
            return "refuse", None
        return "accept", day

    day = draw(st.dates(date(1, 1, 1), date(9999, 12, 31)) | st.dates(DATE_MIN, DATE_MAX))
    kind = draw(st.sampled_from(["iso", "object", "dotted", "day first", "ambiguous",
                                 "garbage", "time", "number"]))
    if kind == "iso":
        return (f"{day.year:04d}-{day.month:02d}-{day.day:02d}", *verdict(day))
    if kind == "object":
        return (day, *verdict(day))
    if kind == "dotted":
        return (f"{day.day:02d}.{day.month:02d}.{day.year:04d}", *verdict(day))
    if kind == "day first":
        if day.day <= 12 and day.day != day.month:
            return f"{day.day:02d}/{day.month:02d}/{day.year:04d}", "refuse", None
        return (f"{day.day:02d}/{day.month:02d}/{day.year:04d}", *verdict(day))
    if kind == "ambiguous":
        return f"{draw(st.integers(1, 12)):02d}/{draw(st.integers(1, 12)):02d}/2026", "any", None
    if kind == "garbage":
        return draw(st.sampled_from([f"{day.isoformat()}garbage", "2026-02-30", "31/02/2026",
                                     "2026-13-01", "tomorrow", "26-01-01", "2026/1/1 10:00",
                                     "", "0000-00-00"])), "any", None
    if kind == "time":
        return datetime(day.year, day.month, day.day, 13, 45), "refuse", None
    return draw(st.sampled_from([45000, 45000.5, True, [day]])), "refuse", None


@st.composite
def choice_case(draw: st.DrawFn, spec: Field) -> tuple[Any, str, Any]:
    codes = list(spec.choices or {})
    kind = draw(st.sampled_from(["code", "label", "other", "not text"]))
    if kind == "code":
        code = draw(st.sampled_from(codes))
        return code, "accept", code
    if kind == "label":
        code = draw(st.sampled_from(codes))
        label = spec.choices[code]
        return draw(st.sampled_from([label, label.upper(), f"  {label} "])), "accept", code
    if kind == "other":
        text = draw(st.text(_safe_alphabet(), min_size=1, max_size=20))
        return text, "any", None
    return draw(st.sampled_from([1, True, None, ["a"]])), "any", None


@st.composite
def multi_case(draw: st.DrawFn, spec: Field) -> tuple[Any, str, Any]:
    """A set of codes: a list or text of codes or labels, in any order, or something else."""
    codes = list(spec.choices or {})
    kind = draw(st.sampled_from(["list", "text", "labels", "unknown", "not a list"]))
    if kind == "unknown":
        return [*draw(st.lists(st.sampled_from(codes), max_size=2)),
                draw(st.text(_safe_alphabet(), min_size=1, max_size=12))], "any", None
    if kind == "not a list":
        return draw(st.sampled_from([1, True, 2.5, {"a": 1}])), "refuse", None
    picked = draw(st.lists(st.sampled_from(codes), max_size=len(codes)))
    stored = MULTI_SEPARATOR.join(c for c in codes if c in picked) or None
    expect = "refuse" if stored is None and spec.required else "accept"
    if kind == "list":
        return picked, expect, stored
    words = [spec.choices[c] if kind == "labels" else c for c in picked]
    return draw(st.sampled_from([", ", ";", " , "])).join(words), expect, stored


@st.composite
def bool_case(draw: st.DrawFn, spec: Field) -> tuple[Any, str, Any]:
    raw = draw(st.sampled_from([True, False, "yes", "No", "1", "0", "x", 1, 0, 2, "maybe",
                                np.bool_(False), 1.0, None]))
    meaning = {True: True, "yes": True, "1": True, "x": True,  # 1 is True, 0 is False
               False: False, "No": False, "0": False}
    if isinstance(raw, np.bool_):
        return raw, "accept", bool(raw)
    if raw is None:
        return raw, "refuse" if spec.required else "accept", None
    if isinstance(raw, str | bool | int) and not isinstance(raw, float) and raw in meaning:
        return raw, "accept", meaning[raw]
    return raw, "refuse", None


def case_for(spec: Field, sql_type: str, today: date) -> st.SearchStrategy:
    if spec.kind in ("int", "float"):
        return number_case(spec, sql_type)
    if spec.kind == "date":
        return date_case(spec, today)
    if spec.kind == "choice" and spec.choices:
        return choice_case(spec)
    if spec.kind == "multi" and spec.choices:
        return multi_case(spec)
    if spec.kind == "bool":
        return bool_case(spec)
    return text_case(spec)


# --- the oracle --------------------------------------------------------------------------
def text_problem(spec: Field, value: str) -> str | None:
    if value != unicodedata.normalize("NFC", value).strip():
        return "not normalised"
    if spec.max_length is not None and len(value) > spec.max_length:
        return "over its length limit"
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and char not in "\n\t"):
            return f"holds control character U+{ord(char):04X}"
        if not spec.is_multiline and (char in "\n\t\r" or category in ("Zl", "Zp")):
            return "holds a line break in a one-line field"
        if spec.is_name and (category in ("Cf", "Zl", "Zp") or char in INVISIBLE_LETTERS
                             or "\ufe00" <= char <= "\ufe0f"):
            return f"holds invisible U+{ord(char):04X} in a name"
    return None


def value_problem(spec: Field, value: Any, sql_type: str, today: date) -> str | None:
    """Why ``value`` must not be stored in ``spec`` (None: it may be)."""
    if value is None:
        return "required but empty" if spec.required else None
    if spec.kind in ("text", "choice"):
        if not isinstance(value, str):
            return "not text"
        if spec.choices and value not in spec.choices:
            return "not one of its codes"
        return text_problem(spec, value)
    if spec.kind == "multi":
        codes = list(spec.choices or {})
        parts = value.split(MULTI_SEPARATOR) if isinstance(value, str) else None
        if parts is None or parts != [c for c in codes if c in parts]:
            return "not its codes, each once, in their order"
        return None
    if spec.kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "not a number"
        if not math.isfinite(value) or abs(value) > (
                INTEGER.get(sql_type, INTEGER["BIGINT"]) if spec.kind == "int" else FLOAT_LIMIT):
            return "out of range"
        if (spec.min_value is not None and value < spec.min_value) or \
                (spec.max_value is not None and value > spec.max_value):
            return "beyond its minimum or maximum"
        return None
    if spec.kind == "date":
        if not isinstance(value, date) or isinstance(value, datetime):
            return "not a date"
        if not DATE_MIN <= value <= DATE_MAX:
            return "outside 1900-2200"
        return "in the future" if spec.not_after_today and value > today else None
    return None if isinstance(value, bool) else "not yes or no"


def row_problems(db: object, register: Register, row: dict[str, Any],
                 today: date) -> list[str]:
    """Everything wrong with a stored row: its values, date order, references, rules."""
    types = db.column_types(register.table)
    found = [f"{spec.name}: {problem}" for spec in register.fields
             if (problem := value_problem(spec, row.get(spec.name), types.get(spec.name, ""),
                                          today))]
    for spec in register.fields:
        if spec.not_before and row.get(spec.name) and row.get(spec.not_before) \
                and row[spec.name] < row[spec.not_before]:
            found.append(f"{spec.name}: before {spec.not_before}")
        ref = spec.reference
        if ref and row.get(spec.name) is not None and not db.scalar(
                f'SELECT count(*) FROM "{ref.table}" WHERE "{ref.column}" = ?',
                [row[spec.name]]):
            found.append(f"{spec.name}: refers to nothing")
    cur = db.cursor()
    found += [f"{name}: {message}" for rule in register.rules for name, message in
              rule(cur, row)]
    return found


# --- figures for the README --------------------------------------------------------------
@dataclass
class Tally:
    """Counts of one suite, safe to add to from threads."""

    name: str

    def __post_init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, key: str, n: int = 1) -> None:
        with self._lock:
            self.counts[key] = self.counts.get(key, 0) + n

    def save(self) -> None:
        """Merge these counts into the figures file (one section per suite)."""
        FIGURES.parent.mkdir(exist_ok=True)
        figures = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
        figures[self.name] = {**self.counts, "recorded_at": datetime.now().isoformat(
            timespec="seconds")}
        FIGURES.write_text(json.dumps(figures, indent=2, sort_keys=True))


# --- user text made of markup --------------------------------------------------------------
# Each payload carries a marker (PWN1 …) so that tests can find where it was shown.
PAYLOADS = (
    "[PWN1 click](https://evil.example/phish)",
    "![PWN2](https://evil.example/track.png)",
    "<img src=https://evil.example/PWN3.png onerror=\"window.__pwned=3\">",
    "**PWN4 bold** _it_ ~~gone~~",
    "# PWN5 heading",
    "$PWN6 \\frac{1}{2}$",
    ":red[PWN7] :material/home: :smile:",
    "<script>window.__pwned=8</script>PWN8",
    "<a href=\"https://evil.example/a\">PWN9</a>",
    "https://evil.example/PWN10 www.evil.example",
    "=HYPERLINK(\"https://evil.example\",\"PWN11\")",
    "PWN12 &amp; &#x1F600; <b>",
)
SHORT = "[PWN13](https://evil.example)"  # fits a KPI unit (40 characters)


def plant_payloads(db: object) -> None:
    """Give names, titles, people and authors of the demo's registers markup payloads,
    through the write path (they are valid text), the risk method's labels too."""
    from aims_core.auth import people
    from aims_core.auth.actor import Actor
    from aims_core.records.registry import REGISTERS
    from aims_core.records.writes import apply_changes
    from aims_core.risk import risk_method

    # Each person gets a payload of their own, with their role: who is who stays as it was,
    # so rules between people (segregation of duties) hold as they did.
    staff = db.query_rows("SELECT name, role FROM people ORDER BY id")
    renamed = {name: PAYLOADS[n % len(PAYLOADS)] + (f" {n // len(PAYLOADS)}"
                                                    if n >= len(PAYLOADS) else "")
               for n, (name, _) in enumerate(staff)}
    for name, role in staff:
        added = people.add(db, Actor("Sarah Klein"), renamed[name], role=role)
        assert added.ok, added.errors
    authors = [SHORT, *(f"{payload} author" for payload in PAYLOADS[:3])]
    for name in authors:
        assert people.add(db, Actor("Sarah Klein"), name, role="admin").ok

    def author(n: int) -> Actor:  # admins who own nothing (segregation of duties)
        return Actor(authors[n % len(authors)])

    for table, register in REGISTERS.items():
        if table == "people":  # the directory's names are the people planted above
            continue
        names = [spec for spec in register.fields if spec.kind == "text" and spec.editable
                 and spec.is_name and (spec.reference is None or spec.person)]
        if not names:
            continue
        while True:  # a field only a workflow changes (a document's version) keeps its value
            result = apply_changes(db, table, _payload_changes(db, table, names, renamed),
                                   author(len(table)))
            refused = {problem.field for problem in result.errors}
            kept = [spec for spec in names if spec.person or spec.label not in refused]
            if result.ok or kept == names:
                break
            names = kept
        assert result.ok, (table, result.errors[:3])
    method = risk_method.load_method(db)
    labels = tuple(PAYLOADS[n][:100] for n in range(method.size))
    relabelled = risk_method.RiskMethod(method.size, labels, tuple(reversed(labels)),
                                        method.grid, method.tolerance)
    assert risk_method.change_method(db, relabelled, method.version, author(0)).ok


def _payload_changes(db: object, table: str, names: list[Field],
                     renamed: dict[str, str]) -> list[Any]:
    """Updates giving every row's ``names`` payloads (people their planted namesake)."""
    from aims_core.records.registry import REGISTERS
    from aims_core.records.writes import RowChange

    columns = ", ".join(f'"{spec.name}"' for spec in names)
    changes = []
    register, cur = REGISTERS[table], db.cursor()
    stored = {row["id"]: row for row in
              db.query_df(f'SELECT * FROM "{table}"').to_dict("records")}
    for n, (row_id, version, *current) in enumerate(
            db.query_rows(f'SELECT id, version, {columns} FROM "{table}" ORDER BY id')):
        if any(rule(cur, stored[row_id]) for rule in register.change_rules):
            continue  # a locked row (a signed review's minutes) keeps what it holds
        values = {}
        for spec, now in zip(names, current, strict=True):
            if spec.person:
                if now is not None:
                    values[spec.name] = renamed[now]
                continue
            payload = PAYLOADS[(n + len(values)) % len(PAYLOADS)]
            values[spec.name] = payload if len(payload) <= (spec.max_length or 2000) \
                else SHORT
        if values:
            changes.append(RowChange("update", values, row_id=row_id,
                                     expected_version=version))
    return changes


def escaped_payloads() -> dict[str, str]:
    """Each payload as md_escape shows it (what pages may contain) by its raw form."""
    from aims_core.ui.text import md_escape

    return {payload: md_escape(payload) for payload in (*PAYLOADS, SHORT)}
