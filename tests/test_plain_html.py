"""The HTML charts: every figure in its place, person text shown literally."""

from __future__ import annotations

import pandas as pd

from aims_core.ui.plain_html import risk_matrix, status_bars, table
from tests.html_kit import bar_counts, matrix_cells, table_rows, tags

COLOURS = {"Low": "#009E73", "High": "#E69F00"}


def _cells() -> pd.DataFrame:
    return pd.DataFrame({"likelihood": [1, 1, 2, 2], "impact": [1, 2, 1, 2],
                         "level_band": ["Low", "Low", "Low", "High"], "risks": [3, 0, 1, 7]})


def test_matrix_cells_hold_their_counts_and_flag_bands_above_tolerance() -> None:
    body = risk_matrix(_cells(), 2, ["Rare", "Often"], ["Minor", "Major"], COLOURS, {"High"})
    assert matrix_cells(body) == {(1, 1): 3, (1, 2): 0, (2, 1): 1, (2, 2): 7}
    cells = [t for t in tags(body) if "data-likelihood" in t]
    assert [t["data-likelihood"] for t in cells] == ["2", "2", "1", "1"]  # likelihood up
    bordered = {(t["data-likelihood"], t["data-impact"]) for t in cells
                if "inset 0 0 0 4px" in t["style"]}
    assert bordered == {("2", "2")}
    assert "<b" not in body.split('data-impact="2" data-risks="0"')[1].split("</td>")[0]


def test_matrix_labels_are_text_and_long_impacts_stand_upright() -> None:
    short = risk_matrix(_cells(), 2, ["<b>Rare</b>", "Often"], ["Minor", "Major"], COLOURS,
                        set())
    assert "&lt;b&gt;Rare&lt;/b&gt;" in short and "<b>Rare" not in short
    assert "vertical-rl;transform:rotate(180deg);white-space:nowrap" not in short
    long = risk_matrix(_cells(), 2, ["Rare", "Often"], ["Minor", "Catastrophic"], COLOURS,
                       set())
    assert "vertical-rl;transform:rotate(180deg);white-space:nowrap" in long


def test_status_bars_split_each_row_and_omit_empty_segments() -> None:
    frame = pd.DataFrame({"label": ["A.2 <i>Policies</i>", "A.3"], "applicable": [4, 2],
                          "implemented": [1, 0], "partial": [3, 0], "planned": [0, 2],
                          "not_started": [0, 0], "implemented_pct": [25.0, 0.0],
                          "partial_pct": [75.0, 0.0], "planned_pct": [0.0, 100.0],
                          "not_started_pct": [0.0, 0.0]})
    body = status_bars(frame, "label", "applicable")
    assert bar_counts(body, "implemented") == [1, 0]
    assert bar_counts(body, "planned") == [0, 2]
    assert "A.2 &lt;i&gt;Policies&lt;/i&gt;" in body and "<i>" not in body
    widths = [t["style"].split("width:")[1].split("%")[0] for t in tags(body)
              if t.get("data-status")]
    assert [float(w) for w in widths] == [25.0, 75.0, 100.0]
    assert "Partial: 3 of 4" in body


def test_table_shows_its_columns_as_text_and_missing_values_empty() -> None:
    frame = pd.DataFrame({"item": ["<script>x</script>", "Model card"],
                          "owner": ["Ana", None], "hidden": [1, 2]})
    body = table(frame, {"item": "Item", "owner": "Owner"})
    assert table_rows(body) == [{"Item": "<script>x</script>", "Owner": "Ana"},
                                {"Item": "Model card", "Owner": ""}]
    assert "<script>" not in body and "hidden" not in body


def test_a_segment_too_narrow_for_its_count_names_it_on_hover_only() -> None:
    frame = pd.DataFrame({"label": ["A.6"], "applicable": [40], "implemented": [1],
                          "partial": [39], "planned": [0], "not_started": [0],
                          "implemented_pct": [2.5], "partial_pct": [97.5], "planned_pct": [0.0],
                          "not_started_pct": [0.0]})
    body = status_bars(frame, "label", "applicable")
    narrow = body.split('data-status="implemented"')[1]
    wide = body.split('data-status="partial"')[1]
    assert narrow.split(">", 1)[1].startswith("</div>") and "Implemented: 1 of 40" in narrow
    assert wide.split(">", 1)[1].startswith("39</div>")
