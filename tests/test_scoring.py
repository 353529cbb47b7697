"""Scoring, the stage 1 gate and the action plan, with property tests (hypothesis)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from isms_tui.banks import load_bank
from isms_tui.model import ActionEdit, Answer
from isms_tui.plan import build_plan, priority, schedule
from isms_tui.scoring import STATUS_RANK, score
from tests.conftest import FIXTURES

BANK, _ = load_bank(FIXTURES / "sample_bank.toml")
ITEMS = BANK.items
TODAY = date(2027, 1, 15)
STATUS = st.sampled_from([None, "implemented", "partial", "not_implemented", "unknown", "not_applicable"])


def answers_from(statuses: dict[str, str | None]) -> dict[str, Answer]:
    out = {}
    for iid, s in statuses.items():
        if s is not None:
            out[iid] = Answer(iid, status=s, na_justification="n/a" if s == "not_applicable" else "", last_done="2026-12-01")
    return out


def valid(statuses: dict[str, str | None]) -> dict[str, str | None]:
    """Items that do not allow N/A cannot hold it."""
    items = {i.id: i for i in ITEMS}
    return {k: (None if v == "not_applicable" and not items[k].na_allowed else v) for k, v in statuses.items()}


answer_maps = st.fixed_dictionaries({i.id: STATUS for i in ITEMS}).map(valid)


def test_worked_example():
    ans = answers_from({"s-scope-1": "implemented", "s-backup-1": "partial", "s-cloud-1": "not_applicable",
                        "s-review-1": "unknown"})
    rep = score([BANK], ans, TODAY)
    # weights: scope 3 (1.0), backup 3 (0.5), cloud N/A, review 3 (0), visitor 1 (unanswered)
    assert rep.overall.possible == 10 and rep.overall.earned == 4.5
    assert rep.overall.readiness == 0.45
    assert rep.overall.coverage == 4 / 5 and rep.overall.unknown == 1
    assert rep.sections[("sample", "basics")].readiness == 4.5 / 6
    assert rep.sections[("sample", "records")].readiness == 0
    # the sample bank evidences clauses 4.3 and 9.3.3; the other twelve are not assessed
    by_clause = {r.ref.id: r for r in rep.gate.requirements}
    assert by_clause["4.3"].state == "met" and [i.id for i in by_clause["4.3"].items] == ["s-scope-1"]
    assert by_clause["9.3.3"].state == "not_met"
    assert rep.gate.count("not_assessed") == 12 and rep.gate.ready is False


def test_recurring_item_overdue_counts_partial_and_enters_plan():
    ans = answers_from({i.id: "implemented" for i in ITEMS})
    ans["s-review-1"].last_done = "2025-06-30"
    rep = score([BANK], ans, TODAY)
    assert rep.statuses["s-review-1"] == "partial" and rep.overdue == ["s-review-1"]
    assert rep.gate.ready is False
    plan = build_plan([BANK], rep, ans, {}, target_date="2027-06-01", kind="renewal")
    assert [a.id for a in plan] == ["question:s-review-1"] and plan[0].overdue_recurring
    assert {r.ref.id: r.state for r in rep.gate.requirements}["9.3.3"] == "not_met"
    ans["s-review-1"].last_done = "2026-06-30"
    assert {r.ref.id: r.state for r in score([BANK], ans, TODAY).gate.requirements}["9.3.3"] == "met"
    ans["s-review-1"].last_done = None  # implemented but no date: cannot be shown, overdue
    assert score([BANK], ans, TODAY).overdue == ["s-review-1"]


def test_gate_lists_every_mandatory_requirement_and_not_assessed_blocks():
    import dataclasses

    bank = dataclasses.replace(BANK, items=[dataclasses.replace(i, mandatory=False) for i in ITEMS])
    gate = score([bank], answers_from({i.id: "implemented" for i in ITEMS}), TODAY).gate
    assert [r.ref.id for r in gate.requirements] == ["4.3", "5.2", "6.1.2", "6.1.3", "6.2", "7.2", "7.5.1", "8.1",
                                                    "8.2", "8.3", "9.1", "9.2.2", "9.3.3", "10.2"]
    assert gate.count("not_assessed") == 14 and gate.ready is False
    assert {d.ref for r in gate.requirements for d in r.docs} >= {"6.1.3 d)", "6.1.3 e)", "7.5.1 b)", "10.2 f)"}


def _clauses_bank():
    from isms_tui.banks import builtin_banks

    return builtin_banks().banks["clauses-2022"]


def test_acquisition_bank_alone_is_not_ready_it_never_asks_about_five_requirements():
    from isms_tui.banks import builtin_banks

    acq = builtin_banks().banks["process-acquisition"]
    gate = score([acq], {i.id: Answer(i.id, "implemented", last_done="2026-12-01") for i in acq.items}, TODAY).gate
    not_assessed = {r.ref.id for r in gate.requirements if r.state == "not_assessed"}
    assert {"7.5.1", "8.1", "8.3", "9.1", "10.2"} <= not_assessed
    assert gate.ready is False


def test_clauses_bank_fully_implemented_opens_the_gate():
    bank = _clauses_bank()
    ans = {i.id: Answer(i.id, "implemented", last_done="2026-12-01") for i in bank.items}
    gate = score([bank], ans, TODAY).gate
    assert gate.ready is True and gate.count("met") == 14


@settings(max_examples=300, deadline=None)
@given(answer_maps)
def test_scores_stay_in_unit_interval(statuses):
    rep = score([BANK], answers_from(statuses), TODAY)
    for s in [rep.overall, *rep.banks.values(), *rep.sections.values()]:
        for v in (s.readiness, s.coverage):
            assert v is None or 0.0 <= v <= 1.0


@settings(max_examples=300, deadline=None)
@given(answer_maps, st.sampled_from([i.id for i in ITEMS]), st.sampled_from(["partial", "implemented"]))
def test_improving_one_answer_never_lowers_any_score(statuses, item_id, better):
    before_status = statuses[item_id]
    if before_status == "not_applicable" or STATUS_RANK[better] <= STATUS_RANK[before_status]:
        return
    before = score([BANK], answers_from(statuses), TODAY)
    after = score([BANK], answers_from(statuses | {item_id: better}), TODAY)
    pairs = [(before.overall, after.overall)] + [(before.sections[k], after.sections[k]) for k in before.sections]
    for b, a in pairs:
        if b.readiness is not None:
            assert a.readiness >= b.readiness - 1e-12


@settings(max_examples=300, deadline=None)
@given(answer_maps, st.sampled_from([i.id for i in ITEMS if i.na_allowed]))
def test_marking_na_never_changes_the_others_contribution(statuses, item_id):
    before = score([BANK], answers_from(statuses), TODAY)
    after = score([BANK], answers_from(statuses | {item_id: "not_applicable"}), TODAY)
    item = next(i for i in ITEMS if i.id == item_id)
    from isms_tui.scoring import STATUS_VALUE

    own = 0.0 if statuses[item_id] == "not_applicable" else item.weight * STATUS_VALUE[statuses[item_id]]
    own_w = 0 if statuses[item_id] == "not_applicable" else item.weight
    assert abs((before.overall.earned - own) - after.overall.earned) < 1e-9
    assert before.overall.possible - own_w == after.overall.possible
    for iid in before.statuses:
        if iid != item_id:
            assert before.statuses[iid] == after.statuses[iid]


CLAUSE_ITEMS = _clauses_bank().items
clause_maps = st.fixed_dictionaries({i.id: st.sampled_from([None, "implemented", "partial", "not_implemented", "unknown"])
                                     for i in CLAUSE_ITEMS})


@settings(max_examples=200, deadline=None)
@given(clause_maps)
def test_gate_opens_exactly_when_every_linked_mandatory_item_is_implemented(statuses):
    bank = _clauses_bank()
    rep = score([bank], answers_from(statuses), TODAY)
    for req in rep.gate.requirements:
        linked = [i for i in CLAUSE_ITEMS if i.mandatory and req.ref.id in i.clauses]
        assert [i.id for i in req.items] == [i.id for i in linked]
        expected = "met" if all(rep.statuses[i.id] == "implemented" for i in linked) else "not_met"
        assert req.state == expected
    assert rep.gate.ready == all(rep.statuses[i.id] == "implemented" for i in CLAUSE_ITEMS if i.mandatory)


def test_priority_rule():
    scope, backup, cloud, review, visitor = ITEMS
    assert priority(scope, "partial", False) == 1  # mandatory
    assert priority(backup, None, False) == 1 and priority(backup, "partial", False) == 2
    assert priority(cloud, "not_implemented", False) == 2 and priority(cloud, "partial", False) == 3
    assert priority(visitor, "unknown", False) == 3 and priority(visitor, "implemented", True) == 2


def test_plan_due_dates_follow_the_timeline_and_edits_survive_rescoring():
    target = "2027-06-01"
    ans = answers_from({"s-scope-1": "not_implemented", "s-backup-1": "partial"})
    rep = score([BANK], ans, TODAY)
    plan = build_plan([BANK], rep, ans, {}, target_date=target, kind="initial")
    by_id = {a.source.id: a for a in plan}
    assert [a.priority for a in plan] == sorted(a.priority for a in plan)
    windows = schedule(date(2027, 6, 1))
    assert by_id["s-scope-1"].due == windows["acq.scope"][1]  # clause 4.3 -> scope step
    assert windows["acq.scope"][0] < windows["acq.management_review"][1] < date(2027, 6, 1) <= windows["aud.certification"][0]
    edits = {"question:s-backup-1": ActionEdit("question:s-backup-1", owner="IT 佐藤", due="2027-03-31", status="in_progress", progress="NAS購入済み")}
    ans["s-scope-1"].status = "partial"  # re-scoring after another answer changes
    plan2 = build_plan([BANK], score([BANK], ans, TODAY), ans, edits, target_date=target, kind="initial")
    b = {a.id: a for a in plan2}["question:s-backup-1"]
    assert (b.owner, b.due, b.action_status, b.progress) == ("IT 佐藤", date(2027, 3, 31), "in_progress", "NAS購入済み")
    assert b.is_late(date(2027, 4, 1)) and not b.is_late(date(2027, 3, 1))


def test_no_target_date_means_no_suggested_due():
    plan = build_plan([BANK], score([BANK], {}, TODAY), {}, {}, target_date=None, kind="initial")
    assert len(plan) == 5 and all(a.due is None for a in plan)
