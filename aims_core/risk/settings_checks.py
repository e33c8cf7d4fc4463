"""The risk method's settings tables checked as the Risk method page checks them: for
imports and restores, which bring ``risk_scale``, ``risk_level_grid`` and the risk tolerance
in ``aims_meta`` as tables rather than through the page."""

from __future__ import annotations

import duckdb

from aims_core.records.fields import Field
from aims_core.records.validation import InvalidValue, coerce
from aims_core.records.writes import RowProblem
from aims_core.risk.risk_method import AXES, LEVEL_BANDS, RiskMethod, method_problems

_LABEL = Field("label", "Label", max_length=100, name_like=True)
_WHERE = "Risk method"


def _labels(cur: duckdb.DuckDBPyConnection) -> tuple[dict[str, list[str]], list[RowProblem]]:
    labels: dict[str, list[str]] = {axis: [] for axis in AXES}
    problems = []
    for axis, level, label in cur.execute(
            "SELECT axis, level, label FROM risk_scale ORDER BY axis, level").fetchall():
        where = f"risk_scale {axis} level {level}"
        if axis not in labels:
            problems.append(RowProblem(where, "axis", f"{axis!r} is neither likelihood nor "
                                                      "impact"))
            continue
        if level != len(labels[axis]) + 1:
            problems.append(RowProblem(where, "level", f"levels of {axis} must run 1, 2, 3 … "
                                                       "without gaps"))
        try:
            labels[axis].append(coerce(_LABEL, label))
        except InvalidValue as exc:
            problems.append(RowProblem(where, "label", str(exc)))
            labels[axis].append("")
    return labels, problems


def risk_method(cur: duckdb.DuckDBPyConnection) -> list[RowProblem]:
    """Scale, grid, tolerance and method version as the Risk method page would save them."""
    labels, problems = _labels(cur)
    sizes = {axis: len(found) for axis, found in labels.items()}
    if sizes["likelihood"] != sizes["impact"]:
        problems.append(RowProblem("risk_scale", None, f"the matrix must be square: "
                                   f"likelihood has {sizes['likelihood']} levels, impact "
                                   f"{sizes['impact']}"))
    size = sizes["likelihood"]
    grid = {}
    for likelihood, impact, band in cur.execute(
            "SELECT likelihood, impact, level_band FROM risk_level_grid").fetchall():
        if not (1 <= likelihood <= size and 1 <= impact <= size):
            problems.append(RowProblem(f"risk_level_grid cell L{likelihood} × I{impact}",
                                       None, f"lies outside the {size} × {size} matrix"))
            continue
        grid[(likelihood, impact)] = band
    meta = dict(cur.execute("SELECT key, value FROM aims_meta WHERE key IN "
                            "('risk_tolerance', 'risk_method_version')").fetchall())
    tolerance = meta.get("risk_tolerance")
    if tolerance not in LEVEL_BANDS:
        problems.append(RowProblem("aims_meta", "risk_tolerance", f"{tolerance!r} is not one "
                                   f"of {', '.join(LEVEL_BANDS)}"))
    version = str(meta.get("risk_method_version") or "")
    if not (version.isascii() and version.isdigit() and 0 < int(version) < 2**31):
        problems.append(RowProblem("aims_meta", "risk_method_version", f"{version!r} is not a "
                                   "version number (1, 2, 3 …)"))
    if problems:
        return problems
    method = RiskMethod(size, tuple(labels["likelihood"]), tuple(labels["impact"]), grid,
                        tolerance, int(version))
    return method_problems(method)


SETTINGS_CHECKS = (risk_method,)
