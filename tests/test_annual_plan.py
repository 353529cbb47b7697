"""The certification calendar and annual plan (isms_tui/annual_plan.py): calendar arithmetic,
activities laid back from the next audit, states, flags, the stored table and the service."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from isms_tui.annual_plan import (
    ACTIVITIES,
    Activity,
    CalendarData,
    CertificateRecord,
    activity_row,
    build_annual_plan,
    certificate_changes,
    check_tables,
    target_audit,
)
from isms_tui.cycle import certificate_cycle, period_end
from isms_tui.model import Assessment, ValidationError
from isms_tui.scoring import add_months

TODAY = date(2026, 12, 1)


# -- calendar arithmetic ------------------------------------------------------------------
@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2024, 2, 29), 48, date(2028, 2, 29)),
    (date(2025, 3, 31), -1, date(2025, 2, 28)),
    (date(2025, 5, 31), 1, date(2025, 6, 30)),
    (date(2025, 12, 15), 1, date(2026, 1, 15)),
    (date(2026, 1, 15), -1, date(2025, 12, 15)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),
    (date(2023, 8, 31), 6, date(2024, 2, 29)),
    (date(2025, 10, 31), -12, date(2024, 10, 31)),
    (date(2025, 3, 1), -1, date(2025, 2, 1)),
])
def test_add_months_month_ends_and_leap_years(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(("issued", "expires"), [
    (date(2025, 3, 10), date(2028, 3, 9)),
    (date(2024, 2, 29), date(2027, 2, 28)),  # no Feb 29 in 2027: the month's last day
    (date(2025, 3, 1), date(2028, 2, 29)),  # the day before Mar 1 of a leap year
    (date(2026, 1, 1), date(2028, 12, 31)),
    (date(2025, 12, 31), date(2028, 12, 30)),
    (date(2025, 1, 31), date(2028, 1, 30)),
])
def test_expiry_is_three_years_less_a_day(issued, expires):
    assert certificate_cycle(issued).expires == expires
    a = Assessment("X", kind="renewal", certification_date=issued.isoformat())
    plan = build_annual_plan(a, CalendarData(), issued)
    assert plan.expires == expires and not plan.expires_given


def test_period_end_of_a_month():
    assert period_end(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert period_end(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert period_end(date(2025, 1, 15), 1) == date(2025, 2, 14)


def test_given_expiry_wins_and_must_follow_issue():
    a = Assessment("X", kind="renewal", certification_date="2025-03-10")
    data = CalendarData(CertificateRecord(expires="2028-01-31"))
    plan = build_annual_plan(a, data, TODAY)
    assert plan.expires == date(2028, 1, 31) and plan.expires_given
    with pytest.raises(ValidationError) as e:
        certificate_changes({"expires": "2025-03-01"}, CalendarData(), a, TODAY)
    assert e.value.key == "error.calendar.expiry_before_issue"


def test_surveillance_due_dates_follow_issue_and_previous_audit():
    a = Assessment("X", kind="renewal", certification_date="2024-02-29", target_date="2027-02-01")
    # surveillance 1 was done late in the window: surveillance 2 within 12 months of it, but
    # never later than 24 months after the issue
    data = CalendarData(CertificateRecord(dates={"surveillance_1_done": "2025-02-10"}))
    plan = build_annual_plan(a, data, date(2025, 6, 1))
    rows = {r.kind: r for r in plan.audits}
    assert rows["surveillance_1"].due_by == date(2025, 2, 28)
    assert rows["surveillance_2"].due_by == date(2026, 2, 10)
    assert rows["recertification"].due_by == date(2027, 2, 28)
    assert [r.kind for r in plan.audits] == ["surveillance_1", "surveillance_2", "recertification"]


# -- activities laid back from the next audit ------------------------------------------------
def test_default_sequence_management_review_after_internal_audit_after_risk_review():
    a = Assessment("X", target_date="2027-06-30")
    plan = build_annual_plan(a, CalendarData(), TODAY)
    due = {r.activity.key: r.due for r in plan.activities}
    assert due["management_review"] == date(2027, 5, 31)  # 30 days before
    assert due["risk_review"] < due["internal_audit"] < due["management_review"] < date(2027, 6, 30)
    assert due["training"] < due["supplier_review"] < due["risk_review"]
    assert [r.due for r in plan.activities] == sorted(r.due for r in plan.activities)
    assert plan.next_audit.kind == "stage1" and plan.next_audit.planned == date(2027, 6, 30)


@pytest.mark.parametrize(("last_done", "state", "due"), [
    (None, "due", date(2027, 5, 1)),  # never done: by the audit deadline
    ("2026-09-01", "done", date(2027, 9, 1)),  # done this cycle: next time a year later
    ("2025-11-15", "overdue", date(2026, 11, 15)),  # a year has passed, and before the audit deadline
    ("2026-01-20", "due_soon", date(2027, 1, 20)),  # lapses within 90 days
])
def test_activity_states(last_done, state, due):
    act = Activity("internal_audit", every=12, lead=60, last_done=last_done)
    row = activity_row(act, date(2027, 6, 30), date(2026, 5, 1), TODAY)
    assert (row.state, row.due) == (state, due)


def test_activity_done_before_the_last_audit_is_due_again():
    act = Activity("management_review", every=12, lead=30, last_done="2026-03-01")
    row = activity_row(act, date(2027, 3, 31), date(2026, 4, 10), TODAY)
    assert not row.covered and row.due == date(2027, 3, 1) and row.state == "due_soon"


def test_no_audit_date_and_never_done_is_due_without_a_date():
    plan = build_annual_plan(Assessment("X"), CalendarData(), TODAY)
    assert plan.next_audit is None
    assert all(r.due is None and r.state == "due" for r in plan.activities)


def test_custom_activity_and_validation():
    data = CalendarData(activities={"c-abcdef12": Activity("c-abcdef12", name="BCP drill", every=6, lead=45,
                                                           last_done="2026-01-31")})
    plan = build_annual_plan(Assessment("X", target_date="2027-06-30"), data, TODAY)
    row = next(r for r in plan.activities if r.activity.custom)
    assert row.every_due == date(2026, 7, 31) and row.state == "overdue"
    assert any(f.kind == "lapsed" and "BCP drill" in f.message("en") for f in plan.flags)
    with pytest.raises(ValidationError):
        Activity("c-abcdef12", name="")
    for bad in ("0", "37", "x", True):
        with pytest.raises(ValidationError) as e:
            Activity("risk_review", every=bad)
        assert e.value.key == "error.calendar.bad_every"
    with pytest.raises(ValueError):
        Activity("no_such_thing")


# -- flags ------------------------------------------------------------------------------
def _kinds(plan):
    return [f.kind for f in plan.flags]


def test_flag_target_date_in_the_past():
    plan = build_annual_plan(Assessment("X", target_date="2026-11-01"), CalendarData(), TODAY)
    assert "target_passed" in _kinds(plan)
    msg = plan.flags[0].message("ja")
    assert "2026-11-01" in msg and "\n" not in msg
    done = CalendarData(CertificateRecord(dates={"stage1_done": "2026-11-01"}))
    assert "target_passed" not in _kinds(build_annual_plan(Assessment("X", target_date="2026-11-01"), done, TODAY))


def test_flag_surveillance_more_than_12_months_after():
    a = Assessment("X", kind="renewal", certification_date="2026-01-31")
    data = CalendarData(CertificateRecord(dates={"surveillance_1_planned": "2027-02-15"}))
    plan = build_annual_plan(a, data, TODAY)
    flag = next(f for f in plan.flags if f.kind == "surveillance_late")
    assert dict(flag.params)["due"] == "2027-01-31"
    ok = CalendarData(CertificateRecord(dates={"surveillance_1_planned": "2027-01-31"}))
    assert "surveillance_late" not in _kinds(build_annual_plan(a, ok, TODAY))
    # surveillance 2 is measured from surveillance 1 as done
    late2 = CalendarData(CertificateRecord(dates={"surveillance_1_done": "2026-11-30",
                                                  "surveillance_2_planned": "2027-12-01"}))
    flags = [f for f in build_annual_plan(a, late2, TODAY).flags if f.kind == "surveillance_late"]
    assert [dict(f.params)["audit"] for f in flags] == ["surveillance_2"]


def test_flag_expiry_before_recertification_and_lapsed_activity():
    a = Assessment("X", kind="renewal", certification_date="2024-02-29")
    data = CalendarData(CertificateRecord(dates={"recertification_planned": "2027-03-01"}),
                        {"risk_review": Activity("risk_review", every=12, lead=90, last_done="2025-11-30")})
    plan = build_annual_plan(a, data, TODAY)
    assert "expiry_before_recert" in _kinds(plan)
    assert "lapsed" in _kinds(plan)
    assert "2027-02-28" in next(f for f in plan.flags if f.kind == "expiry_before_recert").message("en")


def test_target_audit_of_each_kind():
    assert target_audit(Assessment("X")) == "stage1"
    assert target_audit(Assessment("X", kind="renewal")) == "surveillance_1"
    assert target_audit(Assessment("X", kind="renewal", certification_date="2025-03-10",
                                   target_date="2027-02-20")) == "surveillance_2"


# -- user changes -----------------------------------------------------------------------
def test_target_audit_planned_date_is_the_assessment_target_date():
    a = Assessment("X", target_date="2027-01-15")
    cert, meta = certificate_changes({"stage1_planned": "2027-02-01", "stage2_planned": "2027-04-01",
                                      "number": " IS 123 ", "body": "JQA"}, CalendarData(), a, TODAY)
    assert meta == {"target_date": "2027-02-01"}
    assert "stage1_planned" not in cert.dates and cert.dates["stage2_planned"] == "2027-04-01"
    assert cert.number == "IS 123"


@pytest.mark.parametrize(("values", "key"), [
    ({"stage2_planned": "2026-11-30"}, "error.calendar.planned_past"),
    ({"stage1_done": "2026-12-02"}, "error.calendar.done_future"),
    ({"issued": "2027-01-01"}, "error.calendar.issued_future"),
    ({"issued": "2026-02-30"}, "error.bad_date"),
    ({"colour": "red"}, "error.unknown_field"),
])
def test_bad_certificate_changes_are_refused(values, key):
    with pytest.raises(ValidationError) as e:
        certificate_changes(values, CalendarData(), Assessment("X"), TODAY)
    assert e.value.key == key
    for lang in ("ja", "en"):
        assert "\n" not in e.value.message(lang) and e.value.message(lang) != key
    if key == "error.calendar.planned_past":  # the audit named in the language shown
        assert "第二段階審査" in e.value.message("ja") and "stage 2 audit" in e.value.message("en")


# -- stored table -------------------------------------------------------------------------
def test_tables_round_trip_and_damage_is_reported():
    data = CalendarData(CertificateRecord("N-1", "Body", None, {"stage1_done": "2026-01-10"}),
                        {"training": Activity("training", 12, 150, "2026-05-01", "Sato")})
    tables = {k: {str(i): d for i, d in enumerate(v, 1)} for k, v in data.to_tables().items()}
    back = CalendarData.from_tables(json.loads(json.dumps(tables)))
    assert back == data
    assert check_tables(tables) is None
    tables["calendar"]["2"]["last_done"] = "not a date"
    assert "calendar record 2" in check_tables(tables)
    assert CalendarData().activity("training") == Activity.default("training")
    assert [a.key for a in CalendarData().all_activities()] == list(ACTIVITIES)


def test_migration_from_schema_6_adds_the_table():
    from isms_tui.storage import SCHEMA_VERSION, migrate

    doc = {"meta": {"1": Assessment("X").to_doc() | {"schema_version": 6}}, "answers": {}, "actions": {}}
    data, changed = migrate(doc)
    assert changed and data["calendar"] == {} and data["meta"]["1"]["schema_version"] == SCHEMA_VERSION >= 9


def test_service_keeps_assessment_and_calendar_in_step(tmp_path):
    from isms_tui.service import Workspace

    ws = Workspace(tmp_path)
    target = (date.today() + timedelta(days=120)).isoformat()
    aid = ws.create(Assessment("X", target_date=target))
    later = (date.today() + timedelta(days=200)).isoformat()
    with ws.open(aid) as s:
        s.set_certificate(stage1_planned=later, stage2_planned=(date.today() + timedelta(days=260)).isoformat(),
                          body="Body KK")
        assert s.assessment.target_date == later
        s.mark_activity_done("risk_review", date.today().isoformat())
        own = s.add_activity("BCP drill", every="6", owner="Sato")
        with pytest.raises(ValidationError):
            s.set_certificate(stage2_planned="2001-01-01")
        with pytest.raises(ValidationError):
            s.update_activity("internal_audit", last_done=(date.today() + timedelta(days=1)).isoformat())
        with pytest.raises(ValidationError):
            s.remove_activity("training")
    view = ws.view(aid)
    assert view.assessment.target_date == later
    plan = view.annual_plan
    assert plan.body == "Body KK" and plan.next_audit.planned == date.fromisoformat(later)
    rows = {r.activity.key: r for r in plan.activities}
    assert rows["risk_review"].state == "done"
    assert rows[own.key].activity.name == "BCP drill" and rows[own.key].activity.every == 6
    assert rows["internal_audit"].activity.last_done is None  # the refused change kept nothing
    with ws.open(aid) as s:
        s.remove_activity("BCP drill")
    assert own.key not in {r.activity.key for r in ws.view(aid).annual_plan.activities}


def test_overdue_activity_is_a_plan_action_until_recorded_done(tmp_path):
    from isms_tui.annual_plan import calendar_action_id
    from isms_tui.service import Workspace

    ws = Workspace(tmp_path)
    aid = ws.create(Assessment("X", target_date=(date.today() + timedelta(days=400)).isoformat()))
    assert not [a for a in ws.view(aid).plan if a.source.kind == "calendar"]  # no calendar kept: no actions
    with ws.open(aid) as s:
        s.update_activity("risk_review", last_done=(date.today() - timedelta(days=500)).isoformat(), owner="Sato")
        [act] = [a for a in s.view().plan if a.source.kind == "calendar"]
        assert act.id == calendar_action_id("risk_review") == "calendar:risk_review"
        assert act.owner == "Sato" and act.due < date.today() and act.refs[0].label("en") == "Clause 8.2"
        assert "Risk review" in act.title("en") and "リスクの見直し" in act.title("ja")
        s.edit_action(act.id, status="in_progress")  # the plan can track it like any action
        s.mark_activity_done("risk_review")
        assert not [a for a in s.view().plan if a.source.kind == "calendar"]


def test_last_done_answered_on_the_recurring_question_counts(tmp_path):
    from isms_tui.service import Workspace

    ws = Workspace(tmp_path)
    aid = ws.create(Assessment("X", banks=["clauses-2022"], target_date=(date.today() + timedelta(days=200)).isoformat()))
    answered = (date.today() - timedelta(days=40)).isoformat()
    with ws.open(aid) as s:
        s.save_answer("cl-9.2.1-1", "implemented", last_done=answered)
    rows = {r.activity.key: r for r in ws.view(aid).annual_plan.activities}
    assert rows["internal_audit"].activity.last_done == answered and rows["internal_audit"].from_answers
    assert rows["internal_audit"].state == "done"
    assert rows["management_review"].activity.last_done is None
    later = (date.today() - timedelta(days=5)).isoformat()
    with ws.open(aid) as s:
        s.mark_activity_done("internal_audit", later)
    row = next(r for r in ws.view(aid).annual_plan.activities if r.activity.key == "internal_audit")
    assert row.activity.last_done == later and not row.from_answers  # the later date counts
