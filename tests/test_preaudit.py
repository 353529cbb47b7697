"""The stage 1 pack and the stage 2 sampling list in the core: the catalogue, the order of the
pack, the one row-state rule, the auditor's questions gathered once per row, the register and
the plan behind each row, the sampling checks, the plan action of a record type held under
three months, the schema 7 migration and a damaged row (no Textual here)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from isms_tui.documents import document_catalog
from isms_tui.i18n import LANGS
from isms_tui.model import Assessment, ValidationError
from isms_tui.plan import SOURCE_KINDS
from isms_tui.preaudit import (
    GROUPS,
    MONTHS,
    STAGE1,
    SamplingData,
    build_sampling,
    months_since,
    row_state,
    sampling_catalog,
    sampling_seeds,
    sampling_state,
)
from isms_tui.refs import CLAUSE, Ref
from isms_tui.service import Workspace
from isms_tui.storage import SCHEMA_VERSION, CorruptFileError

TODAY = date(2026, 12, 1)


# -- the catalogue -------------------------------------------------------------------------------
def test_sampling_catalogue_lists_the_record_types_an_auditor_samples():
    cat = sampling_catalog()
    for rid in ("access_reviews", "change_records", "training_awareness", "incident_records", "supplier_reviews",
                "backup_restore_tests", "log_reviews", "management_review_minutes", "internal_audit_reports",
                "corrective_actions", "vulnerability_patches", "asset_inventory_reviews"):
        assert rid in cat
    docs = document_catalog()
    for r in cat.values():
        assert r.refs and all(ref.known() for ref in r.refs)
        assert all(d in docs for d in r.documents)
        for lg in LANGS:
            assert r.title[lg] and r.why[lg] and r.sample[lg]
        assert "\u3067\u3059" in r.why["ja"] + r.sample["ja"] or "\u307e\u3059" in r.why["ja"] + r.sample["ja"]
    assert cat["management_review_minutes"].refs == (Ref(CLAUSE, "9.3.3"),)
    assert cat["backup_restore_tests"].documents == ("backup",)


def test_a_bad_catalogue_is_refused(tmp_path):
    from isms_tui.preaudit import load_sampling_catalog

    p = tmp_path / "s.toml"
    p.write_text('[[record]]\nid = "x"\nrefs = ["control:99.9"]\ntitle.ja = "a"\ntitle.en = "a"\n'
                 'why.ja = "a"\nwhy.en = "a"\nsample.ja = "a"\nsample.en = "a"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="refs must be known"):
        load_sampling_catalog(p)
    p.write_text('[[record]]\nid = "x"\nrefs = ["clause:9.1"]\ntitle.ja = "a"\ntitle.en = "a"\n'
                 'why.ja = "a"\nwhy.en = "a"\nsample.ja = "a"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="sample needs a text in each of ja, en"):
        load_sampling_catalog(p)


def test_the_pack_specs_name_shipped_documents_and_questions(workspace: Workspace):
    docs = document_catalog()
    items = {i.id for b in workspace.bankset.banks.values() for i in b.items}
    assert [g for g in dict.fromkeys(s.group for s in STAGE1)] == list(GROUPS)
    for spec in STAGE1:
        assert Ref(CLAUSE, spec.clause).known()
        assert all(d in docs for d in spec.documents)
        assert all(i in items for i in spec.items or ())
    assert "sampling" in SOURCE_KINDS


# -- the one row-state rule ------------------------------------------------------------------------
def test_row_state_rule():
    assert row_state({"a": None, "b": None}, [], (), 2, False) == "not_assessed"
    assert row_state({}, [], (), 0, False) == "not_assessed"
    assert row_state({"a": None}, ["missing"], (), 1, False) == "not_assessed"  # seeded, nothing said yet
    assert row_state({"a": "implemented"}, ["approved"], (), 0, False) == "ready"
    assert row_state({"a": "implemented", "b": "not_applicable"}, [], (), 0, False) == "ready"
    assert row_state({"a": "implemented", "b": None}, [], (), 1, False) == "gaps"  # one not answered yet
    assert row_state({"a": "partial"}, [], (), 1, False) == "gaps"
    assert row_state({"a": "implemented"}, ["draft"], (), 0, False) == "gaps"
    assert row_state({"a": "implemented"}, ["approved"], ("issue",), 0, False) == "gaps"
    assert row_state({"a": "implemented"}, [], (), 1, False) == "gaps"  # an open finding on it
    assert row_state({}, [], (), 0, True) == "ready"  # the risk register decided (met: no issue)
    assert row_state({"a": None}, [], (), 1, True) == "gaps"  # its question still waits for an answer


# -- the pack of an assessment ---------------------------------------------------------------------
@pytest.fixture
def real_id(workspace: Workspace) -> str:
    a = Assessment(organization="Pack KK", banks=["process-acquisition", "clauses-2022"], target_date="2027-06-01",
                   lang="en")
    return workspace.create(a)


def _row(view, cite: str):
    return next(r for g in view.stage1_pack for r in g.rows if r.label("en") == f"Clause {cite}")


def test_pack_runs_in_stage_1_order_and_gathers_each_question_once(workspace: Workspace, real_id: str):
    view = workspace.view(real_id, today=TODAY)
    pack = view.stage1_pack
    assert [g.id for g in pack] == list(GROUPS)
    assert [r.label("en") for r in pack[0].rows] == ["Clause 4.1", "Clause 4.2", "Clause 4.3", "Clause 4.4"]
    assert [r.label("ja") for r in pack[3].rows] == ["\u7b87\u67616.1.3 d)", "\u7b87\u67616.1.3 e)"]
    assert pack[3].rows[0].title("en") == "Statement of Applicability"
    assert all(r.ref.type == CLAUSE for g in pack for r in g.rows)
    assert {r.state for g in pack for r in g.rows} == {"not_assessed"}
    r43 = _row(view, "4.3")
    where = [a.where["en"] for a in r43.asks]
    assert "ISMS requirements (clauses 4-10) \u203a 4 Context of the organization" in where
    assert not any("cl-" in w or "acq" in w for w in where)  # named as the questionnaire does, never by id
    for lg in LANGS:
        lines = r43.question_lines(lg)
        assert lines and len(lines) == len(set(lines))
        assert not any(s.startswith("-") for s in lines)
    # 7.5 takes the questions on 7.5.1-7.5.3; the SoA row only the SoA question
    assert {i.id for i in _row(view, "7.5").items} >= {"cl-7.5.1-1", "cl-7.5.2-1", "cl-7.5.3-1"}
    assert [i.id for i in _row(view, "6.1.3 d)").items] == ["cl-6.1.3-2"]
    assert "cl-6.1.3-2" not in {i.id for i in _row(view, "6.1.3").items}


def test_pack_rows_follow_the_answers_the_register_and_the_plan(workspace: Workspace, real_id: str):
    with workspace.open(real_id) as s:
        for i in _row(workspace.view(real_id, today=TODAY), "4.3").items:
            s.set_status(i.id, "implemented")
        s.set_status("cl-5.2-1", "partial")
    view = workspace.view(real_id, today=TODAY)
    assert _row(view, "4.3").state == "ready" and not _row(view, "4.3").actions
    r52 = _row(view, "5.2")
    assert r52.state == "gaps" and r52.statuses["cl-5.2-1"] == "partial"
    assert "question:cl-5.2-1" in {a.id for a in r52.actions}
    assert [c.id for c in r52.unlisted] == ["policy"]
    with workspace.open(real_id) as s:
        s.add_document(catalog_id="scope", state="draft", location="ISMS/Scope.docx")
    view = workspace.view(real_id, today=TODAY)
    r43 = _row(view, "4.3")
    assert r43.state == "gaps" and [(d.name("en"), d.state) for d in r43.documents] == [
        ("ISMS scope", "draft")]
    assert "document:scope" in {a.id for a in r43.actions}
    assert any("draft" in i.message("en") for i in r43.issues)
    assert not _row(view, "4.1").documents  # the scope document belongs to 4.3 only


# -- the sampling list ---------------------------------------------------------------------------
def test_sampling_checks_say_what_is_wrong_in_one_line():
    with pytest.raises(ValidationError, match="Oldest record: \"2026-13-01\" is not a date") as e:
        build_sampling("access_reviews", {"months": "3_6", "oldest": "2026-13-01"}, today=TODAY)
    assert "\n" not in e.value.message("ja") and "\u6700\u3082\u53e4\u3044\u8a18\u9332" in e.value.message("ja")
    with pytest.raises(ValidationError, match="in the future"):
        build_sampling("access_reviews", {"months": "3_6", "oldest": "2027-01-01"}, today=TODAY)
    with pytest.raises(ValidationError, match="say why") as e:
        build_sampling("change_records", {"months": "not_applicable"}, today=TODAY)
    assert "\u7406\u7531" in e.value.message("ja")
    with pytest.raises(ValidationError, match="no record type"):
        build_sampling("coffee_breaks", {"months": "3_6"}, today=TODAY)
    with pytest.raises(ValidationError, match="Choose how many months"):
        build_sampling("access_reviews", {"location": "x"}, today=TODAY)
    with pytest.raises(ValidationError, match="must be one of"):
        build_sampling("access_reviews", {"months": "lots"}, today=TODAY)
    with pytest.raises(ValidationError, match="Unknown field: colour"):
        build_sampling("access_reviews", {"months": "3_6", "colour": "red"}, today=TODAY)


def test_months_come_from_the_oldest_record_when_not_given():
    assert months_since(date(2026, 10, 1), TODAY) == "under_3"
    assert months_since(date(2026, 8, 1), TODAY) == "3_6"
    assert months_since(date(2026, 3, 1), TODAY) == "over_6"
    e = build_sampling("log_reviews", {"oldest": "2026-09-15", "location": "SIEM"}, today=TODAY)
    assert e.months == "under_3" and e.oldest == "2026-09-15"
    e = build_sampling("log_reviews", {"months": "over_6", "oldest": "2026-09-15"}, today=TODAY)
    assert e.months == "over_6"  # what the user chose stands


def test_state_and_plan_action_of_a_record_type():
    assert sampling_state(None) == "not_recorded"
    assert set(MONTHS) == {"none", "under_3", "3_6", "over_6", "not_applicable"}
    data = SamplingData({})
    for rid, months in (("access_reviews", "under_3"), ("change_records", "none"), ("log_reviews", "3_6"),
                        ("backup_restore_tests", "over_6")):
        data.entries[rid] = build_sampling(rid, {"months": months}, today=TODAY)
    data.entries["vulnerability_patches"] = build_sampling(
        "vulnerability_patches", {"months": "not_applicable", "reason": "All services are SaaS"}, today=TODAY)
    states = {rid: sampling_state(e) for rid, e in data.entries.items()}
    assert states == {"access_reviews": "gap", "change_records": "gap", "log_reviews": "enough",
                      "backup_restore_tests": "enough", "vulnerability_patches": "not_applicable"}
    seeds = sampling_seeds(data)
    assert [(s.source.key, s.priority) for s in seeds] == [("sampling:access_reviews", 2), ("sampling:change_records", 1)]
    assert "3\u20136 months" in seeds[0].what["en"] and "\u3059" not in seeds[0].what["en"]


def test_sampling_is_saved_and_the_plan_follows(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        s.set_sampling("access_reviews", months="under_3", location="Google Workspace admin log", note="since Oct")
    view = workspace.view(sample_id)
    row = next(r for r in view.sampling if r.record.id == "access_reviews")
    assert row.state == "gap" and row.action is not None and row.action.id == "sampling:access_reviews"
    assert row.action in view.plan and row.entry.location == "Google Workspace admin log"
    with workspace.open(sample_id) as s:
        s.set_sampling("access_reviews", months="3_6")
        assert s.sampling.entries["access_reviews"].note == "since Oct"  # nothing else lost
    view = workspace.view(sample_id)
    row = next(r for r in view.sampling if r.record.id == "access_reviews")
    assert row.state == "enough" and row.action is None
    assert "sampling:access_reviews" not in {a.id for a in view.plan}
    assert len(view.sampling) == len(sampling_catalog())
    copy = workspace.duplicate(sample_id)
    assert workspace.view(copy).sampling[0].entry.months == "3_6"


def test_a_refused_change_keeps_the_stored_row(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        s.set_sampling("incident_records", months="over_6", location="Backlog")
        with pytest.raises(ValidationError):
            s.set_sampling("incident_records", months="not_applicable")
        assert s.sampling.entries["incident_records"].months == "over_6"
    assert workspace.view(sample_id).sampling[4].entry.location == "Backlog"


def test_version_6_file_gains_the_sampling_table_and_a_read_does_not_write(workspace: Workspace, sample_id: str):
    path = workspace.store.file_path(sample_id)
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "partial")
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("sampling", None)
    data["meta"]["1"]["schema_version"] = 6
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = path.read_bytes()
    assert all(r.entry is None for r in workspace.view(sample_id).sampling)
    assert path.read_bytes() == before  # read-only: migrated in memory, file untouched
    with workspace.open(sample_id) as s:
        assert s.answers["s-backup-1"].status == "partial"
        s.set_sampling("change_records", months="3_6")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["meta"]["1"]["schema_version"] == SCHEMA_VERSION >= 7
    assert [d["record_type"] for d in data["sampling"].values()] == ["change_records"]


def test_a_damaged_sampling_row_marks_the_file_damaged(workspace: Workspace, sample_id: str):
    path = workspace.store.file_path(sample_id)
    with workspace.open(sample_id) as s:
        s.set_sampling("change_records", months="3_6")
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data["sampling"].values()))["months"] = "plenty"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CorruptFileError, match="sampling record 1"):
        workspace.view(sample_id)


@pytest.mark.parametrize("lang", LANGS)
def test_demo_sampling_is_realistic(lang):
    from isms_tui.demo import demo_sampling

    data = demo_sampling(lang, today=TODAY)
    states = [sampling_state(e) for e in data.entries.values()]
    assert states.count("gap") == 2 and states.count("not_applicable") == 1
    assert states.count("enough") == len(states) - 3 >= 8
    na = next(e for e in data.entries.values() if e.months == "not_applicable")
    assert na.reason and not na.oldest
    assert all(e.location for e in data.entries.values() if e.months != "not_applicable")
    assert [s.source.id for s in sampling_seeds(data)] == ["backup_restore_tests", "log_reviews"]
    assert "management_review_minutes" not in data.entries  # not held yet: the register says so too


def test_the_risk_register_decides_the_risk_rows_and_the_treatment_plan_not_the_soa(tmp_path):
    from tests.tui_helpers import add_register, make_data_dir

    data, aid = make_data_dir(tmp_path)
    add_register(data, aid)
    view = Workspace(data).view(aid)
    rows = {r.label("en"): r for g in view.stage1_pack for r in g.rows}
    assert rows["Clause 6.1.2"].state == "ready" and rows["Clause 6.1.2"].gate.basis == "register"
    treatment = [i.message("en") for i in rows["Clause 6.1.3 e)"].issues]
    assert treatment and treatment == [i.message("en") for i in rows["Clause 6.1.3"].issues]
    assert rows["Clause 6.1.3 e)"].state == rows["Clause 8.3"].state == "gaps"
    assert rows["Clause 6.1.3 d)"].issues == ()  # the SoA row is not blamed for untreated risks
    assert any("no rated risk covers" in i.message("en") for i in rows["Clause 8.2"].issues)
