"""The read model: one place computes what every view shows."""

from __future__ import annotations

from datetime import date

from isms_tui.banks import builtin_banks
from isms_tui.model import Answer, Assessment
from isms_tui.view import AssessmentView

TODAY = date(2027, 1, 15)


def _view(bank_ids, answers=None, **kw) -> AssessmentView:
    banks = [builtin_banks().banks[b] for b in bank_ids]
    a = Assessment(organization="View KK", banks=list(bank_ids), **kw)
    return AssessmentView(a, banks, answers or {}, {}, today=TODAY)


def test_the_scope_requirement_is_linked_across_three_banks():
    v = _view(["process-acquisition", "clauses-2022", "process-certification-audit"])
    assert {"acq-scope-1", "aud-stage1-1"} <= set(v.links["cl-4.3-1"])
    assert "cl-4.3-1" in v.links["acq-scope-1"]
    # never linked to items of its own bank
    for item_id, others in v.links.items():
        bank = v._by_id[item_id].bank_id
        assert all(v._by_id[o].bank_id != bank for o in others)
    assert v.also_asked("cl-4.3-1")[0][1] is None  # unanswered


def test_contradiction_reported_once_and_resolved_by_reanswering():
    answers = {"cl-4.3-1": Answer("cl-4.3-1", "implemented"), "acq-scope-1": Answer("acq-scope-1", "not_implemented")}
    v = _view(["process-acquisition", "clauses-2022"], answers)
    assert [(c.implemented.id, c.not_implemented.id) for c in v.contradictions] == [("cl-4.3-1", "acq-scope-1")]
    assert [r.key for r in v.contradictions[0].refs] == ["clause:4.3"]
    answers["acq-scope-1"] = Answer("acq-scope-1", "implemented")
    assert _view(["process-acquisition", "clauses-2022"], answers).contradictions == []
    # partial against implemented is a difference of degree, not a contradiction
    answers["acq-scope-1"] = Answer("acq-scope-1", "partial")
    assert _view(["process-acquisition", "clauses-2022"], answers).contradictions == []


def test_contradictions_are_worded_by_reference_and_where_asked_never_by_item_id():
    from isms_tui.report import contradiction_line, report_text

    answers = {"cl-4.3-1": Answer("cl-4.3-1", "implemented"), "acq-scope-1": Answer("acq-scope-1", "not_implemented")}
    v = _view(["process-acquisition", "clauses-2022"], answers)
    c = v.contradictions[0]
    assert v.asked_in(c.implemented, "en") == "ISMS requirements (clauses 4-10) › 4 Context of the organization"
    assert v.asked_in(c.not_implemented, "en", bank=False) == "Determine the scope"
    assert contradiction_line(v, c, "en", short=True) == (
        'Clause 4.3: implemented in "4 Context of the organization", not implemented in "Determine the scope"')
    assert contradiction_line(v, c, "ja", short=True) == "箇条4.3: 「4 組織の状況」では実施済み、「適用範囲の決定」では未実施"
    for lang in ("ja", "en"):
        line = contradiction_line(v, c, lang)
        assert line.startswith(c.refs[0].full(lang)) and v.asked_in(c.not_implemented, lang) in line
        assert "cl-4.3-1" not in line and "acq-scope-1" not in line
        assert "  " + line in report_text(v, lang)


def test_gaps_filter_and_plan_agree_on_overdue_recurring_items():
    bank = builtin_banks().banks["clauses-2022"]
    recurring = next(i for i in bank.items if i.every_months)
    answers = {recurring.id: Answer(recurring.id, "implemented", last_done="2024-01-01")}
    v = _view(["clauses-2022"], answers)
    assert v.status(recurring.id) == "partial" and v.is_overdue(recurring.id)
    assert v.matches(recurring, "gaps")
    assert recurring.id in {a.source.id for a in v.plan}
    answers[recurring.id].last_done = "2026-12-01"
    v = _view(["clauses-2022"], answers)
    assert not v.matches(recurring, "gaps") and recurring.id not in {a.source.id for a in v.plan}


def test_soa_rows_cover_the_edition_and_deduplicate_evidence():
    bank = builtin_banks().banks["annex-a-2022"]
    items = [i for i in bank.items if "5.15" in i.controls]
    answers = {i.id: Answer(i.id, "implemented", evidence="Access policy v2") for i in items}
    v = _view(["annex-a-2022"], answers, edition="2022")
    assert len(v.soa) == 93
    row = next(r for r in v.soa if r.ref.id == "5.15")
    assert row.applicable and row.status == "implemented" and row.evidence == ("Access policy v2",)
    assert row.ref.label("en") == "A.5.15" and [m.id for m in row.maps_to] == ["A.9.1.1", "A.9.1.2"]
    v13 = _view(["annex-a-2013"], {}, edition="2013")
    assert len(v13.soa) == 114 and v13.soa[0].ref.label("en").endswith("(2013)")


def test_roadmap_follows_the_kind_and_needs_a_target():
    assert all(r.start is None for r in _view(["clauses-2022"]).roadmap)
    rows = _view(["clauses-2022"], target_date="2027-06-01").roadmap
    assert rows and all(r.start is not None for r in rows if r.step.id.startswith("acq.")) and not any(r.step.id.startswith("mnt.") for r in rows)
    renewal = _view(["clauses-2022"], kind="renewal", target_date="2027-06-01").roadmap
    assert renewal and all(r.step.id.startswith("mnt.") for r in renewal)


def test_an_assessment_resumes_after_the_item_answered_last(workspace):
    # sample bank order: s-scope-1, s-backup-1, s-cloud-1, s-review-1, s-visitor-1
    a = Assessment(organization="Resume KK", banks=["sample"])
    workspace.create(a)
    with workspace.open(a.id) as s:
        assert s.resume_index() == 0  # nothing answered: the first item
    b = Assessment(organization="Resume KK", banks=["sample"])
    workspace.create(b, [Answer("s-scope-1", status="implemented", updated="2026-11-01T09:00:00+00:00"),
                         Answer("s-review-1", status="partial", updated="2026-11-01T09:05:00+00:00"),
                         Answer("s-backup-1", status="unknown", updated="2026-11-01T09:01:00+00:00")])
    with workspace.open(b.id) as s:
        ids = [i.id for i in s.items]
        assert ids[s.resume_index()] == "s-visitor-1"  # after s-review-1, answered last
        s.set_status("s-visitor-1", "implemented")
        assert ids[s.resume_index()] == "s-cloud-1"  # wraps round to the one left
        s.set_status("s-cloud-1", "implemented")
        assert ids[s.resume_index()] == "s-cloud-1"  # all answered: the one answered last
    c = Assessment(organization="Resume KK", banks=["sample"])  # saved at one moment (an import)
    same = "2026-11-01T09:00:00+00:00"
    workspace.create(c, [Answer(i, status="implemented", updated=same) for i in ("s-scope-1", "s-backup-1", "s-review-1")])
    with workspace.open(c.id) as s:
        assert [i.id for i in s.items][s.resume_index()] == "s-cloud-1"  # the first unanswered
