"""The core must not import Textual (import-linter checks direct imports in `make test`;
this checks that importing the core modules never pulls Textual in at all)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

CORE = ["isms_tui.cli", "isms_tui.service", "isms_tui.banks", "isms_tui.scoring", "isms_tui.plan", "isms_tui.view", "isms_tui.refs", "isms_tui.quick", "isms_tui.soa",
        "isms_tui.report", "isms_tui.storage", "isms_tui.i18n", "isms_tui.exports.xlsx", "isms_tui.transition", "isms_tui.demo",
        "isms_tui.risk", "isms_tui.exports.risk_sheets"]


def test_core_does_not_load_textual():
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in CORE) + (
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stdout + r.stderr


def test_no_textual_import_statement_outside_screens_and_app():
    offenders = []
    for path in (ROOT / "isms_tui").rglob("*.py"):
        rel = path.relative_to(ROOT / "isms_tui").as_posix()
        if rel.startswith("screens/") or rel == "app.py":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            s = line.strip()
            if s.startswith(("import textual", "from textual")):  # textual_serve too: it is a TUI adapter
                offenders.append(f"{rel}: {s}")
    assert offenders == []


LAYERS = "Layers: the CLI and the TUI sit on the service and the read model"


def _lint_imports_in_copy(tmp_path, append: dict[str, str]) -> subprocess.CompletedProcess:
    import shutil
    from pathlib import Path

    shutil.copytree(ROOT / "isms_tui", tmp_path / "isms_tui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    for rel, line in append.items():
        with open(tmp_path / rel, "a", encoding="utf-8") as f:
            f.write("\n" + line + "\n")
    lint = Path(sys.executable).parent / "lint-imports"
    env = os.environ | {"PYTHONPATH": str(tmp_path)}
    return subprocess.run([str(lint), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, env=env)


def test_layers_contract_holds_for_the_unmodified_code(tmp_path):
    r = _lint_imports_in_copy(tmp_path, {})
    assert r.returncode == 0, r.stdout + r.stderr
    assert LAYERS in " ".join(r.stdout.split())


def test_layers_contract_catches_the_core_reaching_up_to_the_screens(tmp_path):
    r = _lint_imports_in_copy(tmp_path, {"isms_tui/scoring.py": "import isms_tui.screens  # noqa"})
    assert r.returncode != 0, r.stdout
    out = " ".join(r.stdout.split())
    assert LAYERS in out and "BROKEN" in out
    assert "isms_tui.scoring -> isms_tui.screens" in out


def test_layers_contract_catches_a_screen_importing_the_app(tmp_path):
    r = _lint_imports_in_copy(tmp_path, {"isms_tui/screens/home.py": "import isms_tui.app  # noqa"})
    assert r.returncode != 0, r.stdout
    assert "isms_tui.screens.home -> isms_tui.app" in " ".join(r.stdout.split())


def test_screens_never_name_the_app_module():
    """Not even under TYPE_CHECKING: screens read the app through screens.base.Host."""
    offenders = []
    for path in (ROOT / "isms_tui" / "screens").glob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            s = line.strip()
            if s.startswith(("from ..app", "import isms_tui.app", "from isms_tui.app", "from .. import app")):
                offenders.append(f"{path.name}: {s}")
    assert offenders == []
