"""Small builders of SQL conditions the registers' filters share (values are always bound
as parameters, never formatted into the SQL)."""

from __future__ import annotations

from typing import Any


def any_of(choices: tuple[tuple[str, str, tuple[str, ...]], ...]
           ) -> tuple[list[str], dict[str, Any]]:
    """For (column, parameter name, chosen values): ``column IN (the chosen)`` for every
    choice made, and the parameters; a choice left empty means any value."""
    clauses, params = [], {}
    for column, name, chosen in choices:
        if chosen:
            clauses.append(f"{column} IN (SELECT unnest(${name}::VARCHAR[]))")
            params[name] = list(chosen)
    return clauses, params
