"""The one risk method: likelihood x impact mapped to a level band by the stored grid.

The method (matrix size, axis labels, band grid, tolerance) lives in ``risk_scale``,
``risk_level_grid`` and ``aims_meta``. Changing it never re-rates silently: ratings beyond a
smaller matrix are clamped to its edge through the write path, and the change of method is
logged in ``change_log`` (table ``risk_method``) in the same transaction.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import duckdb
import pandas as pd

from aims_core.auth.actor import Actor
from aims_core.records.writes import ChangeLog, RowChange, RowProblem, WriteResult, apply_batches
from aims_core.risk.registers import MAX_MATRIX_SIZE
from aims_core.storage.database import Database

LEVEL_BANDS = ("Low", "Medium", "High", "Critical")
# Colour-blind-safe (Okabe-Ito derived) colours per band; text labels always accompany them.
BAND_COLOURS = {"Low": "#009E73", "Medium": "#F0E442", "High": "#E69F00", "Critical": "#D55E00"}

# Risks with their current rating (residual once assessed, else inherent) and level bands.
RATED_RISKS_SQL = """
    SELECT r.*,
           gi.level_band AS inherent_level,
           gr.level_band AS residual_level,
           coalesce(gr.level_band, gi.level_band) AS current_level,
           r.status IN ('open', 'treating') AS is_open
    FROM risks r
    LEFT JOIN risk_level_grid gi
           ON gi.likelihood = r.inherent_likelihood AND gi.impact = r.inherent_impact
    LEFT JOIN risk_level_grid gr
           ON gr.likelihood = r.residual_likelihood AND gr.impact = r.residual_impact
"""


MIN_MATRIX_SIZE = 3
DEFAULT_LABELS = {
    "likelihood": ("Rare", "Unlikely", "Possible", "Likely", "Almost certain"),
    "impact": ("Negligible", "Minor", "Moderate", "Major", "Catastrophic"),
}
AXES = ("likelihood", "impact")


@dataclass(frozen=True)
class RiskMethod:
    size: int
    likelihood_labels: tuple[str, ...]
    impact_labels: tuple[str, ...]
    grid: dict[tuple[int, int], str]  # (likelihood, impact) -> level band
    tolerance: str  # the highest band the organisation accepts without treatment
    version: int = 0

    def band(self, likelihood: int, impact: int) -> str:
        return self.grid[(likelihood, impact)]

    def above_tolerance(self, band: str) -> bool:
        return LEVEL_BANDS.index(band) > LEVEL_BANDS.index(self.tolerance)

    def as_json(self) -> str:
        data = asdict(self)
        data["grid"] = {f"{lik},{imp}": band for (lik, imp), band in self.grid.items()}
        return json.dumps(data, ensure_ascii=False)


def default_grid(size: int) -> dict[tuple[int, int], str]:
    """Bands by the normalised distance from the safest cell; gives the usual 5 x 5 grid."""
    grid = {}
    for lik in range(1, size + 1):
        for imp in range(1, size + 1):
            x = (lik + imp - 2) / (2 * size - 2)
            grid[(lik, imp)] = ("Low" if x < 0.3 else "Medium" if x < 0.6
                                else "High" if x < 0.8 else "Critical")
    return grid


def default_labels(axis: str, size: int) -> tuple[str, ...]:
    labels = DEFAULT_LABELS[axis]
    return labels if size == len(labels) else tuple(f"Level {n}" for n in range(1, size + 1))


def load_method(db: Database) -> RiskMethod:
    labels = {axis: tuple(r[0] for r in db.query_rows(
        "SELECT label FROM risk_scale WHERE axis = ? ORDER BY level", [axis])) for axis in AXES}
    grid = {(lik, imp): band for lik, imp, band in db.query_rows(
        "SELECT likelihood, impact, level_band FROM risk_level_grid")}
    meta = dict(db.query_rows("SELECT key, value FROM aims_meta WHERE key IN "
                              "('risk_tolerance', 'risk_method_version')"))
    return RiskMethod(len(labels["likelihood"]), labels["likelihood"], labels["impact"], grid,
                      meta.get("risk_tolerance", "Medium"),
                      int(meta.get("risk_method_version", 1)))


def method_problems(method: RiskMethod) -> list[RowProblem]:
    """What is wrong with a proposed method, each naming the setting and cell."""
    problems = []
    where = "Risk method"
    if not MIN_MATRIX_SIZE <= method.size <= MAX_MATRIX_SIZE:
        return [RowProblem(where, "Matrix size", f"must be between {MIN_MATRIX_SIZE} and "
                           f"{MAX_MATRIX_SIZE}, got {method.size}")]
    for axis, labels in (("Likelihood labels", method.likelihood_labels),
                         ("Impact labels", method.impact_labels)):
        cleaned = [label.strip() for label in labels]
        if len(cleaned) != method.size or not all(cleaned):
            problems.append(RowProblem(where, axis, f"needs {method.size} non-empty labels"))
        elif len(set(cleaned)) != len(cleaned):
            problems.append(RowProblem(where, axis, "must all differ"))
    if method.tolerance not in LEVEL_BANDS:
        problems.append(RowProblem(where, "Risk tolerance", f"must be one of {LEVEL_BANDS}"))
    cells = [(lik, imp) for lik in range(1, method.size + 1)
             for imp in range(1, method.size + 1)]
    for lik, imp in cells:
        band = method.grid.get((lik, imp))
        if band not in LEVEL_BANDS:
            problems.append(RowProblem(where, f"Grid cell L{lik} × I{imp}",
                                       f"needs a band ({', '.join(LEVEL_BANDS)})"))
    if problems:
        return problems
    for lik, imp in cells:
        rank = LEVEL_BANDS.index(method.grid[(lik, imp)])
        for lower in ((lik - 1, imp), (lik, imp - 1)):
            if lower in method.grid and lower[0] >= 1 and lower[1] >= 1 \
                    and LEVEL_BANDS.index(method.grid[lower]) > rank:
                problems.append(RowProblem(
                    where, f"Grid cell L{lik} × I{imp}",
                    f"is {method.grid[(lik, imp)]} but the less severe cell "
                    f"L{lower[0]} × I{lower[1]} is {method.grid[lower]}: bands must not fall "
                    "as likelihood or impact rises"))
    return problems


def clamped_ratings(db: Database, size: int) -> list[RowChange]:
    """Updates that bring every rating beyond a ``size`` matrix to its edge."""
    columns = ("inherent_likelihood", "inherent_impact", "residual_likelihood",
               "residual_impact")
    rows = db.query_df(f"SELECT id, version, {', '.join(columns)} FROM risks WHERE "
                       + " OR ".join(f"{c} > ?" for c in columns) + " ORDER BY id",
                       [size] * len(columns))
    return [RowChange("update", {c: size for c in columns if pd.notna(row[c]) and row[c] > size},
                      row_id=int(row["id"]), expected_version=int(row["version"]))
            for row in rows.to_dict("records")]


def change_method(db: Database, method: RiskMethod, expected_version: int,
                  actor: Actor) -> WriteResult:
    """Replace the risk method, clamping ratings that fall off a smaller matrix; all in one
    transaction, logged, refused when someone else changed the method meanwhile."""
    problems = method_problems(method)
    if problems:
        return WriteResult(errors=problems)
    before = load_method(db)
    new_version = expected_version + 1
    stored = RiskMethod(method.size, tuple(x.strip() for x in method.likelihood_labels),
                        tuple(x.strip() for x in method.impact_labels),
                        {cell: method.grid[cell] for cell in sorted(method.grid)
                         if max(cell) <= method.size}, method.tolerance, new_version)

    def write(cur: duckdb.DuckDBPyConnection, log: ChangeLog) -> list[RowProblem]:
        current = cur.execute("SELECT value FROM aims_meta WHERE key = 'risk_method_version'"
                              ).fetchone()
        if int(current[0]) != expected_version:
            return [RowProblem("Risk method", None, "was changed by someone else since you "
                               "opened it; reload and apply your change again")]
        cur.execute("DELETE FROM risk_scale")
        cur.executemany("INSERT INTO risk_scale VALUES (?, ?, ?)",
                        [(axis, n, label) for axis, labels in
                         (("likelihood", stored.likelihood_labels),
                          ("impact", stored.impact_labels))
                         for n, label in enumerate(labels, start=1)])
        cur.execute("DELETE FROM risk_level_grid")
        cur.executemany("INSERT INTO risk_level_grid VALUES (?, ?, ?)",
                        [(lik, imp, band) for (lik, imp), band in stored.grid.items()])
        for key, value in (("risk_tolerance", stored.tolerance),
                           ("risk_method_version", str(new_version))):
            cur.execute("INSERT OR REPLACE INTO aims_meta VALUES (?, ?)", [key, value])
        log.append("risk_method", new_version, "update", json.loads(before.as_json()),
                   json.loads(stored.as_json()))
        return []

    return apply_batches(db, [("risks", clamped_ratings(db, method.size))], actor, also=write)


def band_rank_sql(column: str) -> str:
    """SQL giving 1..4 for a level band column (0 when null)."""
    whens = " ".join(f"WHEN '{band}' THEN {i}" for i, band in enumerate(LEVEL_BANDS, 1))
    return f"(CASE {column} {whens} ELSE 0 END)"
