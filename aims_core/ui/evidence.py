"""Point an SoA entry's or a clause's evidence to an entry of the documents register, picked
from a list (the documents that say they evidence it first)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from aims_core.compliance import soa
from aims_core.management_system import documents
from aims_core.ui.editable_table import invalidate, show_outcome
from aims_core.ui.pickers import search_text
from aims_core.ui.session import Identity, cached, get_db

NO_DOCUMENT = 0
MATCHES = 50  # documents a search offers in a large register


def _offered(choices: dict[int, str], key: str) -> list[int]:
    """Every document while they are few; in a large register the first matches of a
    search box (the page never sends thousands of titles to the browser)."""
    search = search_text(f"{key}_document", len(choices), "documents")
    if search is None:
        return list(choices)
    wanted = search.strip().lower()
    return [d for d, label in choices.items() if wanted in label.lower()][:MATCHES]


def evidence_document_picker(table: str, rows: pd.DataFrame, key_column: str,
                             title_column: str, link_column: str, table_key: str,
                             who: Identity) -> None:
    """``rows``: the register's rows as shown (id, version, key, title, evidence_document_id,
    and on the SoA the evidence expiry); ``link_column`` is the document_links column that
    names the same key ("control_id", "clause_id"); ``table_key`` the editable table to
    reload after a link."""
    key = f"{table_key}_evidence"
    st.markdown("**Evidence from the documents register**")
    show_outcome(st.session_state.pop(f"_{key}_outcome", None))
    choices = cached(documents.choices)
    if not choices:
        st.caption("Documents from the Documents page can be picked here as evidence once "
                   "the register holds some.")
        return
    st.caption("Point the evidence to a document instead of typing it"
               + (": the document's next review becomes the evidence's expiry."
                  if table == "soa" else "."))
    labels = dict(zip(rows[key_column], rows[key_column] + " " + rows[title_column],
                      strict=True))
    offered = _offered(choices, key)
    cols = st.columns([2, 3, 1], vertical_alignment="bottom")
    target = cols[0].selectbox("Evidence for", list(labels), format_func=labels.get,
                               key=f"{key}_target")
    row = rows[rows[key_column] == target].iloc[0]
    first = cached(documents.linked_to, link_column, target)
    ordered = [NO_DOCUMENT, *[d for d in first if d in choices],
               *[d for d in offered if d not in first]]
    current = row["evidence_document_id"]
    current = NO_DOCUMENT if pd.isna(current) else int(current)
    if current not in ordered:  # linked to a withdrawn document: still shown
        ordered.append(current)
    document = cols[1].selectbox(
        "Document from the register", ordered, index=ordered.index(current),
        format_func=lambda d: "No document (evidence as typed in the table)"
        if d == NO_DOCUMENT else choices.get(d, f"Document {d} (withdrawn)")
        + (" · names this as evidenced" if d in first else ""),
        key=f"{key}_document_{target}")
    cols[2].button("Link", key=f"{key}_save", icon=":material/link:",
                   disabled=not who.can_edit or document == current,
                   on_click=_link, args=(table, row, document, key, table_key, who))


def _link(table: str, row: pd.Series, document: int, key: str, table_key: str,
          who: Identity) -> None:
    result = soa.link_evidence_document(get_db(), table, int(row["id"]), int(row["version"]),
                                        document or None, who.actor)
    if not result.ok:
        st.session_state[f"_{key}_outcome"] = result
        return
    invalidate(table_key)
    if not document:
        message = "Evidence document removed."
    elif table == "soa":
        # without a document the row's expiry is the one set by hand
        typed = row["evidence_expiry"]
        hand_set = pd.isna(row["evidence_document_id"]) and not pd.isna(typed)
        note = f" The expiry set by hand ({pd.Timestamp(typed):%Y-%m-%d}) gave way to it." \
            if hand_set else ""
        message = ("Evidence linked: the document's next review is now the evidence's "
                   f"expiry.{note}")
    else:
        message = "Evidence linked."
    st.session_state[f"_{key}_outcome"] = ("success", message)
