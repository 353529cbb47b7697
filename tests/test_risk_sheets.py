"""The risk sheets of the Excel workbook (isms_tui/exports/risk_sheets.py): written only with a
register, read back with openpyxl."""

from __future__ import annotations

from datetime import date, timedelta

import openpyxl
import pytest

from isms_tui.demo import create_demo
from isms_tui.exports.risk_sheets import (
    ASSET_HEADS,
    PLAN_HEADS,
    RISK_HEADS_5X5,
    RISK_HEADS_IPA,
    SHEETS,
    TRACE_HEADS,
)
from isms_tui.exports.xlsx import export_assessment
from isms_tui.i18n import messages, t
from isms_tui.model import Assessment
from isms_tui.service import Workspace


def _rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_every_sheet_and_header_key_exists():
    cat = messages()
    for key in (*SHEETS, *ASSET_HEADS, *RISK_HEADS_IPA, *RISK_HEADS_5X5, *PLAN_HEADS, *TRACE_HEADS):
        assert key in cat, key


def test_no_register_no_risk_sheets(workspace: Workspace, tmp_path):
    aid = workspace.create(Assessment(organization="Plain KK"))
    wb = openpyxl.load_workbook(export_assessment(workspace, aid, tmp_path / "p.xlsx", lang="en"))
    assert t(SHEETS[0], "en") not in wb.sheetnames


def test_a_planned_control_is_applicable_and_linked_in_the_exported_sheet(workspace: Workspace, tmp_path):
    aid = workspace.create(Assessment(organization="Trace KK", target_date=(date.today() + timedelta(days=90)).isoformat()))
    with workspace.open(aid) as s:
        a = s.add_asset(name="=HYPERLINK(\"http://x\")", category="supplier", owner="Sato", confidentiality=3)
        r = s.add_risk(asset_ids=[a.id], owner="Sato", threat_id="T16", threat_level=2, treatment="reduce",
                       planned_controls=["5.20"], plan="Sign NDAs", residual_vulnerability=1)
    wb = openpyxl.load_workbook(export_assessment(workspace, aid, tmp_path / "t.xlsx", lang="en"))
    trace = {row[0]: row for row in _rows(wb[t(SHEETS[3], "en")])[1:]}
    assert trace["A.5.20"][2] == t("xlsx.yes", "en") and trace["A.5.20"][4] == r.label
    assert trace["A.5.20"][3] == t("xlsx.reason.risk_treatment", "en")
    assert trace["A.5.21"][6] == t("xlsx.risk.orphan", "en")
    assets = _rows(wb[t(SHEETS[0], "en")])
    assert assets[1][2] == "=HYPERLINK(\"http://x\")"  # text, not a formula
    plan = _rows(wb[t(SHEETS[2], "en")])
    assert plan[0][-1] == t("xlsx.rh.owner_sign", "en")  # signed and dated on paper
    heads = plan[0]
    row = dict(zip(heads, plan[1], strict=True))
    assert plan[1][0] == r.label and row[t("xlsx.rh.planned", "en")] == "A.5.20"
    assert row[t("xlsx.rh.plan", "en")] == "Sign NDAs"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_workbook_has_the_ledger_register_heat_maps_and_plan(tmp_path, lang):
    ws = Workspace(tmp_path / "d")
    aid = create_demo(ws, lang)
    view = ws.view(aid)
    wb = openpyxl.load_workbook(export_assessment(ws, aid, tmp_path / "demo.xlsx", lang=lang))
    assert all(t(k, lang) in wb.sheetnames for k in SHEETS)
    assets = _rows(wb[t(SHEETS[0], lang)])
    assert len(assets) - 1 == len(view.risk_register.assets)
    reg = _rows(wb[t(SHEETS[1], lang)])
    head = next(n for n, row in enumerate(reg) if row[0] == t("xlsx.rh.id", lang))
    assert [row[0] for row in reg[head + 1:]] == [row.risk.label for row in view.risk_register.rows]
    level = reg[head].index(t("xlsx.rh.level", lang))
    assert [row[level] for row in reg[head + 1:]] == [row.rating.level for row in view.risk_register.rows]
    # the heat map before treatment sums to the number of rated risks (rows: impact 3..1, columns: likelihood 1..3)
    top = next(n for n, row in enumerate(reg) if row[5] == t("xlsx.risk.heat_before", lang))
    assert reg[top + 2][6:9] == ["1", "2", "3"]
    grid = [row[6:9] for row in reg[top + 3:top + 6]]
    assert sum(sum(r) for r in grid) == len(view.risk_register.rows)
    plan = _rows(wb[t(SHEETS[2], lang)])
    by = plan[0].index(t("xlsx.rh.accepted_by", lang))
    why = plan[0].index(t("xlsx.rh.accept_reason", lang))
    accepted = [row for row in plan[1:] if row[by]]
    assert accepted and all(row[why] for row in accepted)  # every acceptance has its reason
