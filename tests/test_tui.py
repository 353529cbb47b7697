"""Pilot tests that press keys like a user."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
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
from tests.conftest import ROOT
from tests.tui_helpers import make_data_dir

# A safety net so that a broken build fails instead of hanging; never a speed expectation.
CONDITION_TIMEOUT = 120


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press(ch if ch != " " else "space")


def static_text(widget: Static) -> str:
    return str(widget.render())


async def wait_until(pilot, condition, what: str = "condition") -> None:
    """Wait for a condition, however long the machine takes to get there."""
    deadline = time.monotonic() + CONDITION_TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await pilot.pause(0.01)


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def questionnaire_ready(app) -> bool:
    return isinstance(app.screen, QuestionnaireScreen) and app.screen.is_mounted


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
        await wait_until(pilot, lambda: questionnaire_ready(app2), "the questionnaire")
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
async def test_locked_assessment_is_not_opened_but_offered_read_only(tmp_path: Path):
    """Another process holds it: no second writer; a dialog offers the read-only follow view
    (tests/test_follow.py follows it), and declining leaves the home screen as it was."""
    from isms_tui.screens.dialogs import ConfirmScreen

    data, aid = make_data_dir(tmp_path)
    holder = Workspace(data).open(aid)
    try:
        app = IsmsApp(data, lang="en")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the offer to follow")
            assert "another window or process" in str(app.screen.query_one(".dialog-text", Static).render())
            assert app.session is None
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
            assert app.session is None
    finally:
        holder.close()


@pytest.mark.asyncio
async def test_filters_and_next_unanswered(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        screen = app.screen
        assert screen.item.id == "s-cloud-1"  # first unanswered
        await pilot.press("f")  # unanswered
        assert "(1 of 2)" in static_text(screen.query_one("#savebar"))  # s-cloud-1 and s-visitor-1
        await pilot.press("n")
        assert screen.item.id == "s-visitor-1"
        assert "(2 of 2)" in static_text(screen.query_one("#savebar"))
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
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")

        def boom(*a, **k):
            raise OSError(28, "No space left on device")

        import isms_tui.storage

        monkeypatch.setattr(isms_tui.storage, "atomic_write_bytes", boom)  # the disk is full
        await pilot.press("1")
        await pilot.pause()
        bar = app.screen.query_one("#savebar")
        assert "Not saved" in static_text(bar) and "No space left" in static_text(bar)
        assert "snap0001.json" in static_text(bar)  # the file is named
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


# --- start position (issue 10, break 14) ---------------------------------------------------


def _record_shown(monkeypatch) -> dict[QuestionnaireScreen, list[str]]:
    """The ids of the items each questionnaire screen shows, in order."""
    shown: dict[QuestionnaireScreen, list[str]] = {}
    original = QuestionnaireScreen._show_item

    def show(self, **kwargs):
        shown.setdefault(self, []).append(self.item.id)
        return original(self, **kwargs)

    monkeypatch.setattr(QuestionnaireScreen, "_show_item", show)
    return shown


@pytest.mark.asyncio
async def test_questionnaire_starts_at_its_position_from_the_first_paint(tmp_path: Path, monkeypatch):
    """The start position is given to the questionnaire when it is created: the first item it
    ever shows is the first unanswered one (no later jump that a busy machine can overtake)."""
    data, aid = make_data_dir(tmp_path)
    shown = _record_shown(monkeypatch)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, QuestionnaireScreen) and app.screen.item.id == "s-cloud-1"
        await wait_until(pilot, lambda: questionnaire_ready(app) and app.screen in shown, "the questionnaire")
        assert shown[app.screen][0] == "s-cloud-1"
        assert "Do you keep a list of the cloud services" in static_text(app.screen.query_one("#question"))

        # from the action plan, "g" opens the questionnaire at that action's item
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, ActionPlanScreen) and app.screen.is_mounted
                         and getattr(app.screen, "rows", None), "the plan's rows")
        target = app.screen.rows[0].source.id
        shown.clear()
        await pilot.press("g")
        await wait_until(pilot, lambda: questionnaire_ready(app) and app.screen in shown, "the questionnaire again")
        assert shown[app.screen][0] == target and app.screen.item.id == target

        # from the dashboard, a section opens the questionnaire at its first item
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen.is_mounted, "the dashboard")
        shown.clear()
        app.jump_to_section("sample", "records")
        await wait_until(pilot, lambda: questionnaire_ready(app) and app.screen in shown, "the questionnaire at a section")
        assert shown[app.screen][0] == "s-review-1"


# --- errors at every boundary (issue 10, break 6) ------------------------------------------


ENOSPC = OSError(28, "No space left on device")


@pytest.mark.asyncio
async def test_full_disk_on_open_duplicate_delete_export_and_new_is_one_line(tmp_path: Path, monkeypatch):
    from isms_tui.storage import Store

    data, aid = make_data_dir(tmp_path)

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    app = IsmsApp(data, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.query_one(DataTable).row_count == 1)
        file = str(data / "assessments" / f"{aid}.json")

        monkeypatch.setattr(Store, "open", full)
        await pilot.press("enter")  # open
        await wait_until(pilot, lambda: any("No space left" in n for n in notes(app)), "the open error")
        assert isinstance(app.screen, HomeScreen)
        assert notes(app)[-1] == f"Could not use {file}: No space left on device"
        monkeypatch.undo()

        app._notifications.clear()
        monkeypatch.setattr(Workspace, "duplicate", full)
        await pilot.press("c")  # duplicate
        await wait_until(pilot, lambda: notes(app), "the duplicate error")
        assert notes(app) == [f"Could not use {file}: No space left on device"]

        app._notifications.clear()
        monkeypatch.setattr(Workspace, "delete", full)
        await pilot.press("x")  # delete, confirmed
        await wait_until(pilot, lambda: app.screen.query("#yes"), "the confirmation")
        await pilot.click("#yes")
        await wait_until(pilot, lambda: notes(app), "the delete error")
        assert notes(app) == [f"Could not use {file}: No space left on device"]
        assert (data / "assessments" / f"{aid}.json").exists()

        app._notifications.clear()
        monkeypatch.setattr(Workspace, "create", full)
        await pilot.press("n")  # new
        await wait_until(pilot, lambda: isinstance(app.screen, NewAssessmentScreen) and app.screen.is_mounted)
        await type_text(pilot, "Full Disk KK")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: notes(app), "the create error")
        assert notes(app) == [f"Could not use {data / 'assessments'}: No space left on device"]
        await pilot.press("escape")

        app._notifications.clear()
        monkeypatch.undo()
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await pilot.press("enter")
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        import isms_tui.exports.xlsx as xlsx

        monkeypatch.setattr(xlsx, "export_assessment", full)
        await pilot.press("x")  # export
        await wait_until(pilot, lambda: notes(app), "the export error")
        assert notes(app)[0].startswith(f"Could not use {data / 'exports'}") and notes(app)[0].endswith(": No space left on device")
        assert "\n" not in notes(app)[0]


CRASH_SCRIPT = r"""
import os, sys
os.umask(0)
from isms_tui.app import IsmsApp
from isms_tui.screens.questionnaire import QuestionnaireScreen

def broken(self, **kwargs):
    secret_note = self.session.answers["s-scope-1"].note  # user data in a local variable
    raise RuntimeError("unexpected")

QuestionnaireScreen._show_item = broken
app = IsmsApp(sys.argv[1], lang="en", open_id=sys.argv[2])
app.run(headless=True, size=(100, 30))
sys.exit(app.return_code)
"""


def test_unexpected_error_prints_no_locals_and_logs_0600(tmp_path: Path):
    """Textual's crash output would print the frames' local variables (the notes): the app
    prints one short line and writes the traceback without locals to error.log, 0600."""
    data, aid = make_data_dir(tmp_path)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", CRASH_SCRIPT, str(data), aid], capture_output=True, text=True,
                       env=env, timeout=CONDITION_TIMEOUT)
    out = r.stdout + r.stderr
    assert r.returncode == 1
    assert "承認済み" not in out and "secret_note" not in out  # neither the value nor the local
    log = data / "error.log"
    assert f"stopped after an unexpected error (RuntimeError). The details are in {log}" in " ".join(out.split())
    assert "Traceback" not in out
    assert (log.stat().st_mode & 0o777) == 0o600  # under umask 000
    text = log.read_text(encoding="utf-8")
    assert "RuntimeError: unexpected" in text and "承認済み" not in text


# --- bank problems are shown, bank text is literal (issue 10, break 11) --------------------

MARKUP_BANK = textwrap.dedent('''
    id = "acme"
    kind = "custom"
    version = 1
    title.ja = "[b]アクメ[/b] [/]"
    title.en = "[b]Acme[/b] [/]"

    [[sections]]
    id = "odd"
    title.ja = "消える [/] 節"
    title.en = "Vanishing [/] section"

    [[items]]
    id = "acme-1"
    section = "odd"
    refs.controls = ["5.9"]
    weight = 1
    mandatory = false
    na_allowed = true
    question.ja = "[@click=app.quit]今すぐ終了[/] しますか。"
    question.en = "Do you [@click=app.quit]quit now[/] please?"
    why.ja = "理由"
    why.en = "Reason"
    auditor_asks.ja = "記録"
    auditor_asks.en = "Records"
    evidence.ja = ["記録"]
    evidence.en = ["Records"]
    action.ja = "対応"
    action.en = "Act"
''')


def _palette_prompts(app) -> list:
    from textual.command import CommandList

    return [o.prompt for o in app.screen.query_one(CommandList)._options]


@pytest.mark.asyncio
async def test_bank_text_is_literal_in_the_palette_and_the_new_screen(tmp_path: Path):
    from textual.command import CommandPalette
    from textual.content import Content

    data, _ = make_data_dir(tmp_path, with_assessment=False)
    (data / "banks" / "acme.toml").write_text(MARKUP_BANK, encoding="utf-8")
    ws = Workspace(data)
    assert "acme" in ws.bankset.banks
    from isms_tui.model import Assessment

    aid = ws.create(Assessment(organization="Acme KK", banks=["acme"]))
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        for query, expected in (("quit now", "Do you [@click=app.quit]quit now[/] please?"),
                                ("vanishing", "[b]Acme[/b] [/] › Vanishing [/] section")):
            await pilot.press("ctrl+p")
            await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.is_mounted)
            await type_text(pilot, query)
            await wait_until(pilot, lambda e=expected: any(e in p.plain for p in _palette_prompts(app)), f"a hit for {query!r}")
            hit = next(p for p in _palette_prompts(app) if expected in p.plain)
            assert isinstance(hit, Content)
            assert not any(getattr(span.style, "meta", None) for span in hit.spans)  # no live @click
            await pilot.press("escape")
            await wait_until(pilot, lambda: questionnaire_ready(app))
        await pilot.press("escape", "escape")  # out of the section list, then home
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NewAssessmentScreen) and app.screen.is_mounted)
        from textual.widgets import SelectionList

        prompts = [str(o.prompt) for o in app.screen.query_one(SelectionList)._options]
        assert any(p[2:] == "[b]Acme[/b] [/] (1)" and p[0] in "☑☐" for p in prompts)  # a box, then the title as typed


@pytest.mark.asyncio
async def test_bank_that_fails_to_load_is_named_on_home_and_on_open(tmp_path: Path):
    data, _ = make_data_dir(tmp_path, with_assessment=False)
    bank = data / "banks" / "acme.toml"
    bank.write_text(MARKUP_BANK, encoding="utf-8")
    from isms_tui.model import Assessment

    Workspace(data).create(Assessment(organization="Acme KK", banks=["acme", "sample"]))
    bank.write_text(MARKUP_BANK.replace('weight = 1', 'weight = "heavy"'), encoding="utf-8")
    line = MARKUP_BANK.splitlines().index('weight = 1') + 1
    app = IsmsApp(data, lang="en")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.query_one(DataTable).row_count == 1)
        detail = app.screen.query_one("#home-detail", Static)
        await wait_until(pilot, lambda: detail.display, "the detail line")
        text = static_text(detail)
        assert "question bank(s) acme that did not load" in text
        assert f"acme.toml:{line}: " in text
        await pilot.press("enter")
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        warning = next(n for n in notes(app) if "acme" in n)
        assert f"acme.toml:{line}: " in warning and "not shown or scored" in warning
        assert [i.bank_id for i in app.session.items] == ["sample"] * 5


# --- the palette never freezes (issue 10, break 12) ----------------------------------------


@pytest.mark.asyncio
async def test_palette_finds_leadership_with_every_bank_loaded(tmp_path: Path):
    """Typing "Leadership" letter by letter took ~40 s of blocked input; now the palette
    lists a capped set of hits, ids, refs and titles first, and takes the user there."""
    from textual.command import CommandPalette

    from isms_tui.model import Assessment
    from isms_tui.screens.palette import MAX_HITS

    data, _ = make_data_dir(tmp_path, with_assessment=False)
    ws = Workspace(data)
    aid = ws.create(Assessment(organization="Palette KK", banks=list(ws.bankset.banks)))
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.is_mounted)
        await type_text(pilot, "Leadership")

        def top() -> str:
            prompts = _palette_prompts(app)
            return prompts[0].plain if prompts else ""

        await wait_until(pilot, lambda: top().startswith("Clause 5.1 Leadership and commitment"), "the Leadership hit")
        assert len(_palette_prompts(app)) <= MAX_HITS
        assert any("› 5 Leadership\n" in p.plain for p in _palette_prompts(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: questionnaire_ready(app) and app.screen.item.clauses == ("5.1",), "item 5.1")
        assert "5.1  Leadership and commitment" in static_text(app.screen.query_one("#item-ref"))


# --- an over-long note (issue 10, break 13) -------------------------------------------------


@pytest.mark.asyncio
async def test_over_long_note_is_shown_shortened_read_whole_and_kept(tmp_path: Path):
    from textual import events

    from isms_tui.model import Answer
    from isms_tui.screens.longtext import LongTextScreen
    from isms_tui.text import MAX_FIELD_CHARS

    data, aid = make_data_dir(tmp_path)
    ws = Workspace(data)
    big = "".join(f"line {n:06d}: pasted log\n" for n in range(12_500))  # 300,000 characters
    assert len(big) == 300_000
    with ws.open(aid) as s:
        s.file.put_answer(Answer("s-cloud-1", note=big, evidence="ok"))  # as another tool could have stored it
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        screen = app.screen
        assert screen.item.id == "s-cloud-1"
        note = screen.query_one("#note", TextArea)
        assert note.read_only and len(note.text) < 3_000
        assert note.text.startswith("line 000000") and "all 300,000 characters are still stored" in note.text
        assert "300,000 characters in all, v shows everything" in str(screen.query_one("#lbl-note").render())
        await pilot.press("e")  # the note: opens the whole text, page by page
        await wait_until(pilot, lambda: isinstance(app.screen, LongTextScreen) and app.screen.is_mounted)
        viewer = app.screen
        assert viewer.query_one("#long-text", TextArea).text == big[:5_000]
        await pilot.press("n")
        await wait_until(pilot, lambda: viewer.query_one("#long-text", TextArea).text == big[5_000:10_000], "page 2")
        assert "characters 5,001–10,000 of 300,000 (page 2/60)" in static_text(viewer.query_one("#long-head"))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.press("n", "p")  # away and back: nothing was saved over it
        assert app.session.answers["s-cloud-1"].note == big
        assert ws.load(aid)[1]["s-cloud-1"].note == big

        await pilot.press("v")  # the explicit way to edit: shorten to the limit, confirmed
        await wait_until(pilot, lambda: isinstance(app.screen, LongTextScreen) and app.screen.is_mounted)
        await pilot.press("s")
        await wait_until(pilot, lambda: app.screen.query("#yes"), "the confirmation")
        await pilot.click("#yes")
        await wait_until(pilot, lambda: app.screen is screen and not note.read_only, "the editable note")
        assert note.text == big[:MAX_FIELD_CHARS]
        assert ws.load(aid)[1]["s-cloud-1"].note == big[:MAX_FIELD_CHARS]

        # typing (or pasting) past the limit keeps the first MAX_FIELD_CHARS and says so
        note.focus()
        note.post_message(events.Paste("more text"))
        await wait_until(pilot, lambda: any("at most 20,000 characters" in n for n in notes(app)), "the limit message")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not screen.pending and ws.load(aid)[1]["s-cloud-1"].note != big, "the save")
        assert len(ws.load(aid)[1]["s-cloud-1"].note) == MAX_FIELD_CHARS


@pytest.mark.asyncio
async def test_assessment_whose_only_bank_failed_opens_with_the_reason_and_keys_do_nothing(tmp_path: Path):
    from isms_tui.model import Assessment

    data, _ = make_data_dir(tmp_path, with_assessment=False)
    bank = data / "banks" / "acme.toml"
    bank.write_text(MARKUP_BANK, encoding="utf-8")
    aid = Workspace(data).create(Assessment(organization="Acme KK", banks=["acme"]))
    bank.unlink()
    app = IsmsApp(data, lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.query_one(DataTable).row_count == 1)
        assert [str(c) for c in app.screen.query_one(DataTable).get_row_at(0)][1:3] == ["—", "—"]  # readiness, coverage
        detail = app.screen.query_one("#home-detail", Static)
        await wait_until(pilot, lambda: detail.display, "the detail line")
        assert f"acme that were not found, so their items are not shown or scored (not in {data / 'banks'})" in static_text(detail)
        await pilot.press("enter")
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        assert any("acme" in n for n in notes(app))
        await pilot.press("1", "n", "p", "u", "f", "e", "3")  # nothing to answer: nothing happens, nothing breaks
        await pilot.click("#st-implemented")
        assert app.session.answers == {} and app.return_code is None
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), "home")
    assert Workspace(data).load(aid)[1] == {}


@pytest.mark.asyncio
async def test_quick_check_from_the_palette_walks_the_mandatory_items_then_says_what_is_next(tmp_path: Path):
    from textual.command import CommandPalette

    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        first = app.screen
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.is_mounted)
        await type_text(pilot, "quick check")
        await wait_until(pilot, lambda: any("Quick check" in p.plain for p in _palette_prompts(app)), "the command")
        await pilot.press("enter")
        await wait_until(pilot, lambda: questionnaire_ready(app) and app.screen is not first
                         and app.screen.filter == "mandatory", "the quick check")
        screen = app.screen
        # the sample's mandatory items are s-scope-1 (answered) and s-review-1 (answered): none left,
        # so it starts at the first mandatory item; clearing one and answering it ends the check
        assert screen.item.id == "s-scope-1"
        assert any("2 mandatory items (0 unanswered)" in n.message for n in app._notifications)
        await pilot.press("0")  # clear s-scope-1
        await wait_until(pilot, lambda: app.session.answers["s-scope-1"].status is None)
        await pilot.press("1")
        await wait_until(pilot, lambda: any("Every mandatory item is answered" in n.message for n in app._notifications),
                         "the end of the quick check")
        await pilot.press("n")
        await wait_until(pilot, lambda: screen.item.id == "s-review-1")  # the filter skips the others


@pytest.mark.asyncio
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_status_buttons_are_whole_after_switching_language(tmp_path: Path, size):
    from textual.widgets import Button

    from isms_tui.text import display_width

    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        for lang in ("ja", "en", "ja"):
            await pilot.press("f2")
            await wait_until(pilot, lambda lang=lang: app.lang == lang)

            def whole() -> bool:
                buttons = list(app.screen.query(".status-btn").results(Button))
                return all(b.region.width >= display_width(str(b.label)) > 2 for b in buttons)

            await wait_until(pilot, whole, f"whole status buttons in {lang}")
