"""The minutes of a workshop session: Markdown, the Excel sheet (in the main workbook and on
its own), the `isms-tui minutes` command, the demo's past session, and the end-of-session
summary screen driven like a user (export, settle parked items)."""

from __future__ import annotations

import os
import stat
import time
from datetime import datetime
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from isms_tui.demo import create_demo
from isms_tui.exports.minutes import md_escape, minutes_markdown, minutes_workbook, resolve_session
from isms_tui.exports.xlsx import export_assessment
from isms_tui.model import Assessment, UserError
from isms_tui.service import Workspace
from isms_tui.workshop import CONSENSUS
from tests.conftest import run_cli
from tests.test_tui import wait_until
from tests.tui_helpers import SESSION_ID, make_data_dir

HOSTILE = "| =cmd\n# x"


@pytest.fixture
def utc():
    """Times in the minutes are local: fix the zone for the assertions."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture
def session_ws(tmp_path: Path) -> tuple[Workspace, str]:
    data, aid = make_data_dir(tmp_path / "w", workshop=True)
    assert aid is not None
    return Workspace(data), aid


def _rows(md: str) -> list[str]:
    return [line for line in md.splitlines() if line.startswith("| ")]


def test_markdown_minutes_say_what_changed_who_decided_and_what_is_parked(session_ws, utc):
    ws, aid = session_ws
    view = ws.view(aid)
    md = minutes_markdown(view, SESSION_ID, "en")
    assert md.startswith("# Workshop minutes: 第1回 ギャップ分析 \\[b\\]x\\[/b\\]\n")
    assert "- **Time**: 01:00–03:00 (120 min)" in md and "- **Date**: 2026-05-01" in md
    rows = _rows(md)
    assert "| 田中 | 情報システム |" in rows
    assert "| Sample bank for tests › Basics | 2 / 3 | 45 min |" in rows
    assert "| Clause 4.3 | Determining the scope of the information security management system | Implemented | 田中 (情報システム) |" in rows
    assert "| A.8.13 | Information backup | Implemented → Partial | Consensus |" in rows  # before -> after, who decided
    assert ("| A.5.23 | Information security for use of cloud services | クラウドの契約書を探す \\| =cmd / \\# x |   |   "
            "| Open (needs an owner and a date) |") in rows
    assert any("Visitor log" in r and "| Suzuki | 2099-05-15 | Open |" in r for r in rows)
    assert any("Which region" in r and "Resolved: Tokyo region (contract p.3)" in r for r in rows)
    # the gap this session found (backup: implemented -> partial) is a plan action with owner and date
    assert any(r.startswith("| A.8.13 |") and "| IT 佐藤 | 2099-03-31 | 2 Medium |" in r for r in rows)
    assert "## Contradictions found (0)\n\nNone" in md
    ja = minutes_markdown(view, SESSION_ID, "ja")
    assert ja.startswith("# 議事録:") and "| 実施済み → 一部実施 | 合意 |" in ja and "01:00〜03:00(120分)" in ja


def test_markdown_keeps_hostile_text_literal(session_ws):
    ws, aid = session_ws
    with ws.open(aid) as s:
        s.update_parked("e0000302", note=HOSTILE + " *b* [l](http://x) <i>&amp;")
        s.update_participant("e0000101", name="Evil | name\n# h")
    md = minutes_markdown(ws.view(aid), SESSION_ID, "en")
    assert "# x" not in md.replace("\\# x", "")  # never a heading of its own
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    headings = [tokens[n + 1].content for n, tok in enumerate(tokens) if tok.type == "heading_open"]
    assert len(headings) == 1 + 7  # the title and the seven sections, nothing from the user
    assert not any(tok.type in ("html_inline", "html_block", "link_open", "em_open") for tok in tokens
                   if tok.type != "inline") and not any(c.type in ("html_inline", "link_open", "em_open")
                                                         for tok in tokens if tok.children for c in tok.children)
    cells = [tokens[n + 1].content for n, tok in enumerate(tokens) if tok.type in ("td_open", "th_open")]
    assert any(c == "| =cmd / # x *b* [l](http://x) <i>&amp;" for c in [_unescape(x) for x in cells])
    assert any(_unescape(c) == "Evil | name # h" for c in cells)  # a name is one line
    # every row of a table has as many cells as its header
    html = MarkdownIt("commonmark").enable("table").render(md)
    for table in html.split("<table>")[1:]:
        body = table.split("</table>")[0]
        counts = {row.count("<td>") for row in body.split("<tr>")[1:] if "<td>" in row}
        head = body.split("</thead>")[0].count("<th>")
        assert counts == {head}
    assert md_escape("a\x1b[31m\x07b") == "a\\[31mb"  # control characters stripped


def _unescape(cell: str) -> str:
    import re

    return re.sub(r"\\(.)", r"\1", cell)


def test_contradictions_name_typed_references_not_item_ids(tmp_path):
    ws = Workspace(tmp_path / "data")
    aid = ws.create(Assessment(organization="Link KK", edition="2022"))
    view = ws.view(aid)
    a_id, others = next((k, v) for k, v in view.links.items() if v)
    with ws.open(aid) as s:
        w = s.start_workshop(agenda=[])
        s.set_speaker(CONSENSUS)
        s.set_status(a_id, "implemented")
        s.set_status(others[0], "not_implemented")
        view = s.view()
    md = minutes_markdown(view, w.id, "en")
    section = md.split("## Contradictions found (1)")[1]
    a, b = view.item_ids[a_id], view.item_ids[others[0]]
    assert a.ref_label("en") in section and b.ref_label("en") in section
    assert a_id not in md and others[0] not in md


def test_no_session_and_unknown_session_are_one_line_errors(workspace, sample_id, session_ws):
    with pytest.raises(UserError) as exc:
        resolve_session(workspace.view(sample_id))
    assert exc.value.message("en") == "This assessment has no workshop session yet."
    ws, aid = session_ws
    with pytest.raises(UserError, match="No such session: nope"):
        resolve_session(ws.view(aid), "nope")
    assert resolve_session(ws.view(aid)) == SESSION_ID


def _sheet_values(ws_) -> list[list]:
    return [[c.value for c in row] for row in ws_.iter_rows()]


def test_minutes_sheet_reads_back(session_ws, tmp_path, utc):
    ws, aid = session_ws
    path = tmp_path / "m.xlsx"
    path.write_bytes(minutes_workbook(ws.view(aid), SESSION_ID, "en"))
    wb = load_workbook(path)
    assert wb.sheetnames == ["Workshop minutes"]
    sh = wb["Workshop minutes"]
    rows = _sheet_values(sh)
    assert rows[0][0] == "Workshop minutes: 第1回 ギャップ分析 [b]x[/b]"
    facts = {r[0]: r[1] for r in rows[2:7]}
    assert facts["Time"] == "01:00–03:00 (120 min)" and facts["Session id"] == SESSION_ID
    changed = next(r for r in rows if r[0] == "A.8.13" and r[2] and "→" in r[2])
    assert changed[1:4] == ["Information backup", "Implemented → Partial", "Consensus"]
    parked = next(r for r in rows if r[2] and str(r[2]).startswith("Visitor log"))
    assert parked[3] == "Suzuki" and parked[4] == datetime(2099, 5, 15) and parked[5] == "Open"
    hostile = next(r for r in rows if r[2] and str(r[2]).startswith("クラウドの契約書"))
    assert hostile[2] == "クラウドの契約書を探す | =cmd / # x"
    cell = next(c for row in sh.iter_rows() for c in row if c.value == hostile[2])
    assert cell.data_type == "s" and cell.quotePrefix  # text, never a formula
    assert sh.page_setup.paperSize == 9 and sh.page_setup.orientation == "landscape"
    assert sh.oddHeader.center.text == "&A" and "/" in (sh.oddFooter.center.text or "")


def test_main_workbook_has_the_minutes_sheet_only_with_a_session(session_ws, tmp_path, workspace, sample_id):
    ws, aid = session_ws
    wb = load_workbook(export_assessment(ws, aid, tmp_path / "a.xlsx", lang="ja"))
    assert wb.sheetnames[-1] == "議事録"
    texts = [v for r in _sheet_values(wb["議事録"]) for v in r if isinstance(v, str)]
    assert "実施済み → 一部実施" in texts and "合意" in texts
    wb = load_workbook(export_assessment(workspace, sample_id, tmp_path / "b.xlsx", lang="ja"))
    assert "議事録" not in wb.sheetnames


def test_cli_minutes(session_ws, tmp_path, workspace, sample_id):
    ws, aid = session_ws
    r = run_cli("minutes", aid, data_dir=ws.root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# 議事録:") and "| 実施済み → 一部実施 | 合意 |" in r.stdout  # the assessment's language
    r = run_cli("minutes", aid, "--lang", "en", "--session", SESSION_ID, data_dir=ws.root)
    assert r.returncode == 0 and "Implemented → Partial" in r.stdout
    out = tmp_path / "out" / "minutes.xlsx"
    out.parent.mkdir()
    r = run_cli("minutes", aid, "--format", "xlsx", "-o", str(out), data_dir=ws.root)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out.resolve()) and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert load_workbook(out).sheetnames == ["議事録"]
    r = run_cli("minutes", aid, "--format", "xlsx", data_dir=ws.root, cwd=tmp_path / "out")
    assert r.returncode == 0 and Path(r.stdout.strip()).name.endswith(f"_minutes_20260501_{SESSION_ID}.xlsx")
    r = run_cli("minutes", aid, "--session", "nope", data_dir=ws.root)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "No such session: nope" in r.stderr
    r = run_cli("minutes", sample_id, data_dir=workspace.root)
    assert r.returncode == 1 and r.stderr == "isms-tui: This assessment has no workshop session yet.\n"
    r = run_cli("minutes", aid, "--format", "pdf", data_dir=ws.root)
    assert r.returncode == 2


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_has_one_past_session_consistent_with_its_answers(tmp_path, lang):
    ws = Workspace(tmp_path / "d")
    aid = create_demo(ws, lang)
    view = ws.view(aid)
    data = view.workshop
    (w,) = data.workshops.values()
    assert w.ended is not None and len(w.participants) == 4 and 3 <= len(w.agenda) <= 4
    s = view.workshop_summary(w.id)
    assert s.minutes == 120 and len(s.answered) >= 8 and len(s.changed) == 3 and s.new_actions
    for e in data.events(w.id):  # the answers are what the session decided last
        last = [x for x in data.events(w.id) if x.item_id == e.item_id][-1]
        assert view.answers[e.item_id].status == last.after and view.answers[e.item_id].decided_by == last.by
    parked = s.parked
    assert len(parked) == 3 and sum(p.is_open for p in parked) == 2
    assert all(p.owner and p.due for p in parked if p.is_open)
    assert all(p.resolution for p in parked if not p.is_open)
    assert {a.id for a in view.plan if a.source.kind == "parked"} == {f"parked:{p.id}" for p in parked if p.is_open}
    md = minutes_markdown(view, w.id, lang)
    assert md.count("→") >= 3 and "\\|" not in md.split("## ")[0]


# -- the summary screen -------------------------------------------------------------------------
async def _open_summary(pilot, app):
    from isms_tui.screens.summary import WorkshopSummaryScreen

    await pilot.press("enter")
    await wait_until(pilot, lambda: app.session is not None, "the assessment")
    app.push_screen(WorkshopSummaryScreen(app.session, SESSION_ID))
    await wait_until(pilot, lambda: isinstance(app.screen, WorkshopSummaryScreen) and app.screen.is_mounted, "the summary")
    return app.screen


@pytest.mark.asyncio
async def test_summary_screen_exports_minutes_and_settles_parked_items(tmp_path: Path):
    from textual.widgets import Input, Select, Static

    from isms_tui.app import IsmsApp
    from isms_tui.screens.workshop import ParkDialog as ParkedDialog

    data, aid = make_data_dir(tmp_path, workshop=True)
    app = IsmsApp(data, lang="en")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_summary(pilot, app)
        head = str(screen.query_one("#summary-head", Static).render())
        assert "Implemented → Partial" in head and "Decided by: Consensus" in head
        exports = data / "exports"
        await pilot.press("m")
        await wait_until(pilot, lambda: any(exports.glob("*.md")), "the Markdown minutes")
        await pilot.press("x")
        await wait_until(pilot, lambda: any(exports.glob("*.xlsx")), "the Excel minutes")
        md = next(exports.glob("*.md")).read_text(encoding="utf-8")
        assert md.startswith("# 議事録:")  # the assessment's language, not the screen's
        assert load_workbook(next(exports.glob("*.xlsx"))).sheetnames == ["議事録"]

        # the first open parked item (no owner, no date): give it both
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ParkedDialog), "the parked dialog")
        assert app.screen.parked.id == "e0000301"
        for ch in "Tanaka":
            await pilot.press(ch)
        await pilot.press("tab")
        for ch in "2099-06-30":
            await pilot.press(ch)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, "the summary again")
        p = Workspace(data).workshop_data(aid).parked["e0000301"]
        assert (p.owner, p.due, p.state) == ("Tanaka", "2099-06-30", "open")

        # the other open one: resolve it (state, then how it was settled)
        options = screen.query_one("#summary-parked")
        options.focus()
        await pilot.pause()
        await pilot.press("end")  # the last one, e0000302
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ParkedDialog), "the parked dialog")
        dialog = app.screen
        assert dialog.parked.id == "e0000302"
        await pilot.press("tab", "tab")  # owner -> due -> state
        assert isinstance(app.focused, Select)
        await pilot.press("enter", "down", "enter")
        await wait_until(pilot, lambda: dialog.query_one("#state", Select).value == "resolved", "resolved chosen")
        await pilot.press("tab")
        assert app.focused is dialog.query_one("#resolution", Input)
        for ch in "Log kept":
            await pilot.press(ch if ch != " " else "space")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, "the summary again")
        p = Workspace(data).workshop_data(aid).parked["e0000302"]
        assert (p.state, p.resolution) == ("resolved", "Log kept")
        assert "parked:e0000302" not in {a.id for a in app.session.view().plan}

        # esc cancels without saving; resolving without saying how is refused in one line
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ParkedDialog), "the parked dialog")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "the summary again")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not screen, "back")
