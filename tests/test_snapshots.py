"""SVG snapshots of every screen at 80x24 and 120x40, in Japanese and English, and of the main
screens at 200x50 (cursor blink off, fixed data). Update after an intended change with:
pytest --snapshot-update."""

from __future__ import annotations

from pathlib import Path

import pytest

from isms_tui.app import IsmsApp
from tests.tui_helpers import (
    add_audits,
    add_calendar,
    add_documents,
    add_findings,
    add_register,
    add_sampling,
    add_workshop,
    make_data_dir,
)

SIZES = [(80, 24), (120, 40)]
LANGS = ["ja", "en"]

# keys pressed from the home screen (with the sample assessment highlighted) to reach a screen
SCREENS = {
    "home": [],
    "new": ["n"],
    "questionnaire": ["enter"],
    "questionnaire_guidance": ["enter", "p", "p"],
    "dashboard": ["enter", "d"],
    "plan": ["enter", "a"],
    "help": ["f1"],
    "assets": ["enter", "f6"],
    "risks": ["enter", "f5"],
    "soa": ["enter", "f7"],
    "soa_decision": ["enter", "f7", "e"],
    "workshop_start": ["enter", "W"],
    "parked": ["enter", "f8"],
    "documents": ["enter", "f10"],
    "findings": ["enter", "f11"],
}
# screens shown with the deterministic risk register of tui_helpers.add_register (the others
# keep the assessment without one, as a first-time user has it)
WITH_REGISTER = {"assets", "risks", "soa", "soa_decision"}
# screens shown with the participants of tui_helpers.add_workshop, and with its running session
WITH_PEOPLE = {"workshop_start"}
WITH_WORKSHOP = {"parked", "projector"}
# screens shown with the findings register of tui_helpers.add_findings
WITH_FINDINGS = {"findings"}
# the projector layout (z) in a running session, at the size a room reads from the back
PROJECTOR = (120, 35)
WITH_DOCUMENTS = {"documents"}  # the deterministic register of tui_helpers.add_documents
# the widest terminal tried (issue 13): the screens a user spends the most time on, and the
# risk screens whose columns and heat map pane follow the width
WIDE = (200, 50)
WIDE_SCREENS = ["home", "questionnaire", "plan", "assets", "risks"]


def _app(tmp_path: Path, lang: str, screen: str) -> IsmsApp:
    data, aid = make_data_dir(tmp_path)
    if screen in WITH_REGISTER:
        assert aid is not None
        add_register(data, aid)
    if screen in WITH_FINDINGS:
        assert aid is not None
        add_findings(data, aid)
    if screen in WITH_PEOPLE | WITH_WORKSHOP:
        assert aid is not None
        add_workshop(data, aid, start=screen in WITH_WORKSHOP)
    if screen in WITH_DOCUMENTS:
        assert aid is not None
        add_documents(data, aid)
    if screen == "calendar":
        assert aid is not None
        add_calendar(data, aid)
    return IsmsApp(data, lang=lang)


def _no_blink(app: IsmsApp) -> None:
    for w in app.screen.query("Input, TextArea"):
        w.cursor_blink = False


def _snapshot(snap_compare, tmp_path: Path, screen: str, lang: str, size) -> bool:
    keys = SCREENS[screen] if screen in SCREENS else EXTRA_SCREENS.get(screen, ["enter", "z"])  # else the projector layout

    async def run_before(pilot) -> None:
        await pilot.pause()
        for k in keys:
            await pilot.press(k)
            await pilot.pause()
        _no_blink(pilot.app)
        pilot.app.screen.set_focus(None) if screen in ("new",) else None
        await pilot.pause()

    return snap_compare(_app(tmp_path, lang, screen), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_snapshot(snap_compare, tmp_path: Path, screen: str, lang: str, size):
    assert _snapshot(snap_compare, tmp_path, screen, lang, size)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("screen", WIDE_SCREENS)
def test_wide_screen_snapshot(snap_compare, tmp_path: Path, screen: str, lang: str):
    assert _snapshot(snap_compare, tmp_path, screen, lang, WIDE)


# the annual plan (F12) with the fixed calendar of tui_helpers.add_calendar, at 80x24 in
# Japanese and 120x40 in English
EXTRA_SCREENS = {"calendar": ["enter", "f12"]}


@pytest.mark.parametrize(("lang", "size"), [("ja", (80, 24)), ("en", (120, 40))], ids=["ja-80x24", "en-120x40"])
def test_calendar_snapshot(snap_compare, tmp_path: Path, lang: str, size):
    assert _snapshot(snap_compare, tmp_path, "calendar", lang, size)


@pytest.mark.parametrize("lang", LANGS)
def test_projector_snapshot(snap_compare, tmp_path: Path, lang: str):
    assert _snapshot(snap_compare, tmp_path, "projector", lang, PROJECTOR)

# the end-of-session summary (issue 14), on a fixed finished session; times are shown in the
# local zone, fixed here
SUMMARY_SIZES = [("ja", (80, 24)), ("en", (120, 40))]


@pytest.mark.parametrize(("lang", "size"), SUMMARY_SIZES, ids=lambda v: v if isinstance(v, str) else f"{v[0]}x{v[1]}")
def test_workshop_summary_snapshot(snap_compare, tmp_path: Path, monkeypatch, lang: str, size):
    import time

    from isms_tui.screens.summary import WorkshopSummaryScreen
    from tests.tui_helpers import SESSION_ID

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    data, _ = make_data_dir(tmp_path, workshop=True)

    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        pilot.app.push_screen(WorkshopSummaryScreen(pilot.app.session, SESSION_ID))
        await pilot.pause()
        await pilot.pause()

    try:
        assert snap_compare(IsmsApp(data, lang=lang), terminal_size=size, run_before=run_before)
    finally:
        monkeypatch.undo()
        time.tzset()


# the internal audit kit (F4) with the programme of tui_helpers.add_audits: the programme and
# the first audit's checklist, at 80x24 in Japanese and 120x40 in English
AUDIT_SCREENS = {"audit": ["enter", "f4"], "audit_checklist": ["enter", "f4", "c"]}


@pytest.mark.parametrize(("lang", "size"), [("ja", (80, 24)), ("en", (120, 40))], ids=["ja-80x24", "en-120x40"])
@pytest.mark.parametrize("screen", list(AUDIT_SCREENS))
def test_audit_snapshot(snap_compare, tmp_path: Path, screen: str, lang: str, size):
    data, aid = make_data_dir(tmp_path)
    assert aid is not None
    add_audits(data, aid)

    async def run_before(pilot) -> None:
        await pilot.pause()
        for k in AUDIT_SCREENS[screen]:
            await pilot.press(k)
            await pilot.pause()
        _no_blink(pilot.app)

    assert snap_compare(IsmsApp(data, lang=lang), terminal_size=size, run_before=run_before)


# Compare cycles (issue 16): this cycle against last year's, from the dashboard with v, on the
# fixed two cycles of tests/test_compare_tui.cycles_data
COMPARE_SIZES = [("ja", (80, 24)), ("en", (120, 40))]


@pytest.mark.parametrize(("lang", "size"), COMPARE_SIZES, ids=lambda v: v if isinstance(v, str) else f"{v[0]}x{v[1]}")
def test_compare_snapshot(snap_compare, tmp_path: Path, lang: str, size):
    from tests.test_compare_tui import cycles_data

    data, _ = cycles_data(tmp_path)

    async def run_before(pilot) -> None:
        await pilot.pause()
        for k in ("enter", "d", "v"):
            await pilot.press(k)
            await pilot.pause()

    assert snap_compare(IsmsApp(data, lang=lang), terminal_size=size, run_before=run_before)


# the audit preparation screen (F3): the stage 1 checklist and (t) the stage 2 sampling list,
# with the deterministic documents register and sampling list of tui_helpers
PREAUDIT_SIZES = [("ja", (80, 24)), ("en", (120, 40))]


@pytest.mark.parametrize("view", ["stage1", "sampling"])
@pytest.mark.parametrize(("lang", "size"), PREAUDIT_SIZES, ids=lambda v: v if isinstance(v, str) else f"{v[0]}x{v[1]}")
def test_preaudit_snapshot(snap_compare, tmp_path: Path, lang: str, size, view: str):
    data, aid = make_data_dir(tmp_path)
    assert aid is not None
    add_documents(data, aid)
    add_sampling(data, aid)
    keys = ["enter", "f3"] + (["t"] if view == "sampling" else []) + ["down", "down", "down"]

    async def run_before(pilot) -> None:
        await pilot.pause()
        for k in keys:
            await pilot.press(k)
            await pilot.pause()
        await pilot.pause()

    assert snap_compare(IsmsApp(data, lang=lang), terminal_size=size, run_before=run_before)
