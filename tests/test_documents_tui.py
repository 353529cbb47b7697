"""Pilot tests of the documents & records screen (F10), pressing keys like a user at 80x24:
seed from the catalogue, edit an entry (a bad date keeps what was typed; a path that does not
exist is saved with a warning), add the company's own, filter; nothing lost on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select

from isms_tui.app import IsmsApp
from isms_tui.documents import document_catalog
from isms_tui.model import Assessment
from isms_tui.screens.documents import DocumentDialog, DocumentsScreen
from isms_tui.screens.questionnaire import QuestionnaireScreen
from isms_tui.service import Workspace
from isms_tui.view import DocumentRow
from tests.test_risk_tui import _fits, _tab_to, _wait_for

SIZE = (80, 24)


def _data(tmp_path: Path, lang: str = "en") -> tuple[Path, str]:
    d = tmp_path / "data"
    aid = Workspace(d).create(Assessment(organization="Docs KK", target_date="2099-06-01", lang=lang))
    return d, aid


async def _open(pilot, app) -> DocumentsScreen:
    await _wait_for(pilot, lambda: isinstance(app.screen, QuestionnaireScreen))
    await pilot.press("f10")
    await _wait_for(pilot, lambda: isinstance(app.screen, DocumentsScreen))
    return app.screen


async def _type(pilot, app, field: str, text: str) -> None:
    await _tab_to(pilot, app, field)
    app.focused.value = ""
    await pilot.press(*text)


@pytest.mark.asyncio
async def test_seed_edit_with_a_bad_date_then_save_with_a_missing_path_warning(tmp_path):
    data, aid = _data(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        assert screen.query_one(DataTable).row_count == 0
        await pilot.press("c")
        await _wait_for(pilot, lambda: screen.query_one(DataTable).row_count > 18)
        assert _fits(screen.query_one(DataTable))
        assert isinstance(screen.rows[0], DocumentRow) and screen.rows[0].entry.catalog_id == "scope"
        await pilot.press("enter")  # edit the ISMS scope
        await _wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog))
        await _type(pilot, app, "name", "ISMS scope statement")
        await _type(pilot, app, "location", "/nonexistent-isms/scope.pdf")
        await _tab_to(pilot, app, "state")
        app.screen.query_one("#state", Select).value = "approved"
        await _type(pilot, app, "approved_by", "CEO")
        await _type(pilot, app, "approved_on", "2099-02-30")
        await pilot.press("ctrl+s")  # a bad date: refused, the form comes back with what was typed
        await _wait_for(pilot, lambda: any("not a date" in n.message for n in app._notifications))
        await _wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog))
        assert app.screen.query_one("#name", Input).value == "ISMS scope statement"
        assert app.screen.query_one("#state", Select).value == "approved"
        await _type(pilot, app, "approved_on", "2099-01-30")
        await _type(pilot, app, "next_review", "2099-12-31")
        await pilot.press("ctrl+s")
        await _wait_for(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        await _wait_for(pilot, lambda: any("does not exist on this computer" in n.message for n in app._notifications))
        assert screen.rows[0].state == "approved" and screen.rows[0].warning == "doc.warn.path_missing"
        # the filter "missing" hides it; "out of date" shows none
        await pilot.press("f")
        await _wait_for(pilot, lambda: screen.filter == "missing")
        assert all(r.state == "missing" for r in screen.rows) and screen.rows[0].entry.catalog_id != "scope"
        await pilot.press("f", "f")
        await _wait_for(pilot, lambda: screen.filter == "out_of_date")
        assert screen.query_one(DataTable).row_count == 0
    reg = Workspace(data).documents(aid)
    scope = next(e for e in reg.entries.values() if e.catalog_id == "scope")
    assert (scope.name, scope.state, scope.approved_by, scope.approved_on, scope.location) == (
        "ISMS scope statement", "approved", "CEO", "2099-01-30", "/nonexistent-isms/scope.pdf")
    assert len(reg.entries) >= sum(1 for d in document_catalog().values() if d.mandatory)


@pytest.mark.asyncio
async def test_a_custom_entry_needs_a_requirement_and_keeps_what_was_typed(tmp_path):
    data, aid = _data(tmp_path, "ja")
    app = IsmsApp(data, lang="ja", open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        await pilot.press("n")
        await _wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog))
        await _type(pilot, app, "name", "visitor")
        await pilot.press("ctrl+s")
        await _wait_for(pilot, lambda: any("visitor" in n.message and "A.5.10" in n.message for n in app._notifications))
        await _wait_for(pilot, lambda: isinstance(app.screen, DocumentDialog))
        assert app.screen.query_one("#name", Input).value == "visitor"
        await _type(pilot, app, "refs", "A.7.2")
        await pilot.press("ctrl+s")
        await _wait_for(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        await _wait_for(pilot, lambda: screen.query_one(DataTable).row_count == 1)
        assert screen.rows[0].entry.custom and [r.key for r in screen.rows[0].refs] == ["control:7.2"]
    entry = next(iter(Workspace(data).documents(aid).entries.values()))
    assert (entry.name, entry.refs, entry.state) == ("visitor", ["control:7.2"], "missing")
