"""The one validation layer: what a person, a spreadsheet, a file or a program typed becomes a
typed value, or an :class:`InvalidValue` saying exactly why not. Nothing is bent silently.

Every value that enters a register passes :func:`coerce` (the grid, forms, imports, the
command line, the API). Its rules, stated once here:

- **Text** is NFC-normalised, trimmed and its line breaks (CR LF, CR, U+2028, U+2029)
  made ``\\n``. Refused: unpaired
  surrogates; control characters (NUL, escape …), except newline and tab in long text;
  line breaks in one-line fields; invisible and direction-changing characters (zero-width
  spaces, bidi overrides …) in names, IDs and people (:attr:`Field.is_name`); anything over
  the field's length limit (the limit is named, the text is never cut).
- **Numbers** must fit the column (INTEGER, BIGINT …) and floats stay within
  ±:data:`FLOAT_LIMIT`. ``3.2`` and ``3,2`` are 3.2; ``1,234`` is ambiguous (one thousand
  two hundred and thirty-four, or 1.234?) and refused, as is ``12x,5``; grouped forms
  ``1,234.5``/``1.234,5``/``1 234,5`` are read as written.
- **Dates** lie between :data:`DATE_MIN` and :data:`DATE_MAX` (every page can show them).
  ``2026-12-31`` is the format; ``31.12.2026`` and ``31/12/2026`` are read day first,
  ``12/31/2026`` month first, and ``01/02/2026`` (which day?) is refused.

:mod:`aims_core.storage.transfer` checks imported tables with the same limits in SQL
(:func:`forbidden_text_sql`, :data:`DATE_MIN` …); rows it flags get their message here.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from aims_core.records.fields import MULTI_SEPARATOR, Field

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2200, 12, 31)
FLOAT_LIMIT = 1e15  # beyond this a figure cannot be a KPI or a rating, and charts break
INTEGER_RANGES = {
    "TINYINT": (-(2**7), 2**7 - 1), "SMALLINT": (-(2**15), 2**15 - 1),
    "INTEGER": (-(2**31), 2**31 - 1), "BIGINT": (-(2**63), 2**63 - 1),
    "UTINYINT": (0, 2**8 - 1), "USMALLINT": (0, 2**16 - 1), "UINTEGER": (0, 2**32 - 1),
    "UBIGINT": (0, 2**64 - 1),
}
_DEFAULT_INTEGER = "BIGINT"
_SHOWN_VALUE = 40  # characters of a refused value quoted in its message

# Values a program passes already typed need only their limits checked (see coerce).
_ALREADY_TYPED: dict[str, type] = {"float": float, "int": int, "date": date, "bool": bool}
_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0"}

# Character classes as code-point ranges, so that Python (here) and DuckDB's RE2 (imports)
# apply exactly the same sets.
CONTROL_RANGES = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F))  # all Cc but \t \n \r
LINE_BREAK_RANGES = ((0x09, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))  # tab, \n, \r, LS, PS
INVISIBLE_RANGES = (  # format, zero-width, bidi and filler characters that show as nothing
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_ANY_LINE_BREAK = re.compile("\r\n|[\r\u2028\u2029]")


def _python_class(ranges: tuple[tuple[int, int], ...]) -> re.Pattern[str]:
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" if a != b else re.escape(chr(a))
                                    for a, b in ranges) + "]")


def _re2_class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "[" + "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" if a != b else f"\\x{{{a:X}}}"
                         for a, b in ranges) + "]"


_CONTROL = _python_class(CONTROL_RANGES)
_LINE_BREAK = _python_class(LINE_BREAK_RANGES)
_INVISIBLE = _python_class(INVISIBLE_RANGES)


class InvalidValue(ValueError):
    """A value that does not fit its field; the message is shown to the person who typed it."""


def _missing(value: Any) -> bool:
    """No value at all: None, NaN/NA/NaT, or text of nothing but spaces."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if type(value) is str:
        return not value.strip()
    if isinstance(value, float | np.floating) and math.isnan(value):
        return True
    if isinstance(value, np.datetime64) and np.isnat(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def is_blank(value: Any) -> bool:
    """No value: missing, or text of only spaces and invisible characters."""
    return _missing(value) or (isinstance(value, str)
                               and _INVISIBLE.sub("", value).strip() == "")


def shown(value: Any) -> str:
    """A value as quoted in a message: repr, cut to a readable length (the message only)."""
    text = repr(value)
    return text if len(text) <= _SHOWN_VALUE else text[:_SHOWN_VALUE - 1] + "…"


_CONTROL_NAMES = {0x00: "NUL", 0x09: "tab", 0x0A: "line break", 0x0D: "carriage return",
                  0x1B: "escape", 0x7F: "delete"}


def _character(text: str, match: re.Match[str]) -> str:
    char = match.group()
    name = _CONTROL_NAMES.get(ord(char)) or unicodedata.name(char, "").lower() or "control"
    return f"U+{ord(char):04X} ({name}) at position {match.start() + 1}"


# --- text ----------------------------------------------------------------------------------
def _to_text(field: Field, value: Any) -> str:
    if isinstance(value, bool | np.bool_) or not isinstance(value, str | numbers.Integral):
        raise InvalidValue(f"expected text, got {shown(value)}")
    text = str(value)
    if found := _SURROGATE.search(text):
        raise InvalidValue(f"contains U+{ord(found.group()):04X} at position "
                           f"{found.start() + 1}, half of a character pair that is not a "
                           "character on its own: type that character again")
    if found := _CONTROL.search(text):
        raise InvalidValue(f"contains the control character {_character(text, found)}: "
                           "remove it")
    if field.is_multiline:
        text = _ANY_LINE_BREAK.sub("\n", text)
    text = unicodedata.normalize("NFC", text).strip()
    if not field.is_multiline and (found := _LINE_BREAK.search(text)):
        raise InvalidValue(f"must be one line: remove the {_character(text, found)}")
    if field.is_name and (found := _INVISIBLE.search(text)):
        raise InvalidValue(f"contains the invisible character {_character(text, found)}: "
                           "names must show every character they hold")
    if field.max_length is not None and len(text) > field.max_length:
        raise InvalidValue(f"is {len(text):,} characters long; the limit is "
                           f"{field.max_length:,}: shorten it (nothing was cut)")
    return text


# --- numbers -------------------------------------------------------------------------------
_PLAIN_NUMBER = re.compile(r"[+-]?(\d*)(?:([.,])(\d+))?(?:[eE]([+-]?\d+))?")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?P<group>[,.\u0020\u00a0\u202f])\d{3}"
                             r"(?:(?P=group)\d{3})*(?:(?P<decimal>[.,])\d+)?")
NUMBER_FORMAT = "a number such as 3.2 or 3,2"


def _parse_number_text(text: str, expected: str) -> Decimal:
    """The number a person meant, or InvalidValue when it cannot be told for sure."""
    cleaned = text.strip()
    plain = _PLAIN_NUMBER.fullmatch(cleaned)
    if plain and (plain.group(1) or plain.group(3)):
        whole, separator, fraction, _ = plain.groups()
        if separator == "," and len(fraction) == 3 and 1 <= len(whole) <= 3 \
                and not whole.startswith("0"):
            raise InvalidValue(f"{shown(text)} is ambiguous: write {whole}{fraction} for the "
                               f"whole number or {whole}.{fraction} for the decimal")
        return Decimal(cleaned.replace(",", "."))
    grouped = _GROUPED_NUMBER.fullmatch(cleaned)
    if grouped and grouped.group("group") != grouped.group("decimal"):
        digits = cleaned.replace(grouped.group("group"), "")
        return Decimal(digits.replace(",", "."))
    raise InvalidValue(f"expected {expected}, got {shown(text)}")


def _to_decimal(value: Any, expected: str) -> Decimal:
    if isinstance(value, bool | np.bool_):
        raise InvalidValue(f"expected {expected}, got {shown(value)}")
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            raise InvalidValue("expected a finite number")
        return Decimal(float(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValue("expected a finite number")
        return value
    if isinstance(value, str):
        return _parse_number_text(value, expected)
    raise InvalidValue(f"expected {expected}, got {shown(value)}")


def _to_int(value: Any, sql_type: str | None) -> int:
    low, high = INTEGER_RANGES.get((sql_type or _DEFAULT_INTEGER).upper(),
                                   INTEGER_RANGES[_DEFAULT_INTEGER])
    if type(value) is int and low <= value <= high:
        return value
    number = _to_decimal(value, "a whole number")
    if number != number.to_integral_value():
        raise InvalidValue(f"expected a whole number, got {shown(value)}")
    if not low <= number <= high:
        raise InvalidValue(f"is out of range: this field holds whole numbers from {low:,} "
                           f"to {high:,}")
    return int(number)


def _to_float(value: Any) -> float:
    number = _to_decimal(value, NUMBER_FORMAT)
    try:
        result = float(number)
    except (OverflowError, InvalidOperation):  # pragma: no cover - Decimal gives inf instead
        result = math.inf
    if not math.isfinite(result) or abs(result) > FLOAT_LIMIT:
        raise InvalidValue(f"is out of range: numbers up to ±{FLOAT_LIMIT:,.0f} are accepted")
    if result == 0 and number != 0:
        raise InvalidValue(f"{shown(value)} is too close to zero to be stored")
    return result + 0.0  # no negative zero


# --- other kinds ---------------------------------------------------------------------------
def _to_bool(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral) and int(value) in (0, 1):
        return bool(value)
    text = value.strip().lower() if isinstance(value, str) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidValue(f"expected yes or no, got {shown(value)}")


DATE_FORMAT = "YYYY-MM-DD"
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?")
_YMD_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_DMY_DOT = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _date_from_text(text: str) -> date:
    cleaned = text.strip()
    if found := _ISO_DATE.fullmatch(cleaned) or _YMD_SLASH.fullmatch(cleaned):
        year, month, day = (int(part) for part in found.groups())
    elif found := _DMY_DOT.fullmatch(cleaned):
        day, month, year = (int(part) for part in found.groups())
    elif found := _SLASHED.fullmatch(cleaned):
        first, second, year = (int(part) for part in found.groups())
        if first > 12 or first == second:
            day, month = first, second
        elif second > 12:
            day, month = second, first
        else:
            raise InvalidValue(
                f"{shown(text)} is ambiguous ({_day_month(first, second, year)} or "
                f"{_day_month(second, first, year)}?): write it as {DATE_FORMAT}")
    else:
        raise InvalidValue(f"expected a date as {DATE_FORMAT}, got {shown(text)}")
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidValue(f"{shown(text)} is not a date in the calendar") from None


def _day_month(day: int, month: int, year: int) -> str:
    try:
        return f"{date(year, month, day):%-d %B}"
    except ValueError:
        return f"day {day} of month {month}"


def _to_date(value: Any) -> date:
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, datetime):  # pd.Timestamp is one too
        if (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0):
            raise InvalidValue(f"has a time of day ({value:%H:%M:%S}); expected a date")
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, str):
        result = _date_from_text(value)
    else:
        raise InvalidValue(f"expected a date as {DATE_FORMAT}, got {shown(value)}")
    if not DATE_MIN <= result <= DATE_MAX:
        raise InvalidValue(f"must lie between {DATE_MIN.isoformat()} and "
                           f"{DATE_MAX.isoformat()}, got {result.isoformat()}")
    return result


def _choice(field: Field, value: Any) -> str:
    choices = field.choices or {}
    if type(value) is str and value in choices:
        return value
    text = _to_text(field, value) if isinstance(value, str) else None
    if text in choices:
        return text
    by_label = {label.lower(): code for code, label in choices.items()}
    if text is not None and text.lower() in by_label:
        return by_label[text.lower()]
    raise InvalidValue(f"{shown(value)} is not one of: {', '.join(choices.values())}")


def coerce(field: Field, value: Any, sql_type: str | None = None, *,
           today: date | None = None) -> Any:
    """The typed value for ``field`` (None for a blank optional one), or
    :class:`InvalidValue` saying what is wrong. ``sql_type`` is the column's DuckDB type,
    whose range whole numbers must fit; ``today`` is what a date that records what happened
    (:attr:`Field.not_after_today`) must not be after."""
    if field.kind == "multi":
        return _codes(field, value)
    if _missing(value):
        if field.required:
            raise InvalidValue("is required")
        return None
    if _ALREADY_TYPED.get(field.kind) is type(value) and field.min_value is None \
            and field.max_value is None:  # the common case of a program's typed values
        if field.kind == "float" and (value != value or abs(value) > FLOAT_LIMIT):
            raise InvalidValue("is out of range: numbers up to "
                               f"±{FLOAT_LIMIT:,.0f} are accepted" if value == value
                               else "expected a finite number")
        if field.kind == "date" and not DATE_MIN <= value <= DATE_MAX:
            raise InvalidValue(f"must lie between {DATE_MIN.isoformat()} and "
                               f"{DATE_MAX.isoformat()}, got {value.isoformat()}")
        if field.kind == "int":
            _to_int(value, sql_type)
        if field.not_after_today and today is not None and value > today:
            raise InvalidValue(f"{value:%Y-%m-%d} is in the future: it records what happened")
        return value + 0.0 if field.kind == "float" else value
    if field.kind == "int":
        result: Any = _to_int(value, sql_type)
    elif field.kind == "float":
        result = _to_float(value)
    elif field.kind == "bool":
        result = _to_bool(value)
    elif field.kind == "date":
        result = _to_date(value)
    elif field.kind == "choice":
        result = _choice(field, value)
    else:
        result = _to_text(field, value)
        if is_blank(result):  # only invisible characters, in text that allows them
            if field.required:
                raise InvalidValue("is required (it holds only invisible characters)")
            return None
    if field.min_value is not None and result < field.min_value:
        raise InvalidValue(f"must be at least {_fmt(field.min_value)}, got {_fmt(result)}")
    if field.max_value is not None and result > field.max_value:
        raise InvalidValue(f"must be at most {_fmt(field.max_value)}, got {_fmt(result)}")
    if field.not_after_today and today is not None and result > today:
        raise InvalidValue(f"{result:%Y-%m-%d} is in the future: it records what happened")
    return result


def _codes(field: Field, value: Any) -> str | None:
    """A ``multi`` value: codes or labels as a list or as text separated by commas or
    semicolons, each one of the field's choices; stored in the order of the choices."""
    if isinstance(value, str):
        items = value.replace(";", ",").split(",")
    elif is_blank(value):
        items = []
    elif isinstance(value, list | tuple | set | frozenset) or hasattr(value, "tolist"):
        items = list(value.tolist() if hasattr(value, "tolist") else value)
    else:
        raise InvalidValue(f"expected a list of: {', '.join(field.choices or {})}")
    codes = {code.casefold(): code for code in field.choices or {}}
    picked = {_choice(field, codes.get(str(item).strip().casefold(), str(item).strip()))
              for item in items if not is_blank(item)}
    if not picked:
        if field.required:
            raise InvalidValue("is required")
        return None
    return MULTI_SEPARATOR.join(code for code in field.choices or {} if code in picked)


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def input_hint(field: Field) -> str:
    """How to type a value of ``field``: shown in the column help of tables and forms."""
    if field.kind in ("int", "float"):
        bounds = [f"{word} {_fmt(limit)}" for word, limit in
                  (("at least", field.min_value), ("at most", field.max_value))
                  if limit is not None]
        return (f"Type {'a whole number' if field.kind == 'int' else NUMBER_FORMAT}"
                + (f" ({', '.join(bounds)})" if bounds else "")
                + ("; 1,234 is ambiguous: write 1234 or 1.234" if field.kind == "float"
                   else ""))
    if field.kind == "date":
        return (f"Type a date as {DATE_FORMAT} (31.12.2026 and 31/12/2026 are read day "
                f"first), between {DATE_MIN.year} and {DATE_MAX.year}"
                + ("; not in the future" if field.not_after_today else ""))
    if field.kind == "text" and field.max_length is not None:
        return f"Up to {field.max_length:,} characters" + \
            ("" if field.is_multiline else ", one line")
    return ""


def forbidden_text_sql(field: Field) -> str:
    """An RE2 character class of what ``field``'s text must not contain, for SQL checks of
    whole tables (imports); the same sets :func:`coerce` refuses."""
    ranges = CONTROL_RANGES
    if not field.is_multiline:
        ranges += LINE_BREAK_RANGES
    if field.is_name:
        ranges += INVISIBLE_RANGES
    return _re2_class(ranges)
