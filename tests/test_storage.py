"""Storage: atomic writes, permissions, one writer, corrupt files kept, migration, orphans."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from isms_tui.model import Answer, Assessment, ValidationError
from isms_tui.service import Workspace
from isms_tui.storage import CorruptFileError, FutureVersionError, LockedError, Store, atomic_write_bytes
from tests.conftest import ROOT, run_cli


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_folders_and_files_are_private(workspace: Workspace, sample_id: str):
    assert mode(workspace.root) == 0o700
    assert mode(workspace.store.assessments_dir) == 0o700
    path = workspace.store.file_path(sample_id)
    assert mode(path) == 0o600
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "implemented")
    assert mode(path) == 0o600
    backups = workspace.store.backups(sample_id)
    assert backups and all(mode(b) == 0o600 for b in backups)


def test_answers_round_trip_in_utf8(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "partial", answered_by="山田")
        s.set_fields("s-backup-1", note="復元テストは未実施 [bold]です[/x]", evidence="NAS設定画面\n2行目", owner="佐藤")
        s.set_status("s-cloud-1", "not_applicable", na_justification="クラウドは使っていません")
    raw = workspace.store.file_path(sample_id).read_text(encoding="utf-8")
    assert "復元テスト" in raw  # written as UTF-8, not \u escapes
    _, answers, _ = workspace.load(sample_id)
    a = answers["s-backup-1"]
    assert (a.status, a.note, a.evidence, a.owner, a.answered_by) == (
        "partial", "復元テストは未実施 [bold]です[/x]", "NAS設定画面\n2行目", "佐藤", "山田")
    assert answers["s-cloud-1"].na_justification == "クラウドは使っていません"


def test_control_characters_are_stripped_from_input(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        s.set_fields("s-backup-1", note="a\x1b[2Jb\x07c\x9bd\tok\r\nnext")
    _, answers, _ = workspace.load(sample_id)
    assert answers["s-backup-1"].note == "a[2Jbcd\tok\nnext"


def test_na_refused_where_not_allowed_and_needs_justification(workspace: Workspace, sample_id: str):

    with workspace.open(sample_id) as s:
        with pytest.raises(ValidationError, match="cannot be marked not applicable"):
            s.set_status("s-scope-1", "not_applicable", na_justification="x")
        with pytest.raises(ValidationError, match="justification"):
            s.set_status("s-cloud-1", "not_applicable")
        assert "s-cloud-1" not in s.answers
    _, answers, _ = workspace.load(sample_id)
    assert answers == {}


def test_unanswered_again_removes_the_status(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "implemented")
        s.set_status("s-backup-1", None)
        assert "s-backup-1" not in s.answers
        s.set_status("s-visitor-1", "implemented")
        s.set_fields("s-visitor-1", note="keep me")
        s.set_status("s-visitor-1", None)
    _, answers, _ = workspace.load(sample_id)
    assert "s-backup-1" not in answers
    assert answers["s-visitor-1"].status is None and answers["s-visitor-1"].note == "keep me"


def test_second_writer_is_refused_in_another_process(workspace: Workspace, sample_id: str):
    code = (
        "import sys; from isms_tui.service import Workspace; from isms_tui.storage import LockedError\n"
        f"ws = Workspace({str(workspace.root)!r})\n"
        "try:\n"
        f"    ws.open({sample_id!r})\n"
        "except LockedError as e:\n"
        "    print('LOCKED', e); sys.exit(3)\n"
    )
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "implemented")
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ | {"PYTHONPATH": str(ROOT)})
        assert r.returncode == 3, r.stderr
        assert "another isms-tui" in r.stdout
        s.set_status("s-visitor-1", "partial")
    _, answers, _ = workspace.load(sample_id)
    assert answers["s-backup-1"].status == "implemented" and answers["s-visitor-1"].status == "partial"


def test_second_writer_in_same_process_is_refused(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id):
        with pytest.raises(LockedError):
            Workspace(workspace.root).open(sample_id)


@pytest.mark.parametrize("content", [b"", b"   \n", b'{"meta": {"1": {"organization": "X"', b"\x00\xff garbage \x89PNG", b"[1, 2, 3]", b'{"answers": {}}'])
def test_corrupt_file_is_reported_and_left_untouched(workspace: Workspace, sample_id: str, content: bytes):
    with workspace.open(sample_id) as s:  # leaves a good backup
        s.set_status("s-backup-1", "implemented")
    path = workspace.store.file_path(sample_id)
    with workspace.open(sample_id):  # backup of the state with the answer
        pass
    path.write_bytes(content)
    with pytest.raises(CorruptFileError) as info:
        workspace.open(sample_id)
    assert str(path) in str(info.value)
    assert info.value.backup is not None and str(info.value.backup) in str(info.value)
    assert path.read_bytes() == content  # never overwritten
    # the rest keeps working: the list shows it as unreadable, others still open
    other = workspace.create(Assessment(organization="Other", banks=["sample"]))
    rows = {r.id: r for r in workspace.summaries()}
    assert rows[sample_id].error and rows[other].error is None
    # and the CLI offers the backup
    r = run_cli("open", sample_id, data_dir=workspace.root)
    assert r.returncode == 1 and "backup" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("restore", sample_id, data_dir=workspace.root)
    assert r.returncode == 0, r.stderr
    _, answers, _ = workspace.load(sample_id)
    assert answers["s-backup-1"].status == "implemented"
    assert any(p.name.endswith(".damaged.json") for p in workspace.store.trash_dir.iterdir())


def test_future_version_refused_untouched(workspace: Workspace, sample_id: str):
    path = workspace.store.file_path(sample_id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["meta"]["1"]["schema_version"] = 99
    path.write_text(json.dumps(data), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(FutureVersionError, match="newer isms-tui"):
        workspace.open(sample_id)
    assert path.read_bytes() == before


def test_schema_0_file_is_migrated(workspace: Workspace):
    store = workspace.store
    path = store.assessments_dir / "old00001.json"
    old = {"meta": {"1": {"organization": "Old KK", "kind": "initial", "edition": "2022", "lang": "ja",
                          "banks": ["sample"], "id": "old00001", "created": "2024-01-01T00:00:00+00:00",
                          "updated": "2024-01-01T00:00:00+00:00"}}}
    path.write_text(json.dumps(old), encoding="utf-8")
    with workspace.open("old00001") as s:
        assert s.answers == {}
        s.set_status("s-backup-1", "partial")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["meta"]["1"]["schema_version"] == 2 and "actions" in data


def test_real_version_1_file_migrates_to_2_with_action_ids(workspace: Workspace):
    """tests/fixtures/v1/v1demo01.json was written by isms-tui 0.1 (the demo, with plan edits)."""
    from tests.conftest import FIXTURES

    src = FIXTURES / "v1" / "v1demo01.json"
    v1 = json.loads(src.read_text(encoding="utf-8"))
    assert v1["meta"]["1"]["schema_version"] == 1
    v1_edits = {d["item_id"]: d for d in v1["actions"].values()}
    path = workspace.store.assessments_dir / "v1demo01.json"
    path.write_bytes(src.read_bytes())
    # read-only paths (list, export) see the migrated shape without rewriting the file
    _, answers, edits = workspace.load("v1demo01")
    assert path.read_bytes() == src.read_bytes()
    assert set(edits) == {f"question:{k}" for k in v1_edits}
    assert len(answers) == len(v1["answers"])
    with workspace.open("v1demo01") as s:
        for item_id, old in v1_edits.items():
            e = s.edits[f"question:{item_id}"]
            assert (e.owner, e.due, e.status, e.progress) == (old["owner"], old["due"], old["status"], old["progress"])
            assert e.source == {"kind": "question", "id": item_id}
        view = s.view()
        edited = view.action("question:acq-risk_analysis-1")
        assert edited is not None and edited.owner == "総務 佐藤" and edited.progress == "v1で編集"
        s.edit_action("question:acq-risk_analysis-1", status="in_progress")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["meta"]["1"]["schema_version"] == 2
    docs = list(data["actions"].values())
    assert all("item_id" not in d and d["action_id"].startswith("question:") for d in docs)
    assert len(docs) == len(v1_edits)  # the edit updated its row, no duplicate
    # the version-1 file as it was is kept as the backup taken when it was opened
    assert workspace.store.backups("v1demo01")[-1].read_bytes() == src.read_bytes()


def test_orphan_answers_are_kept_and_reported(workspace: Workspace, sample_id: str):
    path = workspace.store.file_path(sample_id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["answers"]["1"] = Answer("retired-item-9", status="implemented", note="from an older bank").to_doc()
    path.write_text(json.dumps(data), encoding="utf-8")
    with workspace.open(sample_id) as s:
        assert s.view().report.orphans == ["retired-item-9"]
        s.set_status("s-backup-1", "implemented")
    _, answers, _ = workspace.load(sample_id)
    assert answers["retired-item-9"].note == "from an older bank"


def test_stale_temp_files_removed_at_start(tmp_path: Path):
    store = Store(tmp_path / "d")
    stale = store.assessments_dir / ".abc.json.999999.xyz.tmp"
    stale.write_text("partial")
    Store(tmp_path / "d")
    assert not stale.exists()


def test_failed_write_keeps_previous_file(tmp_path: Path):
    """A write that fails half-way (file size limit) leaves the old file whole."""
    target = tmp_path / "f.json"
    atomic_write_bytes(target, b'{"ok": 1}')
    code = (
        "import resource, sys\n"
        "from isms_tui.storage import atomic_write_bytes\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))\n"
        "import signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "try:\n"
        f"    atomic_write_bytes(__import__('pathlib').Path({str(target)!r}), b'x' * 100000)\n"
        "except OSError as e:\n"
        "    print('ERR', e.strerror); sys.exit(4)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert r.returncode == 4, r.stdout + r.stderr
    assert target.read_bytes() == b'{"ok": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]  # no temp file left behind


def test_delete_moves_to_trash_and_duplicate_copies(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "implemented")
    copy = workspace.duplicate(sample_id)
    assert copy != sample_id
    _, answers, _ = workspace.load(copy)
    assert answers["s-backup-1"].status == "implemented"
    where = workspace.delete(sample_id)
    assert where.parent == workspace.store.trash_dir and where.exists()
    assert sample_id not in workspace.store.ids()


def test_summaries_cache_and_refresh(workspace: Workspace, sample_id: str):
    rows = workspace.summaries()
    assert rows[0].readiness == 0.0 and rows[0].coverage == 0.0
    with workspace.open(sample_id) as s:
        for item in s.items:
            s.set_status(item.id, "implemented")
        s.set_fields("s-review-1", last_done="2099-01-01")
    rows = workspace.summaries()
    assert rows[0].readiness == 1.0 and rows[0].coverage == 1.0
    assert (workspace.root / "index.json").exists()


def test_annex_a_exclusion_needs_a_reason_that_says_why(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        for vague in ("n/a", "該当なし", "なし", "N/A.", "none"):
            with pytest.raises(ValidationError, match="Say why"):
                s.set_status("s-cloud-1", "not_applicable", na_justification=vague)
        assert "s-cloud-1" not in s.answers  # nothing was saved
        s.set_status("s-cloud-1", "not_applicable", na_justification="クラウドサービスを一切利用していない")
        assert s.answers["s-cloud-1"].status == "not_applicable"
