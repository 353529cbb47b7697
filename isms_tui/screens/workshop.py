"""Workshop screens: start a session (agenda, time boxes, who is in the room), park an item,
and the parked list. Every rule is the core's (isms_tui/workshop.py through the Session);
these only show and collect."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Header, Input, Label, Select, SelectionList, Static

from ..model import UserError
from ..service import Session, StorageError
from ..text import MAX_FIELD_CHARS
from ..workshop import PARKED_STATES, ParkedItem, parse_participants, parse_timebox, section_key
from .base import IsmsScreen, JumpToItem
from .common import cell, error_line, plain
from .footer import IsmsFooter
from .register import BoxedSelectionList, FormDialog, RegisterScreen, fit_columns, opt, select_value


def participant_names(session: Session) -> list[str]:
    """What an owner field suggests: the participants' names."""
    return [p.name for p in session.workshop.participants.values()]


class WorkshopStartDialog(FormDialog):
    """Today's session: a title, the sections on the agenda, time boxes, who is in the room."""

    def __init__(self, session: Session, preset: dict | None = None):
        super().__init__()
        self.session = session
        self.preset = preset or {}

    def compose(self) -> ComposeResult:
        tr, lang, p = self.tr, self.lang, self.preset
        agenda = set(p.get("agenda", []))
        people = set(p.get("participants", self.session.workshop.participants))  # everyone known, by default
        with Vertical(classes="risk-form"):
            yield Static(tr("ws.start.title"), classes="dialog-title", markup=False)
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            with VerticalScroll(classes="form-body"):
                yield Label(tr("ws.start.session_title"))
                yield Input(p.get("title", ""), id="title", placeholder=tr("ws.start.session_title_hint"))
                yield Label(tr("ws.start.agenda"))
                choices = []
                for bank in self.session.banks:
                    for sec in bank.sections:
                        if sec.parent:
                            continue
                        n = len(bank.section_item_ids(sec.id))
                        key = section_key(bank.id, sec.id)
                        label = tr("ws.start.agenda_entry", bank=bank.title[lang], section=sec.title[lang], n=n)
                        choices.append((label, key, key in agenda))
                yield BoxedSelectionList(*choices, id="agenda")
                yield Label(tr("ws.start.timebox"))
                yield Input(p.get("timebox", ""), id="timebox", placeholder=tr("ws.start.timebox_hint"))
                yield Label(tr("ws.start.participants"))
                known = [(x.label(), x.id, x.id in people) for x in self.session.workshop.participants.values()]
                if known:
                    yield BoxedSelectionList(*known, id="participants")
                yield Label(tr("ws.start.new_participants"))
                yield Input(p.get("new", ""), id="new", placeholder=tr("ws.start.new_participants_hint"))
            yield from self.buttons()

    def values(self) -> dict:
        chosen = self.query("#participants")
        return {
            "title": self.query_one("#title", Input).value,
            "agenda": list(self.query_one("#agenda", SelectionList).selected),
            "timebox": self.query_one("#timebox", Input).value,
            "participants": list(chosen.first(SelectionList).selected) if chosen else [],
            "new": self.query_one("#new", Input).value,
        }


def start_workshop(session: Session, values: dict):
    """Apply the start dialog's values: new participants first, then the session. Raises the
    core's UserError (nothing is started then; participants already added stay known)."""
    order = [section_key(b.id, s.id) for b in session.banks for s in b.sections]
    agenda = sorted(values["agenda"], key=order.index)
    timebox = parse_timebox(values["timebox"], agenda)
    people = list(values["participants"])
    for name, role in parse_participants(values["new"]):
        people.append(session.add_participant(name, role).id)
    return session.start_workshop(title=values["title"], agenda=agenda, timebox=timebox, participants=people)


class ParkDialog(FormDialog):
    """Park an item (or edit a parked one): what is open, who takes it, by when; a parked
    item is resolved with how it was settled."""

    def __init__(self, session: Session, heading: str, parked: ParkedItem | None = None, preset: dict | None = None):
        super().__init__()
        self.session = session
        self.heading = heading
        self.parked = parked
        self.preset = preset or {}

    def _v(self, name: str) -> str:
        if name in self.preset:
            return str(self.preset[name] or "")
        return str(getattr(self.parked, name) or "") if self.parked is not None else ""

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="risk-form"):
            yield Static(tr("ws.park.title" if self.parked is None else "ws.park.edit_title"), classes="dialog-title",
                         markup=False)
            yield Static(plain(self.heading), classes="preview")
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            with VerticalScroll(classes="form-body"):
                yield Label(tr("ws.park.note"))
                yield Input(self._v("note"), id="note", placeholder=tr("ws.park.note_hint"))
                yield Label(tr("ws.park.owner"))
                yield Input(self._v("owner"), id="owner", suggester=SuggestFromList(participant_names(self.session)))
                yield Label(tr("ws.park.due"))
                yield Input(self._v("due"), id="due", placeholder="YYYY-MM-DD")
                if self.parked is not None:
                    yield Label(tr("ws.park.state"))
                    yield Select([(opt(tr(f"ws.parked.{s}")), s) for s in PARKED_STATES], allow_blank=False,
                                 value=self._v("state") or "open", id="state")
                    yield Label(tr("ws.park.resolution"))
                    yield Input(self._v("resolution"), id="resolution")
            yield from self.buttons()

    def first_field(self):
        """A new parked item starts with what is open; a parked one with its owner (the end
        of a session gives each an owner and a date)."""
        return self.query_one("#note" if self.parked is None else "#owner", Input)

    def action_save(self) -> None:
        values = self.values()
        if any(len(v) > MAX_FIELD_CHARS for v in values.values()):
            self.notify(self.tr("q.too_long", max=f"{MAX_FIELD_CHARS:,}"), severity="error", markup=False, timeout=8)
            return
        self.dismiss(values)

    def values(self) -> dict:
        out = {k: self.query_one(f"#{k}", Input).value for k in ("note", "owner", "due")}
        if self.parked is not None:
            out["state"] = str(select_value(self.query_one("#state", Select)) or "open")
            out["resolution"] = self.query_one("#resolution", Input).value
        return out


def park_heading(session: Session, item_id: str, lang: str) -> str:
    try:
        item = session.item(item_id)
    except KeyError:
        return item_id
    return f"{item.ref_label(lang)}  {item.title(lang)}"


def edit_parked(screen: IsmsScreen, session: Session, parked: ParkedItem, saved: Callable[[], None],
                preset: dict | None = None) -> None:
    """Open a parked item's dialog from ``screen``; save through the session, then call
    ``saved``. A refused change is said in one line and the dialog opens again with what was
    typed."""

    def done(values: dict | None) -> None:
        if values is None:
            return
        try:
            session.update_parked(parked.id, **values)
        except (UserError, StorageError, OSError) as exc:
            screen.notify(error_line(exc, screen.lang), severity="error", markup=False, timeout=10)
            edit_parked(screen, session, parked, saved, values)  # keep what was typed
            return
        screen.notify(screen.tr("ws.parked.saved"), timeout=2, markup=False)
        saved()

    screen.app.push_screen(ParkDialog(session, park_heading(session, parked.item_id, screen.lang), parked, preset), done)


class ParkedScreen(RegisterScreen):
    """The parking lot: open items first, each with what is open, its owner and date."""

    BINDINGS = [
        Binding("e", "edit", "Edit", id="edit_parked"),
        Binding("enter", "goto", "Question", id="goto_item"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="parked-bar", classes="risk-bar", markup=False)
        yield DataTable(id="parked", classes="risk-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="parked-detail", classes="risk-detail", markup=False)
        yield IsmsFooter()

    def reload(self) -> None:
        lang = self.lang
        view = self.session.view()
        parked = sorted(self.session.workshop.parked.values(), key=lambda p: (not p.is_open, p.created))
        table = self.query_one(DataTable)
        keep = table.cursor_row
        self.rows = parked
        keys = ("state", "ref", "note", "owner", "due")
        cells: dict[str, list[str]] = {k: [self.tr(f"ws.parked.col.{k}")] for k in keys}
        for p in parked:
            item = view.item_ids.get(p.item_id)
            cells["state"].append(self.tr(f"ws.parked.{p.state}"))
            cells["ref"].append(item.ref_label(lang) if item else p.item_id)
            cells["note"].append(p.note)
            cells["owner"].append(p.owner or self.tr("ws.parked.no_owner"))
            cells["due"].append(p.due or "")
        # widths in terminal cells: the dates and states whole, what is open takes the rest
        widths = fit_columns(cells, self.app.size.width, flex="note", flex_min=20,
                             caps={"ref": 16, "owner": 16, "due": 10}, floors={"owner": 8, "ref": 10})
        table.clear(columns=True)
        for key in keys:
            table.add_column(cell(cells[key][0], widths[key]), key=key, width=widths[key])
        for n, p in enumerate(parked, start=1):
            table.add_row(*(cell(cells[k][n], widths[k], style="dim" if k == "state" and not p.is_open else "")
                            for k in keys), key=p.id)
        if parked:
            table.move_cursor(row=min(keep, len(parked) - 1))
        table.focus()
        n_open = sum(1 for p in parked if p.is_open)
        self.query_one("#parked-bar", Static).update(self.tr("ws.parked.bar", open=n_open, resolved=len(parked) - n_open))
        self._detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        p = self._current()
        pane = self.query_one("#parked-detail", Static)
        if p is None:
            pane.update(self.tr("ws.parked.empty"))
            return
        lines = [park_heading(self.session, p.item_id, self.lang), p.note]
        if p.resolution:
            lines.append(self.tr("ws.parked.resolved_how", how=p.resolution))
        from .register import show_detail

        show_detail(pane, lines, self.app.size.width)

    def open_row(self) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        p = self._current()
        if p is not None:
            edit_parked(self, self.session, p, self.reload)

    def action_goto(self) -> None:
        p = self._current()
        if p is not None and p.item_id in self.session.view().item_ids:
            self.request(JumpToItem(p.item_id))
