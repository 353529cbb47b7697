"""What the register screens share (asset ledger, risk register, Statement of Applicability):
a table screen with a status bar that reloads from the read model, keeps the cursor, reports a
core error in one line, and switches between the three; and the modal form they edit in.
Every rule is the core's (through the Session); these screens only show and collect."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, DataTable, Input, Select, SelectionList, Static

from ..model import UserError
from ..service import Session, StorageError
from ..text import clean, display_width, wrap_ja
from .base import IsmsModal, IsmsScreen
from .common import error_line, plain, retranslate_bindings

FORM_CSS = """
.risk-form { width: 90; max-width: 100%; height: 90%; max-height: 100%; border: thick $primary;
             background: $surface; padding: 0 1; }
.risk-form .form-body { height: 1fr; }
.risk-form .dialog-title { margin-bottom: 0; }
.risk-form .form-hint { color: $text-muted; height: 1; }
.risk-form SelectionList { height: auto; max-height: 8; }
.risk-form Label { color: $text-muted; margin-top: 1; }
.risk-form Input, .risk-form Select { width: 1fr; }
.risk-form .preview { color: $primary; text-style: bold; height: auto; }
.risk-form .issues { color: $error; height: auto; }
"""
TABLE_CSS = """
.risk-bar { height: 1; background: $panel; padding: 0 1; }
.risk-table { height: 1fr; }
.risk-detail { height: auto; max-height: 8; padding: 0 1; border-top: solid $panel; }
"""


def fit_columns(cells: dict[str, list[str]], total: int, *, flex: str, flex_min: int,
                caps: dict[str, int], floors: dict[str, int]) -> dict[str, int]:
    """Column widths in terminal cells (East Asian wide characters count two) for a table
    ``total`` cells wide, from each column's header (first) and cells: a column is as wide as
    its widest cell up to its cap and never narrower than its header; while ``flex`` would get
    fewer than ``flex_min`` cells, the columns in ``floors`` narrow (widest first, down to
    their floor); ``flex`` takes the rest (never less than its header), less what the capped
    columns need to show in full when ``flex`` has more room than its own cells need. One cell
    each side of every column and the scroll bar are counted, so nothing needs scrolling
    sideways unless the headers alone are wider than the table."""
    header = {k: display_width(v[0]) for k, v in cells.items()}
    natural = {k: max(map(display_width, v)) for k, v in cells.items()}
    widths = {k: max(header[k], min(caps.get(k, total), natural[k])) for k in cells if k != flex}
    low = {k: max(header[k], f) for k, f in floors.items()}
    padding = 2 * len(cells) + 2
    least = max(flex_min, header[flex])
    while sum(widths.values()) > total - padding - least:
        narrowable = [k for k in low if widths[k] > low[k]]
        if not narrowable:
            break
        widths[max(narrowable, key=lambda k: widths[k] - low[k])] -= 1
    spare = total - padding - sum(widths.values()) - max(least, natural[flex])
    for k in caps:  # a wide screen: the capped columns show in full first
        grow = max(0, min(spare, natural[k] - widths[k]))
        widths[k] += grow
        spare -= grow
    widths[flex] = max(header[flex], total - padding - sum(widths.values()))
    return widths


def show_detail(pane: Static, lines: list[str], width: int) -> None:
    """The selected row in full below a table, wrapped to ``width`` cells (Japanese line
    breaking), never parsed as markup."""
    pane.display = bool(lines)
    pane.update(plain("\n".join(wrap_ja("\n".join(lines), max(10, width - 2)))))


def opt(label: str) -> Text:
    """A Select option's label, never parsed as markup."""
    return Text(clean(label, multiline=False))


def select_value(widget: Select) -> object:
    """A Select's value, "" when nothing is chosen."""
    return "" if widget.value is Select.NULL else widget.value


class BoxedSelectionList(SelectionList[str]):
    """A selection list whose lines start with ☑ or ☐, so a choice never rests on colour
    alone (on a projector or in a monochrome terminal the highlight is all there is)."""

    def __init__(self, *items: tuple[str, str, bool], **kwargs):
        self._labels = {value: clean(label, multiline=False) for label, value, _ in items}
        super().__init__(*((self._boxed(value, on), value, on) for _, value, on in items), **kwargs)

    def _boxed(self, value: str, chosen: bool) -> Content:
        return Content(("\u2611 " if chosen else "\u2610 ") + self._labels[value])

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        chosen = set(self.selected)
        for n in range(self.option_count):
            value = self.get_option_at_index(n).value
            self.replace_option_prompt_at_index(n, self._boxed(value, value in chosen))


class FormDialog(IsmsModal[dict | None]):
    """A modal form that scrolls at 80x24; ctrl+s saves from any field, escape cancels."""

    DEFAULT_CSS = FORM_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "save", "Save", id="save_form"),
    ]

    def buttons(self) -> ComposeResult:
        with Horizontal(classes="dialog-buttons"):
            yield Button(self.tr("button.save"), variant="primary", id="save")
            yield Button(self.tr("button.cancel"), id="cancel")

    def on_mount(self) -> None:
        # Textual calls on_mount of every class in the MRO: subclasses use first_field().
        retranslate_bindings(self, self.lang)
        self.first_field().focus()

    def first_field(self):
        """The widget that has the focus when the form opens."""
        return self.query(Input).first()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.dismiss(None)

    def values(self) -> dict:
        raise NotImplementedError

    def action_save(self) -> None:
        self.dismiss(self.values())

    def action_cancel(self) -> None:
        self.dismiss(None)


class RegisterScreen(IsmsScreen):
    """A register shown as one table: ``reload`` fills it from the read model, Enter on a
    row runs ``open_row`` (edit), and ``r`` / ``a`` / ``o`` switch to the
    risk register, the asset ledger and the SoA."""

    DEFAULT_CSS = TABLE_CSS

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.rows: list = []

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)

    def on_screen_resume(self) -> None:
        self.reload()

    def on_resize(self) -> None:
        if self.is_mounted and self.app.screen is self:
            self.reload()  # the columns take the new width

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        self.reload()

    def reload(self) -> None:
        raise NotImplementedError

    def _current(self):
        """The item under the cursor, or None when the table is empty."""
        if not self.rows:
            return None
        return self.rows[min(self.query_one(DataTable).cursor_row, len(self.rows) - 1)]

    def _apply(self, call: Callable[[], object], ok_key: str) -> bool:
        """Run one change through the session: a core or storage error becomes one line and
        nothing else happens; success is confirmed and the table reloaded."""
        try:
            call()
        except (UserError, StorageError, OSError) as exc:
            self.notify(error_line(exc, self.lang), severity="error", markup=False, timeout=10)
            return False
        self.notify(self.tr(ok_key), timeout=2)
        self.reload()
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # Textual runs this handler of every class in the MRO: subclasses override open_row
        self.open_row()

    def open_row(self) -> None:
        """What Enter on a row does: edit it."""
        self.action_edit()

    def action_edit(self) -> None:
        raise NotImplementedError

    def action_risks(self) -> None:
        from .risks import RisksScreen

        self.app.switch_screen(RisksScreen(self.session))

    def action_assets(self) -> None:
        from .assets import AssetsScreen

        self.app.switch_screen(AssetsScreen(self.session))

    def action_soa(self) -> None:
        from .soa import SoaScreen

        self.app.switch_screen(SoaScreen(self.session))

    def action_back(self) -> None:
        self.app.pop_screen()
