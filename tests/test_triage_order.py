"""The triage asks in the legal order (Art. 5 → Annex I → Annex III → Art. 6(3) → Art. 50 →
GPAI), each follow-up directly under the answer that opens it, whatever the answers."""

from __future__ import annotations

import random
import re

from aims_core.inventory import triage
from aims_core.inventory.triage_questionnaire import Question
from aims_core.ui.views.system_triage import walk_questions


def _step_number(question: Question) -> float:
    found = re.match(r"(\d+)", question.step)
    return float(found.group(1)) if found else 9.5  # "Deployer": after Art. 6(3), before 10


def test_questions_come_in_the_walks_legal_order_for_any_answers() -> None:
    """Every question the page shows, in the order shown, is the walk's own order; for an AI
    system the steps never go back (a follow-up such as the Annex III point, profiling or
    the public-body question never lands below the GPAI question)."""
    chance = random.Random(18)
    for _ in range(1500):
        picks: dict[str, object] = {}
        shown: list[Question] = []

        def answer(question: Question, picks: dict = picks, shown: list = shown) -> object:
            if question.id not in picks:
                options = list(question.options)
                choice = None if chance.random() < 0.05 else chance.choice(options)
                picks[question.id] = [choice] if question.kind == "multi" and choice \
                    else choice
            shown.append(question)
            return picks[question.id]

        answers = walk_questions(answer)
        assert [q.id for q in shown] == [q.id for q in triage.visible_questions(answers)]
        if picks.get("subject") == "system":  # (a model's own branch starts at GPAI)
            steps = [_step_number(q) for q in shown]
            assert steps == sorted(steps), [q.step for q in shown]
