"""Turn whatever a person (or a spreadsheet, or a data editor) typed into a typed value.

Data editors hand back NaN for cleared cells, floats for integers and strings for dates;
everything passes through :func:`coerce` before it reaches the database.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pandas as pd

from aims_core.records.fields import MULTI_SEPARATOR, Field

_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0", ""}


class InvalidValue(ValueError):
    """A value that does not fit its field; the message is shown to the person who typed it."""


def is_blank(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() == ""


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidValue("expected a whole number")
    if isinstance(value, int):
        return value
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"expected a whole number, got {value!r}") from None
    if not number.is_integer():
        raise InvalidValue(f"expected a whole number, got {value!r}")
    return int(number)


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise InvalidValue("expected a number")
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) \
            else float(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"expected a number, got {value!r}") from None
    if math.isnan(number) or math.isinf(number):
        raise InvalidValue("expected a finite number")
    return number


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidValue(f"expected yes or no, got {value!r}")


def _to_date(value: Any) -> date:
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InvalidValue(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def coerce(field: Field, value: Any) -> Any:
    """The typed value for ``field``, or :class:`InvalidValue` saying what is wrong."""
    if field.kind == "multi":
        return _codes(field, value)
    if is_blank(value):
        if field.required:
            raise InvalidValue("is required")
        return None
    if field.kind == "int":
        result: Any = _to_int(value)
    elif field.kind == "float":
        result = _to_float(value)
    elif field.kind == "bool":
        result = _to_bool(value)
    elif field.kind == "date":
        result = _to_date(value)
    else:
        result = str(value).strip()
        if field.max_length is not None and len(result) > field.max_length:
            raise InvalidValue(f"is longer than {field.max_length} characters")
    if field.kind == "choice":
        result = _choice(field, result)
    if field.min_value is not None and result < field.min_value:
        raise InvalidValue(f"must be at least {_fmt(field.min_value)}, got {_fmt(result)}")
    if field.max_value is not None and result > field.max_value:
        raise InvalidValue(f"must be at most {_fmt(field.max_value)}, got {_fmt(result)}")
    return result


def _choice(field: Field, text: str) -> str:
    choices = field.choices or {}
    if text in choices:
        return text
    by_label = {label.lower(): code for code, label in choices.items()}
    if text.lower() in by_label:
        return by_label[text.lower()]
    allowed = ", ".join(choices)
    raise InvalidValue(f"{text!r} is not one of: {allowed}")


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
