"""The workshop in the TUI, pressed like a consultant would: start a session from the palette
(agenda, time box, new participants), switch the speaker with one key, answer, park an item,
the projector layout, the parking lot (F8), high contrast (F9), and ending the session."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, SelectionList

from isms_tui.app import HIGH_CONTRAST, IsmsApp
from isms_tui.screens.dialogs import ConfirmScreen
from isms_tui.screens.workshop import ParkDialog, ParkedScreen, WorkshopStartDialog
from isms_tui.service import Workspace
from isms_tui.workshop import CONSENSUS
from tests.test_tui import questionnaire_ready, static_text, type_text, wait_until
from tests.tui_helpers import make_data_dir


async def _palette(pilot, app, text: str) -> None:
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.is_mounted, "the palette")
    await type_text(pilot, text)

    def first() -> str:
        from textual.widgets import OptionList

        lists = app.screen.query(OptionList)
        if not lists or lists.first().option_count == 0:
            return ""
        prompt = lists.first().get_option_at_index(0).prompt
        return getattr(prompt, "plain", str(prompt))

    await wait_until(pilot, lambda: first().startswith(text), f"the palette's {text!r}")
    await pilot.press("enter")


@pytest.mark.asyncio
async def test_a_workshop_from_start_to_end(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        q = app.screen
        assert not q.query_one("#workshop-bar").display  # no session: no bar
        await _palette(pilot, app, "Start workshop")
        await wait_until(pilot, lambda: isinstance(app.screen, WorkshopStartDialog)
                         and getattr(app.screen.focused, "id", None) == "title", "the start dialog")
        await type_text(pilot, "Gap session 1")
        agenda = app.screen.query_one("#agenda", SelectionList)
        agenda.focus()
        await pilot.press("space")  # the first section
        app.screen.query_one("#timebox", Input).focus()
        await type_text(pilot, "30")
        app.screen.query_one("#new", Input).focus()
        await type_text(pilot, "Tanaka (IT), Suzuki (HR)")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is q and app.session.active_workshop is not None, "the session")
        w = app.session.active_workshop
        assert w.title == "Gap session 1" and w.agenda == ["sample/basics"] and w.timebox == {"sample/basics": 30}
        assert [app.session.workshop.participants[p].label() for p in w.participants] == ["Tanaka (IT)", "Suzuki (HR)"]
        await wait_until(pilot, lambda: q.query_one("#workshop-bar").display, "the workshop bar")
        await wait_until(pilot, lambda: q.item.section_id == "basics", "the first section of the agenda")
        assert "Agenda 1/1" in static_text(q.query_one("#workshop-bar"))

        # who decided: one key picks the speaker, the answer records it
        await pilot.press("w")
        await wait_until(pilot, lambda: "Speaker: Tanaka (IT)" in static_text(q.query_one("#workshop-bar")), "Tanaka speaks")
        item = q.item.id
        await pilot.press("2")
        await wait_until(pilot, lambda: app.session.answers[item].status == "partial", "the answer")
        assert app.session.answers[item].decided_by == w.participants[0]
        await pilot.press("w", "w")  # Suzuki, then the room's consensus
        await wait_until(pilot, lambda: app.session.active_workshop.speaker == CONSENSUS, "consensus")
        assert "This session: 0 answered, 1 changed" in static_text(q.query_one("#workshop-bar")).replace("\n", " ")

        # the parking lot
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, ParkDialog)
                         and getattr(app.screen.focused, "id", None) == "note", "the park dialog")
        await type_text(pilot, "Ask IT for the restore test log")
        app.screen.query_one("#owner", Input).focus()
        await type_text(pilot, "Tanaka")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is q and app.session.workshop.open_parked(), "the parked item")
        parked = app.session.workshop.open_parked()[0]
        assert (parked.item_id, parked.owner, parked.workshop) == (item, "Tanaka", w.id)
        assert app.session.view().action(f"parked:{parked.id}") is not None  # it is in the plan
        await wait_until(pilot, lambda: "1 parked" in static_text(q.query_one("#workshop-bar")), "the parked mark")

        # the projector layout
        await pilot.press("z")
        await wait_until(pilot, lambda: q.has_class("-focus"), "focus mode")
        assert not q.query_one("#sections").display and not q.query_one("#detail").display
        await pilot.press("g")
        await wait_until(pilot, lambda: q.query_one("#detail").display, "the guidance on demand")
        await pilot.press("z")
        await wait_until(pilot, lambda: not q.has_class("-focus"), "focus mode off")

        # high contrast one key away, and back
        theme = app.theme
        await pilot.press("f9")
        await wait_until(pilot, lambda: app.theme == HIGH_CONTRAST.name, "high contrast")
        await pilot.press("f9")
        await wait_until(pilot, lambda: app.theme == theme, "the theme before")

        # F8: the parked list; resolving needs to say how
        await pilot.press("f8")
        await wait_until(pilot, lambda: isinstance(app.screen, ParkedScreen), "the parked list")
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is q, "back")

        await _palette(pilot, app, "End workshop")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        await pilot.click("#yes")
        await wait_until(pilot, lambda: app.session.active_workshop is None, "the session ended")
        from isms_tui.screens.summary import WorkshopSummaryScreen

        await wait_until(pilot, lambda: isinstance(app.screen, WorkshopSummaryScreen), "the session's summary")
    ended = Workspace(data).workshop_data(aid).workshops[w.id]
    assert ended.ended is not None


@pytest.mark.asyncio
async def test_a_bad_time_box_keeps_what_was_typed(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="ja", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        app.action_workshop_start()
        await wait_until(pilot, lambda: isinstance(app.screen, WorkshopStartDialog)
                         and getattr(app.screen.focused, "id", None) == "title", "the start dialog")
        await type_text(pilot, "Session")
        app.screen.query_one("#timebox", Input).focus()
        await type_text(pilot, "half an hour")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, WorkshopStartDialog)
                         and app.screen.query_one("#timebox", Input).value == "half an hour", "the dialog again")
        assert app.session.active_workshop is None
        assert app.screen.query_one("#title", Input).value == "Session"


@pytest.mark.asyncio
async def test_the_plan_owner_is_picked_from_the_participants(tmp_path: Path):
    from isms_tui.screens.plan import ActionPlanScreen, EditActionScreen

    data, aid = make_data_dir(tmp_path)
    with Workspace(data).open(aid) as s:
        s.add_participant("Takahashi", "IT")
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and app.screen.rows, "the plan")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, EditActionScreen)
                         and getattr(app.screen.focused, "id", None) == "owner", "the edit dialog")
        owner = app.screen.query_one("#owner", Input)
        owner.value = ""
        await type_text(pilot, "Tak")
        await pilot.press("right")  # take the suggestion
        await wait_until(pilot, lambda: owner.value == "Takahashi", "the suggested owner")


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["en", "ja"])
async def test_the_parking_lot_shows_its_due_dates_whole_at_80_columns(tmp_path: Path, lang):
    from isms_tui.demo import create_demo

    data, _ = make_data_dir(tmp_path, with_assessment=False)
    aid = create_demo(Workspace(data), lang)
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await pilot.press("f8")
        await wait_until(pilot, lambda: isinstance(app.screen, ParkedScreen) and app.screen.rows, "the parking lot")
        table = app.screen.query_one(DataTable)
        due = [p.due for p in app.screen.rows if p.due]
        assert due and all(str(table.get_row_at(n)[4]) == p.due for n, p in enumerate(app.screen.rows) if p.due)
        assert sum(c.get_render_width(table) for c in table.columns.values()) <= 80
