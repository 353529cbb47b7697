"""Japanese line breaking (禁則) in isms_tui.text.wrap_ja."""

from __future__ import annotations

import pytest

from isms_tui.text import NO_LINE_END, NO_LINE_START, display_width, wrap_ja

SAMPLES = [
    "課題と利害関係者の要求を把握していないと、適用範囲やリスク分析が取引先の本当の要求からずれてしまいます。",
    "主要顧客が委託契約で「事故発生時は24時間以内に報告」と求めているのに、ISMSの担当者が誰もそれを知らないというケースがあります。",
    "記録(実施日・実施者)を残してください。ちょっとした、ことでも、きっちり。",
    "Restore one file from the NAS backup and write down the result, then review it yearly.",
]


@pytest.mark.parametrize("width", range(6, 41))
@pytest.mark.parametrize("text", SAMPLES)
def test_no_line_starts_with_closing_punctuation_or_small_kana_and_nothing_is_lost(text, width):
    lines = wrap_ja(text, width)
    for n, line in enumerate(lines):
        assert display_width(line) <= width, (line, width)
        if n:
            assert line[0] not in NO_LINE_START, (lines, width)
        if n < len(lines) - 1:
            assert line[-1] not in NO_LINE_END, (lines, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_the_comma_stays_with_the_word_before_it():
    # 10 cells: cut by characters, the second line would start with 、
    text = "あいうえおかきくけ、こさしす"
    assert wrap_ja(text, 10) == ["あいうえお", "かきくけ、", "こさしす"]
    assert wrap_ja("あいうえお、", 10) == ["あいうえ", "お、"]


def test_an_opening_bracket_moves_down_with_its_word_and_newlines_are_kept():
    assert wrap_ja("あいうえ「かき」\nくけ", 10) == ["あいうえ", "「かき」", "くけ"]


def test_latin_words_stay_whole():
    assert wrap_ja("Restore one file and write it down", 12) == ["Restore one", "file and", "write it", "down"]


@pytest.mark.parametrize("width", range(12, 41))
def test_lines_break_between_phrases_so_a_term_is_never_split(width):
    # the content review's case: 「実施日・実施者」 split at 「・」 looked like a new bullet
    text = "研修の記録(実施日・実施者・参加者)を残し、理解度の確認結果も保管してください。"
    lines = wrap_ja(text, width)
    assert "".join(lines) == text
    for term in ("実施日", "実施者", "参加者", "理解度", "確認結果", "保管"):
        assert any(term in line for line in lines), (term, lines)  # each term on one line
    assert not any(line.startswith("・") for line in lines)


@pytest.mark.parametrize("width", [24, 37, 50, 76])
def test_guidance_lines_follow_the_japanese_rules_at_the_pane_width(width):
    # the tmux sweep saw guidance lines start with 。 and 、 at 120 and 200 columns
    from isms_tui.banks import builtin_banks
    from isms_tui.screens.guidance import render

    for item in builtin_banks().banks["clauses-2022"].items[:12]:
        md = "\n\n".join(["### Why", item.why["ja"], "### Evidence", "\n".join(f"- {e}" for e in item.evidence["ja"]),
                          "### Next", item.action["ja"]])
        plain = render(md, width=width).plain
        lines = plain.split("\n")
        starts = {o[:4] for o in render(md).plain.split("\n")}  # a list item's own first line begins with its bullet
        assert all(display_width(line) <= width for line in lines), width
        broken = [x for x in lines if x and x[0] in NO_LINE_START and x[:4] not in starts]
        assert not broken, broken
        assert plain.replace("\n", "").replace(" ", "") == render(md).plain.replace("\n", "").replace(" ", "")
