"""Shared set-up for the Pilot and snapshot tests: a data folder with the sample bank and a
deterministic assessment (fixed timestamps, dates far from today)."""

from __future__ import annotations

import shutil
from pathlib import Path

from isms_tui.model import ActionEdit, Answer, Assessment
from isms_tui.service import Workspace

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STAMP = "2026-05-01T09:00:00+00:00"


def make_data_dir(root: Path, *, with_assessment: bool = True) -> tuple[Path, str | None]:
    d = root / "data"
    (d / "banks").mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "sample_bank.toml", d / "banks" / "sample_bank.toml")
    if not with_assessment:
        return d, None
    ws = Workspace(d)
    a = Assessment(organization="Sample KK [bold]株式会社[/x]", scope="HQ", banks=["sample"], target_date="2099-06-01",
                   id="snap0001", created=STAMP, updated=STAMP)
    answers = [
        Answer("s-scope-1", status="implemented", note="承認済み [b]v2[/b]", created=STAMP, updated=STAMP),
        Answer("s-backup-1", status="partial", note="NASあり、復元テスト未実施", owner="IT 佐藤", created=STAMP, updated=STAMP),
        Answer("s-review-1", status="implemented", last_done="2099-01-10", created=STAMP, updated=STAMP),
    ]
    edits = [ActionEdit("question:s-backup-1", owner="IT 佐藤", due="2099-03-31", status="in_progress", progress="NAS購入済み", updated=STAMP)]
    ws.create(a, answers, edits)
    return d, a.id
