"""Jobs & API: the daily jobs (when they run, how they went, run one now) and, for
administrators, the API tokens, with how a pipeline calls the API."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aims_core import service
from aims_core.api import tokens
from aims_core.api.registers import SCOPES
from aims_core.jobs.runs import latest_per_job, recent_runs
from aims_core.ui.editable_table import show_result
from aims_core.ui.session import Identity, cached, current_identity, get_db
from aims_core.ui.text import md_escape

OUTCOMES = {"ok": "✓ done", "failed": "✗ failed", "running": "… running",
            "interrupted": "⚠ interrupted"}
_OUTCOME = "_jobs_outcome"


def _run(name: str, who: Identity) -> None:
    run = service.run_now(get_db(), name, who.name or "")
    st.session_state[_OUTCOME] = ("success" if run.outcome == "ok" else "error",
                                  f"{name}: {run.message}")


def _jobs(who: Identity) -> None:
    st.subheader("Scheduled jobs")
    running = service.scheduler()
    if running is None:
        problem = service.jobs_problem()
        st.warning(md_escape(problem) if problem else
                   "This process runs no scheduled jobs: they run in the server that `make "
                   "run` starts (server.py). Jobs can still be run by hand here.",
                   icon=":material/schedule:")
    db = get_db()
    jobs = service.jobs_of(db)
    last = latest_per_job(db)
    rows = []
    for job in jobs.jobs:
        run = last.get(job.name)
        rows.append({"Job": job.title, "Runs daily at": job.at.isoformat("minutes"),
                     "Next run": jobs.next_run(job).replace(tzinfo=None),
                     "Last run": run.started_at if run else None,
                     "Outcome": OUTCOMES.get(run.outcome, run.outcome) if run else "never run",
                     "Message": run.message if run else ""})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", column_config={
        "Next run": st.column_config.DatetimeColumn(f"Next run ({jobs.zone})",
                                                    format="YYYY-MM-DD HH:mm"),
        "Last run": st.column_config.DatetimeColumn("Last run (UTC)",
                                                    format="YYYY-MM-DD HH:mm"),
        "Message": st.column_config.TextColumn(width="large")})
    cols = st.columns(len(jobs.jobs))
    for col, job in zip(cols, jobs.jobs, strict=True):
        col.button(f"Run now: {job.title}", key=f"jobs_run_{job.name}",
                   on_click=_run, args=(job.name, who), disabled=not who.can("manage"),
                   icon=":material/play_arrow:")
    outcome = st.session_state.pop(_OUTCOME, None)
    if outcome:
        (st.success if outcome[0] == "success" else st.error)(md_escape(outcome[1]))
    history = cached(recent_runs, 50)
    if not history.empty:
        with st.expander(f"Last {len(history)} runs"):
            history = history.assign(outcome=history["outcome"].map(OUTCOMES))
            st.dataframe(history, hide_index=True, width="stretch", column_config={
                "job": "Job", "trigger": "Trigger", "scheduled_for": "Slot (UTC)",
                "started_at": "Started (UTC)", "finished_at": "Finished (UTC)",
                "outcome": "Outcome", "message": st.column_config.TextColumn("Message",
                                                                              width="large"),
                "requested_by": "By"})


def _create(who: Identity) -> None:
    name = str(st.session_state.get("token_name") or "").strip()
    scopes = list(st.session_state.get("token_scopes") or [])
    secret, result = tokens.create_token(get_db(), who.actor, name, scopes)
    st.session_state["_token_created"] = (name, secret) if secret else result
    if secret:
        st.session_state["token_name"] = ""


def _revoke(who: Identity) -> None:
    name = st.session_state.get("token_revoke")
    result = tokens.revoke_token(get_db(), who.actor, str(name))
    st.session_state["_token_revoked"] = (name, result)
    st.session_state["token_revoke_confirm"] = False


def _tokens(who: Identity) -> None:
    st.subheader("API tokens")
    if missing := who.lacks("administer", "see, create and revoke API tokens"):
        st.info(md_escape(f"{missing} Tokens let a pipeline post, e.g., the drift figures of "
                          "an AI system's KPIs."), icon=":material/key:")
        return
    listed = cached(tokens.list_tokens)
    if listed.empty:
        st.info("No API token yet. Create one for each pipeline that posts the drift or "
                "fairness figures of an AI system's KPIs, or for the command line while the "
                "app runs.", icon=":material/key:")
    else:
        st.dataframe(listed.assign(status=listed["active"].map({True: "Active",
                                                                 False: "Revoked"})),
                     hide_index=True, width="stretch",
                     column_order=["name", "scopes", "token_hint", "status", "created_by",
                                   "created_on", "revoked_by", "revoked_on"],
                     column_config={"name": "Token", "scopes": "Scopes",
                                    "token_hint": "Starts with", "status": "Status",
                                    "created_by": "Created by",
                                    "created_on": st.column_config.DateColumn("Created on"),
                                    "revoked_by": "Revoked by",
                                    "revoked_on": st.column_config.DateColumn("Revoked on")})
    created = st.session_state.pop("_token_created", None)
    if isinstance(created, tuple):
        st.success(f"Token {md_escape(created[0])} created. Copy it now: it is not shown "
                   "again and only its SHA-256 is kept.", icon=":material/key:")
        st.code(created[1], language=None)
    elif created is not None:
        show_result(created)
    left, right = st.columns(2)
    with left.container(border=True):
        st.markdown("**New token**")
        st.text_input("Name (recorded as the author of its writes)", key="token_name",
                      placeholder="e.g. drift pipeline")
        st.multiselect("Scopes", list(SCOPES), key="token_scopes",
                       format_func=lambda s: f"{s} — {SCOPES[s]}")
        st.button("Create token", type="primary", key="token_create", on_click=_create,
                  args=(who,), icon=":material/add:")
    active = listed.loc[listed["active"], "name"].tolist() if not listed.empty else []
    with right.container(border=True):
        st.markdown("**Revoke a token**")
        revoked = st.session_state.pop("_token_revoked", None)
        if revoked is not None:
            if revoked[1].ok:
                st.success(f"Token {md_escape(revoked[0])} revoked: every later call with it "
                           "is refused.")
            else:
                show_result(revoked[1])
        if not active:
            st.caption("No active token.")
            return
        st.selectbox("Token", active, key="token_revoke")
        st.checkbox("Yes, refuse every later call with this token", key="token_revoke_confirm")
        st.button("Revoke", key="token_revoke_go", on_click=_revoke, args=(who,),
                  disabled=not st.session_state.get("token_revoke_confirm"),
                  icon=":material/block:")


def _usage() -> None:
    with st.expander("How a pipeline uses the API"):
        st.markdown("Every call sends `Authorization: Bearer <token>`. The description of "
                    "every endpoint is at `/api/v1/openapi.json` on this server.")
        st.code('curl -X POST http://localhost:8501/api/v1/kpi-values \\\n'
                '  -H "Authorization: Bearer $AIMS_API_TOKEN" -H "Content-Type: '
                'application/json" \\\n'
                "  -d '[{\"kpi\": \"CreditLens PSI\", \"measured_on\": \"2026-11-22\", "
                "\"value\": 0.08}]'", language="bash")
        st.markdown("From the command line while the app runs, `snapshot`, `import-kpis`, "
                    "`export` and `backup` go through the API when `AIMS_API_TOKEN` is set.")


def render() -> None:
    st.title("Jobs & API")
    st.caption("The server that owns the database also runs the daily jobs (KPI snapshot, "
               "nightly backup, reminder digests) and answers the HTTP API under /api/v1 for "
               "ML pipelines and scripts. Job times are in the jobs' time zone ([jobs] "
               "timezone in .streamlit/secrets.toml), past runs in UTC.")
    who = current_identity()
    _jobs(who)
    _tokens(who)
    _usage()
