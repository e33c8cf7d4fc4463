"""User text is data: escape it before it goes into Markdown or a chart.

Every Streamlit element that renders Markdown (markdown, caption, title and headers,
info/warning/error/success, toasts, help tooltips, widget and radio-option labels, tabs,
expanders, metric labels, page links) gets user text through :func:`md_escape`; Plotly
labels, ticks and hover text, which understand a little HTML, through :func:`plot_text`.
"""

from __future__ import annotations

import html
import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping all of
# them leaves no emphasis, link, image, heading, list, table, HTML, LaTeX ($), emoji or
# icon shortcode (:name:), colour directive (:red[…]) or entity (&…;) to interpret.
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
# GitHub-flavoured Markdown links bare addresses (https://…, www.…, a@b.c) even when their
# punctuation is escaped; an invisible word joiner in front of them stops that.
_BARE_LINK = re.compile(r"(?i)(?=https?:|ftp:|mailto:|xmpp:|www\.|@)")
_WORD_JOINER = "\u2060"


def md_escape(value: object) -> str:
    """Text that Streamlit's Markdown shows literally, on one line (a line break in user
    text would end a table row or start a new block), with no address made a link."""
    text = _BARE_LINK.sub(_WORD_JOINER, _LINE_BREAKS.sub(" ", str(value)))
    return _ASCII_PUNCTUATION.sub(r"\\\1", text)


def md_unescape(markdown: str) -> str:
    """What :func:`md_escape` text reads as (for tests and plain-text exports)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(_WORD_JOINER, "")


def plot_text(value: object) -> str:
    """Text that a Plotly label or hover shows literally (no <a>, <b>, <span> …)."""
    return html.escape(_LINE_BREAKS.sub(" ", str(value)), quote=False)
