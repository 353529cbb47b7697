"""SVG snapshots of every screen at 80x24 and 120x40, in Japanese and English (cursor blink
off, fixed data). Update after an intended change with: pytest --snapshot-update."""

from __future__ import annotations

from pathlib import Path

import pytest

from isms_tui.app import IsmsApp
from tests.tui_helpers import make_data_dir

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
}


def _app(tmp_path: Path, lang: str) -> IsmsApp:
    data, _ = make_data_dir(tmp_path)
    return IsmsApp(data, lang=lang)


def _no_blink(app: IsmsApp) -> None:
    for w in app.screen.query("Input, TextArea"):
        w.cursor_blink = False


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_snapshot(snap_compare, tmp_path: Path, screen: str, lang: str, size):
    keys = SCREENS[screen]

    async def run_before(pilot) -> None:
        await pilot.pause()
        for k in keys:
            await pilot.press(k)
            await pilot.pause()
        _no_blink(pilot.app)
        pilot.app.screen.set_focus(None) if screen in ("new",) else None
        await pilot.pause()

    assert snap_compare(_app(tmp_path, lang), terminal_size=size, run_before=run_before)
