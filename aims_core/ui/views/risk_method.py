"""Risk method settings: matrix size, axis labels, the band grid and the risk tolerance."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.risk.registers import MAX_MATRIX_SIZE
from aims_core.risk.risk_method import (
    BAND_COLOURS,
    LEVEL_BANDS,
    MIN_MATRIX_SIZE,
    RiskMethod,
    change_method,
    clamped_ratings,
    default_grid,
    default_labels,
    load_method,
)
from aims_core.ui.charts import risk_matrices
from aims_core.ui.editable_table import invalidate, show_outcome
from aims_core.ui.session import cached, current_identity, get_db

OUTCOME = "_risk_method_outcome"


def _start(method: RiskMethod, size: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The editors' starting values: the stored method, or defaults for a new size."""
    same = size == method.size
    labels = pd.DataFrame({
        "level": range(1, size + 1),
        "likelihood": list(method.likelihood_labels if same
                           else default_labels("likelihood", size)),
        "impact": list(method.impact_labels if same else default_labels("impact", size))})
    grid = method.grid if same else default_grid(size)
    bands = pd.DataFrame([[grid[(lik, imp)] for imp in range(1, size + 1)]
                          for lik in range(size, 0, -1)],
                         columns=[f"I{imp}" for imp in range(1, size + 1)],
                         index=[f"L{lik}" for lik in range(size, 0, -1)])
    return labels, bands


def _edited(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Apply the data editor's pending edits to its input (the editor's output is not fed
    back in as input, see the editable-table notes)."""
    out = frame.copy()
    for position, changes in (st.session_state.get(key, {}).get("edited_rows") or {}).items():
        for column, value in changes.items():
            out.iloc[int(position), out.columns.get_loc(column)] = value
    return out


def _proposal(method: RiskMethod, size: int, keys: dict[str, str]) -> RiskMethod:
    labels, bands = _start(method, size)
    labels = _edited(labels, keys["labels"])
    bands = _edited(bands, keys["grid"])
    grid = {(int(row[1:]), int(col[1:])): bands.loc[row, col]
            for row in bands.index for col in bands.columns}
    return RiskMethod(size, tuple(str(x or "") for x in labels["likelihood"]),
                      tuple(str(x or "") for x in labels["impact"]), grid,
                      st.session_state.get(keys["tolerance"], method.tolerance))


def _save(method: RiskMethod, keys: dict[str, str], who: Actor) -> None:
    size = int(st.session_state.get(keys["size"], method.size))
    result = change_method(get_db(), _proposal(method, size, keys), method.version, who)
    if result.ok:
        clamped = len(result.updated)
        st.session_state[OUTCOME] = ("success", "Risk method saved"
                                     + (f"; {clamped} risk(s) clamped to the new matrix and "
                                        "logged." if clamped else "."))
        invalidate("risks")
    else:
        st.session_state[OUTCOME] = result


def render() -> None:
    st.title("Risk method")
    st.caption("The one risk method every risk, impact and heatmap uses (ISO/IEC 42001 6.1.2): "
               "a likelihood × impact matrix, the grid that maps each cell to a level band, "
               "and the tolerance above which a risk needs treatment. Changing the matrix "
               "never re-rates silently: ratings beyond a smaller matrix are clamped to its "
               "edge, and each clamp and the change itself are logged.")
    show_outcome(st.session_state.pop(OUTCOME, None))
    if not get_db().scalar("SELECT count(*) FROM risks"):
        st.info("No risks rated yet: a good moment to settle the method. It applies to every "
                "risk of every AI system and to impact assessments.",
                icon=":material/lightbulb:")
    method = cached(load_method)
    epoch = f"v{method.version}"
    keys = {"size": f"method_size_{epoch}", "labels": f"method_labels_{epoch}",
            "grid": f"method_grid_{epoch}", "tolerance": f"method_tolerance_{epoch}"}
    cols = st.columns([1, 1, 2], vertical_alignment="bottom")
    size = int(cols[0].number_input("Matrix size", MIN_MATRIX_SIZE, MAX_MATRIX_SIZE,
                                    method.size, key=keys["size"]))
    cols[1].selectbox("Risk tolerance", list(LEVEL_BANDS),
                      index=LEVEL_BANDS.index(method.tolerance), key=keys["tolerance"],
                      help="The highest level accepted without treatment")
    labels, bands = _start(method, size)
    grid_key = f"{keys['grid']}_{size}"
    keys["labels"], keys["grid"] = f"{keys['labels']}_{size}", grid_key
    left, right = st.columns([2, 3])
    with left:
        st.markdown("**Labels**")
        st.data_editor(labels, key=keys["labels"], hide_index=True, width="stretch",
                       disabled=["level"], column_config={
                           "level": st.column_config.NumberColumn("Level", width="small"),
                           "likelihood": st.column_config.TextColumn("Likelihood",
                                                                     required=True),
                           "impact": st.column_config.TextColumn("Impact", required=True)})
    with right:
        st.markdown("**Level band of each cell** (rows: likelihood, highest on top; "
                    "columns: impact)")
        st.data_editor(bands, key=grid_key, width="stretch", column_config={
            column: st.column_config.SelectboxColumn(column, options=list(LEVEL_BANDS),
                                                     required=True)
            for column in bands.columns})
    proposal = _proposal(method, size, keys)
    if all(band in LEVEL_BANDS for band in proposal.grid.values()):
        preview = pd.DataFrame([{"likelihood": lik, "impact": imp, "level_band": band,
                                 "risks": 0} for (lik, imp), band in proposal.grid.items()])
        above = {band for band in LEVEL_BANDS if proposal.above_tolerance(band)}
        st.plotly_chart(risk_matrices({"preview": preview}, size,
                                      list(proposal.likelihood_labels),
                                      list(proposal.impact_labels), BAND_COLOURS, above,
                                      height=420), config={"displayModeBar": False})
    clamps = len(clamped_ratings(get_db(), size)) if size < method.size else 0
    if clamps:
        st.warning(f"A {size} × {size} matrix clamps the ratings of {clamps} risk(s) to "
                   f"level {size}. Each clamp is saved as a change of that risk.",
                   icon=":material/warning:")
    who = current_identity()
    missing = who.lacks("administer", "change the risk method")
    st.button("Save the risk method", type="primary", disabled=bool(missing),
              on_click=_save, args=(method, keys, who.actor), key="method_save")
    if missing:
        st.caption(missing)
