"""Pilot tests that press keys like a user."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static, TextArea

from isms_tui.app import IsmsApp
from isms_tui.screens.dashboard import DashboardScreen
from isms_tui.screens.home import HomeScreen
from isms_tui.screens.new import NewAssessmentScreen
from isms_tui.screens.plan import ActionPlanScreen
from isms_tui.screens.questionnaire import QuestionnaireScreen
from isms_tui.service import Workspace
from tests.tui_helpers import make_data_dir


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press(ch if ch != " " else "space")


def static_text(widget: Static) -> str:
    return str(widget.render())


@pytest.mark.asyncio
async def test_create_answer_switch_language_dashboard_and_restart(tmp_path: Path):
    data, _ = make_data_dir(tmp_path, with_assessment=False)
    app = IsmsApp(data, lang="ja")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NewAssessmentScreen)
        await type_text(pilot, "Test Corp")
        # choose only the sample bank: clear the defaults, tick "sample"
        sl = app.screen.query_one("#banks")
        sl.deselect_all()
        sl.select("sample")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, QuestionnaireScreen)
        session = app.session
        assert session is not None and [i.id for i in session.items][:2] == ["s-scope-1", "s-backup-1"]

        # each status by its key
        await pilot.press("1")            # s-scope-1 implemented
        await pilot.press("n", "2")       # s-backup-1 partial
        await pilot.press("n", "4")       # s-cloud-1 N/A -> asks for a justification
        await pilot.pause()
        await type_text(pilot, "no cloud services used")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n", "3")       # s-review-1 not implemented
        await pilot.press("n", "5")       # s-visitor-1 unknown
        await pilot.press("p", "p", "p", "p")  # back to the first item
        await pilot.pause()
        await pilot.press("4")            # N/A refused on a clause item
        await pilot.pause()
        assert session.answers["s-scope-1"].status == "implemented"
        assert "該当なし" in static_text(app.screen.query_one("#savebar"))
        statuses = {k: a.status for k, a in session.answers.items()}
        assert statuses == {"s-scope-1": "implemented", "s-backup-1": "partial", "s-cloud-1": "not_applicable",
                            "s-review-1": "not_implemented", "s-visitor-1": "unknown"}
        assert session.answers["s-cloud-1"].na_justification == "no cloud services used"

        # a note with Japanese text and markup-like brackets, typed like a user
        await pilot.press("e")
        assert isinstance(app.focused, TextArea) and app.focused.id == "note"
        await type_text(pilot, "承認済み[bold]x[/x]")
        await pilot.press("escape")
        await pilot.pause(0.6)
        assert session.answers["s-scope-1"].note == "承認済み[bold]x[/x]"
        assert "保存しました" in static_text(app.screen.query_one("#savebar"))

        # back to unanswered
        await pilot.press("n", "n", "n", "n", "0")
        await pilot.pause()
        assert session.answers.get("s-visitor-1") is None or session.answers["s-visitor-1"].status is None

        # switch language live: same item, English labels
        before = app.screen.index
        await pilot.press("f2")
        await pilot.pause()
        assert app.lang == "en" and app.screen.index == before
        assert "Do you keep a log of visitors?" in static_text(app.screen.query_one("#question"))

        # dashboard numbers equal the core's
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        rep = session.view().report
        overall = static_text(app.screen.query_one("#dash-overall"))
        assert f"{rep.overall.readiness * 100:.0f}%" in overall
        assert f"{rep.overall.coverage * 100:.0f}%" in overall
        assert rep.overall.readiness == pytest.approx((3 * 1 + 3 * 0.5) / (3 + 3 + 3 + 1))
        assert "Stage 1: not ready" in static_text(app.screen.query_one("#dash-gate"))

        # action plan: edit an action in place
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ActionPlanScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == len(session.view().plan)
        await pilot.press("enter")
        await pilot.pause()
        await type_text(pilot, "Sato")
        due = app.screen.query_one("#due", Input)
        due.focus()
        await type_text(pilot, "2099-02-01")
        await pilot.click("#save")
        await pilot.pause()
        first = app.screen.rows[0].id
        assert session.edits[first].owner == "Sato" and session.edits[first].due == "2099-02-01"
        aid = session.id
        await pilot.press("ctrl+q")

    # start again on the same data folder: everything is there
    ws = Workspace(data)
    assessment, answers, edits = ws.load(aid)
    assert assessment.organization == "Test Corp"
    assert answers["s-scope-1"].note == "承認済み[bold]x[/x]"
    assert answers["s-backup-1"].status == "partial"
    assert edits[first].owner == "Sato"
    app2 = IsmsApp(data, lang="en", open_id=aid)
    async with app2.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app2.screen, QuestionnaireScreen)
        # opened at the first unanswered item (s-visitor-1 was cleared)
        assert app2.screen.item.id == "s-visitor-1"
        await pilot.press("p", "p", "p", "p")
        await pilot.pause()
        note = app2.screen.query_one("#note", TextArea)
        assert note.text == "承認済み[bold]x[/x]"


@pytest.mark.asyncio
async def test_home_lists_opens_duplicates_and_deletes_to_trash(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        assert row[0] == "Sample KK [bold]株式会社[/x]"  # user text is never markup
        await pilot.press("c")
        await pilot.pause()
        assert table.row_count == 2
        await pilot.press("x")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert app.screen.query_one(DataTable).row_count == 1
        assert len(list((data / "trash").iterdir())) == 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuestionnaireScreen)


@pytest.mark.asyncio
async def test_demo_from_empty_home(tmp_path: Path):
    data, _ = make_data_dir(tmp_path, with_assessment=False)
    app = IsmsApp(data, lang="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#empty").display
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, QuestionnaireScreen)
        rep = app.session.view().report
        assert 0 < rep.overall.coverage < 1 and 0 < rep.overall.readiness < 1


@pytest.mark.asyncio
async def test_locked_assessment_is_refused_with_a_message(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    holder = Workspace(data).open(aid)
    try:
        app = IsmsApp(data, lang="en")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            assert any("another isms-tui" in n.message for n in app._notifications)
    finally:
        holder.close()


@pytest.mark.asyncio
async def test_filters_and_next_unanswered(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.item.id == "s-cloud-1"  # first unanswered
        await pilot.press("f")  # unanswered
        await pilot.press("n")
        assert screen.item.id == "s-visitor-1"
        await pilot.press("f", "f")  # mandatory
        await pilot.press("p")
        assert screen.item.id == "s-review-1"
        await pilot.press("f")  # new in 2022
        screen.goto_index(0)
        await pilot.press("n")
        assert screen.item.id == "s-cloud-1"


@pytest.mark.asyncio
async def test_save_error_is_shown_not_swallowed(tmp_path: Path, monkeypatch):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()

        def boom(*a, **k):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(app.session.file, "put_answer", boom)
        await pilot.press("1")
        await pilot.pause()
        bar = app.screen.query_one("#savebar")
        assert "Not saved" in static_text(bar) and "No space left" in static_text(bar)
        assert bar.has_class("-error")


def test_guidance_markdown_rendering_is_safe():
    from isms_tui.screens.guidance import render

    text = render("### 見出し\n\n- 一覧を見せてください。\n- item two\n\n[site](https://example.com) "
                  "[link](javascript:alert(1)) <script>x</script> \x1b[2J").plain
    assert "見出し\n・一覧を見せてください。\n- item two" in text
    assert "<script>x</script>" in text  # raw HTML is shown as text, not interpreted
    assert "site <https://example.com>" in text  # the address is shown, nothing is opened
    assert "[link](javascript:alert(1))" in text  # unsafe schemes are not even links
    assert "\x1b" not in text
