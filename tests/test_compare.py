"""Year-on-year comparison in the core (no Textual): the chain of previous cycles (missing,
damaged, loop), readiness per section from each cycle's own scores, answers that got worse
(same edition and 2013 -> 2022), actions carried over and findings that recurred."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pytest

from isms_tui.compare import CycleComparison, previous_id
from isms_tui.findings import FindingsData, build_finding
from isms_tui.model import ActionEdit, Answer, Assessment
from isms_tui.service import Workspace
from isms_tui.storage import NotFoundError

TODAY = date(2027, 3, 1)


def _cycle(ws: Workspace, answers: dict[str, str], *, prev: str | None = None, edition: str = "2022",
           target: str = "2027-06-01", edits: list[ActionEdit] = (), findings: list[dict] = ()) -> str:
    source = {"previous_cycle": prev} if prev else None
    a = Assessment(organization="Cycle KK", kind="renewal", edition=edition, lang="en", target_date=target, source=source)
    data = FindingsData()
    for n, values in enumerate(findings, start=1):
        f = build_finding({"source": "internal_audit", "description": "found", **values}, None, edition=edition, today=TODAY)
        f.no = n
        data.findings[f.id] = f
    return ws.create(a, [Answer(k, status=v) for k, v in answers.items()], list(edits),
                     findings=data if findings else None)


def test_no_previous_cycle(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    aid = _cycle(ws, {"cl-4.3-1": "implemented"})
    cmp = ws.compare(aid, TODAY)
    assert not cmp.has_previous and cmp.broken is None
    assert cmp.worse_answers == [] and cmp.carried_actions == [] and cmp.recurring_findings == []
    assert all(len(r.readiness) == 1 and r.change is None for r in cmp.sections)


def test_readiness_per_section_comes_from_each_cycles_view(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    old = _cycle(ws, {"cl-4.3-1": "partial", "cl-6.2-1": "not_implemented"}, target="2026-06-01")
    new = _cycle(ws, {"cl-4.3-1": "implemented", "cl-6.2-1": "implemented"}, prev=old)
    cmp = ws.compare(new, TODAY)
    assert [v.assessment.id for v in cmp.cycles] == [new, old]
    assert [cmp.when(v) for v in cmp.cycles] == ["2027-06-01", "2026-06-01"]
    views = [ws.view(new, TODAY), ws.view(old, TODAY)]
    rows = {(r.bank_id, r.section_id): r for r in cmp.sections}
    for key in (("clauses-2022", "clause-4"), ("clauses-2022", "clause-6")):
        assert rows[key].readiness == tuple(v.report.sections[key].answered_readiness for v in views)
        assert rows[key].change is not None and rows[key].change > 0
    bank = rows[("clauses-2022", None)]
    assert bank.level == 0 and bank.readiness == tuple(v.report.banks["clauses-2022"].answered_readiness for v in views)
    # a section nobody answered in either cycle has no score and no change
    assert rows[("clauses-2022", "clause-10")].readiness == (None, None)
    assert rows[("clauses-2022", "clause-10")].change is None
    assert cmp.overall == tuple(v.overall.answered_readiness for v in views)
    assert cmp.gate_met == tuple((v.gate.count("met"), len(v.gate.requirements), v.gate.ready) for v in views)


def test_answers_that_got_worse_same_edition(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    old = _cycle(ws, {"cl-4.3-1": "implemented", "cl-6.2-1": "partial", "cl-5.2-1": "implemented",
                      "cl-7.2-1": "not_applicable", "cl-9.1-1": "unknown", "cl-9.3.2-1": "implemented"})
    new = _cycle(ws, {"cl-4.3-1": "partial", "cl-6.2-1": "not_implemented", "cl-5.2-1": "implemented",
                      "cl-7.2-1": "not_implemented", "cl-9.1-1": "not_implemented"}, prev=old)
    worse = ws.compare(new, TODAY).worse_answers
    assert {(w.item.id, w.before, w.now) for w in worse} == {
        ("cl-4.3-1", "implemented", "partial"), ("cl-6.2-1", "partial", "not_implemented")}
    # not applicable before, unknown -> not implemented (same rank) and unanswered now are left out


def test_worse_answers_across_editions_through_the_correspondence(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    # 2022 control 5.1 <- 2013 A.5.1.1 + A.5.1.2: the weakest 2013 answer is the baseline
    old = _cycle(ws, {"a13-a.5.1.1-1": "implemented", "a13-a.5.1.2-1": "partial", "a13-a.6.1.1-1": "implemented",
                      "cl-4.3-1": "implemented"}, edition="2013", target="2026-06-01")
    a22 = ws.bankset.get("annex-a-2022")
    on_51 = [i.id for i in a22.items if "5.1" in i.controls]
    on_52 = [i.id for i in a22.items if "5.2" in i.controls]
    answers = {i: "not_implemented" for i in on_51} | {i: "partial" for i in on_52} | {"cl-4.3-1": "partial"}
    new = _cycle(ws, answers, prev=old)
    cmp = ws.compare(new, TODAY)
    worse = {w.item.id: w for w in cmp.worse_answers}
    assert set(worse) == {*on_51, *on_52, "cl-4.3-1"}
    assert all(worse[i].before == "partial" and set(worse[i].before_items) == {"a13-a.5.1.1-1", "a13-a.5.1.2-1"} for i in on_51)
    assert all(worse[i].before == "implemented" and worse[i].before_items == ("a13-a.6.1.1-1",) for i in on_52)
    # Annex A compares as a whole across editions; its 2022 themes have no 2013 value
    rows = {(r.bank_id, r.section_id): r for r in cmp.sections}
    old_view = ws.view(old, TODAY)
    assert rows[("annex-a-2022", None)].readiness[1] == old_view.report.banks["annex-a-2013"].answered_readiness
    assert rows[("annex-a-2022", "organizational")].readiness[1] is None


def test_actions_carried_over_and_repeated(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    c1 = _cycle(ws, {"cl-6.2-1": "partial", "cl-9.1-1": "partial", "cl-4.3-1": "partial"}, target="2025-06-01")
    c2 = _cycle(ws, {"cl-6.2-1": "partial", "cl-9.1-1": "implemented", "cl-4.3-1": "partial"}, prev=c1,
                target="2026-06-01", edits=[ActionEdit("question:cl-4.3-1", status="done")])
    c3 = _cycle(ws, {"cl-6.2-1": "not_implemented", "cl-9.1-1": "partial", "cl-4.3-1": "partial"}, prev=c2)
    cmp = ws.compare(c3, TODAY)
    carried = {c.action.id: c for c in cmp.carried_actions}
    assert carried["question:cl-6.2-1"].cycles == (1, 2) and carried["question:cl-6.2-1"].repeated
    assert carried["question:cl-9.1-1"].cycles == (2,) and not carried["question:cl-9.1-1"].repeated
    assert carried["question:cl-4.3-1"].cycles == (2,)  # done in the previous cycle: not carried from it
    assert [c.action.id for c in cmp.repeated_actions] == ["question:cl-6.2-1"]
    assert cmp.carried_actions[0].action.id == "question:cl-6.2-1"  # the most often carried first
    assert "question:cl-5.2-1" not in carried  # open now only (unanswered in earlier cycles: no real gap there)


def test_findings_that_recurred(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    old = _cycle(ws, {}, edition="2013", target="2026-06-01", findings=[
        {"grade": "minor", "ref": "A.9.2.6", "raised_on": "2026-02-01"},  # removal of access rights (2013)
        {"grade": "minor", "ref": "9.2", "raised_on": "2026-02-01"}])
    new = _cycle(ws, {}, prev=old, findings=[
        {"grade": "minor", "ref": "A.5.18", "raised_on": "2027-02-01"},  # access rights (2022) <- A.9.2.6
        {"grade": "observation", "ref": "clause 9.2", "raised_on": "2027-02-01"},
        {"grade": "minor", "ref": "A.8.13", "raised_on": "2027-02-01"}])
    rec = ws.compare(new, TODAY).recurring_findings
    got = {r.row.finding.ref: [f.ref for _, f in r.earlier] for r in rec}
    assert got == {"control:5.18": ["control_2013:A.9.2.6"], "clause:9.2": ["clause:9.2"]}


def test_a_finding_carried_over_is_not_a_recurrence(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    old = _cycle(ws, {}, target="2026-06-01", findings=[{"grade": "minor", "ref": "A.8.13", "raised_on": "2026-02-01"}])
    old_f = next(iter(ws.findings_data(old).findings.values()))
    a = Assessment(organization="Cycle KK", kind="renewal", lang="en", source={"previous_cycle": old})
    data = FindingsData({old_f.id: old_f})  # carried with its id and date
    new = ws.create(a, findings=data)
    assert ws.compare(new, TODAY).recurring_findings == []


def test_broken_chain_missing_damaged_and_loop(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    gone = _cycle(ws, {"cl-4.3-1": "implemented"}, prev="dead0000")
    cmp = ws.compare(gone, TODAY)
    assert not cmp.has_previous and cmp.broken.id == "dead0000" and cmp.broken.reason == "missing"
    # a damaged previous file: reported with the storage error's line, the chain stops there
    old = _cycle(ws, {"cl-4.3-1": "implemented"})
    mid = _cycle(ws, {"cl-4.3-1": "partial"}, prev=old)
    new = _cycle(ws, {"cl-4.3-1": "partial"}, prev=mid)
    ws.file_path(old).write_text("{ not json", encoding="utf-8")
    cmp = ws.compare(new, TODAY)
    assert [v.assessment.id for v in cmp.cycles] == [new, mid]
    assert cmp.broken.reason == "unreadable" and old in cmp.broken.detail["en"] and cmp.broken.detail["ja"]
    assert cmp.worse_answers == []  # partial -> partial; the damaged cycle is not compared
    # a loop: a -> b -> a (ids chosen before either file exists)
    for me, other in (("aaaa0001", "bbbb0002"), ("bbbb0002", "aaaa0001")):
        ws.create(Assessment(organization="Loop KK", kind="renewal", lang="en", id=me, source={"previous_cycle": other}))
    cmp = ws.compare("aaaa0001", TODAY)
    assert [v.assessment.id for v in cmp.cycles] == ["aaaa0001", "bbbb0002"] and cmp.broken.reason == "loop"
    assert cmp.broken.id == "aaaa0001"
    # a link to itself
    ws.create(Assessment(organization="Self KK", lang="en", id="cccc0003", source={"previous_cycle": "cccc0003"}))
    cmp = ws.compare("cccc0003", TODAY)
    assert not cmp.has_previous and cmp.broken.reason == "loop"
    # an unknown id itself fails as a view does
    with pytest.raises(NotFoundError):
        ws.compare("nope1234", TODAY)


def test_previous_id_reads_only_a_text_link():
    assert previous_id({"previous_cycle": "abc12345", "transition_from": "x"}) == "abc12345"
    assert previous_id({"transition_from": "x"}) is None
    assert previous_id({"previous_cycle": 3}) is None
    assert previous_id(None) is None


def test_comparison_needs_this_cycle():
    with pytest.raises(ValueError):
        CycleComparison([])


def test_cli_compare_text_json_and_errors(tmp_path: Path):
    from isms_tui.compare import comparison_json
    from tests.conftest import run_cli

    data = tmp_path / "d"
    ws = Workspace(data)
    old = _cycle(ws, {"cl-4.3-1": "implemented", "cl-6.2-1": "partial"}, target="2026-06-01",
                 findings=[{"grade": "minor", "ref": "A.8.13", "raised_on": "2026-02-01"}])
    new = _cycle(ws, {"cl-4.3-1": "partial", "cl-6.2-1": "partial"}, prev=old,
                 findings=[{"grade": "minor", "ref": "A.8.13", "raised_on": "2027-02-01"}])
    r = run_cli("compare", new, "--json", data_dir=data)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [c["id"] for c in doc["cycles"]] == [new, old] and doc["broken"] is None
    assert doc["worse_answers"] == [{"item": "cl-4.3-1", "heading": doc["worse_answers"][0]["heading"],
                                     "before": "implemented", "now": "partial", "compared_with": ["cl-4.3-1"]}]
    assert [c["id"] for c in doc["carried_actions"]] == ["question:cl-6.2-1"]
    assert doc["recurring_findings"][0]["ref"]["label"] == "A.8.13"
    assert doc == json.loads(json.dumps(comparison_json(ws.compare(new), "en")))
    r = run_cli("compare", new, "--lang", "en", data_dir=data)
    assert r.returncode == 0, r.stderr
    assert "Answers that got worse: 1" in r.stdout and "Implemented \u2192 Partial" in r.stdout
    assert "Findings that recurred: 1" in r.stdout and "Actions carried over: 1 (0 more than once)" in r.stdout
    r = run_cli("compare", old, "--lang", "ja", data_dir=data)
    assert r.returncode == 0 and "\u524d\u306e\u30b5\u30a4\u30af\u30eb\u306f\u3042\u308a\u307e\u305b\u3093" in r.stdout
    r = run_cli("compare", "nope1234", data_dir=data)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_has_last_years_cycle(tmp_path: Path, lang: str):
    from isms_tui.demo import DEMO, DEMO_PREVIOUS_DAYS, create_demo

    ws = Workspace(tmp_path / "d")
    aid = create_demo(ws, lang)
    cmp = ws.compare(aid)
    assert cmp.has_previous and cmp.broken is None and len(cmp.cycles) == 2
    now, prev = cmp.cycles
    # read clearly as last year's: its name says so, its target date is a year earlier, it lists second
    assert prev.assessment.organization == DEMO[lang]["previous"]["org"] != now.assessment.organization
    assert (date.fromisoformat(now.assessment.target_date) - date.fromisoformat(prev.assessment.target_date)).days == DEMO_PREVIOUS_DAYS
    assert [s.id for s in ws.summaries()] == [aid, prev.assessment.id]
    assert ws.load(prev.assessment.id)[0].source is None  # the earliest cycle links to nothing
    # lower readiness then, in several sections; a few answers were better then
    assert cmp.overall[1] < cmp.overall[0]
    assert sum(1 for r in cmp.sections if r.change is not None and r.change > 0) >= 5
    assert 2 <= len(cmp.worse_answers) <= 3
    assert all(w.before == "implemented" and w.now in ("partial", "not_implemented") for w in cmp.worse_answers)
    # actions planned a year ago are still open, with last year's owners and dates
    carried = {c.action.id for c in cmp.carried_actions}
    planned = [e for e in ws.load(prev.assessment.id)[2].values() if e.status != "done"]
    assert planned and {e.action_id for e in planned} <= carried
    # the leavers' accounts finding of this year's internal audit recurred (an incident last year)
    [rec] = cmp.recurring_findings
    assert rec.row.finding.ref == "control:5.18" and [f.source for _, f in rec.earlier] == ["incident"]


def test_compare_sheet_read_back(tmp_path: Path):
    """The Cycle comparison sheet: after the findings, before the minutes, only with a previous
    cycle; its cells are the comparison's values (read back with openpyxl) and it holds the
    native charts of readiness per clause and per Annex A theme."""
    import openpyxl

    from isms_tui.exports.xlsx import export_assessment

    ws = Workspace(tmp_path / "d")
    old = _cycle(ws, {"cl-4.3-1": "implemented", "cl-6.2-1": "partial"}, target="2026-06-01",
                 findings=[{"grade": "minor", "ref": "A.8.13", "raised_on": "2026-02-01"}])
    new = _cycle(ws, {"cl-4.3-1": "partial", "cl-6.2-1": "partial", "cl-5.2-1": "implemented"}, prev=old,
                 findings=[{"grade": "minor", "ref": "A.8.13", "raised_on": "2027-02-01"}])
    path = export_assessment(ws, new, tmp_path / "new.xlsx", lang="en", today=TODAY)
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert names.index("Cycle comparison") == names.index("Corrective actions") + 1
    sh = wb["Cycle comparison"]
    cells = {row[0]: row[1:] for row in sh.iter_rows(values_only=True) if row[0]}
    cmp = ws.compare(new, TODAY)
    assert cells["Section"][:3] == ("This cycle 2027-06-01", "Previous 2026-06-01", "Change (pts)")
    assert cells["Overall readiness"][:2] == pytest.approx(cmp.overall)
    row = next(r for r in cmp.sections if r.section_id == "clause-4")
    shown = [math.floor(v * 100 + 0.5) for v in row.readiness]  # Excel's "0%" rounds half up
    assert cells["\u3000" + row.title["en"]] == (row.readiness[0], row.readiness[1], shown[0] - shown[1])
    assert row.change < 0
    row = next(r for r in cmp.sections if r.section_id == "clause-5")  # nothing answered last cycle: no change
    assert row.readiness[1] is None and cells["\u3000" + row.title["en"]] == (row.readiness[0], None, None)
    assert cells["Answers that got worse: 1"] and cells["Actions carried over: 1 (0 more than once)"]
    heading = next(k for k in cells if k.startswith("Clause 4.3"))
    assert cells[heading][:2] == ("Implemented", "Partial")
    assert any(k.startswith("F-01 A.8.13") for k in cells)
    assert len(sh._charts) == 2
    # no previous cycle: no sheet
    plain = export_assessment(ws, old, tmp_path / "old.xlsx", lang="ja", today=TODAY)
    assert "\u524d\u5e74\u5ea6\u6bd4\u8f03" not in openpyxl.load_workbook(plain).sheetnames


def test_points_add_up_with_the_percentages_shown():
    from isms_tui.compare import points

    assert points(0.625, 0.375) == "+24"  # shown as 62% and 38%
    assert points(0.5, 0.5) == "\u00b10" and points(0.1, 0.5) == "-40"
    assert points(None, 0.5) == points(0.5, None) == "\u2014"
