"""2013 -> 2022 transition, end to end on a sample 2013 assessment."""

from __future__ import annotations

from pathlib import Path

from isms_tui.catalog import catalog
from isms_tui.model import Assessment
from isms_tui.service import Workspace
from isms_tui.transition import weakest
from tests.conftest import run_cli


def test_weakest_rule():
    assert weakest(["implemented", "partial"]) == "partial"
    assert weakest(["implemented", "unknown", "not_implemented"]) == "unknown"
    assert weakest(["not_applicable", "implemented"]) == "implemented"
    assert weakest(["not_applicable", "not_applicable"]) == "not_applicable"
    assert weakest([]) is None


def test_transition_end_to_end(tmp_path: Path):
    data = tmp_path / "d"
    ws = Workspace(data)
    old = Assessment(organization="Old KK", edition="2013", kind="renewal", lang="en", target_date="2027-03-01")
    ws.create(old)
    with ws.open(old.id) as s:
        # 5.1 <- A.5.1.1 + A.5.1.2 (merged: weakest wins)
        s.set_status("a13-a.5.1.1-1", "implemented")
        s.set_fields("a13-a.5.1.1-1", note="policy approved 2024", evidence="policy.pdf")
        s.set_status("a13-a.5.1.2-1", "partial")
        s.set_fields("a13-a.5.1.2-1", note="review overdue")
        # 5.2 <- A.6.1.1 (carried)
        s.set_status("a13-a.6.1.1-1", "implemented")
        # 7.5 <- A.11.1.4: not applicable carried with its justification
        s.set_status("a13-a.11.1.4-1", "not_applicable", na_justification="no own premises")
        # a clause answer is copied as it is
        s.set_status("cl-4.3-1", "implemented")
    r = run_cli("transition", old.id, data_dir=data)
    assert r.returncode == 0, r.stderr
    new_id = r.stdout.strip().splitlines()[-1]
    assert "carried" in r.stdout and "merged" in r.stdout and "5.7" in r.stdout
    new, answers, _ = ws.load(new_id)
    assert new.edition == "2022" and new.source == {"transition_from": old.id}
    assert "annex-a-2022" in new.banks and "annex-a-2013" not in new.banks
    a22 = ws.bankset.get("annex-a-2022")
    items_51 = [i.id for i in a22.items if "5.1" in i.controls]
    for iid in items_51:
        assert answers[iid].status == "partial"
        assert "[A.5.1.1] policy approved 2024" in answers[iid].note and "[A.5.1.2] review overdue" in answers[iid].note
        assert answers[iid].evidence == "[A.5.1.1] policy.pdf"
    for iid in (i.id for i in a22.items if "5.2" in i.controls):
        assert answers[iid].status == "implemented"
    for iid in (i.id for i in a22.items if "7.5" in i.controls):
        assert answers[iid].status == "not_applicable" and "no own premises" in answers[iid].na_justification
    # the 11 new controls start unanswered and are flagged
    new_items = [i for i in a22.items if i.new_in_2022]
    assert {c for i in new_items for c in i.controls} == {k for k, v in catalog().mapping.items() if not v}
    assert all(i.id not in answers for i in new_items)
    assert answers["cl-4.3-1"].status == "implemented"
    # a 2022 assessment cannot be transitioned again
    r = run_cli("transition", new_id, data_dir=data)
    assert r.returncode == 1 and "not a 2013" in r.stderr


def test_transition_and_duplicate_carry_the_register(tmp_path: Path):
    from isms_tui.transition import transition

    ws = Workspace(tmp_path / "d")
    old = Assessment(organization="Register KK", edition="2013", lang="en")
    ws.create(old)
    with ws.open(old.id) as s:
        a = s.add_asset(name="Customer list", category="information", owner="Sato", confidentiality=3)
        s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T01", threat_level=3,
                   existing_controls="A.12.2.1", treatment="reduce", planned_controls="A.9.2.3 A.9.4.4",
                   plan="Admin rights only for two people")
        s.set_soa_decision("A.12.2.1", justification="Laptops and mail are how malware comes in.")
    dup = ws.duplicate(old.id, organization="Register KK (copy)")
    assert ws.risk_data(dup).risks.keys() == ws.risk_data(old.id).risks.keys()
    assert ws.load(dup).soa.keys() == {"control_2013:A.12.2.1"}

    result = transition(ws, old.id)
    risk = ws.risk_data(result.new_id)
    (r,) = risk.risks.values()
    assert [x.name for x in risk.assets.values()] == ["Customer list"] and risk.criteria
    assert r.existing_controls == ["8.7"] and r.planned_controls == ["8.2", "8.18"]  # A.9.2.3 -> 8.2, A.9.4.4 -> 8.18
    assert result.register == 1 and any("risk register" in line for line in result.report_lines("en"))
    soa = {row.ref.id: row for row in ws.view(result.new_id).soa}
    assert soa["8.7"].applicable and soa["8.7"].reasons == ("risk_treatment",)
    assert ws.load(result.new_id).soa == {}  # 2013 decisions are written again for 2022
