"""Pilot tests of the risk screens (asset ledger, risk register, SoA), pressing keys like a user
at 80x24, in English and Japanese. Every rule is the core's; these check that the screens get
there by keyboard, keep what was typed on an error, and lose nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, SelectionList, Static

from isms_tui.app import IsmsApp
from isms_tui.model import Assessment
from isms_tui.screens.assets import AssetDialog, AssetsScreen, StarterDialog
from isms_tui.screens.questionnaire import QuestionnaireScreen
from isms_tui.screens.register import fit_columns
from isms_tui.screens.risks import CriteriaDialog, RiskDialog, RisksScreen
from isms_tui.screens.soa import SoaScreen
from isms_tui.service import Workspace
from isms_tui.text import display_width
from tests.tui_helpers import add_register, make_data_dir

SIZE = (80, 24)


def _data(tmp_path: Path) -> tuple[Path, str, str]:
    d = tmp_path / "data"
    ws = Workspace(d)
    aid = ws.create(Assessment(organization="TUI KK", target_date="2099-06-01"))
    with ws.open(aid) as s:
        a = s.add_asset(name="Customer list [bold]x[/b]", category="information", owner="Sato", confidentiality=3)
        s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T01", threat_level=3, existing_controls="8.7 8.8 8.13 6.3")
    return d, aid, a.id


async def _wait_for(pilot, cond, tries: int = 50):
    for _ in range(tries):
        if cond():
            return
        await pilot.pause()
    assert cond()


def _fits(table: DataTable) -> bool:
    """Every column is on screen (no horizontal scrolling) and wide enough for its header."""
    if not table.columns or table.virtual_size.width == 0:
        return False
    headers_whole = all(c.get_render_width(table) - 2 * table.cell_padding >= c.label.cell_len
                        for c in table.columns.values())
    return headers_whole and table.max_scroll_x == 0


def _shows(widget, text: str) -> bool:
    """``text`` is on the widget, whatever the line breaks (spaces are ignored)."""
    return "".join(text.split()) in "".join(str(widget.render()).split())


async def _open(pilot, app, key: str, screen_type) -> None:
    """From the questionnaire the assessment opens at, the register screen behind ``key``."""
    await _wait_for(pilot, lambda: isinstance(app.screen, QuestionnaireScreen))
    await pilot.press(key)
    await _wait_for(pilot, lambda: isinstance(app.screen, screen_type))


async def _tab_to(pilot, app, widget_id: str, limit: int = 30):
    for _ in range(limit):
        if app.focused is not None and app.focused.id == widget_id:
            return
        await pilot.press("tab")
    assert app.focused is not None and app.focused.id == widget_id


async def _choose(pilot, app, select_id: str, downs: int):
    await _tab_to(pilot, app, select_id)
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*(["down"] * downs), "enter")
    await pilot.pause()


@pytest.mark.asyncio
async def test_add_an_asset_from_the_starter_list_and_an_error_keeps_what_was_typed(tmp_path):
    data, aid, _ = _data(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "f6", AssetsScreen)
        assert app.screen.query_one(DataTable).row_count == 1
        await pilot.press("s")
        await _wait_for(pilot, lambda: isinstance(app.screen, StarterDialog))
        await pilot.press("down", "enter")  # the first entry (the category heading is skipped)
        await _wait_for(pilot, lambda: isinstance(app.screen, AssetDialog))
        assert app.screen.query_one("#name", Input).value  # the starter's name
        await pilot.press("ctrl+s")  # no owner yet: refused, the form comes back with what was typed
        await _wait_for(pilot, lambda: isinstance(app.screen, AssetDialog))
        assert any("owner" in n.message for n in app._notifications)
        name = app.screen.query_one("#name", Input).value
        assert name
        await _tab_to(pilot, app, "owner")
        await pilot.press(*"Sales manager")
        await pilot.press("ctrl+s")
        await _wait_for(pilot, lambda: isinstance(app.screen, AssetsScreen))
        assert app.screen.query_one(DataTable).row_count == 2
    risk = Workspace(data).store.load_risk(aid)
    added = [a for a in risk.assets.values() if a.owner == "Sales manager"]
    assert len(added) == 1 and added[0].name == name and added[0].starter.startswith("information/")


@pytest.mark.asyncio
async def test_deleting_an_asset_a_risk_uses_is_refused_on_screen(tmp_path):
    data, aid, asset_id = _data(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "f6", AssetsScreen)
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("shift+tab", "enter")  # from "No" to "Yes"
        await _wait_for(pilot, lambda: any("cannot be deleted" in n.message for n in app._notifications))
        assert isinstance(app.screen, AssetsScreen) and app.screen.query_one(DataTable).row_count == 1
    assert asset_id in Workspace(data).store.load_risk(aid).assets


@pytest.mark.asyncio
async def test_add_a_risk_by_keyboard_with_a_live_level_and_the_heat_map(tmp_path):
    data, aid, asset_id = _data(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "f5", RisksScreen)
        assert _shows(app.screen.query_one("#heat"), "Before treatment")  # wrapped in a narrow pane
        await pilot.press("n")
        await _wait_for(pilot, lambda: isinstance(app.screen, RiskDialog))
        dialog = app.screen
        assert app.focused is dialog.query_one("#asset_ids", SelectionList)
        await pilot.press("space")
        await _wait_for(pilot, lambda: dialog.query_one("#asset_ids", SelectionList).selected == [asset_id])
        await _choose(pilot, app, "threat_id", 6)  # T06 loss or theft of a device
        assert dialog.query_one("#threat_id", Select).value == "T06"
        assert dialog.query_one("#existing_controls", Input).value.startswith("8.1")  # offered from the catalog
        await _choose(pilot, app, "threat_level", 2)
        assert dialog.query_one("#threat_level", Select).value == 2
        # unanswered controls suggest vulnerability 3: 3 x table[1][2] = 3 x 3 = 9
        await _wait_for(pilot, lambda: "= 9" in str(dialog.query_one("#preview").render()))
        await _tab_to(pilot, app, "owner")
        await pilot.press(*"IT lead")
        await pilot.press("ctrl+s")
        await _wait_for(pilot, lambda: isinstance(app.screen, RisksScreen))
        assert app.screen.query_one(DataTable).row_count == 2
    risks = Workspace(data).store.load_risk(aid).risks
    new = next(r for r in risks.values() if r.owner == "IT lead")
    assert (new.threat_id, new.threat_level, new.asset_ids, new.label) == ("T06", 2, [asset_id], "R-02")


@pytest.mark.asyncio
async def test_approve_the_criteria_and_a_locked_change_needs_a_reason(tmp_path):
    data, aid, _ = _data(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "f5", RisksScreen)
        await pilot.press("c")
        await _wait_for(pilot, lambda: isinstance(app.screen, CriteriaDialog))
        await _tab_to(pilot, app, "approved_by")
        await pilot.press(*"CEO Yamada")
        await pilot.press("ctrl+s")
        await _wait_for(pilot, lambda: isinstance(app.screen, RisksScreen))
        assert app.session.criteria.approved and app.session.criteria.approved_by == "CEO Yamada"
        await pilot.press("c")  # a risk is rated: changing the cut-off without a reason is refused
        await _wait_for(pilot, lambda: isinstance(app.screen, CriteriaDialog))
        await _tab_to(pilot, app, "acceptable_max")
        await pilot.press("ctrl+a", "backspace", "2", "ctrl+s")
        await _wait_for(pilot, lambda: any("reason" in n.message for n in app._notifications))
        assert app.session.criteria.version == 1 and app.session.criteria.acceptable_max == 3


@pytest.mark.asyncio
async def test_soa_screen_filters_and_jumps_to_the_question(tmp_path):
    data, aid, _ = _data(tmp_path)
    app = IsmsApp(data, lang="ja", open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "f7", SoaScreen)
        screen = app.screen
        assert screen.query_one(DataTable).row_count == 93
        assert "除外 0" in str(screen.query_one("#soa-bar").render())
        await pilot.press("f", "f")  # excluded -> no reason (applicable, no risk uses it)
        await _wait_for(pilot, lambda: screen.filter == "untraced")
        untraced = screen.query_one(DataTable).row_count
        assert untraced == 93 - 4  # T01's controls 8.7, 8.8, 8.13 and 6.3 are traced to R-01
        await pilot.press("r")
        await _wait_for(pilot, lambda: isinstance(app.screen, RisksScreen))
        await pilot.press("o")
        await _wait_for(pilot, lambda: isinstance(app.screen, SoaScreen))
        await pilot.press("enter")
        await _wait_for(pilot, lambda: isinstance(app.screen, QuestionnaireScreen))


@pytest.mark.asyncio
async def test_risk_screens_switch_language_and_keep_user_text_literal(tmp_path):
    data, aid, _ = _data(tmp_path)
    app = IsmsApp(data, lang="ja", open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "f6", AssetsScreen)
        assert "情報資産 1 件" in str(app.screen.query_one("#asset-bar").render())
        table = app.screen.query_one(DataTable)
        assert str(table.get_row_at(0)[2]).startswith("Customer list [bo")  # user text is never markup
        await pilot.press("f2")
        await _wait_for(pilot, lambda: "1 assets" in str(app.screen.query_one("#asset-bar").render()))


@pytest.mark.asyncio
async def test_soa_decision_is_written_by_keyboard_and_an_error_keeps_what_was_typed(tmp_path):
    from isms_tui.screens.soa import SoaDialog

    data, aid, _ = _data(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "f7", SoaScreen)
        screen = app.screen
        assert screen.rows[0].ref.id == "5.1" and screen.rows[0].reasons == ()
        await pilot.press("e")  # the decision for A.5.1
        await _wait_for(pilot, lambda: isinstance(app.screen, SoaDialog))
        await _tab_to(pilot, app, "reasons")
        await pilot.press("space")  # the first reason: law or regulation
        reasons = app.screen.query_one("#reasons", SelectionList)
        await _wait_for(pilot, lambda: str(reasons.get_option_at_index(0).prompt).startswith("\u2611"))
        assert str(reasons.get_option_at_index(1).prompt).startswith("\u2610")  # not by colour alone
        await _tab_to(pilot, app, "justification")
        await pilot.press(*"Client NDAs", "ctrl+s")
        await _wait_for(pilot, lambda: app.screen is screen and "control:5.1" in app.session.soa)
        decision = app.session.soa["control:5.1"]
        assert decision.reasons == ["legal"] and decision.justification == "Client NDAs" and decision.applicable is None
        row = screen.query_one(DataTable).get_row_at(0)
        assert str(row[-1]) == "Law or regulation"
        assert screen.rows[0].reasons == ("legal",)
        await pilot.press("f", "f")  # no reason: A.5.1 has one now
        await _wait_for(pilot, lambda: screen.filter == "untraced")
        assert "5.1" not in [r.ref.id for r in screen.rows] and len(screen.rows) == 93 - 5

        await pilot.press("f", "f")  # all again, cursor on A.5.1
        await _wait_for(pilot, lambda: screen.filter == "all")
        screen.query_one(DataTable).move_cursor(row=0)
        await pilot.press("e")
        await _wait_for(pilot, lambda: isinstance(app.screen, SoaDialog))
        await pilot.press("enter")  # the applicable select is focused first
        await pilot.pause()
        await pilot.press("down", "down", "enter", "ctrl+s")  # excluded, but a reason is still chosen
        await _wait_for(pilot, lambda: any("clear the reasons" in n.message for n in app._notifications))
        await _wait_for(pilot, lambda: isinstance(app.screen, SoaDialog))
        assert app.screen.query_one("#applicable", Select).value == "no"  # what was typed is kept
        assert app.screen.query_one("#justification", Input).value == "Client NDAs"
        await pilot.press("escape")
        await _wait_for(pilot, lambda: app.screen is screen)
    stored = Workspace(data).load(aid).soa["control:5.1"]
    assert stored.applicable is None and stored.reasons == ["legal"]


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_risk_register_fits_80_columns_and_shows_the_selected_risk_in_full(tmp_path, lang):
    data, aid = make_data_dir(tmp_path)
    add_register(data, aid)
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "f5", RisksScreen)
        screen = app.screen
        table = screen.query_one(DataTable)
        await _wait_for(pilot, lambda: _fits(table))  # the State column used to be off screen in English
        detail = screen.query_one("#risk-detail", Static)
        threat = "マルウェア感染(ランサムウェアを含む)" if lang == "ja" else "Malware infection (including ransomware)"
        await _wait_for(pilot, lambda: _shows(detail, threat) and _shows(detail, "営業部長 田中"))
        assert _shows(detail, "A.8.7, A.8.8")  # planned controls as typed labels, never bare "8.7"
        await pilot.press("down", "down")  # accepted, with the full record
        await _wait_for(pilot, lambda: _shows(detail, "CEO Yamada") and _shows(detail, "2099-12-31"))
        await pilot.press("down")  # the open issue is spelled out
        issue = "受容可の範囲を超えていますが" if lang == "ja" else "has no treatment"
        await _wait_for(pilot, lambda: _shows(detail, issue))
        await pilot.press("down")  # the user's own threat, shown literally
        await _wait_for(pilot, lambda: _shows(detail, "USBメモリでの持ち出し [red]x[/red]"))
        await pilot.resize_terminal(120, 40)
        await _wait_for(pilot, lambda: _fits(table) and table.size.width > 80)
        await pilot.resize_terminal(*SIZE)
        await _wait_for(pilot, lambda: _fits(table) and table.size.width < 80)


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_asset_ledger_fits_80_columns_and_shows_the_selected_asset_in_full(tmp_path, lang):
    data, aid = make_data_dir(tmp_path)
    add_register(data, aid)
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=SIZE) as pilot:
        await _open(pilot, app, "f6", AssetsScreen)
        screen = app.screen
        table = screen.query_one(DataTable)
        await _wait_for(pilot, lambda: _fits(table))
        detail = screen.query_one("#asset-detail", Static)
        category = "情報(電子データ)" if lang == "ja" else "Information (electronic)"
        await _wait_for(pilot, lambda: _shows(detail, category) and _shows(detail, "営業部長 田中"))
        await _wait_for(pilot, lambda: _shows(detail, "R-01, R-05"))
        await pilot.press("down")  # AS-02: markup-like text stays literal
        await _wait_for(pilot, lambda: _shows(detail, "[b]NAS[/b] backup server"))


def test_fit_columns_counts_wide_characters_and_never_needs_sideways_scrolling():
    cells = {"id": ["ID", "AS-01"], "category": ["分類", "システム・ソフトウェア"], "name": ["名称", "顧客名簿(営業)"],
             "owner": ["管理責任者", "営業部長 田中"], "risks": ["リスク", "未評価"]}
    padding = 2 * len(cells) + 2
    for total in range(50, 201):
        w = fit_columns(cells, total, flex="name", flex_min=18, caps={"category": 16, "owner": 14},
                        floors={"category": 8, "owner": 6})
        assert sum(w.values()) + padding == total, total  # fills the table, no sideways scrolling
        assert all(w[k] >= display_width(v[0]) for k, v in cells.items()), total  # headers whole
        if total >= 5 + 8 + 18 + 10 + 6 + padding:  # the floors leave the name its minimum
            assert w["name"] >= 18, total
    wide = fit_columns(cells, 200, flex="name", flex_min=18, caps={"category": 16, "owner": 14},
                       floors={"category": 8, "owner": 6})
    assert wide["category"] == display_width("システム・ソフトウェア")  # shown in full when there is room
