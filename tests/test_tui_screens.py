"""Pilot tests for the screens' contract with the app and for issue 13's layout breaks."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.widgets import Static

from isms_tui.app import IsmsApp
from isms_tui.screens.base import IsmsBase
from isms_tui.screens.dialogs import PromptScreen
from isms_tui.screens.questionnaire import QuestionnaireScreen
from tests.tui_helpers import make_data_dir

CONDITION_TIMEOUT = 120  # a safety net against hangs, never a speed expectation

COND_JA = "クラウドを一切使っていない場合は該当しません。"
COND_EN = "Does not apply when no cloud service is used at all."


async def wait_until(pilot, condition, what: str = "condition") -> None:
    deadline = time.monotonic() + CONDITION_TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await pilot.pause(0.01)


def with_na_condition(data: Path) -> None:
    """Give s-backup-1 of the sample bank an N/A condition."""
    bank = data / "banks" / "sample_bank.toml"
    text = bank.read_text(encoding="utf-8")
    anchor = 'id = "s-backup-1"\n'
    head, tail = text.split(anchor)
    tail = tail.replace("na_allowed = true\n", f'na_allowed = true\nna_condition.ja = "{COND_JA}"\nna_condition.en = "{COND_EN}"\n', 1)
    bank.write_text(head + anchor + tail, encoding="utf-8")


def questionnaire(app) -> QuestionnaireScreen | None:
    return app.screen if isinstance(app.screen, QuestionnaireScreen) and app.screen.is_mounted else None


@pytest.mark.asyncio
async def test_na_condition_shown_by_the_status_buttons_and_in_the_na_prompt(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    with_na_condition(data)
    app = IsmsApp(data, lang="ja", open_id=aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        screen = questionnaire(app)
        screen.goto_index(0)  # s-scope-1: N/A not allowed, no condition
        await pilot.pause()
        assert not screen.query_one("#na-condition", Static).display
        screen.goto_index(1)  # s-backup-1: the condition
        await pilot.pause()
        cond = screen.query_one("#na-condition", Static)
        assert cond.display and COND_JA in str(cond.render())
        await pilot.press("f2")  # English
        await wait_until(pilot, lambda: COND_EN in str(cond.render()), "the English condition")
        await pilot.press("4")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), "the N/A prompt")
        assert COND_EN in str(app.screen.query_one(".dialog-text", Static).render())


@pytest.mark.asyncio
async def test_every_screen_is_a_declared_isms_screen_and_requests_reach_the_app(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("d")  # posts ShowDashboard
        await wait_until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen", "the dashboard")
        await pilot.press("a")  # posts ShowPlan
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ActionPlanScreen", "the plan")
        assert all(isinstance(s, IsmsBase) for s in app.screen_stack[1:])
        assert app.get_screen("home") is app.screen_stack[1]


def inside_screen(app, widget) -> bool:
    r = widget.region
    return r.height > 0 and r.y >= 0 and r.bottom <= app.size.height and r.right <= app.size.width


@pytest.mark.asyncio
async def test_action_edit_dialog_fits_80x24_and_saves_with_ctrl_s_cancels_with_escape(tmp_path: Path):
    from textual.widgets import Button, TextArea

    from isms_tui.screens.plan import ActionPlanScreen, EditActionScreen

    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="ja", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and app.screen.rows, "the plan")
        plan = app.screen
        act = plan._current()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, EditActionScreen), "the edit dialog")
        await pilot.pause()
        dialog = app.screen
        assert inside_screen(app, dialog.query_one("#save", Button))
        assert inside_screen(app, dialog.query_one("#cancel", Button))
        # escape cancels: nothing changes
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is plan, "the plan again")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, EditActionScreen), "the edit dialog")
        await pilot.pause()
        area = app.screen.query_one("#progress", TextArea)
        area.focus()
        await pilot.pause()
        app.screen.query_one(".form-body").scroll_end(animate=False)
        await pilot.pause()
        assert inside_screen(app, area)  # the last field can be scrolled to
        area.load_text("")
        for ch in "abc":
            await pilot.press(ch)
        await pilot.press("ctrl+s")  # saves from inside the text area
        await wait_until(pilot, lambda: app.screen is plan, "the plan after saving")
        saved = next(a for a in app.session.view().plan if a.id == act.id)
        assert saved.progress == "abc"


@pytest.mark.asyncio
async def test_prompt_takes_ctrl_s_and_escape(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        screen = questionnaire(app)
        screen.goto_index(1)  # s-backup-1 allows N/A
        await pilot.pause()
        await pilot.press("4")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), "the N/A prompt")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "back in the questionnaire")
        assert app.session.answers["s-backup-1"].status == "partial"
        await pilot.press("4")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), "the N/A prompt")
        reason = "All backups are kept by the parent company under its own ISMS"
        for ch in reason:
            await pilot.press(ch if ch != " " else "space")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, "back in the questionnaire")
        answer = app.session.answers["s-backup-1"]
        assert answer.status == "not_applicable" and answer.na_justification == reason


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_status_buttons_always_whole_with_and_without_the_section_list(tmp_path: Path, lang, size):
    from textual.widgets import Button

    from isms_tui.text import display_width

    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        screen = questionnaire(app)
        for _ in range(2):  # as opened, then with the section list toggled
            await pilot.pause()
            buttons = list(screen.query(".status-btn").results(Button))
            assert len(buttons) == 6
            for b in buttons:
                r = b.region
                label = str(b.label)
                assert r.width >= display_width(label), (label, r)
                assert r.x >= 0 and r.right <= size[0] and r.height >= 1, (label, r)
                assert r.bottom <= size[1]
            await pilot.press("s")
            if screen.query_one("#sections").display:
                await pilot.press("tab")  # leave the section list for the next round's keys


def cell_texts(table, key: str) -> list[str]:
    return [str(table.get_cell(row, key)) for row in table.rows]


@pytest.mark.asyncio
@pytest.mark.parametrize(("lang", "size"), [("ja", (80, 24)), ("en", (200, 50)), ("ja", (200, 50))])
async def test_plan_columns_in_cells_detail_pane_and_widths_kept_after_an_edit(tmp_path: Path, lang, size):
    from textual.widgets import DataTable, TextArea

    from isms_tui.screens.plan import ActionPlanScreen, EditActionScreen
    from isms_tui.text import display_width

    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and app.screen.rows, "the plan")
        plan = app.screen
        table = plan.query_one(DataTable)
        await pilot.pause()

        def widths():
            return {k.value: c.width for k, c in table.columns.items()}

        before = widths()
        # every status is whole (East Asian width counted in cells, not characters)
        for text in cell_texts(table, "status"):
            assert "…" not in text and display_width(text) <= before["status"], text
        assert before["action"] >= 12
        # the selected action in full, with its typed reference
        act = plan._current()
        detail = str(plan.query_one("#plan-detail").render())
        assert act.title(lang).splitlines()[0] in detail
        assert act.refs[0].full(lang) in detail
        # edit it (a Japanese owner) and save: the columns keep their widths
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, EditActionScreen), "the edit dialog")
        await pilot.pause()
        app.screen.query_one("#owner").value = "総務部 山田"
        app.screen.query_one("#progress", TextArea).focus()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is plan, "the plan after saving")
        await pilot.pause()
        after = widths()
        assert after["status"] == before["status"] and after["action"] >= 12, (before, after)
        assert all(t for t in cell_texts(table, "status"))  # no row loses its status cell
        assert "総務部 山田" in cell_texts(table, "owner")
        # the same widths as the plan opened afresh
        await pilot.press("escape")
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and app.screen.rows, "the plan")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert widths() == after


@pytest.mark.asyncio
async def test_space_to_done_under_the_open_filter_says_the_row_is_hidden(tmp_path: Path):
    from isms_tui.screens.plan import ActionPlanScreen

    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and app.screen.rows, "the plan")
        plan = app.screen
        first = plan._current().id
        for _ in range(5):
            if plan._current().id != first or not plan.rows:
                break
            await pilot.press("space")
            await pilot.pause()
        assert all(a.id != first for a in plan.rows)
        assert any("hidden" in str(n.message) for n in app._notifications)


@pytest.mark.asyncio
async def test_japanese_ui_has_no_textual_english_in_palette_footer_and_select(tmp_path: Path):
    from textual.command import CommandInput, CommandPalette
    from textual.widgets import Select

    from isms_tui.screens.new import NewAssessmentScreen

    data, _ = make_data_dir(tmp_path, with_assessment=False)
    app = IsmsApp(data, lang="ja")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        palette_binding = next(b for _, b in app._bindings if b.action == "command_palette")
        assert palette_binding.description == "パレット"
        commands = [c.title for c in app.get_system_commands(app.screen)]
        for english in ("Theme", "Quit", "Keys", "Screenshot"):
            assert english not in commands
        assert "終了" in commands and "テーマ" in commands
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        assert app.screen.query_one(CommandInput).placeholder == "操作・節・質問を検索…"
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, CommandPalette), "the palette closed")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewAssessmentScreen), "the new form")
        await pilot.pause()
        overlay = app.screen.query_one("SelectOverlay")
        descriptions = [b.description for _, b in overlay._bindings]
        assert "Dismiss menu" not in descriptions and "一覧を閉じる" in descriptions
        app.screen.query_one(Select).focus()
        await pilot.press("f2")  # English: the overlay's binding follows
        await wait_until(pilot, lambda: "Close list" in [b.description for _, b in overlay._bindings], "English")


@pytest.mark.asyncio
async def test_new_form_labels_its_selects_and_marks_banks_with_boxes(tmp_path: Path):
    from textual.widgets import Label, SelectionList

    from isms_tui.screens.new import NewAssessmentScreen

    data, _ = make_data_dir(tmp_path, with_assessment=False)
    app = IsmsApp(data, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewAssessmentScreen), "the new form")
        await pilot.pause()
        screen = app.screen
        assert [str(screen.query_one(f"#l-{k}", Label).render()) for k in ("kind", "edition", "lang")] == ["Kind", "Edition", "Language"]
        sl = screen.query_one("#banks", SelectionList)
        index = next(n for n in range(sl.option_count) if sl.get_option_at_index(n).value == "sample")
        before = str(sl.get_option_at_index(index).prompt)
        sl.toggle("sample")
        await pilot.pause()
        after = str(sl.get_option_at_index(index).prompt)
        assert {before[0], after[0]} == {"☑", "☐"}
        assert (after[0] == "☑") == ("sample" in sl.selected)


@pytest.mark.asyncio
async def test_recurring_item_implemented_without_a_date_warns(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        screen = questionnaire(app)
        app.session.set_status("s-review-1", None)
        app.session.set_fields("s-review-1", last_done=None)
        screen.goto_index(next(n for n, i in enumerate(app.session.items) if i.id == "s-review-1"))
        await pilot.pause()
        await pilot.press("1")
        await wait_until(pilot, lambda: any("overdue" in str(n.message) for n in app._notifications), "the warning")


@pytest.mark.asyncio
async def test_palette_hits_name_their_bank(tmp_path: Path):
    from textual.command import CommandList, CommandPalette

    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.is_mounted, "the palette")
        for ch in "backup":
            await pilot.press(ch)

        def prompts() -> list[str]:
            return [o.prompt.plain for o in app.screen.query_one(CommandList)._options]

        await wait_until(pilot, lambda: any("restore" in p.lower() for p in prompts()), "the backup hit")
        hit = next(p for p in prompts() if "restore" in p.lower())
        assert "(Sample bank for tests)" in hit


@pytest.mark.asyncio
async def test_question_lines_follow_japanese_line_breaking_at_80x24(tmp_path: Path):
    from isms_tui.text import NO_LINE_START

    data, aid = make_data_dir(tmp_path)
    bank = data / "banks" / "sample_bank.toml"
    # cut by characters at 78 cells, the second line would start with 、
    long_q = "取引先から届いたセキュリティチェックシートの要求事項を、セキュリティ方針や目的、適用範囲の見直しに毎年反映し、その記録(実施日・実施者)を残していますか。"
    text = bank.read_text(encoding="utf-8").replace(
        'question.ja = "バックアップからの復元を試したことがありますか。"', f'question.ja = "{long_q}"')
    bank.write_text(text, encoding="utf-8")
    app = IsmsApp(data, lang="ja", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        screen = questionnaire(app)
        screen.goto_index(1)
        await pilot.pause()
        widget = screen.query_one("#question", Static)
        lines = [strip.text.strip() for strip in widget.render_lines(widget.region.reset_offset)]
        lines = [ln for ln in lines if ln]
        assert len(lines) >= 2 and "".join(lines) == long_q
        assert all(ln[0] not in NO_LINE_START for ln in lines[1:]), lines


@pytest.mark.asyncio
@pytest.mark.parametrize(("lang", "size"), [("ja", (80, 24)), ("en", (80, 24)), ("ja", (120, 40)), ("en", (200, 50))])
async def test_a_late_due_date_is_never_cut(tmp_path: Path, lang, size):
    """The tmux sweep saw "2026-11-20 (期限…" at every size: the overdue mark is shown whole
    where there is room, else the date alone (the row is red either way)."""
    from textual.widgets import DataTable

    from isms_tui.i18n import t
    from isms_tui.screens.plan import ActionPlanScreen
    from isms_tui.service import Workspace

    data, aid = make_data_dir(tmp_path)
    with Workspace(data).open(aid) as s:
        s.edit_action("question:s-backup-1", due="2020-01-31")
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and app.screen.rows, "the plan")
        texts = cell_texts(app.screen.query_one(DataTable), "due")
        late = next(x for x in texts if x.startswith("2020-01-31"))
        assert "…" not in late
        if size[0] >= 120:
            assert late == "2020-01-31 " + t("plan.late", lang)


@pytest.mark.asyncio
@pytest.mark.parametrize(("lang", "size"), [("ja", (120, 40)), ("en", (120, 40)), ("ja", (80, 24)), ("en", (80, 24))])
async def test_dashboard_names_contradictions_by_reference_and_section(tmp_path: Path, lang, size):
    from isms_tui.model import Answer, Assessment
    from isms_tui.report import contradiction_line
    from isms_tui.screens.dashboard import DashboardScreen
    from isms_tui.service import Workspace

    data, _ = make_data_dir(tmp_path, with_assessment=False)
    ws = Workspace(data)
    aid = ws.create(Assessment(organization="View KK", banks=["process-acquisition", "clauses-2022"], lang=lang),
                    [Answer("cl-4.3-1", "implemented"), Answer("acq-scope-1", "not_implemented")])
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.is_mounted, "the dashboard")
        await pilot.pause()
        card = app.screen.query_one("#dash-gate", Static)
        gate = str(card.render())
        view = app.session.view()
        line = contradiction_line(view, view.contradictions[0], lang, short=True)
        # the whole line, wrapped within the card (only the count on a short screen), and the
        # card tall enough to show every line
        assert ("".join(("- " + line).split()) in "".join(gate.split())) == (size[1] >= 30), gate
        assert "".join(app.screen.tr("dash.contradictions", n=1).split()) in "".join(gate.split())
        assert card.content_region.height >= len(gate.splitlines())
        assert app.screen.query_one("#dash-top").region.height >= len(gate.splitlines()) + 2
        assert "cl-4.3-1" not in gate and "acq-scope-1" not in gate and "≠" not in gate


@pytest.mark.asyncio
@pytest.mark.parametrize(("lang", "size"), [("ja", (80, 24)), ("ja", (120, 40)), ("en", (80, 24))])
async def test_help_lines_follow_japanese_line_breaking(tmp_path: Path, lang, size):
    """The tmux sweep saw the F1 help (Textual's Markdown) start lines with 。 and leave
    "ctrl+p:" alone on its line at 80 columns: it is broken by phrase, as the guidance is."""
    from isms_tui.screens.help import HelpScreen
    from isms_tui.text import NO_LINE_START

    data, _ = make_data_dir(tmp_path)
    app = IsmsApp(data, lang=lang)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.is_mounted, "the help")
        await pilot.pause()
        widget = app.screen.query_one("#help-text", Static)
        lines = [strip.text.rstrip() for strip in widget.render_lines(widget.region.reset_offset)]
        text_lines = [ln.rstrip() for ln in widget.render().plain.split("\n")]
        assert lines[:len(text_lines)] == text_lines  # broken by us, never again by the terminal
        starts = [ln.strip().removeprefix("・").removeprefix("- ")[:1] for ln in lines if ln.strip()]
        assert not NO_LINE_START.intersection(starts), lines
        ctrl_p = next(ln for ln in lines if ln.startswith("- ctrl+p:"))
        assert len(ctrl_p) > len("- ctrl+p: "), lines


FOOTER_SCREENS = {  # keys pressed from the home screen, as in test_snapshots
    "home": [], "questionnaire": ["enter"], "dashboard": ["enter", "d"], "plan": ["enter", "a"],
    "assets": ["enter", "f6"], "risks": ["enter", "f5"], "soa": ["enter", "f7"],
}


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_footer_shows_whole_keys_that_fit_main_keys_first(tmp_path: Path, lang, size):
    """The tmux sweep saw the 80-column footer cut "f1 Hel", "x Exc" and the palette key
    through a Japanese character: every key shown is whole and inside the screen, the
    screen's own first keys are kept (the questionnaire's d/a/x first), and at 200 columns
    nothing is dropped."""
    from textual.widgets import Footer
    from textual.widgets._footer import FooterKey

    from tests.tui_helpers import add_register

    data, aid = make_data_dir(tmp_path)
    add_register(data, aid)
    app = IsmsApp(data, lang=lang)
    async with app.run_test(size=size) as pilot:
        home = None
        for name, keys in FOOTER_SCREENS.items():
            await wait_until(pilot, lambda: app.screen.query(Footer), "a screen with a footer")
            home = home or app.screen
            for k in keys:
                await pilot.press(k)
                await pilot.pause()
            # the footer recomposes (new keys, not laid out yet) whenever the screen's bindings
            # change: wait until it shows the current bindings with every key in its place, then
            # read it without yielding to the app in between
            def settled() -> bool:
                shown = app.screen.query(FooterKey)
                if not shown or not all(k.region.width > 0 for k in shown):
                    return False
                current = {b.action for _n, b, _e, _t in app.screen.active_bindings.values() if b.show}
                return {k.action for k in shown if not k.has_class("-command-palette")} <= current

            await wait_until(pilot, settled, f"{name}: footer laid out")
            footer = app.screen.query_one(Footer)
            shown = list(footer.query(FooterKey))
            regions = sorted((k.region for k in shown), key=lambda r: r.x)
            assert all(r.right <= size[0] and r.width > 0 for r in regions), (name, regions)
            assert all(a.right <= b.x for a, b in zip(regions, regions[1:], strict=False)), (name, regions)
            keys = [k.key for k in shown if not k.has_class("-command-palette")]
            actions = [k.action for k in shown if not k.has_class("-command-palette")]
            own = list(dict.fromkeys(b.action for _n, b, _e, _t in app.screen.active_bindings.values()
                                     if b.show and b.id != "command_palette"))
            assert actions[:2] == own[:2], (name, actions)
            if name == "questionnaire":
                assert keys[:3] == ["d", "a", "x"]
            if size[0] >= 200:
                assert actions == own and {"f1", "f2", "ctrl+q"} <= set(keys), (name, actions, own)
            while app.screen is not home:
                await pilot.press("escape")
                await pilot.pause()


@pytest.mark.asyncio
@pytest.mark.parametrize(("lang", "text"), [("ja", "該当するものはありません"), ("en", "No matches found")])
async def test_palette_says_no_matches_in_the_ui_language(tmp_path: Path, lang, text):
    from textual.command import CommandList, CommandPalette

    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"zqxjv")
        commands = app.screen.query_one(CommandList)

        def no_matches():
            return commands.option_count and commands.get_option_at_index(0).id == "--no-matches"

        await wait_until(pilot, no_matches, "the no-matches line")
        prompt = commands.get_option_at_index(0).prompt
        assert text in str(getattr(prompt, "renderable", prompt))


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_plan_action_column_takes_the_room_at_80_columns(tmp_path: Path, lang):
    """The tmux sweep saw every row of the demo's plan read "Have the ISMS s…" at 80 columns:
    below 100 columns the reference column gives its room to the action (the detail pane
    names the reference in full)."""
    from textual.widgets import DataTable

    from isms_tui.demo import create_demo
    from isms_tui.screens.plan import ActionPlanScreen
    from isms_tui.service import Workspace

    data, _ = make_data_dir(tmp_path, with_assessment=False)
    aid = create_demo(Workspace(data), lang)
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and app.screen.rows, "the plan")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        widths = {k.value: c.width for k, c in table.columns.items()}
        assert "refs" not in widths and widths["action"] >= 30, widths
        assert sum(widths.values()) + 2 * len(widths) + 2 <= 80, widths  # nothing scrolls sideways
        act = app.screen._current()
        assert act.refs[0].full(lang) in str(app.screen.query_one("#plan-detail").render())
        await pilot.resize_terminal(120, 40)
        await wait_until(pilot, lambda: "refs" in {k.value for k in table.columns}, "the refs column at 120")


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_home_and_soa_text_columns_take_the_room_at_200x50(tmp_path: Path, lang):
    """The tmux sweep saw home and the SoA leave the right half empty at 200 columns while
    cutting an organization's name at 30 cells and control titles and statuses ("Not
    impleme…"): their text columns take the room."""
    from textual.widgets import DataTable

    from isms_tui.model import Assessment
    from isms_tui.screens.soa import SoaScreen
    from isms_tui.service import Workspace
    from isms_tui.text import display_width

    data, _ = make_data_dir(tmp_path, with_assessment=False)
    org = "Sakura Design and Engineering Holdings Co., Ltd. (Tokyo head office)"
    Workspace(data).create(Assessment(organization=org, banks=["annex-a-2022"], lang=lang))
    app = IsmsApp(data, lang=lang)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_until(pilot, lambda: app.screen.query(DataTable) and app.screen.query_one(DataTable).row_count, "home")
        table = app.screen.query_one(DataTable)
        assert str(table.get_row_at(0)[0]) == org  # whole (at 80 columns it is cut at 30 cells)
        await pilot.press("enter")
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("f7")
        await wait_until(pilot, lambda: isinstance(app.screen, SoaScreen) and app.screen.rows, "the SoA")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        widths = {k.value: c.width for k, c in table.columns.items()}
        assert sum(widths.values()) + 2 * len(widths) + 2 >= 195, widths  # the table spans the screen
        titles = [str(t) for t in table.get_column("title")]
        assert not any(t.endswith("…") for t in titles), [t for t in titles if t.endswith("…")]
        assert max(map(display_width, titles)) <= widths["title"]
        assert not any(str(s).endswith("…") for s in table.get_column("status"))
        await pilot.resize_terminal(120, 40)  # the title took 41 cells at 120 columns, half the room
        await wait_until(pilot, lambda: table.columns and {k.value: c.width for k, c in table.columns.items()}["title"] >= 60,
                         "the title column at 120 columns")


@pytest.mark.asyncio
@pytest.mark.parametrize("lang", ["ja", "en"])
async def test_dashboard_gate_card_of_the_demo_is_never_clipped_at_80x24(tmp_path: Path, lang):
    """The demo has contradictions and answers that lag behind the register: at 80x24 the
    gate card shows their counts, and its last line and bottom border stay on screen."""
    from isms_tui.demo import create_demo
    from isms_tui.screens.dashboard import DashboardScreen
    from isms_tui.service import Workspace

    data, _ = make_data_dir(tmp_path, with_assessment=False)
    aid = create_demo(Workspace(data), lang)
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.is_mounted, "the dashboard")
        await pilot.pause()
        view = app.session.view()
        assert view.register_disagreements  # the case this test is about
        gate = str(app.screen.query_one("#dash-gate", Static).render())
        assert app.screen.query_one("#dash-top").region.height >= len(gate.splitlines()) + 2, gate


@pytest.mark.asyncio
async def test_also_asked_names_where_the_other_question_is_never_its_id(tmp_path: Path):
    from isms_tui.model import Assessment
    from isms_tui.service import Workspace

    data, _ = make_data_dir(tmp_path, with_assessment=False)
    ws = Workspace(data)
    aid = ws.create(Assessment(organization="Links KK", edition="2022"))
    view = ws.view(aid)
    item_id, others = next((k, v) for k, v in view.links.items() if v)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: questionnaire(app) is not None, "the questionnaire")
        app.jump_to_item(item_id)
        widget = app.screen.query_one("#also-asked", Static)
        await wait_until(pilot, lambda: app.screen.item.id == item_id and widget.display, "the linked item")
        text = str(widget.render())
        assert view.asked_in(view.item_ids[others[0]], "en") in text
        assert not any(o in text for o in others)
