"""The stable CLI: new, list, banks, errors as one line with exit codes 2 / 1."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, ROOT, run_cli
from tests.reliability_helpers import die_mid_write, run_cli_disk_full


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


# -- Reliability round 2 (issue 10) --------------------------------------------------------------

def _sample_data(tmp_path: Path) -> tuple[Path, str]:
    """A data folder with one assessment on the sample bank that has an answer and a backup."""
    from isms_tui.model import Assessment
    from isms_tui.service import Workspace

    d = tmp_path / "d"
    (d / "banks").mkdir(parents=True)
    shutil.copy(FIXTURES / "sample_bank.toml", d / "banks" / "sample_bank.toml")
    ws = Workspace(d)
    aid = ws.create(Assessment(organization="Sample KK", banks=["sample"]))
    with ws.open(aid) as s:
        s.set_status("s-backup-1", "implemented")
    with ws.open(aid):
        pass
    return d, aid


def _one_clean_line(r) -> bool:
    lines = r.stderr.strip().splitlines()
    return len(lines) == 1 and "internal error" not in r.stderr and "Traceback" not in r.stderr


def test_parallel_restores_keep_the_damaged_original(tmp_path: Path):
    """Break 1: eight restores at once overwrote the damaged original in trash/."""
    d, aid = _sample_data(tmp_path)
    damaged = b'{"meta": {"1": {"organization": "damaged original"'
    (d / "assessments" / f"{aid}.json").write_bytes(damaged)
    env = os.environ | {"LANG": "en_US.UTF-8", "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "isms_tui", "--data-dir", str(d), "restore", aid],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(8)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert all(code in (0, 1) for code, _, _ in results), results
    assert sum(code == 0 for code, _, _ in results) >= 1, results
    assert damaged in [p.read_bytes() for p in (d / "trash").iterdir()]
    r = run_cli("list", "--json", data_dir=d)
    assert json.loads(r.stdout)[0]["error"] is None


def test_list_shows_a_damaged_file_and_the_others(tmp_path: Path):
    """Break 4: `"status": "bogus"` in one file made `list` fail for all (internal error: KeyError)."""
    d, aid = _sample_data(tmp_path)
    other = run_cli("new", "--org", "Other KK", "--bank", "sample", data_dir=d).stdout.split()[-1]
    path = d / "assessments" / f"{aid}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data["answers"].values()))["status"] = "bogus"
    path.write_text(json.dumps(data), encoding="utf-8")
    r = run_cli("list", data_dir=d)
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if x.startswith(aid))
    assert "damaged" in line and f"isms-tui restore {aid}" in line and str(d / "backups" / aid) in line
    assert "Other KK" in r.stdout and other in r.stdout
    r = run_cli("export", aid, "--xlsx", str(tmp_path / "x.xlsx"), data_dir=d)
    assert r.returncode == 1 and _one_clean_line(r), r.stderr


def test_restore_on_a_full_disk_keeps_the_assessment(tmp_path: Path):
    """Break 3: on a full disk, restore moved the file away and then failed (internal error: OSError)."""
    d, aid = _sample_data(tmp_path)
    path = d / "assessments" / f"{aid}.json"
    path.write_bytes(b"{damaged")
    r = run_cli_disk_full("restore", aid, data_dir=d)
    assert r.returncode == 1 and _one_clean_line(r) and str(d / "assessments") in r.stderr, r.stderr
    assert path.read_bytes() == b"{damaged"
    lst = run_cli("list", data_dir=d)
    assert aid in lst.stdout and "damaged" in lst.stdout, lst.stdout + lst.stderr
    path.write_bytes((d / "backups" / aid).joinpath(sorted(os.listdir(d / "backups" / aid))[-1]).read_bytes())
    healthy = path.read_bytes()
    r = run_cli_disk_full("restore", aid, "--force", data_dir=d)
    assert r.returncode == 1 and _one_clean_line(r), r.stderr
    assert path.read_bytes() == healthy
    assert [p.name for p in (d / "assessments").iterdir() if p.name.endswith(".tmp")] == []


def test_writes_on_a_full_disk_are_one_line(tmp_path: Path):
    """Breaks 6 and 7: open/new/demo/export on a full disk: one line naming the file, no
    internal error, no ZipFile.__del__ traceback, no temp file left beside the target."""
    d, aid = _sample_data(tmp_path)
    with (d / "assessments" / f"{aid}.json").open("ab") as fh:
        fh.write(b" ")  # the file differs from its last backup: opening it takes a new backup
    out = tmp_path / "out"
    out.mkdir()
    cases = {
        ("open", aid): str(d / "backups" / aid),
        ("new", "--org", "X", "--bank", "sample"): str(d / "assessments"),
        ("demo",): str(d / "assessments"),
        ("export", aid, "--xlsx", str(out / "report.xlsx")): str(out / "report.xlsx"),
    }
    for args, where in cases.items():
        r = run_cli_disk_full(*args, data_dir=d)
        assert r.returncode == 1 and _one_clean_line(r), (args, r.stderr)
        assert where in r.stderr and "Exception ignored" not in r.stderr, (args, r.stderr)
    assert list(out.iterdir()) == []
    assert [p.name for p in (d / "assessments").iterdir() if p.name.startswith(".")] == []
    assert [p for p in (d / "backups" / aid).iterdir() if p.name.endswith(".tmp")] == []


def test_export_cleans_only_our_dead_temp_files_in_the_target_folder(tmp_path: Path):
    """Break 7: a kill during export left `.report.xlsx.*.tmp` beside the target for good."""
    d, aid = _sample_data(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    die_mid_write(
        "from isms_tui.service import Workspace\nfrom isms_tui.exports.xlsx import export_assessment\n"
        f"export_assessment(Workspace({str(d)!r}), {aid!r}, {str(out / 'report.xlsx')!r}, lang='en')\n"
    )
    assert len([p for p in out.iterdir() if p.name.endswith(".tmp")]) == 1
    theirs = out / ".report.xlsx.draft.tmp"  # someone else's file in the user's folder
    theirs.write_text("keep")
    r = run_cli("export", aid, "--xlsx", str(out / "report.xlsx"), data_dir=d)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == [".report.xlsx.draft.tmp", "report.xlsx"]


def test_error_log_is_private_from_the_start(tmp_path: Path, monkeypatch, capsys):
    """Break 8: error.log was created with the umask (0666 under umask 000) when its write failed."""
    from isms_tui import cli

    def boom(*a):
        raise RuntimeError("unexpected")

    def no_space():
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "cmd_list", boom)
    monkeypatch.setattr(cli.traceback, "format_exc", no_space)
    d = tmp_path / "d"
    d.mkdir(mode=0o700)
    old = os.umask(0)
    try:
        assert cli.main(["--data-dir", str(d), "list"]) == 1
    finally:
        os.umask(old)
    assert "internal error" in capsys.readouterr().err
    assert stat.S_IMODE((d / "error.log").stat().st_mode) == 0o600


def test_undecodable_argument_is_a_usage_error(tmp_path: Path):
    """Break 9: `new --org $'\\xff\\xfe'` was `internal error: UnicodeEncodeError`."""
    env = os.environ | {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONPATH": str(ROOT)}
    for args in ([b"new", b"--org", b"\xff\xfe"], [b"new", b"--org", b"X", b"--scope", b"a\xffb"]):
        r = subprocess.run([sys.executable, "-m", "isms_tui", "--data-dir", str(tmp_path / "d"), *args],
                           capture_output=True, text=True, env=env, timeout=120)
        assert r.returncode == 2 and _one_clean_line(r), r.stderr
    assert not list((tmp_path / "d" / "assessments").glob("*.json"))


def test_soa_shows_rows_and_records_a_decision_through_the_same_checks(tmp_path):
    data = tmp_path / "d"
    aid = run_cli("new", "--org", "SoA CLI KK", data_dir=data).stdout.split()[-1]
    r = run_cli("--lang", "en", "soa", aid, "A.5.31", "--reasons", "legal,contract", "--justification",
                "=Act on the Protection of Personal Information", data_dir=data)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "A.5.31\tYes\tLaw or regulation; Contract or customer\tUnanswered\t=Act on the Protection of Personal Information",
        "A.5.31: SoA decision saved.",
    ]
    rows = run_cli("--lang", "ja", "soa", aid, data_dir=data).stdout.splitlines()
    assert len(rows) == 93 and rows[0].startswith("A.5.1\tはい\t-\t未回答")
    assert "法令・規制; 契約・顧客の要求" in next(x for x in rows if x.startswith("A.5.31\t"))
    # the core's checks, one line each: a reason that is not one, excluding a control with reasons
    for args, code, text in [(("A.5.31", "--reasons", "whim"), 1, "reasons must be one of"),
                             (("A.5.31", "--applicable", "no", "--justification", "We keep no personal data at all."),
                              1, "clear the reasons first"),
                             (("--owner", "Sato"), 2, "name the control"),
                             (("9.99", "--owner", "Sato"), 1, "No Annex A control 9.99")]:
        r = run_cli("--lang", "en", "soa", aid, *args, data_dir=data)
        assert r.returncode == code and text in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    stored = json.loads(next((data / "assessments").glob("*.json")).read_text())["soa"]
    assert [d["reasons"] for d in stored.values()] == [["legal", "contract"]]
