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
