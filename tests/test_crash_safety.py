"""A writer killed with SIGKILL at random moments never leaves an unreadable file and never
loses an answer whose save had returned (at least 50 kills in `make test`; `make soak` runs
1,000 and prints the counts for BENCHMARKS.md)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from isms_tui.service import Workspace
from tests.conftest import ROOT

WRITER = r"""
import sys
from isms_tui.service import Workspace
ws = Workspace(sys.argv[1])
s = ws.open(sys.argv[2])
items = [i.id for i in s.items]
statuses = ["implemented", "partial", "not_implemented", "unknown"]
round_ = int(sys.argv[3])
print("ready", flush=True)
n = 0
while True:
    iid = items[n % len(items)]
    seq = round_ * 1_000_000 + n
    s.set_status(iid, statuses[n % 4])
    s.set_fields(iid, note=f"{seq}")
    print(f"ack {iid} {seq}", flush=True)  # printed only after the fsync'd save returned
    n += 1
"""


def run_kills(workspace: Workspace, aid: str, kills: int, seed: int = 1234) -> dict:
    rng = random.Random(seed)
    acked: dict[str, int] = {}
    unreadable = lost = 0
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    for rnd in range(1, kills + 1):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(workspace.root), aid, str(rnd)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        time.sleep(rng.uniform(0.0, 0.08))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "ack":
                acked[parts[1]] = int(parts[2])
        try:
            _, answers, _ = Workspace(workspace.root).load(aid)
        except Exception:
            unreadable += 1
            continue
        for iid, seq in acked.items():
            a = answers.get(iid)
            if a is None or not a.note.isdigit() or int(a.note) < seq:
                lost += 1
    return {"kills": kills, "unreadable": unreadable, "lost": lost, "acked_items": len(acked)}


def test_sigkill_during_saves(workspace: Workspace, sample_id: str):
    result = run_kills(workspace, sample_id, kills=50)
    assert result["unreadable"] == 0 and result["lost"] == 0, result
    assert result["acked_items"] == 5
    leftovers = [p.name for p in workspace.store.assessments_dir.iterdir() if p.name.endswith(".tmp")]
    Workspace(workspace.root)  # start-up removes temp files of dead writers
    assert not [p for p in workspace.store.assessments_dir.iterdir() if p.name.endswith(".tmp")], leftovers


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("ISMS_SOAK"), reason="soak test: run with `make soak` (1,000 kills)")
def test_sigkill_soak(workspace: Workspace, sample_id: str, tmp_path: Path):
    result = run_kills(workspace, sample_id, kills=1000, seed=99)
    print(f"\nSOAK {result}")
    (Path(os.environ.get("ISMS_SOAK_OUT", tmp_path / "soak.txt"))).write_text(repr(result))
    assert result["unreadable"] == 0 and result["lost"] == 0, result
