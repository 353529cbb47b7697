"""The banks ship inside the installed package: `pip install .` (not editable) into a
throw-away venv, then run `isms-tui banks list` from outside the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_wheel_install_ships_banks(tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    r = subprocess.run(pip + [str(ROOT)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"ISMS_TUI_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run([str(venv / "bin" / "isms-tui"), "banks", "list"], capture_output=True, text=True,
                         cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    assert "annex-a-2022" in out.stdout and "clauses-2022" in out.stdout
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import isms_tui.paths as p; print(p.builtin_banks_dir())"],
                           capture_output=True, text=True, cwd=tmp_path, env=env).stdout.strip()
    assert Path(where).is_relative_to(venv), where
