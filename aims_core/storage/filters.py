"""Filtered, paged reads of a register in DuckDB: a page shows what it shows, counted and
cut in SQL, never by loading the whole register."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from aims_core.storage.database import Database


@dataclass(frozen=True)
class ColumnFilter:
    """Values chosen per column (or SQL expression, written in code) of a register's listing;
    an empty choice means any value. Frozen, so it can key caches."""

    chosen: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    @classmethod
    def of(cls, **columns: Iterable[Any]) -> ColumnFilter:
        return cls(tuple((name, tuple(values)) for name, values in columns.items()))

    def where(self) -> tuple[str, dict[str, Any]]:
        """SQL condition and its named parameters (``$f0``, ``$f1`` …)."""
        clauses, params = ["TRUE"], {}
        for position, (column, values) in enumerate(self.chosen):
            if values:
                clauses.append(f"{column} IN (SELECT unnest($f{position}))")
                params[f"f{position}"] = list(values)
        return " AND ".join(clauses), params


def select_page(db: Database, base_sql: str, filters: ColumnFilter, *, order_by: str,
                params: dict[str, Any] | None = None, limit: int | None = None,
                offset: int = 0) -> pd.DataFrame:
    """The rows of ``base_sql`` that pass ``filters``, in order, one page of them."""
    where, named = filters.where()
    page = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit else ""
    return db.query_df(f"SELECT * FROM ({base_sql}) WHERE {where} ORDER BY {order_by} {page}",
                       {**(params or {}), **named})


def count_rows(db: Database, base_sql: str, filters: ColumnFilter,
               params: dict[str, Any] | None = None) -> int:
    where, named = filters.where()
    return int(db.scalar(f"SELECT count(*) FROM ({base_sql}) WHERE {where}",
                         {**(params or {}), **named}))
