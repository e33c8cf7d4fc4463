"""Management review (9.3): plan and prepare a review, record notes, decisions and actions
during the meeting (also from a second browser beside the shared screen), sign it off and
hand out the frozen pack. ``?present=1`` turns the page into the presenter's screen."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from aims_core.management_review import pack_export, reviews
from aims_core.management_review.registers import DECISION_TYPES, REVIEW_STATUSES
from aims_core.management_review.sections import BY_CODE, SECTION_TITLES
from aims_core.records.writes import WriteResult
from aims_core.ui.editable_table import show_outcome
from aims_core.ui.people_picker import person_select
from aims_core.ui.review_content import content
from aims_core.ui.review_sections import show_section
from aims_core.ui.session import Identity, cached, current_identity, get_db, today
from aims_core.ui.text import md_escape
from aims_core.ui.views import management_review_presenter as presenter

OUTCOME = "_review_outcome"


def _review_label(reviews_frame: pd.DataFrame) -> dict[int, str]:
    return {int(r.id): f"{r.review_date:%d %b %Y} · {REVIEW_STATUSES.get(r.status, r.status)}"
            for r in reviews_frame.itertuples()}


def _chosen(frame: pd.DataFrame) -> int:
    """The review the link names (?review= or ?review_decision=), else the planned one, else
    the latest."""
    wanted = st.query_params.get("review")
    decision = st.query_params.get("review_decision")
    if decision and decision.isdigit():
        found = get_db().scalar("SELECT review_id FROM management_review_decisions "
                                "WHERE id = ?", [int(decision)])
        wanted = str(found) if found else None
    ids = [int(i) for i in frame["id"]]
    if wanted and wanted.isdigit() and int(wanted) in ids:
        return int(wanted)
    planned = frame[frame["status"] == "planned"]
    return int(planned["id"].iloc[-1]) if not planned.empty else ids[0]


def _remember(result: WriteResult, success: str) -> None:
    st.session_state[OUTCOME] = ("success", success) if result.ok else result


# --- planning -------------------------------------------------------------------------------
def _plan_form(who: Identity, first: bool) -> None:
    with st.form("review_plan", clear_on_submit=False, enter_to_submit=False):
        st.markdown("**Plan a management review**")
        top = st.columns([1, 2, 3])
        top[0].date_input("Review date", value=None, format="YYYY-MM-DD", key="plan_date")
        with top[1]:
            person_select("Chair (top management)", key="plan_chair", default=who.name)
        top[2].text_input("Scope", key="plan_scope", placeholder="e.g. The whole AIMS")
        st.text_input("Attendees", key="plan_attendees",
                      placeholder="Who is invited (add them one by one once planned)")
        missing = who.lacks("manage", "plan a review")
        st.form_submit_button("Plan the review", type="primary", icon=":material/event:",
                              disabled=missing is not None, on_click=_plan, args=(who,))
        if missing:
            st.caption(missing)
    if first:
        st.caption("The inputs are computed from the registers for the period since the "
                   "previous review; plan the first one to start.")


def _plan(who: Identity) -> None:
    state = st.session_state
    result = reviews.plan(get_db(), who.actor, {
        "review_date": state.get("plan_date"), "chair": state.get("plan_chair"),
        "scope": state.get("plan_scope") or None,
        "attendees": state.get("plan_attendees") or None})
    _remember(result, "Review planned.")
    if result.ok:
        st.query_params["review"] = str(result.inserted[0])


def _details(review: dict[str, Any], who: Identity, locked: bool) -> None:
    version = int(review["version"])
    key = f"review_{review['id']}_v{version}"
    with st.form(f"{key}_details", enter_to_submit=False):
        top = st.columns([1.3, 1.1, 1.8, 1.8])
        top[0].date_input("Review date", value=review["review_date"], format="YYYY-MM-DD",
                          key=f"{key}_date", disabled=locked)
        statuses = [s for s in REVIEW_STATUSES if s != "signed"] or list(REVIEW_STATUSES)
        top[1].selectbox("Status", statuses if not locked else ["signed"],
                         format_func=REVIEW_STATUSES.get, key=f"{key}_status",
                         index=statuses.index(review["status"])
                         if review["status"] in statuses else 0, disabled=locked)
        with top[2]:
            person_select("Chair", key=f"{key}_chair", default=review.get("chair"))
        top[3].text_input("Scope", value=review.get("scope") or "", key=f"{key}_scope",
                          disabled=locked)
        row = st.columns([1, 3])
        row[0].date_input("Period covered from", value=review.get("period_start"),
                          format="YYYY-MM-DD", key=f"{key}_start", disabled=locked,
                          help="Blank: from the previous review")
        row[1].text_input("Attendees", value=review.get("attendees") or "",
                          key=f"{key}_attendees", disabled=locked)
        missing = who.lacks("manage", "change the review")
        st.form_submit_button("Save the details", icon=":material/save:",
                              disabled=locked or missing is not None, on_click=_save_details,
                              args=(review, key, who))


def _save_details(review: dict[str, Any], key: str, who: Identity) -> None:
    state = st.session_state
    result = reviews.update(get_db(), who.actor, int(review["id"]), int(review["version"]), {
        "review_date": state.get(f"{key}_date"), "status": state.get(f"{key}_status"),
        "chair": state.get(f"{key}_chair"), "scope": state.get(f"{key}_scope") or None,
        "period_start": state.get(f"{key}_start"),
        "attendees": state.get(f"{key}_attendees") or None})
    _remember(result, "Review details saved.")


def _attendees(review: dict[str, Any], who: Identity, locked: bool) -> None:
    people = cached(reviews.attendees, int(review["id"]))
    if people.empty:
        st.caption("No attendee listed one by one yet.")
    elif locked:
        st.dataframe(people.assign(attended=people["attended"].map(
            {True: "Yes", False: "No"}).fillna("Not recorded"))[
            ["person", "capacity", "attended"]], hide_index=True, width="stretch",
            column_config={"person": "Attendee", "capacity": "Capacity",
                           "attended": "Attended"})
    else:
        _attendance(review, people, who)
    if locked:
        return
    with st.form(f"attendee_{review['id']}", clear_on_submit=True, enter_to_submit=False):
        row = st.columns([2, 2, 1], vertical_alignment="bottom")
        with row[0]:
            person_select("Attendee", key=f"attendee_person_{review['id']}")
        row[1].text_input("Capacity", key=f"attendee_capacity_{review['id']}",
                          placeholder="e.g. Head of HR")
        row[2].form_submit_button("Add", icon=":material/person_add:",
                                  disabled=not who.can("manage"), on_click=_add_attendee,
                                  args=(review, who))


def _attended(value: Any) -> bool:
    return False if value is None or pd.isna(value) else bool(value)


def _attendance_key(row: Any) -> str:
    return f"attended_{row.id}_v{row.version}"


def _attendance(review: dict[str, Any], people: pd.DataFrame, who: Identity) -> None:
    with st.form(f"attendance_{review['id']}", enter_to_submit=False):
        st.caption("Tick who attended the meeting.")
        columns = st.columns(2)  # a name and its capacity fit on one line at 1280 px
        for i, row in enumerate(people.itertuples()):
            label = row.person + (f" ({row.capacity})" if isinstance(row.capacity, str) else "")
            columns[i % 2].checkbox(md_escape(label), value=_attended(row.attended),
                                    key=_attendance_key(row))
        st.form_submit_button("Save the attendance", icon=":material/how_to_reg:",
                              disabled=not who.can("manage"), on_click=_save_attendance,
                              args=(people, who))


def _save_attendance(people: pd.DataFrame, who: Identity) -> None:
    state = st.session_state
    changed = {int(row.id): (int(row.version), bool(state.get(_attendance_key(row))))
               for row in people.itertuples()
               if bool(state.get(_attendance_key(row))) != _attended(row.attended)}
    _remember(reviews.record_attendance(get_db(), who.actor, changed), "Attendance saved.")


def _add_attendee(review: dict[str, Any], who: Identity) -> None:
    state = st.session_state
    result = reviews.add_attendee(get_db(), who.actor, int(review["id"]),
                                  state.get(f"attendee_person_{review['id']}"),
                                  state.get(f"attendee_capacity_{review['id']}") or None)
    _remember(result, "Attendee added.")


def _prepare_tab(review: dict[str, Any], who: Identity, locked: bool) -> None:
    _details(review, who, locked)
    st.subheader("Readiness: do the registers hold data for each input?")
    ready = cached(reviews.readiness, review, today())
    st.dataframe(ready.assign(ready=ready["ready"].map({True: "✔ Data", False: "✖ Empty"}))[
        ["input", "ready", "detail"]], hide_index=True, width="stretch",
        column_config={"input": "Input", "ready": "Registers", "detail": "What they hold"})
    st.subheader("Attendees")
    _attendees(review, who, locked)


# --- inputs and notes -----------------------------------------------------------------------
def _draft_key(review_id: int, code: str) -> str:
    return f"_review_draft_{review_id}_{code}"


def _notes_form(review: dict[str, Any], code: str, row: dict[str, Any] | None,
                who: Identity) -> None:
    version = int(row["version"]) if row else 0
    key = f"notes_{review['id']}_{code}_v{version}"
    draft = st.session_state.get(_draft_key(int(review["id"]), code))
    with st.form(key, enter_to_submit=False):
        st.text_area("Discussion notes", value=draft if draft is not None
                     else (row or {}).get("notes") or "", key=f"{key}_text", height=100)
        st.checkbox("Discussed", value=bool((row or {}).get("discussed")), key=f"{key}_done")
        st.form_submit_button("Save the notes", icon=":material/save:",
                              disabled=not who.can_edit, on_click=_save_notes,
                              args=(review, code, row, key, who))


def _save_notes(review: dict[str, Any], code: str, row: dict[str, Any] | None, key: str,
                who: Identity) -> None:
    state = st.session_state
    text = state.get(f"{key}_text") or None
    result = reviews.save_notes(get_db(), who.actor, int(review["id"]), code, text,
                                bool(state.get(f"{key}_done")),
                                int(row["id"]) if row else None,
                                int(row["version"]) if row else None)
    draft = _draft_key(int(review["id"]), code)
    if result.ok:
        state.pop(draft, None)
    else:  # keep what was typed on screen, over the colleague's newer notes
        state[draft] = text or ""
    _remember(result, f"Notes on {BY_CODE[code].title} saved.")


def _inputs_tab(review: dict[str, Any], sections: list[dict[str, Any]], who: Identity,
                locked: bool) -> None:
    notes = {} if locked else cached(reviews.section_notes, int(review["id"]))
    for section in sections:
        code = section["code"]
        row = notes.get(code)
        discussed = section.get("discussed") if locked else bool(row and row["discussed"])
        with st.expander(("✔ " if discussed else "") + md_escape(
                f"{section['clause']} {section['title']}"), expanded=False):
            st.caption(md_escape(section["asks"]) + " Where to find it: " + " · ".join(
                f"[{md_escape(label)}](/{path})" for label, path in section["links"]))
            show_section(section, f"input_{review['id']}_{code}")
            if locked:
                st.markdown("**Discussion notes**")
                st.text(section.get("discussion") or "No notes recorded.")
            else:
                _notes_form(review, code, row, who)


# --- results --------------------------------------------------------------------------------
def _decision_form(review: dict[str, Any], who: Identity) -> None:
    round_ = st.session_state.get(f"_decision_round_{review['id']}", 0)
    key = f"decision_{review['id']}_{round_}"
    with st.form(key, enter_to_submit=False):
        st.markdown("**Record a decision (9.3.3)**")
        top = st.columns([1, 1])
        top[0].selectbox("Kind of decision", list(DECISION_TYPES), format_func=DECISION_TYPES.get,
                         key=f"{key}_type")
        top[1].selectbox("From input", list(SECTION_TITLES), format_func=SECTION_TITLES.get,
                         index=None, key=f"{key}_section", placeholder="Any input")
        st.text_area("Decision", key=f"{key}_text", height=80)
        st.markdown("Action for the decision (optional: lands in the Actions list)")
        row = st.columns([3, 2, 1])
        row[0].text_input("Action", key=f"{key}_action")
        with row[1]:
            person_select("Owner", key=f"{key}_owner")
        row[2].date_input("Due on", value=None, format="YYYY-MM-DD", key=f"{key}_due")
        st.form_submit_button("Record the decision", type="primary", icon=":material/gavel:",
                              disabled=not who.can("manage"), on_click=_record_decision,
                              args=(review, key, who))


def _record_decision(review: dict[str, Any], key: str, who: Identity) -> None:
    state = st.session_state
    action = None
    if state.get(f"{key}_action") or state.get(f"{key}_owner") or state.get(f"{key}_due"):
        action = {"title": state.get(f"{key}_action") or None,
                  "owner": state.get(f"{key}_owner"), "due_on": state.get(f"{key}_due"),
                  "created_on": today()}
    result = reviews.record_decision(get_db(), who.actor, int(review["id"]),
                                     state.get(f"{key}_type"), state.get(f"{key}_text") or None,
                                     state.get(f"{key}_section"), action)
    _remember(result, "Decision recorded" + (" with its action." if action else "."))
    if result.ok:  # a fresh, empty form
        round_key = f"_decision_round_{review['id']}"
        state[round_key] = state.get(round_key, 0) + 1


def _decisions_table(review: dict[str, Any], pack: dict[str, Any] | None) -> None:
    if pack is not None:
        rows = pack_export.decision_rows(pack)
        frame = pd.DataFrame(rows, columns=pack_export.DECISION_COLUMNS)
    else:
        found = cached(reviews.decisions, int(review["id"]))
        done = cached(reviews.decision_actions, int(review["id"]), today())
        merged = found.merge(done[["decision_id", "title", "owner", "due_on", "status"]],
                             left_on="id", right_on="decision_id", how="left")
        frame = pd.DataFrame({
            "Kind": merged["decision_type"].map(DECISION_TYPES),
            "Decision": merged["decision"], "Action": merged["title"],
            "Owner": merged["owner"], "Due": merged["due_on"], "Status": merged["status"]})
    if frame.empty:
        st.caption("No decision recorded yet.")
        return
    st.dataframe(frame, hide_index=True, width="stretch")


def _conclusion(review: dict[str, Any], who: Identity, locked: bool) -> None:
    version = int(review["version"])
    key = f"conclusion_{review['id']}_v{version}"
    with st.form(key, enter_to_submit=False):
        st.markdown("**Does the AIMS remain suitable, adequate and effective? (9.3.3)**")
        answers = {True: "Yes", False: "No"}
        row = st.columns(3)
        for column, name, label in zip(row, ("aims_suitable", "aims_adequate", "aims_effective"),
                                       ("Suitable", "Adequate", "Effective"), strict=True):
            current = review.get(name)
            column.radio(label, [True, False], format_func=answers.get, horizontal=True,
                         index=None if current is None else (0 if current else 1),
                         key=f"{key}_{name}", disabled=locked)
        st.text_area("Conclusion and reasons", value=review.get("conclusion") or "",
                     key=f"{key}_text", height=110, disabled=locked)
        st.form_submit_button("Save the conclusion", icon=":material/save:",
                              disabled=locked or not who.can("manage"),
                              on_click=_save_conclusion, args=(review, key, who))


def _conclusion_values(key: str) -> dict[str, Any]:
    state = st.session_state
    return {**{name: state.get(f"{key}_{name}") for name in
               ("aims_suitable", "aims_adequate", "aims_effective")},
            "conclusion": state.get(f"{key}_text") or None}


def _save_conclusion(review: dict[str, Any], key: str, who: Identity) -> None:
    result = reviews.update(get_db(), who.actor, int(review["id"]), int(review["version"]),
                            _conclusion_values(key))
    _remember(result, "Conclusion saved.")


def _sign_off(review: dict[str, Any], who: Identity) -> None:
    st.markdown("**Sign-off**")
    chair = review.get("chair")
    st.caption("The chair signs off the minutes: the review, its notes and decisions are "
               "then locked and the pack of every input is frozen as it stands now. "
               + (f"Chair: {md_escape(chair)}." if chair else "No chair is set yet."))
    st.button("Sign off as chair", type="primary", icon=":material/draw:",
              disabled=not who.can("manage"), key=f"sign_{review['id']}",
              on_click=_signed, args=(review, who))


def _signed(review: dict[str, Any], who: Identity) -> None:
    result = reviews.sign_off(get_db(), who.actor, int(review["id"]), int(review["version"]),
                              today())
    _remember(result, "Signed off: the minutes are locked and the pack is frozen.")


def _results_tab(review: dict[str, Any], pack: dict[str, Any] | None, who: Identity,
                 locked: bool) -> None:
    st.subheader("Decisions and actions")
    _decisions_table(review, pack)
    if not locked:
        _decision_form(review, who)
    st.subheader("Conclusion")
    _conclusion(review, who, locked)
    if not locked:
        _sign_off(review, who)


def _pack_tab(review: dict[str, Any], pack: dict[str, Any] | None, who: Identity) -> None:
    if pack is None:
        st.info("The pack is frozen when the chair signs off the review (Results tab). Until "
                "then every input is computed live from the registers.",
                icon=":material/lock_open:")
        return
    st.success(f"Frozen on {pack['review']['signed_on']} at sign-off by "
               f"{md_escape(pack['review']['signed_by'])}: it shows every input as it stood "
               "then, whatever changed in the registers since.", icon=":material/lock:")
    stem = pack_export.file_stem(pack)
    missing = who.lacks("export", "download the pack")
    row = st.columns(3)
    row[0].download_button("HTML pack", lambda: pack_export.to_html(pack), f"{stem}.html",
                           "text/html", icon=":material/html:", disabled=missing is not None,
                           key=f"pack_html_{review['id']}")
    row[1].download_button("PDF pack", lambda: pack_export.to_pdf(pack), f"{stem}.pdf",
                           "application/pdf", icon=":material/picture_as_pdf:",
                           disabled=missing is not None, key=f"pack_pdf_{review['id']}")
    row[2].download_button(
        "Decisions and actions (Excel)", lambda: pack_export.to_workbook(pack), f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table:", disabled=missing is not None, key=f"pack_xlsx_{review['id']}")
    if missing:
        st.caption(missing)


# --- the page -------------------------------------------------------------------------------
def _header(review: dict[str, Any], period_label: str) -> None:
    st.caption(f"Period covered: {period_label}. Chair: "
               f"{md_escape(review.get('chair') or 'not set')}. Scope: "
               f"{md_escape(review.get('scope') or 'not set')}.")


def render() -> None:
    db_reviews = cached(reviews.all_reviews)
    who = current_identity()
    if st.query_params.get("present") == "1" and not db_reviews.empty:
        presenter.render(_chosen(db_reviews))
        return
    st.title("Management review")
    st.caption("ISO/IEC 42001 9.3: top management reviews the AIMS at planned intervals. "
               "Each input below is computed from the registers for the period since the "
               "previous review; notes, decisions and actions are recorded here, also from a "
               "second browser while the shared screen shows the presenter mode.")
    show_outcome(st.session_state.pop(OUTCOME, None))
    if db_reviews.empty:
        systems = cached(reviews.count_systems)
        st.info("No management review is recorded yet. Plan the first one below"
                + ("; its inputs will be empty until the registers hold data: add your AI "
                   "systems first (AI systems page), then risks, controls and KPIs."
                   if not systems else "."), icon=":material/event:")
        _plan_form(who, first=True)
        return
    labels = _review_label(db_reviews)
    chosen = _chosen(db_reviews)
    ids = list(labels)
    top = st.columns([3, 2, 2], vertical_alignment="bottom")
    review_id = top[0].selectbox("Review", ids, index=ids.index(chosen), format_func=labels.get,
                                 key=f"review_pick_{chosen}")
    if review_id != chosen:
        st.query_params["review"] = str(review_id)
        st.rerun()
    review = cached(reviews.one, review_id)
    top[1].link_button("Present", f"?present=1&review={review_id}",
                       icon=":material/present_to_all:", type="primary",
                       help="The presenter mode for the shared screen; notes are taken in a "
                            "second browser beside it")
    due, why = cached(reviews.next_due, today())
    top[2].caption(f"Next review due: {due:%d %b %Y} ({md_escape(why)})" if due
                   else "Next review: plan the first one.")
    period = cached(reviews.period_of, review, today())
    _header(review, period.label())
    locked = review["status"] == "signed"
    if locked:
        st.info(f"Signed off by {md_escape(review.get('signed_by'))} on "
                f"{review['signed_on']:%d %b %Y}: the minutes are locked and the inputs below "
                "are the frozen pack.", icon=":material/lock:")
    sections, pack = content(review)
    prepare, inputs, results, pack_tab, plan_tab = st.tabs(
        ["Prepare", "Inputs and notes", "Results and sign-off", "Pack", "Plan a review"])
    with prepare:
        _prepare_tab(review, who, locked)
    with inputs:
        _inputs_tab(review, sections, who, locked)
    with results:
        _results_tab(review, pack, who, locked)
    with pack_tab:
        _pack_tab(review, pack, who)
    with plan_tab:
        _plan_form(who, first=False)
        _interval(who)


def _interval(who: Identity) -> None:
    months = cached(reviews.interval_months)
    with st.form("review_interval", enter_to_submit=False):
        st.number_input("Months between reviews", 1, 36, value=months, key="review_interval",
                        help="The Schedule shows the next review this long after the last one "
                             "when none is planned (sooner after a critical incident)")
        st.form_submit_button("Save the interval", disabled=not who.can("administer"),
                              on_click=_save_interval, args=(who,))


def _save_interval(who: Identity) -> None:
    result = reviews.set_interval(get_db(), who.actor, int(st.session_state["review_interval"]))
    _remember(result, "Interval saved.")

