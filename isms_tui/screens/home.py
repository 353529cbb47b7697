"""Home: the stored assessments, newest first; new, open, duplicate, delete, demo."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Header, Static

from ..model import UserError
from ..scoring import pct
from ..service import StorageError, Summary
from ..text import clean, display_width
from .base import CloseAssessment, ErrorOccurred, IsmsScreen, NewAssessment, OpenAssessment, OpenDemo
from .common import bank_problem_line, cell, error_line, retranslate_bindings
from .dialogs import ConfirmScreen
from .footer import IsmsFooter


class HomeScreen(IsmsScreen):
    BINDINGS = [
        Binding("n", "new", "New", id="new"),
        Binding("enter", "open", "Open", id="open", show=True),
        Binding("c", "duplicate", "Duplicate", id="duplicate"),
        Binding("y", "next_cycle", "Next cycle", id="next_cycle"),
        Binding("delete,x", "delete", "Delete", id="delete"),
        Binding("m", "demo", "Demo", id="demo"),
        Binding("r", "reload", "Refresh", id="reload", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static(id="home-title", classes="screen-title")
            yield DataTable(id="assessments", cursor_type="row", zebra_stripes=True)
            yield Static(id="home-detail", markup=False)
            with Vertical(id="empty"):
                yield Static(id="empty-text")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("", id="create", variant="primary")
                    yield Button("", id="demo")
        yield IsmsFooter()

    rows: dict[str, Summary]

    def on_mount(self) -> None:
        self.rows = {}
        self._details: dict[str, str | None] = {}
        self.query_one("#home-detail").display = False
        self._labels()  # the list loads on resume (also sent on push)

    def on_screen_resume(self) -> None:
        self.reload()

    def on_resize(self) -> None:
        if self.is_mounted and self.app.screen is self:
            self.reload()  # the organization column follows the width

    def _labels(self) -> None:
        retranslate_bindings(self, self.lang)
        self.query_one("#home-title", Static).update(self.tr("home.title"))
        self.query_one("#empty-text", Static).update(self.tr("home.empty"))
        self.query_one("#create", Button).label = self.tr("home.create")
        self.query_one("#demo", Button).label = self.tr("home.demo")

    def relabel(self) -> None:
        self._labels()
        self.reload()

    def reload(self) -> None:
        ws = self.isms.workspace
        if ws is None or not self.is_mounted:
            return
        table = self.query_one(DataTable)
        keep = table.cursor_row
        try:
            rows = ws.summaries()
        except (StorageError, OSError) as exc:
            self.request(ErrorOccurred(exc, ws.assessments_dir))
            rows = []
        self.rows = {r.id: r for r in rows}
        self._details = {}
        # the figures right after the name: at 80 columns what scrolls off is kind and edition
        keys = ("org", "readiness", "coverage", "updated", "kind", "edition")
        cells: dict[str, list[str]] = {k: [self.tr(f"home.col.{k}")] for k in keys}
        for r in rows:
            values = ((self.tr("home.unreadable", id=r.id), r.error, "", "", "", "") if r.error else
                      (r.organization, pct(r.readiness), pct(r.coverage), r.updated[:16].replace("T", " "),
                       self.tr(f"kind.{r.kind}"), r.edition))
            for k, v in zip(keys, values, strict=True):
                cells[k].append(clean(v, multiline=False))
        # widths in cells, set here (a reload on resize left to the table squeezed every column):
        # each as wide as its widest cell (an error up to 60), the name up to what the others leave
        widths = {k: max(map(display_width, v)) if k == "org" else min(60, max(map(display_width, v)))
                  for k, v in cells.items()}
        used = sum(w for k, w in widths.items() if k != "org")
        widths["org"] = min(widths["org"], max(30, self.app.size.width - used - 2 * (len(keys) + 1) - 4))
        table.clear(columns=True)
        for k in keys:
            table.add_column(cell(cells[k][0], widths[k]), key=k, width=widths[k])
        for n, r in enumerate(rows, start=1):
            style = "bold red" if r.error else ""
            table.add_row(*(cell(cells[k][n], widths[k], style=style if k == "org" else "") for k in keys), key=r.id)
        empty = not rows
        self.query_one("#empty").display = empty
        table.display = not empty
        if not empty:
            table.move_cursor(row=min(keep, len(rows) - 1))
            table.focus()
        else:
            self.query_one("#create", Button).focus()
        self._show_detail(self._selected())

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(event.row_key.value)

    def detail(self, aid: str) -> str | None:
        """Why a row's figures are missing or low: the whole error of a damaged file, or the
        banks it uses that did not load, with their ``path:line: message``. None when healthy.
        Reads the file and parses the banks: called off the UI thread (see ``_show_detail``)."""
        row = self.rows.get(aid)
        ws = self.isms.workspace
        if row is None or ws is None:
            return None
        if row.error:
            return row.error
        try:
            assessment, _, _ = ws.load(aid)
        except (StorageError, OSError) as exc:
            return error_line(exc, self.lang, ws.file_path(aid))
        return bank_problem_line(ws, assessment, self.lang)

    def _show_detail(self, aid: str | None) -> None:
        widget = self.query_one("#home-detail", Static)
        if aid is None:
            widget.display = False
        elif aid in self._details:
            self._set_detail(aid, self._details[aid])
        else:
            self._find_detail(aid)

    @work(thread=True, exclusive=True, group="home-detail")
    def _find_detail(self, aid: str) -> None:
        text = self.detail(aid)
        self.app.call_from_thread(self._set_detail, aid, text)

    def _set_detail(self, aid: str, text: str | None) -> None:
        self._details[aid] = text
        if not self.is_mounted or self._selected() != aid:
            return
        widget = self.query_one("#home-detail", Static)
        widget.display = bool(text)
        widget.update(text or "")

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.request(OpenAssessment(event.row_key.value, resume=True))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self.action_new()
        elif event.button.id == "demo":
            self.action_demo()

    def action_new(self) -> None:
        self.request(NewAssessment())

    def action_demo(self) -> None:
        self.request(OpenDemo())

    def action_open(self) -> None:
        aid = self._selected()
        if aid:
            self.request(OpenAssessment(aid, resume=True))

    def action_reload(self) -> None:
        self.reload()

    def action_duplicate(self) -> None:
        aid = self._selected()
        ws = self.isms.workspace
        if not aid or ws is None:
            return
        try:
            ws.duplicate(aid)
        except (StorageError, UserError, OSError) as exc:  # shown, not swallowed
            self.request(ErrorOccurred(exc, ws.file_path(aid)))
            return
        self.notify(self.tr("home.duplicated"))
        self.reload()

    def action_next_cycle(self) -> None:
        """The next cycle of the selected assessment (which is not changed): the dialog asks the
        next audit date and the changes since the last audit, creates it, and it opens."""
        from .next_cycle import NextCycleScreen

        aid = self._selected()
        summary = self.rows.get(aid) if aid else None
        if summary is None or summary.error:
            return

        def done(new_id: str | None) -> None:
            if new_id:
                view = self.isms.workspace.view(new_id)
                self.notify(self.tr("next.created", n=len(view.reconfirm_items)), markup=False)
                self.request(OpenAssessment(new_id, resume=True))

        self.app.push_screen(NextCycleScreen(aid, summary.organization), done)

    def action_delete(self) -> None:
        aid = self._selected()
        ws = self.isms.workspace
        if not aid or ws is None:
            return
        summary = self.rows.get(aid)
        name = summary.organization if summary and summary.organization else aid

        def delete() -> None:
            try:
                where = ws.delete(aid)
            except (StorageError, OSError) as exc:
                self.request(ErrorOccurred(exc, ws.file_path(aid)))
                return
            self.notify(self.tr("home.deleted", path=str(where)), markup=False)
            self.reload()

        def done(ok: bool | None) -> None:
            if ok:  # the app closes the assessment first if it is open, then the file goes
                self.request(CloseAssessment(aid, then=delete))

        self.app.push_screen(ConfirmScreen(self.tr("home.confirm_delete", name=name)), done)

