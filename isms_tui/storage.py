"""Durable storage: one TinyDB file per assessment, written atomically.

TinyDB's stock JSONStorage truncates and rewrites its file in place, so a crash mid-write
leaves an unreadable file. :class:`AtomicJSONStorage` writes a temp file in the same folder,
fsyncs it, ``os.replace``s it over the old one and fsyncs the folder: after a crash the file
is either the old or the new version, never a mix. A second writer is refused by a lock
file; a corrupt file is reported with its last good backup and never overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import filelock
from tinydb import Query, TinyDB
from tinydb.storages import Storage

from .model import ActionEdit, Answer, Assessment, now_iso
from .soa_decisions import SoaDecision

SCHEMA_VERSION = 2
FILE_MODE = 0o600
DIR_MODE = 0o700
BACKUPS_KEPT = 5
TMP_SUFFIX = ".tmp"


class StorageError(Exception):
    """A storage problem, with a message meant for the user."""


class LockedError(StorageError):
    pass


class CorruptFileError(StorageError):
    def __init__(self, path: Path, reason: str, backup: Path | None):
        self.path, self.reason, self.backup = path, reason, backup
        msg = f"{path} cannot be read ({reason}); it has been left untouched."
        if backup:
            msg += f" Last good backup: {backup} (isms-tui restore {path.stem})."
        else:
            msg += " No backup of it exists."
        super().__init__(msg)


class FutureVersionError(StorageError):
    pass


class NotFoundError(StorageError):
    pass


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a folder be fsynced
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old or the new file, whole."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def remove_stale_temp_files(folder: Path) -> int:
    """Remove temp files left by writers that died (their pid is in the name)."""
    removed = 0
    for p in folder.glob(f".*{TMP_SUFFIX}"):
        parts = p.name.split(".")
        pid = next((int(x) for x in parts if x.isdigit()), None)
        if pid is not None and pid != os.getpid() and _pid_alive(pid):
            continue
        with contextlib.suppress(OSError):
            p.unlink()
            removed += 1
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def encode(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode("utf-8")


def decode_file(path: Path) -> dict:
    """Read and check an assessment file; raise ValueError with a short reason."""
    raw = path.read_bytes()
    if not raw.strip():
        raise ValueError("the file is empty")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON at line {exc.lineno}, column {exc.colno} (truncated or damaged)") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("meta"), dict) or not data["meta"]:
        raise ValueError("not an isms-tui assessment (no meta table)")
    for table in data.values():
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise ValueError("not an isms-tui assessment (bad table)")
    meta = next(iter(data["meta"].values()))
    if not isinstance(meta.get("organization"), str):
        raise ValueError("not an isms-tui assessment (no organization)")
    return data


class AtomicJSONStorage(Storage):
    """TinyDB storage that never writes in place and keeps the parsed data in memory.

    TinyDB reads the whole storage on every query; the file is ours alone while we hold the
    lock, so the last read or written state is served from memory.
    """

    def __init__(self, path: str | os.PathLike[str], initial: dict | None = None):
        self.path = Path(path)
        self._cache: dict | None = None
        if initial is not None:
            self.write(initial)

    def read(self) -> dict | None:
        if self._cache is None:
            if not self.path.exists():
                return None
            self._cache = decode_file(self.path)
        return self._cache

    def write(self, data: dict) -> None:
        try:
            atomic_write_bytes(self.path, encode(data))
        except BaseException:
            self._cache = None  # memory may be ahead of disk now: reload on next read
            raise
        self._cache = data

    def close(self) -> None:
        self._cache = None


def migrate(data: dict) -> tuple[dict, bool]:
    """Bring an older file up to SCHEMA_VERSION. Returns (data, changed)."""
    meta = next(iter(data["meta"].values()))
    version = meta.get("schema_version", 0)
    if not isinstance(version, int):
        raise ValueError("schema_version is not a number")
    if version > SCHEMA_VERSION:
        raise FutureVersionError(
            f"this assessment was saved by a newer isms-tui (file schema {version}, this version reads "
            f"up to {SCHEMA_VERSION}); update isms-tui to open it. The file has been left untouched."
        )
    changed = False
    if version < 1:
        # Schema 0 (pre-release files) had no answers/actions tables and no version mark.
        data.setdefault("answers", {})
        data.setdefault("actions", {})
        meta["schema_version"] = 1
        version = 1
        changed = True
    if version < 2:
        # Schema 2: plan actions have their own identity ("question:<item id>") and a source,
        # so risks, findings and parked items can create actions too. Version-1 edits were
        # keyed by the item id of their question.
        for doc in data.get("actions", {}).values():
            if isinstance(doc, dict) and "action_id" not in doc and isinstance(doc.get("item_id"), str):
                doc["action_id"] = f"question:{doc.pop('item_id')}"
                doc.setdefault("source", {"kind": "question", "id": doc["action_id"].split(":", 1)[1]})
        meta["schema_version"] = 2
        changed = True
    return data, changed


def _soa_from_table(docs) -> dict[str, SoaDecision]:
    out = {}
    for d in docs:
        with contextlib.suppress(TypeError, ValueError):
            dec = SoaDecision.from_doc(d)
            out[dec.control] = dec
    return out


class Loaded(tuple):
    """What :meth:`Store.load` returns: the tuple (assessment, answers, edits) that callers
    unpack, with the newer tables as attributes so adding one breaks no caller."""

    soa: dict[str, SoaDecision]

    def __new__(cls, assessment: Assessment, answers: dict[str, Answer], edits: dict[str, ActionEdit], *,
                soa: dict[str, SoaDecision] | None = None):
        self = super().__new__(cls, (assessment, answers, edits))
        self.soa = soa or {}
        return self


class AssessmentFile:
    """One assessment opened for writing (holds its lock until closed)."""

    def __init__(self, store: Store, assessment_id: str, lock: filelock.BaseFileLock):
        self.store = store
        self.id = assessment_id
        self.path = store.file_path(assessment_id)
        self._lock = lock
        self.storage = AtomicJSONStorage(self.path)
        try:
            data = self.storage.read()
            assert data is not None
            data, changed = migrate(data)
            if changed:
                self.storage.write(data)
        except Exception:
            self._lock.release()
            raise
        self.db = TinyDB(self.path, storage=lambda _p: self.storage)
        self._answers = self.db.table("answers", cache_size=0)
        self._actions = self.db.table("actions", cache_size=0)
        self._meta = self.db.table("meta", cache_size=0)
        self._soa = self.db.table("soa", cache_size=0)  # added after schema 2; absent reads as empty

    # -- meta ------------------------------------------------------------------------------
    @property
    def assessment(self) -> Assessment:
        return Assessment.from_doc(self._meta.all()[0])

    def save_assessment(self, assessment: Assessment) -> None:
        assessment.updated = now_iso()
        doc = assessment.to_doc() | {"schema_version": SCHEMA_VERSION}
        self._meta.update(doc, doc_ids=[self._meta.all()[0].doc_id])

    def touch(self) -> None:
        first = self._meta.all()[0]
        self._meta.update({"updated": now_iso()}, doc_ids=[first.doc_id])

    # -- answers ---------------------------------------------------------------------------
    def answers(self) -> dict[str, Answer]:
        return {d["item_id"]: Answer.from_doc(d) for d in self._answers.all() if isinstance(d.get("item_id"), str)}

    def put_answer(self, answer: Answer) -> None:
        """Store one answer durably (returns after fsync), or remove it when empty."""
        q = Query().item_id == answer.item_id
        if answer.is_empty:
            self._answers.remove(q)
        else:
            answer.updated = now_iso()
            self._answers.upsert(answer.to_doc(), q)

    # -- action plan edits -----------------------------------------------------------------
    def action_edits(self) -> dict[str, ActionEdit]:
        return {d["action_id"]: ActionEdit.from_doc(d) for d in self._actions.all() if isinstance(d.get("action_id"), str)}

    def put_action_edit(self, edit: ActionEdit) -> None:
        edit.updated = now_iso()
        self._actions.upsert(edit.to_doc(), Query().action_id == edit.action_id)

    # -- Statement of Applicability decisions (table "soa") -------------------------------
    def soa_decisions(self) -> dict[str, SoaDecision]:
        return _soa_from_table(self._soa.all())

    def put_soa_decision(self, decision: SoaDecision) -> None:
        """Store one control's SoA decision durably, or remove it when empty."""
        q = Query().control == decision.control
        if decision.is_empty:
            self._soa.remove(q)
        else:
            self._soa.upsert(decision.to_doc(), q)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.db.close()
        with contextlib.suppress(Exception):
            self._lock.release()

    def __enter__(self) -> AssessmentFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Store:
    """The data folder: ``assessments/`` (one file each), ``backups/``, ``trash/``, ``banks/``."""

    def __init__(self, data_dir: str | os.PathLike[str]):
        self.root = Path(data_dir)
        try:
            for d in (self.root, self.assessments_dir, self.backups_dir, self.trash_dir):
                d.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                os.chmod(d, DIR_MODE)
        except OSError as exc:
            raise StorageError(f"cannot use data folder {self.root}: {exc.strerror or exc}") from None
        remove_stale_temp_files(self.assessments_dir)
        remove_stale_temp_files(self.root)

    @property
    def assessments_dir(self) -> Path:
        return self.root / "assessments"

    @property
    def backups_dir(self) -> Path:
        return self.root / "backups"

    @property
    def trash_dir(self) -> Path:
        return self.root / "trash"

    @property
    def banks_dir(self) -> Path:
        return self.root / "banks"

    def file_path(self, assessment_id: str) -> Path:
        if not assessment_id or not all(c.isalnum() or c in "-_" for c in assessment_id):
            raise NotFoundError(f"no assessment with id {assessment_id!r}")
        return self.assessments_dir / f"{assessment_id}.json"

    def ids(self) -> list[str]:
        return sorted(p.stem for p in self.assessments_dir.glob("*.json") if not p.name.startswith("."))

    def exists(self, assessment_id: str) -> bool:
        return self.file_path(assessment_id).is_file()

    def _existing(self, assessment_id: str) -> Path:
        path = self.file_path(assessment_id)
        if not path.is_file():
            raise NotFoundError(f"no assessment with id {assessment_id!r} in {self.assessments_dir}")
        return path

    # -- create / open ---------------------------------------------------------------------
    def create(self, assessment: Assessment, answers: list[Answer] = (), edits: list[ActionEdit] = (),
               soa: list[SoaDecision] = ()) -> str:
        path = self.file_path(assessment.id)
        if path.exists():
            raise StorageError(f"an assessment with id {assessment.id} already exists")
        data = {
            "meta": {"1": assessment.to_doc() | {"schema_version": SCHEMA_VERSION}},
            "answers": {str(i): a.to_doc() for i, a in enumerate(answers, start=1)},
            "actions": {str(i): e.to_doc() for i, e in enumerate(edits, start=1)},
        }
        if soa:
            data["soa"] = {str(i): d.to_doc() for i, d in enumerate(soa, start=1)}
        try:
            atomic_write_bytes(path, encode(data))
        except OSError as exc:
            raise StorageError(f"cannot save {path}: {exc.strerror or exc}") from None
        return assessment.id

    def _lock_for(self, assessment_id: str) -> filelock.BaseFileLock:
        lock_path = self.file_path(assessment_id).with_suffix(".json.lock")
        return filelock.FileLock(str(lock_path), timeout=0, mode=FILE_MODE)

    def _acquire(self, assessment_id: str) -> filelock.BaseFileLock:
        """Take the one-writer lock of an assessment, or refuse with a message."""
        lock = self._lock_for(assessment_id)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise LockedError(
                f"assessment {assessment_id} is open in another isms-tui window or process; "
                "close it there first (only one writer at a time keeps answers safe)"
            ) from None
        return lock

    def open(self, assessment_id: str) -> AssessmentFile:
        """Open for writing: lock, check, back up, migrate."""
        path = self._existing(assessment_id)
        lock = self._acquire(assessment_id)
        try:
            self.read(assessment_id)  # refuses corrupt/future files before anything is written
            self._backup(path)
            return AssessmentFile(self, assessment_id, lock)
        except BaseException:
            lock.release()
            raise

    @contextlib.contextmanager
    def opened(self, assessment_id: str) -> Iterator[AssessmentFile]:
        f = self.open(assessment_id)
        try:
            yield f
        finally:
            f.close()

    def read(self, assessment_id: str) -> dict:
        """Read a file without locking it (list, export); raises CorruptFileError."""
        path = self._existing(assessment_id)
        try:
            data = decode_file(path)
            data, _ = migrate(data)
        except FutureVersionError:
            raise
        except (ValueError, OSError) as exc:
            raise CorruptFileError(path, str(exc), self.latest_backup(assessment_id)) from None
        return data

    def load(self, assessment_id: str) -> Loaded:
        """(assessment, answers, edits), unpacked as before; the tables added since schema 2
        are attributes of the result (``.soa``)."""
        data = self.read(assessment_id)
        try:
            assessment = Assessment.from_doc(next(iter(data["meta"].values())))
        except (TypeError, ValueError) as exc:
            raise CorruptFileError(self.file_path(assessment_id), f"bad assessment data: {exc}", self.latest_backup(assessment_id)) from None
        answers = {}
        for d in data.get("answers", {}).values():
            with contextlib.suppress(TypeError, ValueError):
                a = Answer.from_doc(d)
                answers[a.item_id] = a
        edits = {}
        for d in data.get("actions", {}).values():
            with contextlib.suppress(TypeError, ValueError):
                e = ActionEdit.from_doc(d)
                edits[e.action_id] = e
        return Loaded(assessment, answers, edits, soa=_soa_from_table(data.get("soa", {}).values()))

    # -- backups, trash --------------------------------------------------------------------
    def _backup_folder(self, assessment_id: str) -> Path:
        return self.backups_dir / assessment_id

    def backups(self, assessment_id: str) -> list[Path]:
        folder = self._backup_folder(assessment_id)
        return sorted(folder.glob("*.json"), reverse=True) if folder.is_dir() else []

    def latest_backup(self, assessment_id: str) -> Path | None:
        for b in self.backups(assessment_id):
            try:
                decode_file(b)
                return b
            except (ValueError, OSError):
                continue
        return None

    def _backup(self, path: Path) -> None:
        """Keep a rolling copy of the file as it was when opened (last BACKUPS_KEPT)."""
        folder = self._backup_folder(path.stem)
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
        data = path.read_bytes()
        existing = self.backups(path.stem)
        if existing and hashlib.sha256(existing[0].read_bytes()).digest() == hashlib.sha256(data).digest():
            return
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        atomic_write_bytes(folder / f"{stamp}.json", data)
        for old in self.backups(path.stem)[BACKUPS_KEPT:]:
            with contextlib.suppress(OSError):
                old.unlink()

    def restore(self, assessment_id: str) -> Path:
        """Put the latest good backup in place; the damaged file goes to the trash."""
        backup = self.latest_backup(assessment_id)
        if backup is None:
            raise StorageError(f"no good backup of assessment {assessment_id}")
        lock = self._acquire(assessment_id)
        try:
            path = self.file_path(assessment_id)
            if path.exists():
                self._to_trash(path, suffix="damaged")
            atomic_write_bytes(path, backup.read_bytes())
        finally:
            lock.release()
        return backup

    def _to_trash(self, path: Path, suffix: str = "deleted") -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        target = self.trash_dir / f"{path.stem}.{stamp}.{suffix}.json"
        os.replace(path, target)
        fsync_dir(self.trash_dir)
        fsync_dir(path.parent)
        return target

    def delete(self, assessment_id: str) -> Path:
        """Move an assessment to the trash folder (never erased)."""
        path = self._existing(assessment_id)
        lock = self._acquire(assessment_id)
        try:
            return self._to_trash(path)
        finally:
            lock.release()
            with contextlib.suppress(OSError):
                Path(lock.lock_file).unlink()

