"""The bank loader: the sample bank, and a corpus of broken banks that must each give a
``path:line: message`` and never a traceback."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from isms_tui.banks import check_paths, load_bank
from tests.conftest import FIXTURES, run_cli

LINE_RE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<msg>.+)$")


def test_sample_bank_loads():
    bank, problems = load_bank(FIXTURES / "sample_bank.toml")
    assert problems == []
    assert bank is not None
    assert [s.id for s in bank.sections] == ["basics", "records"]
    assert len(bank.items) == 5
    item = bank.items[2]
    assert item.controls == ("5.23",)
    assert item.new_in_2022 is True and bank.items[1].new_in_2022 is False
    assert bank.items[3].every_months == 12
    assert bank.section("basics").item_ids == ["s-scope-1", "s-backup-1", "s-cloud-1"]
    assert item.title("ja") == "クラウドサービスの利用における情報セキュリティ"


def test_item_title_looks_each_ref_up_in_its_own_table():
    """Clause 5.1 and control 5.1 share a number: a clause item is titled by the clause."""
    from isms_tui.banks import builtin_banks

    clauses = builtin_banks().banks["clauses-2022"]
    item = next(i for i in clauses.items if i.clauses == ("5.1",))
    assert item.title("en") == "Leadership and commitment"
    assert item.title("ja") == "リーダーシップ及びコミットメント"
    control = next(i for b in builtin_banks().banks.values() if b.kind == "annex_a_2022" for i in b.items if i.controls == ("5.1",))
    assert control.title("en") == "Policies for information security"


GOOD_ITEM = textwrap.dedent('''
    [[items]]
    id = "x-1"
    section = "s"
    refs.controls = ["5.1"]
    weight = 2
    mandatory = false
    na_allowed = true
    question.ja = "方針はありますか。"
    question.en = "Do you have a policy?"
    why.ja = "理由です。"
    why.en = "Because."
    auditor_asks.ja = "見せてください。"
    auditor_asks.en = "Show it."
    evidence.ja = ["方針書", "承認記録"]
    evidence.en = ["Policy", "Approval"]
    action.ja = "書きます。"
    action.en = "Write it."
''')
NA = "na_allowed = true\n"
COND = 'na_condition.ja = "該当する取引がない場合。"\nna_condition.en = "When there is none."\n'
HEAD = textwrap.dedent('''
    id = "broken"
    kind = "custom"
    title.ja = "壊れたバンク"
    title.en = "Broken bank"
    [[sections]]
    id = "s"
    title.ja = "節"
    title.en = "Section"
''')

# (name, text, marker, fragment): the message must point at the line holding ``marker``
# (its last occurrence; None: line 1) and contain ``fragment``.
BROKEN = [
    ("syntax", HEAD + GOOD_ITEM + 'oops = \n', "oops =", "TOML syntax"),
    ("unterminated", HEAD + 'x = "abc\n', 'x = "abc', "TOML syntax"),
    ("missing-kind", HEAD.replace('kind = "custom"\n', "") + GOOD_ITEM, None, "'kind' is missing"),
    ("bad-kind", HEAD.replace('"custom"', '"nonsense"') + GOOD_ITEM, "kind =", "kind must be one of"),
    ("missing-title-en", HEAD.replace('title.en = "Broken bank"\n', "") + GOOD_ITEM, 'title.ja = "壊れたバンク"', "title.en is missing"),
    ("unknown-top", HEAD.replace("[[sections]]", 'colour = "red"\n[[sections]]') + GOOD_ITEM, "colour", "unknown field 'colour'"),
    ("unknown-item-field", HEAD + GOOD_ITEM.replace('weight = 2', 'weight = 2\nweigth = 3'), "weigth", "unknown item field 'weigth'"),
    ("missing-question", HEAD + GOOD_ITEM.replace('question.ja = "方針はありますか。"\nquestion.en = "Do you have a policy?"\n', ''), "[[items]]", "'question' is missing"),
    ("missing-lang", HEAD + GOOD_ITEM.replace('why.en = "Because."\n', ''), "why.ja", "why.en is missing"),
    ("extra-lang", HEAD + GOOD_ITEM.replace('why.en = "Because."', 'why.en = "Because."\nwhy.fr = "Parce que."'), "why.ja", "unknown language why.fr"),
    ("weight-high", HEAD + GOOD_ITEM.replace("weight = 2", "weight = 7"), "weight =", "weight must be 1, 2 or 3"),
    ("weight-zero", HEAD + GOOD_ITEM.replace("weight = 2", "weight = 0"), "weight =", "weight must be 1, 2 or 3"),
    ("weight-str", HEAD + GOOD_ITEM.replace("weight = 2", 'weight = "2"'), "weight =", "weight must be 1, 2 or 3"),
    ("weight-bool", HEAD + GOOD_ITEM.replace("weight = 2", "weight = true"), "weight =", "weight must be 1, 2 or 3"),
    ("unknown-control", HEAD + GOOD_ITEM.replace('["5.1"]', '["5.99"]'), "refs.", "unknown 2022 control '5.99'"),
    ("unknown-clause", HEAD + GOOD_ITEM.replace('refs.controls = ["5.1"]', 'refs.clauses = ["11.1"]'), "refs.", "unknown clause '11.1'"),
    ("unknown-2013", HEAD + GOOD_ITEM.replace('refs.controls = ["5.1"]', 'refs.controls_2013 = ["A.19.1.1"]'), "refs.", "unknown 2013 control"),
    ("unknown-step", HEAD + GOOD_ITEM.replace('refs.controls = ["5.1"]', 'refs.steps = ["acq.party"]'), "refs.", "unknown process step"),
    ("empty-refs", HEAD + GOOD_ITEM.replace('refs.controls = ["5.1"]', 'refs.controls = []'), "refs.", "refs is empty"),
    ("unknown-ref-kind", HEAD + GOOD_ITEM.replace('refs.controls = ["5.1"]', 'refs.laws = ["APPI"]'), "refs.", "unknown field refs.laws"),
    ("duplicate-item", HEAD + GOOD_ITEM + GOOD_ITEM, 'id = "x-1"', "duplicate item id 'x-1'"),
    ("unknown-section", HEAD + GOOD_ITEM.replace('section = "s"', 'section = "nope"'), "section =", "unknown section 'nope'"),
    ("control-char", HEAD + GOOD_ITEM.replace("Because.", "Be\\u001b[31mcause."), "why.ja", "control characters"),
    ("empty-text", HEAD + GOOD_ITEM.replace('why.ja = "理由です。"', 'why.ja = "   "'), "why.ja", "why.ja is empty"),
    ("evidence-mismatch", HEAD + GOOD_ITEM.replace('["Policy", "Approval"]', '["Policy"]'), "evidence.ja", "different numbers of entries"),
    ("evidence-not-list", HEAD + GOOD_ITEM.replace('["Policy", "Approval"]', '"Policy"'), "evidence.ja", "must be a non-empty list"),
    ("mandatory-str", HEAD + GOOD_ITEM.replace("mandatory = false", 'mandatory = "no"'), "mandatory =", "mandatory must be true or false"),
    ("bad-id", HEAD + GOOD_ITEM.replace('id = "x-1"', 'id = "X 1!"'), 'id = "X 1!"', "item id is missing"),
    ("dup-section", HEAD + '[[sections]]\nid = "s"\ntitle.ja = "a"\ntitle.en = "b"\n' + GOOD_ITEM, 'id = "s"', "duplicate section id"),
    ("bad-parent", HEAD + '[[sections]]\nid = "t"\nparent = "zz"\ntitle.ja = "a"\ntitle.en = "b"\n' + GOOD_ITEM, "parent =", "not an earlier section"),
    ("every-months", HEAD + GOOD_ITEM.replace("weight = 2", "weight = 2\nevery_months = 0"), "every_months", "every_months"),
    ("not-utf8", None, None, "not valid UTF-8"),
    ("no-items", HEAD, None, "has no items"),
    ("items-not-array", HEAD.replace("[[sections]]", 'items = "x"\n[[sections]]'), "items =", "items must be an array"),
    ("na-condition-missing-en", HEAD + GOOD_ITEM.replace(NA, NA + 'na_condition.ja = "予備審査を受けない場合。"\n'),
     "na_condition.ja", "na_condition.en is missing"),
    ("na-condition-not-table", HEAD + GOOD_ITEM.replace(NA, NA + 'na_condition = "When there is none."\n'),
     "na_condition =", "na_condition needs na_condition.ja and na_condition.en"),
    ("na-condition-without-na", HEAD + GOOD_ITEM.replace(NA, "na_allowed = false\n" + COND), "na_condition.ja",
     "na_condition needs na_allowed = true"),
    ("na-condition-control-char", HEAD + GOOD_ITEM.replace(NA, NA + COND.replace("none.", "no\\u001b[2Jne.")),
     "na_condition.ja", "na_condition.en contains control characters"),
    ("na-condition-empty", HEAD + GOOD_ITEM.replace(NA, NA + COND.replace('"該当する取引がない場合。"', '"  "')), "na_condition.ja",
     "na_condition.ja is empty"),
]


def _line_of(text: str | None, marker: str | None) -> int:
    if text is None:
        return 10  # the bad bytes sit on the line after HEAD
    if marker is None:
        return 1
    return max(n for n, line in enumerate(text.splitlines(), start=1) if marker in line)


@pytest.mark.parametrize("name,text,marker,fragment", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_bank_reports_path_line_message(tmp_path: Path, name, text, marker, fragment):
    path = tmp_path / f"{name}.toml"
    if text is None:
        path.write_bytes(HEAD.encode() + b'x = "\xff\xfe"\n')
    else:
        path.write_text(text, encoding="utf-8")
    problems = check_paths([path])
    assert problems, f"{name}: no problem reported"
    rendered = [str(p) for p in problems]
    hit = [r for r in rendered if fragment in r]
    assert hit, rendered
    m = LINE_RE.match(hit[0])
    assert m and m.group("path").endswith(f"{name}.toml")
    assert int(m.group("line")) == _line_of(text, marker), rendered


def test_corpus_is_large_enough():
    assert len(BROKEN) >= 20


def test_na_condition_loads_with_both_languages(tmp_path: Path):
    path = tmp_path / "cond.toml"
    path.write_text(HEAD + GOOD_ITEM.replace(NA, NA + COND) + GOOD_ITEM.replace('id = "x-1"', 'id = "x-2"'), encoding="utf-8")
    bank, problems = load_bank(path)
    assert problems == [] and bank is not None
    assert bank.items[0].na_condition == {"ja": "該当する取引がない場合。", "en": "When there is none."}
    assert bank.items[1].na_condition is None


def test_control_characters_in_na_condition_are_stripped(tmp_path: Path):
    path = tmp_path / "cc.toml"
    path.write_text(HEAD + GOOD_ITEM.replace(NA, NA + COND.replace("none.", "no\\u001b[2Jne.")), encoding="utf-8")
    bank, problems = load_bank(path)
    assert bank is not None and [p.fatal for p in problems] == [False]
    assert bank.items[0].na_condition["en"] == "When there is no[2Jne."


def test_clause_items_cannot_allow_na(tmp_path: Path):
    text = HEAD.replace('"custom"', '"clauses_2022"') + GOOD_ITEM.replace('refs.controls = ["5.1"]', 'refs.clauses = ["4.1"]')
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    assert any("na_allowed must be false" in str(p) for p in check_paths([path]))


def test_duplicate_id_across_banks(tmp_path: Path):
    a = tmp_path / "a.toml"
    b = tmp_path / "b.toml"
    a.write_text(HEAD + GOOD_ITEM, encoding="utf-8")
    b.write_text(HEAD.replace('"broken"', '"other"') + GOOD_ITEM, encoding="utf-8")
    problems = [str(p) for p in check_paths([a, b])]
    assert any("b.toml:" in p and "duplicate item id 'x-1'" in p for p in problems)


def test_custom_bank_cannot_reuse_builtin_item_id(tmp_path: Path):
    p = tmp_path / "c.toml"
    p.write_text(HEAD + GOOD_ITEM.replace('id = "x-1"', 'id = "a22-5.1-1"'), encoding="utf-8")
    assert any("duplicate item id 'a22-5.1-1'" in str(x) for x in check_paths([p]))


def test_control_characters_are_stripped_on_load(tmp_path: Path):
    path = tmp_path / "cc.toml"
    path.write_text(HEAD + GOOD_ITEM.replace("Because.", "Be\\u001b[31mcause.\\u0007\\u009b"), encoding="utf-8")
    bank, problems = load_bank(path)
    assert bank is not None and problems and not any(p.fatal for p in problems)
    assert bank.items[0].why["en"] == "Be[31mcause."


def test_cli_banks_check_exit_codes(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text(HEAD + GOOD_ITEM.replace("weight = 2", "weight = 9"), encoding="utf-8")
    r = run_cli("banks", "check", str(bad), str(FIXTURES / "sample_bank.toml"))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr + r.stdout
    assert re.search(r"bad\.toml:\d+: weight must be 1, 2 or 3", r.stdout)
    ok = run_cli("banks", "check", str(FIXTURES / "sample_bank.toml"))
    assert ok.returncode == 0 and ok.stdout.strip() == "ok"
    missing = run_cli("banks", "check", str(tmp_path / "nope.toml"))
    assert missing.returncode == 1 and "no such file" in missing.stdout


def test_custom_bank_folder_is_loaded(data_dir: Path):
    r = run_cli("banks", "list", data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    assert re.search(r"^sample\s+custom\s+v1\s+2\s+5\b", r.stdout, re.M)


def test_broken_custom_bank_does_not_stop_the_app(data_dir: Path):
    (data_dir / "banks" / "zz.toml").write_text("this is [not toml", encoding="utf-8")
    r = run_cli("banks", "list", data_dir=data_dir)
    assert r.returncode == 0
    assert "zz.toml:1: TOML syntax" in r.stderr
    assert "sample" in r.stdout
