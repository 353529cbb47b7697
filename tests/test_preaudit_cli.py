"""The command line of the audit preparation: ``preaudit`` (stage 1 pack and sampling list as text
and JSON), ``documents`` / ``document`` (the register: list, add from the catalogue or the
company's own, change, remove) and ``sampling`` (record one record type), each through the
session's checks, lock and save, with one-line errors."""

from __future__ import annotations

import json

import pytest

from isms_tui.cli import main
from isms_tui.preaudit import GROUPS, sampling_catalog
from tests.conftest import run_cli


@pytest.fixture
def cli(tmp_path, capsys):
    data = tmp_path / "d"

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--data-dir", str(data), *args])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = run("new", "--org", "Prep KK", "--target-date", "2027-06-01")
    assert code == 0
    run.aid = out.split()[-1]
    run.data = data
    return run


def _stored(run) -> dict:
    return json.loads((run.data / "assessments" / f"{run.aid}.json").read_text(encoding="utf-8"))


def test_preaudit_json_has_the_pack_in_stage_1_order_and_the_sampling_list(cli):
    code, out, err = cli("--lang", "en", "preaudit", cli.aid, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert [g["group"] for g in doc["stage1"]] == list(GROUPS)
    first = doc["stage1"][0]["rows"][2]
    assert first["ref"] == {"type": "clause", "id": "4.3", "label": "Clause 4.3",
                            "title": "Determining the scope of the information security management system"}
    assert first["state"] == "not_assessed" and first["auditor_asks"] and first["auditor_asks"][0]["questions"]
    assert first["not_listed"] == [{"catalog_id": "scope", "name": "ISMS scope"}]
    assert [r["record_type"] for r in doc["sampling"]] == list(sampling_catalog())
    assert {r["state"] for r in doc["sampling"]} == {"not_recorded"}


def test_preaudit_text_in_japanese(cli):
    code, out, _ = cli("--lang", "ja", "preaudit", cli.aid)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "\u5be9\u67fb\u524d\u30c1\u30a7\u30c3\u30af\u30ea\u30b9\u30c8(\u30b9\u30c6\u30fc\u30b81)"
    assert any(s.startswith("  [\u672a\u8a55\u4fa1] \u7b87\u67614.3 ") for s in lines)
    assert any(s.startswith("  access_reviews\t\u672a\u5165\u529b") for s in lines)


def test_document_commands_add_change_list_and_remove(cli):
    code, out, _ = cli("--lang", "en", "documents", cli.aid)
    assert code == 0 and "No documents & records register yet" in out
    code, out, err = cli("--lang", "en", "document", cli.aid, "scope", "--state", "draft", "--location", "ISMS/Scope.docx",
                         "--owner", "Sato")
    assert code == 0, err
    assert out.strip() == "Document saved: ISMS scope (Draft)"
    code, out, err = cli("--lang", "en", "document", cli.aid, "scope", "--state", "approved", "--approved-by", "CEO",
                         "--approved-on", "2026-11-01", "--next-review", "2027-11-01", "--version", "1.0")
    assert code == 0, err
    code, out, err = cli("--lang", "en", "document", cli.aid, "--add", "Clean desk checklist", "--refs", "A.7.7",
                         "--kind", "record")
    assert code == 0, err
    code, out, _ = cli("--lang", "en", "documents", cli.aid)
    rows = [line.split("\t") for line in out.splitlines()]
    assert [(r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows] == [
        ("Approved", "*Clause 4.3", "ISMS scope", "ISMS/Scope.docx", "Sato", "CEO 2026-11-01", "2027-11-01"),
        ("Missing", " A.7.7", "Clean desk checklist", "\u2014", "\u2014", "\u2014", "\u2014")]
    code, out, _ = cli("--lang", "en", "documents", cli.aid, "--json")
    doc = json.loads(out)
    assert doc["documents"][0]["version"] == "1.0" and doc["documents"][1]["kind"] == "record"
    assert any("Information security policy" in b for b in doc["blocking"])  # mandatory ones not listed block
    code, out, _ = cli("--lang", "en", "document", cli.aid, "CLEAN DESK CHECKLIST", "--remove")
    assert code == 0 and out.strip() == "Removed from the register: Clean desk checklist"
    assert [d["catalog_id"] for d in _stored(cli)["documents"].values()] == ["scope"]


def test_document_errors_are_one_line_and_lose_nothing(cli):
    assert cli("document", cli.aid, "scope", "--state", "draft", "--owner", "Sato")[0] == 0
    before = _stored(cli)["documents"]
    for args, code, text in [
        (("scope", "--state", "approved"), 1, "enter who approved it and when"),
        (("scope", "--next-review", "2027-02-30"), 1, "2027-02-30"),
        (("nosuch", "--state", "draft"), 1, "has no entry nosuch"),
        (("--add", "Our own"), 1, "at least one clause"),
        (("--add", "Our own", "--refs", "A.99.1"), 1, "\"A.99.1\" is neither"),
        ((), 2, "Say which document"),
        (("scope", "--add", "X"), 2, "cannot be combined"),
        (("policy", "--remove"), 1, "has no entry policy"),
    ]:
        c, _, err = cli("--lang", "en", "document", cli.aid, *args)
        assert c == code and text in err and len(err.strip().splitlines()) == 1, (args, err)
    assert _stored(cli)["documents"] == before


def test_a_missing_local_path_is_saved_with_a_warning(cli, tmp_path):
    code, out, err = cli("--lang", "en", "document", cli.aid, "policy", "--location", str(tmp_path / "no" / "policy.pdf"))
    assert code == 0 and "does not exist on this computer" in err
    assert next(iter(_stored(cli)["documents"].values()))["location"] == str(tmp_path / "no" / "policy.pdf")


def test_sampling_records_a_row_and_the_plan_action_follows(cli):
    code, out, err = cli("--lang", "en", "sampling", cli.aid, "access_reviews", "--months", "under_3",
                         "--location", "Google admin console", "--oldest", "2026-10-01")
    assert code == 0, err
    assert out.splitlines()[0] == "Sampling list saved: User access reviews (Gap)"
    assert "3\u20136 months" in out.splitlines()[1]
    code, out, _ = cli("--lang", "en", "report", cli.aid, "--json")
    assert "sampling:access_reviews" in out
    code, out, _ = cli("--lang", "en", "sampling", cli.aid, "access_reviews", "--months", "3_6")
    assert out.strip() == "Sampling list saved: User access reviews (3+ months)"
    code, out, _ = cli("--lang", "en", "sampling", cli.aid)
    assert out.splitlines()[0].split("\t") == ["access_reviews", "3+ months", "3\u20136 months", "2026-10-01",
                                               "User access reviews", "Google admin console"]
    code, out, _ = cli("--lang", "en", "report", cli.aid, "--json")
    assert "sampling:access_reviews" not in out


def test_sampling_errors_are_one_line_and_lose_nothing(cli):
    assert cli("sampling", cli.aid, "change_records", "--months", "over_6", "--location", "Backlog")[0] == 0
    before = _stored(cli)["sampling"]
    for args, code, text in [
        (("change_records", "--months", "not_applicable"), 1, "say why"),
        (("change_records", "--oldest", "2026-02-30"), 1, "2026-02-30"),
        (("change_records", "--oldest", "2999-01-01"), 1, "in the future"),
        (("coffee", "--months", "3_6"), 1, "no record type coffee"),
        (("--months", "3_6"), 2, "Say which record type"),
        (("change_records", "--months", "lots"), 2, "invalid choice"),
    ]:
        c, _, err = cli("--lang", "en", "sampling", cli.aid, *args)
        assert c == code and text in err and len(err.strip().splitlines()) == 1, (args, err)
    assert _stored(cli)["sampling"] == before
    c, _, err = cli("--lang", "ja", "sampling", cli.aid, "change_records", "--months", "not_applicable")
    assert c == 1 and "\u7406\u7531" in err


def test_a_locked_assessment_is_refused(cli):
    from isms_tui.service import Workspace

    ws = Workspace(cli.data)
    with ws.open(cli.aid):
        r = run_cli("--lang", "en", "sampling", cli.aid, "change_records", "--months", "3_6", data_dir=cli.data)
    assert r.returncode == 1 and "open" in r.stderr.lower() and len(r.stderr.strip().splitlines()) == 1
