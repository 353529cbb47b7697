from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Tests never touch the user's real data folder.
os.environ.setdefault("ISMS_TUI_DATA_DIR", str(Path("/nonexistent-isms-tui-test-dir")))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    (d / "banks").mkdir(parents=True)
    shutil.copy(FIXTURES / "sample_bank.toml", d / "banks" / "sample_bank.toml")
    return d


@pytest.fixture
def workspace(data_dir: Path):
    from isms_tui.service import Workspace

    return Workspace(data_dir)


@pytest.fixture
def sample_id(workspace) -> str:
    from isms_tui.model import Assessment

    a = Assessment(organization="Sample KK", banks=["sample"], target_date="2027-06-01")
    return workspace.create(a)


def run_cli(*args: str, data_dir: Path | None = None, env: dict | None = None, cwd: Path | None = None):
    import subprocess

    cmd = [sys.executable, "-m", "isms_tui"]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    full_env = os.environ.copy() | {"LANG": "en_US.UTF-8", "PYTHONPATH": str(ROOT)} | (env or {})
    return subprocess.run(cmd + list(args), capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120)
