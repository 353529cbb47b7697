"""Fuzzing with hypothesis: the bank loader on mutated bank files, and the export and the
TUI's text paths on arbitrary unicode. No input may raise out of the core."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from isms_tui.banks import check_paths
from isms_tui.exports.xlsx import export_assessment
from isms_tui.model import Assessment
from isms_tui.service import Workspace
from isms_tui.text import clean
from tests.conftest import FIXTURES

SAMPLE = (FIXTURES / "sample_bank.toml").read_text(encoding="utf-8")
COUNTS = {"loader": 0, "export": 0}


@st.composite
def mutated_bank(draw):
    text = SAMPLE
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "dup_line", "drop_line"]))
        pos = draw(st.integers(0, len(text)))
        if op == "insert":
            text = text[:pos] + draw(st.text(min_size=1, max_size=12)) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 40)):]
        elif op == "replace":
            text = text[:pos] + draw(st.sampled_from(['"', "]", "[[", "=", "\n", "\\", "'''", '"""', "\x00", "🦀", "9" * 30])) + text[pos + 1:]
        else:
            lines = text.splitlines()
            k = draw(st.integers(0, max(0, len(lines) - 1)))
            if op == "dup_line":
                lines.insert(k, lines[k] if lines else "")
            elif lines:
                del lines[k]
            text = "\n".join(lines)
    return text


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutated_bank())
def test_loader_never_raises(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("f") / "fuzz.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    problems = check_paths([path])
    COUNTS["loader"] += 1
    for p in problems:
        assert str(p).startswith(str(path)) or str(p).startswith("fuzz.toml") or ":" in str(p)
        assert isinstance(p.line, int) and p.line >= 1


NOTE = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(notes=st.lists(NOTE, min_size=5, max_size=5), org=NOTE)
def test_export_keeps_any_text_literal(tmp_path_factory, notes, org):
    root = tmp_path_factory.mktemp("x")
    (root / "d" / "banks").mkdir(parents=True)
    (root / "d" / "banks" / "sample_bank.toml").write_text(SAMPLE, encoding="utf-8")
    ws = Workspace(root / "d")
    a = Assessment(organization=org if clean(org).strip() else "X", banks=["sample"])
    ws.create(a)
    with ws.open(a.id) as s:
        for item, note in zip(s.items, notes, strict=True):
            s.set_status(item.id, "partial")
            s.set_fields(item.id, note=note, evidence=note[::-1])
    path = export_assessment(ws, a.id, root / "o.xlsx", lang="ja", today=date(2026, 1, 1))
    wb = load_workbook(path)
    answers = wb["回答一覧"]
    by_id = {answers.cell(r, 1).value: answers.cell(r, 5).value or "" for r in range(2, answers.max_row + 1)}
    got = [by_id[i.id] for i in ws.banks_for(a)[0].items]
    assert got == [clean(n) for n in notes]
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f"
    COUNTS["export"] += 1


def test_huge_and_odd_notes_round_trip(tmp_path: Path):
    ws = Workspace(tmp_path / "d")
    a = Assessment(organization="👩‍💻 Café Ｃｏ. \u0301", edition="2022")
    ws.create(a)
    big = ("安全 🔒 e\u0301 " * 8000)[:100_000]
    with ws.open(a.id) as s:
        iid = s.items[0].id
        s.set_fields(iid, note=big)
    _, answers, _ = ws.load(a.id)
    assert answers[iid].note == clean(big)
    wb = load_workbook(export_assessment(ws, a.id, tmp_path / "big.xlsx", lang="en"))
    cell = next(c.value for c in wb["Answers"]["E"] if c.value and len(c.value) > 1000)
    assert len(cell.encode("utf-16-le")) // 2 <= 32767 and cell.endswith("[truncated]")


def test_report_counts(capsys):
    print(f"\nFUZZ inputs tried: loader={COUNTS['loader']} export={COUNTS['export']}")
