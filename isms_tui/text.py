"""Text hygiene shared by the banks, storage, CLI, TUI and exports.

User and bank text can carry terminal escape sequences; Textual hands them straight to the
terminal, and spreadsheets treat leading ``=`` as a formula. Everything that enters the core
goes through :func:`clean`; width-aware helpers serve the TUI and the Excel column widths.
"""

from __future__ import annotations

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


def wrap_ja(text: str, width: int) -> list[str]:
    """Wrap ``text`` to ``width`` terminal cells following the Japanese line-breaking rules:
    no line starts with 。、」 or a small kana, no line ends with 「 (the character before moves
    down with it); Latin words stay whole unless wider than a line. Newlines are kept."""
    width = max(2, width)
    out: list[str] = []
    for para in text.split("\n"):
        lines: list[list[str]] = [[]]
        used = 0
        tokens = [t for tok in _TOKEN_RE.findall(para)  # a Latin word wider than a line: its characters
                  for t in ([tok] if display_width(tok) <= width else list(tok))]
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
            while cur and len(cur) > 1 and (carry[0][0] in NO_LINE_START or cur[-1][-1] in NO_LINE_END):
                carry.insert(0, cur.pop())
            while cur and cur[-1].isspace():
                cur.pop()
            lines.append(carry)
            used = sum(display_width(t) for t in carry)
        out += ["".join(line).rstrip() for line in lines]
    return out
