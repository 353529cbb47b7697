"""The internal audit kit in the core: the scope as typed, the independence check, the coverage
of the programme, the checklist from the banks, a line's result and its one finding, the clause
9.2.2 evidence on the gate, deleting a finding, the schema step and the CLI (no Textual here)."""

from __future__ import annotations

import json

import pytest

from isms_tui.internal_audit import coverage_gaps, parse_scope, same_person
from isms_tui.model import Assessment, ValidationError
from isms_tui.service import Workspace
from isms_tui.storage import SCHEMA_VERSION, CorruptFileError


def test_scope_is_read_as_typed_with_clear_errors():
    assert parse_scope("clause 9, A.5, A.8.15", "2022") == ["clause:9", "theme:5", "control:8.15"]
    assert parse_scope("\u7b87\u67619\u3001A.5\uff0cA.8.15", "2022") == ["clause:9", "theme:5", "control:8.15"]
    assert parse_scope("9.2, 5.15, 10, clause 9", "2022") == ["clause:9.2", "control:5.15", "clause:10", "clause:9"]
    assert parse_scope("A.9, A.9.2.1", "2013") == ["domain:A.9", "control_2013:A.9.2.1"]
    with pytest.raises(ValidationError, match='Cannot read "A.9" as a scope area'):
        parse_scope("A.9", "2022")  # no theme 9 in the 2022 edition
    with pytest.raises(ValidationError, match='Cannot read "Z"'):
        parse_scope("clause 9, Z", "2022")
    with pytest.raises(ValidationError, match="both clause 5.1 and control A.5.1"):
        parse_scope("5.1", "2022")
    with pytest.raises(ValidationError, match="Enter the audit's scope"):
        parse_scope(" , ", "2022")


def test_people_are_the_same_with_or_without_their_role():
    assert same_person("Suzuki", "Suzuki (production)")
    assert same_person("\u9234\u6728(\u5236\u4f5c\u90e8\u9577)", "\u5236\u4f5c\u90e8 \u9234\u6728")
    assert not same_person("Sato", "Satoh")
    assert not same_person("", "Sato")


def _ws(tmp_path, edition="2022") -> tuple[Workspace, str]:
    ws = Workspace(tmp_path / "data")
    return ws, ws.create(Assessment(organization="Audit KK", edition=edition, lang="en"))


def test_independence_flags_auditees_and_owners_in_scope_and_says_which(tmp_path):
    ws, aid = _ws(tmp_path)
    with ws.open(aid) as s:
        s.add_document(catalog_id=next(iter(_catalog_ids())), owner="Tanaka")
        s.set_soa_decision("8.15", owner="Kato (IT)", applicable="yes", justification="Logs are needed to investigate incidents")
        a = s.add_audit(title="IT controls", planned="2099-03-01", scope="A.8.15", lead="Kato", auditors="Mori",
                        auditees="Mori, Ito")
        b = s.add_audit(title="Management", planned="2099-04-01", scope="clause 9", lead="Kato", auditees="Ito")
        rows = {r.audit.id: r for r in s.view().audit_programme.rows}
    problems = [p.message("en") for p in rows[a.id].problems]
    assert problems == ["Kato owns the SoA decision of A.8.15 in scope.",
                        "Mori is an auditee of this audit (they would audit their own work)."]
    assert rows[b.id].problems == []  # Kato's decision is not in clause 9


def _catalog_ids():
    from isms_tui.documents import document_catalog

    return [c for c, d in document_catalog().items() if d.mandatory]


def test_a_document_owner_auditing_its_clause_is_flagged(tmp_path):
    from isms_tui.documents import document_catalog

    ws, aid = _ws(tmp_path)
    scope_doc = next(c for c, d in document_catalog().items() if d.mandatory and any(r.key == "clause:4.3" for r in d.refs))
    with ws.open(aid) as s:
        s.add_document(catalog_id=scope_doc, owner="Tanaka (office)")
        s.add_audit(title="Context", planned="2099-03-01", scope="clause 4", lead="Tanaka")
        s.add_audit(title="Support", planned="2099-03-01", scope="clause 7", lead="Tanaka")
        rows = s.view().audit_programme.rows
    kinds = {p.kind: p.message("en") for p in rows[0].problems}
    assert set(kinds) == {"document", "action"}  # the document, and the plan action to write it (owned by Tanaka too)
    assert kinds["document"].startswith("Tanaka owns the document") and "(Clause 4.3) in scope" in kinds["document"]
    assert rows[1].problems == []


def test_coverage_names_the_clauses_and_themes_no_audit_covers(tmp_path):
    ws, aid = _ws(tmp_path)
    with ws.open(aid) as s:
        s.add_audit(title="One", planned="2099-03-01", scope="clause 4, clause 5, clause 6, clause 7, A.5, A.6", lead="X")
        s.add_audit(title="Two", planned="2099-09-01", scope="clause 8, clause 10, 9.1, 9.2, A.7", lead="Y")
        gaps = [g.label("en") for g in s.view().audit_programme.gaps]
    assert gaps == ["Clause 9", "A.8"]  # 9.3 is not audited; no audit covers the technological controls
    with ws.open(aid) as s:
        s.update_audit("IA-02", scope="clause 8, clause 10, 9.1, 9.2, 9.3, A.7, A.8")
        assert s.view().audit_programme.gaps == []
    from isms_tui.internal_audit import Audit

    assert [g.label("en") for g in coverage_gaps([Audit("x", ["clause:4"], planned="2099-01-01", lead="X")], "2013")][:3] == [
        "Clause 5", "Clause 6", "Clause 7"]


def test_checklist_comes_from_the_banks_for_the_scope(tmp_path):
    ws, aid = _ws(tmp_path)
    with ws.open(aid) as s:
        s.add_audit(title="Logging", planned="2099-03-01", scope="A.8.15", lead="X")
        view = s.view()
    row = view.audit_programme.rows[0]
    assert row.lines and all(ln.requirement.key == "control:8.15" for ln in row.lines)
    assert all(ln.item.auditor_asks["ja"] and ln.item.auditor_asks["en"] for ln in row.lines)
    assert [ln.n for ln in row.lines] == list(range(1, len(row.lines) + 1)) and not row.recorded


def test_a_line_raises_exactly_one_finding_and_conforming_removes_it(tmp_path):
    ws, aid = _ws(tmp_path)
    with ws.open(aid) as s:
        audit = s.add_audit(title="Logging", planned="2099-03-01", scope="A.8.15", lead="Kato")
        line, f, what = s.record_audit_line("IA-01", 1, result="minor")
        assert what == "created" and f.grade == "minor" and f.audit == audit.id and f.source == "internal_audit"
        assert f.requirement.key == "control:8.15" and f.raised_by == "Kato" and "IA-01" in f.description
        _, f2, what = s.record_audit_line("IA-01", 1, result="major", note="Firewall logs are kept 7 days only")
        assert what == "updated" and f2.id == f.id and f2.grade == "major"
        assert f2.description == "Firewall logs are kept 7 days only"  # the note, written in the checklist
        assert len(s.findings.findings) == 1
        _, f3, what = s.record_audit_line("IA-01", 1, result="observation")
        assert f3.id == f.id and f3.grade == "observation" and len(s.findings.findings) == 1
        _, gone, what = s.record_audit_line("IA-01", 1, result="conforming")
        assert gone is None and what == "removed" and s.findings.findings == {}
        assert s.audits.lines[(audit.id, line.item)].result == "conforming"
    view = ws.view(aid)  # saved durably: a fresh read says the same
    assert view.findings == [] and view.audit_programme.rows[0].lines[0].result == "conforming"


def test_back_to_conforming_is_refused_once_the_finding_has_corrective_work(tmp_path):
    ws, aid = _ws(tmp_path)
    with ws.open(aid) as s:
        s.add_audit(title="Logging", planned="2099-03-01", scope="A.8.15", lead="Kato")
        _, f, _ = s.record_audit_line("IA-01", 1, result="major", note="Logs kept 7 days")
        s.update_finding(f.label, action="Keep logs 90 days", owner="Ito", due="2099-04-01")
        with pytest.raises(ValidationError, match=f"Finding {f.label} of this line already has corrective work"):
            s.record_audit_line("IA-01", 1, result="conforming")
        s.update_finding(f.label, description="Logs of the firewall are kept for 7 days only")
        _, same, _ = s.record_audit_line("IA-01", 1, note="a new note")
        assert same.description == "Logs of the firewall are kept for 7 days only"  # edited in the register: kept
    assert ws.view(aid).audit_programme.rows[0].lines[0].result == "major"


def test_deleting_a_finding_takes_its_plan_edit_and_the_line_can_raise_it_again(tmp_path):
    ws, aid = _ws(tmp_path)
    with ws.open(aid) as s:
        s.add_audit(title="Logging", planned="2099-03-01", scope="A.8.15", lead="Kato")
        _, f, _ = s.record_audit_line("IA-01", 1, result="major")
        s.edit_action(f"finding:{f.id}", owner="Ito", status="in_progress")
        s.remove_finding(f.label)
        assert f"finding:{f.id}" not in s.edits and s.findings.findings == {}
        with pytest.raises(ValidationError, match="No such finding"):
            s.remove_finding(f.label)
    view = ws.view(aid)
    assert view.findings == [] and all(a.source.kind != "finding" for a in view.plan)
    assert f"finding:{f.id}" not in view.edits
    line = view.audit_programme.rows[0].lines[0]
    assert line.result == "major" and line.finding is None and line.record.finding == ""
    with ws.open(aid) as s:
        _, again, what = s.record_audit_line("IA-01", 1, result="major")
    assert what == "created" and again.id != f.id


def test_clause_9_2_2_waits_for_an_audit_done_with_every_line_recorded(tmp_path):
    ws, aid = _ws(tmp_path)

    def req(view):
        return next(r for r in view.gate.requirements if r.ref.id == "9.2.2")

    with ws.open(aid) as s:
        assert not any(i.key.startswith("audit.") for i in req(s.view()).issues)  # no programme: the questions decide
        s.add_audit(title="Logging", planned="2099-03-01", scope="A.8.15", lead="Kato")
        total = len(s.view().audit_programme.rows[0].lines)
        assert req(s.view()).state == "not_met" and [i.key for i in req(s.view()).issues] == ["audit.gate.none_complete"]
        for n in range(1, total + 1):
            s.record_audit_line("IA-01", n, result="conforming")
        assert [i.key for i in req(s.view()).issues] == ["audit.gate.none_complete"]  # not done yet
        s.update_audit("IA-01", done_on="2099-03-01")
        assert s.view().audit_programme.evidence and not req(s.view()).issues
        s.record_audit_line("IA-01", total, result="")  # a line back to "not audited yet"
        assert [i.key for i in req(s.view()).issues] == ["audit.gate.none_complete"]


def test_an_audit_is_checked_whole(tmp_path):
    ws, aid = _ws(tmp_path)
    with ws.open(aid) as s:
        for values, message in (({"planned": "2099-01-01", "scope": "clause 9", "lead": "X"}, "title"),
                                ({"title": "T", "scope": "clause 9", "lead": "X"}, "planned"),
                                ({"title": "T", "planned": "2099-01-01", "scope": "clause 9"}, "lead auditor"),
                                ({"title": "T", "planned": "soon", "scope": "clause 9", "lead": "X"}, "not a date")):
            with pytest.raises(ValidationError, match=message):
                s.add_audit(**values)
        s.add_audit(title="T", planned="2099-01-01", scope="clause 9", lead="X")
        with pytest.raises(ValidationError, match="no line 999"):
            s.record_audit_line("IA-01", 999, result="minor")
        with pytest.raises(ValidationError, match="No such internal audit"):
            s.record_audit_line("IA-09", 1, result="minor")
        assert s.audits.audits and not s.audits.lines


def test_schema_8_adds_the_audit_tables_to_a_version_6_file(tmp_path):
    ws, aid = _ws(tmp_path)
    path = ws.file_path(aid)
    data = json.loads(path.read_text())
    data["meta"]["1"]["schema_version"] = 6
    for table in ("audits", "audit_lines"):
        data.pop(table, None)
    path.write_text(json.dumps(data))
    assert ws.view(aid).audit_programme.rows == []
    with ws.open(aid) as s:
        s.add_audit(title="T", planned="2099-01-01", scope="clause 9", lead="X")
    data = json.loads(path.read_text())
    assert data["meta"]["1"]["schema_version"] == SCHEMA_VERSION >= 8 and len(data["audits"]) == 1
    assert data["audit_lines"] == {}


def test_a_damaged_audit_row_marks_the_file_damaged(tmp_path):
    ws, aid = _ws(tmp_path)
    with ws.open(aid) as s:
        s.add_audit(title="T", planned="2099-01-01", scope="clause 9", lead="X")
    path = ws.file_path(aid)
    data = json.loads(path.read_text())
    next(iter(data["audits"].values()))["scope"] = ["clause:99"]
    path.write_text(json.dumps(data))
    with pytest.raises(CorruptFileError):
        ws.view(aid)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_programme_has_a_done_audit_with_its_findings_and_one_independence_problem(tmp_path, lang):
    from isms_tui.demo import create_demo

    ws = Workspace(tmp_path / "data")
    view = ws.view(create_demo(ws, lang))
    rows = view.audit_programme.rows
    assert len(rows) == 3 and rows[0].complete and not rows[1].done and not rows[2].done
    assert rows[1].audit.planned > rows[0].audit.done_on
    assert {f.audit for f in view.findings_data.findings.values()} == {rows[0].audit.id}
    assert len(rows[0].findings) == 3  # the minor ones and the observation; the OFI is noted on its line
    assert [bool(r.problems) for r in rows] == [True, False, False]
    assert view.audit_programme.gaps  # the tool has a coverage warning to show
    assert not any(i.key.startswith("audit.") for r in view.gate.requirements for i in r.issues)


def test_cli_plans_an_audit_records_a_line_and_deletes_the_finding(data_dir):
    from tests.conftest import run_cli

    ws = Workspace(data_dir)
    aid = ws.create(Assessment(organization="Audit KK", lang="en"))
    r = run_cli("audit", aid, "--title", "Logging", "--planned", "2099-03-01", "--scope", "A.8.15, clause 9.2",
                "--lead", "Kato", "--auditees", "Kato", data_dir=data_dir)
    assert r.returncode == 0 and "IA-01" in r.stdout and "Kato is an auditee" in r.stdout, r.stderr
    bad = run_cli("audit", aid, "--title", "X", "--planned", "2099-03-01", "--scope", "A.9", "--lead", "K", data_dir=data_dir)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and 'Cannot read "A.9"' in bad.stderr
    r = run_cli("audit", aid, "IA-01", "--line", "1", "--result", "major", "--note", "Logs kept 7 days", data_dir=data_dir)
    assert r.returncode == 0 and "IA-01 line 1: Major NC" in r.stdout and "Finding F-01 added" in r.stdout, r.stderr
    listed = run_cli("audit", aid, "IA-01", "--checklist", "--json", data_dir=data_dir)
    lines = json.loads(listed.stdout)["lines"]
    assert lines[0]["result"] == "major" and lines[0]["finding"] == "F-01" and lines[0]["auditor_asks"]["ja"]
    assert " \u203a " in lines[0]["where"]  # the bank and its section, never an id
    data = json.loads(run_cli("audits", aid, "--json", data_dir=data_dir).stdout)
    assert data["audits"][0]["findings"] == ["F-01"] and data["audits"][0]["independence"][0]["kind"] == "auditee"
    assert "Clause 4" in [g["label"] for g in data["not_covered"]] and data["gate_issues"]
    text = run_cli("audits", aid, "--lang", "en", data_dir=data_dir).stdout
    assert "IA-01 Logging  planned 2099-03-01" in text and "! Not covered by this cycle's programme" in text
    usage = run_cli("audit", aid, "--line", "1", "--result", "minor", data_dir=data_dir)
    assert usage.returncode == 2 and usage.stderr.count("\n") == 1
    assert run_cli("finding", aid, "F-01", data_dir=data_dir).returncode == 2  # KEY without --delete
    r = run_cli("finding", aid, "F-01", "--delete", data_dir=data_dir)
    assert r.returncode == 0 and "Finding F-01 deleted" in r.stdout, r.stderr
    assert json.loads(run_cli("findings", aid, "--json", data_dir=data_dir).stdout)["findings"] == []
    gone = run_cli("finding", aid, "F-01", "--delete", data_dir=data_dir)
    assert gone.returncode == 1 and "No such finding" in gone.stderr


def test_the_workbook_has_the_audit_checklist_sheet_before_the_corrective_actions(tmp_path):
    from openpyxl import load_workbook

    from isms_tui.exports.xlsx import export_assessment

    ws, aid = _ws(tmp_path)
    path = export_assessment(ws, aid, tmp_path / "none.xlsx", lang="en")
    assert "Internal audit checklist" not in load_workbook(path).sheetnames  # no programme, no sheet
    with ws.open(aid) as s:
        s.add_audit(title="=HYPERLINK(\"x\") Logging", planned="2099-03-01", scope="A.8.15", lead="Kato", auditees="Kato")
        s.record_audit_line("IA-01", 1, result="major", note="=1+1 logs kept 7 days", evidence="Firewall console")
    for lang, sheet, findings in (("en", "Internal audit checklist", "Corrective actions"), ("ja", "内部監査チェックリスト", "是正処置一覧")):
        wb = load_workbook(export_assessment(ws, aid, tmp_path / f"audit_{lang}.xlsx", lang=lang))
        names = wb.sheetnames
        assert names.index(sheet) + 1 == names.index(findings)
        cells = [[c.value for c in row] for row in wb[sheet].iter_rows()]
        programme = next(r for r in cells if r[0] == "IA-01")
        assert programme[1] == "=HYPERLINK(\"x\") Logging" and programme[5] == f"1/{len(_lines(ws, aid))}"
        assert programme[8] == "F-01" and programme[7]  # the finding, and the independence problem (Kato is an auditee)
        line = next(r for r in cells if r[0] == "1")
        assert line[1].startswith("A.8.15 ") and " \u203a " in line[2]  # the requirement; the bank and section
        assert line[6] == ("Major NC" if lang == "en" else "重大な不適合") and line[8] == "F-01"
        assert line[7].startswith("=1+1 logs kept 7 days") and "Firewall console" in line[7]
        assert line[3]  # what the auditor asks, from the bank
        assert any(r[0] and str(r[0]).startswith(("Not covered", "この周期")) for r in cells)


def _lines(ws, aid):
    return ws.view(aid).audit_programme.rows[0].lines
