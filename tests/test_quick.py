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


def test_new_wizard_asks_what_the_form_asks_and_asks_a_bad_date_again(tmp_path: Path):
    from isms_tui.quick import new_wizard

    ws = Workspace(tmp_path / "d")
    texts = iter(["Wizard KK", "Head office, web services", "2027-02-30", "2027-03-01"])
    picks = iter(["renewal", "2022", "en"])
    offered: list[list[tuple[str, str, bool]]] = []

    def ask_many(message, choices):
        offered.append(choices)
        return [v for _, v, on in choices if on]  # keep the defaults

    out: list[str] = []
    aid = new_wizard(ws, "en", ask=lambda m, c: next(picks), ask_text=lambda m: next(texts), ask_many=ask_many,
                     out=out.append)
    a, _, _ = ws.load(aid)
    assert (a.organization, a.scope, a.kind, a.edition, a.lang, a.target_date) == (
        "Wizard KK", "Head office, web services", "renewal", "2022", "en", "2027-03-01")
    assert a.banks == [v for _, v, on in offered[0] if on] and "process-maintenance" in a.banks
    assert any("date" in line.lower() for line in out)  # 2027-02-30 was refused with a message, then asked again
    # cancelling (questionary returns None) creates nothing
    before = len(ws.summaries())
    assert new_wizard(ws, "en", ask=lambda m, c: None, ask_text=lambda m: "X KK", ask_many=ask_many, out=out.append) is None
    assert len(ws.summaries()) == before


def test_new_without_flags_off_a_terminal_says_which_flags(tmp_path: Path):
    r = run_cli("new", data_dir=tmp_path / "d")
    assert r.returncode == 2 and "--org" in r.stderr and "--target-date" in r.stderr
    r = run_cli("new", "--scope", "HQ", data_dir=tmp_path / "d")
    assert r.returncode == 2 and "--org" in r.stderr
