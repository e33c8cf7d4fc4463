"""AI system impact assessments (6.1.4, 8.4, A.5.2–A.5.5): one per system and review, its
impacts on individuals, groups and society, each raisable as a risk in one step."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.risk import risks
from aims_core.risk.registers import IMPACT_ASSESSMENTS, IMPACTS
from aims_core.risk.risk_method import load_method
from aims_core.ui.editable_table import editable_table, invalidate, show_outcome
from aims_core.ui.navigation import id_param
from aims_core.ui.session import cached, current_identity, get_db, query, today
from aims_core.ui.text import md_escape


def _assessments(system_names: dict[int, str]) -> pd.DataFrame:
    chosen = st.multiselect("AI system", list(system_names), format_func=system_names.get,
                            key="impact_system")
    sql = ("SELECT a.*, a.next_review < current_date AS review_overdue FROM "
           "impact_assessments a WHERE {} ORDER BY a.assessed_on DESC, a.id DESC")
    load = (lambda: query(sql.format("ai_system_id IN (SELECT unnest(?::BIGINT[]))"),
                          (list(chosen),))) if chosen else (lambda: query(sql.format("TRUE")))
    if query("SELECT count(*) AS n FROM impact_assessments")["n"].iloc[0] == 0:
        st.info("No impact assessment yet. Add one per AI system in the empty row below "
                "(start with EU AI Act high-risk systems): intended use, reviewer and date are "
                "required. Then open it to list its impacts.", icon=":material/lightbulb:")
    editable_table(IMPACT_ASSESSMENTS, load, key="impact_assessments", who=current_identity(),
                   signature=repr(chosen), labels={"ai_system_id": system_names})
    return query(sql.format("TRUE"))


def _impacts(assessment_id: int) -> None:
    method = cached(load_method)
    st.caption("Rate severity on the impact scale and likelihood on the likelihood scale of "
               "the risk method; the level uses the same grid as every risk.")

    def load() -> pd.DataFrame:
        frame = query(
            """SELECT i.*, g.level_band AS level,
                      (SELECT min(r.id) FROM risks r WHERE r.impact_id = i.id) AS risk_id
               FROM impacts i LEFT JOIN risk_level_grid g
                    ON g.likelihood = i.likelihood AND g.impact = i.severity
               WHERE i.impact_assessment_id = ? ORDER BY i.id""", (assessment_id,))
        frame["risk"] = [f"Risk #{int(r)}" if pd.notna(r) else "" for r in frame["risk_id"]]
        return frame

    editable_table(
        IMPACTS, load, key=f"impacts_{assessment_id}", who=current_identity(),
        signature=str(method.version), fixed={"impact_assessment_id": assessment_id},
        labels={"severity": {n: f"{n} · {x}" for n, x in enumerate(method.impact_labels, 1)},
                "likelihood": {n: f"{n} · {x}"
                               for n, x in enumerate(method.likelihood_labels, 1)}},
        column_order=["affected", "description", "severity", "likelihood", "level",
                      "mitigation", "risk"],
        context={"level": st.column_config.TextColumn("Level"),
                  "risk": st.column_config.TextColumn("Raised as")})


def _raise_as_risk(assessment: pd.Series) -> None:
    open_impacts = query(
        """SELECT i.id, i.description FROM impacts i WHERE i.impact_assessment_id = ?
           AND NOT EXISTS (SELECT 1 FROM risks r WHERE r.impact_id = i.id) ORDER BY i.id""",
        (int(assessment["id"]),))
    key = f"raise_{int(assessment['id'])}"
    show_outcome(st.session_state.pop(f"{key}_outcome", None))
    if open_impacts.empty:
        st.caption("Every impact of this assessment is in the risk register.")
        return
    owner = query("SELECT owner FROM ai_systems WHERE id = ?",
                  (int(assessment["ai_system_id"]),))["owner"].iloc[0]
    names = {int(r.id): f"#{int(r.id)} {r.description}" for r in open_impacts.itertuples()}
    cols = st.columns([3, 2, 1], vertical_alignment="bottom")
    cols[0].selectbox("Raise an impact as a risk", list(names), format_func=names.get,
                      key=f"{key}_impact")
    cols[1].text_input("Risk owner", value=owner, key=f"{key}_owner")
    who = current_identity()
    cols[2].button("Raise as risk", key=f"{key}_go", disabled=not who.can_edit,
                   on_click=_raise, args=(key, who.actor))


def _raise(key: str, who: Actor) -> None:
    impact_id = st.session_state.get(f"{key}_impact")
    result = risks.raise_impact_as_risk(get_db(), int(impact_id),
                                        st.session_state.get(f"{key}_owner") or "", today(), who)
    if result.ok:
        invalidate(key.replace("raise_", "impacts_"))
        st.session_state[f"{key}_outcome"] = (
            "success", f"Raised as risk #{result.inserted[0]}: rate its residual level and "
                       "link its controls on the Risks page.")
    else:
        st.session_state[f"{key}_outcome"] = result


def render() -> None:
    st.title("Impact assessments")
    st.caption("AI system impact assessments (ISO/IEC 42001 6.1.4, 8.4, A.5.2–A.5.5): who the "
               "system affects — individuals, groups, society — its intended use and "
               "reasonably foreseeable misuse, each impact with severity, likelihood and "
               "mitigation. An impact can be raised as a risk in one step; the two stay linked.")
    systems = query("SELECT id, name FROM ai_systems ORDER BY name")
    if systems.empty:
        st.info("Impact assessments belong to AI systems: add a system on the AI systems page "
                "first.", icon=":material/lightbulb:")
        return
    names = {int(r.id): r.name for r in systems.itertuples()}
    assessments = _assessments(names)
    if assessments.empty:
        return
    st.divider()
    labels = {int(r.id): f"#{int(r.id)} {names.get(int(r.ai_system_id), '?')} — "
                         f"{r.assessed_on:%d %b %Y}" for r in assessments.itertuples()}
    ids = list(labels)
    wanted = id_param("assessment")
    chosen = st.selectbox("Open an assessment", ids, format_func=labels.get,
                          index=ids.index(wanted) if wanted in labels else 0, key="impact_open")
    st.query_params["assessment"] = str(chosen)
    assessment = assessments.set_index("id").loc[chosen]
    assessment["id"] = chosen
    st.subheader(f"Impacts of {md_escape(names.get(int(assessment['ai_system_id']), '?'))}")
    _impacts(int(chosen))
    _raise_as_risk(assessment)
