"""Storage: atomic writes, permissions, one writer, corrupt files kept, migration, orphans."""

from __future__ import annotations

import errno
import grp
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from isms_tui import storage
from isms_tui.model import Answer, Assessment, ValidationError, new_id
from isms_tui.service import Workspace
from isms_tui.storage import (
    SCHEMA_VERSION,
    CorruptFileError,
    FutureVersionError,
    LockedError,
    StorageError,
    Store,
    atomic_write_bytes,
)
from tests.conftest import ROOT, run_cli
from tests.reliability_helpers import FrozenDatetime, die_mid_write, full_disk, read_only


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
    assert data["meta"]["1"]["schema_version"] == SCHEMA_VERSION == 10
    assert "actions" in data and "risks" in data and "history" in data and "documents" in data and "findings" in data and "changes" in data
    assert "audits" in data and "calendar" in data
    assert "sampling" in data


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
    assert data["meta"]["1"]["schema_version"] == SCHEMA_VERSION
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


# -- Reliability round 2 (issue 10): each test reproduces one break ------------------------------

def _answer_and_back_up(workspace: Workspace, aid: str) -> None:
    """Give the file an answer and an action edit, and leave a backup of that state."""
    with workspace.open(aid) as s:
        s.set_status("s-backup-1", "implemented")
        s.set_fields("s-backup-1", note="weekly to NAS", due="2027-01-31")
        s.edit_action("question:s-backup-1", owner="Sato", due="2027-02-01")
    with workspace.open(aid):
        pass


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_trash_names_never_overwrite_whatever_the_clock(workspace: Workspace, sample_id: str, monkeypatch):
    """Break 1: delete -> restore -> delete within one clock tick kept only the last file."""
    monkeypatch.setattr(storage, "datetime", FrozenDatetime)
    _answer_and_back_up(workspace, sample_id)
    path = workspace.store.file_path(sample_id)
    with workspace.open(sample_id) as s:
        s.set_fields("s-backup-1", note="newer answers, only in the first trashed file")
    first = path.read_bytes()
    workspace.delete(sample_id)
    workspace.store.restore(sample_id)  # nothing in place: the backup comes back
    second = path.read_bytes()
    workspace.delete(sample_id)
    trashed = sorted(p.read_bytes() for p in workspace.store.trash_dir.iterdir())
    assert sorted([first, second]) == trashed


def test_backup_names_never_overwrite_whatever_the_clock(workspace: Workspace, sample_id: str, monkeypatch):
    """Break 1: backups taken in the same clock tick replaced each other."""
    monkeypatch.setattr(storage, "datetime", FrozenDatetime)
    path = workspace.store.file_path(sample_id)
    states = []
    for status in ("implemented", "partial", "unknown"):
        with workspace.open(sample_id) as s:
            s.set_status("s-backup-1", status)
        states.append(path.read_bytes())
    with workspace.open(sample_id):
        pass
    kept = [b.read_bytes() for b in workspace.store.backups(sample_id)]
    assert set(states) <= set(kept)
    assert kept[0] == states[-1]  # newest first
    assert workspace.store.latest_backup(sample_id).read_bytes() == states[-1]


_PAUSED_WRITER = r"""
import os, stat, sys
from pathlib import Path
from isms_tui import storage
real_fsync = os.fsync
def fsync(fd):
    if stat.S_ISREG(os.fstat(fd).st_mode):
        print("writing", flush=True)
        sys.stdin.readline()  # held between writing the temp file and renaming it
    real_fsync(fd)
os.fsync = fsync
storage.atomic_write_bytes(Path(sys.argv[1]), b'{"saved": 1}')
print("saved", flush=True)
"""


def test_start_up_keeps_a_live_writers_temp_file(tmp_path: Path):
    """Break 2: an all-digit id was read as a dead pid and the live writer's temp file deleted."""
    store = Store(tmp_path / "d")
    target = store.assessments_dir / "12345678.json"
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", _PAUSED_WRITER, str(target)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "writing", proc.stderr.read()
        temps = _temps(store.assessments_dir)
        assert len(temps) == 1
        Store(tmp_path / "d")  # another isms-tui starts while the writer is mid-save
        assert _temps(store.assessments_dir) == temps
        proc.stdin.write("go\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "saved" in out, err
    assert target.read_bytes() == b'{"saved": 1}'


def test_start_up_removes_only_our_temp_files_of_dead_writers(tmp_path: Path):
    """Break 2/7: a dead writer's temp file goes; a file that is not ours stays."""
    store = Store(tmp_path / "d")
    target = store.assessments_dir / "12345678.json"
    die_mid_write(f"from isms_tui.storage import atomic_write_bytes\natomic_write_bytes(__import__('pathlib').Path({str(target)!r}), b'x')\n")
    assert len(_temps(store.assessments_dir)) == 1
    mine = store.assessments_dir / ".notes.tmp"  # a user's file: not ours to delete
    mine.write_text("keep")
    Store(tmp_path / "d")
    assert _temps(store.assessments_dir) == [".notes.tmp"]


def test_generated_ids_never_read_as_numbers():
    """Break 2: about 2.3% of ids were all digits (numbers in Excel and shells)."""
    ids = [new_id() for _ in range(5000)]
    assert all(re.fullmatch(r"[0-9a-f]{8}", i) for i in ids)
    assert len(set(ids)) > 4990
    numeric = []
    for i in ids:
        try:
            float(i)
            numeric.append(i)
        except ValueError:
            pass
    assert numeric == []


def test_restore_on_a_full_disk_keeps_the_file(workspace: Workspace, sample_id: str, monkeypatch):
    """Break 3: the file went to the trash first, then the write of the backup failed."""
    _answer_and_back_up(workspace, sample_id)
    path = workspace.store.file_path(sample_id)
    path.write_bytes(b'{"meta": {"1": {"organization": "X"')
    full_disk(monkeypatch)
    with pytest.raises(StorageError) as info:
        workspace.store.restore(sample_id)
    msg = str(info.value)
    assert "No space left on device" in msg and "\n" not in msg
    assert path.read_bytes() == b'{"meta": {"1": {"organization": "X"'  # still in place
    assert list(workspace.store.trash_dir.iterdir()) == []
    assert _temps(workspace.store.assessments_dir) == []
    assert [r.id for r in workspace.summaries()] == [sample_id]


def test_restore_of_a_healthy_file_needs_force_and_says_what_moved_where(workspace: Workspace, sample_id: str):
    """Break 3: restore silently rolled a healthy file back and called it damaged."""
    _answer_and_back_up(workspace, sample_id)
    with workspace.open(sample_id) as s:  # the backup holds the state before this change
        s.set_status("s-cloud-1", "not_applicable", na_justification="no cloud services used")
    path = workspace.store.file_path(sample_id)
    current = path.read_bytes()
    r = run_cli("restore", sample_id, data_dir=workspace.root)
    assert r.returncode == 1 and "--force" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert path.read_bytes() == current and list(workspace.store.trash_dir.iterdir()) == []
    backup = workspace.store.latest_backup(sample_id)
    r = run_cli("restore", sample_id, "--force", data_dir=workspace.root)
    assert r.returncode == 0, r.stderr
    [trashed] = list(workspace.store.trash_dir.iterdir())
    assert trashed.read_bytes() == current
    assert str(trashed) in r.stdout and str(backup) in r.stdout
    _, answers, _ = workspace.load(sample_id)
    assert "s-cloud-1" not in answers and answers["s-backup-1"].status == "implemented"


BAD_VALUES = [
    ("answers", {"status": "bogus"}),
    ("answers", {"status": 5}),
    ("answers", {"due": "notadate"}),
    ("answers", {"note": 7}),
    ("answers", {"updated": None}),
    ("answers", {"item_id": 5}),
    ("answers", {"last_done": 20270101}),
    ("meta", {"updated": None}),
    ("meta", {"kind": "bogus"}),
    ("meta", {"banks": "sample"}),
    ("meta", {"target_date": "soon"}),
    ("meta", {"certification_date": "soon"}),
    ("actions", {"status": "bogus"}),
    ("actions", {"due": "notadate"}),
    ("actions", {"owner": 7}),
]


@pytest.mark.parametrize(("table", "change"), BAD_VALUES, ids=[f"{t}-{next(iter(c))}-{next(iter(c.values()))!r}" for t, c in BAD_VALUES])
def test_a_bad_value_marks_only_that_file_damaged(workspace: Workspace, sample_id: str, table: str, change: dict, tmp_path: Path):
    """Break 4: one bad value made `list` fail for every assessment and `export` crash."""
    from isms_tui.exports.xlsx import export_assessment

    _answer_and_back_up(workspace, sample_id)
    other = workspace.create(Assessment(organization="Other KK", banks=["sample"]))
    path = workspace.store.file_path(sample_id)
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data[table].values())).update(change)
    path.write_text(json.dumps(data), encoding="utf-8")
    raw = path.read_bytes()

    rows = {r.id: r for r in workspace.summaries()}
    bad = rows[sample_id]
    assert bad.error and bad.damaged and bad.backup, bad
    assert bad.backup in bad.error and f"restore {sample_id}" in bad.error
    assert rows[other].error is None and rows[other].organization == "Other KK"
    with pytest.raises(CorruptFileError):
        workspace.open(sample_id)
    with pytest.raises(StorageError):
        export_assessment(workspace, sample_id, tmp_path / "bad.xlsx", lang="en")
    assert export_assessment(workspace, other, tmp_path / "other.xlsx", lang="en").exists()
    with workspace.open(other) as s:
        s.set_status("s-backup-1", "partial")
    assert path.read_bytes() == raw  # nothing rewritten


@pytest.mark.parametrize("bad", [{"readiness": "abc"}, {"updated": 5}, {"coverage": [1]}, {"kind": "nope"},
                                 {"organization": None}, {"error": 3}, {"surprise": 1}, "not a table"])
def test_damaged_index_entries_are_rebuilt(workspace: Workspace, sample_id: str, bad):
    """Break 5: a bad entry in index.json crashed `list` and the TUI on every run."""
    workspace.summaries()
    index_path = workspace.root / "index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    entry = index["entries"][sample_id]
    if isinstance(bad, dict):
        entry["summary"].update(bad)
    else:
        entry["summary"] = bad
    index_path.write_text(json.dumps(index), encoding="utf-8")
    [row] = workspace.summaries()
    assert (row.organization, row.kind, row.readiness, row.coverage, row.error) == ("Sample KK", "initial", 0.0, 0.0, None)
    assert isinstance(row.updated, str) and row.updated
    rebuilt = json.loads(index_path.read_text(encoding="utf-8"))["entries"][sample_id]["summary"]
    assert rebuilt == row.to_json()
    r = run_cli("list", data_dir=workspace.root)
    assert r.returncode == 0 and "Sample KK" in r.stdout, r.stderr


@pytest.mark.parametrize("how", ["in place", "replaced"])
def test_index_notices_a_change_with_same_size_and_mtime(workspace: Workspace, sample_id: str, how: str):
    """Break 5: the cache key (size, mtime) missed a same-size change with a restored mtime."""
    assert workspace.summaries()[0].organization == "Sample KK"
    path = workspace.store.file_path(sample_id)
    st = path.stat()
    changed = path.read_bytes().replace(b"Sample KK", b"Sample JJ")
    while True:  # until the change is visible in ctime/inode (coarse file-system clocks)
        if how == "in place":
            path.write_bytes(changed)
        else:
            spare = path.with_name("spare.part")
            spare.write_bytes(changed)
            os.replace(spare, path)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        now = path.stat()
        assert (now.st_size, now.st_mtime_ns) == (st.st_size, st.st_mtime_ns)
        if (now.st_ctime_ns, now.st_ino) != (st.st_ctime_ns, st.st_ino):
            break
    assert workspace.summaries()[0].organization == "Sample JJ"


def test_full_disk_at_open_is_one_line_naming_the_file(workspace: Workspace, sample_id: str, monkeypatch):
    """Break 6: the backup at open raised a bare OSError (a traceback in the TUI)."""
    full_disk(monkeypatch)
    with pytest.raises(StorageError) as info:
        workspace.open(sample_id)
    msg = str(info.value)
    assert "No space left on device" in msg and str(workspace.store.backups_dir / sample_id) in msg and "\n" not in msg
    assert _temps(workspace.store.backups_dir / sample_id) == []
    monkeypatch.undo()
    with workspace.open(sample_id):  # the lock was released
        pass


def test_full_disk_at_save_is_one_line_naming_the_file(workspace: Workspace, sample_id: str, monkeypatch):
    """Break 6: a failed save raised a bare OSError."""
    path = workspace.store.file_path(sample_id)
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "implemented")
        full_disk(monkeypatch)
        for change in (lambda: s.set_status("s-cloud-1", "partial"), lambda: s.edit_action("question:s-backup-1", owner="x"),
                       lambda: s.update_assessment(scope="HQ")):
            with pytest.raises(StorageError) as info:
                change()
            assert str(path) in str(info.value) and "No space left on device" in str(info.value)
        monkeypatch.undo()
        s.set_status("s-visitor-1", "partial")
    _, answers, _ = workspace.load(sample_id)
    assert set(answers) == {"s-backup-1", "s-visitor-1"}
    assert _temps(workspace.store.assessments_dir) == []


def test_failed_delete_is_one_line_and_keeps_the_file(workspace: Workspace, sample_id: str, monkeypatch):
    """Break 6: a delete that cannot move the file raised a bare OSError."""
    def broken(*a, **k):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    for name in ("replace", "rename", "link"):
        monkeypatch.setattr(os, name, broken)
    with pytest.raises(StorageError) as info:
        workspace.delete(sample_id)
    assert "Input/output error" in str(info.value) and sample_id in str(info.value)
    monkeypatch.undo()
    assert workspace.store.exists(sample_id)


def test_kill_during_backup_leaves_nothing_behind_at_next_start(workspace: Workspace, sample_id: str):
    """Break 7: a temp file left in backups/<id>/ by a killed open was never cleaned."""
    die_mid_write(f"from isms_tui.service import Workspace\nWorkspace({str(workspace.root)!r}).open({sample_id!r})\n")
    folder = workspace.store.backups_dir / sample_id
    assert len(_temps(folder)) == 1
    Workspace(workspace.root)
    assert _temps(folder) == []


def test_kill_during_export_from_the_tui_is_cleaned_at_next_start(workspace: Workspace, sample_id: str):
    """Break 7: the TUI exports to DATA_DIR/exports/; a killed export left its temp file there."""
    exports = workspace.root / "exports"
    exports.mkdir(mode=0o700)
    die_mid_write(
        "from isms_tui.service import Workspace\nfrom isms_tui.exports.xlsx import export_assessment\n"
        f"export_assessment(Workspace({str(workspace.root)!r}), {sample_id!r}, {str(exports / 'r.xlsx')!r}, lang='en')\n"
    )
    assert len(_temps(exports)) == 1
    (exports / ".notes.tmp").write_text("not ours")
    Workspace(workspace.root)
    assert _temps(exports) == [".notes.tmp"]


def test_new_data_folder_parents_are_private_under_umask_000(tmp_path: Path):
    """Break 8: missing parents of --data-dir were created 0777 under umask 000."""
    old = os.umask(0)
    try:
        Workspace(tmp_path / "a" / "b" / "data")
    finally:
        os.umask(old)
    for p in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "data", tmp_path / "a" / "b" / "data" / "assessments"):
        assert mode(p) == 0o700, p


@pytest.mark.parametrize("bits", [0o1777, 0o777, 0o770])
def test_a_data_folder_others_can_write_is_refused_not_changed(tmp_path: Path, bits: int):
    """Break 8: `--data-dir /tmp` (1777) was silently chmod-ed to 0700."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, bits)
    if bits == 0o770:  # writable by a group with other members
        try:
            os.chown(shared, -1, grp.getgrnam("nogroup").gr_gid)
        except (KeyError, PermissionError):
            pytest.skip("needs a group to hand the folder to (root and a 'nogroup' group)")
    with pytest.raises(StorageError, match="other users can write"):
        Workspace(shared)
    assert stat.S_IMODE(shared.stat().st_mode) == bits
    assert list(shared.iterdir()) == []


def test_a_folder_writable_only_by_our_private_group_is_used(tmp_path: Path):
    """Break 8: under umask 002 a user's own folder is group-writable by a group of one: not refused."""
    import pwd

    user = pwd.getpwuid(os.geteuid())
    group = grp.getgrgid(os.getegid())
    if group.gr_name != user.pw_name or set(group.gr_mem) - {user.pw_name}:
        pytest.skip("the user has no private group here")
    mine = tmp_path / "mine"
    mine.mkdir()
    os.chmod(mine, 0o775)
    Workspace(mine)
    assert mode(mine) == 0o700


def test_lock_folder_and_backup_file_in_the_way_are_one_line(workspace: Workspace, sample_id: str):
    """Break 9: `ID.json.lock` as a folder or `backups/ID` as a file was an internal error."""
    with workspace.open(sample_id):  # a backup, so that restore gets as far as the lock
        pass
    (workspace.store.assessments_dir / f"{sample_id}.json.lock").unlink(missing_ok=True)
    lock = workspace.store.assessments_dir / f"{sample_id}.json.lock"
    lock.mkdir()
    for args in (["open", sample_id], ["delete", sample_id], ["restore", sample_id, "--force"]):
        r = run_cli(*args, data_dir=workspace.root)
        assert r.returncode == 1 and "internal error" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
        assert str(lock) in r.stderr, r.stderr
    lock.rmdir()
    for b in workspace.store.backups(sample_id):
        b.unlink()
    (workspace.store.backups_dir / sample_id).rmdir()
    (workspace.store.backups_dir / sample_id).write_text("not a folder")
    r = run_cli("open", sample_id, data_dir=workspace.root)
    assert r.returncode == 1 and "internal error" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert str(workspace.store.backups_dir / sample_id) in r.stderr
    assert workspace.store.exists(sample_id)


def test_read_only_data_folder_lists_and_exports_and_refuses_writes(workspace: Workspace, sample_id: str, tmp_path: Path, monkeypatch, capsys):
    """Break 10: a read-only data folder refused even `list` and `export`."""
    from isms_tui import cli

    _answer_and_back_up(workspace, sample_id)
    workspace.summaries()
    root = workspace.root
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    read_only(monkeypatch, root)

    def run(*args):
        code = cli.main(["--data-dir", str(root), *args])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = run("list")
    assert code == 0 and "Sample KK" in out, err
    code, out, err = run("export", sample_id, "--xlsx", str(tmp_path / "ro.xlsx"))
    assert code == 0 and (tmp_path / "ro.xlsx").exists(), err
    for args in (["new", "--org", "X", "--bank", "sample"], ["open", sample_id], ["delete", sample_id],
                 ["restore", sample_id, "--force"], ["demo"]):
        code, out, err = run(*args)
        assert code == 1 and "Read-only file system" in err and len(err.strip().splitlines()) == 1, (args, err)
        assert "internal error" not in err
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_without_hard_links_names_stay_unique(workspace: Workspace, sample_id: str, monkeypatch):
    """Break 1 on a file system without hard links (FAT, some shares): the fallback reserves
    each name with O_EXCL before moving onto it, so nothing is overwritten there either."""
    def no_links(*a, **k):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", no_links)
    monkeypatch.setattr(storage, "datetime", FrozenDatetime)
    other = workspace.create(Assessment(organization="Other KK", banks=["sample"]))
    assert workspace.load(other)[0].organization == "Other KK"
    _answer_and_back_up(workspace, sample_id)
    path = workspace.store.file_path(sample_id)
    path.write_bytes(b"{damaged")
    backup, moved = workspace.restore(sample_id)
    assert moved.read_bytes() == b"{damaged" and path.read_bytes() == backup.read_bytes()
    first = path.read_bytes()
    workspace.delete(sample_id)
    workspace.restore(sample_id)
    workspace.delete(sample_id)
    trashed = sorted(p.read_bytes() for p in workspace.store.trash_dir.iterdir())
    assert trashed == sorted([b"{damaged", first, first])
    assert len(workspace.store.backups(sample_id)) == 2
    assert [p.name for p in workspace.root.rglob("*.tmp")] == []


def test_version_2_file_migrates_to_3_with_the_risk_tables(workspace: Workspace, sample_id: str):
    """Schema 3 adds the risk criteria, asset ledger and risk register tables; answers and plan
    edits of a version-2 file are kept as they are."""
    path = workspace.store.file_path(sample_id)
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "partial")
        s.edit_action("question:s-backup-1", owner="佐藤")
    data = json.loads(path.read_text(encoding="utf-8"))
    for table in ("risk_criteria", "assets", "risks"):
        data.pop(table, None)
    data["meta"]["1"]["schema_version"] = 2
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    _, answers, edits = workspace.load(sample_id)  # read-only: seen migrated, file untouched
    assert json.loads(path.read_text(encoding="utf-8"))["meta"]["1"]["schema_version"] == 2
    assert answers["s-backup-1"].status == "partial" and edits["question:s-backup-1"].owner == "佐藤"
    with workspace.open(sample_id):
        pass
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["meta"]["1"]["schema_version"] == SCHEMA_VERSION
    assert all(data[t] == {} for t in ("risk_criteria", "assets", "risks", "soa"))
    assert workspace.load(sample_id)[2]["question:s-backup-1"].owner == "佐藤"


def test_a_bad_risk_row_marks_the_file_damaged_not_skipped(workspace: Workspace, sample_id: str):
    path = workspace.store.file_path(sample_id)
    with workspace.open(sample_id):
        pass
    data = json.loads(path.read_text(encoding="utf-8"))
    data["risks"] = {"1": {"id": "r1", "no": "one", "threat": 5}}
    path.write_text(json.dumps(data), encoding="utf-8")
    [row] = workspace.summaries()
    assert row.damaged and "risks record 1" in row.error


def test_duplicate_copies_every_table_of_the_full_demo(workspace: Workspace):
    """Every register a file can hold (the demo keeps them all but the next cycle's changes)
    comes across in a duplicate row for row: a table added to storage but forgotten by
    Workspace.duplicate shows up here as a count that differs."""
    from isms_tui.demo import create_demo

    aid = create_demo(workspace, "en")
    copy_id = workspace.duplicate(aid)
    old, new = workspace.store.read(aid), workspace.store.read(copy_id)

    def counts(data: dict) -> dict[str, int]:
        return {table: len(rows) for table, rows in data.items() if table != "meta" and rows}

    assert counts(new) == counts(old)
    assert {"answers", "actions", "assets", "risks", "soa", "participants", "workshops", "history", "documents",
            "findings", "audits", "audit_lines", "calendar", "sampling"} <= set(counts(old))
    for table in ("findings", "audits", "audit_lines", "calendar", "sampling", "documents"):
        assert sorted(map(json.dumps, old[table].values())) == sorted(map(json.dumps, new[table].values())), table


def test_a_view_reads_and_checks_the_file_once(workspace: Workspace, monkeypatch):
    """Workspace.view builds every register from one read of the file (it read and checked
    the whole file once per register: nine times with the registers of schema 10)."""
    from isms_tui.demo import create_demo

    aid = create_demo(workspace, "en")
    calls = []
    real = storage.decode_file
    monkeypatch.setattr(storage, "decode_file", lambda path: calls.append(path) or real(path))
    view = workspace.view(aid)
    assert view.findings and view.documents and view.audit_programme.exists and view.sampling
    assert len(calls) == 1
