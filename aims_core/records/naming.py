"""How a referenced record is named for people, the same in exports, pickers and imports."""

from __future__ import annotations

from typing import Any


def reference_label(key: Any, label: object, column: str) -> str:
    """``#7 Credit scoring`` for an id, ``A.6.2.4 Verification and validation`` for a
    catalogue code: names repeat, keys do not, so an exported file imports back exactly. A
    record named by its key alone (a person by name) is just that name."""
    if str(key) == str(label):
        return str(label)
    return f"#{key} {label}" if column == "id" else f"{key} {label}"
