"""The Excel sheets Stage 1 checklist and Stage 2 sampling: written once the company prepares
for the audit (a register or a sampling row), right before the documents & records sheet, and
read back with openpyxl: groups in stage 1 order, each requirement's state, documents and
gaps, the auditor's questions one row per place, the sampling rows with their months, oldest
date and the plan action of a gap; user text stays literal text."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from isms_tui.demo import create_demo
from isms_tui.documents import document_catalog
from isms_tui.exports.preaudit_sheet import PACK_COLS, SAMPLING_COLS
from isms_tui.exports.xlsx import export_assessment
from isms_tui.i18n import t
from isms_tui.model import Assessment
from isms_tui.preaudit import sampling_catalog
from isms_tui.service import Workspace

TODAY = date(2026, 12, 1)


def test_sheets_wait_until_the_company_prepares_and_read_back(workspace: Workspace, tmp_path):
    aid = workspace.create(Assessment(organization="Sheet KK", banks=["process-acquisition", "clauses-2022"],
                                      target_date="2027-06-01", lang="en"))
    wb = openpyxl.load_workbook(export_assessment(workspace, aid, tmp_path / "none.xlsx", lang="en", today=TODAY))
    assert "Stage 1 checklist" not in wb.sheetnames and "Stage 2 sampling" not in wb.sheetnames
    with workspace.open(aid) as s:
        s.set_sampling("access_reviews", months="under_3", location="=HYPERLINK(\"http://x\")", oldest="2026-10-01")
        s.set_sampling("change_records", months="not_applicable", reason="No systems of our own")
        s.add_document(catalog_id="scope", state="draft", location="ISMS/Scope.docx")
        s.set_status("cl-5.2-1", "partial")
    for lang in ("ja", "en"):
        wb = openpyxl.load_workbook(export_assessment(workspace, aid, tmp_path / f"p_{lang}.xlsx", lang=lang, today=TODAY))
        names = wb.sheetnames
        pack_name, samp_name = t("xlsx.sheet.preaudit", lang), t("xlsx.sheet.sampling", lang)
        assert names.index(samp_name) == names.index(pack_name) + 1 == names.index(t("xlsx.sheet.documents", lang)) - 1
        pack = [list(r) for r in wb[pack_name].iter_rows(values_only=True)]
        assert pack[3] == [t(f"xlsx.ph.{n}", lang) for n, _ in PACK_COLS]
        assert pack[4][0] == t("pre.group.scope", lang)
        groups = [r[0] for r in pack[4:] if r[0] and all(c is None for c in r[1:])]
        assert groups == [t(f"pre.group.{g}", lang) for g in (
            "scope", "policy", "risk", "soa", "objectives", "competence", "internal_audit", "management_review",
            "corrective_action")]
        r43 = next(n for n, r in enumerate(pack) if r[1] == t("ref.clause", lang, id="4.3"))
        row = pack[r43]
        assert row[0] == t("pre.state.gaps", lang)
        scope = document_catalog()["scope"].title[lang]
        assert row[6] == f"{scope} ({t('doc.state.draft', lang)})"
        assert t("doc.issue.draft", lang, name=scope, cite=t("ref.clause", lang, id="4.3")) in row[7]
        # the auditor's questions: one row per place of the banks, the requirement's cells only on the first
        follow = pack[r43 + 1]
        assert follow[1] == "" or follow[1] is None
        assert follow[4] and follow[5] and follow[4] != row[4]
        r52 = next(r for r in pack if r[1] == t("ref.clause", lang, id="5.2"))
        assert t("status.partial", lang) + " 1" in r52[3]
        samp = [list(r) for r in wb[samp_name].iter_rows(values_only=True)]
        assert samp[3] == [t(f"xlsx.ps.{n}", lang) for n, _ in SAMPLING_COLS]
        access = samp[4]
        assert access[0] == t("pre.sampling.state.gap", lang) and access[3] == t("pre.months.under_3", lang)
        assert access[4].date() == date(2026, 10, 1)
        assert access[5] == "=HYPERLINK(\"http://x\")" and wb[samp_name].cell(5, 6).data_type == "s"
        assert "3" in access[8] and access[8].startswith("\u2192 ")
        change = next(r for r in samp if r[1] == sampling_catalog()["change_records"].title[lang])
        assert change[0] == t("pre.sampling.state.not_applicable", lang) and change[8] == "No systems of our own"
        assert samp[1][0] == t("xlsx.sampling.gaps", lang, n=1, names=sampling_catalog()["access_reviews"].title[lang])
        assert len(samp) == 4 + len(sampling_catalog())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_workbook_has_the_preaudit_sheets(tmp_path, lang):
    ws = Workspace(tmp_path / "d")
    aid = create_demo(ws, lang)
    wb = openpyxl.load_workbook(export_assessment(ws, aid, tmp_path / "demo.xlsx", lang=lang))
    samp = [list(r) for r in wb[t("xlsx.sheet.sampling", lang)].iter_rows(values_only=True)][4:]
    states = [r[0] for r in samp]
    assert states.count(t("pre.sampling.state.gap", lang)) == 2
    assert states.count(t("pre.sampling.state.not_applicable", lang)) == 1
    view = ws.view(aid)
    rows = [r for g in view.stage1_pack for r in g.rows]
    counts = {s: sum(1 for r in rows if r.state == s) for s in ("ready", "gaps", "not_assessed")}
    assert counts["ready"] and counts["gaps"]  # the demo company is part way there
    assert wb[t("xlsx.sheet.preaudit", lang)].cell(2, 1).value == t("xlsx.preaudit.counts", lang, n=len(rows), **counts)
