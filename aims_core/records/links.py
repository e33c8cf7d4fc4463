"""Link tables edited as a set: what is picked now against the rows that exist."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

from aims_core.records.writes import RowChange


def link_changes(existing: Mapping[Hashable, tuple[int, int]], wanted: Iterable[Hashable],
                 values: Callable[[Any], dict[str, Any]],
                 label: Callable[[Any], str]) -> list[RowChange]:
    """Inserts for the picked keys without a row and deletes for the rows no longer picked.

    ``existing`` maps each linked key to its row's (id, version), as the person saw them, so a
    colleague's change since is a reported conflict. ``values(key)`` is a new row's values.
    """
    wanted = set(wanted)
    changes = [RowChange("insert", values(key), label=label(key))
               for key in sorted(wanted - set(existing), key=str)]
    changes += [RowChange("delete", row_id=int(existing[key][0]),
                          expected_version=int(existing[key][1]))
                for key in sorted(set(existing) - wanted, key=str)]
    return changes
