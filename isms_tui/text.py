"""Text hygiene shared by the banks, storage, CLI, TUI and exports.

User and bank text can carry terminal escape sequences; Textual hands them straight to the
terminal, and spreadsheets treat leading ``=`` as a formula. Everything that enters the core
goes through :func:`clean`; width-aware helpers serve the TUI and the Excel column widths.
"""

from __future__ import annotations

import functools
import re
import unicodedata

MAX_FIELD_CHARS = 20_000
"""The most characters a user may type into one free-text field (a note, evidence, a
justification, an owner). Longer text already stored is kept intact and shown shortened."""

# C0 controls except TAB (0x09) and LF (0x0A), DEL, and the C1 range 0x80-0x9F.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates (bytes that were not UTF-8, smuggled through surrogateescape) cannot be saved.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def find_control(text: str) -> int | None:
    """Index of the first forbidden control character in ``text``, or None."""
    m = _CONTROL_RE.search(text)
    return m.start() if m else None


def clean(text: str | None, *, multiline: bool = True) -> str:
    """NFC-normalise and strip C0/C1 controls (keeping tab and newline).

    ``\\r\\n`` and lone ``\\r`` become ``\\n``; with ``multiline=False`` newlines and tabs
    become spaces too (for one-line fields such as an owner name). A lone surrogate becomes
    U+FFFD, so clean text can always be saved as UTF-8.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_RE.sub("", text)
    text = _SURROGATE_RE.sub("\ufffd", text)
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return unicodedata.normalize("NFC", text)


def char_width(ch: str) -> int:
    """Display cells of one character in a terminal or an East Asian font."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def truncate(text: str, width: int, ellipsis: str = "…") -> str:
    """Cut ``text`` to at most ``width`` display cells, marking the cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    limit = max(0, width - display_width(ellipsis))
    for c in text:
        w = char_width(c)
        if used + w > limit:
            break
        out.append(c)
        used += w
    return "".join(out) + ellipsis


NO_LINE_START = frozenset("。、，．・：；？！ー～…‥」』）〕］｝〉》】’”,.!?:;)]}"
                          # small kana and iteration marks, escaped (no kana in code: tests/test_i18n.py)
                          "\u3041\u3043\u3045\u3047\u3049\u3063\u3083\u3085\u3087\u308e\u3095\u3096\u30a1\u30a3\u30a5\u30a7\u30a9\u30c3\u30e3\u30e5\u30e7\u30ee\u30f5\u30f6\u31f0\u31f1\u31f2\u31f3\u31f4\u31f5\u31f6\u31f7\u31f8\u31f9\u31fa\u31fb\u31fc\u31fd\u31fe\u31ff\u3005\u309d\u309e\u30fd\u30fe")
"""Japanese line-breaking rules (禁則): closing punctuation and small kana never start a line."""
NO_LINE_END = frozenset("「『（〔［｛〈《【‘“([{")
"""Opening brackets never end a line."""
_TOKEN_RE = re.compile(r"[A-Za-z0-9_@%&+\-/'’.]+[,.!?:;)\]]*|\s|.", re.DOTALL)


@functools.cache
def _phrase_parser():
    """BudouX's Japanese phrase model (Apache-2.0, 36 KB), loaded on first use."""
    import budoux

    return budoux.load_default_japanese_parser()


@functools.cache
def _word_parser():
    """BudouX's Japanese word model (shipped beside the phrase model): where a phrase is wider
    than a line, it breaks between words, keeping 保管 whole rather than breaking it as 保/管."""
    import json
    import os

    import budoux
    from budoux.parser import MODEL_DIR

    with open(os.path.join(MODEL_DIR, "ja_word.json"), encoding="utf-8") as fh:
        return budoux.Parser(json.load(fh))


def _is_unit(text: str, width: int) -> bool:
    """A run of Japanese that fits on a line and is kept whole."""
    return display_width(text) <= width and any(char_width(c) == 2 for c in text) and not any(c.isspace() for c in text)


def _tokens(para: str, width: int) -> list[str]:
    """The units a line may break between: a Japanese phrase (BudouX) that fits on a line
    moves to the next line whole, so 「実施日・実施者」 is not split; a phrase wider than a
    line breaks between its words; Latin text breaks between words, and a word wider than a
    line between its characters."""
    out: list[str] = []
    phrases = _phrase_parser().parse(para) if any(char_width(c) == 2 for c in para) else [para]
    for phrase in phrases:
        if _is_unit(phrase, width):
            out.append(phrase)
            continue
        parts = _word_parser().parse(phrase) if any(char_width(c) == 2 for c in phrase) else [phrase]
        for part in parts:
            if _is_unit(part, width):
                out.append(part)
                continue
            for tok in _TOKEN_RE.findall(part):
                out += [tok] if display_width(tok) <= width else list(tok)
    # closing punctuation joins the unit before it, an opening bracket the unit after it,
    # when the two still fit on a line (what cannot join is handled when lines are made)
    merged: list[str] = []
    for tok in out:
        if (merged and not tok.isspace() and not merged[-1].isspace()
                and (tok[0] in NO_LINE_START or merged[-1][-1] in NO_LINE_END)
                and display_width(merged[-1]) + display_width(tok) <= width):
            merged[-1] += tok
        else:
            merged.append(tok)
    return merged


def wrap_ja(text: str, width: int) -> list[str]:
    """Wrap ``text`` to ``width`` terminal cells following the Japanese line-breaking rules:
    lines break between phrases where they can (BudouX), no line starts with 。、」 or a small
    kana, no line ends with 「 (the character before moves down with it); Latin words stay
    whole unless wider than a line. Newlines are kept."""
    width = max(2, width)
    out: list[str] = []
    for para in text.split("\n"):
        lines: list[list[str]] = [[]]
        used = 0
        tokens = _tokens(para, width)
        for tok in tokens:
            w = display_width(tok)
            if used + w <= width:
                lines[-1].append(tok)
                used += w
                continue
            if tok.isspace():  # the break takes the space
                lines.append([])
                used = 0
                continue
            carry = [tok]
            cur = lines[-1]
            # pull characters down while the new line would start badly or this one end badly
            while cur and (carry[0][0] in NO_LINE_START or cur[-1][-1] in NO_LINE_END):
                if len(cur[-1]) > 1:
                    cur[-1:] = list(cur[-1])  # take only the last character down with it
                if len(cur) <= 1:
                    break
                carry.insert(0, cur.pop())
            while cur and cur[-1].isspace():
                cur.pop()
            lines.append(carry)
            used = sum(display_width(t) for t in carry)
        out += ["".join(line).rstrip() for line in lines]
    return out


def one_line(value: object) -> str:
    """A user value as one clean line (control characters stripped, no line breaks, trimmed)."""
    return clean(str(value or ""), multiline=False).strip()
