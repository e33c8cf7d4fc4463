"""A quick self-assessment end to end in Debian's chromium, on the demo organisation: start a
session, answer its 41 questions one screen at a time (buttons and keyboard), reload half-way
and carry on where it stopped, finish it, see the radar and the comparison with the previous
session, turn the top gaps into actions, and find the new score on the Overview."""

from __future__ import annotations

import re

import pytest

from aims_core.self_assessment import bank
from tests.browser_kit import SHOTS, Server, pick_identity, press, settle

pytestmark = pytest.mark.browser

QUESTIONS = bank.load().for_mode("quick")
LEVELS = {level.level: level.label for level in bank.load().levels}


def _progress(page: object) -> str:
    return page.locator("[data-testid='stProgress']").inner_text()


def _answer(page: object, number: int, level: int, keyboard: bool) -> None:
    """Answer question ``number`` (from 1) with ``level`` and wait for the next screen."""
    assert f"Question {number} of {len(QUESTIONS)}" in _progress(page)
    if keyboard:
        page.locator("h1").first.click()  # the focus out of any field: keys go to the page
        page.keyboard.press(str(level))
    else:
        page.get_by_role("button", name=re.compile(re.escape(
            f"{level} · {LEVELS[level]}"))).click()
    if number < len(QUESTIONS):
        page.locator("[data-testid='stProgress']", has_text=f"Question {number + 1} of"
                     ).wait_for(timeout=30_000)
    else:
        page.locator("[data-testid='stProgress']", has_text=f"{number} answered"
                     ).wait_for(timeout=30_000)
    settle(page)


def test_a_quick_session_end_to_end_resumed_compared_and_turned_into_actions(
        server: Server, page: object) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.goto(f"{server.url}/self_assessment")
    settle(page)
    pick_identity(page, "Browser Tester")
    page.get_by_text("Start a new session").click()
    page.get_by_label("Title").fill("Browser: quick self-assessment")
    page.keyboard.press("Tab")
    settle(page)
    press(page, "Start the session", "Session started")
    half = len(QUESTIONS) // 2
    for number in range(1, half + 1):
        _answer(page, number, 3 if number % 3 else 4, keyboard=number % 5 == 0)
    page.screenshot(path=str(SHOTS / "self_assessment_question.png"))

    page.reload()  # a dropped connection or a closed tab: the session carries on
    settle(page)
    assert f"Question {half + 1} of {len(QUESTIONS)}" in _progress(page)
    assert f"{half} answered" in _progress(page)
    for number in range(half + 1, len(QUESTIONS) + 1):
        _answer(page, number, 3 if number % 4 else 2, keyboard=False)

    page.get_by_text("I understand that finishing locks the answers").click()
    settle(page)
    press(page, "Finish and lock", "finished and locked")
    page.locator(".js-plotly-plot .polarlayer").first.wait_for(timeout=30_000)
    assert page.get_by_text("Compared with the previous session").is_visible()
    comparison = page.get_by_text(re.compile(r"^Against #\d+ Quarterly self-assessment"))
    assert comparison.is_visible()
    assert page.get_by_text("This session", exact=True).first.is_visible()  # radar legend
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(SHOTS / "self_assessment_results.png"), full_page=True)

    press(page, "Build the roadmap", "Roadmap built")
    press(page, "Create actions", "actions created")
    page.goto(f"{server.url}/")
    settle(page)
    tile = page.locator("[data-testid='stMetric']", has_text="Maturity score")
    tile.wait_for(timeout=30_000)
    value = tile.locator("[data-testid='stMetricValue']").inner_text()
    # 6 answers at 4, 30 at 3 and 5 at 2 over 41 requirements: (24 + 90 + 10) / 41
    assert value == "3.02 of 5", value
