"""The user's Statement of Applicability decisions (table "soa"), the SoA rows of the read
model, and the other rules the Excel export renders: real gaps apart from unanswered items,
the next steps, deliverables, the certificate cycle, the roadmap's owners and statuses."""

from __future__ import annotations

import json
import stat
from datetime import date

import pytest

from isms_tui.banks import builtin_banks
from isms_tui.cycle import certificate_cycle
from isms_tui.model import ActionEdit, Answer, Assessment, ValidationError
from isms_tui.plan import schedule
from isms_tui.service import Workspace
from isms_tui.soa_decisions import SoaDecision, decision_control, reasons_text, suggestion
from isms_tui.view import AssessmentView

TODAY = date(2027, 1, 15)


def _view(bank_ids, answers=None, soa=None, edits=None, **kw) -> AssessmentView:
    banks = [builtin_banks().banks[b] for b in bank_ids]
    a = Assessment(organization="SoA KK", banks=list(bank_ids), **kw)
    return AssessmentView(a, banks, answers or {}, edits or {}, today=TODAY, soa=soa or {})


def _row(view: AssessmentView, cid: str):
    return next(r for r in view.soa if r.ref.id == cid)


def test_decisions_are_saved_in_their_own_table_and_read_back(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        d = s.set_soa_decision("A.8.13", justification="Loss of client data stops deliveries (risk R-05).",
                               implementation="=HYPERLINK(\"x\") Backup procedure v1", owner="IT\tSato")
        assert d.control == "control:8.13" and d.owner == "IT Sato"
        s.set_soa_decision("control:5.23", applicable=False,
                           justification="We use no cloud service at all: everything runs on premises.")
        assert set(s.soa_decisions()) == {"control:8.13", "control:5.23"}
    path = workspace.store.file_path(sample_id)
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert {d["control"] for d in raw["soa"].values()} == {"control:8.13", "control:5.23"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = workspace.load(sample_id)
    assessment, answers, edits = loaded  # callers that unpack three values keep working
    assert loaded.soa["control:8.13"].implementation == "=HYPERLINK(\"x\") Backup procedure v1"
    row = _row(workspace.view(sample_id), "5.23")
    assert row.applicable is False and row.justification.startswith("We use no cloud")
    # a new session reads them, an emptied decision is removed
    with workspace.open(sample_id) as s:
        assert s.soa_decision("8.13").justification.startswith("Loss of client data")
        s.set_soa_decision("8.13", justification="", implementation="", owner="")
        assert "control:8.13" not in s.soa
    assert "control:8.13" not in workspace.load(sample_id).soa
    # the duplicate carries the decisions
    copy = workspace.duplicate(sample_id)
    assert set(workspace.load(copy).soa) == {"control:5.23"}


def test_a_file_without_the_soa_table_reads_as_no_decisions(workspace: Workspace, sample_id: str):
    path = workspace.store.file_path(sample_id)
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert "soa" not in raw
    assert workspace.load(sample_id).soa == {}
    with workspace.open(sample_id) as s:
        assert s.soa_decisions() == {}


@pytest.mark.parametrize("fields, key", [
    ({"applicable": False, "justification": ""}, "error.soa_exclusion_needs_reason"),
    ({"applicable": False, "justification": "n/a"}, "error.na_justification_vague"),
    ({"applicable": "maybe"}, "error.bad_choice"),
    ({"colour": "red"}, "error.unknown_field"),
    ({"reasons": "legal, because"}, "error.bad_choice"),
    ({"reasons": "legal", "applicable": False, "justification": "We write no software of our own at all."},
     "error.soa_excluded_with_reasons"),
])
def test_decisions_are_checked(workspace: Workspace, sample_id: str, fields, key):
    with workspace.open(sample_id) as s:
        with pytest.raises(ValidationError) as exc:
            s.set_soa_decision("8.13", **fields)
        assert exc.value.key == key
        assert s.soa == {}
        with pytest.raises(ValidationError) as exc:
            s.set_soa_decision("9.99", justification="x")
        assert exc.value.key == "error.unknown_control"


def test_decision_control_is_the_one_control_an_item_asks_about():
    banks = builtin_banks().banks
    item = next(i for i in banks["annex-a-2022"].items if i.controls == ("5.15",))
    assert decision_control(item, "2022").key == "control:5.15"
    multi = next(i for i in banks["process-acquisition"].items if len(i.controls) > 1)
    assert decision_control(multi, "2022") is None
    clause = banks["clauses-2022"].items[0]
    assert decision_control(clause, "2022") is None
    old = banks["annex-a-2013"].items[0]
    assert decision_control(old, "2013").type == "control_2013"
    assert suggestion(decision_control(item, "2022"), "ja")  # a hint exists, and is never stored


def test_soa_rows_use_the_users_decisions_and_flag_what_an_auditor_questions():
    bank = builtin_banks().banks["annex-a-2022"]
    malware = [i for i in bank.items if i.controls == ("8.7",)]
    dev = [i for i in bank.items if i.controls == ("8.30",)]
    answers = {i.id: Answer(i.id, "implemented", evidence="EDR console") for i in malware}
    answers |= {i.id: Answer(i.id, "not_applicable", na_justification="All development is done in-house, none outsourced.")
                for i in dev}
    soa = {
        "control:8.7": SoaDecision("control:8.7", applicable=False, justification="We only use Macs, which need nothing."),
        "control:5.15": SoaDecision("control:5.15", justification="Client data must stay with its project team (R-03).",
                                    implementation="Access control rule v2", owner="IT Takahashi"),
        "control:5.1": SoaDecision("control:5.1", applicable=False, justification="n/a"),
    }
    v = _view(["annex-a-2022"], answers, soa, edition="2022")
    malware_row = _row(v, "8.7")
    assert not malware_row.applicable and malware_row.status == "not_applicable"
    assert "challenged" in malware_row.flags and "conflict" in malware_row.flags  # answered implemented
    assert malware_row.challenged == ("8.7",)
    policy = _row(v, "5.1")
    assert {"challenged", "vague"} <= set(policy.flags)
    access = _row(v, "5.15")
    assert access.applicable and access.flags == () and access.decided
    assert (access.justification, access.implementation, access.owner) == (
        "Client data must stay with its project team (R-03).", "Access control rule v2", "IT Takahashi")
    # without a decision: excluded by the N/A answers, their reasons are the justification
    outsourced = _row(v, "8.30")
    assert not outsourced.applicable and outsourced.justification.startswith("All development")
    assert outsourced.flags == () and outsourced.decided
    # included by default, but nobody has said why yet: flagged, never a prefilled sentence
    other = _row(v, "5.2")
    assert other.applicable and other.justification == "" and other.flags == ("no_justification",)
    assert not other.decided


def test_2013_exclusions_are_challenged_through_their_2022_successors():
    soa = {"control_2013:A.12.2.1": SoaDecision("control_2013:A.12.2.1", applicable=False,
                                                justification="Malware cannot reach our isolated systems at all.")}
    v = _view(["annex-a-2013"], {}, soa, edition="2013")
    row = _row(v, "A.12.2.1")
    assert row.challenged == ("8.7",) and "challenged" in row.flags
    assert [m.label("en") for m in row.maps_to] == ["A.8.7"]


def test_unanswered_items_are_counted_apart_from_real_gaps():
    bank = builtin_banks().banks["clauses-2022"]
    items = [i for i in bank.items if not i.every_months][:3]
    answers = {items[0].id: Answer(items[0].id, "implemented"), items[1].id: Answer(items[1].id, "partial"),
               items[2].id: Answer(items[2].id, "unknown")}
    v = _view(["clauses-2022"], answers)
    o = v.overall
    assert o.unanswered == len(bank.items) - 3
    assert o.answered_gaps == 2 and o.gaps == o.answered_gaps + o.unanswered
    assert [a.item.id for a in v.gap_actions] == sorted([items[1].id, items[2].id], key=[a.item.id for a in v.plan].index)
    untouched = next(s for (b, sid), s in v.report.sections.items() if s.total and not s.answered)
    assert untouched.readiness == 0 and untouched.answered_readiness is None  # shown blank, not 0%


def test_next_steps_are_the_first_open_actions_and_name_their_deliverable():
    bank = builtin_banks().banks["clauses-2022"]
    plan = _view(["clauses-2022"]).plan
    done = plan[0].id
    v = _view(["clauses-2022"], edits={done: ActionEdit(done, status="done")})
    assert len(v.next_steps) == 10 and done not in {a.id for a in v.next_steps}
    assert [a.id for a in v.next_steps] == [a.id for a in v.plan if a.id != done][:10]
    first = v.next_steps[0]
    item = next(i for i in bank.items if i.id == first.source.id)
    assert first.deliverable_text("ja") == item.evidence["ja"][0]
    assert first.deliverable_text("en") == item.evidence["en"][0]


def test_the_certification_body_is_chosen_four_to_five_months_before_stage_1():
    target = date(2027, 6, 1)
    w = schedule(target)
    start, end = w["aud.choose_cb"]
    assert 120 <= (target - end).days and (target - start).days <= 160
    assert end <= w["aud.apply"][0] < w["aud.apply"][1] < w["aud.stage1"][0]


def test_certificate_cycle_and_next_audit():
    c = certificate_cycle(date(2025, 3, 10))
    assert (c.surveillance_1, c.surveillance_2, c.expires) == (date(2026, 3, 10), date(2027, 3, 10), date(2028, 3, 9))
    assert c.next_audit(date(2026, 2, 1)) == "surveillance_1"
    assert c.next_audit(date(2027, 1, 20)) == "surveillance_2"
    assert c.next_audit(date(2027, 12, 1)) == "recertification"
    v = _view(["process-maintenance"], kind="renewal", certification_date="2025-03-10", target_date="2027-01-20")
    assert v.next_audit == "surveillance_2" and not v.target_passed
    assert _view(["clauses-2022"], target_date="2026-12-01").target_passed
    assert _view(["process-maintenance"], kind="renewal").cycle is None


def test_roadmap_rows_carry_owner_and_status_from_the_steps_questions():
    bank = builtin_banks().banks["process-acquisition"]
    scope = [i for i in bank.items if "acq.scope" in i.steps]
    answers = {scope[0].id: Answer(scope[0].id, "partial", owner="総務 佐藤")}
    v = _view(["process-acquisition"], answers, target_date="2027-06-01")
    row = next(r for r in v.roadmap if r.step.id == "acq.scope")
    assert row.status == "in_progress" and row.owner == "総務 佐藤"
    answers = {i.id: Answer(i.id, "implemented") for i in scope}
    row = next(r for r in _view(["process-acquisition"], answers).roadmap if r.step.id == "acq.scope")
    assert row.status == "done"
    other = next(r for r in _view(["process-acquisition"], answers).roadmap if r.step.id == "acq.assets")
    assert other.status == "todo" and other.owner == ""


def test_reasons_besides_risk_treatment_are_kept_in_order_and_read_back(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        d = s.set_soa_decision("5.31", reasons="Contract legal contract")
        assert d.reasons == ["legal", "contract"]  # SOA_REASONS order, no repeats, any case
        assert s.set_soa_decision("5.32", reasons=["baseline"]).reasons == ["baseline"]
        assert s.set_soa_decision("5.32", reasons="").reasons == [] and "control:5.32" not in s.soa  # empty again
    assert workspace.load(sample_id).soa["control:5.31"].reasons == ["legal", "contract"]
    # a decision stored before reasons existed reads as none
    old = SoaDecision.from_doc({"control": "control:5.1", "applicable": True, "justification": "x"})
    assert old.reasons == []
    with pytest.raises(ValueError):
        SoaDecision.from_doc({"control": "control:5.1", "reasons": ["whim"]})


def test_a_reason_makes_a_control_traced_and_is_listed_after_the_risk_treatment():
    from isms_tui.risk import RiskData, default_criteria

    view = _view(["annex-a-2022"], soa={"control:5.31": SoaDecision("control:5.31", reasons=["legal"])})
    row = _row(view, "5.31")
    assert row.applicable and row.reasons == ("legal",) and row.decided
    assert reasons_text(row.reasons, [], "en") == "Law or regulation"
    assert reasons_text(("risk_treatment", "contract"), ["R-01", "R-03"], "ja") == "リスク対応 (R-01, R-03)\n契約・顧客の要求"
    # with a register, a control with a reason is not "orphaned"; one with neither is
    banks = [builtin_banks().banks["annex-a-2022"]]
    a = Assessment(organization="SoA KK", banks=["annex-a-2022"])
    soa = {"control:5.31": SoaDecision("control:5.31", reasons=["legal"])}
    reg = AssessmentView(a, banks, {}, {}, today=TODAY, soa=soa, risk=RiskData(criteria=[default_criteria()]))
    assert reg.risk_data.exists
    orphans = {r.ref.id for r in reg.orphaned_controls}
    assert "5.31" not in orphans and "5.32" in orphans
