"""The stable CLI: new, list, banks, errors as one line with exit codes 2 / 1."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import run_cli


def test_version():
    r = run_cli("--version")
    assert r.returncode == 0 and re.match(r"isms-tui \d+\.\d+\.\d+", r.stdout)


def test_new_prints_id_last_and_list_shows_it(tmp_path: Path):
    d = tmp_path / "d"
    r = run_cli("new", "--org", "株式会社サンプル", "--scope", "本社", "--kind", "pre_audit", "--edition", "2022",
                "--lang", "ja", "--target-date", "2027-04-01", data_dir=d)
    assert r.returncode == 0, r.stderr
    aid = r.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[0-9a-f]{8}", aid)
    lst = run_cli("list", "--json", data_dir=d)
    rows = json.loads(lst.stdout)
    assert rows[0]["id"] == aid and rows[0]["organization"] == "株式会社サンプル"
    assert rows[0]["kind"] == "pre_audit" and rows[0]["edition"] == "2022"
    assert rows[0]["readiness"] == 0.0 and rows[0]["coverage"] == 0.0
    text = run_cli("list", data_dir=d)
    assert aid in text.stdout and "株式会社サンプル" in text.stdout


def test_env_var_sets_data_dir(tmp_path: Path):
    d = tmp_path / "envdir"
    r = run_cli("new", "--org", "Env KK", env={"ISMS_TUI_DATA_DIR": str(d)})
    assert r.returncode == 0, r.stderr
    assert (d / "assessments" / f"{r.stdout.split()[-1]}.json").exists()


def test_usage_errors_exit_2_one_line(tmp_path: Path):
    for args in (["new"], ["new", "--org", "X", "--kind", "bogus"], ["--nope"], ["banks"], ["export"]):
        r = run_cli(*args, data_dir=tmp_path / "d")
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_data_errors_exit_1_one_line(tmp_path: Path):
    d = tmp_path / "d"
    cases = [
        ["new", "--org", "X", "--target-date", "next week"],
        ["new", "--org", "   "],
        ["new", "--org", "X", "--bank", "no-such-bank"],
        ["export", "deadbeef"],
        ["open", "deadbeef"],
        ["restore", "deadbeef"],
        ["delete", "../../etc"],
    ]
    for args in cases:
        r = run_cli(*args, data_dir=d)
        assert r.returncode == 1, (args, r.stdout, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr, r.stderr


def test_unusable_data_dir_is_one_line(tmp_path: Path):
    f = tmp_path / "file"
    f.write_text("x")
    r = run_cli("list", data_dir=f)
    assert r.returncode == 1 and "cannot use data folder" in r.stderr and len(r.stderr.splitlines()) == 1


def test_banks_list_shows_shipped_banks():
    r = run_cli("banks", "list", env={"ISMS_TUI_DATA_DIR": "/nonexistent"})
    assert r.returncode == 0, r.stderr
    assert re.search(r"^annex-a-2022\s+annex_a_2022\s+v\d+\s+4\s+\d+\s+93\b", r.stdout, re.M), r.stdout
    assert re.search(r"^clauses-2022\s+clauses_2022\b", r.stdout, re.M)


def test_report_json_and_text_and_answer_through_the_same_core(tmp_path):
    import json as _json

    data = tmp_path / "d"
    aid = run_cli("new", "--org", "Report KK", "--bank", "clauses-2022", "--bank", "process-acquisition",
                  data_dir=data).stdout.strip()
    r = run_cli("answer", aid, "cl-4.3-1", "implemented", "--evidence", "scope v1", data_dir=data)
    assert r.returncode == 0, r.stderr
    assert run_cli("answer", aid, "acq-scope-1", "not_implemented", data_dir=data).returncode == 0
    # same validation as the TUI: N/A on a clause is refused, a bad date saves nothing
    r = run_cli("answer", aid, "cl-5.2-1", "not_applicable", "--na-justification", "x", data_dir=data)
    assert r.returncode == 1 and "not applicable" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("answer", aid, "cl-5.2-1", "implemented", "--last-done", "2026-13-01", data_dir=data)
    assert r.returncode == 1 and "not a date" in r.stderr
    assert run_cli("answer", aid, "no-such-item", "implemented", data_dir=data).returncode == 1
    assert run_cli("answer", aid, "cl-5.2-1", "bogus", data_dir=data).returncode == 2

    rep = _json.loads(run_cli("report", aid, "--json", data_dir=data).stdout)
    assert rep["format"] == 1 and rep["id"] == aid
    assert rep["overall"]["answered"] == 2
    reqs = {r["ref"]["id"]: r for r in rep["gate"]["requirements"]}
    assert rep["gate"]["ready"] is False and len(reqs) == 14
    assert reqs["4.3"]["ref"]["label"] == "Clause 4.3" and reqs["4.3"]["state"] == "not_met"
    assert {"id": "cl-4.3-1", "bank": "clauses-2022", "status": "implemented"} in reqs["4.3"]["items"]
    assert reqs["8.3"]["state"] in ("not_met", "not_assessed")
    assert rep["contradictions"] == [{"implemented": "cl-4.3-1", "not_implemented": "acq-scope-1",
                                      "refs": [{"type": "clause", "id": "4.3", "label": "Clause 4.3",
                                                "title": reqs["4.3"]["ref"]["title"]}]}]
    assert rep["plan"][0]["id"].startswith("question:") and rep["plan"][0]["priority"] == 1
    assert "cl-5.2-1" not in {p["source"]["id"] for p in rep["plan"] if p["answer_status"] == "implemented"}

    text = run_cli("--lang", "ja", "report", aid, data_dir=data).stdout
    assert "箇条4.3" in text and "第一段階審査" in text and "acq-scope-1" in text
