"""The annual plan in the TUI, pressed like a user: F12 and the palette open it, d marks the
overdue activity done and it moves down the plan, a planned date in the past is refused with
what was typed kept, and the dashboard names the overdue activities."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from isms_tui.app import IsmsApp
from isms_tui.scoring import add_months
from isms_tui.screens.calendar import CalendarScreen, CertificateDialog, DoneDialog
from isms_tui.screens.dashboard import DashboardScreen
from isms_tui.service import Workspace
from tests.test_tui import questionnaire_ready, static_text, wait_until
from tests.test_workshop_tui import _palette
from tests.tui_helpers import add_calendar, make_data_dir


def _keys(screen) -> list[str]:
    return [r.activity.key for r in screen.rows]


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["en", "ja"])
async def test_mark_the_overdue_activity_done_and_see_it_move(tmp_path: Path, lang: str):
    data, aid = make_data_dir(tmp_path)
    add_calendar(data, aid)
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await pilot.press("f12")
        await wait_until(pilot, lambda: isinstance(app.screen, CalendarScreen) and app.screen.rows, "the annual plan")
        screen = app.screen
        assert _keys(screen)[0] == "risk_review"  # overdue since 2001: first
        assert screen.rows[0].state == "overdue"
        head = static_text(screen.query_one("#cal-head"))
        assert "IS 000123" in head and "[b]JQA[/b]" in head  # literal, never markup
        flags = static_text(screen.query_one("#cal-flags"))
        assert ("Risk review" if lang == "en" else "リスクの見直し") in flags
        table = screen.query_one(DataTable)
        assert table.cursor_row == 0
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DoneDialog), "the done dialog")
        assert app.screen.query_one("#last_done", Input).value == date.today().isoformat()
        await pilot.press("ctrl+s")
        def risk_row():
            return next(r for r in screen.rows if r.activity.key == "risk_review")

        await wait_until(pilot, lambda: app.screen is screen and risk_row().state != "overdue", "the risk review moved")
        row = risk_row()
        # no longer overdue: due again a year from today (still the first, the others lie before 2099)
        assert row.state == "due" and row.activity.last_done == date.today().isoformat()
        assert row.due == add_months(date.today(), 12)
        state_cell = str(table.get_row(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key)[0])
        assert "Overdue" not in state_cell and "期限超過" not in state_cell
        # the cursor follows it
        assert screen.rows[table.cursor_row].activity.key == "risk_review"
        assert "lapsed" not in [f.kind for f in app.session.view().annual_plan.flags]
    stored = Workspace(data).view(aid).annual_plan
    assert next(r for r in stored.activities if r.activity.key == "risk_review").activity.last_done == date.today().isoformat()


@pytest.mark.asyncio
async def test_certificate_dialog_refuses_a_past_date_and_keeps_what_was_typed(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await _palette(pilot, app, "Annual plan")
        await wait_until(pilot, lambda: isinstance(app.screen, CalendarScreen) and app.screen.rows, "the annual plan")
        screen = app.screen
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, CertificateDialog), "the certificate form")
        assert app.screen.query_one("#stage1_planned", Input).value == "2099-06-01"  # the target date
        app.screen.query_one("#body", Input).value = "Body KK"
        app.screen.query_one("#stage2_planned", Input).value = "2001-01-01"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, CertificateDialog)
                         and app.screen.query_one("#stage2_planned", Input).value == "2001-01-01", "the form kept")
        assert app.screen.query_one("#body", Input).value == "Body KK"
        assert app.session.calendar.certificate.body == ""
        app.screen.query_one("#stage2_planned", Input).value = "2099-09-15"
        app.screen.query_one("#stage1_planned", Input).value = "2099-05-20"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen and app.session.calendar.certificate.body == "Body KK",
                         "saved")
        assert app.session.assessment.target_date == "2099-05-20"
        assert "2099-09-15" in static_text(screen.query_one("#cal-head"))
    assert Workspace(data).view(aid).assessment.target_date == "2099-05-20"


@pytest.mark.asyncio
async def test_dashboard_names_the_overdue_activities(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    add_calendar(data, aid)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        await wait_until(pilot, lambda: "Annual plan: 1 overdue (Risk review)"
                         in static_text(app.screen.query_one("#dash-overall")), "the overdue line")
