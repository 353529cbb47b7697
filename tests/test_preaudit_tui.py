"""Pilot tests of the audit preparation screen (F3), pressing keys like a user at 80x24: the
stage 1 checklist grouped with its states and the full view of a requirement, then the
sampling list: record a record type held under three months (the row turns into a gap and
the plan gains its action), a refused "not applicable" without a reason keeps what was typed,
and with the reason the action goes; the palette offers the screen in the UI language."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static

from isms_tui.app import IsmsApp
from isms_tui.model import Assessment
from isms_tui.preaudit import GROUPS, PackGroup, PackRow, SamplingRow
from isms_tui.screens.preaudit import PackDetailScreen, PreauditScreen, SamplingDialog
from isms_tui.screens.questionnaire import QuestionnaireScreen
from isms_tui.service import Workspace
from tests.test_risk_tui import _fits, _shows, _tab_to, _wait_for

SIZE = (80, 24)


def _data(tmp_path: Path, lang: str = "en") -> tuple[Path, str]:
    d = tmp_path / "data"
    aid = Workspace(d).create(Assessment(organization="Prep KK", target_date="2099-06-01", lang=lang,
                                         banks=["process-acquisition", "clauses-2022"]))
    with Workspace(d).open(aid) as s:
        s.set_status("cl-4.3-1", "implemented")
        s.add_document(catalog_id="scope", state="draft", location="ISMS/Scope.docx")
    return d, aid


async def _open(pilot, app) -> PreauditScreen:
    await _wait_for(pilot, lambda: isinstance(app.screen, QuestionnaireScreen))
    await pilot.press("f3")
    await _wait_for(pilot, lambda: isinstance(app.screen, PreauditScreen))
    return app.screen


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["en", "ja"])
async def test_stage1_checklist_grouped_with_states_and_the_full_requirement(tmp_path, lang):
    data, aid = _data(tmp_path, lang)
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        table = screen.query_one(DataTable)
        await _wait_for(pilot, lambda: table.row_count > 20)
        assert _fits(table)
        assert [r.id for r in screen.rows if isinstance(r, PackGroup)] == list(GROUPS)
        assert isinstance(screen.rows[0], PackGroup) and screen.rows[3].label("en") == "Clause 4.3"
        await pilot.press("down", "down", "down")  # group, 4.1, 4.2 -> 4.3
        await _wait_for(pilot, lambda: screen._current() is screen.rows[3])
        row = screen.rows[3]
        assert row.state == "gaps"  # implemented, but the scope document is a draft
        detail = screen.query_one("#pre-detail", Static)
        await _wait_for(pilot, lambda: _shows(detail, row.documents[0].name(lang)))
        assert _shows(detail, app.tr("pre.state.gaps"))
        await pilot.press("enter")
        await _wait_for(pilot, lambda: isinstance(app.screen, PackDetailScreen))
        text = app.screen.query_one("#pack-text", Static)
        first_ask = row.asks[0]
        assert _shows(text, first_ask.where[lang]) and _shows(text, first_ask.lines[lang][0][:20])
        await pilot.press("escape")
        await _wait_for(pilot, lambda: app.screen is screen)
        assert screen._current() is screen.rows[3]  # where the user was


@pytest.mark.asyncio
async def test_record_a_sampling_row_and_see_the_state_and_the_plan_change(tmp_path):
    data, aid = _data(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot, app)
        await pilot.press("t")
        await _wait_for(pilot, lambda: screen.mode == "sampling")
        table = screen.query_one(DataTable)
        assert _fits(table) and all(isinstance(r, SamplingRow) for r in screen.rows)
        assert screen.rows[0].record.id == "access_reviews" and screen.rows[0].state == "not_recorded"
        await pilot.press("e")
        await _wait_for(pilot, lambda: isinstance(app.screen, SamplingDialog))
        await pilot.press("enter")  # open the months list: auto, none, under 3 ...
        await pilot.pause()
        await pilot.press("down", "down", "enter")
        await _wait_for(pilot, lambda: app.screen.query_one("#months", Select).value == "under_3")
        await _tab_to(pilot, app, "location")
        await pilot.press(*"Google admin console")
        await _tab_to(pilot, app, "oldest")
        await pilot.press(*"2026-13-01")
        await pilot.press("ctrl+s")  # a bad date: refused in one line, the dialog comes back as typed
        await _wait_for(pilot, lambda: any("is not a date" in n.message for n in app._notifications))
        await _wait_for(pilot, lambda: isinstance(app.screen, SamplingDialog))
        assert app.screen.query_one("#location", Input).value == "Google admin console"
        assert app.screen.query_one("#months", Select).value == "under_3"
        assert "access_reviews" not in app.session.sampling.entries  # nothing saved
        await _tab_to(pilot, app, "oldest")
        app.focused.value = ""
        await pilot.press(*"2026-10-01")
        await pilot.press("ctrl+s")
        await _wait_for(pilot, lambda: app.screen is screen)
        await _wait_for(pilot, lambda: screen.rows[0].state == "gap")
        assert "sampling:access_reviews" in {a.id for a in app.session.view().plan}
        assert _shows(screen.query_one("#pre-bar", Static), "under 3 months 1")
        assert _shows(screen.query_one("#pre-detail", Static), "3\u20136 months")  # the action
        # not applicable without a reason: refused in one line, the dialog comes back as typed
        await pilot.press("enter")
        await _wait_for(pilot, lambda: isinstance(app.screen, SamplingDialog))
        app.screen.query_one("#months", Select).value = "not_applicable"
        await _tab_to(pilot, app, "note")
        await pilot.press(*"SaaS only")
        await pilot.press("ctrl+s")
        await _wait_for(pilot, lambda: any("say why" in n.message for n in app._notifications))
        await _wait_for(pilot, lambda: isinstance(app.screen, SamplingDialog))
        assert app.screen.query_one("#note", Input).value == "SaaS only"
        assert app.screen.query_one("#location", Input).value == "Google admin console"
        assert app.screen.query_one("#months", Select).value == "not_applicable"
        await _tab_to(pilot, app, "reason")
        await pilot.press(*"No admin consoles of our own")
        await pilot.press("ctrl+s")
        await _wait_for(pilot, lambda: app.screen is screen)
        await _wait_for(pilot, lambda: screen.rows[0].state == "not_applicable")
        assert "sampling:access_reviews" not in {a.id for a in app.session.view().plan}
        await pilot.press("t")
        await _wait_for(pilot, lambda: screen.mode == "stage1" and isinstance(screen.rows[1], PackRow))
    stored = Workspace(data).view(aid).sampling[0].entry
    assert (stored.months, stored.reason, stored.note, stored.oldest) == (
        "not_applicable", "No admin consoles of our own", "SaaS only", "2026-10-01")


@pytest.mark.asyncio
async def test_palette_offers_the_screen_in_japanese(tmp_path):
    data, aid = _data(tmp_path, "ja")
    app = IsmsApp(data, lang="ja", open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_for(pilot, lambda: isinstance(app.screen, QuestionnaireScreen))
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        title = app.tr("cmd.preaudit")
        assert title in commands and "F3" in title
        app.call_next(commands[title].callback)  # what choosing it in the palette runs
        await _wait_for(pilot, lambda: isinstance(app.screen, PreauditScreen))
        binding = next(b for _, b in app._bindings if b.id == "open_preaudit")
        assert binding.key == "f3" and binding.description == app.tr("binding.open_preaudit")
