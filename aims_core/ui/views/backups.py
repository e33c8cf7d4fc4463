"""Backups: the list with size and date, a backup now, download, and (administrators)
restore from a backup or an uploaded file after a confirmation, and deleting hand-made ones."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from aims_core.jobs.daily import job_settings
from aims_core.jobs.runs import run_recorded
from aims_core.storage import backup
from aims_core.ui.session import Identity, current_identity, get_db
from aims_core.ui.text import md_escape

KIND_LABELS = {"nightly": "Nightly", "manual": "Taken by hand", "pre-restore": "Before a restore"}
_OUTCOME = "_backups_outcome"


def _directory() -> Path:
    return backup.backup_dir(get_db().path)


def _take(who: Identity) -> None:
    db = get_db()
    run = run_recorded(db, "backup", lambda: _taken(backup.take_backup(db, _directory(),
                                                                        "manual")),
                       trigger="manual", requested_by=who.name)
    st.session_state[_OUTCOME] = ("success" if run.outcome == "ok" else "error", run.message)


def _taken(made: backup.BackupFile) -> str:
    return f"Backup {made.name} taken ({made.size / 1e6:.1f} MB)."


def _restore(who: Identity, source: Path, shown_name: str) -> None:
    db = get_db()

    def work() -> str:
        result = backup.restore_into(db, source, _directory())
        text = (f"Restored {shown_name}: {result.tables} tables, {result.rows:,} rows. The state "
                f"before the restore is kept as {result.safety_backup.name}.")
        if result.migrated_from:
            text += f" The backup was upgraded from schema version {result.migrated_from}."
        return text
    run = run_recorded(db, "restore", work, trigger="manual", requested_by=who.name)
    st.session_state[_OUTCOME] = ("success" if run.outcome == "ok" else "error", run.message)
    for key in [k for k in st.session_state if str(k).startswith("_table_")]:
        del st.session_state[key]  # every editable table reloads the restored rows


def _restore_chosen(who: Identity) -> None:
    if missing := who.lacks("administer", "restore a backup"):
        st.session_state[_OUTCOME] = ("error", missing)
        return
    if not st.session_state.get("restore_confirm"):
        st.session_state[_OUTCOME] = ("error", "Tick the confirmation first.")
        return
    if st.session_state.get("restore_from") == "A file from your computer":
        uploaded = st.session_state.get("restore_upload")
        if uploaded is None:
            st.session_state[_OUTCOME] = ("error", "Choose the file to restore first.")
            return
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / (Path(uploaded.name).name or "uploaded.duckdb.gz")
            path.write_bytes(uploaded.getvalue())
            _restore(who, path, uploaded.name)
    else:
        name = st.session_state.get("restore_backup")
        try:
            chosen = backup.find_backup(_directory(), str(name))
        except backup.BackupError as exc:
            st.session_state[_OUTCOME] = ("error", str(exc))
            return
        _restore(who, chosen.path, chosen.name)
    st.session_state["restore_confirm"] = False


def _delete(name: str, who: Identity) -> None:
    if missing := who.lacks("administer", "delete a backup"):
        st.session_state[_OUTCOME] = ("error", missing)
        return
    try:
        backup.delete_backup(_directory(), name)
        st.session_state[_OUTCOME] = ("success", f"Deleted {name}.")
    except (backup.BackupError, OSError) as exc:
        st.session_state[_OUTCOME] = ("error", str(exc))


def _show_outcome() -> None:
    outcome = st.session_state.pop(_OUTCOME, None)
    if outcome:
        kind, text = outcome
        (st.success if kind == "success" else st.error)(md_escape(text))


def _listing(backups: list[backup.BackupFile]) -> None:
    frame = pd.DataFrame({
        "Backup": [b.name for b in backups], "Kind": [KIND_LABELS[b.kind] for b in backups],
        "Taken (UTC)": [b.taken_at for b in backups],
        "Size (MB)": [round(b.size / 1e6, 2) for b in backups]})
    st.dataframe(frame, hide_index=True, width="stretch", column_config={
        "Taken (UTC)": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        "Size (MB)": st.column_config.NumberColumn(format="%.2f")})


def _download(backups: list[backup.BackupFile], who: Identity) -> None:
    names = [b.name for b in backups]
    left, middle, right = st.columns([3, 1, 1], vertical_alignment="bottom")
    name = left.selectbox("Backup", names, key="backups_pick")
    chosen = next(b for b in backups if b.name == name)
    middle.download_button("Download", data=lambda: chosen.path.read_bytes(),
                           file_name=chosen.name, mime="application/gzip",
                           icon=":material/download:", key="backups_download")
    if who.can("administer") and chosen.kind != "nightly":
        right.button("Delete", key="backups_delete", icon=":material/delete:",
                     on_click=_delete, args=(chosen.name, who),
                     help="Nightly backups are deleted by the rotation; ones taken by hand "
                          "or before a restore are kept until deleted here")


def _restore_form(backups: list[backup.BackupFile], who: Identity) -> None:
    st.subheader("Restore")
    if missing := who.lacks("administer", "restore a backup"):
        st.caption(md_escape(missing))
        return
    st.caption("Replaces every register, the change history and the settings with the "
               "backup's content, in one step (API tokens, job runs and sent reminders stay "
               "as they are). A backup of the current state is taken first, so a restore can "
               "be undone by restoring that one. A backup from a newer program version, or a "
               "damaged file, is refused and nothing changes.")
    sources = ["A backup from the list", "A file from your computer"]
    source = st.radio("Restore from", sources, horizontal=True, key="restore_from")
    if source == sources[0]:
        if not backups:
            st.caption("There is no backup in the list yet.")
            return
        st.selectbox("Backup to restore", [b.name for b in backups], key="restore_backup")
    else:
        st.file_uploader("Backup file (.duckdb.gz or .duckdb)", type=["gz", "duckdb"],
                         key="restore_upload")
    st.checkbox("I understand: the current content is replaced by the backup's (after a "
                "safety backup)", key="restore_confirm")
    st.button("Restore", type="primary", icon=":material/settings_backup_restore:",
              key="restore_go", on_click=_restore_chosen, args=(who,),
              disabled=not st.session_state.get("restore_confirm"))


def render() -> None:
    st.title("Backups")
    directory = _directory()
    policy = backup.rotation_policy()
    at = job_settings().times["backup"].isoformat("minutes")
    st.caption(f"A consistent copy of the whole database, taken every night at {at} by the "
               f"running server and kept for {policy.daily} days, {policy.weekly} weeks and "
               f"{policy.monthly} months (the newest of each). Stored in "
               f"{md_escape(directory)}; configure with [backups] in .streamlit/secrets.toml.")
    who = current_identity()
    _show_outcome()
    backups = backup.list_backups(directory)
    st.button("Take a backup now", icon=":material/backup:", key="backups_take",
              on_click=_take, args=(who,), disabled=not who.can("export"),
              help=who.lacks("export", "take a backup"))
    if not backups:
        st.info("No backup yet. The server takes the first one at its next start or night; "
                "take one now before you enter your AI systems, risks and controls.",
                icon=":material/lightbulb:")
    else:
        _listing(backups)
        _download(backups, who)
    _restore_form(backups, who)
