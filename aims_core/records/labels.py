"""A register's rows as people read them: field labels as column names and the labels of
coded values, for exports to spreadsheets."""

from __future__ import annotations

import pandas as pd

from aims_core.records.fields import Field, Register, split_codes


def for_people(register: Register, frame: pd.DataFrame,
               extra: dict[str, str] | None = None) -> pd.DataFrame:
    """The register's fields (in order, then ``extra`` columns of ``frame`` under the given
    names), with choices shown by label; ``id`` stays first, ``version`` is left out."""
    out = pd.DataFrame({"ID": frame["id"]}) if "id" in frame else pd.DataFrame(index=frame.index)
    for spec in register.fields:
        if spec.name in frame:
            out[spec.label] = shown(spec, frame[spec.name])
    for name, label in (extra or {}).items():
        out[label] = frame[name]
    return out.reset_index(drop=True)


def shown(spec: Field, column: pd.Series) -> pd.Series:
    """A field's stored values as people read them: the labels of coded choices (a ``multi``
    value's labels joined by semicolons, since labels may hold commas)."""
    if spec.kind == "choice" and spec.choices:
        return column.map(lambda v, c=spec.choices: c.get(v, v) if isinstance(v, str)
                          else None)
    if spec.kind == "multi" and spec.choices:
        return column.map(lambda v, c=spec.choices: "; ".join(
            c.get(code, code) for code in split_codes(v)) if isinstance(v, str) else None)
    return column
