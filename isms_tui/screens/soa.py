"""The Statement of Applicability: one row per Annex A control with its applicability, the
implementation status from the answers, the reasons and the risks that use it. Filters:
excluded, no reason (applicable but no risk uses it), conflicts (excluded in the answers but used
by a risk). Enter opens the control's first question, where applicability is answered."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from ..service import Session
from ..view import SoaRow
from .assets import TABLE_CSS
from .base import IsmsScreen, JumpToItem
from .common import cell, retranslate_bindings

SOA_FILTERS = ("all", "excluded", "untraced", "conflicts")


class SoaScreen(IsmsScreen):
    DEFAULT_CSS = TABLE_CSS
    BINDINGS = [
        Binding("f", "cycle_filter", "Filter", id="filter"),
        Binding("enter", "goto", "Question", id="goto_item"),
        Binding("r", "risks", "Risks", id="risks"),
        Binding("a", "assets", "Assets", id="assets"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.filter = "all"
        self.rows: list[SoaRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="soa-bar", classes="risk-bar", markup=False)
        yield DataTable(id="soa", classes="risk-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)

    def on_screen_resume(self) -> None:
        self.reload()

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        self.reload()

    def _keep(self, row: SoaRow, orphans: set[str]) -> bool:
        if self.filter == "excluded":
            return not row.applicable
        if self.filter == "untraced":
            return row.ref.id in orphans
        if self.filter == "conflicts":
            return row.conflict
        return True

    def reload(self) -> None:
        lang = self.lang
        view = self.session.view()
        orphans = {row.ref.id for row in view.orphaned_controls}
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        for key in ("control", "title", "applicable", "status", "risks"):
            table.add_column(self.tr(f"soa.col.{key}"), key=key)
        title_w = max(14, self.app.size.width - 56)
        self.rows = [row for row in view.soa if self._keep(row, orphans)]
        for row in self.rows:
            if row.conflict:
                mark, style = self.tr("soa.conflict"), "bold red"
            elif not row.applicable:
                mark, style = self.tr("soa.excluded"), "dim"
            else:
                mark, style = self.tr("soa.included"), ""
            risks = ", ".join(r.label for r in row.risks)
            if not risks and row.ref.id in orphans:
                risks = self.tr("soa.no_reason")
            table.add_row(
                cell(row.ref.label(lang)), cell(row.ref.title(lang), title_w), cell(mark, style=style),
                cell(self.tr(f"status.{row.status or 'unanswered'}"), 12), cell(risks, 16),
                key=row.ref.key,
            )
        soa = view.soa
        self.query_one("#soa-bar", Static).update(self.tr(
            "soa.bar", shown=len(self.rows), total=len(soa), excluded=sum(1 for r in soa if not r.applicable),
            untraced=len(orphans), conflicts=len(view.soa_conflicts), filter=self.tr(f"soa.filter.{self.filter}")))
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_goto()

    def action_cycle_filter(self) -> None:
        self.filter = SOA_FILTERS[(SOA_FILTERS.index(self.filter) + 1) % len(SOA_FILTERS)]
        self.reload()

    def action_goto(self) -> None:
        if not self.rows:
            return
        row = self.rows[min(self.query_one(DataTable).cursor_row, len(self.rows) - 1)]
        if row.items:
            self.request(JumpToItem(row.items[0].id))
        else:
            self.notify(self.tr("soa.no_question"), markup=False)

    def action_risks(self) -> None:
        from .risks import RisksScreen

        self.app.switch_screen(RisksScreen(self.session))

    def action_assets(self) -> None:
        from .assets import AssetsScreen

        self.app.switch_screen(AssetsScreen(self.session))

    def action_back(self) -> None:
        self.app.pop_screen()
