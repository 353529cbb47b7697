"""Action plan: every gap as an action; sort, filter and edit owner / due / status /
progress in place; late actions stand out."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Header, Input, Label, Select, Static, TextArea

from ..model import ACTION_STATUSES, ValidationError
from ..plan import Action
from ..service import Session, StorageError
from ..text import MAX_FIELD_CHARS, display_width, wrap_ja
from .base import ErrorOccurred, Export, IsmsScreen, JumpToItem, ShowDashboard
from .common import cell, plain, retranslate_bindings
from .footer import IsmsFooter
from .register import FormDialog

SORTS = ("priority", "due", "owner", "status", "refs")
FILTERS = ("open", "all", "late", "p1", "mine_empty")
MIN_ACTION_WIDTH = 16
REFS_COLUMN_FROM = 100
"""Below this many columns the plan has no reference column: the action takes its room and
the detail pane names the selected action's references in full."""
"""The action column never gets fewer cells (the detail pane below shows the whole text)."""


class EditActionScreen(FormDialog):
    """Owner, due date, status and progress of one action: scrolls at 80x24, ctrl+s saves
    from any field, escape cancels (a :class:`FormDialog`)."""

    def __init__(self, action: Action, people: list[str] = ()):
        super().__init__()
        self.action_row = action
        self.people = list(people)  # the workshop's participants: the owner field suggests them

    def compose(self) -> ComposeResult:
        a = self.action_row
        lang = self.lang
        with Vertical(classes="risk-form"):
            yield Static(plain(a.item.heading(lang) if a.item else a.ref_label(lang)), classes="dialog-title")
            yield Static(self.tr("form.hint"), classes="form-hint", markup=False)
            with VerticalScroll(classes="form-body"):
                yield Static(plain(a.title(lang)), classes="dialog-text")
                yield Label(self.tr("plan.col.owner"))
                yield Input(a.owner, id="owner", suggester=SuggestFromList(self.people) if self.people else None)
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
        yield Static(id="plan-detail")
        yield IsmsFooter()

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)  # the data loads on resume (also sent on push)

    def on_screen_resume(self) -> None:
        self.reload()

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        self.reload()

    def on_resize(self) -> None:
        if self.is_mounted and self.app.screen is self:
            self.reload()  # the action column takes the new width

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

    def column_widths(self, cells: dict[str, list[str]], total: int) -> dict[str, int]:
        """Each column's width in terminal cells (East Asian wide characters count two): as
        wide as its header and its widest cell, up to a cap; the action takes the rest."""
        caps = {k: v for k, v in {"priority": 8, "refs": 16, "owner": 14, "due": 22, "status": 12}.items() if k in cells}
        # narrowed (widest first) before the action is
        floors = {k: v for k, v in {"refs": 8, "owner": 6, "due": 10}.items() if k in cells}
        widths = {key: min(cap, max(display_width(v) for v in cells[key])) for key, cap in caps.items()}
        padding = 2 * len(cells) + 2  # one cell each side of every column, and the scroll bar
        # on a narrow screen the action is what a row is read for: half the table before the
        # owner and the overdue mark are kept whole
        least = MIN_ACTION_WIDTH if total >= REFS_COLUMN_FROM else max(MIN_ACTION_WIDTH, (total - padding) // 2)
        room = total - padding - least
        while sum(widths.values()) > room:
            narrowable = [k for k, floor in floors.items() if widths[k] > floor]
            if not narrowable:
                break
            widths[max(narrowable, key=lambda k: widths[k] - floors[k])] -= 1
        widths["action"] = max(MIN_ACTION_WIDTH, total - sum(widths.values()) - padding)
        return widths

    def reload(self) -> None:
        lang = self.lang
        today = date.today()
        table = self.query_one(DataTable)
        keep = table.cursor_row
        all_actions = self.session.view().plan
        self.rows = self._visible(all_actions)
        columns = ("priority", "refs", "action", "owner", "due", "status")
        keys = columns if self.app.size.width >= REFS_COLUMN_FROM else tuple(k for k in columns if k != "refs")
        cells: dict[str, list[str]] = {k: [self.tr(f"plan.col.{k}")] for k in columns}
        late_rows = []
        for a in self.rows:
            is_late = a.is_late(today)
            late_rows.append(is_late)
            cells["priority"].append(self.tr(f"priority.{a.priority}"))
            cells["refs"].append(a.ref_label(lang))
            cells["action"].append(a.first_line(lang))
            cells["owner"].append(a.owner)
            cells["due"].append((a.due.isoformat() if a.due else "") + (" " + self.tr("plan.late") if is_late else ""))
            cells["status"].append(self.tr(f"action_status.{a.action_status}"))
        # Widths are set here, in terminal cells, never left to the table to guess (a reload
        # after an edit used to squeeze every column to a few cells).
        widths = self.column_widths({k: cells[k] for k in keys}, self.app.size.width)
        if widths["due"] < max(map(display_width, cells["due"])):  # no room for "(overdue)": the date
            cells["due"] = [v.split(" ", 1)[0] for v in cells["due"]]  # alone, in red like the row
        table.clear(columns=True)
        for key in keys:
            table.add_column(cell(cells[key][0], widths[key]), key=key, width=widths[key])
        for n, a in enumerate(self.rows, start=1):
            style = "bold red" if late_rows[n - 1] else ""
            styles = {"priority": "bold" if a.priority == 1 else "", "action": style, "due": style}
            table.add_row(*(cell(cells[k][n], widths[k], style=styles.get(k, "")) for k in keys), key=a.id)
        late = sum(late_rows)
        self.query_one("#plan-bar", Static).update(self.tr(
            "plan.bar", shown=len(self.rows), total=len(all_actions), late=late,
            sort=self.tr(f"plan.sort.{self.sort}"), filter=self.tr(f"plan.filter.{self.filter}"),
        ))
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        table.focus()
        self._show_detail()

    def detail_text(self, a: Action) -> str:
        """The selected action in full: its typed references with their titles, what to do,
        and the progress note."""
        lang = self.lang
        lines = [" / ".join(r.full(lang) for r in a.refs) or a.ref_label(lang), a.title(lang)]
        if a.progress:
            lines.append(self.tr("plan.col.progress") + ": " + a.progress)
        return "\n".join(lines)

    def _show_detail(self) -> None:
        act = self._current()
        pane = self.query_one("#plan-detail", Static)
        pane.display = act is not None
        width = self.app.size.width - 2  # the pane's padding
        pane.update(plain("\n".join(wrap_ja(self.detail_text(act), width)) if act else ""))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

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

        people = [p.name for p in self.session.workshop.participants.values()]
        self.app.push_screen(EditActionScreen(act, people), done)

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
        if nxt == "done" and self.filter == "open":
            self.notify(self.tr("plan.done_hidden", filter=self.tr("plan.filter.open")), timeout=6, markup=False)
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
