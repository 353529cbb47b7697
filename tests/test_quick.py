"""The line-mode quick assessment (questionary), with scripted answers and through a real
prompt_toolkit pipe."""

from __future__ import annotations

from pathlib import Path

from isms_tui.quick import quick
from isms_tui.service import Workspace
from tests.conftest import run_cli


def test_quick_walks_the_gate_items_and_saves(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    script = iter(["initial", "implemented", "partial", "skip", "stop"])
    out: list[str] = []
    aid = quick(ws, "en", None, ask=lambda m, c: next(script), ask_text=lambda m: "Quick KK", out=out.append)
    _, answers, _ = ws.load(aid)
    statuses = sorted(a.status for a in answers.values())
    assert statuses == ["implemented", "partial"]
    assert any("Stage 1: not ready" in line for line in out)
    assert out[-1] == aid


def test_quick_refuses_without_a_terminal(tmp_path: Path):
    r = run_cli("quick", data_dir=tmp_path / "d")
    assert r.returncode == 1 and "interactive terminal" in r.stderr


def test_quick_with_questionary_on_a_pipe(tmp_path: Path):
    import questionary
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    ws = Workspace(tmp_path / "d")
    with create_pipe_input() as inp:
        def ask(message, choices):
            return questionary.select(message, choices=[questionary.Choice(t, v) for t, v in choices],
                                      input=inp, output=DummyOutput()).ask()

        def ask_text(message):
            return questionary.text(message, input=inp, output=DummyOutput()).ask()

        inp.send_text("Pipe KK\r")        # organization
        inp.send_text("\r")               # kind: first choice (initial)
        inp.send_text("\x1b[B\r")         # first item: down once -> partial
        inp.send_text("\x1b[B" * 5 + "\r")  # second item: last choice -> stop
        aid = quick(ws, "en", None, ask=ask, ask_text=ask_text, out=lambda s: None)
    assessment, answers, _ = ws.load(aid)
    assert assessment.organization == "Pipe KK"
    assert [a.status for a in answers.values()] == ["partial"]
