"""The internal audit kit in the TUI, pressed like a user: F4 opens the programme, n plans an
audit (a scope that cannot be read keeps what was typed), the auditor who owns work in the
scope is warned about, the checklist records a major result with 3 and a note with e, the
finding appears in F11 and blocks certification on the dashboard; F11 deletes a finding after
a yes; the palette opens the programme in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, Input

from isms_tui.app import IsmsApp
from isms_tui.screens.audit import AuditDialog, AuditScreen, ChecklistScreen, LineDialog
from isms_tui.screens.dashboard import DashboardScreen
from isms_tui.screens.dialogs import ConfirmScreen
from isms_tui.screens.findings import FindingsScreen
from isms_tui.service import Workspace
from tests.test_tui import questionnaire_ready, static_text, type_text, wait_until
from tests.test_workshop_tui import _palette
from tests.tui_helpers import add_findings, make_data_dir


def _form_ready(app, cls, field: str) -> bool:
    return isinstance(app.screen, cls) and getattr(app.screen.focused, "id", None) == field


@pytest.mark.asyncio
async def test_plan_an_audit_record_a_major_and_see_it_block_certification(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)  # the backup action is owned by "IT 佐藤"
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, AuditScreen), "the audit programme")
        screen = app.screen
        assert "No audit planned yet" in static_text(screen.query_one("#audit-detail"))

        await pilot.press("n")
        await wait_until(pilot, lambda: _form_ready(app, AuditDialog, "title"), "the audit form")
        await type_text(pilot, "Backups and scope")
        form = app.screen
        form.query_one("#scope", Input).value = "clause 4, A.8, policy"
        form.query_one("#lead", Input).value = "\u4f50\u85e4"
        form.query_one("#auditees", Input).value = "CEO"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: _form_ready(app, AuditDialog, "title") and app.screen is not form,
                         "the form again, with what was typed")
        assert app.screen.query_one("#scope", Input).value == "clause 4, A.8, policy"
        assert app.session.audits.audits == {}
        app.screen.query_one("#scope", Input).value = "clause 4, A.8"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen and len(app.session.audits.audits) == 1, "the audit")
        [audit] = app.session.audits.audits.values()
        assert (audit.label, audit.scope, audit.lead) == ("IA-01", ["clause:4", "theme:8"], "\u4f50\u85e4")
        # the lead auditor owns the backup action in the scope: the programme says so
        await wait_until(pilot, lambda: "owns the plan action" in static_text(screen.query_one("#audit-detail")),
                         "the independence warning")
        assert "(A.8.13) in scope" in " ".join(static_text(screen.query_one("#audit-detail")).split())

        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ChecklistScreen), "the checklist")
        checklist = app.screen
        table = checklist.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == 2, "two lines: clause 4.3 and A.8.13")
        await pilot.press("1")  # line 1 conforming, on to line 2
        await wait_until(pilot, lambda: table.cursor_row == 1, "the next line")
        await pilot.press("3")  # line 2: a major nonconformity
        await wait_until(pilot, lambda: len(app.session.findings.findings) == 1, "the finding")
        [f] = app.session.findings.findings.values()
        assert (f.grade, f.ref, f.audit, f.source) == ("major", "control:8.13", audit.id, "internal_audit")
        await wait_until(pilot, lambda: "F-01" in str(table.get_row_at(1)), "the finding on its line")
        assert "recorded 2/2" in static_text(checklist.query_one("#checklist-bar"))

        table.move_cursor(row=1)
        await pilot.press("e")
        await wait_until(pilot, lambda: _form_ready(app, LineDialog, "note"), "the note dialog")
        await type_text(pilot, "No restore test was ever recorded")
        app.screen.query_one("#evidence", Input).value = "Backup procedure v1.0"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is checklist
                         and app.session.findings.find("F-01").description == "No restore test was ever recorded",
                         "the note as the finding's description")
        assert "Evidence seen: Backup procedure v1.0" in static_text(checklist.query_one("#checklist-detail"))

        await pilot.press("f11")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen), "the findings register")
        await wait_until(pilot, lambda: app.screen.query_one(DataTable).row_count == 1, "the finding in F11")
        assert "No restore test" in static_text(app.screen.query_one("#findings-detail"))
        for _ in range(3):
            await pilot.press("escape")
        await wait_until(pilot, lambda: questionnaire_ready(app), "back to the questionnaire")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
        await wait_until(pilot, lambda: "Certification decision blocked: 1" in static_text(app.screen.query_one("#dash-gate")),
                         "the blocker on the dashboard")
    stored = Workspace(data).view(aid).audit_programme.rows[0]
    assert [ln.result for ln in stored.lines] == ["conforming", "major"] and stored.lines[1].record.evidence


@pytest.mark.asyncio
async def test_delete_a_finding_after_a_yes(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    add_findings(data, aid)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await pilot.press("f11")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingsScreen), "the findings register")
        screen = app.screen
        table = screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == 3, "three findings not closed")
        first = screen.rows[0].finding
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation")
        assert first.label in static_text(app.screen.query_one(".dialog-text"))
        await pilot.press("enter")  # "no" has the focus: nothing is deleted
        await wait_until(pilot, lambda: app.screen is screen, "back, nothing deleted")
        assert first.id in app.session.findings.findings
        await pilot.press("delete")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the confirmation again")
        app.screen.query_one("#yes", Button).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen and table.row_count == 2, "the finding gone")
        assert first.id not in app.session.findings.findings
    assert first.id not in Workspace(data).findings_data(aid).findings


@pytest.mark.asyncio
@pytest.mark.parametrize(("lang", "command"), [("en", "Internal audit"), ("ja", "\u5185\u90e8\u76e3\u67fb")])
async def test_palette_opens_the_audit_programme(tmp_path: Path, lang: str, command: str):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await _palette(pilot, app, command)
        await wait_until(pilot, lambda: isinstance(app.screen, AuditScreen), "the audit programme")
