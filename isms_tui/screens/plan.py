"""Action plan: every gap as an action; sort, filter and edit owner / due / status /
progress in place; late actions stand out."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static, TextArea

from ..model import ACTION_STATUSES, ValidationError
from ..plan import Action
from ..service import Session, StorageError
from ..text import MAX_FIELD_CHARS
from .assets import FormDialog
from .base import ErrorOccurred, Export, IsmsScreen, JumpToItem, ShowDashboard
from .common import cell, plain, retranslate_bindings

SORTS = ("priority", "due", "owner", "status", "refs")
FILTERS = ("open", "all", "late", "p1", "mine_empty")


class EditActionScreen(FormDialog):
    """Owner, due date, status and progress of one action: scrolls at 80x24, ctrl+s saves
    from any field, escape cancels (a :class:`FormDialog`)."""

    def __init__(self, action: Action):
        super().__init__()
        self.action_row = action

    def compose(self) -> ComposeResult:
        a = self.action_row
        lang = self.lang
        with Vertical(classes="risk-form"):
            yield Static(plain(a.item.heading(lang) if a.item else a.ref_label(lang)), classes="dialog-title")
            yield Static(self.tr("form.hint"), classes="form-hint", markup=False)
            with VerticalScroll(classes="form-body"):
                yield Static(plain(a.title(lang)), classes="dialog-text")
                yield Label(self.tr("plan.col.owner"))
                yield Input(a.owner, id="owner")
                yield Label(self.tr("plan.col.due"))
                yield Input(a.due.isoformat() if a.due else "", placeholder="YYYY-MM-DD", id="due")
                yield Label(self.tr("plan.col.status"))
                yield Select([(self.tr(f"action_status.{s}"), s) for s in ACTION_STATUSES], value=a.action_status,
                             allow_blank=False, id="status")
                yield Label(self.tr("plan.col.progress"))
                yield TextArea(a.progress, id="progress", soft_wrap=True, tab_behavior="focus")
            yield from self.buttons()

    def first_field(self):
        return self.query_one("#owner", Input)

    def values(self) -> dict:
        return {
            "owner": self.query_one("#owner", Input).value,
            "due": self.query_one("#due", Input).value,
            "status": self.query_one("#status", Select).value,
            "progress": self.query_one("#progress", TextArea).text,
        }

    def action_save(self) -> None:
        values = self.values()
        if any(len(v) > MAX_FIELD_CHARS for v in (values["owner"], values["progress"])):
            self.notify(self.tr("q.too_long", max=f"{MAX_FIELD_CHARS:,}"), severity="error", markup=False, timeout=8)
            return
        self.dismiss(values)


class ActionPlanScreen(IsmsScreen):
    BINDINGS = [
        Binding("enter", "edit", "Edit", id="edit"),
        Binding("s", "cycle_sort", "Sort", id="sort"),
        Binding("f", "cycle_filter", "Filter", id="filter"),
        Binding("space", "advance_status", "Status", id="advance_status"),
        Binding("g", "goto_item", "Question", id="goto_item"),
        Binding("d", "dashboard", "Dashboard", id="dashboard"),
        Binding("x", "export", "Excel", id="export"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.sort = "priority"
        self.filter = "open"
        self.rows: list[Action] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="plan-bar", markup=False)
        yield DataTable(id="plan", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)  # the data loads on resume (also sent on push)

    def on_screen_resume(self) -> None:
        self.reload()

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        self.reload()

    def _visible(self, plan: list[Action]) -> list[Action]:
        today = date.today()
        f = self.filter
        if f == "open":
            plan = [a for a in plan if a.action_status != "done"]
        elif f == "late":
            plan = [a for a in plan if a.is_late(today)]
        elif f == "p1":
            plan = [a for a in plan if a.priority == 1]
        elif f == "mine_empty":
            plan = [a for a in plan if not a.owner]
        key = {
            "priority": lambda a: (a.priority, a.due or date.max),
            "due": lambda a: (a.due or date.max, a.priority),
            "owner": lambda a: (a.owner == "", a.owner, a.priority),
            "status": lambda a: (ACTION_STATUSES.index(a.action_status), a.priority),
            "refs": lambda a: a.ref_label(self.lang),
        }[self.sort]
        return sorted(plan, key=key)

    def reload(self) -> None:
        lang = self.lang
        today = date.today()
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        for key in ("priority", "refs", "action", "owner", "due", "status"):
            table.add_column(self.tr(f"plan.col.{key}"), key=key)
        all_actions = self.session.view().plan
        self.rows = self._visible(all_actions)
        # Fit the table to the terminal: the action text takes what the other columns leave.
        action_w = max(16, self.app.size.width - 64)
        late = 0
        for a in self.rows:
            is_late = a.is_late(today)
            late += is_late
            style = "bold red" if is_late else ""
            table.add_row(
                cell(self.tr(f"priority.{a.priority}"), style="bold" if a.priority == 1 else ""),
                cell(a.ref_label(lang), 10),
                cell(a.first_line(lang), action_w, style=style),
                cell(a.owner, 10),
                cell((a.due.isoformat() if a.due else "") + (" " + self.tr("plan.late") if is_late else ""), style=style),
                cell(self.tr(f"action_status.{a.action_status}")),
                key=a.id,
            )
        self.query_one("#plan-bar", Static).update(self.tr(
            "plan.bar", shown=len(self.rows), total=len(all_actions), late=late,
            sort=self.tr(f"plan.sort.{self.sort}"), filter=self.tr(f"plan.filter.{self.filter}"),
        ))
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        table.focus()

    def _current(self) -> Action | None:
        table = self.query_one(DataTable)
        if not self.rows:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        act = self._current()
        if act is None:
            return

        def done(values: dict | None) -> None:
            if values is None:
                return
            try:
                self.session.edit_action(act.id, **values)
            except (ValidationError, StorageError, OSError) as exc:
                self.request(ErrorOccurred(exc))
                return
            self.notify(self.tr("plan.saved"), timeout=2)
            self.reload()

        self.app.push_screen(EditActionScreen(act), done)

    def action_advance_status(self) -> None:
        act = self._current()
        if act is None:
            return
        nxt = ACTION_STATUSES[(ACTION_STATUSES.index(act.action_status) + 1) % len(ACTION_STATUSES)]
        try:
            self.session.edit_action(act.id, status=nxt)
        except (ValidationError, StorageError, OSError) as exc:
            self.request(ErrorOccurred(exc))
            return
        self.reload()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.reload()

    def action_cycle_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self.reload()

    def action_goto_item(self) -> None:
        act = self._current()
        if act is not None and act.item is not None:
            self.request(JumpToItem(act.item.id))

    def action_dashboard(self) -> None:
        self.request(ShowDashboard())

    def action_export(self) -> None:
        self.request(Export())

    def action_back(self) -> None:
        self.app.pop_screen()
