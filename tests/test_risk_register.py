"""The risk register stored with the assessment and read through the one door: Session edits,
Store.load_risk, the read model (SoA links, gate, plan actions of source kind "risk")."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from isms_tui.model import Assessment, ValidationError
from isms_tui.risk import risk_action_id
from isms_tui.service import Workspace
from isms_tui.storage import SCHEMA_VERSION

TODAY = date.today()
SOON = (TODAY + timedelta(days=180)).isoformat()


@pytest.fixture
def aid(workspace: Workspace) -> str:
    return workspace.create(Assessment(organization="Risk KK", target_date=(TODAY + timedelta(days=120)).isoformat()))


def _items_of(session, cid: str):
    return [i for i in session.items if cid in i.controls]


def _raw(workspace: Workspace, aid: str) -> bytes:
    return workspace.store.file_path(aid).read_bytes()


def _customer_asset(s):
    return s.add_asset(name="顧客台帳", category="information", owner="営業部長", department="営業",
                       confidentiality=3, integrity=2, availability=2, personal_data=True)


def test_register_round_trips_in_the_schema_3_tables(workspace: Workspace, aid: str):
    with workspace.open(aid) as s:
        a = _customer_asset(s)
        r = s.add_risk(asset_ids=[a.id], owner="営業部長", threat_id="T01", threat_level=2,
                       vulnerability="添付ファイルを開く前の確認ルールがない", existing_controls="8.7, A.8.13")
        s.approve_criteria("代表取締役 山田", "2027-01-10")
    data = json.loads(_raw(workspace, aid))
    assert {"risk_criteria", "assets", "risks"} <= set(data)
    assert next(iter(data["meta"].values()))["schema_version"] == SCHEMA_VERSION >= 3
    risk = workspace.store.load_risk(aid)
    assert list(risk.assets) == [a.id] and risk.assets[a.id].label == "AS-01" and risk.assets[a.id].importance == 3
    got = risk.risks[r.id]
    assert (got.label, got.existing_controls, got.criteria_version) == ("R-01", ["8.7", "8.13"], 1)
    assert risk.current.approved and risk.current.approved_by == "代表取締役 山田"
    with workspace.open(aid) as s:  # a session reads the same
        assert s.risk.risks[r.id].vulnerability == "添付ファイルを開く前の確認ルールがない"


def test_a_file_without_the_tables_has_no_register_and_the_questions_decide(workspace: Workspace, aid: str):
    view = workspace.view(aid)
    assert not view.risk_data.exists and view.orphaned_controls == []
    assert all(r.basis == "questions" for r in view.gate.requirements)
    assert [r.state for r in view.gate.requirements] == [r.state for r in view.report.gate.requirements]
    assert not any(a.source.kind == "risk" for a in view.plan)


def test_deleting_an_asset_a_risk_uses_is_refused_and_nothing_is_lost(workspace: Workspace, aid: str):
    with workspace.open(aid) as s:
        a = _customer_asset(s)
        spare = s.add_asset(name="Brochure", category="paper", owner="Sato")
        r = s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T05", threat_level=2)
        before = _raw(workspace, aid)
        with pytest.raises(ValidationError) as exc:
            s.delete_asset(a.id)
        assert exc.value.key == "error.asset.in_use"
        assert "R-01" in exc.value.message("en") and "AS-01" in exc.value.message("ja")
        assert _raw(workspace, aid) == before and a.id in s.risk.assets
        s.delete_asset(spare.id)  # an unused asset goes
        s.delete_risk(r.id)
        s.delete_asset(a.id)  # and once no risk refers to it, so does this one
    assert workspace.store.load_risk(aid).assets == {}


def test_invalid_input_changes_nothing_on_disk(workspace: Workspace, aid: str):
    with workspace.open(aid) as s:
        a = _customer_asset(s)
        r = s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T01", threat_level=3, treatment="accept")
        before = _raw(workspace, aid)
        bad = [
            lambda: s.update_risk(r.id, threat_level=4),
            lambda: s.update_asset(a.id, availability=0),
            lambda: s.accept_risk(r.id, by="", reason="cheap", until=SOON),
            lambda: s.accept_risk(r.id, by="CEO", reason="", until=SOON),
            lambda: s.add_risk(asset_ids=["missing"], owner="Sato", threat_id="T01"),
            lambda: s.update_risk("nope", owner="x"),
            lambda: s.edit_criteria(acceptable_max=12),
        ]
        for call in bad:
            with pytest.raises(ValidationError):
                call()
        assert _raw(workspace, aid) == before
        assert s.risk.risks[r.id].threat_level == 3 and s.risk.risks[r.id].acceptance is None


def test_criteria_lock_once_rated_and_change_means_a_new_version_with_a_reason(workspace: Workspace, aid: str):
    with workspace.open(aid) as s:
        c = s.edit_criteria(acceptable_max=3)  # nothing rated yet: editable
        assert (c.version, c.acceptable_max) == (1, 3)
        s.approve_criteria("CEO Yamada")
        a = _customer_asset(s)
        s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T01")  # not rated: still editable
        c = s.edit_criteria(tolerable_max=6)
        assert not c.approved  # what was approved changed
        s.approve_criteria("CEO Yamada")
        r = s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T03", threat_level=1)
        with pytest.raises(ValidationError) as exc:
            s.edit_criteria(acceptable_max=2)
        assert exc.value.key == "error.criteria.locked"
        with pytest.raises(ValidationError) as exc:
            s.new_criteria_version("  ", acceptable_max=2)
        assert exc.value.key == "error.criteria.reason_required"
        v2 = s.new_criteria_version("Management review lowered the risk appetite", acceptable_max=2)
        assert (v2.version, v2.acceptable_max, v2.approved) == (2, 2, False)
        assert s.risk.risks[r.id].criteria_version == 1
        s.update_risk(r.id, threat_level=2)
        assert s.risk.risks[r.id].criteria_version == 2
    risk = workspace.store.load_risk(aid)
    assert [c.version for c in risk.criteria] == [1, 2] and risk.criteria[0].approved  # history kept
    assert risk.current.reason.startswith("Management review")


def test_vulnerability_is_suggested_from_the_answers_and_the_override_is_kept(workspace: Workspace, aid: str):
    with workspace.open(aid) as s:
        a = _customer_asset(s)
        r = s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T01", threat_level=3, existing_controls=["8.7"])
        row = s.view().risk_register.row(r.id)
        assert (row.rating.vulnerability_suggested, row.rating.level) == (3, 9)  # unanswered -> 3
        for item in _items_of(s, "8.7"):
            s.set_status(item.id, "partial")
        assert s.view().risk_register.row(r.id).rating.vulnerability_suggested == 2
        for item in _items_of(s, "8.7"):
            s.set_status(item.id, "implemented")
        row = s.view().risk_register.row(r.id)
        assert (row.rating.vulnerability, row.rating.likelihood, row.rating.level) == (1, 1, 3)
        s.update_risk(r.id, vulnerability_level=3)  # the user knows better: kept
        for item in _items_of(s, "8.7"):
            s.set_status(item.id, "partial")
        row = s.view().risk_register.row(r.id)
        assert (row.rating.vulnerability_suggested, row.rating.vulnerability) == (2, 3)
        s.update_risk(r.id, vulnerability_level="")  # cleared: the suggestion applies again
        assert s.view().risk_register.row(r.id).rating.vulnerability == 2


def test_a_planned_control_is_applicable_and_linked_in_the_soa(workspace: Workspace, aid: str):
    with workspace.open(aid) as s:
        a = _customer_asset(s)
        r = s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T16", threat_level=2, treatment="reduce",
                       planned_controls=["5.20"], residual_vulnerability=1)
        row = next(x for x in s.view().soa if x.ref.id == "5.20")
        assert row.applicable and [x.id for x in row.risks] == [r.id] and row.reasons == ("risk_treatment",)
        assert "5.20" not in {x.ref.id for x in s.view().orphaned_controls}
        assert "5.21" in {x.ref.id for x in s.view().orphaned_controls}


def test_an_excluded_control_a_risk_plans_to_use_is_an_error_that_blocks_6_1_3(workspace: Workspace, aid: str):
    with workspace.open(aid) as s:
        items = _items_of(s, "8.30")
        for item in items:
            s.set_status(item.id, "not_applicable",
                         na_justification="All development is done in-house by our own staff; nothing is outsourced.")
        assert not next(x for x in s.view().soa if x.ref.id == "8.30").applicable
        a = _customer_asset(s)
        s.approve_criteria("CEO")
        s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T16", threat_level=1, vulnerability_level=1,
                   planned_controls=["8.30"])  # level 3: acceptable, so only the conflict is wrong
        view = s.view()
        row = next(x for x in view.soa if x.ref.id == "8.30")
        assert row.applicable and row.conflict
        assert [i.message("en") for i in view.soa_conflicts] == [
            "A.8.30: answered as excluded, but risk(s) R-01 use it. Re-answer the questions or change the treatment."]
        by = {r.ref.id: r for r in view.gate.requirements}
        assert by["6.1.3"].state == "not_met" and by["6.1.3"].basis == "register"
        assert any(i.key == "risk.issue.soa_conflict" for i in by["6.1.3"].issues)


def test_the_gate_follows_the_register_step_by_step(workspace: Workspace, aid: str):
    def states(s):
        return {r.ref.id: r.state for r in s.view().gate.requirements if r.ref.id in ("6.1.2", "6.1.3", "8.2", "8.3")}

    with workspace.open(aid) as s:
        a = _customer_asset(s)
        assert states(s) == {"6.1.2": "not_met", "6.1.3": "not_met", "8.2": "not_met", "8.3": "not_met"}
        s.approve_criteria("CEO Yamada")
        assert states(s)["6.1.2"] == "met"
        r = s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T01", threat_level=3)  # 3 x 3 = 9
        assert states(s)["8.2"] == "met" and states(s)["6.1.3"] == "not_met"
        s.update_risk(r.id, treatment="reduce", planned_controls="8.7 8.13")
        assert states(s)["6.1.3"] == "not_met"  # residual not rated
        s.update_risk(r.id, residual_vulnerability=2)  # 3 x table[2][1] = 3 x 3 = 9: still not acceptable
        by = {q.ref.id: q for q in s.view().gate.requirements}
        assert [i.key for i in by["6.1.3"].issues] == ["risk.issue.unacceptable_retained"]
        s.update_risk(r.id, threat_level=2, residual_vulnerability=1)  # 3 x 3 = 9 -> 3 x 1 = 3: acceptable
        assert states(s) == {"6.1.2": "met", "6.1.3": "met", "8.2": "met", "8.3": "met"}
        b = s.add_asset(name="Brochures", category="paper", owner="Sato", confidentiality=2)
        assert states(s)["8.2"] == "not_met"  # a new asset nobody assessed
        r2 = s.add_risk(asset_ids=[b.id], owner="Sato", threat_id="T07", threat_level=2, treatment="reduce",
                        planned_controls=["7.7"], residual_vulnerability=2)  # 2 x 3 = 6 -> 2 x 2 = 4: under control
        by = {q.ref.id: q for q in s.view().gate.requirements}
        assert by["8.2"].state == "met" and [i.key for i in by["6.1.3"].issues] == ["risk.issue.acceptance_missing"]
        s.accept_risk(r2.id, by="Office manager", reason="Brochures hold no customer data; drafts are shredded", until=SOON)
        assert states(s) == {"6.1.2": "met", "6.1.3": "met", "8.2": "met", "8.3": "met"}
        s.add_asset(name="Website", category="system", owner="IT")  # a new asset nobody assessed
        assert states(s)["8.2"] == "not_met"
        with pytest.raises(ValidationError):
            s.edit_criteria(tolerable_max=6)  # locked: a new version, which needs approval again
        s.new_criteria_version("Second cycle", tolerable_max=6)
        assert states(s)["6.1.2"] == "not_met"


def test_treatments_become_plan_actions_whose_edits_survive(workspace: Workspace, aid: str):
    with workspace.open(aid) as s:
        a = _customer_asset(s)
        r = s.add_risk(asset_ids=[a.id], owner="営業部長", threat_id="T10", threat_level=3, treatment="reduce",
                       planned_controls=["5.23", "8.9"], plan="共有リンクの既定を「社内のみ」に変更する")
        acc = s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T14", threat_level=1, treatment="accept")
        plan = s.view().plan
        act = next(x for x in plan if x.id == risk_action_id(r.id))
        assert act.source.kind == "risk" and act.item is None and act.priority == 1
        assert [x.label("en") for x in act.refs] == ["A.5.23", "A.8.9"] and act.owner == "営業部長"
        assert act.first_line("ja").startswith("R-01 リスクを低減する") and "共有リンク" in act.title("ja")
        assert act.suggested_due is not None and act.due == act.suggested_due
        assert risk_action_id(acc.id) not in {x.id for x in plan}  # accepting creates no work
        s.edit_action(act.id, owner="情シス 高橋", status="in_progress", due=SOON, progress="設定変更の手順を作成中")
        s.update_risk(r.id, threat_level=2)  # re-rated: the edit stays
        act = s.view().action(risk_action_id(r.id))
        assert (act.owner, act.action_status, act.due.isoformat(), act.priority) == ("情シス 高橋", "in_progress", SOON, 1)
        with pytest.raises(ValidationError):
            s.edit_action("risk:nope", status="done")
    act = workspace.view(aid).action(risk_action_id(r.id))
    assert act is not None and act.progress == "設定変更の手順を作成中"



def test_export_with_risk_actions_lists_them_in_the_plan_sheet_only(workspace: Workspace, aid: str, tmp_path):
    import openpyxl

    from isms_tui.exports.xlsx import export_assessment

    with workspace.open(aid) as s:
        a = _customer_asset(s)
        r = s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T06", threat_level=3, treatment="reduce",
                       planned_controls=["8.1"])
    out = export_assessment(workspace, aid, tmp_path / "r.xlsx", lang="en")
    wb = openpyxl.load_workbook(out)
    plan_cells = {c for row in wb.worksheets[2].iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert r.id in plan_cells  # the plan sheet names each action's source
    gap_cells = {c for row in wb.worksheets[1].iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert r.id not in gap_cells and risk_action_id(r.id) not in gap_cells  # the gap list is questions only


def test_report_has_the_risk_summary_in_text_and_json(workspace: Workspace, aid: str):
    from isms_tui.report import report_json, report_text

    assert report_json(workspace.view(aid), "en")["risk"] is None  # no register: null, text unchanged
    assert "Risk assessment" not in "\n".join(report_text(workspace.view(aid), "en"))
    with workspace.open(aid) as s:
        a = _customer_asset(s)
        b = s.add_asset(name="Router", category="device", owner="IT", availability=2)
        s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T01", threat_level=3, treatment="reduce",
                   planned_controls=["8.7"], residual_vulnerability=1)  # 9 -> 3 x 1 = 3
        s.add_risk(asset_ids=[b.id], owner="Sato", threat_id="T14", threat_level=2, vulnerability_level=2,
                   treatment="accept")  # 2 x 2 = 4: under control, no acceptance yet
    view = workspace.view(aid)
    rep = report_json(view, "en")["risk"]
    assert rep["levels_before"] == {"9": 1, "4": 1} and rep["levels_after"] == {"4": 1, "3": 1}
    assert rep["bands_before"] == {"acceptable": 0, "tolerable": 1, "unacceptable": 1}
    assert rep["bands_after"] == {"acceptable": 1, "tolerable": 1, "unacceptable": 0}
    assert [x["key"] for x in rep["open_approvals"]] == ["risk.issue.criteria_unapproved", "risk.issue.acceptance_missing"]
    assert {"type": "control", "id": "8.7"} not in [{"type": o["type"], "id": o["id"]} for o in rep["orphaned_controls"]]
    assert len(rep["orphaned_controls"]) == 92 and rep["register"][0]["label"] == "R-01"
    gate = {r["ref"]["id"]: r for r in report_json(view, "en")["gate"]["requirements"]}
    assert gate["6.1.2"]["basis"] == "register" and gate["4.3"]["basis"] == "questions"
    text = "\n".join(report_text(view, "ja"))
    assert "リスクアセスメント" in text and "9:1  4:1" in text and "未了の承認 2 件" in text
    assert "リスク台帳で判定" in text


def test_answers_that_lag_behind_the_register_are_reported_everywhere(tmp_path):
    """The demo's register meets 6.1.2, 6.1.3, 8.2 and 8.3; its answers to those questions
    still say partial or unknown: the view lists them, the report and the workbook say so."""
    import json as _json

    import openpyxl

    from isms_tui.demo import create_demo
    from isms_tui.exports.xlsx import export_assessment
    from isms_tui.report import report_json, report_text
    from isms_tui.service import Workspace

    ws = Workspace(tmp_path / "d")
    aid = create_demo(ws, "en")
    view = ws.view(aid)
    lagging = {(ref.id, item.id): status for ref, item, status in view.register_disagreements}
    assert lagging and all(ref in ("6.1.2", "6.1.3", "8.2", "8.3") for ref, _ in lagging)
    assert all(s not in ("implemented", "not_applicable") for s in lagging.values())
    ref, item = next(iter(lagging))
    data = _json.loads(_json.dumps(report_json(view, "en")))
    assert {(d["ref"]["id"], d["item"]) for d in data["register_disagreements"]} == set(lagging)
    # the question is named where the user answered it, never by its internal id
    where = view.asked_in(next(i for i in view.items if i.id == item), "en")
    lines = [line for line in report_text(view, "en") if "risk register meets" in line]
    assert any(where in line for line in lines) and not any(item in line for line in lines)
    wb = openpyxl.load_workbook(export_assessment(ws, aid, tmp_path / "x.xlsx", lang="en"))
    texts = [c.value for row in wb["Summary"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(where in x and "update the answer" in x for x in texts)
    assert not any(item in x for x in texts if "update the answer" in x)
    # answering the question as implemented takes it off the list
    with ws.open(aid) as s:
        s.set_status(item, "implemented")
        assert (ref, item) not in {(r.id, i.id) for r, i, _ in s.view().register_disagreements}
