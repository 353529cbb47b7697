"""Helpers shared by the screens: plain (never markup) text, bars without glyphs, and live
translation of binding descriptions."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.text import Text
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import Screen

from ..i18n import t
from ..model import UserError
from ..scoring import pct
from ..service import StorageError
from ..text import clean, display_width, truncate

if TYPE_CHECKING:
    from ..model import Assessment
    from ..service import Workspace

PROBLEMS_SHOWN = 3


def plain(text: str | None) -> Content:
    """User or bank text as literal content: ``[bold]`` shows as typed, escapes are gone."""
    return Content(clean(text or ""))


def error_line(exc: BaseException, lang: str, path: object = None) -> str:
    """One line for the user naming the file and the cause. An OSError carries no message of
    ours: its file (or ``path``, the file the action was about) and its cause are named."""
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else path
        cause = exc.strerror or type(exc).__name__
        return clean(t("error.os", lang, path=str(where) if where is not None else "?", cause=cause), multiline=False)
    if isinstance(exc, UserError):
        return clean(exc.message(lang), multiline=False)
    if isinstance(exc, StorageError):
        return clean(exc.localized(lang), multiline=False)
    return clean(str(exc) or type(exc).__name__, multiline=False)


def bank_problem_line(ws: Workspace, assessment: Assessment, lang: str) -> str | None:
    """Why some of an assessment's items are missing: the banks it uses that did not load and
    the loader's ``path:line: message`` lines; None when every bank it uses is loaded."""
    missing = ws.missing_banks(assessment)
    if not missing:
        return None
    problems = [str(p) for p in ws.bankset.problems if p.fatal]
    if not problems:
        return t("banks.missing_nofile", lang, ids=", ".join(missing), folder=str(ws.banks_dir))
    shown = "; ".join(problems[:PROBLEMS_SHOWN])
    if len(problems) > PROBLEMS_SHOWN:
        shown += " " + t("banks.more_problems", lang, n=len(problems) - PROBLEMS_SHOWN)
    return clean(t("banks.missing", lang, ids=", ".join(missing), problems=shown), multiline=False)


def cell(text: str | None, width: int | None = None, style: str = "") -> Text:
    """A DataTable cell that is never parsed as markup."""
    s = clean(text or "", multiline=False)
    if width:
        s = truncate(s, width)
    return Text(s, style=style, no_wrap=True, overflow="ellipsis")


def bar(value: float | None, width: int = 20, *, style: str = "on green", empty: str = "on grey30") -> Text:
    """A horizontal bar drawn with coloured spaces (no ambiguous-width block glyphs, so it
    lines up in Japanese terminals too)."""
    text = Text()
    if value is None:
        text.append(" " * width, style=empty)
        return text
    filled = round(max(0.0, min(1.0, value)) * width)
    text.append(" " * filled, style=style)
    text.append(" " * (width - filled), style=empty)
    return text


def bar_style(value: float | None) -> str:
    if value is None:
        return "on grey30"
    if value >= 0.8:
        return "on green"
    if value >= 0.5:
        return "on yellow"
    return "on red"


def score_line(label: str, readiness: float | None, coverage: float | None, *, label_width: int = 30, bar_width: int = 20) -> Text:
    label = truncate(clean(label, multiline=False), label_width)
    text = Text(label + " " * (label_width - display_width(label)) + " ")
    text.append_text(bar(readiness, bar_width, style=bar_style(readiness)))
    text.append(f" {pct(readiness):>4}  ({pct(coverage)})")
    return text


BUILTIN_BINDINGS = {("SelectOverlay", "dismiss"): "binding.dismiss_menu"}
"""Bindings of Textual's own widgets that the footer shows: (widget type, action) -> catalog key."""


def retranslate_bindings(node: DOMNode, lang: str) -> None:
    """Give every binding that has an id its description in ``lang`` (catalog key
    ``binding.<id>``), then redraw the footer. For a screen, also the bindings of Textual's own
    widgets in it that the footer shows (:data:`BUILTIN_BINDINGS`)."""
    _retranslate(node, lang, lambda b: f"binding.{b.id}" if b.id else None)
    if isinstance(node, Screen):
        for widget_type in {w for w, _ in BUILTIN_BINDINGS}:
            for widget in node.query(widget_type):
                _retranslate(widget, lang, lambda b, w=widget_type: BUILTIN_BINDINGS.get((w, b.action)))
    node.refresh_bindings()


def _retranslate(node: DOMNode, lang: str, key_of) -> None:
    bindings = node._bindings  # per-instance copy of the class bindings
    for key, items in list(bindings.key_to_bindings.items()):
        bindings.key_to_bindings[key] = [
            replace(b, description=t(k, lang)) if (k := key_of(b)) else b for b in items
        ]
