"""The end of a workshop session: what the session answered and changed (before -> after, who
decided), its agenda's progress, the parked items, the new gaps that became plan actions and
the contradictions found, the same sections as the minutes (isms_tui.exports.minutes lays them
out once). The minutes are exported as Markdown or Excel into the data folder's exports/; each
open parked item gets an owner and a date, or is resolved, in a small dialog."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ..exports.minutes import Minutes, MinutesSection, cell_text, minutes
from ..service import Session
from ..text import clean
from ..workshop import ParkedItem
from .base import ExportMinutes, IsmsScreen
from .common import retranslate_bindings
from .footer import IsmsFooter
from .workshop import edit_parked

SUMMARY_CSS = """
WorkshopSummaryScreen #summary-body { height: 1fr; padding: 0 1; }
WorkshopSummaryScreen .summary-part { height: auto; }
WorkshopSummaryScreen #summary-hint { color: $text-muted; height: auto; }
WorkshopSummaryScreen #summary-parked { height: auto; max-height: 12; margin: 0 0 1 0; }
"""
JOINED = ("answered", "changed", "parked")  # sections whose first two cells are "reference title"


def _lines(sec: MinutesSection, none: str) -> Text:
    """One section as text: its heading, then one line per row ("lead — Header: value · ...")."""
    out = Text()
    out.append(clean(sec.title, multiline=False) + "\n", style="bold")
    if not sec.rows:
        out.append("  " + none + "\n", style="dim")
    for row in sec.rows:
        cells = [clean(cell_text(v), multiline=False) for v in row]
        lead_n = 2 if sec.key in JOINED else 1
        lead = " ".join(c for c in cells[:lead_n] if c)
        rest = [f"{h}: {c}" for h, c in zip(sec.headers[lead_n:], cells[lead_n:], strict=True) if c]
        out.append("\u2022 " + lead, style="bold")
        if rest:
            out.append(" \u2014 " + " \u00b7 ".join(rest))
        out.append("\n")
    return out


class WorkshopSummaryScreen(IsmsScreen):
    DEFAULT_CSS = SUMMARY_CSS
    BINDINGS = [
        Binding("m", "minutes_md", "Minutes (MD)", id="minutes_md"),
        Binding("x", "minutes_xlsx", "Minutes (Excel)", id="minutes_xlsx"),
        Binding("e", "settle", "Settle parked", id="settle_parked"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, session: Session, workshop_id: str):
        super().__init__()
        self.session = session
        self.workshop_id = workshop_id
        self.parked: list[ParkedItem] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="summary-body"):
            yield Static(id="summary-head", classes="summary-part")
            yield Static(id="summary-parked-title", classes="summary-part")
            yield Static(id="summary-hint", markup=False)
            yield OptionList(id="summary-parked")
            yield Static(id="summary-tail", classes="summary-part")
        yield IsmsFooter()

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)
        self.reload()
        self.query_one("#summary-body", VerticalScroll).focus()

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        self.reload()

    def _minutes(self) -> Minutes:
        return minutes(self.session.view(), self.workshop_id, self.lang)

    def reload(self) -> None:
        m = self._minutes()
        none = self.tr("minutes.none")
        self.title = clean(m.title, multiline=False)
        head = Text()
        head.append(clean(m.title, multiline=False) + "\n", style="bold reverse")
        for label, value in m.facts:
            head.append(f"{label}: ", style="bold")
            head.append(clean(value, multiline=False) + "\n")
        by_key = {s.key: s for s in m.sections}
        for key in ("participants", "agenda", "answered", "changed"):
            head.append("\n")
            head.append_text(_lines(by_key[key], none))
        self.query_one("#summary-head", Static).update(head)
        parked = by_key["parked"]
        self.query_one("#summary-parked-title", Static).update(Text.assemble("\n", (clean(parked.title, multiline=False), "bold")))
        self.parked = list(m.summary.parked)
        has_open = any(p.is_open for p in self.parked)
        hint = self.query_one("#summary-hint", Static)
        hint.display = bool(self.parked)
        hint.update(self.tr("summary.parked_hint") if has_open else self.tr("summary.no_open_parked"))
        options = self.query_one("#summary-parked", OptionList)
        keep = options.highlighted
        options.clear_options()
        options.display = bool(self.parked)
        for p, row in zip(self.parked, parked.rows, strict=True):
            line = _lines(MinutesSection("parked", "", parked.headers, parked.spans, [row]), none)
            line = line[line.plain.index("\n") + 1:]  # without the (empty) heading
            line.rstrip()
            options.add_option(Option(line, id=p.id, disabled=not p.is_open))
        if keep is not None and self.parked:
            options.highlighted = min(keep, len(self.parked) - 1)
        tail = Text()
        if not self.parked:
            tail.append("  " + none + "\n", style="dim")
        for key in ("new_actions", "contradictions"):
            tail.append("\n")
            tail.append_text(_lines(by_key[key], none))
        self.query_one("#summary-tail", Static).update(tail)

    # -- parked items ----------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.settle(event.option.id)

    def action_settle(self) -> None:
        """The highlighted parked item, else the first open one."""
        options = self.query_one("#summary-parked", OptionList)
        n = options.highlighted
        chosen = self.parked[n] if n is not None and n < len(self.parked) and self.parked[n].is_open else None
        chosen = chosen or next((p for p in self.parked if p.is_open), None)
        if chosen is not None:
            self.settle(chosen.id)

    def settle(self, parked_id: str | None) -> None:
        p = next((x for x in self.parked if x.id == parked_id), None)
        if p is None or not p.is_open:
            return
        edit_parked(self, self.session, p, self.reload)

    # -- minutes ---------------------------------------------------------------------------
    def action_minutes_md(self) -> None:
        self.request(ExportMinutes(self.workshop_id, "md"))

    def action_minutes_xlsx(self) -> None:
        self.request(ExportMinutes(self.workshop_id, "xlsx"))

    def action_back(self) -> None:
        self.app.pop_screen()
