"""The presenter's screen for the management review meeting: one input per screen in large
type, previous/next and a section list, no edit widgets, Streamlit's own chrome hidden.

The notes and decisions recorded from a second browser (the note-taker on the review page)
appear here within seconds: that part re-reads every few seconds, nothing else reruns.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from aims_core.management_review import reviews
from aims_core.management_review.registers import DECISION_TYPES
from aims_core.ui.review_content import content
from aims_core.ui.review_sections import show_section
from aims_core.ui.session import cached
from aims_core.ui.text import md_escape

REFRESH_SECONDS = 5
# Only on this view: no toolbar, header, "Deploy" button or sidebar; type for the back row.
_PRESENTER_CSS = """
<style>
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], .stAppDeployButton { display: none !important; }
.block-container { padding-top: 1.2rem !important; max-width: 100% !important; }
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stText"] { font-size: 1.3rem !important; }
[data-testid="stCaptionContainer"] p { font-size: 1.15rem !important; }
[data-testid="stButton"] button p, [data-testid="stLinkButton"] p,
[data-testid="stSelectbox"] [data-baseweb="select"] div { font-size: 1.15rem !important; }
h1 { font-size: 2.5rem !important; padding: .2rem 0 .4rem !important; }
.review-facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr));
                gap: .8rem; margin: .4rem 0 1rem; }
.review-fact { border: 2px solid #d0d7de; border-radius: .6rem; padding: .5rem .9rem; }
.review-fact-value { font-size: 2.6rem; font-weight: 700; line-height: 1.15; }
.review-fact-label { font-size: 1.25rem; color: #333; }
[data-testid="stTable"] td, [data-testid="stTable"] th { font-size: 1.15rem !important; }
</style>
"""


def _index(count: int) -> int:
    raw = st.query_params.get("section", "1")
    number = int(raw) if raw.isdigit() else 1
    return min(max(number, 1), count) - 1


def _go(number: int) -> None:
    st.query_params["section"] = str(number)


def _navigation(sections: list[dict[str, Any]], index: int, review_id: int) -> None:
    left, middle, right, out = st.columns([1.4, 5, 1.4, 1], vertical_alignment="center")
    left.button("◀ Previous", key="present_prev", disabled=index == 0, on_click=_go,
                args=(index,), width="stretch")
    titles = [f"{n}. {s['clause']} {s['title']}" for n, s in enumerate(sections, 1)]
    middle.selectbox("Section", range(len(sections)), index=index, format_func=titles.__getitem__,
                     key=f"present_pick_{index}", label_visibility="collapsed",
                     on_change=lambda: _go(st.session_state[f"present_pick_{index}"] + 1))
    right.button("Next ▶", key="present_next", disabled=index == len(sections) - 1,
                 on_click=_go, args=(index + 2,), width="stretch")
    out.link_button("Exit", f"?review={review_id}", icon=":material/close:", width="stretch")


@st.fragment(run_every=REFRESH_SECONDS)
def _recorded(review: dict[str, Any], section: dict[str, Any],
              pack: dict[str, Any] | None) -> None:
    """The notes and decisions for this input, as the note-taker records them."""
    code = section["code"]
    if pack is not None:
        notes = section.get("discussion")
        found = [d for d in pack["decisions"] if d.get("section") == code]
        decided = [(d["type"], d["decision"]) for d in found]
    else:
        row = cached(reviews.section_notes, int(review["id"])).get(code) or {}
        notes = row.get("notes")
        frame = cached(reviews.decisions, int(review["id"]))
        decided = [(DECISION_TYPES.get(d.decision_type, d.decision_type), d.decision)
                   for d in frame.itertuples() if d.section == code]
    with st.container(border=True):
        left, right = st.columns(2)
        with left:
            st.markdown("**Notes** · " + (md_escape(notes) if notes else "_none yet_"))
        with right:
            st.markdown("**Decisions on this input**" + ("" if decided else " · _none yet_"))
            for kind, text in decided:
                st.markdown(f"- **{md_escape(kind)}:** {md_escape(text)}")


def render(review_id: int) -> None:
    st.markdown(_PRESENTER_CSS, unsafe_allow_html=True)  # our own CSS, no user text
    review = cached(reviews.one, review_id)
    sections, pack = content(review)
    index = _index(len(sections))
    section = sections[index]
    organisation = cached(reviews.organisation_name) or "Management review"
    st.caption(f"{md_escape(organisation)} · management review of "
               f"{review['review_date']:%d %b %Y} · input {index + 1} of {len(sections)}")
    _navigation(sections, index, review_id)
    st.title(section["title"], anchor=False)
    st.markdown(md_escape(f"{section['clause']} · {section['asks']}"))
    show_section(section, f"present_{index}", large=True,
                 after_facts=lambda: _recorded(review, section, pack))
