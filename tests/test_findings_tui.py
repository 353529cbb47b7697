"""The findings register in the TUI, pressed like a user: F11 and the palette open it, n
records a finding (a requirement that cannot be read keeps what was typed), e edits it to
closure (closed without evidence is refused, nothing lost), f switches the view, and the
dashboard says an open major blocks the certification decision."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select

from isms_tui.app import IsmsApp
from isms_tui.screens.dashboard import DashboardScreen
from isms_tui.screens.findings import FindingDialog, FindingsScreen
from isms_tui.service import Workspace
from tests.test_tui import questionnaire_ready, static_text, type_text, wait_until
from tests.test_workshop_tui import _palette
from tests.tui_helpers import add_findings, make_data_dir


def _dialog_ready(app) -> bool:
    return isinstance(app.screen, FindingDialog) and getattr(app.screen.focused, "id", None) == "ref"


@pytest.mark.asyncio
async def test_record_a_finding_then_close_it(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await pilot.press("f11")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen), "the findings register")
        screen = app.screen
        assert "No findings yet" in static_text(screen.query_one("#findings-detail"))

        await pilot.press("n")
        await wait_until(pilot, lambda: _dialog_ready(app), "the new finding form")
        await type_text(pilot, "5.1")  # clause 5.1 or control A.5.1?
        app.screen.query_one("#description", Input).focus()
        await type_text(pilot, "Leavers keep their accounts")
        app.screen.query_one("#grade", Select).value = "major"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: _dialog_ready(app) and app.screen.query_one("#description", Input).value
                         == "Leavers keep their accounts", "the form again, with what was typed")
        assert app.screen.query_one("#grade", Select).value == "major"
        assert app.session.findings.findings == {}
        ref = app.screen.query_one("#ref", Input)
        ref.value = "A.5.1"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen and len(app.session.findings.findings) == 1, "the finding")
        [f] = app.session.findings.findings.values()
        assert (f.grade, f.ref, f.label, f.state) == ("major", "control:5.1", "F-01", "open")
        await wait_until(pilot, lambda: "1 open major" in static_text(screen.query_one("#findings-bar")), "the bar")

        # close it without evidence: refused, what was typed is kept
        await pilot.press("e")
        await wait_until(pilot, lambda: _dialog_ready(app), "the edit form")
        assert app.screen.query_one("#ref", Input).value == "A.5.1"
        app.screen.query_one("#action", Input).value = "Remove accounts on the last day"
        app.screen.query_one("#closed_on", Input).value = "2099-01-01"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: _dialog_ready(app)
                         and app.screen.query_one("#closed_on", Input).value == "2099-01-01", "the form kept")
        assert app.screen.query_one("#action", Input).value == "Remove accounts on the last day"
        assert app.session.findings.find("F-01").closed_on is None
        app.screen.query_one("#closure_evidence", Input).value = "Leaver checklist"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen and app.session.findings.find("F-01").state == "closed",
                         "closed")
        # closed: out of the default view (not closed); f shows all, then the majors
        await wait_until(pilot, lambda: screen.query_one(DataTable).row_count == 0, "the open view empty")
        await pilot.press("f")
        await wait_until(pilot, lambda: screen.query_one(DataTable).row_count == 1, "all findings")
        assert "Leaver checklist" in static_text(screen.query_one("#findings-detail"))
    stored = Workspace(data).findings_data(aid)
    assert [x.closure_evidence for x in stored.findings.values()] == ["Leaver checklist"]


@pytest.mark.asyncio
async def test_palette_opens_the_register_and_the_dashboard_says_an_open_major_blocks(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    add_findings(data, aid)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await _palette(pilot, app, "Findings and corrective")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen), "the findings register")
        table = app.screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == 3, "the three findings not closed")
        assert [r.finding.label for r in app.screen.rows] == ["F-01", "F-02", "F-03"]  # the major first
        await pilot.press("escape")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        await wait_until(pilot, lambda: "Certification decision blocked: 1" in static_text(app.screen.query_one("#dash-gate")),
                         "the blocker on the dashboard")
        assert "F-01" in static_text(app.screen.query_one("#dash-gate"))
