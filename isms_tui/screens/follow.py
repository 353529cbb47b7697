"""Following along, read only: what the facilitator's screen shows while another window,
terminal or browser tab edits the assessment — the current item and its answer, progress, the
workshop session and the last answer changes. Never a second writer: it reads the file (and
the writer's position side file) through :meth:`Workspace.follow` on a timer, and only
re-renders when they changed on disk."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Header, Static

from ..banks import Bank, Item
from ..service import FollowState, StorageError, Workspace
from ..text import clean, display_width, truncate, wrap_ja
from .base import IsmsScreen
from .common import bar, bar_style, error_line, retranslate_bindings
from .footer import IsmsFooter
from .guidance import render as render_guidance

POLL_SECONDS = 0.5  # reading is cheap: a stat of two files, a read only when they changed
TWO_COLUMNS = 110  # from this width the session and the history sit beside the item
SIDE_WIDTH = 42
STATUS_STYLES = {
    "implemented": "bold black on green", "partial": "bold black on yellow",
    "not_implemented": "bold white on red", "not_applicable": "bold black on grey70",
    "unknown": "bold white on magenta", None: "bold white on grey37",
}


def now() -> datetime:
    """The clock the time boxes are read against (a test sets its own)."""
    return datetime.now(UTC)


class FollowScreen(IsmsScreen):
    """A read-only view of an assessment someone else is editing."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("r", "reread", "Re-read", id="follow_reread"),
    ]

    def __init__(self, workspace: Workspace, assessment_id: str):
        super().__init__()
        self.workspace = workspace
        self.assessment_id = assessment_id
        self.follower = workspace.follow(assessment_id)
        self.state: FollowState | None = None
        self.item_id: str | None = None  # the item shown: the writer's, or the last one it had
        self.problem: str | None = None  # the one line about a file that cannot be read now
        self._timer = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="follow-banner", markup=False)
        yield Static(id="follow-note", markup=False)
        with VerticalScroll(id="follow-body"):
            with Vertical(id="follow-cols"):
                with Vertical(id="follow-main"):
                    yield Static(id="follow-item", markup=False)
                    yield Static(id="follow-guidance", markup=False)
                with Vertical(id="follow-side"):
                    yield Static(id="follow-progress", markup=False)
                    yield Static(id="follow-session", markup=False)
                    yield Static(id="follow-history", markup=False)
        yield IsmsFooter()

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)
        self._layout()
        self.poll()
        self._timer = self.set_interval(POLL_SECONDS, self.poll)

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        self.render_state()

    def on_resize(self) -> None:
        if self.is_mounted:
            self._layout()
            self.render_state()

    def _layout(self) -> None:
        self.set_class(self.app.size.width >= TWO_COLUMNS, "-two-columns")

    @property
    def two_columns(self) -> bool:
        return self.has_class("-two-columns")

    # -- reading -----------------------------------------------------------------------------
    def poll(self) -> None:
        """Re-read when the file or the writer's position changed; a file that cannot be
        read now is said in one line and watched on (the last state stays shown)."""
        try:
            state = self.follower.poll()
        except (StorageError, OSError) as exc:
            problem = error_line(exc, self.lang, self.follower.path)
            if problem != self.problem:
                self.problem = problem
                self.render_state()
            return
        if state is None and self.problem is None:
            if self.state is not None and self.state.view.workshop.active is not None:
                self._show_session()  # the time left moves on with the clock
            return
        self.problem = None
        if state is not None:
            self.state = state
            if state.item_id is not None:
                self.item_id = state.item_id
        self.render_state()

    def action_reread(self) -> None:
        """Read the file again now, changed or not."""
        self.follower = self.workspace.follow(self.assessment_id)
        self.poll()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:  # opened from the home screen: back to it
            self.app.pop_screen()
        else:  # started on this screen (isms-tui follow): nothing under it
            self.app.exit(0)

    # -- showing -----------------------------------------------------------------------------
    def _main_width(self) -> int:
        # the body's padding and scroll bar, the column's padding (and the side column)
        width = self.app.size.width - 6
        return width - SIDE_WIDTH if self.two_columns else width

    def _side_width(self) -> int:
        return SIDE_WIDTH - 3 if self.two_columns else self.app.size.width - 6

    def _item(self) -> Item | None:
        if self.state is None or self.item_id is None:
            return None
        return self.state.view.item_ids.get(self.item_id)

    def _bank(self, item: Item) -> Bank:
        assert self.state is not None
        return next(b for b in self.state.view.banks if b.id == item.bank_id)

    def render_state(self) -> None:
        if not self.is_mounted:
            return
        state = self.state
        org = clean(state.view.assessment.organization, multiline=False) if state else self.assessment_id
        self.query_one("#follow-banner", Static).update(Text(self.tr("follow.banner", org=org)))
        note = self.query_one("#follow-note", Static)
        if self.problem is not None:
            note.update(Text(self.tr("follow.damaged", error=self.problem)))
            note.set_class(True, "-error")
        elif state is not None and state.item_id is None:
            note.update(Text(self.tr("follow.nobody")))
            note.set_class(False, "-error")
        note.display = self.problem is not None or (state is not None and state.item_id is None)
        if state is None:
            return
        self._show_item()
        self._show_progress()
        self._show_session()
        self._show_history()

    def _show_item(self) -> None:
        assert self.state is not None
        view, lang, width = self.state.view, self.lang, self._main_width()
        item = self._item()
        out = Text()
        guidance = self.query_one("#follow-guidance", Static)
        if item is None:
            out.append(self.tr("follow.no_item"), style="italic")
            self.query_one("#follow-item", Static).update(out)
            guidance.display = False
            return
        bank = self._bank(item)
        section = bank.section(item.section_id)
        out.append(truncate(clean(f"{bank.title[lang]} › {section.title[lang]}", multiline=False), width) + "\n",
                   style="dim")
        out.append("\n".join(wrap_ja(clean(f"{item.ref_label(lang) or item.id}  {item.title(lang)}", multiline=False), width)),
                   style="bold")
        out.append("\n\n")
        out.append("\n".join(wrap_ja(clean(item.question[lang]), width)))
        out.append("\n\n")
        status = view.status(item.id)
        out.append(" " + self.tr("status." + (status or "unanswered")) + " ", style=STATUS_STYLES[status])
        who = clean(view.decided_by(item.id, lang), multiline=False)
        if who:
            out.append("   " + self.tr("follow.decided_by", who=who))
        parked = view.parked_for(item.id)
        if parked:
            out.append("\n" + self.tr("follow.parked", note=clean(parked[-1].note, multiline=False)), style="bold yellow")
        self.query_one("#follow-item", Static).update(out)
        # the guidance's key lines where there is room for them: beside the session, or tall
        guidance.display = self.two_columns or self.app.size.height >= 40
        if guidance.display:
            md = "\n\n".join([f"### {self.tr('q.why')}", item.why[lang],
                              f"### {self.tr('q.auditor_asks')}", item.auditor_asks[lang]])
            guidance.update(render_guidance(md, heading_style="bold underline", width=width))

    def _show_progress(self) -> None:
        """Where the room is: the item's place, its section's and the assessment's progress.
        Beside the item (two columns) one fact a line; stacked (80 columns) two lines."""
        assert self.state is not None
        view, lang, width = self.state.view, self.lang, self._side_width()
        overall = view.report.overall
        item = self._item()
        rows: list[tuple[str, int, int]] = []  # (label, answered, total)
        out = Text()
        if item is not None:
            bank = self._bank(item)
            done, total = view.section_progress(bank, item.section_id)
            n = next(k for k, i in enumerate(view.items) if i.id == item.id) + 1
            out.append(self.tr("follow.item_pos", n=n, total=len(view.items)), style="bold")
            out.append("\n" if self.two_columns else "   ")
            rows.append((clean(bank.section(item.section_id).title[lang], multiline=False), done, total))
        rows.append((self.tr("follow.overall"), overall.answered, overall.total))
        if self.two_columns:
            for k, (label, done, total) in enumerate(rows):
                ratio = done / total if total else None
                tail = " " + self.tr("follow.answered", done=done, total=total)
                out.append(truncate(label, width) + "\n")
                out.append_text(bar(ratio, max(6, min(24, width - display_width(tail))),
                                    style=bar_style(ratio) if k < len(rows) - 1 else "on blue"))
                out.append(tail + ("\n" if k < len(rows) - 1 else ""))
        else:
            label_w = min(24, max(display_width(label) for label, _, _ in rows))
            head = display_width(out.plain)  # "Item 2/5   ": the rows below line up with the first
            for k, (label, done, total) in enumerate(rows):
                ratio = done / total if total else None
                label = truncate(label, label_w)
                tail = " " + self.tr("follow.answered", done=done, total=total)
                out.append((" " * head if k else "") + label + " " * (label_w - display_width(label) + 1))
                out.append_text(bar(ratio, max(6, min(24, width - head - label_w - 1 - display_width(tail))),
                                    style=bar_style(ratio) if k < len(rows) - 1 else "on blue"))
                out.append(tail + ("\n" if k < len(rows) - 1 else ""))
        self.query_one("#follow-progress", Static).update(out)

    def _show_session(self) -> None:
        if self.state is None or not self.is_mounted:
            return
        view, lang, width = self.state.view, self.lang, self._side_width()
        widget = self.query_one("#follow-session", Static)
        w = view.workshop.active
        if w is None:
            widget.update(Text(self.tr("follow.no_session"), style="dim"))
            return
        out = Text()
        out.append(truncate(clean(w.title, multiline=False) or self.tr("follow.session_untitled"), width) + "\n",
                   style="bold")
        # the stored session says who speaks (the position file may be older than a switch)
        speaker = view.workshop.who(w.speaker, lang) if w.speaker else self.state.speaker
        parts: list[tuple[str, str]] = []  # (text, style): one a line beside the item, else run together
        if speaker:
            parts.append((self.tr("follow.speaker", who=clean(speaker, multiline=False)), ""))
        item = self._item()
        banks = {b.id: b for b in view.banks}
        current = None
        for n, key in enumerate(w.agenda):
            bank_id, _, section_id = key.partition("/")
            bank = banks.get(bank_id)
            if bank is not None and item is not None and item.id in bank.section_item_ids(section_id):
                current = (n, key, bank, section_id)
                break
        if current is not None:
            n, key, bank, section_id = current
            parts.append((self.tr("follow.agenda", n=n + 1, total=len(w.agenda),
                                  section=clean(bank.section(section_id).title[lang], multiline=False)), ""))
            left = w.remaining(key, now())
            if left is not None:
                parts.append((self.tr("follow.time_left" if left >= 0 else "follow.time_over", n=abs(left)),
                              "bold" if left >= 0 else "bold red"))
        elif w.agenda:
            parts.append((self.tr("follow.off_agenda", total=len(w.agenda)), "dim"))
        line = 0
        for text, style in parts:
            text = truncate(text, width)
            gap = 3 if line else 0
            if line and (self.two_columns or line + gap + display_width(text) > width):
                out.append("\n")
                line, gap = 0, 0
            out.append(" " * gap)
            out.append(text, style=style)
            line += gap + display_width(text)
        names = [view.workshop.participants[p].label() for p in w.participants if p in view.workshop.participants]
        if names:
            out.append("\n" + self.tr("follow.participants", names=clean(", ".join(names), multiline=False)))
        widget.update(out)

    def _show_history(self) -> None:
        assert self.state is not None
        view, lang, width = self.state.view, self.lang, self._side_width()
        out = Text()
        out.append(self.tr("follow.history") + "\n", style="bold")
        shown = 6 if self.app.size.height >= 30 else 4
        events = [e for e in reversed(view.workshop.history) if e.item_id in view.item_ids][:shown]
        if not events:
            out.append(self.tr("follow.no_history"), style="dim")
        for e in events:
            item = view.item_ids[e.item_id]
            label = clean(item.ref_label(lang) or item.id, multiline=False)
            change = self.tr("follow.change_status", before=self.tr("status." + (e.before or "unanswered")),
                             after=self.tr("status." + (e.after or "unanswered")))
            if e.by:
                change += " " + self.tr("follow.change_by", who=clean(view.workshop.who(e.by, lang), multiline=False))
            if self.two_columns:  # a narrow column: the question, then its change below it
                out.append(truncate(label, width) + "\n", style="bold")
                out.append("\n".join("  " + line for line in wrap_ja(change, width - 2)) + "\n")
            else:
                out.append("\n".join(wrap_ja(self.tr("follow.change", item=label, change=change), width)) + "\n")
        out.rstrip()
        self.query_one("#follow-history", Static).update(out)
