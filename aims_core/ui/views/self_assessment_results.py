"""The results of a finished self-assessment: maturity per clause and Annex A objective
(radar and labelled bars), the overall score, the largest gaps, the comparison with the
previous finished session, the roadmap that becomes actions or risks, and the exports."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from aims_core.auth.actor import Actor
from aims_core.risk.risk_method import load_method
from aims_core.self_assessment import bank, exports, roadmap, scoring, sessions
from aims_core.self_assessment.registers import STEPS
from aims_core.ui.actions_panel import actions_panel
from aims_core.ui.charts import maturity_bars, maturity_radar
from aims_core.ui.editable_table import editable_table, invalidate
from aims_core.ui.forms import FormKeys
from aims_core.ui.pickers import linked_id
from aims_core.ui.session import Identity, cached, get_db, today
from aims_core.ui.text import md_escape

_EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_STEP_COLUMNS = ["step_no", "requirement_id", "title", "gap", "owner", "due_on",
                 "horizon_months", "actions", "risks"]


def figures(db: Any, session_id: int, previous: int | None) -> list[go.Figure]:
    """The radar (with the previous session) and the labelled bars of a session."""
    now = scoring.area_scores(scoring.scores(db, session_id))
    before = scoring.area_scores(scoring.scores(db, previous)) if previous else None
    return [maturity_radar(now, before), maturity_bars(now)]


def comparison(db: Any, session_id: int, previous: int | None) -> pd.DataFrame:
    """Per clause and objective: before, now, change, rose/fell (empty without a previous)."""
    if previous is None:
        return pd.DataFrame()
    now = scoring.area_scores(scoring.scores(db, session_id))
    before = scoring.area_scores(scoring.scores(db, previous))
    return scoring.compare(now, before, "area")


def _headline(session: dict[str, Any], frame: pd.DataFrame, previous: dict | None) -> None:
    counts = scoring.counts(frame)
    tiles = st.columns(4)
    overall = session["overall_score"]
    before = None if previous is None else previous["overall_score"]
    tiles[0].metric("Overall maturity (0–5)", "–" if pd.isna(overall) else f"{overall:.2f}",
                    delta=None if before is None or pd.isna(before) or pd.isna(overall)
                    else f"{overall - before:+.2f} since #{int(previous['id'])}",
                    border=True, help="The mean of the requirement scores; don't know and "
                                      "not applicable are left out, never counted as 0")
    tiles[1].metric("Answered with a level", f"{counts.answered} of {counts.questions}",
                    border=True)
    tiles[2].metric("Don't know", counts.dont_know, border=True,
                    help="Counted apart: each is a question to find the answer to")
    tiles[3].metric("Not applicable", counts.not_applicable, border=True)


def _radar(session_id: int, previous: int | None) -> None:
    radar, _ = cached(figures, session_id, previous)
    st.subheader("Maturity radar")
    st.plotly_chart(radar, key=f"sa_radar_{session_id}", config={"displayModeBar": False})
    st.caption("Solid: this session · dashed: the previous finished session · dotted: level "
               "3, needed for certification.")


def _bars(session_id: int, previous: int | None) -> None:
    _, bars = cached(figures, session_id, previous)
    st.subheader("Per clause and Annex A objective")
    st.plotly_chart(bars, key=f"sa_bars_{session_id}", config={"displayModeBar": False})
    st.caption("Plain bars: clauses 4–10 · hatched: Annex A objectives · dashed line: level 3, "
               "needed for certification.")


def _gaps(frame: pd.DataFrame) -> None:
    st.subheader(f"The {scoring.TOP_GAPS} largest gaps")
    top = scoring.top_gaps(frame)
    if top.empty:
        st.success("Every scored requirement reaches the level certification needs.",
                   icon=":material/task_alt:")
        return
    st.dataframe(top[["gap_rank", "requirement_id", "title", "score", "target", "weight",
                      "gap"]], hide_index=True, width="stretch", column_config={
        "gap_rank": "Rank", "requirement_id": "Requirement",
        "title": st.column_config.TextColumn("Title", width="large"),
        "score": st.column_config.NumberColumn("Score", format="%.1f"),
        "target": st.column_config.NumberColumn("Needed", format="%.0f"),
        "weight": st.column_config.NumberColumn(
            "Weight", format="%.2f", help="1 for a clause; for an objective the share of its "
                                          "controls the SoA marks applicable"),
        "gap": st.column_config.NumberColumn("Gap", format="%.2f")})


def _comparison(session_id: int, previous: dict | None) -> None:
    st.subheader("Compared with the previous session")
    if previous is None:
        st.caption("No earlier finished session: the next one will be compared with this.")
        return
    st.caption(f"Against #{int(previous['id'])} {md_escape(previous['title'])} "
               f"({previous['held_on']:%d %b %Y})")
    frame = cached(comparison, session_id, int(previous["id"]))
    moved = frame.dropna(subset=["change"])
    rose, fell = moved[moved["change"] > 0], moved[moved["change"] < 0]

    def said(part: pd.DataFrame) -> str:
        return ", ".join(f"{r.area} {r.change:+.1f}" for r in
                         part.sort_values("change", key=abs, ascending=False).itertuples())

    cols = st.columns(3)
    cols[0].metric("Rose", len(rose), border=True)
    cols[1].metric("Fell", len(fell), border=True)
    cols[2].metric("Unchanged", int((moved["change"] == 0).sum()), border=True)
    if len(rose):
        st.markdown(f"**Rose:** {md_escape(said(rose))}")
    if len(fell):
        st.markdown(f"**Fell:** {md_escape(said(fell))}")
    st.dataframe(frame[["label", "before", "score", "change", "direction"]], hide_index=True,
                 width="stretch", column_config={
                     "label": st.column_config.TextColumn("Clause or objective",
                                                          width="large"),
                     "before": st.column_config.NumberColumn("Before", format="%.2f"),
                     "score": st.column_config.NumberColumn("Now", format="%.2f"),
                     "change": st.column_config.NumberColumn("Change", format="%+.2f"),
                     "direction": "Direction"})


def _build_roadmap(session_id: int, who: Identity) -> None:
    form = FormKeys(f"sa_roadmap_{session_id}")
    st.caption("Every gap becomes a step, largest first, with the subclause's owner from the "
               "Clauses page (for an objective, the usual owner of its controls in the SoA) "
               "and due dates spread over the horizon you choose.")
    cols = st.columns([2, 2, 3], vertical_alignment="bottom")
    cols[0].segmented_control("Horizon (months)", roadmap.HORIZONS, default=6,
                              key=form.key("horizon"), required=True)
    cols[1].date_input("Starting on", value=today(), format="YYYY-MM-DD",
                       key=form.key("start"))
    reason = who.lacks("edit", "build the roadmap")
    cols[2].button("Build the roadmap", key=f"sa_roadmap_{session_id}_go", type="primary",
                   icon=":material/route:", disabled=reason is not None, help=reason,
                   on_click=_save_roadmap, args=(form, session_id, who.actor))


def _save_roadmap(form: FormKeys, session_id: int, actor: Actor) -> None:
    values = form.values("horizon", "start")
    result = roadmap.build(get_db(), actor, session_id, int(values["horizon"] or 6),
                           values["start"] or today())
    if form.finish(result, f"Roadmap built: {_count(result.inserted, 'step')}. Edit titles, owners "
                           "and dates in the table, then turn steps into actions."):
        invalidate(f"sa_steps_{session_id}")


def _roadmap(session: dict[str, Any], who: Identity) -> None:
    session_id = int(session["id"])
    st.subheader("Roadmap")
    FormKeys(f"sa_roadmap_{session_id}").show_outcome()
    steps = cached(roadmap.steps, session_id)
    if steps.empty:
        _build_roadmap(session_id, who)
        return
    editable_table(STEPS, lambda: roadmap.steps(get_db(), session_id),
                   key=f"sa_steps_{session_id}", who=who, signature=str(session_id),
                   allow_add=False, fixed={"session_id": session_id},
                   column_order=_STEP_COLUMNS, show_id=False,
                   context={"actions": st.column_config.TextColumn("Actions"),
                            "risks": st.column_config.TextColumn("Risks")})
    _raise(session_id, steps, who)
    _step_actions(steps)


def _raise(session_id: int, steps: pd.DataFrame, who: Identity) -> None:
    form = FormKeys(f"sa_raise_{session_id}")
    form.show_outcome()
    titles = {int(r.id): f"{int(r.step_no)}. {r.requirement_id} {r.requirement_title}"
              for r in steps.itertuples()}
    free = [i for i, a in zip(steps["id"], steps["actions"], strict=True) if pd.isna(a)]
    cols = st.columns([4, 2], vertical_alignment="bottom")
    cols[0].multiselect("Steps to turn into work", list(titles), format_func=titles.get,
                        default=[int(i) for i in free[:scoring.TOP_GAPS]],
                        key=form.key("steps"), help="The largest gaps without an action are "
                                                    "chosen first")
    reason = who.lacks("edit", "create actions or risks")
    cols[1].button("Create actions", key=f"sa_to_actions_{session_id}", type="primary",
                   icon=":material/add_task:", disabled=reason is not None, help=reason,
                   on_click=_to_actions, args=(form, session_id, who.actor), width="stretch")
    with st.expander("Or raise the chosen steps as risks", icon=":material/warning:"):
        method = cached(load_method)
        cols = st.columns([2, 2, 2], vertical_alignment="bottom")
        cols[0].selectbox("Likelihood", list(range(1, method.size + 1)),
                          format_func=lambda n: f"{n} {method.likelihood_labels[n - 1]}",
                          key=form.key("likelihood"))
        cols[1].selectbox("Impact", list(range(1, method.size + 1)),
                          format_func=lambda n: f"{n} {method.impact_labels[n - 1]}",
                          key=form.key("impact"))
        cols[2].button("Raise as risks", key=f"sa_to_risks_{session_id}",
                       icon=":material/warning:", disabled=reason is not None,
                       on_click=_to_risks, args=(form, session_id, who.actor))
        st.caption("Each becomes an organisation-wide open risk, rated as you choose here, "
                   "linked to its step; rate and treat it further on the Risks page.")


def _to_actions(form: FormKeys, session_id: int, actor: Actor) -> None:
    chosen = form.values("steps")["steps"] or []
    result = roadmap.to_actions(get_db(), actor, session_id, chosen, today())
    if form.finish(result, f"{_count(result.inserted, 'action')} created: they are on the Actions "
                           "list, the Schedule and their owners' My work."
                   if chosen else "Choose at least one step."):
        invalidate(f"sa_steps_{session_id}")


def _to_risks(form: FormKeys, session_id: int, actor: Actor) -> None:
    values = form.values("steps", "likelihood", "impact")
    result = roadmap.to_risks(get_db(), actor, session_id, values["steps"] or [],
                              int(values["likelihood"]), int(values["impact"]), today())
    if form.finish(result, f"{_count(result.inserted, 'risk')} raised: find them on the Risks "
                           "page."):
        invalidate(f"sa_steps_{session_id}")


def _count(ids: list[int], noun: str) -> str:
    return f"{len(ids)} {noun}{'' if len(ids) == 1 else 's'}"


def _step_actions(steps: pd.DataFrame) -> None:
    """The actions of one step (a link from the actions list opens it here)."""
    titles = {int(r.id): f"Step {int(r.step_no)}: {r.title}" for r in steps.itertuples()}
    wanted = linked_id("step")
    ids = list(titles)
    with st.expander("Actions of one step", expanded=wanted in titles,
                     icon=":material/task_alt:"):
        chosen = st.selectbox("Step", ids, format_func=titles.get,
                              index=ids.index(wanted) if wanted in titles else 0,
                              key=f"sa_step_pick_{steps['session_id'].iloc[0]}")
        owner = steps.set_index("id").loc[chosen, "owner"]
        actions_panel(roadmap.SOURCE, int(chosen),
                      owner=owner if isinstance(owner, str) else None,
                      key=f"sa_step_{chosen}",
                      invalidates=(f"sa_steps_{steps['session_id'].iloc[0]}",))


def _downloads(session: dict[str, Any], previous: int | None) -> None:
    session_id = int(session["id"])
    stem = f"self-assessment-{session_id}-{session['held_on']:%Y-%m-%d}"
    cols = st.columns([2, 2, 4])
    cols[0].download_button(
        "Excel workbook", lambda: exports.workbook(get_db(), session_id),
        file_name=f"{stem}.xlsx", mime=_EXCEL, icon=":material/download:",
        key=f"sa_xlsx_{session_id}")
    cols[1].download_button(
        "HTML report", lambda: exports.html_report(
            get_db(), session_id, figures(get_db(), session_id, previous),
            comparison(get_db(), session_id, previous)).encode("utf-8"),
        file_name=f"{stem}.html", mime="text/html", icon=":material/description:",
        key=f"sa_html_{session_id}")
    cols[2].caption("The HTML report opens offline, charts included; the workbook holds the "
                    "answers, scores, gaps and roadmap.")


def _answers(session: dict[str, Any]) -> None:
    with st.expander("Every answer", icon=":material/list:"):
        st.dataframe(cached(exports.answers_sheet, int(session["id"])), hide_index=True,
                     width="stretch")


def results(session: dict[str, Any], who: Identity) -> None:
    session_id = int(session["id"])
    frame = cached(scoring.scores, session_id)
    previous_id = cached(scoring.previous_finished, session_id)
    previous = None if previous_id is None else cached(sessions.one, int(previous_id))
    FormKeys(f"sa_finish_{session_id}").show_outcome()
    _headline(session, frame, previous)
    if session["scope_note"] and isinstance(session["scope_note"], str):
        st.caption(f"Scope: {md_escape(session['scope_note'])}")
    left, right = st.columns(2, gap="large")
    with left:
        _radar(session_id, previous_id)
    with right:
        _gaps(frame)
    _bars(session_id, previous_id)
    _comparison(session_id, previous)
    _roadmap(session, who)
    _downloads(session, previous_id)
    _answers(session)
    st.caption(f"Question bank version {int(session['bank_version'])}, "
               f"{bank.MODE_NAMES[session['mode']].lower()} mode · finished "
               f"{session['finished_on']:%d %b %Y} by {md_escape(session['finished_by'])} · "
               "locked: start a new session to assess again.")
