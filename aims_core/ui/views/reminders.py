"""Reminders: my digest of what is overdue or due within my horizon (the same items as the
Schedule's "only mine"), how far ahead it looks, whether it comes by e-mail, what was sent."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aims_core.config import SettingsError
from aims_core.jobs.daily import job_settings
from aims_core.reminders import delivery
from aims_core.reminders.digest import digest_for, preference, save_preference
from aims_core.ui.editable_table import show_result
from aims_core.ui.paging import known_offset, page_offset
from aims_core.ui.session import Identity, cached, current_identity, get_db, today
from aims_core.ui.text import md_escape

PAGE_ROWS, PAGE_KEY = 50, "reminders_page"
OUTCOMES = {"sent": "✓ e-mailed", "in_app": "In the app only", "failed": "✗ e-mail failed"}


def _save(who: Identity) -> None:
    result = save_preference(get_db(), who.actor, who.name or "",
                             st.session_state.get("reminders_horizon"),
                             st.session_state.get("reminders_email"),
                             st.session_state.get("reminders_email_on"))
    st.session_state["_reminders_saved"] = result


def _email_status() -> str:
    try:
        smtp = delivery.smtp_settings()
    except (delivery.SettingsProblem, SettingsError) as exc:
        return f"E-mail is misconfigured for this installation: {exc}"
    if smtp is None:
        return ("E-mail is off for this installation: an administrator turns it on with an "
                "[smtp] section in .streamlit/secrets.toml. Your digest is always here.")
    return f"E-mail goes out through {smtp.host} every morning at " \
           f"{job_settings().times['reminders'].isoformat('minutes')}."


def _settings(who: Identity) -> None:
    setting = cached(preference, who.name)
    with st.form("reminders_settings", border=True):
        st.markdown("**My reminder settings**")
        cols = st.columns([1, 2, 1], vertical_alignment="bottom")
        cols[0].number_input("Look ahead (days)", 1, 365, setting.horizon_days,
                             key="reminders_horizon")
        cols[1].text_input("E-mail address", setting.email or "", key="reminders_email")
        cols[2].toggle("Send by e-mail", setting.email_enabled, key="reminders_email_on")
        st.form_submit_button("Save settings", on_click=_save, args=(who,),
                              icon=":material/save:")
    status = _email_status()
    if setting.email_enabled and setting.address:
        status += f" Your digest goes to {setting.address}."
    st.caption(md_escape(status))
    saved = st.session_state.pop("_reminders_saved", None)
    if saved is not None:
        if saved.ok:
            st.success("Settings saved.", icon=":material/check_circle:")
        else:
            show_result(saved)


def _digest(who: Identity) -> None:
    guess = known_offset(PAGE_KEY, PAGE_ROWS)  # counts and the page in one read
    digest = cached(digest_for, who.name, today(), guess, PAGE_ROWS)
    tiles = st.columns(2)
    tiles[0].metric("Overdue", digest.overdue, border=True)
    tiles[1].metric(f"Due in the next {digest.horizon_days} days", digest.due_soon, border=True)
    if digest.empty:
        st.success(f"Nothing of yours is overdue or due in the next {digest.horizon_days} days.",
                   icon=":material/task_alt:")
        return
    offset = page_offset(digest.listed, PAGE_ROWS, PAGE_KEY)
    if offset != guess:
        digest = cached(digest_for, who.name, today(), offset, PAGE_ROWS)
    items = digest.items.assign(status=digest.items["overdue"].map({True: "Overdue",
                                                                    False: "Due soon"}))
    st.dataframe(items[["status", "kind", "item", "link", "due_on", "reason"]],
                 hide_index=True, width="stretch", column_config={
                     "status": "Status", "kind": "What", "item": "Item",
                     "link": st.column_config.LinkColumn("Where", display_text="Open"),
                     "due_on": st.column_config.DateColumn("Due"),
                     "reason": st.column_config.TextColumn("Why", width="large")})


def _sent(who: Identity) -> None:
    sent = cached(delivery.deliveries, who.name)
    if not sent:
        return
    with st.expander("My last digests"):
        frame = pd.DataFrame(sent, columns=["day", "overdue", "due soon", "delivery", "note",
                                            "at", "to"])
        frame["delivery"] = frame["delivery"].map(OUTCOMES).fillna(frame["delivery"])
        st.dataframe(frame, hide_index=True, width="stretch", column_config={
            "at": st.column_config.DatetimeColumn("At (UTC)", format="YYYY-MM-DD HH:mm")})


def render() -> None:
    st.title("Reminders")
    st.caption("Every morning, each person gets a digest of what they own that is overdue or "
               "falls due soon — re-validations, risk reviews, evidence, supplier reviews, KPI "
               "values and every other date on the Schedule. It is always shown here; by "
               "e-mail too when the installation has an SMTP server and you ask for it.")
    who = current_identity()
    if not who.name:
        st.info("Pick your name in the sidebar to see your reminders: the AI systems, risks, "
                "controls and KPIs you own that are overdue or due soon.",
                icon=":material/lightbulb:")
        return
    _digest(who)
    _settings(who)
    _sent(who)
