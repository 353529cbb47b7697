"""The 年間計画 / Annual plan sheet read back with openpyxl, and the demo's plan towards its
stage 1 and stage 2 audits (one activity overdue) in both languages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from isms_tui.demo import DEMO_STAGE2_DAYS, create_demo
from isms_tui.exports.calendar_sheet import DUE_MARK, MONTHS
from isms_tui.exports.xlsx import export_assessment
from isms_tui.service import Workspace


@pytest.mark.parametrize(("lang", "sheet", "findings", "minutes", "overdue", "audit"),
                         [("ja", "年間計画", "是正処置一覧", "議事録", "期限超過", "第一段階審査"),
                          ("en", "Annual plan", "Corrective actions", "Workshop minutes", "Overdue", "stage 1 audit")])
def test_demo_plan_and_its_sheet(tmp_path, lang, sheet, findings, minutes, overdue, audit):
    ws = Workspace(tmp_path / "d")
    aid = create_demo(ws, lang)
    view = ws.view(aid)
    plan = view.annual_plan
    target = date.fromisoformat(view.assessment.target_date)
    # a realistic plan: stage 1 on the target date, stage 2 four weeks later, one activity overdue
    assert plan.next_audit.kind == "stage1" and plan.next_audit.planned == target
    stage2 = next(a for a in plan.audits if a.kind == "stage2")
    assert stage2.planned == target + timedelta(days=DEMO_STAGE2_DAYS)
    assert [r.activity.key for r in plan.overdue] == ["policy_review"]
    assert {r.activity.key for r in plan.activities if r.state == "done"} >= {"internal_audit", "risk_review"}
    # the training's last done date is the one answered on its recurring question
    assert next(r for r in plan.activities if r.activity.key == "training").from_answers
    assert [f.kind for f in plan.flags] == ["lapsed"]
    assert plan.body and all(r.activity.owner for r in plan.activities)

    wb = load_workbook(export_assessment(ws, aid, tmp_path / f"{lang}.xlsx", lang=lang))
    names = wb.sheetnames
    assert names.index(sheet) == names.index(findings) + 1 and names.index(minutes) > names.index(sheet)  # the cycle comparison may sit between
    sh = wb[sheet]
    assert sh.page_setup.paperSize == 9 and sh.page_setup.orientation == "landscape"
    rows = [[c for c in r] for r in sh.iter_rows(values_only=True)]
    texts = [str(v) for r in rows for v in r if v is not None]
    assert any(plan.body in x for x in texts)
    audit_row = next(r for r in rows if r[0] and str(r[0]).startswith(audit))
    assert audit_row[1].date() == target
    # the grid: twelve months from this month, the overdue activity marked due this month
    head = next(r for r in rows if r[0] == ("活動" if lang == "ja" else "Activity"))
    months = [v.date() for v in head[7:7 + MONTHS]]
    assert months[0] == date(view.today.year, view.today.month, 1) and len(months) == MONTHS
    late = next(r for r in rows if r[6] == overdue)
    assert DUE_MARK in str(late[7]) and late[5].date() < view.today
