"""AI system impact assessments (6.1.4, 8.4, A.5.2–A.5.5): one per system and review, its
impacts on individuals, groups and society, each raisable as a risk in one step."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.inventory import systems
from aims_core.risk import impact_assessments, risks
from aims_core.risk.registers import IMPACT_ASSESSMENTS, IMPACTS
from aims_core.risk.risk_method import load_method
from aims_core.ui.editable_table import editable_table, invalidate, show_outcome
from aims_core.ui.navigation import id_param
from aims_core.ui.paging import page_offset, show_count
from aims_core.ui.pickers import LIST_ALL, listed_only_note, search_text
from aims_core.ui.session import cached, current_identity, get_db, today
from aims_core.ui.text import md_escape

PAGE_SIZE = 50


def _system_filter() -> tuple[int, ...]:
    """The AI systems whose assessments are listed (searched in a large organisation)."""
    chosen = tuple(st.session_state.get("impact_system") or ())
    search = search_text("impact_system", cached(systems.pickable_count), "AI systems")
    names = cached(systems.names, search, chosen)
    return tuple(st.multiselect("AI system", list(names), format_func=names.get,
                                key="impact_system"))


def _assessments(chosen: tuple[int, ...]) -> pd.DataFrame:
    """The page of assessments listed, in the editable table; returns its rows."""
    total = cached(impact_assessments.count, chosen)
    offset = page_offset(total, PAGE_SIZE, "impact_page")
    show_count(total, offset, PAGE_SIZE, ("impact assessment", "impact assessments"),
               register_empty=cached(impact_assessments.count) == 0,
               first_steps="No impact assessment yet. Add one per AI system in the empty row "
               "below (start with EU AI Act high-risk systems): intended use, reviewer and "
               "date are required. Then open it to list its impacts.")
    shown = cached(impact_assessments.page, today(), chosen, offset, PAGE_SIZE)
    # The AI system column offers every system while they are few; in a large organisation
    # those of the rows shown and of the filter (filter by a system to add an assessment).
    many = cached(systems.pickable_count) > LIST_ALL
    listed_only_note(cached(systems.pickable_count))
    listed = tuple(int(i) for i in shown["ai_system_id"].dropna()) + chosen
    editable_table(IMPACT_ASSESSMENTS,
                   lambda: impact_assessments.page(get_db(), today(), chosen, offset,
                                                   PAGE_SIZE),
                   key="impact_assessments", who=current_identity(),
                   signature=repr((chosen, offset)),
                   labels={"ai_system_id": cached(systems.names, "" if many else None, listed,
                                                  False, 0)})
    return shown


def _impacts(assessment_id: int) -> None:
    method = cached(load_method)
    st.caption("Rate severity on the impact scale and likelihood on the likelihood scale of "
               "the risk method; the level uses the same grid as every risk.")

    def load() -> pd.DataFrame:
        frame = impact_assessments.impacts_of(get_db(), assessment_id)
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


def _raise_as_risk(assessment: dict) -> None:
    names = cached(impact_assessments.unraised, int(assessment["id"]))
    key = f"raise_{int(assessment['id'])}"
    show_outcome(st.session_state.pop(f"{key}_outcome", None))
    if not names:
        st.caption("Every impact of this assessment is in the risk register.")
        return
    owner = assessment["system_owner"]
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
    if cached(systems.pickable_count) == 0:
        st.info("Impact assessments belong to AI systems: add a system on the AI systems page "
                "first.", icon=":material/lightbulb:")
        return
    shown = _assessments(_system_filter())
    wanted = id_param("assessment")
    linked = (wanted,) if wanted is not None else ()
    labels = cached(impact_assessments.labels,
                    tuple(dict.fromkeys([*linked, *(int(i) for i in shown["id"])])))
    if not labels:
        return
    st.divider()
    ids = list(labels)
    chosen = st.selectbox("Open an assessment", ids, format_func=labels.get,
                          index=ids.index(linked[0]) if linked and linked[0] in labels else 0,
                          key="impact_open")
    st.query_params["assessment"] = str(chosen)
    assessment = cached(impact_assessments.one, int(chosen))
    st.subheader(f"Impacts of {md_escape(assessment['ai_system'] or '?')}")
    _impacts(int(chosen))
    _raise_as_risk(assessment)
