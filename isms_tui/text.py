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
