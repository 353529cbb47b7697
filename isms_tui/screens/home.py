"""Home: the stored assessments, newest first; new, open, duplicate, delete, demo."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Static

from ..scoring import pct
from .common import AppScreenMixin, cell, retranslate_bindings
from .dialogs import ConfirmScreen


class HomeScreen(AppScreenMixin, Screen):
    BINDINGS = [
        Binding("n", "new", "New", id="new"),
        Binding("enter", "open", "Open", id="open", show=True),
        Binding("c", "duplicate", "Duplicate", id="duplicate"),
        Binding("delete,x", "delete", "Delete", id="delete"),
        Binding("m", "demo", "Demo", id="demo"),
        Binding("r", "reload", "Refresh", id="reload", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Static(id="home-title", classes="screen-title")
            yield DataTable(id="assessments", cursor_type="row", zebra_stripes=True)
            with Vertical(id="empty"):
                yield Static(id="empty-text")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("", id="create", variant="primary")
                    yield Button("", id="demo")
        yield Footer()

    def on_mount(self) -> None:
        self._labels()  # the list loads on resume (also sent on push)

    def on_screen_resume(self) -> None:
        self.reload()

    def _labels(self) -> None:
        retranslate_bindings(self, self.isms.lang)
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
        table.clear(columns=True)
        for key in ("org", "kind", "edition", "updated", "readiness", "coverage"):
            table.add_column(self.tr(f"home.col.{key}"), key=key)
        rows = ws.summaries()
        for r in rows:
            if r.error:
                table.add_row(cell(self.tr("home.unreadable", id=r.id), style="bold red"), cell(r.error, 60), "", "", "", "", key=r.id)
                continue
            table.add_row(
                cell(r.organization, 30), cell(self.tr(f"kind.{r.kind}")), cell(r.edition),
                cell(r.updated[:16].replace("T", " ")), cell(pct(r.readiness)), cell(pct(r.coverage)), key=r.id,
            )
        empty = not rows
        self.query_one("#empty").display = empty
        table.display = not empty
        if not empty:
            table.move_cursor(row=min(keep, len(rows) - 1))
            table.focus()
        else:
            self.query_one("#create", Button).focus()

    def _selected(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.isms.open_assessment(event.row_key.value, at_first_unanswered=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self.action_new()
        elif event.button.id == "demo":
            self.action_demo()

    def action_new(self) -> None:
        self.isms.action_new_assessment()

    def action_demo(self) -> None:
        self.isms.action_open_demo()

    def action_open(self) -> None:
        aid = self._selected()
        if aid:
            self.isms.open_assessment(aid, at_first_unanswered=True)

    def action_reload(self) -> None:
        self.reload()

    def action_duplicate(self) -> None:
        aid = self._selected()
        ws = self.isms.workspace
        if not aid or ws is None:
            return
        try:
            ws.duplicate(aid)
        except Exception as exc:  # storage errors are shown, not swallowed
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(self.tr("home.duplicated"))
        self.reload()

    def action_delete(self) -> None:
        aid = self._selected()
        ws = self.isms.workspace
        if not aid or ws is None:
            return
        summary = next((s for s in ws.summaries() if s.id == aid), None)
        name = summary.organization if summary and summary.organization else aid

        def done(ok: bool | None) -> None:
            if not ok:
                return
            if self.isms.session is not None and self.isms.session.id == aid:
                self.isms.close_session()
            try:
                where = ws.delete(aid)
            except Exception as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.notify(self.tr("home.deleted", path=str(where)), markup=False)
            self.reload()

        self.app.push_screen(ConfirmScreen(self.tr("home.confirm_delete", name=name)), done)

