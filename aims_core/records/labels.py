"""A register's rows as people read them: field labels as column names and the labels of
coded values, for exports to spreadsheets."""

from __future__ import annotations

import pandas as pd

from aims_core.records.fields import Register, split_codes


def for_people(register: Register, frame: pd.DataFrame,
               extra: dict[str, str] | None = None) -> pd.DataFrame:
    """The register's fields (in order, then ``extra`` columns of ``frame`` under the given
    names), with choices shown by label; ``id`` stays first, ``version`` is left out."""
    out = pd.DataFrame({"ID": frame["id"]}) if "id" in frame else pd.DataFrame(index=frame.index)
    for spec in register.fields:
        if spec.name not in frame:
            continue
        column = frame[spec.name]
        if spec.kind == "choice" and spec.choices:
            column = column.map(lambda v, c=spec.choices: c.get(v, v) if isinstance(v, str)
                                else None)
        elif spec.kind == "multi" and spec.choices:
            column = column.map(lambda v, c=spec.choices: "; ".join(
                c.get(code, code) for code in split_codes(v)) if isinstance(v, str) else None)
        out[spec.label] = column
    for name, label in (extra or {}).items():
        out[label] = frame[name]
    return out.reset_index(drop=True)
