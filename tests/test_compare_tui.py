"""Compare cycles in the TUI, pressed like a user: v on the dashboard and the palette open it;
it shows this and last cycle's readiness per section with the change and a bar per cycle, the
answer that got worse, the action carried over and the finding that recurred; F2 switches its
language; with no previous cycle, or a previous cycle that is gone, it says so plainly."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from isms_tui.app import IsmsApp
from isms_tui.findings import FindingsData, build_finding
from isms_tui.model import ActionEdit, Answer, Assessment
from isms_tui.screens.compare import CompareScreen
from isms_tui.screens.dashboard import DashboardScreen
from isms_tui.service import Workspace
from tests.test_tui import questionnaire_ready, static_text, wait_until
from tests.test_workshop_tui import _palette
from tests.tui_helpers import STAMP, make_data_dir

THEN = "2025-05-01T09:00:00+00:00"


def _findings(ref: str, raised: str, stamp: str) -> FindingsData:
    f = build_finding({"grade": "minor", "ref": ref, "description": "Restore never tested", "raised_on": raised,
                       "source": "internal_audit"}, None, edition="2022")
    f.no, f.created, f.updated = 1, stamp, stamp
    return FindingsData({f.id: f})


def cycles_data(tmp_path: Path, *, previous: bool = True, link: str | None = None) -> tuple[Path, str]:
    """Two fixed cycles of the sample bank: last year's (prev0001) and this one (cur00001),
    which links to it. Last year the backup was implemented (partial now: got worse), the
    cloud rule was not implemented and planned (still open: carried over), the scope was
    partial (implemented now); both audits found no restore test (A.8.13: recurred)."""
    data, _ = make_data_dir(tmp_path, with_assessment=False)
    ws = Workspace(data)
    if previous:
        prev = Assessment(organization="Sample KK (2025)", scope="HQ", banks=["sample"], target_date="2098-06-01",
                          id="prev0001", created=THEN, updated=THEN)
        ws.create(prev, [Answer("s-scope-1", status="partial", created=THEN, updated=THEN),
                         Answer("s-backup-1", status="implemented", created=THEN, updated=THEN),
                         Answer("s-cloud-1", status="not_implemented", created=THEN, updated=THEN)],
                  [ActionEdit("question:s-cloud-1", owner="IT \u4f50\u85e4", due="2098-03-31", updated=THEN)],
                  findings=_findings("A.8.13", "2025-02-01", THEN))
    cur = Assessment(organization="Sample KK", scope="HQ", banks=["sample"], target_date="2099-06-01", id="cur00001",
                     created=STAMP, updated=STAMP, source={"previous_cycle": link or "prev0001"})
    ws.create(cur, [Answer("s-scope-1", status="implemented", created=STAMP, updated=STAMP),
                    Answer("s-backup-1", status="partial", created=STAMP, updated=STAMP),
                    Answer("s-cloud-1", status="not_implemented", created=STAMP, updated=STAMP),
                    Answer("s-review-1", status="implemented", last_done="2099-01-10", created=STAMP, updated=STAMP)],
              findings=_findings("A.8.13", "2026-02-01", STAMP))
    return data, cur.id


def _text(screen, selector: str) -> str:
    return static_text(screen.query_one(selector, Static))


async def _open_from_dashboard(pilot, app) -> CompareScreen:
    await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
    await pilot.press("d")
    await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "the dashboard")
    await pilot.press("v")
    await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.cmp is not None, "the comparison")
    return app.screen


@pytest.mark.asyncio
async def test_v_on_the_dashboard_compares_with_last_cycle(tmp_path: Path):
    data, aid = cycles_data(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_from_dashboard(pilot, app)
        head = _text(screen, "#compare-head")
        assert "This cycle 2099-06-01" in head and "Previous 2098-06-01" in head
        table = screen.query_one("#compare-table", DataTable)
        assert table.display and table.row_count == len(screen.cmp.sections) == 3  # the bank and its two sections
        first = [str(c) for c in table.get_row_at(0)]
        before = screen.cmp.sections[0].readiness
        assert first[1] == f"{before[0] * 100:.0f}%" and first[2] == f"{before[1] * 100:.0f}%"
        assert first[3].startswith("+")
        bars = first[4].splitlines()
        assert len(bars) == 2 and bars[0].count("\u2590") > bars[1].count("\u2591") > 0  # this cycle's bar is longer
        body = _text(screen, "#compare-body")
        assert "Answers that got worse: 1" in body and "A.8.13" in body and "Implemented \u2192 Partial" in body
        assert "Actions carried over: 1 (0 more than once)" in body and "carried 1\u00d7" in body
        assert "Findings that recurred: 1" in body and "before: F-01 2025-02-01" in body
        # the lists take the focus with tab and scroll; the language follows F2
        await pilot.press("f2")
        await wait_until(pilot, lambda: "\u524d\u56de\u3088\u308a\u60aa\u304f\u306a\u3063\u305f\u56de\u7b54"
                         in _text(screen, "#compare-body"), "the lists in Japanese")
        assert "\u4eca\u56de 2099-06-01" in _text(screen, "#compare-head")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DashboardScreen), "back on the dashboard")


@pytest.mark.asyncio
@pytest.mark.parametrize(("lang", "words"), [("en", "Compare cycles"), ("ja", "\u524d\u5e74\u5ea6\u3068\u306e\u6bd4\u8f03")])
async def test_the_palette_opens_it(tmp_path: Path, lang: str, words: str):
    data, aid = cycles_data(tmp_path)
    app = IsmsApp(data, lang=lang, open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: questionnaire_ready(app), "the questionnaire")
        await _palette(pilot, app, words)
        await wait_until(pilot, lambda: isinstance(app.screen, CompareScreen) and app.screen.cmp is not None, "the comparison")
        assert app.screen.cmp.has_previous


@pytest.mark.asyncio
async def test_no_previous_cycle_is_said_plainly(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_from_dashboard(pilot, app)
        assert "There is no previous cycle" in _text(screen, "#compare-head")
        assert not screen.query_one("#compare-table", DataTable).display
        assert not screen.query_one("#compare-lists").display


@pytest.mark.asyncio
async def test_a_previous_cycle_that_is_gone(tmp_path: Path):
    data, aid = cycles_data(tmp_path, previous=False, link="gone0001")
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_from_dashboard(pilot, app)
        head = _text(screen, "#compare-head")
        assert "There is no previous cycle" in head and "Previous cycle gone0001 was not found" in head
