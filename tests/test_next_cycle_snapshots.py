"""SVG snapshots of the next cycle: the dialog of key y on the home screen, and a question
whose answer is last cycle's, to re-confirm (80x24 in Japanese, 120x40 in English)."""

from __future__ import annotations

from pathlib import Path

import pytest

from isms_tui.app import IsmsApp
from isms_tui.next_cycle import next_cycle
from isms_tui.service import Workspace
from tests.tui_helpers import make_data_dir

SIZES = [("ja", (80, 24)), ("en", (120, 40))]
IDS = lambda v: v if isinstance(v, str) else f"{v[0]}x{v[1]}"  # noqa: E731


def _no_blink(app: IsmsApp) -> None:
    for w in app.screen.query("Input, TextArea"):
        w.cursor_blink = False


@pytest.mark.parametrize(("lang", "size"), SIZES, ids=IDS)
def test_next_cycle_dialog_snapshot(snap_compare, tmp_path: Path, lang: str, size):
    data, _ = make_data_dir(tmp_path)

    async def run_before(pilot) -> None:
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        _no_blink(pilot.app)
        await pilot.pause()

    assert snap_compare(IsmsApp(data, lang=lang), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize(("lang", "size"), SIZES, ids=IDS)
def test_item_to_reconfirm_snapshot(snap_compare, tmp_path: Path, lang: str, size):
    data, aid = make_data_dir(tmp_path)
    new_id = next_cycle(Workspace(data), aid, target_date="2099-09-30").new_id

    async def run_before(pilot) -> None:
        await pilot.pause()
        for _ in range(5):  # the filter cycle to "to re-confirm"
            await pilot.press("f")
            await pilot.pause()
        pilot.app.clear_notifications()  # "no more items" while the filters with none went by
        _no_blink(pilot.app)
        pilot.app.screen.set_focus(None)
        await pilot.pause()

    assert snap_compare(IsmsApp(data, lang=lang, open_id=new_id), terminal_size=size, run_before=run_before)
