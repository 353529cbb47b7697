"""The findings register in the core: typed requirements, the one state rule, the checks on
dates and closure, the corrective action as a plan action, the certification blockers, the
migration that adds the table and a damaged row (no Textual here)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from isms_tui.findings import Finding, FindingsData, build_finding, finding_state, parse_requirement
from isms_tui.model import Assessment, ValidationError
from isms_tui.refs import CLAUSE, CONTROL, CONTROL_2013, Ref
from isms_tui.service import Workspace
from isms_tui.storage import SCHEMA_VERSION, CorruptFileError


def test_requirement_is_typed_and_refused_with_what_to_write():
    assert parse_requirement("6.1.2", "2022") == Ref(CLAUSE, "6.1.2")
    assert parse_requirement("clause 6.1.2", "2022") == Ref(CLAUSE, "6.1.2")
    assert parse_requirement("\u7b87\u67619.2", "2022") == Ref(CLAUSE, "9.2")
    assert parse_requirement("A.5.15", "2022") == Ref(CONTROL, "5.15")
    assert parse_requirement("a.5.15", "2022") == Ref(CONTROL, "5.15")
    assert parse_requirement("5.15", "2022") == Ref(CONTROL, "5.15")  # not a clause: the control
    assert parse_requirement("9.2", "2022") == Ref(CLAUSE, "9.2")  # not a control: the clause
    assert parse_requirement("control:8.13", "2022") == Ref(CONTROL, "8.13")
    assert parse_requirement("A.9.2.1", "2013") == Ref(CONTROL_2013, "A.9.2.1")
    assert parse_requirement("12.3.1", "2013") == Ref(CONTROL_2013, "A.12.3.1")
    with pytest.raises(ValidationError, match="both clause 9.2.1"):
        parse_requirement("9.2.1", "2013")
    with pytest.raises(ValidationError, match="both clause 5.1 and control A.5.1"):
        parse_requirement("5.1", "2022")
    with pytest.raises(ValidationError, match="neither a clause"):
        parse_requirement("A.5.15", "2013")  # a 2022 control in a 2013 assessment
    for bad in ("11.1", "A.9.9", "clause 5.15", "policy"):
        with pytest.raises(ValidationError, match="neither a clause"):
            parse_requirement(bad, "2022")
    with pytest.raises(ValidationError, match="needs the requirement"):
        parse_requirement("  ", "2022")


def _f(**kw) -> Finding:
    base = {"grade": "minor", "ref": "9.2", "description": "No audit programme for this year", "raised_on": "2026-03-02"}
    return build_finding(base | kw, None, edition="2022")


def test_state_is_derived_in_one_rule_and_not_effective_reopens():
    f = _f()
    assert finding_state(f) == f.state == "open"
    f = build_finding({"action": "Write the 2026 audit programme"}, f, edition="2022")
    assert f.state == "action_planned"
    f = build_finding({"closed_on": "2026-04-01", "closure_evidence": "Audit programme v1 (ISMS/Records)"}, f, edition="2022")
    assert f.state == "closed" and f.is_closed
    f = build_finding({"check_by": "Yamada", "check_on": "2026-05-10", "check_result": "effective"}, f, edition="2022")
    assert f.state == "verified"
    again = build_finding({"check_result": "not_effective", "check_note": "the programme was not followed"}, f, edition="2022")
    assert again.state == "open" and again.reopened and not again.is_closed


@pytest.mark.parametrize(("changes", "message"), [
    ({"raised_on": "2026-13-01"}, "is not a date"),
    ({"due": "next week"}, "is not a date"),
    ({"closed_on": "2026-04-01"}, "evidence of closure"),
    ({"closed_on": "2026-01-01", "closure_evidence": "minutes"}, "before the finding was raised"),
    ({"check_result": "effective", "check_by": "Y", "check_on": "2026-04-02"}, "after the finding is closed"),
    ({"closed_on": "2026-04-01", "closure_evidence": "x", "check_result": "effective"}, "who checked and when"),
    ({"closed_on": "2026-04-01", "closure_evidence": "x", "check_result": "effective", "check_by": "Y",
      "check_on": "2026-03-31"}, "before the finding was closed"),
    ({"grade": "critical"}, "grade must be one of"),
    ({"source": "customer"}, "source must be one of"),
    ({"description": "  "}, "Write what was found"),
    ({"ref": ""}, "needs the requirement"),
])
def test_bad_values_are_refused_with_a_clear_message(changes: dict, message: str):
    with pytest.raises(ValidationError, match=message) as exc:
        _f(**changes)
    assert exc.value.message("ja") != exc.value.message("en")  # in both languages


def test_the_corrective_action_is_a_plan_action_and_an_open_major_blocks(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        major = s.add_finding(grade="major", ref="A.5.15", description="Leavers keep their cloud accounts",
                              source="stage1", raised_on="2026-03-02")
        minor = s.add_finding(grade="minor", ref="clause 9.2", description="No audit programme",
                              action="Write the audit programme", owner="Sato", due="2026-05-31", raised_on="2026-03-02")
        obs = s.add_finding(grade="observation", ref="7.5.3", description="Two versions of the policy on the drive",
                            raised_on="2026-03-02")
        assert [f.label for f in (major, minor, obs)] == ["F-01", "F-02", "F-03"]
        view = s.view()
        assert [r.finding.id for r in view.certification_blockers] == [major.id]
        act = view.action(f"finding:{minor.id}")
        assert act is not None and act.owner == "Sato" and str(act.due) == "2026-05-31" and act.priority == 2
        assert "Write the audit programme" in act.title("en") and act.refs == (Ref(CLAUSE, "9.2"),)
        assert view.action(f"finding:{major.id}").priority == 1  # no action yet: decide one
        assert view.action(f"finding:{obs.id}") is None  # an observation is not work until an action is written
        s.edit_action(f"finding:{minor.id}", status="in_progress")  # the plan edits it like any action
        s.edit_action(f"finding:{minor.id}", owner="Suzuki")
        s.update_finding("F-02", owner="Takahashi")  # the finding's owner wins again
        assert s.view().action(f"finding:{minor.id}").owner == "Takahashi"
        s.update_finding(major.id, action="Remove leavers on the last day", correction="Accounts removed",
                         closed_on="2026-03-20", closure_evidence="Leaver checklist, March")
        view = s.view()
        assert view.certification_blockers == [] and view.action(f"finding:{major.id}") is None
        with pytest.raises(ValidationError, match="No such finding"):
            s.update_finding("F-09", owner="x")
        with pytest.raises(ValidationError, match="evidence of closure"):
            s.update_finding("F-02", closed_on="2026-04-01")
        assert s.findings.find("F-02").closed_on is None  # refused: nothing written
    stored = workspace.findings_data(sample_id)
    assert stored.findings[major.id].state == "closed" and stored.findings[minor.id].owner == "Takahashi"
    assert [r.finding.label for r in workspace.view(sample_id).open_findings] == ["F-02", "F-03"]


def test_not_effective_reopens_the_finding_and_its_done_action(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        f = s.add_finding(grade="major", ref="8.13", description="Backups never restored", action="Restore test monthly",
                          raised_on="2026-01-10")
        s.edit_action(f"finding:{f.id}", status="done")
        s.update_finding(f.id, closed_on="2026-02-01", closure_evidence="Restore log Jan")
        assert s.view().certification_blockers == []
        s.update_finding(f.id, check_by="Yamada", check_on="2026-03-01", check_result="not_effective",
                         check_note="February restore was skipped")
        view = s.view()
        assert [r.finding.id for r in view.certification_blockers] == [f.id]
        act = view.action(f"finding:{f.id}")
        assert act is not None and act.action_status == "todo" and "reopened" in act.title("en")


def test_duplicate_keeps_the_findings(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        s.add_finding(grade="ofi", ref="A.8.7", description="Could automate the EDR report", raised_on="2026-03-02")
    copy = workspace.duplicate(sample_id)
    assert [f.description for f in workspace.findings_data(copy).findings.values()] == ["Could automate the EDR report"]


def test_version_4_file_gains_the_findings_table_and_a_read_does_not_write(workspace: Workspace, sample_id: str):
    path = workspace.store.file_path(sample_id)
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "partial")
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("findings", None)
    data["meta"]["1"]["schema_version"] = 4
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = path.read_bytes()
    assert workspace.findings_data(sample_id).findings == {}
    assert workspace.view(sample_id).findings == []
    assert path.read_bytes() == before  # read-only: migrated in memory, file untouched
    with workspace.open(sample_id) as s:
        assert s.answers["s-backup-1"].status == "partial"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["meta"]["1"]["schema_version"] == SCHEMA_VERSION >= 5 and data["findings"] == {}


def test_a_damaged_finding_row_marks_the_file_damaged(workspace: Workspace, sample_id: str):
    path = workspace.store.file_path(sample_id)
    with workspace.open(sample_id) as s:
        s.add_finding(grade="minor", ref="9.2", description="x", raised_on="2026-03-02")
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data["findings"].values()))["closed_on"] = "2026-03-05"  # closed without evidence
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CorruptFileError, match="findings record 1"):
        workspace.load(sample_id)


def test_finding_labels_and_lookup():
    data = FindingsData()
    f = _f()
    f.no = 3
    data.findings[f.id] = f
    assert data.find("F-03") is f and data.find("f3") is f and data.find("3") is f and data.find(f.id) is f
    assert data.find("F-04") is None and data.next_no() == 4


def test_a_2013_assessment_takes_its_own_controls(tmp_path):
    ws = Workspace(tmp_path / "data")
    aid = ws.create(Assessment(organization="Old KK", edition="2013"))
    with ws.open(aid) as s:
        f = s.add_finding(grade="minor", ref="A.9.2.1", description="User registration not recorded", raised_on="2026-03-02")
        with pytest.raises(ValidationError, match="edition \\(2013\\)"):
            s.add_finding(grade="minor", ref="A.5.15", description="x", raised_on="2026-03-02")
    assert f.requirement.label("en") == "A.9.2.1 (2013)"


def test_a_requirement_shown_in_a_form_reads_back_as_itself():
    from isms_tui.findings import ref_input

    for ref, edition in ((Ref(CLAUSE, "9.2"), "2022"), (Ref(CLAUSE, "5.1"), "2022"), (Ref(CONTROL, "5.1"), "2022"),
                         (Ref(CONTROL_2013, "A.9.2.1"), "2013"), (Ref(CLAUSE, "9.2.1"), "2013")):
        for lang in ("ja", "en"):
            assert parse_requirement(ref_input(ref, lang), edition) == ref


def test_cli_records_and_lists_findings_with_one_line_errors(data_dir, sample_id):
    from tests.conftest import run_cli

    r = run_cli("finding", sample_id, "--grade", "minor", "--ref", "9.2", "--description", "No audit programme",
                "--action", "Write the programme", "--owner", "Sato", "--due", "2099-05-31", data_dir=data_dir)
    assert r.returncode == 0 and "F-01" in r.stdout and "Clause 9.2 Internal audit" in r.stdout, r.stderr
    r = run_cli("finding", sample_id, "--grade", "major", "--ref", "A.5.15", "--description", "Leavers keep accounts",
                "--source", "stage1", data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    bad = run_cli("finding", sample_id, "--grade", "minor", "--ref", "5.1", "--description", "x", data_dir=data_dir)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "clause 5.1" in bad.stderr
    bad = run_cli("finding", sample_id, "--grade", "minor", "--ref", "9.2", "--description", "x", "--due", "soon",
                  data_dir=data_dir)
    assert bad.returncode == 1 and "not a date" in bad.stderr
    usage = run_cli("finding", sample_id, "--grade", "critical", "--ref", "9.2", "--description", "x", data_dir=data_dir)
    assert usage.returncode == 2 and usage.stderr.count("\n") == 1
    usage = run_cli("finding", sample_id, "--grade", "minor", "--description", "x", data_dir=data_dir)
    assert usage.returncode == 2  # --ref is required
    listed = run_cli("findings", sample_id, "--lang", "en", data_dir=data_dir)
    lines = listed.stdout.splitlines()
    assert listed.returncode == 0 and "Certification decision blocked: 1" in listed.stdout
    assert lines[-2].startswith("F-02 [Major NC] A.5.15  Open") and lines[-1].startswith("F-01 [Minor NC] Clause 9.2  Action planned")
    assert "Sato / 2099-05-31" in lines[-1]
    data = json.loads(run_cli("findings", sample_id, "--json", data_dir=data_dir).stdout)
    assert data["certification_blockers"] == ["F-02"] and [f["state"] for f in data["findings"]] == ["open", "action_planned"]
    report = json.loads(run_cli("report", sample_id, "--json", data_dir=data_dir).stdout)
    assert report["certification_blockers"] == ["F-02"]
    assert any(a["source"] == {"kind": "finding", "id": data["findings"][1]["id"]} for a in report["plan"])
    text = run_cli("report", sample_id, "--lang", "en", data_dir=data_dir).stdout
    assert "Findings (corrective action): 2, 2 not closed" in text
    assert run_cli("findings", sample_id, "--lang", "ja", data_dir=data_dir).stdout.count("F-0") == 3  # two rows, the blocker line


def test_the_workbook_has_the_corrective_actions_sheet_only_with_findings(workspace: Workspace, sample_id: str, tmp_path):
    from openpyxl import load_workbook

    from isms_tui.exports.xlsx import export_assessment

    path = export_assessment(workspace, sample_id, tmp_path / "none.xlsx", lang="en")
    assert "Corrective actions" not in load_workbook(path).sheetnames
    with workspace.open(sample_id) as s:
        s.add_finding(grade="major", ref="A.5.15", description="=HYPERLINK(\"x\") leavers keep accounts",
                      source="stage1", raised_on="2026-03-02", raised_by="CB auditor")
        s.add_finding(grade="minor", ref="9.2", description="No audit programme", action="Write it", owner="Sato",
                      due="2099-05-31", raised_on="2026-03-02", closed_on="2026-04-01", closure_evidence="Programme v1",
                      check_by="Yamada", check_on="2026-04-20", check_result="effective")
    for lang, name, blocked in (("en", "Corrective actions", "blocking"), ("ja", "是正処置一覧", "止めている")):
        path = export_assessment(workspace, sample_id, tmp_path / f"f_{lang}.xlsx", lang=lang)
        wb = load_workbook(path)
        assert wb.sheetnames[-1] == name
        ws = wb[name]
        assert blocked in ws["A2"].value and "F-01" in ws["A2"].value
        rows = {r[0].value: r for r in ws.iter_rows(min_row=5)}
        assert rows["F-01"][4].value.startswith("=HYPERLINK") and rows["F-01"][4].data_type == "s"  # literal text
        assert rows["F-02"][8].value.date().isoformat() == "2099-05-31" and "Programme v1" in rows["F-02"][9].value
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    en = load_workbook(tmp_path / "f_en.xlsx")["Corrective actions"]
    assert [c.value for c in en[4]][:4] == ["No.", "Source, raised", "Grade", "Requirement"]
    assert en["L6"].value == "Verified" and en["C5"].value == "Major NC"


def test_the_demo_company_had_one_internal_audit_with_four_findings(tmp_path):
    from isms_tui.demo import DEMO_AUDIT_DAYS_AGO, create_demo

    ws = Workspace(tmp_path / "data")
    for lang in ("ja", "en"):
        view = ws.view(create_demo(ws, lang))
        rows = {r.finding.label: r for r in view.findings}
        assert len(rows) == 4 and {r.finding.source for r in rows.values()} == {"internal_audit"}
        assert len({r.finding.raised_on for r in rows.values()}) == 1
        assert (view.today - date.fromisoformat(rows["F-01"].finding.raised_on)).days == DEMO_AUDIT_DAYS_AGO
        assert [(r.finding.grade, r.state) for r in (rows[k] for k in ("F-01", "F-02", "F-03", "F-04"))] == [
            ("minor", "action_planned"), ("observation", "open"), ("ofi", "open"), ("minor", "verified")]
        act = rows["F-01"].action
        assert act is not None and act.action_status == "in_progress" and act.owner and act.due > view.today
        assert rows["F-04"].action is None and view.certification_blockers == []
        assert [r.finding.label for r in view.open_findings] == ["F-01", "F-02", "F-03"]
