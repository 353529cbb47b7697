"""The next cycle (isms_tui/next_cycle.py, isms_tui/changes.py): what carries over, table by
table; the previous file is not changed; answers to re-confirm; changes since the last cycle."""

from __future__ import annotations

import copy
import json

import pytest

from isms_tui.changes import CHANGE_TOPICS
from isms_tui.demo import create_demo
from isms_tui.findings import Finding, FindingsData
from isms_tui.model import ActionEdit, Answer, Assessment, ValidationError, check_doc
from isms_tui.next_cycle import CARRIED, NOT_CARRIED, next_cycle
from isms_tui.soa_decisions import SoaDecision
from isms_tui.storage import SCHEMA_VERSION, atomic_write_bytes, encode, migrate
from tests.conftest import run_cli

STORED_BY_OTHER_REGISTERS = {  # tables of registers other branches add, as they are stored
    "sampling": {"1": {"id": "s1", "record_type": "access_reviews", "months": "3_6", "location": "admin console"}},
    "calendar": {"1": {"row": "activity", "key": "internal_audit", "every": 12, "lead": 60, "last_done": "2026-10-01",
                       "owner": "Auditor"}},
    "audits": {"1": {"id": "au1", "title": "Internal audit 2026", "scope": ["clause:9"], "planned": "2026-10-01",
                     "lead": "Auditor", "no": 1}},
    "audit_lines": {"1": {"audit": "au1", "item": "cl-9.2.1-1", "result": "conforming"}},
}


def _all_tables(workspace) -> set[str]:
    """Every table an assessment file can hold: those the migration of an empty old file
    adds, those a full file (the demo) stores, and the other registers' tables."""
    empty = {"meta": {"1": {"organization": "X", "schema_version": 0}}}
    data, _ = migrate(copy.deepcopy(empty))
    demo = create_demo(workspace, "en")
    return set(data) | set(workspace.store.read(demo)) | set(STORED_BY_OTHER_REGISTERS)


def test_every_table_is_carried_or_listed_as_left_behind(workspace):
    """A table storage gains must be added to CARRIED (and carried) or to NOT_CARRIED (with why)."""
    tables = _all_tables(workspace)
    assert not set(CARRIED) & set(NOT_CARRIED)
    assert tables - set(CARRIED) - set(NOT_CARRIED) == set()
    assert {"sampling", "calendar"} <= set(CARRIED)
    assert {"audits", "audit_lines", "workshops", "history", "parked"} <= set(NOT_CARRIED)


def _add_raw_tables(workspace, aid: str) -> None:
    path = workspace.file_path(aid)
    data = json.loads(path.read_bytes())
    data.update(copy.deepcopy(STORED_BY_OTHER_REGISTERS))
    atomic_write_bytes(path, encode(data))


def _docs(data: dict, table: str) -> list[dict]:
    return list((data.get(table) or {}).values())


def _by(docs: list[dict], key: str) -> dict:
    return {d[key]: d for d in docs}


def test_next_cycle_carries_every_table_and_leaves_the_previous_file_as_it_was(workspace):
    old_id = create_demo(workspace, "en")
    _add_raw_tables(workspace, old_id)
    path = workspace.file_path(old_id)
    before = path.read_bytes()
    old = workspace.store.read(old_id)
    assert _docs(old, "parked") and _docs(old, "history") and _docs(old, "workshops")  # the demo has them
    old_findings = FindingsData.from_tables(old).findings.values()
    assert any(f.is_closed for f in old_findings) and any(not f.is_closed for f in old_findings)
    assert any(d["status"] == "done" for d in _docs(old, "actions"))

    result = next_cycle(workspace, old_id, target_date="2027-10-15")
    assert path.read_bytes() == before  # not a byte of the previous cycle changes
    new = workspace.store.read(result.new_id)
    new_meta, old_meta = _docs(new, "meta")[0], _docs(old, "meta")[0]
    known = {i.id for b in workspace.banks_for(Assessment.from_doc(new_meta)) for i in b.items}

    def meta():
        for k in ("organization", "scope", "edition", "lang", "certification_date"):
            assert new_meta[k] == old_meta[k]
        assert new_meta["source"]["previous_cycle"] == old_id
        assert "transition_from" not in new_meta["source"]
        assert new_meta["target_date"] == "2027-10-15" and new_meta["id"] != old_meta["id"]
        assert new_meta["schema_version"] == SCHEMA_VERSION

    def answers():
        olds, news = _by(_docs(old, "answers"), "item_id"), _by(_docs(new, "answers"), "item_id")
        assert set(news) == {i for i in olds if i in known} and news
        for item_id, a in news.items():
            for k in ("status", "note", "evidence", "owner", "due", "last_done", "na_justification"):
                assert a[k] == olds[item_id][k], (item_id, k)
            assert a["reconfirm"] is (a["status"] is not None)

    def actions():
        open_findings = {d["id"] for d in _docs(new, "findings")}
        olds = {k: d for k, d in _by(_docs(old, "actions"), "action_id").items() if d["status"] != "done"
                and d["source"]["kind"] not in ("parked", "change")
                and (d["source"]["kind"] != "question" or d["source"]["id"] in known)
                and (d["source"]["kind"] != "finding" or d["source"]["id"] in open_findings)}
        news = _by(_docs(new, "actions"), "action_id")
        assert set(news) == set(olds) and news
        assert {d["source"]["kind"] for d in news.values()} >= {"question", "risk", "finding"}
        for aid, d in news.items():
            for k in ("owner", "due", "status", "progress", "source"):
                assert d[k] == olds[aid][k]

    def findings():
        open_ = [d for d in _docs(old, "findings") if not Finding.from_doc(d).is_closed]
        assert _docs(new, "findings") == open_ and open_

    def same(table):
        def check():
            assert _docs(new, table) == _docs(old, table) and _docs(old, table), table
        return check

    checks = {"meta": meta, "answers": answers, "actions": actions, "findings": findings,
              **{t: same(t) for t in ("risk_criteria", "assets", "risks", "soa", "participants", "documents",
                                      "sampling", "calendar")}}
    assert set(checks) == set(CARRIED)  # a table added to CARRIED needs its check here
    for check in checks.values():
        check()
    for table in NOT_CARRIED:
        if table == "changes":
            assert [d["topic"] for d in _docs(new, table)] == list(CHANGE_TOPICS)
            assert all(d["answer"] is None for d in _docs(new, table))
        else:
            assert not _docs(new, table), table
    assert result.left_behind["findings"] == sum(f.is_closed for f in old_findings)


def test_next_cycle_kind_banks_and_organization(workspace, sample_id):
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "implemented")
    renewal = Assessment(organization="Cert KK", edition="2022", kind="initial", certification_date="2026-03-01")
    rid = workspace.create(renewal)
    new_id = next_cycle(workspace, rid, organization="Cert Holdings KK").new_id
    a, _, _ = workspace.load(new_id)
    assert a.kind == "renewal" and a.organization == "Cert Holdings KK" and a.target_date is None
    assert a.banks[0] == "process-maintenance" and "process-acquisition" not in a.banks
    # not certified yet: the kind and the chosen banks stay
    same = workspace.load(next_cycle(workspace, sample_id).new_id)[0]
    assert same.kind == "initial" and same.banks == ["sample"]
    with pytest.raises(ValidationError):
        next_cycle(workspace, sample_id, target_date="2027-02-30")


def test_a_2013_cycle_continues_as_2022_through_the_transition(workspace):
    a13 = workspace.bankset.get("annex-a-2013")
    old = Assessment(organization="Old Edition KK", edition="2013", kind="renewal", certification_date="2024-05-01")
    item = next(i for i in a13.items if "A.9.2.1" in i.controls_2013)
    finding = Finding(grade="minor", ref="control_2013:A.9.2.1", description="Leavers not de-registered",
                      raised_on="2025-01-10", owner="IT")
    closed = Finding(grade="minor", ref="clause:9.2", description="Audit programme late", raised_on="2025-01-10",
                     closed_on="2025-03-01", closure_evidence="Programme approved")
    old_id = workspace.create(old, [Answer(item.id, status="partial", note="quarterly")],
                              [ActionEdit(f"question:{item.id}", owner="IT lead"), ActionEdit(f"finding:{finding.id}", owner="IT")],
                              soa=[SoaDecision("control_2013:A.9.2.1", applicable=True)],
                              findings=FindingsData({finding.id: finding, closed.id: closed}))
    before = workspace.file_path(old_id).read_bytes()
    result = next_cycle(workspace, old_id, target_date="2027-05-01")
    assert workspace.file_path(old_id).read_bytes() == before
    view = workspace.view(result.new_id)
    a = view.assessment
    assert a.edition == "2022" and a.kind == "renewal"
    assert a.source["previous_cycle"] == old_id and a.source["transition_from"] == old_id
    assert "annex-a-2022" in a.banks and "annex-a-2013" not in a.banks
    carried = [i for i in view.reconfirm_items if i.id.startswith("a22-")]
    assert carried and all(view.answers[i.id].status == "partial" for i in carried)  # the transition's rule
    assert [f.ref for f in view.findings_data.findings.values()] == ["control:5.16"]  # A.9.2.1 -> 5.16 (identity management)
    assert set(view.edits) == {f"finding:{finding.id}"}  # the 2013 question's action has no 2013 question now
    assert view.soa_decisions == {} and result.left_behind["soa"] == 1


def test_reconfirm_counts_with_its_baseline_until_answered_again(workspace, sample_id):
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "implemented")
        s.set_status("s-scope-1", "partial")
    old_view = workspace.view(sample_id)
    new_id = next_cycle(workspace, sample_id).new_id
    view = workspace.view(new_id)
    assert [i.id for i in view.reconfirm_items] == ["s-scope-1", "s-backup-1"]
    assert view.overall.readiness == old_view.overall.readiness  # counted with the baseline status
    assert view.gate.ready == old_view.gate.ready
    assert [i.id for i in view.items if view.matches(i, "reconfirm")] == ["s-scope-1", "s-backup-1"]
    with workspace.open(new_id) as s:
        s.set_fields("s-backup-1", note="checked the restore log")  # a note alone does not re-confirm
        assert s.view().to_reconfirm("s-backup-1")
        s.set_status("s-backup-1", "implemented")  # the same status, set again: re-confirmed
        assert not s.view().to_reconfirm("s-backup-1")
        assert s.answers["s-backup-1"].note == "checked the restore log"
    view = workspace.view(new_id)
    assert [i.id for i in view.reconfirm_items] == ["s-scope-1"]
    assert not workspace.load(new_id)[1]["s-backup-1"].reconfirm  # stored


def test_changes_asked_and_a_described_change_is_a_plan_action(workspace, sample_id):
    new_id = next_cycle(workspace, sample_id).new_id
    assert [c.topic for c in workspace.view(new_id).open_changes] == list(CHANGE_TOPICS)
    assert workspace.view(sample_id).changes == []  # not a next cycle: nothing asked
    with workspace.open(new_id) as s:
        with pytest.raises(ValidationError):
            s.answer_change("suppliers", "changed", "  ")
        s.answer_change("scope", "no_change")
        s.answer_change("suppliers", "changed", "Backups moved to a new cloud provider")
        view = s.view()
        assert [c.topic for c in view.open_changes] == ["organization", "systems", "laws"]
        act = view.action("change:suppliers")
        assert act is not None and [r.id for r in act.refs] == ["8.2", "6.1.3"]
        assert "Backups moved to a new cloud provider" in act.title("en")
        assert view.action("change:scope") is None
        s.edit_action("change:suppliers", owner="CISO", due="2027-01-31")
    view = workspace.view(new_id)
    act = view.action("change:suppliers")
    assert act.owner == "CISO" and act.due.isoformat() == "2027-01-31"
    with workspace.open(new_id) as s:
        s.answer_change("suppliers", "no_change")
    assert workspace.view(new_id).action("change:suppliers") is None


def test_changes_answered_when_the_cycle_is_started(workspace, sample_id):
    result = next_cycle(workspace, sample_id, changes={"laws": ("changed", "New privacy law in force"),
                                                       "scope": ("no_change", "")})
    view = workspace.view(result.new_id)
    assert [c.topic for c in view.open_changes] == ["organization", "systems", "suppliers"]
    assert view.action("change:laws") is not None


def test_version_6_file_migrates_with_changes_and_fresh_answers(workspace):
    path = workspace.assessments_dir / "v6file01.json"
    v6 = {"meta": {"1": {"organization": "Six KK", "kind": "initial", "edition": "2022", "lang": "en",
                         "banks": ["sample"], "id": "v6file01", "created": "2025-01-01T00:00:00+00:00",
                         "updated": "2025-01-01T00:00:00+00:00", "source": None, "schema_version": 6}},
          "answers": {"1": {"item_id": "s-backup-1", "status": "implemented", "created": "2025-01-01T00:00:00+00:00",
                            "updated": "2025-01-01T00:00:00+00:00"}},
          "actions": {}, "risk_criteria": {}, "assets": {}, "risks": {}, "soa": {}, "participants": {},
          "workshops": {}, "history": {}, "parked": {}, "documents": {}, "findings": {}}
    path.write_text(json.dumps(v6), encoding="utf-8")
    view = workspace.view("v6file01")  # read: migrated in memory, the file untouched
    assert view.reconfirm_items == [] and view.changes == []
    assert json.loads(path.read_text())["meta"]["1"]["schema_version"] == 6
    with workspace.open("v6file01") as s:
        assert not s.answers["s-backup-1"].reconfirm
    data = json.loads(path.read_text())
    assert data["meta"]["1"]["schema_version"] == SCHEMA_VERSION == 10 and data["changes"] == {}
    new_id = next_cycle(workspace, "v6file01").new_id  # a migrated file starts a next cycle like any other
    assert [i.id for i in workspace.view(new_id).reconfirm_items] == ["s-backup-1"]


def test_stored_reconfirm_and_change_values_are_checked(workspace, sample_id):
    assert check_doc(Answer, {"item_id": "x", "reconfirm": "yes"}) is not None
    new_id = next_cycle(workspace, sample_id).new_id
    path = workspace.file_path(new_id)
    data = json.loads(path.read_bytes())
    data["changes"]["1"]["answer"] = "maybe"
    atomic_write_bytes(path, encode(data))
    from isms_tui.storage import CorruptFileError

    with pytest.raises(CorruptFileError):
        workspace.view(new_id)


def test_cli_next_cycle_prints_the_new_id(data_dir, workspace, sample_id):
    r = run_cli("next-cycle", sample_id, "--target-date", "2027-11-30", data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    new_id = r.stdout.strip()
    a, _, _ = workspace.load(new_id)
    assert a.source["previous_cycle"] == sample_id and a.target_date == "2027-11-30"
    r = run_cli("next-cycle", "nosuch01", data_dir=data_dir)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    r = run_cli("next-cycle", sample_id, "--target-date", "someday", data_dir=data_dir)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    r = run_cli("next-cycle", data_dir=data_dir)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def test_report_says_what_is_to_reconfirm_and_the_changes(data_dir, workspace, sample_id):
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "partial")
    new_id = next_cycle(workspace, sample_id, changes={"systems": ("changed", "New HR system")}).new_id
    r = run_cli("report", new_id, "--json", data_dir=data_dir)
    data = json.loads(r.stdout)
    assert data["previous_cycle"]["id"] == sample_id and data["previous_cycle"]["organization"] == "Sample KK"
    assert data["reconfirm"] == {"count": 1, "items": ["s-backup-1"]}
    assert data["open_changes"] == ["scope", "organization", "suppliers", "laws"]
    assert {"topic": "systems", "answer": "changed", "description": "New HR system"} in data["changes"]
    assert any(a["id"] == "change:systems" and a["source"]["kind"] == "change" for a in data["plan"])
    text = run_cli("--lang", "ja", "report", new_id, data_dir=data_dir).stdout
    assert "要再確認の回答 1 件" in text and "s-backup-1" in text and "システム・設備: 変更あり — New HR system" in text
    assert f"前年度: Sample KK({sample_id}" in text


def test_workbook_says_what_is_to_reconfirm_and_lists_the_changes(workspace, sample_id, tmp_path):
    from openpyxl import load_workbook

    from isms_tui.exports.xlsx import export_assessment

    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "partial")
        s.set_status("s-scope-1", "implemented")
    new_id = next_cycle(workspace, sample_id, changes={"suppliers": ("changed", "New payroll processor")}).new_id
    with workspace.open(new_id) as s:
        s.set_status("s-scope-1", "implemented")  # re-confirmed
    for lang, sheet, label, prev in (("en", "Answers", "to re-confirm", "Previous cycle"),
                                     ("ja", "回答一覧", "要再確認", "前年度")):
        wb = load_workbook(export_assessment(workspace, new_id, tmp_path / f"{lang}.xlsx", lang=lang))
        rows = {r[0]: r for r in wb[sheet].iter_rows(values_only=True) if r[0] in ("s-backup-1", "s-scope-1")}
        assert label in rows["s-backup-1"][3] and label not in rows["s-scope-1"][3]
        summary = [(r[0], r[1]) for r in wb.worksheets[0].iter_rows(values_only=True)]
        assert any(a == prev and sample_id in b and "Sample KK" in b for a, b in summary)
        changes = [b for a, b in summary if isinstance(a, str) and a.startswith(("Change:", "変更:"))]
        assert len(changes) == len(CHANGE_TOPICS) and any("New payroll processor" in b for b in changes)


def test_a_plan_edit_carries_with_what_made_its_action():
    from isms_tui.next_cycle import carries

    sources = {"question": {"q-1"}, "finding": {"f-open"}}
    assert carries(ActionEdit("question:q-1", owner="A"), sources)
    assert not carries(ActionEdit("question:q-1", status="done"), sources)  # done: last cycle's work
    assert not carries(ActionEdit("question:a13-gone"), sources)  # no such question in the new banks
    assert carries(ActionEdit("finding:f-open"), sources)
    assert not carries(ActionEdit("finding:f-closed"), sources)  # closed findings stay behind
    assert carries(ActionEdit("risk:r1"), sources) and carries(ActionEdit("document:policy"), sources)
    assert not carries(ActionEdit("parked:p1"), sources) and not carries(ActionEdit("change:scope"), sources)
