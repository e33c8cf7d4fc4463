"""The demo's KPIs with 18 months of values, and the objectives they measure."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from aims_core.catalogue import ensure_catalogue
from aims_core.demo.common import AIMS_OWNER, History, at, months_before, write_frames
from aims_core.demo.inventory import ARCHETYPES
from aims_core.performance.kpis import FIGURES, RegisterDay
from aims_core.storage.database import Database

# fmt: off
# (name, unit, direction, target, amber, red, kind, archetype index or None, control, base, noise)
KPI_TEMPLATES = (
    ("SoA controls implemented", "%", "higher", 90, 75, 60, "computed", None, "A.2.2", 5, 0),
    ("Open high and critical risks", "count", "lower", 2, 5, 8, "computed", None, "A.5.2", 12, 0),
    ("Overdue re-validations", "count", "lower", 0, 1, 3, "computed", None, "A.6.2.4", 2, 0),
    ("CreditLens AUC", "ratio", "higher", 0.80, 0.76, 0.72, "measured", 0, "A.6.2.6", 0.82, 0.01),
    ("CreditLens population stability (PSI)", "index", "lower", 0.10, 0.20, 0.25, "measured", 0,
     "A.6.2.6", 0.05, 0.02),
    ("TalentSift selection-rate ratio (4/5 rule)", "ratio", "higher", 0.90, 0.80, 0.75, "measured", 1,
     "A.5.4", 0.88, 0.03),
    ("Chatbot answers rated wrong", "%", "lower", 2, 4, 6, "measured", 2, "A.6.2.6", 3.0, 0.6),
    ("FraudGuard precision", "%", "higher", 85, 80, 75, "measured", 3, "A.6.2.6", 87, 1.5),
    ("Complaints about AI-supported decisions", "count", "lower", 3, 6, 10, "measured", None, "A.3.3",
     4, 1.5),
    ("AI literacy coverage", "%", "higher", 95, 85, 70, "computed", None, "A.4.6", 55, 0),
)
# The register figure each computed KPI template records (aims_core/kpis.py).
COMPUTED_CODES = {"SoA controls implemented": "soa_implemented_pct",
                  "Open high and critical risks": "high_critical_risks_open",
                  "Overdue re-validations": "revalidations_overdue",
                  "AI literacy coverage": "ai_literacy_coverage_pct"}

# (title, description, owner, months to target date, status, names of the KPIs that measure it)
OBJECTIVES = (
    ("Keep every AI model within its performance and drift limits",
     "Models in production stay at or above their validated accuracy, and drift is caught "
     "before customers notice.", "Priya Shah", 6, "at_risk",
     ("CreditLens AUC", "CreditLens population stability (PSI)", "FraudGuard precision",
      "Chatbot answers rated wrong")),
    ("Fair outcomes for applicants and customers",
     "No group of applicants or customers is treated worse by an AI-supported decision.",
     "Tom Becker", 9, "on_track",
     ("TalentSift selection-rate ratio (4/5 rule)", "Complaints about AI-supported decisions")),
    ("Ready for ISO/IEC 42001 certification",
     "Applicable Annex A controls implemented, high risks treated and every AI system "
     "re-validated on time before the stage 1 audit.", AIMS_OWNER, 8, "at_risk",
     ("SoA controls implemented", "Open high and critical risks", "Overdue re-validations")),
    ("Everyone who uses AI knows its risks",
     "Everyone who operates or uses an AI system holds a current AI literacy training (EU AI "
     "Act Art. 4).",
     AIMS_OWNER, 12, "on_track", ("AI literacy coverage",)),
)
# fmt: on


def kpis(frames: dict[str, pd.DataFrame], rng: np.random.Generator, start: date, anchor: date,
          history: History, points_per_system: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    systems = frames["ai_systems"].to_dict("records")
    kpis = []
    for name, unit, direction, target, amber, red, kind, arch, control, *_ in KPI_TEMPLATES:
        kpis.append({"name": name, "unit": unit, "direction": direction, "target": float(target),
                     "amber_threshold": float(amber), "red_threshold": float(red),
                     "frequency": "monthly", "kind": kind, "control_id": control,
                     "code": COMPUTED_CODES.get(name),
                     "ai_system_id": None if arch is None else arch + 1,
                     "owner": AIMS_OWNER if arch is None else ARCHETYPES[arch].owner})
    for system in systems[len(ARCHETYPES):]:
        kpis.append({"name": f"{system['name']} accuracy", "unit": "%", "direction": "higher",
                     "target": 90.0, "amber_threshold": 85.0, "red_threshold": 80.0,
                     "frequency": "weekly", "kind": "measured", "control_id": "A.6.2.6",
                     "code": None, "ai_system_id": system["id"], "owner": system["owner"]})
    for i, kpi in enumerate(kpis, 1):
        kpi["id"] = i
        kpi["description"] = f"{kpi['name']} ({'higher' if kpi['direction'] == 'higher' else 'lower'}"\
            " is better)"
        kpi["version"] = history.record("kpis", [(at(start), kpi["owner"], dict(kpi))])

    # Month starts before the anchor day (18 of them, whatever the anchor's day of month).
    months = pd.date_range(start, anchor - timedelta(days=1), freq="MS").date
    trend = np.linspace(0, 1, len(months))
    series: dict[int, pd.DataFrame] = {}
    for kpi, template in zip(kpis, KPI_TEMPLATES, strict=False):
        base, noise = template[9], template[10]
        if kpi["kind"] == "computed":
            continue
        if kpi["name"].endswith("(PSI)"):  # drift creeping up into the red lately
            values = base + noise * rng.standard_normal(len(months)) + 0.22 * trend ** 4
        else:
            values = base + noise * rng.standard_normal(len(months))
        if kpi["unit"] == "count":
            values = np.maximum(values, 0)
        series[kpi["id"]] = pd.DataFrame({
            "kpi_id": kpi["id"], "measured_on": months,
            "value": np.round(values, {"count": 0, "%": 1}.get(kpi["unit"], 3))})
    extra = kpis[len(KPI_TEMPLATES):]
    if extra:
        per = points_per_system or 250
        days = pd.date_range(end=anchor, periods=per, freq="D").date
        ids = np.repeat([k["id"] for k in extra], per)
        values = np.round(88 + 4 * rng.standard_normal(len(ids)), 2)
        series[extra[0]["id"]] = pd.DataFrame({"kpi_id": ids, "value": values,
                                               "measured_on": np.tile(days, len(extra))})
    frame = pd.DataFrame(kpis)
    figures = _register_figures(frames, frame, _points(series, "entered"), history, anchor)
    # Computed KPIs: monthly snapshots trending to today's figure, plus today's snapshot.
    days = [*months, anchor]
    for kpi, template in zip(kpis, KPI_TEMPLATES, strict=False):
        if kpi["kind"] == "computed":
            base, now = template[9], figures[kpi["code"]]
            values = base + (now - base) * np.linspace(0, 1, len(days))
            series[kpi["id"]] = pd.DataFrame({
                "kpi_id": kpi["id"], "measured_on": days,
                "value": np.round(values, 1 if kpi["unit"] == "%" else 0)})
    points = _points(series, None, {k["id"]: k["kind"] for k in kpis})
    owners = {k["id"]: k["owner"] for k in kpis}
    if len(points) <= 5000:  # the curated demo logs every entry; scale data logs in bulk below
        for row in points.to_dict("records"):
            history.record("kpi_measurements",
                           [(at(row["measured_on"], 9), owners[row["kpi_id"]],
                             {k: v for k, v in row.items() if k != "version"})])
    return frame, points


def _points(series: dict[int, pd.DataFrame], source: str | None,
            kinds: dict[int, str] | None = None) -> pd.DataFrame:
    """Measurement rows in KPI order; source per KPI kind unless one ``source`` is given."""
    points = pd.concat([series[k] for k in sorted(series)], ignore_index=True)
    points["source"] = source if source else \
        ["computed" if kinds[k] == "computed" else "entered" for k in points["kpi_id"]]
    points["note"] = None
    points.insert(0, "id", np.arange(1, len(points) + 1))
    points["version"] = 1
    return points


def _register_figures(frames: dict[str, pd.DataFrame], kpis: pd.DataFrame,
                      measured: pd.DataFrame, history: History,
                      anchor: date) -> dict[str, float | None]:
    """Each computed KPI code's figure for the registers generated so far, on the anchor day,
    so that its history ends at what a snapshot taken that day records. (Registers a figure
    reads must be generated before the KPIs.)"""
    with Database(":memory:") as db:
        ensure_catalogue(db)  # figures such as SoA coverage count per Annex A objective
        write_frames(db, {**frames, "kpis": kpis, "kpi_measurements": measured,
                          "change_log": history.frame("ai_systems")}, anchor)
        registers = RegisterDay(db, anchor)
        return {code: figure(registers) for code, figure in FIGURES.items()}


def objectives(kpis: pd.DataFrame, start: date, anchor: date,
                history: History) -> tuple[pd.DataFrame, pd.DataFrame]:
    kpi_ids = dict(zip(kpis["name"], kpis["id"], strict=True))
    rows, links = [], []
    for i, (title, description, owner, months, status, names) in enumerate(OBJECTIVES, 1):
        set_on = start + timedelta(days=30 + 7 * i)
        row = {"id": i, "title": title, "description": description, "owner": owner,
               "target_date": months_before(anchor, -months), "status": "planned"}
        states = [(at(set_on), AIMS_OWNER, dict(row))]
        if status != "planned":  # reviewed at the last management review
            states.append((at(months_before(anchor, 5), 15), owner, {**row, "status": status}))
            row["status"] = status
        row["version"] = history.record("objectives", states)
        rows.append(row)
        for name in names:
            link = {"id": len(links) + 1, "objective_id": i, "kpi_id": kpi_ids[name]}
            link["version"] = history.record("objective_kpis", [(at(set_on, 11), AIMS_OWNER,
                                                                 dict(link))])
            links.append(link)
    return pd.DataFrame(rows), pd.DataFrame(links)

