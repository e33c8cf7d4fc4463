"""The question bank: a versioned data file in our own words, with the 0–5 maturity scale.

``data/question_bank_v<n>.toml`` holds, per requirement (a leaf subclause of clauses 4–10 or
an Annex A objective), the quick question and, for clauses, 2–4 thorough ones, each saying
what good evidence looks like. A session records the version it started with; answers are
checked against that version, so a newer bank never changes what past answers meant.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

DATA = Path(__file__).parent / "data"
CURRENT_VERSION = 1

Mode = Literal["quick", "thorough"]
MODES: dict[str, str] = {"quick": "Quick (41 questions, about 15 minutes)",
                         "thorough": "Thorough (2–4 questions per subclause, about an hour)"}
MODE_NAMES: dict[str, str] = {"quick": "Quick", "thorough": "Thorough"}


@dataclass(frozen=True)
class Level:
    level: int
    label: str
    meaning: str


@dataclass(frozen=True)
class Question:
    id: str  # "6.1.3" (quick) or "6.1.3/a" (thorough)
    requirement_id: str  # a leaf subclause ("6.1.3") or an Annex A objective ("A.6")
    text: str
    good_evidence: str
    modes: tuple[str, ...]

    @property
    def is_objective(self) -> bool:
        return self.requirement_id.startswith("A.")


@dataclass(frozen=True)
class Bank:
    version: int
    target_level: int
    levels: tuple[Level, ...]
    questions: tuple[Question, ...]

    def for_mode(self, mode: str) -> tuple[Question, ...]:
        """The questions a session of ``mode`` asks, in order (clauses first, then Annex A)."""
        return tuple(q for q in self.questions if mode in q.modes)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    @property
    def requirement_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(q.requirement_id for q in self.questions))

    def level_label(self, level: int) -> str:
        return next(f"{x.level} {x.label}" for x in self.levels if x.level == level)


def versions() -> list[int]:
    """Every bank version shipped, oldest first."""
    return sorted(int(p.stem.rsplit("_v", 1)[1]) for p in DATA.glob("question_bank_v*.toml"))


@cache
def load(version: int = CURRENT_VERSION) -> Bank:
    """The bank of ``version`` (KeyError when no such version ships)."""
    path = DATA / f"question_bank_v{version}.toml"
    if not path.exists():
        raise KeyError(f"no question bank version {version}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    questions: list[Question] = []
    for entry in data["requirements"]:
        thorough = entry.get("thorough", [])
        # An objective keeps its one question in thorough mode; a clause asks its own set.
        modes = ("quick",) if thorough else ("quick", "thorough")
        questions.append(Question(entry["id"], entry["id"], entry["question"],
                                  entry["evidence"], modes))
        questions.extend(Question(f"{entry['id']}/{chr(ord('a') + i)}", entry["id"],
                                  t["question"], t["evidence"], ("thorough",))
                         for i, t in enumerate(thorough))
    clauses = [q for q in questions if not q.is_objective]
    objectives = [q for q in questions if q.is_objective]
    return Bank(int(data["version"]), int(data["target_level"]),
                tuple(Level(int(x["level"]), x["label"], x["meaning"]) for x in data["levels"]),
                tuple(clauses + objectives))
