"""Fault injection for the storage tests: a full disk, a read-only folder, a writer that dies.

The tests run as root on CI machines, where ``chmod 0500`` does not stop a write. A read-only
data folder is therefore simulated in-process: every call that would change something under
the folder (``os.open`` for writing, ``mkdir``, ``chmod``, ``unlink``, ``rename``, ``replace``,
``link``, ``utime``, ``open`` for writing) fails with EROFS, as it does on a read-only mount.
A full disk is simulated two ways: in-process by ``fsync`` of a regular file failing with
ENOSPC, and in a child process by ``RLIMIT_FSIZE = 0`` (every write that grows a file fails
with EFBIG while reads, renames and links still work, as on a full filesystem).
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from tests.conftest import ROOT


class FrozenDatetime(datetime):
    """A clock stuck on one microsecond (or moved back): names must stay unique anyway."""

    @classmethod
    def now(cls, tz=None):
        return cls(2026, 1, 2, 3, 4, 5, 123456, tzinfo=tz)


def full_disk(monkeypatch) -> None:
    """Every fsync of a regular file fails with ENOSPC (the data never reaches the disk)."""
    real = os.fsync

    def fsync(fd):
        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def read_only(monkeypatch, folder: Path) -> None:
    """Make ``folder`` behave like a read-only mount for this process."""
    top = os.path.realpath(folder)

    def inside(p) -> bool:
        if isinstance(p, int):
            return False
        try:
            real = os.path.realpath(os.fsdecode(os.fspath(p)))
        except (TypeError, ValueError):
            return False
        return real == top or real.startswith(top + os.sep)

    def refuse(p):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fsdecode(os.fspath(p)))

    real_open = os.open

    def fake_open(path, flags, mode=0o777, *, dir_fd=None):
        if inside(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND):
            refuse(path)
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", fake_open)
    for name in ("mkdir", "chmod", "unlink", "remove", "rmdir", "utime"):
        real = getattr(os, name)

        def one(p, *a, _real=real, **k):
            if inside(p):
                refuse(p)
            return _real(p, *a, **k)

        monkeypatch.setattr(os, name, one)
    for name in ("rename", "replace", "link"):
        real = getattr(os, name)

        def two(src, dst, *a, _real=real, **k):
            for p in (src, dst):
                if inside(p):
                    refuse(p)
            return _real(src, dst, *a, **k)

        monkeypatch.setattr(os, name, two)
    real_io_open = io.open

    def fake_io_open(file, mode="r", *a, **k):
        if inside(file) and any(c in mode for c in "wax+"):
            refuse(file)
        return real_io_open(file, mode, *a, **k)

    monkeypatch.setattr(io, "open", fake_io_open)
    monkeypatch.setattr(builtins, "open", fake_io_open)


_FSIZE_LAUNCHER = (
    "import resource, signal, sys\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))\n"
    "from isms_tui.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def run_cli_disk_full(*args: str, data_dir: Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The CLI in a child process that cannot grow any file (a full disk)."""
    env = os.environ.copy() | {"LANG": "en_US.UTF-8", "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, "-c", _FSIZE_LAUNCHER, "--data-dir", str(data_dir), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


_DIE_MID_WRITE = (
    "import os, stat, sys\n"
    "real = os.fsync\n"
    "def fsync(fd):\n"
    "    if stat.S_ISREG(os.fstat(fd).st_mode):\n"
    "        os._exit(9)  # killed after the temp file was written, before it was renamed\n"
    "    real(fd)\n"
    "os.fsync = fsync\n"
)


def die_mid_write(code: str) -> None:
    """Run ``code`` in a child process that dies at its first fsync of a file (like a SIGKILL)."""
    env = os.environ.copy() | {"PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", _DIE_MID_WRITE + code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 9, r.stdout + r.stderr
