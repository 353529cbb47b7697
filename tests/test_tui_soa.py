"""Pilot test: the SoA justification is typed where the control is answered, in a field of
its own, and saved through the service; the suggestion is only a placeholder."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from isms_tui.app import IsmsApp
from isms_tui.screens.questionnaire import QuestionnaireScreen
from isms_tui.service import Workspace
from tests.tui_helpers import make_data_dir


async def _goto(pilot, app, item_id: str) -> None:
    """Show an item (moving between items by key is tested in test_tui.py)."""
    app.screen.goto_index(next(n for n, i in enumerate(app.session.items) if i.id == item_id))
    await pilot.pause()
    assert app.screen.item.id == item_id


@pytest.mark.asyncio
async def test_soa_justification_is_its_own_field_saved_through_the_service(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):  # opened at the first unanswered item once the screen is up
            if isinstance(app.screen, QuestionnaireScreen) and app.screen.item.id == "s-cloud-1":
                break
            await pilot.pause(0.05)
        assert isinstance(app.screen, QuestionnaireScreen) and app.screen.item.id == "s-cloud-1"
        await _goto(pilot, app, "s-scope-1")  # a clause: no SoA fields
        assert not app.screen.query_one("#soa-fields").display
        await _goto(pilot, app, "s-backup-1")  # control 8.13
        assert app.screen.query_one("#soa-fields").display
        field = app.screen.query_one("#soa_justification", Input)
        assert field.value == "" and field.placeholder  # a suggestion, shown as placeholder only
        field.focus()
        await pilot.pause()
        for ch in "Lost data stops deliveries":
            await pilot.press(ch if ch != " " else "space")
        doc = app.screen.query_one("#soa_implementation", Input)
        doc.focus()
        for ch in "Backup rule v1":
            await pilot.press(ch if ch != " " else "space")
        await pilot.press("escape")
        for _ in range(200):  # the save runs after a short pause in typing
            decision = app.session.soa.get("control:8.13")
            if decision and decision.implementation == "Backup rule v1":
                break
            await pilot.pause(0.05)
        assert decision.justification == "Lost data stops deliveries"
        assert decision.implementation == "Backup rule v1" and decision.applicable is None
        # the answer's own fields are untouched
        assert app.session.answers["s-backup-1"].note == "NASあり、復元テスト未実施"
        await pilot.press("ctrl+q")
    loaded = Workspace(data).load(aid)
    assert loaded.soa["control:8.13"].justification == "Lost data stops deliveries"
    row = next(r for r in Workspace(data).view(aid).soa if r.ref.id == "8.13")
    assert row.justification == "Lost data stops deliveries" and row.implementation == "Backup rule v1"
