"""The Statement of Applicability: one row per Annex A control with its applicability, the
implementation status from the answers, the reasons and the risks that use it. Filters:
excluded, no reason (applicable, no risk uses it and no other reason given), conflicts (excluded
but used by a risk). ``e`` edits the company's decision for the control (applicable, reasons,
justification, implementation, owner); Enter opens the control's first question."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Input, Label, Select, SelectionList, Static

from ..model import UserError
from ..service import Session, StorageError
from ..soa_decisions import SOA_REASONS, SoaDecision, suggestion
from ..view import SoaRow
from .base import JumpToItem
from .common import cell, error_line, plain
from .footer import IsmsFooter
from .register import BoxedSelectionList, FormDialog, RegisterScreen, fit_columns, opt, select_value

SOA_FILTERS = ("all", "excluded", "untraced", "conflicts")


APPLICABLE_CHOICES = {"auto": None, "yes": True, "no": False}


class SoaDialog(FormDialog):
    """The company's decision for one control, with what the register and the answers say."""

    def __init__(self, row: SoaRow, decision: SoaDecision | None, preset: dict | None = None):
        super().__init__()
        self.row = row
        self.decision = decision
        self.preset = preset or {}

    def _v(self, name: str, default: object = "") -> object:
        if name in self.preset:
            return self.preset[name]
        return getattr(self.decision, name) if self.decision is not None else default

    def compose(self) -> ComposeResult:
        tr, lang, row = self.tr, self.lang, self.row
        with Vertical(classes="risk-form"):
            yield Static(plain(row.ref.full(lang)), classes="dialog-title")
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            with VerticalScroll(classes="form-body"):
                status = tr(f"status.{row.status or 'unanswered'}")
                risks = ", ".join(r.label for r in row.risks) or tr("soa.edit.no_risk")
                yield Static(plain(tr("soa.edit.facts", status=status, risks=risks)), classes="preview")
                yield Label(tr("soa.edit.applicable"))
                current = self._v("applicable", None)
                value = next((k for k, v in APPLICABLE_CHOICES.items() if v is current), "auto")
                yield Select([(opt(tr(f"soa.edit.applicable.{k}")), k) for k in APPLICABLE_CHOICES],
                             allow_blank=False, value=value, id="applicable")
                yield Label(tr("soa.edit.reasons"))
                chosen = set(self._v("reasons", []) or [])
                yield BoxedSelectionList(*((tr(f"xlsx.reason.{r}"), r, r in chosen) for r in SOA_REASONS),
                                         id="reasons")
                yield Label(tr("soa.edit.justification"))
                yield Input(str(self._v("justification")), id="justification",
                            placeholder=suggestion(row.ref, lang, applicable=row.applicable))
                yield Label(tr("soa.edit.implementation"))
                yield Input(str(self._v("implementation")), id="implementation")
                yield Label(tr("soa.edit.owner"))
                yield Input(str(self._v("owner")), id="owner")
            yield from self.buttons()  # below the scrolling fields: always on screen

    def first_field(self):
        return self.query_one("#applicable", Select)

    def values(self) -> dict:
        return {
            "applicable": APPLICABLE_CHOICES[str(select_value(self.query_one("#applicable", Select)) or "auto")],
            "reasons": list(self.query_one("#reasons", SelectionList).selected),
            **{k: self.query_one(f"#{k}", Input).value for k in ("justification", "implementation", "owner")},
        }


class SoaScreen(RegisterScreen):
    BINDINGS = [
        Binding("e", "edit", "Decide", id="edit_soa"),
        Binding("f", "cycle_filter", "Filter", id="filter"),
        Binding("enter", "goto", "Question", id="goto_item"),
        Binding("r", "risks", "Risks", id="risks"),
        Binding("a", "assets", "Assets", id="assets"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, session: Session):
        super().__init__(session)
        self.filter = "all"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="soa-bar", classes="risk-bar", markup=False)
        yield DataTable(id="soa", classes="risk-table", cursor_type="row", zebra_stripes=True)
        yield IsmsFooter()

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
        keys = ("control", "title", "applicable", "status", "risks")
        self.rows = [row for row in view.soa if self._keep(row, orphans)]
        cells: dict[str, list[str]] = {k: [self.tr(f"soa.col.{k}")] for k in keys}
        styles: list[str] = []
        for row in self.rows:
            if row.conflict:
                mark, style = self.tr("soa.conflict"), "bold red"
            elif not row.applicable:
                mark, style = self.tr("soa.excluded"), "dim"
            else:
                mark, style = self.tr("soa.included"), ""
            why = ", ".join([*(r.label for r in row.risks),
                             *(self.tr(f"xlsx.reason.{x}") for x in row.reasons if x != "risk_treatment")])
            if not why and row.ref.id in orphans:
                why = self.tr("soa.no_reason")
            cells["control"].append(row.ref.label(lang))
            cells["title"].append(row.ref.title(lang))
            cells["applicable"].append(mark)
            cells["status"].append(self.tr(f"status.{row.status or 'unanswered'}"))
            cells["risks"].append(why)
            styles.append(style)
        # widths in cells: the title takes the room the others leave (whole on a wide screen),
        # the status is whole, the reasons as wide as they need up to half the screen
        widths = fit_columns(cells, self.app.size.width, flex="title", flex_min=20,
                             caps={"status": 16, "risks": max(16, self.app.size.width // 2)},
                             floors={"risks": 12, "status": 8})
        table.clear(columns=True)
        for key in keys:
            table.add_column(cell(cells[key][0], widths[key]), key=key, width=widths[key])
        for n, row in enumerate(self.rows, start=1):
            table.add_row(*(cell(cells[k][n], widths[k], style=styles[n - 1] if k == "applicable" else "")
                            for k in keys), key=row.ref.key)
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        table.focus()
        soa = view.soa
        self.query_one("#soa-bar", Static).update(self.tr(
            "soa.bar", shown=len(self.rows), total=len(soa), excluded=sum(1 for r in soa if not r.applicable),
            untraced=len(orphans), conflicts=len(view.soa_conflicts), filter=self.tr(f"soa.filter.{self.filter}")))

    def open_row(self) -> None:
        """Enter opens the control's question ('e' edits the decision)."""
        self.action_goto()

    def action_cycle_filter(self) -> None:
        self.filter = SOA_FILTERS[(SOA_FILTERS.index(self.filter) + 1) % len(SOA_FILTERS)]
        self.reload()

    def action_edit(self, preset: dict | None = None) -> None:
        row = self._current()
        if row is None:
            return

        def done(values: dict | None) -> None:
            if values is None:
                return
            try:
                self.session.set_soa_decision(row.ref.key, **values)
            except (UserError, StorageError, OSError) as exc:
                self.notify(error_line(exc, self.lang), severity="error", markup=False, timeout=10)
                self.action_edit(values)  # keep what was typed
                return
            self.notify(self.tr("soa.edit.saved"), timeout=2)
            self.reload()

        self.app.push_screen(SoaDialog(row, self.session.soa_decision(row.ref.key), preset), done)

    def action_goto(self) -> None:
        row = self._current()
        if row is None:
            return
        if row.items:
            self.request(JumpToItem(row.items[0].id))
        else:
            self.notify(self.tr("soa.no_question"), markup=False)
