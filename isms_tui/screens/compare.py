"""Compare cycles (the catalog's compare.screen_title): this cycle against the previous ones
(:class:`isms_tui.compare.CycleComparison`, from the dashboard with ``v`` or the palette).

At the top, the cycles compared, the overall readiness and the stage 1 gate of each. Then a
table with one row per bank and top-level section: the readiness of this cycle and of each
earlier one, the change since the previous cycle, and a bar per cycle drawn with block
characters of neutral width (``▐`` this cycle, ``░`` earlier ones: the full block is
ambiguous-width and would misalign in a Japanese terminal), so the chart reads in
monochrome too. Below it, the answers that got worse, the actions carried over (the ones
carried more than once first) and the findings that recurred. Tab moves between the table
and the lists. With no previous cycle the screen says so plainly. Nothing is computed here.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from ..compare import (
    CycleComparison,
    action_label,
    break_note,
    cycle_name,
    points,
    section_title,
    status_word,
)
from ..scoring import pct
from ..service import Session, StorageError
from ..text import clean, one_line, truncate
from .base import IsmsScreen
from .common import bar_style, retranslate_bindings
from .footer import IsmsFooter

COMPARE_CSS = """
CompareScreen #compare-head { height: auto; padding: 0 1; }
CompareScreen #compare-table { height: 1fr; min-height: 5; }
CompareScreen #compare-lists { height: 1fr; padding: 0 1; border-top: solid $primary-darken-2; }
CompareScreen #compare-lists:focus-within { border-top: solid $accent; }
"""
MAX_SHOWN = 3  # cycles shown in the table and the chart (the CLI and the workbook show more)
THIS_BAR, EARLIER_BAR = "\u2590", "\u2591"  # right half block, light shade: both of neutral width


def cycle_bar(value: float | None, width: int, *, current: bool) -> Text:
    """One cycle's readiness as a bar of ``width`` cells (blank when there is no score)."""
    out = Text()
    if value is None:
        return out.append(" " * width)
    filled = round(max(0.0, min(1.0, value)) * width)
    if current:
        colour = bar_style(value).removeprefix("on ")
        out.append(THIS_BAR * filled, style=f"{colour} on {colour}")
    else:
        out.append(EARLIER_BAR * filled, style="grey70")
    return out.append(" " * (width - filled))


class CompareScreen(IsmsScreen):
    DEFAULT_CSS = COMPARE_CSS
    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.cmp: CycleComparison | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="compare-head", markup=False)
        yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="compare-lists", can_focus=True):
            yield Static(id="compare-body", markup=False)
        yield IsmsFooter()

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)
        self.load()

    def on_resize(self) -> None:
        if self.is_mounted and self.cmp is not None:
            self.render_data()

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        self.render_data()

    def load(self) -> None:
        try:
            self.cmp = self.session.workspace.compare(self.session.id)
        except StorageError as exc:
            self.cmp = None
            self.query_one("#compare-head", Static).update(Text(exc.localized(self.lang), style="bold red"))
            return
        self.render_data()

    # -- drawing -------------------------------------------------------------------------------
    def render_data(self) -> None:
        cmp = self.cmp
        if cmp is None:
            return
        lang = self.lang
        self.title = self.tr("compare.screen_title")
        head = Text()
        head.append(clean(cmp.current.assessment.organization, multiline=False), style="bold")
        note = break_note(cmp, lang)
        table = self.query_one("#compare-table", DataTable)
        lists = self.query_one("#compare-lists")
        if not cmp.has_previous:
            head.append("\n" + self.tr("compare.none"))
            if note:
                head.append("\n" + note, style="bold yellow")
            self.query_one("#compare-head", Static).update(head)
            table.display = lists.display = False
            return
        table.display = lists.display = True
        n = min(len(cmp.cycles), MAX_SHOWN)
        head.append("  " + " \u2190 ".join(cycle_name(cmp, k, lang) for k in range(n)))
        if note:
            head.append("\n" + note, style="bold yellow")
        head.append("\n" + self.tr("compare.overall") + "  ", style="bold")
        head.append(" \u2190 ".join(pct(v) for v in cmp.overall[:n]) + f" ({points(*cmp.overall[:2])})")
        head.append("   " + self.tr("compare.gate") + "  ", style="bold")
        head.append(" \u2190 ".join(self.tr("compare.gate_value", met=m, total=t) for m, t, _ in cmp.gate_met[:n]))
        if any(v.assessment.edition != cmp.current.assessment.edition for v in cmp.cycles[1:n]):
            head.append("\n" + self.tr("compare.cross_edition"), style="dim")
        self.query_one("#compare-head", Static).update(head)
        self._table(table, cmp, n)
        self.query_one("#compare-body", Static).update(self._lists(cmp))

    def _table(self, table: DataTable, cmp: CycleComparison, n: int) -> None:
        lang = self.lang
        width = self.app.size.width
        label_w = max(14, min(40, width // 3))
        cols = [self.tr("compare.col.section")]
        cols += [self.tr("compare.col.this") if k == 0 else self.tr("compare.col.previous") if k == 1
                 else self.tr("compare.col.back", n=k) for k in range(n)]
        cols += [self.tr("compare.col.change")]
        # what is left for the bars: the label, the numbers and the cell padding come first
        bar_w = max(8, width - label_w - 6 * (n + 1) - 2 * (n + 3) - 4)
        keep = table.cursor_row
        table.clear(columns=True)
        for c in cols:
            table.add_column(c)
        table.add_column(self.tr("compare.chart"), width=bar_w)
        for row in cmp.sections:
            bold = "bold" if row.level == 0 else ""
            label = truncate(("" if row.level == 0 else "  ") + one_line(section_title(row, lang)), label_w)
            chart = Text("\n").join(cycle_bar(row.readiness[k], bar_w, current=k == 0) for k in range(n))
            change = points(*row.readiness[:2])
            style = "green" if row.change and row.change > 0 else "red" if row.change and row.change < 0 else ""
            table.add_row(Text(label, style=bold), *(Text(pct(v), justify="right", style=bold) for v in row.readiness[:n]),
                          Text(change, justify="right", style=style), chart, height=n)
        if keep and keep < table.row_count:
            table.move_cursor(row=keep)

    def _lists(self, cmp: CycleComparison) -> Text:
        lang = self.lang
        out = Text()
        out.append(self.tr("compare.worse", n=len(cmp.worse_answers)) + "\n", style="bold")
        where = cmp.current.asked_in  # the section each question is asked in: two may share a heading
        for w in cmp.worse_answers:
            out.append(f"  {one_line(w.item.heading(lang))}")
            out.append(f" \u00b7 {one_line(where(w.item, lang, bank=False))}: ", style="dim")
            out.append(f"{status_word(w.before, lang)} \u2192 {status_word(w.now, lang)}\n", style="bold red")
        if not cmp.worse_answers:
            out.append("  " + self.tr("compare.worse_none") + "\n", style="dim")
        out.append("\n" + self.tr("compare.carried", n=len(cmp.carried_actions), repeated=len(cmp.repeated_actions)) + "\n",
                   style="bold")
        for c in cmp.carried_actions:
            out.append("  " + self.tr("compare.carried_times", n=c.times) + " ", style="bold red" if c.repeated else "yellow")
            out.append(one_line(action_label(c.action, lang)))
            if c.action.item is not None:
                out.append(f" \u00b7 {one_line(where(c.action.item, lang, bank=False))}", style="dim")
            if c.action.owner:
                out.append(f"  ({one_line(c.action.owner)})", style="dim")
            out.append("\n")
        if not cmp.carried_actions:
            out.append("  " + self.tr("compare.carried_none") + "\n", style="dim")
        out.append("\n" + self.tr("compare.recurring", n=len(cmp.recurring_findings)) + "\n", style="bold")
        for r in cmp.recurring_findings:
            f = r.row.finding
            earlier = ", ".join(f"{old.label} {old.raised_on or cmp.when(cmp.cycles[k])}" for k, old in r.earlier)
            out.append(f"  {f.label} {f.requirement.label(lang)} ", style="bold")
            out.append(one_line(f.description) + "\n")
            out.append("    " + self.tr("compare.recurring_before", labels=earlier) + "\n", style="yellow")
        if not cmp.recurring_findings:
            out.append("  " + self.tr("compare.recurring_none") + "\n", style="dim")
        return out

    def action_back(self) -> None:
        self.app.pop_screen()

