"""Durable storage: one TinyDB file per assessment, written atomically.

TinyDB's stock JSONStorage truncates and rewrites its file in place, so a crash mid-write
leaves an unreadable file. :class:`AtomicJSONStorage` writes a temp file in the same folder,
fsyncs it, ``os.replace``s it over the old one and fsyncs the folder: after a crash the file
is either the old or the new version, never a mix. A second writer is refused by a lock
file; a corrupt file is reported with its last good backup and never overwritten.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import functools
import hashlib
import json
import os
import re
import secrets
import socket
import stat
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import filelock
from tinydb import Query, TinyDB
from tinydb.storages import Storage

from .model import ActionEdit, Answer, Assessment, check_doc, now_iso
from .soa_decisions import SoaDecision

if TYPE_CHECKING:  # the risk model loads on first use: start-up stays light
    from .annual_plan import Activity, CalendarData, CertificateRecord
    from .changes import ChangeRecord, ChangesData
    from .documents import DocumentEntry, DocumentRegister
    from .findings import Finding, FindingsData
    from .internal_audit import Audit, AuditData, AuditLine
    from .preaudit import SamplingData, SamplingEntry
    from .risk import Asset, Risk, RiskCriteria, RiskData
    from .workshop import AnswerEvent, ParkedItem, Participant, Workshop, WorkshopData

try:
    import fcntl
except ImportError:  # Windows: a file being written cannot be deleted there anyway
    fcntl = None  # type: ignore[assignment]

SCHEMA_VERSION = 10
RISK_TABLES = ("risk_criteria", "assets", "risks", "soa")  # tables schema 3 adds
LIVE_SUFFIX = ".live"  # <id>.json.live: where the writer's screen is, for read-only followers
FILE_MODE = 0o600
DIR_MODE = 0o700
BACKUPS_KEPT = 5
TMP_SUFFIX = ".tmp"
# A temp file whose writer cannot be checked (another machine or container) is removed only
# when nobody holds it and it has not changed for this long.
FOREIGN_TEMP_AGE = 3600.0

# Our temp names say who wrote them: ``.<target>.isms-<host>-<pid>-<random>.tmp``, parsed from
# the right so an id made of digits is never taken for a pid. Earlier versions wrote
# ``.<id>.json.<pid>.<random>.tmp``.
_TEMP_RE = re.compile(r"^\.(?P<target>.+)\.isms-(?P<host>[0-9a-f]{8})-(?P<pid>\d{1,10})-[0-9a-f]{8}\.tmp$")
_LEGACY_TEMP_RE = re.compile(r"^\.(?P<target>[\w-]+\.json)\.(?P<pid>\d{1,10})\.[A-Za-z0-9_]+\.tmp$")
_BACKUP_RE = re.compile(r"^(?P<stamp>\d{8}T\d{6,12}Z)(?:-(?P<n>\d+))?\.json$")
# errno values meaning "this file system has no hard links": fall back to another way
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK, errno.EXDEV}
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _msg(key: str, lang: str = "en", **params: object) -> str:
    from .i18n import t

    return t(key, lang, **params)


def reason(exc: OSError) -> str:
    """The cause of an OS error in a few words (``No space left on device``)."""
    return exc.strerror or type(exc).__name__


class StorageError(Exception):
    """A storage problem, with a message meant for the user (one line).

    ``str(exc)`` is English; ``exc.localized(lang)`` reads the same message from the catalog.
    """

    def __init__(self, message: str | None = None, *, key: str | None = None, **params: object):
        self.key, self.params = key, params
        super().__init__(message if message is not None else _msg(key or "", **params))

    def localized(self, lang: str) -> str:
        return _msg(self.key, lang, **self.params) if self.key else str(self)


class LockedError(StorageError):
    pass


class CorruptFileError(StorageError):
    def __init__(self, path: Path, reason: str, backup: Path | None):
        self.path, self.reason, self.backup = path, reason, backup
        super().__init__(self.localized("en"))

    def localized(self, lang: str) -> str:
        params = {"path": self.path, "reason": self.reason, "backup": self.backup, "id": self.path.stem}
        tail = "storage.corrupt_backup" if self.backup else "storage.corrupt_no_backup"
        return _msg("storage.corrupt", lang, **params) + " " + _msg(tail, lang, **params)


class FutureVersionError(StorageError):
    pass


class NotFoundError(StorageError):
    pass


class UnsafeFolderError(StorageError):
    """A data folder that other users can write to: refused, never changed."""


class HealthyFileError(StorageError):
    """``restore`` of a file that is not damaged (needs ``force``)."""


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a folder be fsynced
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- temp files: who wrote them, and whether that writer is gone ---------------------------------

@functools.cache
def _host_tag() -> str:
    """This machine, boot and pid namespace: a pid in a temp name is ours to check only here."""
    parts = [socket.gethostname()]
    with contextlib.suppress(OSError):
        parts.append(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
    with contextlib.suppress(OSError):
        parts.append(str(os.stat("/proc/self/ns/pid").st_ino))
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:8]


def _hold(fd: int) -> None:
    """Mark a temp file as being written: start-up cleanup skips it while we live."""
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _open_temp(path: Path) -> tuple[int, Path]:
    """A new temp file beside ``path``, created exclusively (O_EXCL) and held by this process."""
    for _ in range(100):
        tmp = path.parent / f".{path.name}.isms-{_host_tag()}-{os.getpid()}-{secrets.token_hex(4)}{TMP_SUFFIX}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, FILE_MODE)
        except FileExistsError:
            continue
        _hold(fd)
        return fd, tmp
    raise FileExistsError(errno.EEXIST, "no free temp file name", str(path))


def _write_and_close(fd: int, data: bytes, mode: int) -> None:
    """Write, fsync and close (a close can report a late write error: the file is then not used).
    Once closed the temp file is no longer held; its name still carries the writer's pid."""
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise
    os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old or the new file, whole."""
    path = Path(path)
    fd, tmp = _open_temp(path)
    try:
        _write_and_close(fd, data, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def _link_unique(src: Path, folder: Path, stem: str, ext: str) -> Path | None:
    """Link ``src`` to ``folder/stem[-n]ext`` under a name no file has (a link never
    overwrites); None where the file system has no hard links."""
    for n in range(1, 10_000):
        target = folder / (f"{stem}{ext}" if n == 1 else f"{stem}-{n}{ext}")
        try:
            os.link(src, target)
            return target
        except FileExistsError:
            continue
        except OSError as exc:
            if exc.errno in _NO_LINKS:
                return None
            raise
    raise FileExistsError(errno.EEXIST, "no free file name", str(folder / f"{stem}{ext}"))


def _reserve_unique(folder: Path, stem: str, ext: str) -> Path:
    """Create an empty ``folder/stem[-n]ext`` that did not exist (O_EXCL): a name that is ours."""
    for n in range(1, 10_000):
        target = folder / (f"{stem}{ext}" if n == 1 else f"{stem}-{n}{ext}")
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC, FILE_MODE))
            return target
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free file name", str(folder / f"{stem}{ext}"))


def move_unique(src: Path, folder: Path, stem: str, ext: str) -> Path:
    """Move ``src`` into ``folder`` under a new unique name; never overwrites a file."""
    target = _link_unique(src, folder, stem, ext)
    if target is None:  # no hard links (FAT, some shares): reserve a name, then move onto it
        target = _reserve_unique(folder, stem, ext)
        try:
            os.replace(src, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(target)
            raise
    else:
        try:
            os.unlink(src)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(target)  # not moved after all: no second name left behind
            raise
    fsync_dir(folder)
    if src.parent != folder:
        fsync_dir(src.parent)
    return target


def write_unique(folder: Path, stem: str, ext: str, data: bytes) -> Path:
    """Write ``data`` durably to a new file ``folder/stem[-n]ext``; never overwrites a file."""
    fd, tmp = _open_temp(folder / f"{stem}{ext}")
    try:
        _write_and_close(fd, data, FILE_MODE)
        return move_unique(tmp, folder, stem, ext)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def _writer_gone(path: Path, host: str | None, pid: int) -> bool:
    """True when the process that wrote this temp file is provably gone."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | _O_NOFOLLOW | _O_CLOEXEC)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return False
        if host is not None and fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # its writer still holds it
            except OSError:
                pass  # no locks on this file system: the pid and the age decide
        if host is None or host == _host_tag():
            return not _pid_alive(pid)
        return time.time() - st.st_mtime > FOREIGN_TEMP_AGE
    finally:
        os.close(fd)


def remove_stale_temp_files(folder: str | os.PathLike[str], target_suffix: str = "") -> int:
    """Remove our temp files whose writer is gone (only names we write, ending ``.tmp``;
    with ``target_suffix`` only those for such targets, e.g. ``.xlsx`` in an export folder)."""
    removed = 0
    try:
        with os.scandir(folder) as it:
            names = [e.name for e in it if e.name.startswith(".") and e.name.endswith(TMP_SUFFIX)]
    except OSError:
        return 0
    for name in names:
        m = _TEMP_RE.match(name) or _LEGACY_TEMP_RE.match(name)
        if m is None or not m["target"].lower().endswith(target_suffix):
            continue
        p = Path(folder, name)
        host = m.groupdict().get("host")
        if _writer_gone(p, host, int(m["pid"])):
            with contextlib.suppress(OSError):
                p.unlink()
                removed += 1
    return removed


def _private_group(gid: int) -> bool:
    """The user's own group with nobody else in it (a "user private group", umask 002 systems)."""
    try:
        import grp
        import pwd

        user = pwd.getpwuid(os.geteuid())
        group = grp.getgrgid(gid)
    except (ImportError, KeyError, OSError):
        return False
    return gid == user.pw_gid and group.gr_name == user.pw_name and set(group.gr_mem) <= {user.pw_name}


def others_can_write(st: os.stat_result) -> bool:
    """Whether users other than the owner can write to a file or folder with this stat."""
    if st.st_mode & stat.S_IWOTH:
        return True
    return bool(st.st_mode & stat.S_IWGRP) and not _private_group(st.st_gid)


def make_private_dirs(path: Path) -> None:
    """Create ``path`` and its missing parents as 0700 whatever the umask."""
    missing = []
    p = Path(path)
    while not p.is_dir():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            os.mkdir(d, DIR_MODE)
        except FileExistsError:
            if d.is_dir():
                continue
            raise
        os.chmod(d, DIR_MODE)


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
    version = meta.get("schema_version", 0)
    if isinstance(version, int) and version <= SCHEMA_VERSION:  # a newer file is refused by migrate()
        # values are checked in the current shape: an older file is checked as it will be migrated
        why = check_values(migrate(copy.deepcopy(data))[0] if version < SCHEMA_VERSION else data)
        if why:
            raise ValueError(why)
    return data


_TABLES = {"meta": Assessment, "answers": Answer, "actions": ActionEdit}


def check_values(data: dict) -> str | None:
    """Why a decoded file holds a value this version cannot use, or None."""
    for table, cls in _TABLES.items():
        for doc_id, doc in data.get(table, {}).items():
            if not (doc_id.isascii() and doc_id.isdigit()):
                return f"{table}: record id {doc_id[:20]!r} is not a number"
            why = check_doc(cls, doc)
            if why:
                return f"{table} record {doc_id}: {why}"
    try:
        Assessment.from_doc(next(iter(data["meta"].values())))
    except (TypeError, ValueError) as exc:
        return f"meta: {exc}"
    from .risk import Asset, Risk, RiskCriteria

    for table, cls in (("risk_criteria", RiskCriteria), ("assets", Asset), ("risks", Risk)):
        for doc_id, doc in (data.get(table) or {}).items():
            try:
                cls.from_doc(doc)
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                return f"{table} record {doc_id}: {str(exc)[:80] or type(exc).__name__}"
    from .workshop import check_tables

    why = check_tables(data)
    if why:
        return why
    from .annual_plan import check_tables as check_calendar
    from .changes import check_tables as check_changes
    from .documents import check_tables as check_documents
    from .findings import check_tables as check_findings
    from .internal_audit import check_tables as check_audits
    from .preaudit import check_tables as check_sampling

    return check_documents(data) or check_findings(data) or check_audits(data) or check_sampling(data) or check_calendar(data) or check_changes(data)


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
        except OSError as exc:
            self._cache = None  # memory may be ahead of disk now: reload on next read
            raise StorageError(key="storage.cannot_save", path=self.path, reason=reason(exc)) from None
        except BaseException:
            self._cache = None
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
        raise FutureVersionError(key="storage.future", version=version, supported=SCHEMA_VERSION)
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
        version = 2
        changed = True
    if version < 3:
        # Schema 3: the risk criteria, the asset ledger and the risk register live in the file
        # (tables risk_criteria, assets, risks). An older isms-tui must not write such a file
        # without knowing that its gate and plan depend on them.
        for table in RISK_TABLES:
            data.setdefault(table, {})
        meta["schema_version"] = 3
        version = 3
        changed = True
    if version < 4:
        # Schema 4: workshops (isms_tui/workshop.py). Participants were a list of names in the
        # header; they become records with an id (answers name who decided by that id) and a
        # role. Tables participants, workshops, history and parked are added.
        from .workshop import WORKSHOP_TABLES, Participant, parse_participants

        for table in WORKSHOP_TABLES:
            data.setdefault(table, {})
        names = meta.pop("participants", None)
        if isinstance(names, list) and not data["participants"]:
            stamp = meta.get("created") if isinstance(meta.get("created"), str) else now_iso()
            n = 0
            for raw in names:
                if not isinstance(raw, str):
                    continue
                for name, role in parse_participants(raw.replace(",", " ")) or []:
                    n += 1
                    data["participants"][str(n)] = Participant(name, role, created=stamp).to_doc()
        meta["schema_version"] = 4
        version = 4
        changed = True
    if version < 5:
        # Schema 5: the documents & records register (isms_tui/documents.py). Once it has an
        # entry, the mandatory documents decide part of the stage 1 gate and add plan actions
        # (source kind "document"): an older isms-tui must not write such a file.
        from .documents import DOCUMENTS_TABLE

        data.setdefault(DOCUMENTS_TABLE, {})
        meta["schema_version"] = 5
        version = 5
        changed = True
    if version < 6:
        # Schema 6: the findings register (isms_tui/findings.py), table findings. A finding's
        # corrective action is a plan action and a major nonconformity blocks the certification
        # decision: an older isms-tui must not write such a file without knowing them.
        from .findings import FINDINGS_TABLES

        for table in FINDINGS_TABLES:
            data.setdefault(table, {})
        meta["schema_version"] = 6
        version = 6
        changed = True
    if version < 7:
        # Schema 7: the stage 2 sampling list (isms_tui/preaudit.py), table sampling: how many
        # months of each record type the company holds. A record type under three months is a
        # plan action (source kind "sampling"): an older isms-tui must not write such a file.
        from .preaudit import SAMPLING_TABLE

        data.setdefault(SAMPLING_TABLE, {})
        meta["schema_version"] = 7
        version = 7
        changed = True
    if version < 8:
        # Schema 8: the internal audit kit (isms_tui/internal_audit.py), tables audits and
        # audit_lines. A programme makes clause 9.2.2 of the gate wait for an audit done with
        # every checklist line recorded, and a line's result raises findings: an older
        # isms-tui must not write such a file without knowing them.
        from .internal_audit import AUDIT_TABLES

        for table in AUDIT_TABLES:
            data.setdefault(table, {})
        meta["schema_version"] = 8
        version = 8
        changed = True
    if version < 9:
        # Schema 9: the certification calendar (isms_tui/annual_plan.py), table calendar: the
        # certificate's number, body and audit dates and the yearly activities' last-done dates.
        # Its overdue activities show on the dashboard and in the report: an older isms-tui must
        # not write such a file without knowing them.
        from .annual_plan import CALENDAR_TABLE

        data.setdefault(CALENDAR_TABLE, {})
        meta["schema_version"] = 9
        version = 9
        changed = True
    if version < 10:
        # Schema 10: the next cycle (isms_tui/next_cycle.py). Answers carried from the previous
        # cycle are marked "to re-confirm" (Answer.reconfirm) and the changes since the last
        # cycle are asked (table changes; a described change is a plan action). An older
        # isms-tui must not read such a file: it would take the carried answers as fresh.
        from .changes import CHANGES_TABLE

        data.setdefault(CHANGES_TABLE, {})
        meta["schema_version"] = 10
        changed = True
    return data, changed


def _upsert(data: dict, table: str, doc: dict, match: Callable[[dict], bool]) -> None:
    rows = data.setdefault(table, {})
    key = next((k for k, d in rows.items() if match(d)), None)
    rows[key or str(max(map(int, rows), default=0) + 1)] = doc


def _drop(data: dict, table: str, match: Callable[[dict], bool]) -> None:
    rows = data.get(table) or {}
    for k in [k for k, d in rows.items() if match(d)]:
        del rows[k]


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
        # Risk assessment (issue 17): additive tables, absent in older files (read as empty).
        self._risk_criteria = self.db.table("risk_criteria", cache_size=0)
        self._assets = self.db.table("assets", cache_size=0)
        self._risks = self.db.table("risks", cache_size=0)
        self._soa = self.db.table("soa", cache_size=0)  # added after schema 2; absent reads as empty
        # Workshops (schema 4): participants, sessions, who decided what, parked items.
        self._participants = self.db.table("participants", cache_size=0)
        self._workshops = self.db.table("workshops", cache_size=0)
        self._history = self.db.table("history", cache_size=0)
        self._parked = self.db.table("parked", cache_size=0)
        # The documents & records register (schema 5).
        self._documents = self.db.table("documents", cache_size=0)
        # Findings register (schema 6).
        self._findings = self.db.table("findings", cache_size=0)
        # Changes since the last cycle (schema 10).
        self._changes = self.db.table("changes", cache_size=0)
        # The certification calendar (schema 9).
        self._calendar = self.db.table("calendar", cache_size=0)
        # The stage 2 sampling list (schema 7), one row per record type.
        self._sampling = self.db.table("sampling", cache_size=0)

    # -- meta ------------------------------------------------------------------------------
    @property
    def assessment(self) -> Assessment:
        return Assessment.from_doc(self._meta.all()[0])

    def save_assessment(self, assessment: Assessment) -> None:
        assessment.updated = now_iso()
        doc = assessment.to_doc() | {"schema_version": SCHEMA_VERSION}
        self._meta.update(doc, doc_ids=[self._meta.all()[0].doc_id])

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

    # -- risk criteria, asset ledger, risk register ------------------------------------------
    def risk_data(self) -> RiskData:
        from .risk import RiskData

        data = self.storage.read() or {}
        return RiskData.from_tables(data)

    def put_criteria(self, criteria: RiskCriteria) -> None:
        self._risk_criteria.upsert(criteria.to_doc(), Query().version == criteria.version)

    def put_asset(self, asset: Asset) -> None:
        self._assets.upsert(asset.to_doc(), Query().id == asset.id)

    def remove_asset(self, asset_id: str) -> None:
        self._assets.remove(Query().id == asset_id)

    def put_risk(self, risk: Risk) -> None:
        self._risks.upsert(risk.to_doc(), Query().id == risk.id)

    def remove_risk(self, risk_id: str) -> None:
        self._risks.remove(Query().id == risk_id)
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

    # -- workshops: participants, sessions, history of decisions, parked items -------------
    def workshop_data(self) -> WorkshopData:
        from .workshop import WorkshopData

        return WorkshopData.from_tables(self.storage.read() or {})

    def put_participant(self, participant: Participant) -> None:
        self._participants.upsert(participant.to_doc(), Query().id == participant.id)

    def put_workshop(self, workshop: Workshop) -> None:
        self._workshops.upsert(workshop.to_doc(), Query().id == workshop.id)

    def put_answer_with_event(self, answer: Answer, event: AnswerEvent | None) -> None:
        """The answer and the history entry of its change in one durable write."""
        if event is None:
            self.put_answer(answer)
            return
        data = self.storage.read()
        assert data is not None
        answers = data.setdefault("answers", {})
        key = next((k for k, d in answers.items() if d.get("item_id") == answer.item_id), None)
        answer.updated = now_iso()
        if answer.is_empty:
            answers.pop(key, None)
        else:
            answers[key or str(max(map(int, answers), default=0) + 1)] = answer.to_doc()
        history = data.setdefault("history", {})
        history[str(max(map(int, history), default=0) + 1)] = event.to_doc()
        self.storage.write(data)

    def put_parked(self, parked: ParkedItem) -> None:
        self._parked.upsert(parked.to_doc(), Query().id == parked.id)

    # -- the documents & records register (table "documents") --------------------------------
    def documents(self) -> DocumentRegister:
        from .documents import DocumentRegister

        return DocumentRegister.from_tables(self.storage.read() or {})

    def put_document(self, entry: DocumentEntry) -> None:
        self._documents.upsert(entry.to_doc(), Query().id == entry.id)

    def put_documents(self, entries: list[DocumentEntry]) -> None:
        """Several new entries in one durable write (seeding from the catalogue)."""
        data = self.storage.read()
        assert data is not None
        table = data.setdefault("documents", {})
        n = max(map(int, table), default=0)
        for entry in entries:
            n += 1
            table[str(n)] = entry.to_doc()
        self.storage.write(data)

    def remove_document(self, entry_id: str) -> None:
        self._documents.remove(Query().id == entry_id)


    # -- findings register ------------------------------------------------------------------
    def findings_data(self) -> FindingsData:
        from .findings import FindingsData

        return FindingsData.from_tables(self.storage.read() or {})

    def put_finding(self, finding: Finding) -> None:
        self._findings.upsert(finding.to_doc(), Query().id == finding.id)

    # -- changes since the last cycle (table "changes") --------------------------------------
    def changes_data(self) -> ChangesData:
        from .changes import ChangesData

        return ChangesData.from_tables(self.storage.read() or {})

    def put_change(self, record: ChangeRecord) -> None:
        self._changes.upsert(record.to_doc(), Query().topic == record.topic)


    def remove_finding(self, finding_id: str, action_id: str) -> None:
        """A finding, the plan edit of its action and the link of the audit line that raised
        it, in one durable write."""
        data = self._data()
        _drop(data, "findings", lambda d: d.get("id") == finding_id)
        _drop(data, "actions", lambda d: d.get("action_id") == action_id)
        for doc in (data.get("audit_lines") or {}).values():
            if doc.get("finding") == finding_id:
                doc["finding"] = ""
        self.storage.write(data)

    # -- internal audits (schema 8) ------------------------------------------------------------
    def audit_data(self) -> AuditData:
        from .internal_audit import AuditData

        return AuditData.from_tables(self.storage.read() or {})

    def _data(self) -> dict:
        data = self.storage.read()
        assert data is not None
        return copy.deepcopy(data)  # a failed write leaves memory as the disk is

    def put_audit(self, audit: Audit) -> None:
        data = self._data()
        _upsert(data, "audits", audit.to_doc(), lambda d: d.get("id") == audit.id)
        self.storage.write(data)

    def put_audit_line(self, line: AuditLine, *, finding: Finding | None = None, remove_finding: str = "",
                       action_id: str = "") -> None:
        """A checklist line with the finding it raises or changes (or the finding it
        removes, with its plan edit), in one durable write."""
        data = self._data()
        match = lambda d: (d.get("audit"), d.get("item")) == line.key  # noqa: E731
        if line.is_empty:
            _drop(data, "audit_lines", match)
        else:
            _upsert(data, "audit_lines", line.to_doc(), match)
        if finding is not None:
            _upsert(data, "findings", finding.to_doc(), lambda d: d.get("id") == finding.id)
        if remove_finding:
            _drop(data, "findings", lambda d: d.get("id") == remove_finding)
            _drop(data, "actions", lambda d: d.get("action_id") == action_id)
        self.storage.write(data)


    # -- the certification calendar (table "calendar") ---------------------------------------
    def calendar_data(self) -> CalendarData:
        from .annual_plan import CalendarData

        return CalendarData.from_tables(self.storage.read() or {})

    def put_certificate(self, cert: CertificateRecord, assessment: Assessment | None = None) -> None:
        """The certificate row and, when given, the assessment's fields it keeps in step with
        (issue date, target date), in one durable write."""
        data = self.storage.read()
        assert data is not None
        table = data.setdefault("calendar", {})
        key = next((k for k, d in table.items() if isinstance(d, dict) and d.get("row") == "certificate"), None)
        table[key or str(max(map(int, table), default=0) + 1)] = cert.to_doc()
        if assessment is not None:
            assessment.updated = now_iso()
            meta_key = next(iter(data["meta"]))
            data["meta"][meta_key] = assessment.to_doc() | {"schema_version": SCHEMA_VERSION}
        self.storage.write(data)

    def put_activity(self, activity: Activity) -> None:
        self._calendar.upsert(activity.to_doc(), (Query().row == "activity") & (Query().key == activity.key))

    def remove_activity(self, key: str) -> None:
        self._calendar.remove((Query().row == "activity") & (Query().key == key))


    # -- the stage 2 sampling list (table "sampling") ----------------------------------------
    def sampling_data(self) -> SamplingData:
        from .preaudit import SamplingData

        return SamplingData.from_tables(self.storage.read() or {})

    def put_sampling(self, entry: SamplingEntry) -> None:
        self._sampling.upsert(entry.to_doc(), Query().record_type == entry.record_type)

    # -- where the writer is (for followers) -------------------------------------------------
    def write_live(self, doc: dict) -> None:
        """Tell read-only followers where this writer is (item, session, speaker). A small
        side file next to the assessment, replaced atomically; not fsynced: it says where the
        screen is, it holds no data."""
        doc = doc | {"pid": os.getpid(), "host": _host_tag()}
        write_ephemeral(live_path(self.path), encode(doc))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            live_path(self.path).unlink()
        with contextlib.suppress(Exception):
            self.db.close()
        with contextlib.suppress(Exception):
            self._lock.release()

    def __enter__(self) -> AssessmentFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def live_path(path: Path) -> Path:
    return path.with_name(path.name + LIVE_SUFFIX)


def write_ephemeral(path: Path, data: bytes) -> None:
    """Replace a small side file atomically (readers see the old or the new one) without
    fsync: it is rewritten on every move and losing it in a crash loses nothing."""
    fd, tmp = _open_temp(path)
    try:
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_live(path: Path) -> dict | None:
    """The follower's side: where the writer is, or None (nobody writing, or unreadable)."""
    try:
        doc = json.loads(live_path(path).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    pid, host = doc.get("pid"), doc.get("host")
    if isinstance(pid, int) and host == _host_tag() and not _pid_alive(pid):
        return None  # left by a writer that was killed
    return doc


class Store:
    """The data folder: ``assessments/`` (one file each), ``backups/``, ``trash/``, ``banks/``.

    A folder that other users can write to is refused. A read-only folder (a copy on a
    read-only share, a USB stick) is served for reading; only writes are refused.
    """

    def __init__(self, data_dir: str | os.PathLike[str]):
        self.root = Path(data_dir)
        self.read_only = False
        try:
            make_private_dirs(self.root)
        except OSError as exc:
            raise StorageError(key="storage.cannot_use_folder", path=self.root, reason=reason(exc)) from None
        for d in (self.root, self.assessments_dir, self.backups_dir, self.trash_dir):
            self._check_folder(d)
        if not self.read_only:  # temp files left by writers that were killed
            for d in (self.assessments_dir, self.root, self.trash_dir, *self._backup_folders()):
                remove_stale_temp_files(d)
            remove_stale_temp_files(self.exports_dir, target_suffix=".xlsx")

    def _check_folder(self, d: Path) -> None:
        """Create a missing subfolder 0700; refuse one that others can write; tighten our own."""
        try:
            st = os.stat(d)
        except FileNotFoundError:
            try:
                make_private_dirs(d)
            except OSError as exc:
                if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                    self.read_only = True  # readable without it
                    return
                raise StorageError(key="storage.cannot_use_folder", path=d, reason=reason(exc)) from None
            return
        except OSError as exc:
            raise StorageError(key="storage.cannot_use_folder", path=d, reason=reason(exc)) from None
        if not stat.S_ISDIR(st.st_mode):
            raise StorageError(key="storage.cannot_use_folder", path=d, reason=_msg("storage.not_a_folder"))
        if others_can_write(st):
            raise UnsafeFolderError(key="storage.unsafe_folder", path=d, mode=f"{stat.S_IMODE(st.st_mode):o}")
        if stat.S_IMODE(st.st_mode) != DIR_MODE:
            try:
                os.chmod(d, DIR_MODE)
            except OSError:
                self.read_only = self.read_only or not os.access(d, os.W_OK)
        if not os.access(d, os.W_OK):
            self.read_only = True

    def _backup_folders(self) -> list[str]:
        try:
            with os.scandir(self.backups_dir) as it:
                return [e.path for e in it if e.is_dir(follow_symlinks=False)]
        except OSError:
            return []

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

    @property
    def exports_dir(self) -> Path:
        """Where the TUI writes workbooks."""
        return self.root / "exports"

    def file_path(self, assessment_id: str) -> Path:
        if not assessment_id or not all(c.isalnum() or c in "-_" for c in assessment_id):
            raise NotFoundError(key="storage.not_found", id=assessment_id, folder=self.assessments_dir)
        return self.assessments_dir / f"{assessment_id}.json"

    def ids(self) -> list[str]:
        try:
            names = [e.name for e in os.scandir(self.assessments_dir)]
        except OSError:
            return []
        return sorted(n[:-5] for n in names if n.endswith(".json") and not n.startswith("."))

    def exists(self, assessment_id: str) -> bool:
        return self.file_path(assessment_id).is_file()

    def _existing(self, assessment_id: str) -> Path:
        path = self.file_path(assessment_id)
        if not path.is_file():
            raise NotFoundError(key="storage.not_found", id=assessment_id, folder=self.assessments_dir)
        return path

    # -- create / open ---------------------------------------------------------------------
    def create(self, assessment: Assessment, answers: list[Answer] = (), edits: list[ActionEdit] = (),
               *, risk: RiskData | None = None, soa: list[SoaDecision] = (),
               workshop: WorkshopData | None = None, documents: DocumentRegister | None = None,
               findings: FindingsData | None = None, changes: ChangesData | None = None,
               audits: AuditData | None = None, calendar: CalendarData | None = None,
               sampling: SamplingData | None = None,
               tables: dict[str, list[dict]] | None = None) -> str:
        """A new assessment file with the given content; ``tables`` are further tables stored
        as they are (a next cycle carries the tables of registers it does not model itself)."""
        path = self.file_path(assessment.id)
        if path.exists():
            raise StorageError(key="storage.exists", id=assessment.id)
        data = {
            "meta": {"1": assessment.to_doc() | {"schema_version": SCHEMA_VERSION}},
            "answers": {str(i): a.to_doc() for i, a in enumerate(answers, start=1)},
            "actions": {str(i): e.to_doc() for i, e in enumerate(edits, start=1)},
        }
        if risk is not None and risk.exists:
            for table, docs in risk.to_tables().items():
                data[table] = {str(i): d for i, d in enumerate(docs, start=1)}
        if soa:
            data["soa"] = {str(i): d.to_doc() for i, d in enumerate(soa, start=1)}
        if workshop is not None:
            for table, docs in workshop.to_tables().items():
                data[table] = {str(i): d for i, d in enumerate(docs, start=1)}
        if documents is not None and documents.exists:
            for table, docs in documents.to_tables().items():
                data[table] = {str(i): d for i, d in enumerate(docs, start=1)}
        if findings is not None:
            for table, docs in findings.to_tables().items():
                data[table] = {str(i): d for i, d in enumerate(docs, start=1)}
        if sampling is not None:
            for table, docs in sampling.to_tables().items():
                data[table] = {str(i): d for i, d in enumerate(docs, start=1)}
        if calendar is not None:
            for table, docs in calendar.to_tables().items():
                data[table] = {str(i): d for i, d in enumerate(docs, start=1)}
        if audits is not None:
            for table, docs in audits.to_tables().items():
                data[table] = {str(i): d for i, d in enumerate(docs, start=1)}
        if changes is not None and changes.exists:
            for table, docs in changes.to_tables().items():
                data[table] = {str(i): d for i, d in enumerate(docs, start=1)}
        for table, docs in (tables or {}).items():
            if table not in data:
                data[table] = {str(i): dict(d) for i, d in enumerate(docs, start=1)}
        try:
            fd, tmp = _open_temp(path)
            try:
                _write_and_close(fd, encode(data), FILE_MODE)
                try:
                    os.link(tmp, path)  # never over an existing file
                    os.unlink(tmp)
                except FileExistsError:
                    raise StorageError(key="storage.exists", id=assessment.id) from None
                except OSError as exc:
                    if exc.errno not in _NO_LINKS or path.exists():
                        raise
                    os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise StorageError(key="storage.cannot_create", path=path, reason=reason(exc)) from None
        fsync_dir(path.parent)
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
            raise LockedError(key="storage.locked", id=assessment_id) from None
        except OSError as exc:
            raise StorageError(key="storage.cannot_lock", id=assessment_id, path=lock.lock_file, reason=reason(exc)) from None
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

    def read(self, assessment_id: str) -> dict:
        """Read a file without locking it (list, export); raises CorruptFileError."""
        path = self._existing(assessment_id)
        try:
            data = decode_file(path)
            data, _ = migrate(data)
        except FutureVersionError:
            raise
        except (ValueError, OSError) as exc:
            why = reason(exc) if isinstance(exc, OSError) else str(exc)
            raise CorruptFileError(path, why, self.latest_backup(assessment_id)) from None
        return data

    def load(self, assessment_id: str, data: dict | None = None) -> Loaded:
        """(assessment, answers, edits), unpacked as before; the tables added since schema 2
        are attributes of the result (``.soa``). ``data``: the file as :meth:`read` returned
        it, when the caller reads it once for several registers (the load_* methods take it
        too)."""
        if data is None:
            data = self.read(assessment_id)  # every value checked: the objects below cannot fail
        assessment = Assessment.from_doc(next(iter(data["meta"].values())))
        answers = {a.item_id: a for a in map(Answer.from_doc, data.get("answers", {}).values())}
        edits = {e.action_id: e for e in map(ActionEdit.from_doc, data.get("actions", {}).values())}
        return Loaded(assessment, answers, edits, soa=_soa_from_table(data.get("soa", {}).values()))

    def load_workshop(self, assessment_id: str, data: dict | None = None) -> WorkshopData:
        """Participants, sessions, history and parked items of a stored assessment."""
        from .workshop import WorkshopData

        return WorkshopData.from_tables(self.read(assessment_id) if data is None else data)

    def load_documents(self, assessment_id: str, data: dict | None = None) -> DocumentRegister:
        """The documents & records register of a stored assessment."""
        from .documents import DocumentRegister

        return DocumentRegister.from_tables(self.read(assessment_id) if data is None else data)


    def load_findings(self, assessment_id: str, data: dict | None = None) -> FindingsData:
        """The findings register of a stored assessment."""
        from .findings import FindingsData

        return FindingsData.from_tables(self.read(assessment_id) if data is None else data)

    def load_changes(self, assessment_id: str, data: dict | None = None) -> ChangesData:
        """The changes since the last cycle of a stored assessment (empty: not a next cycle)."""
        from .changes import ChangesData

        return ChangesData.from_tables(self.read(assessment_id) if data is None else data)


    def load_audits(self, assessment_id: str, data: dict | None = None) -> AuditData:
        """The internal audits of a stored assessment."""
        from .internal_audit import AuditData

        return AuditData.from_tables(self.read(assessment_id) if data is None else data)


    def load_calendar(self, assessment_id: str, data: dict | None = None) -> CalendarData:
        """The certification calendar of a stored assessment."""
        from .annual_plan import CalendarData

        return CalendarData.from_tables(self.read(assessment_id) if data is None else data)


    def load_sampling(self, assessment_id: str, data: dict | None = None) -> SamplingData:
        """The stage 2 sampling list of a stored assessment."""
        from .preaudit import SamplingData

        return SamplingData.from_tables(self.read(assessment_id) if data is None else data)

    def live(self, assessment_id: str) -> dict | None:
        """Where the assessment's writer is (None when nobody has it open)."""
        return read_live(self.file_path(assessment_id))

    def load_risk(self, assessment_id: str, data: dict | None = None) -> RiskData:
        """The risk criteria, asset ledger and risk register of a stored assessment."""
        from .risk import RiskData

        return RiskData.from_tables(self.read(assessment_id) if data is None else data)

    # -- backups, trash --------------------------------------------------------------------
    def _backup_folder(self, assessment_id: str) -> Path:
        return self.backups_dir / assessment_id

    def backups(self, assessment_id: str) -> list[Path]:
        """Backups of an assessment, newest first (by the time in their name, then their number)."""
        folder = self._backup_folder(assessment_id)
        if not folder.is_dir():
            return []

        def order(p: Path) -> tuple[str, int]:
            m = _BACKUP_RE.match(p.name)
            return (m["stamp"], int(m["n"] or 1)) if m else (p.name, 0)

        return sorted((p for p in folder.glob("*.json") if not p.name.startswith(".")), key=order, reverse=True)

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
        try:
            if folder.exists() and not folder.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, _msg("storage.not_a_folder"))
            if not folder.is_dir():
                os.mkdir(folder, DIR_MODE)
                os.chmod(folder, DIR_MODE)
            data = path.read_bytes()
            existing = self.backups(path.stem)
            if existing and hashlib.sha256(existing[0].read_bytes()).digest() == hashlib.sha256(data).digest():
                return
            write_unique(folder, datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ"), ".json", data)
        except OSError as exc:
            raise StorageError(key="storage.cannot_back_up", id=path.stem, path=folder, reason=reason(exc)) from None
        for old in self.backups(path.stem)[BACKUPS_KEPT:]:
            with contextlib.suppress(OSError):
                old.unlink()

    def _trash_stem(self, assessment_id: str) -> str:
        return f"{assessment_id}.{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}"

    def restore(self, assessment_id: str, *, force: bool = False) -> tuple[Path, Path | None]:
        """Put the latest good backup in place. Returns (the backup, where the file it replaced
        went in the trash, or None when there was none).

        A file that is not damaged is replaced only with ``force``. The restored file is
        written first; the one it replaces is linked into the trash before the restored one
        takes its name, so at every moment the assessment is the old file or the new one.
        """
        path = self.file_path(assessment_id)
        if self.latest_backup(assessment_id) is None:
            raise StorageError(key="storage.no_backup", id=assessment_id)
        lock = self._acquire(assessment_id)
        try:
            backup = self.latest_backup(assessment_id)
            if backup is None:
                raise StorageError(key="storage.no_backup", id=assessment_id)
            kind = None
            if os.path.lexists(path):
                kind = "damaged"
                try:
                    self.read(assessment_id)
                    kind = "replaced"
                except CorruptFileError:
                    pass
                except FutureVersionError:
                    kind = "replaced"
                if kind == "replaced" and not force:
                    raise HealthyFileError(key="storage.healthy", id=assessment_id, backup=backup)
            return backup, self._put_back(path, backup, kind)
        finally:
            lock.release()

    def _put_back(self, path: Path, backup: Path, kind: str | None) -> Path | None:
        moved = tmp = None
        try:
            data = backup.read_bytes()
            fd, tmp = _open_temp(path)
            _write_and_close(fd, data, FILE_MODE)
            if kind is not None:
                stem = self._trash_stem(path.stem)
                moved = _link_unique(path, self.trash_dir, stem, f".{kind}.json")
                if moved is None:  # no hard links: keep a copy instead
                    moved = write_unique(self.trash_dir, stem, f".{kind}.json", path.read_bytes())
                fsync_dir(self.trash_dir)
            os.replace(tmp, path)
            tmp = None
            fsync_dir(path.parent)
            return moved
        except OSError as exc:
            if moved is not None:  # the old file is still in place: the trash copy is not needed
                with contextlib.suppress(OSError):
                    os.unlink(moved)
            raise StorageError(key="storage.cannot_restore", id=path.stem, path=getattr(exc, "filename", None) or path,
                               reason=reason(exc)) from None
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def delete(self, assessment_id: str) -> Path:
        """Move an assessment to the trash folder (never erased, never over another file)."""
        path = self._existing(assessment_id)
        lock = self._acquire(assessment_id)
        try:
            return move_unique(path, self.trash_dir, self._trash_stem(assessment_id), ".deleted.json")
        except OSError as exc:
            raise StorageError(key="storage.cannot_delete", id=assessment_id, path=path, reason=reason(exc)) from None
        finally:
            lock.release()
            with contextlib.suppress(OSError):
                Path(lock.lock_file).unlink()


def append_error_log(data_dir: Path, text: Callable[[], str]) -> Path | None:
    """Append ``text`` to DATA_DIR/error.log, a file created 0600 from the start, only in a
    data folder that other users cannot write. Returns the log's path, or None when it could
    not be written (the caller still shows its one-line message)."""
    try:
        make_private_dirs(data_dir)
        if others_can_write(os.stat(data_dir)):
            return None
        log = data_dir / "error.log"
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(log, flags, FILE_MODE)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, FILE_MODE)
            os.write(fd, text().encode("utf-8", "backslashreplace"))
        finally:
            os.close(fd)
        return log
    except OSError:
        return None
