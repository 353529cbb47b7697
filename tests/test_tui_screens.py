"""Pilot tests for the screens' contract with the app and for issue 13's layout breaks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.widgets import Static

from isms_tui.app import IsmsApp
from isms_tui.screens.base import IsmsBase
from isms_tui.screens.dialogs import PromptScreen
from isms_tui.screens.questionnaire import QuestionnaireScreen
from tests.tui_helpers import make_data_dir

CONDITION_TIMEOUT = 120  # a safety net against hangs, never a speed expectation

COND_JA = "クラウドを一切使っていない場合は該当しません。"
COND_EN = "Does not apply when no cloud service is used at all."


async def wait_until(pilot, condition, what: str = "condition") -> None:
    deadline = time.monotonic() + CONDITION_TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await pilot.pause(0.01)


def with_na_condition(data: Path) -> None:
    """Give s-backup-1 of the sample bank an N/A condition."""
    bank = data / "banks" / "sample_bank.toml"
    text = bank.read_text(encoding="utf-8")
    anchor = 'id = "s-backup-1"\n'
    head, tail = text.split(anchor)
    tail = tail.replace("na_allowed = true\n", f'na_allowed = true\nna_condition.ja = "{COND_JA}"\nna_condition.en = "{COND_EN}"\n', 1)
    bank.write_text(head + anchor + tail, encoding="utf-8")


def questionnaire(app) -> QuestionnaireScreen | None:
    return app.screen if isinstance(app.screen, QuestionnaireScreen) and app.screen.is_mounted else None


@pytest.mark.asyncio
async def test_na_condition_shown_by_the_status_buttons_and_in_the_na_prompt(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    with_na_condition(data)
    app = IsmsApp(data, lang="ja", open_id=aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        screen = questionnaire(app)
        screen.goto_index(0)  # s-scope-1: N/A not allowed, no condition
        await pilot.pause()
        assert not screen.query_one("#na-condition", Static).display
        screen.goto_index(1)  # s-backup-1: the condition
        await pilot.pause()
        cond = screen.query_one("#na-condition", Static)
        assert cond.display and COND_JA in str(cond.render())
        await pilot.press("f2")  # English
        await wait_until(pilot, lambda: COND_EN in str(cond.render()), "the English condition")
        await pilot.press("4")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), "the N/A prompt")
        assert COND_EN in str(app.screen.query_one(".dialog-text", Static).render())


@pytest.mark.asyncio
async def test_every_screen_is_a_declared_isms_screen_and_requests_reach_the_app(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("d")  # posts ShowDashboard
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen", "the dashboard")
        await pilot.press("a")  # posts ShowPlan
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ActionPlanScreen", "the plan")
        assert all(isinstance(s, IsmsBase) for s in app.screen_stack[1:])
        assert app.get_screen("home") is app.screen_stack[1]
