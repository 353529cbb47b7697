"""The documents & records register (isms_tui/documents.py): the shipped catalogue, the entry
rules, the stage 1 gate and the plan actions it adds, storage and migration."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from isms_tui.catalog import catalog
from isms_tui.documents import (
    CUSTOM,
    DocumentEntry,
    DocumentRegister,
    build_entry,
    document_catalog,
    effective_state,
    gate_issues,
    location_warning,
    parse_refs,
    seed_entries,
)
from isms_tui.i18n import t
from isms_tui.model import Assessment, ValidationError
from isms_tui.plan import SOURCE_KINDS
from isms_tui.report import report_json, report_text
from isms_tui.service import Workspace
from isms_tui.storage import SCHEMA_VERSION, CorruptFileError

KANA = re.compile(r"[\u3040-\u30ff]")
# ISO/IEC 27001:2022's mandatory documented information (clause and point), copied here so the
# test does not depend on any reference file: every one must be in the catalogue, mandatory.
REQUIRED = [("4.3", "4.3"), ("5.2", "5.2 e)"), ("6.1.2", "6.1.2"), ("6.1.3", "6.1.3"), ("6.1.3", "6.1.3 d)"),
            ("6.1.3", "6.1.3 e)"), ("6.2", "6.2"), ("7.2", "7.2 d)"), ("7.5.1", "7.5.1 b)"), ("8.1", "8.1"),
            ("8.2", "8.2"), ("8.3", "8.3"), ("9.1", "9.1"), ("9.2.2", "9.2.2"), ("9.3.3", "9.3.3"),
            ("10.2", "10.2 f)"), ("10.2", "10.2 g)")]
# Annex A controls whose text calls for a documented rule, procedure, list or record.
EXPECTED_CONTROLS = {"5.1", "5.9", "5.10", "5.15", "5.18", "5.24", "5.26", "5.31", "5.37", "6.6", "8.13", "8.15",
                     "8.27", "8.32"}
TODAY = date(2027, 3, 1)


# -- the catalogue -----------------------------------------------------------------------------
def test_catalogue_covers_every_mandatory_document_of_clauses_4_to_10():
    cat = document_catalog()
    mandatory = [d for d in cat.values() if d.mandatory]
    for clause, cite in REQUIRED:
        hits = [d for d in mandatory if clause in d.clauses and d.cite.startswith(cite)]
        assert hits, f"{cite} is not in the catalogue"
    # and the gate's own list (shipped clauses_2022.json) is covered too
    assert set(catalog().mandatory_clauses()) == {c for d in mandatory for c in d.clauses}
    assert all(d.refs[0].type == "clause" for d in mandatory)


def test_catalogue_lists_the_annex_a_documents_and_records_and_they_do_not_block():
    cat = document_catalog()
    annex = [d for d in cat.values() if any(r.type == "control" for r in d.refs)]
    assert EXPECTED_CONTROLS <= {r.id for d in annex for r in d.refs}
    assert not any(d.mandatory for d in annex)
    assert {d.kind for d in annex} == {"document", "record"}


def test_catalogue_entries_are_bilingual_and_in_own_words():
    for d in document_catalog().values():
        for lang in ("ja", "en"):
            assert d.title[lang] and d.why[lang] and d.examples[lang]
        assert KANA.search(d.why["ja"]) and d.why["ja"].endswith("\u3002")  # a sentence in Japanese
        assert not KANA.search(d.why["en"] + d.title["en"] + " ".join(d.examples["en"]))
        assert "shall" not in d.why["en"]  # the standard's wording is not copied
    whys = [d.why["en"] for d in document_catalog().values()]
    assert len(set(whys)) == len(whys)


# -- entries --------------------------------------------------------------------------------
def test_out_of_date_is_derived_from_the_next_review_date_of_an_approved_entry():
    e = DocumentEntry(catalog_id="policy", state="approved", approved_by="CEO", approved_on="2026-01-01",
                      next_review="2027-02-28")
    assert effective_state(e, TODAY) == "out_of_date"
    assert effective_state(e, date(2027, 2, 28)) == "approved"
    draft = DocumentEntry(catalog_id="policy", state="draft", next_review="2020-01-01")
    assert effective_state(draft, TODAY) == "draft"  # only an approved entry goes out of date
    assert effective_state(DocumentEntry(catalog_id="policy", state="out_of_date"), TODAY) == "out_of_date"


def test_parse_refs_tells_clauses_from_controls():
    assert parse_refs("4.3, A.5.10 \u7b87\u67617.5.1\u3001A.8.15") == ["clause:4.3", "control:5.10", "clause:7.5.1",
                                                                  "control:8.15"]
    assert parse_refs("A.9.1.1", "2013") == ["control_2013:A.9.1.1"]
    assert parse_refs(["clause:6.2", "control:5.2"]) == ["clause:6.2", "control:5.2"]
    with pytest.raises(ValidationError) as exc:
        parse_refs("4.3, A.99.1")
    assert "A.99.1" in exc.value.message("en") and "A.99.1" in exc.value.message("ja")


@pytest.mark.parametrize(("changes", "key"), [
    ({"catalog_id": "policy", "next_review": "2027-13-01"}, "error.bad_date"),
    ({"catalog_id": "policy", "approved_on": "yesterday"}, "error.bad_date"),
    ({"catalog_id": "policy", "state": "approved", "approved_by": "CEO"}, "error.doc.approval_required"),
    ({"catalog_id": "policy", "state": "approved", "approved_on": "2027-01-01"}, "error.doc.approval_required"),
    ({"refs": "4.3"}, "error.doc.name_required"),
    ({"name": "Visitor log"}, "error.doc.refs_required"),
    ({"catalog_id": "nope", "name": "x"}, "error.doc.unknown_catalog"),
    ({"catalog_id": "policy", "state": "lost"}, "error.bad_choice"),
    ({"catalog_id": "policy", "colour": "red"}, "error.unknown_field"),
])
def test_entry_is_refused_with_a_clear_message(changes, key):
    with pytest.raises(ValidationError) as exc:
        build_entry(changes)
    assert exc.value.key == key
    assert exc.value.message("ja") != exc.value.message("en")


def test_catalogue_entry_takes_its_refs_and_kind_and_custom_entry_keeps_its_own():
    e = build_entry({"catalog_id": "soa", "state": "approved", "approved_by": "CEO", "approved_on": "2027-01-10"})
    assert e.refs == ["clause:6.1.3"] and e.kind == "document" and e.display_name("en") == "Statement of Applicability"
    c = build_entry({"name": "Visitor book", "kind": "record", "refs": "A.7.2"})
    assert c.catalog_id == CUSTOM and c.refs == ["control:7.2"] and c.display_name("ja") == "Visitor book"


def test_a_local_path_that_does_not_exist_is_a_warning_not_a_refusal(tmp_path):
    there = tmp_path / "policy.pdf"
    there.write_text("x")
    assert location_warning(str(there)) is None
    assert location_warning(f"file://{there}") is None
    assert location_warning(str(tmp_path / "gone.pdf")) == "doc.warn.path_missing"
    assert location_warning(f"file://{tmp_path}/gone.pdf") == "doc.warn.path_missing"
    for elsewhere in ("https://drive.example.com/policy", "\u7dcf\u52d9\u30ad\u30e3\u30d3\u30cd\u30c3\u30c8 2\u6bb5\u76ee",
                      "ISMS/policy.docx", ""):
        assert location_warning(elsewhere) is None
    e = build_entry({"catalog_id": "policy", "location": str(tmp_path / "gone.pdf")})
    assert e.location == str(tmp_path / "gone.pdf")  # kept as typed


# -- the session, the register and the file ----------------------------------------------------
@pytest.fixture
def docs_id(workspace: Workspace) -> str:
    a = Assessment(organization="Docs KK", banks=["sample"], target_date="2027-06-01", lang="en")
    return workspace.create(a)


def _approve_all(s, today=TODAY):
    for e in list(s.documents.entries.values()):
        if e.catalog and e.catalog.mandatory:
            s.update_document(e.id, state="approved", approved_by="CEO", approved_on="2027-01-10",
                              next_review=(today + timedelta(days=200)).isoformat())


def test_no_register_leaves_the_gate_and_the_plan_as_the_questions_say(workspace, docs_id):
    view = workspace.view(docs_id, TODAY)
    assert not view.document_register.exists and view.documents == [] and view.document_issues == []
    assert view.gate is view.report.gate
    assert not [a for a in view.plan if a.source.kind == "document"]


def test_seeded_register_blocks_every_mandatory_clause_and_says_why(workspace, docs_id):
    with workspace.open(docs_id) as s:
        s.set_status("s-scope-1", "implemented")
        assert s.view(TODAY).gate.requirements[0].met  # 4.3: the question says met
        added = s.seed_documents()
        assert {e.catalog_id for e in added} >= {d.id for d in document_catalog().values() if d.mandatory}
        assert s.seed_documents() == []  # nothing twice
        view = s.view(TODAY)
    by = {r.ref.id: r for r in view.gate.requirements}
    scope = by["4.3"]
    assert scope.state == "not_met" and scope.basis == "questions"
    assert [i.message("en") for i in scope.issues] == ['"ISMS scope" (Clause 4.3) does not exist yet.']
    assert [i.message("ja") for i in scope.issues] == ["\u300cISMS\u306e\u9069\u7528\u7bc4\u56f2\u300d(\u7b87\u67614.3)\u304c\u307e\u3060\u3042\u308a\u307e\u305b\u3093\u3002"]
    assert all(r.issues for r in view.gate.requirements)
    assert len(by["6.1.3"].issues) == 3  # process, SoA, treatment plan
    # the report, as text and JSON, says why
    text = "\n".join(report_text(view, "en"))
    assert '- "Statement of Applicability" (Clause 6.1.3 d)) does not exist yet.' in text
    js = report_json(view, "en")
    req = next(r for r in js["gate"]["requirements"] if r["ref"]["id"] == "4.3")
    assert req["issues"] == [{"key": "doc.issue.missing", "message": '"ISMS scope" (Clause 4.3) does not exist yet.'}]
    assert len(js["documents"]) == len(added) and js["documents"][0]["state"] == "missing"


def test_approving_the_mandatory_documents_gives_the_gate_back_to_the_questions(workspace, docs_id):
    with workspace.open(docs_id) as s:
        s.set_status("s-scope-1", "implemented")
        s.seed_documents()
        _approve_all(s)
        view = s.view(TODAY)
        assert view.document_issues == []
        assert view.gate.requirements[0].met and view.gate.requirements[0].issues == ()
        # out of date once the next review passes
        scope = next(e for e in s.documents.entries.values() if e.catalog_id == "scope")
        later = view.today + timedelta(days=201)
        assert [i.problem for i in s.view(later).gate.requirements[0].issues] == ["out_of_date"]
        # a catalogue document removed from the register is reported as not listed
        s.remove_document(scope.id)
        issues = s.view(TODAY).gate.requirements[0].issues
        assert [(i.problem, i.message("en")) for i in issues] == [
            ("not_listed", '"ISMS scope" (Clause 4.3) is not in the documents & records register.')]


def test_each_mandatory_document_with_an_issue_is_one_plan_action_that_keeps_its_edits(workspace, docs_id):
    assert "document" in SOURCE_KINDS
    with workspace.open(docs_id) as s:
        s.seed_documents()
        policy = next(e for e in s.documents.entries.values() if e.catalog_id == "policy")
        s.update_document(policy.id, state="draft", owner="Sato", next_review="2027-04-30")
        s.add_document(catalog_id="policy", name="Policy (old copy)")  # a second entry: still one action
        actions = [a for a in s.view(TODAY).plan if a.source.kind == "document"]
        assert len(actions) == sum(1 for d in document_catalog().values() if d.mandatory)
        act = next(a for a in actions if a.id == "document:policy")
        assert act.priority == 1 and act.title("en") == 'Write "Policy (old copy)" (Clause 5.2 e)) and have it approved'
        s.edit_action("document:policy", owner="Tanaka", status="in_progress")
        with pytest.raises(ValidationError):
            s.edit_action("document:nope", status="done")
        s.remove_document(next(e.id for e in s.documents.entries.values() if e.name == "Policy (old copy)"))
        act = s.view(TODAY).action("document:policy")
        assert act.title("en") == 'Have "Information security policy" (Clause 5.2 e)) approved'
        assert (act.owner, act.action_status, act.due) == ("Tanaka", "in_progress", date(2027, 4, 30))
        _approve_all(s)
        assert s.view(TODAY).action("document:policy") is None


def test_register_rows_link_questions_show_the_effective_state_and_warn_on_a_missing_path(workspace, docs_id, tmp_path):
    with workspace.open(docs_id) as s:
        scope = s.add_document(catalog_id="scope", state="approved", approved_by="CEO", approved_on="2026-01-01",
                               next_review="2027-01-01", location=str(tmp_path / "nowhere" / "scope.pdf"))
        backup = s.add_document(catalog_id="backup", location="https://intranet.example/backup")
        custom = s.add_document(name="Visitor book", kind="record", refs="A.7.2", items="s-visitor-1")
        with pytest.raises(ValidationError) as exc:
            s.add_document(name="Bad", refs="4.3", items="nope-1")
        assert exc.value.key == "error.unknown_item"
        rows = {r.entry.id: r for r in s.view(TODAY).documents}
    assert rows[scope.id].state == "out_of_date" and rows[scope.id].entry.state == "approved"
    assert rows[scope.id].warning == "doc.warn.path_missing" and rows[scope.id].mandatory
    assert [i.id for i in rows[scope.id].items] == ["s-scope-1"]
    assert [i.id for i in rows[backup.id].items] == ["s-backup-1"] and rows[backup.id].warning is None
    assert [i.id for i in rows[custom.id].items] == ["s-visitor-1"] and not rows[custom.id].mandatory
    assert [r.entry.id for r in s.view(TODAY).documents] == [scope.id, backup.id, custom.id]  # catalogue order
    assert t("doc.warn.path_missing", "ja", path="x")


def test_register_is_stored_read_back_read_only_and_carried_by_duplicate(workspace, docs_id):
    with workspace.open(docs_id) as s:
        s.seed_documents()
        s.update_document(next(iter(s.documents.entries)), version="1.2", owner="\u4f50\u85e4")
        stored = {e.id: e.to_doc() for e in s.documents.entries.values()}
    path = workspace.file_path(docs_id)
    before = path.read_bytes()
    assert {e.id: e.to_doc() for e in workspace.documents(docs_id).entries.values()} == stored
    assert path.read_bytes() == before
    first = next(iter(workspace.documents(docs_id).entries.values()))
    assert first.name == "" and first.display_name("ja") == "ISMS\u306e\u9069\u7528\u7bc4\u56f2"
    copy = workspace.duplicate(docs_id, "Copy KK")
    assert {e.id: e.to_doc() for e in workspace.documents(copy).entries.values()} == stored


def test_seed_skips_annex_a_documents_of_excluded_controls(workspace, docs_id):
    with workspace.open(docs_id) as s:
        s.set_soa_decision("8.13", applicable=False, justification="We keep no data of our own: everything is in SaaS")
        ids = {e.catalog_id for e in s.seed_documents()}
    assert "backup" not in ids and "logs" in ids and "scope" in ids


def test_seed_entries_keeps_what_the_register_has():
    reg = DocumentRegister({"x": DocumentEntry(catalog_id="policy", id="x")})
    ids = [e.catalog_id for e in seed_entries(reg, applicable=[])]
    assert "policy" not in ids and "scope" in ids and not any(document_catalog()[i].refs[0].type == "control" for i in ids)
    assert gate_issues(DocumentRegister(), TODAY) == {}


def test_version_4_file_migrates_to_5_and_a_read_does_not_write(workspace, docs_id):
    path = workspace.file_path(docs_id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("documents", None)
    data["meta"]["1"]["schema_version"] = 4
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = path.read_bytes()
    assert not workspace.documents(docs_id).exists
    workspace.view(docs_id)
    assert path.read_bytes() == before  # read-only: migrated in memory, file untouched
    with workspace.open(docs_id) as s:
        assert not s.documents.exists
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["meta"]["1"]["schema_version"] == SCHEMA_VERSION and data["documents"] == {}


def test_a_damaged_document_row_marks_the_file_damaged(workspace, docs_id):
    with workspace.open(docs_id) as s:
        s.add_document(catalog_id="policy")
    path = workspace.file_path(docs_id)
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data["documents"].values()))["next_review"] = "soon"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CorruptFileError, match="documents"):
        workspace.load(docs_id)


# -- the Excel sheet ------------------------------------------------------------------------------
def test_documents_sheet_is_written_only_with_a_register_and_reads_back(workspace, docs_id, tmp_path):
    import openpyxl

    from isms_tui.exports.document_sheet import HEADS, SHEET
    from isms_tui.exports.xlsx import export_assessment

    assert all(t(k, lang) for k in (SHEET, *HEADS) for lang in ("ja", "en"))
    wb = openpyxl.load_workbook(export_assessment(workspace, docs_id, tmp_path / "none.xlsx", lang="en"))
    assert t(SHEET, "en") not in wb.sheetnames
    with workspace.open(docs_id) as s:
        s.seed_documents()
        scope = next(e for e in s.documents.entries.values() if e.catalog_id == "scope")
        s.update_document(scope.id, name="=HYPERLINK(\"http://x\")", state="approved", approved_by="CEO",
                          approved_on="2026-01-05", next_review="2026-12-31", location=str(tmp_path / "gone.pdf"),
                          version="2.1")
    for lang in ("ja", "en"):
        wb = openpyxl.load_workbook(export_assessment(workspace, docs_id, tmp_path / f"d_{lang}.xlsx", lang=lang,
                                                      today=TODAY))
        sheet = wb[t(SHEET, lang)]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert rows[0] == [t(k, lang) for k in HEADS]
        first = rows[1]
        assert first[0] == t("doc.state.out_of_date", lang) and first[2] == t("ref.clause", lang, id="4.3")
        assert first[3] == "=HYPERLINK(\"http://x\")" and sheet.cell(2, 4).data_type == "s"  # text, not a formula
        assert first[4] == t("xlsx.yes", lang) and first[6] == "2.1" and first[8] == "CEO"
        assert first[9].date() == date(2026, 1, 5) and first[10].date() == date(2026, 12, 31)
        assert first[11] == "s-scope-1"  # one question id a line
        assert t("doc.issue.out_of_date", lang, name="=HYPERLINK(\"http://x\")", cite=t("ref.clause", lang, id="4.3")) in first[12]
        assert t("doc.warn.path_missing", lang, path=str(tmp_path / "gone.pdf")) in first[12]
        assert len(rows) == 1 + len(workspace.documents(docs_id).entries)
        # the summary's gate block says why 4.3 is not met
        summary = "\n".join(str(c) for r in wb[wb.sheetnames[0]].iter_rows(values_only=True) for c in r if c)
        assert t("doc.issue.out_of_date", lang, name="=HYPERLINK(\"http://x\")", cite=t("ref.clause", lang, id="4.3")) in summary


# -- the demo ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_register_is_realistic_and_the_gate_shows_what_the_documents_lack(tmp_path, lang):
    from isms_tui.demo import DEMO, create_demo

    ws = Workspace(tmp_path)
    view = ws.view(create_demo(ws, lang))
    states = [r.state for r in view.documents]
    assert states.count("approved") >= 20 and states.count("missing") == 3
    assert states.count("draft") == 1 and states.count("out_of_date") == 1
    assert all(r.entry.owner in DEMO[lang]["owners"] and r.warning is None for r in view.documents)
    assert all(r.entry.approved_by and r.entry.approved_on for r in view.documents if r.entry.state == "approved")
    assert any(r.entry.custom for r in view.documents)
    blocked = {i.catalog_id: i.problem for i in view.document_issues}
    assert blocked == {"objectives": "draft", "determined_necessary": "out_of_date", "audit_results": "missing",
                       "management_review": "missing"}
    by = {r.ref.id: r for r in view.gate.requirements}
    assert all(by[c].issues and by[c].state == "not_met" for c in ("6.2", "7.5.1", "9.2.2", "9.3.3"))
    assert all(by[c].met for c in ("6.1.2", "6.1.3", "8.2", "8.3"))  # the risk documents are approved
    assert {a.id for a in view.plan if a.source.kind == "document"} == {f"document:{c}" for c in blocked}
    for r in view.documents:
        if lang == "en":
            assert not KANA.search(r.name(lang) + r.entry.location), r.name(lang)
        else:
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", r.name(lang)), r.name(lang)
