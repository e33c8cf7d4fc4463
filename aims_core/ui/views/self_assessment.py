"""Self-assessment: a guided gap analysis over ISO/IEC 42001 clauses 4–10 and the Annex A
objectives, pre-filled from the registers. Start a session, answer it one question per
screen (each answer saved at once), finish it (locked), then read its results, compare it
with the previous session and turn its roadmap into actions or risks."""

from __future__ import annotations

import zlib
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from aims_core.auth import people
from aims_core.auth.actor import Actor
from aims_core.inventory import systems as inventory_systems
from aims_core.self_assessment import bank, roadmap, scoring, sessions
from aims_core.self_assessment.registers import SESSION_STATUSES
from aims_core.ui.charts import score_trend
from aims_core.ui.forms import FormKeys
from aims_core.ui.paging import page_offset
from aims_core.ui.people_picker import person_select
from aims_core.ui.pickers import linked_id, record_picker
from aims_core.ui.session import Identity, cached, current_identity, get_db, today
from aims_core.ui.text import md_escape
from aims_core.ui.views import self_assessment_results
from aims_core.ui.views.self_assessment_run import question_runner

PICKER = "sa_session_choice"
HISTORY_PAGE = 25


def _start_form(who: Identity, expanded: bool) -> None:
    with st.expander("Start a new session", expanded=expanded, icon=":material/add_circle:"):
        form = FormKeys("sa_start")
        form.show_outcome()
        cols = st.columns([3, 2, 3])
        cols[0].text_input("Title", key=form.default(
            "title", f"Self-assessment {today():%B %Y}"), max_chars=200)
        cols[1].date_input("Held on", value=today(), format="YYYY-MM-DD",
                           key=form.key("held_on"))
        cols[2].radio("Mode", list(bank.MODES), format_func=bank.MODES.get,
                      key=form.key("mode"))
        cols = st.columns(2)
        person_select("Facilitator", key=form.key("facilitator"), default=who.name,
                      where=cols[0], help="Who runs the session; they own it")
        names = cached(people.active_names)
        cols[1].multiselect("Participants from the directory", names,
                            default=[who.name] if who.name in names else [],
                            key=form.key("participants"))
        cols = st.columns(2)
        cols[0].text_input("Other participants", key=form.key("other"), max_chars=500,
                           placeholder="e.g. the external consultant")
        cols[1].text_input("Scope note", key=form.key("scope"),
                           placeholder="What this session covers or leaves out")
        reason = who.lacks("edit", "start a session")
        if reason:
            st.caption(reason)
        st.button("Start the session", key="sa_start_go", type="primary",
                  icon=":material/play_arrow:", disabled=reason is not None,
                  on_click=_start, args=(form, who.actor))


def _start(form: FormKeys, actor: Actor) -> None:
    values = form.values("title", "held_on", "mode", "facilitator", "participants", "other",
                         "scope")
    result = sessions.start(get_db(), actor, title=values["title"], held_on=values["held_on"],
                            mode=values["mode"] or "quick", facilitator=values["facilitator"],
                            participants=values["participants"] or [],
                            other_participants=values["other"], scope_note=values["scope"])
    if form.finish(result, "Session started: the first question is below. Every answer is "
                           "saved the moment you give it."):
        st.query_params["session"] = str(result.inserted[0])
        st.query_params.pop("question", None)


def _chosen_session() -> int | None:
    """The session the URL names (or the one a roadmap step belongs to), else the one in
    progress, else the latest."""
    step = linked_id("step")
    if step is not None and linked_id("session") is None:
        parent = cached(roadmap.session_of_step, step)
        if parent is not None:
            st.query_params["session"] = str(parent)
    titles = cached(sessions.titles)
    if linked_id("session") not in titles and titles:
        listing = cached(sessions.listing, 1)
        st.query_params["session"] = str(int(listing["id"].iloc[0]))
    previous = st.session_state.get("_sa_open")
    # keyed by its labels: a new or finished session redraws it with the URL's session
    chosen = record_picker("Session", titles, param="session",
                           key=f"{PICKER}_{zlib.crc32(repr(titles).encode())}",
                           placeholder="Choose a session")
    if previous is not None and chosen != previous:  # another session: its own resume point
        st.query_params.pop("question", None)
    st.session_state["_sa_open"] = chosen
    return chosen


def _finish_controls(session: dict[str, Any], who: Identity) -> None:
    session_id = int(session["id"])
    st.divider()
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    with left:
        st.markdown("**Finish the session** when every question you can answer is answered: "
                    "the scores are frozen and the answers locked. Questions left open count "
                    "as not answered (no score), never as 0.")
        form = FormKeys(f"sa_finish_{session_id}")
        form.show_outcome()
        confirm = st.checkbox("I understand that finishing locks the answers",
                              key=form.key("confirm"))
        reason = who.lacks("edit", "finish the session")
        st.button("Finish and lock", key=f"sa_finish_{session_id}_go", type="primary",
                  icon=":material/lock:", disabled=reason is not None or not confirm,
                  on_click=_finish, args=(form, session_id, int(session["version"]),
                                          who.actor), help=reason)
    with right, st.popover("Cancel this session", icon=":material/cancel:"):
        st.caption("A cancelled session stays in the history, locked, and counts nowhere.")
        st.button("Cancel the session", key=f"sa_cancel_{session_id}",
                  disabled=not who.can_edit, on_click=_cancel,
                  args=(form, session_id, int(session["version"]), who.actor))


def _finish(form: FormKeys, session_id: int, version: int, actor: Actor) -> None:
    result = sessions.finish(get_db(), actor, session_id, version, today())
    if form.finish(result, "Session finished and locked: its results are below."):
        st.query_params.pop("question", None)


def _cancel(form: FormKeys, session_id: int, version: int, actor: Actor) -> None:
    form.finish(sessions.cancel(get_db(), actor, session_id, version), "Session cancelled.")


def _history() -> None:
    st.header("History")
    total = cached(sessions.count)
    offset = page_offset(total, HISTORY_PAGE, "sa_history_page")
    frame = cached(sessions.listing, HISTORY_PAGE, offset)
    shown = pd.DataFrame({
        "session": [f"#{int(i)} {t}" for i, t in zip(frame["id"], frame["title"],
                                                       strict=True)],
        "held_on": frame["held_on"], "mode": frame["mode"].map(bank.MODE_NAMES),
        "status": frame["status"].map(SESSION_STATUSES), "facilitator": frame["facilitator"],
        "participants": frame["participants"], "given": frame["given"],
        "overall": frame["overall_score"],
        "link": [f"self_assessment?session={int(i)}" for i in frame["id"]]})
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "session": st.column_config.TextColumn("Session", width="large"),
        "held_on": st.column_config.DateColumn("Held on"), "mode": "Mode",
        "status": "Status", "facilitator": "Facilitator", "participants": "Participants",
        "given": st.column_config.NumberColumn("Answers given"),
        "overall": st.column_config.NumberColumn("Overall (0–5)", format="%.2f"),
        "link": st.column_config.LinkColumn("Open", display_text="Open")})
    trend = cached(scoring.trend)
    if trend.empty:
        st.caption("The maturity trend appears here once a session is finished.")
        return
    st.subheader("Maturity trend")
    overall = trend.drop_duplicates("session_id")
    st.plotly_chart(score_trend(overall), key="sa_trend", config={"displayModeBar": False})
    pivot = trend.pivot_table(index="area", columns="session_id", values="score",
                              sort=False)
    pivot.columns = [f"#{c} {d:%d %b %Y}" for c, d in
                     zip(overall["session_id"], overall["held_on"], strict=True)]
    st.caption("Score per clause and Annex A objective, oldest session first")
    st.dataframe(pivot.reset_index().rename(columns={"area": "Clause or objective"}),
                 hide_index=True, width="stretch")


def render() -> None:
    st.title("Self-assessment")
    st.caption("A guided gap analysis against ISO/IEC 42001 clauses 4–10 and Annex A in about "
               "15 minutes, pre-filled from the registers. Every answer is saved the moment "
               "you give it.")
    who = current_identity()
    if not cached(inventory_systems.names):
        st.info("No AI systems are in the inventory yet. You can assess now, but most "
                "suggestions come from the registers: add your AI systems first, then risks "
                "and the SoA, and the questions arrive with evidence.",
                icon=":material/lightbulb:")
    if cached(sessions.count) == 0:
        st.info("No self-assessment yet. Start the first one below: it gives your baseline "
                "maturity and the roadmap to certification.", icon=":material/lightbulb:")
        _start_form(who, expanded=True)
        return
    session_id = _chosen_session()
    if session_id is not None:
        _open(session_id, who)
    st.divider()
    _start_form(who, expanded=False)
    _history()


def _open(session_id: int, who: Identity) -> None:
    session = cached(sessions.one, session_id)
    if session is None:
        st.warning(f"Session #{session_id} no longer exists.", icon=":material/sync_problem:")
        return
    held: date = session["held_on"]
    st.markdown(f"**{md_escape(session['title'])}** · {bank.MODE_NAMES[session['mode']]} · "
                f"held {held:%d %b %Y} · facilitator {md_escape(session['facilitator'])} · "
                f"{SESSION_STATUSES[session['status']]}")
    if session["status"] == "in_progress":
        question_runner(session_id, session["mode"], int(session["bank_version"]), who)
        _finish_controls(session, who)
    elif session["status"] == "finished":
        self_assessment_results.results(session, who)
    else:
        st.caption("This session was cancelled: it is kept in the history and counts "
                   "nowhere.")
