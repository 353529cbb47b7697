"""The next cycle in the TUI, pressed like a user: y on the home screen asks the next audit
date and the changes since the last audit, creates the next cycle and opens it; the carried
answers say "to re-confirm" (a filter shows them), answering one again clears it; the
dashboard counts what is still to re-confirm and the open change questions (c answers them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select

from isms_tui.app import IsmsApp
from isms_tui.screens.dashboard import DashboardScreen
from isms_tui.screens.home import HomeScreen
from isms_tui.screens.next_cycle import ChangesScreen, NextCycleScreen
from isms_tui.service import Workspace
from tests.test_tui import questionnaire_ready, static_text, type_text, wait_until
from tests.tui_helpers import make_data_dir


def _home_ready(app) -> bool:
    return isinstance(app.screen, HomeScreen) and app.screen.query_one(DataTable).row_count > 0


async def _choose(pilot, select: Select, downs: int) -> None:
    """Open a select and move down to an option, as a user does."""
    select.focus()
    await pilot.press("enter")
    await wait_until(pilot, lambda: select.expanded, "the open list")
    for _ in range(downs):
        await pilot.press("down")
    await pilot.press("enter")
    await wait_until(pilot, lambda: not select.expanded, "the list closed")


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["en", "ja"])
async def test_next_cycle_from_home_changes_and_reconfirm(tmp_path: Path, lang: str):
    data, aid = make_data_dir(tmp_path)
    previous = Workspace(data).file_path(aid)
    before = previous.read_bytes()
    app = IsmsApp(data, lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: _home_ready(app), "the home list")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, NextCycleScreen) and app.screen.focused is not None
                         and app.screen.focused.id == "target", "the next cycle dialog")
        dialog = app.screen
        await type_text(pilot, "2099-09-30")
        await _choose(pilot, dialog.query_one("#answer-scope", Select), 1)  # not answered -> no change
        dialog.query_one("#what-suppliers", Input).focus()
        await type_text(pilot, "New cloud backup provider")  # typing what changed answers "changed"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: questionnaire_ready(app) and app.session is not None and app.session.id != aid,
                         "the next cycle open in the questionnaire")
        assert previous.read_bytes() == before  # the previous cycle is not changed
        session = app.session
        assert session.assessment.source["previous_cycle"] == aid
        assert session.assessment.target_date == "2099-09-30"
        assert session.changes.records["scope"].answer == "no_change"
        assert session.changes.records["suppliers"].answer == "changed"
        screen = app.screen
        badge = "Last cycle's answer: to re-confirm" if lang == "en" else "前年度の回答・要再確認"
        count = "to re-confirm {n}" if lang == "en" else "要再確認 {n}"
        assert static_text(screen.query_one("#savebar")).count(count.format(n=3)) == 1

        # the filter cycle has "to re-confirm": the first one shows with its badge
        for _ in range(5):
            await pilot.press("f")
        await wait_until(pilot, lambda: screen.filter == "reconfirm", "the to re-confirm filter")
        await wait_until(pilot, lambda: badge in static_text(screen.query_one("#item-ref")), "the badge")
        item = screen.item.id
        status = session.answers[item].status
        await pilot.press({"implemented": "1", "partial": "2"}[status])  # the same answer, confirmed
        await wait_until(pilot, lambda: not session.answers[item].reconfirm, "re-confirmed")
        await wait_until(pilot, lambda: badge not in static_text(screen.query_one("#item-ref")), "the badge gone")
        assert count.format(n=2) in static_text(screen.query_one("#savebar"))

        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        card = app.screen.query_one("#dash-overall")
        reconfirm = "2 answers to re-confirm" if lang == "en" else "要再確認の回答 2 件"
        opened = "3 change questions open (c)" if lang == "en" else "前回からの変更の未回答 3 件(c で回答)"
        await wait_until(pilot, lambda: reconfirm in static_text(card) and opened in static_text(card), "the counts")
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ChangesScreen), "the change questions")
        assert app.screen.query_one("#what-suppliers", Input).value == "New cloud backup provider"
        app.screen.query_one("#what-laws", Input).focus()
        await type_text(pilot, "New privacy law")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "back on the dashboard")
        opened2 = "2 change questions open (c)" if lang == "en" else "前回からの変更の未回答 2 件(c で回答)"
        await wait_until(pilot, lambda: opened2 in static_text(app.screen.query_one("#dash-overall")), "one fewer open")
        assert {a.id for a in session.view().plan if a.source.kind == "change"} == {"change:suppliers", "change:laws"}


@pytest.mark.asyncio
async def test_a_bad_date_keeps_the_dialog_and_creates_nothing(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    ws = Workspace(data)
    app = IsmsApp(data, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: _home_ready(app), "the home list")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, NextCycleScreen) and app.screen.focused is not None,
                         "the dialog")
        await type_text(pilot, "2099-02-30")
        await pilot.press("ctrl+s")
        error = app.screen.query_one("#change-error")
        await wait_until(pilot, lambda: error.display and "2099-02-30" in static_text(error), "the error in the dialog")
        assert isinstance(app.screen, NextCycleScreen) and ws.store.ids() == [aid]
        await pilot.press("escape")
        await wait_until(pilot, lambda: _home_ready(app), "back home")
        assert ws.store.ids() == [aid]


@pytest.mark.asyncio
@pytest.mark.parametrize(("lang", "words"), [("en", "Changes since the last cycle"), ("ja", "\u524d\u56de\u304b\u3089\u306e\u5909\u66f4")])
async def test_the_palette_opens_the_change_questions_of_a_next_cycle(tmp_path: Path, lang: str, words: str):
    from isms_tui.next_cycle import next_cycle
    from tests.test_workshop_tui import _palette

    data, aid = make_data_dir(tmp_path)
    new_id = next_cycle(Workspace(data), aid, target_date="2099-09-30").new_id
    app = IsmsApp(data, lang=lang, open_id=new_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await _palette(pilot, app, words)
        await wait_until(pilot, lambda: isinstance(app.screen, ChangesScreen), "the change questions")
        app.screen.query_one("#what-systems", Input).focus()
        await type_text(pilot, "New accounting system")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: questionnaire_ready(app), "back in the questionnaire")
        assert app.session.changes.records["systems"].answer == "changed"
        assert "change:systems" in {a.id for a in app.session.view().plan}
