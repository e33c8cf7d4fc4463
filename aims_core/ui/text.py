"""User text is data: escape it before it goes into Markdown."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(value: object) -> str:
    """Text that Streamlit's Markdown shows literally (no links, HTML, emphasis or LaTeX)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(value))
