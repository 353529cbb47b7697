"""The questionnaire: one item at a time (so moving on stays instant with 400+ items), a
section list with progress, the five statuses on number keys, note / evidence / owner / due,
and the guidance rendered from Markdown."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.suggester import SuggestFromList
from textual.widgets import Button, Header, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ..banks import Item
from ..model import STATUSES, ValidationError
from ..scoring import pct
from ..service import Session, StorageError
from ..soa_decisions import decision_control, suggestion
from ..text import MAX_FIELD_CHARS, clean, display_width, truncate, wrap_ja
from ..workshop import section_key, session_changes
from .base import Export, GoHome, IsmsScreen, ShowDashboard, ShowPlan, StartOrEndWorkshop
from .common import error_line, plain, retranslate_bindings
from .dialogs import PromptScreen
from .footer import IsmsFooter
from .guidance import render as render_guidance

STATUS_KEYS = {"1": "implemented", "2": "partial", "3": "not_implemented", "4": "not_applicable", "5": "unknown", "0": None}
FILTERS = ("all", "unanswered", "gaps", "mandatory", "new2022", "reconfirm")  # reconfirm: in a next cycle
TEXT_FIELDS = ("note", "evidence", "owner", "due", "last_done", "na_justification")
FIELD_LABELS = {"na_justification": "q.na_justification", "note": "q.note", "evidence": "q.evidence",
                "owner": "q.owner", "due": "q.due", "last_done": "q.last_done"}
# The SoA decision of the item's control: fields of their own, saved through the service.
SOA_INPUTS = {"soa_justification": "justification", "soa_implementation": "implementation"}
SAVE_DELAY = 0.4
FOCUS_MARGIN = 4  # focus mode (projector): cells of margin each side of the item
FOCUS_BUTTON_EXTRA = 6  # focus mode: a status button is its label, 2 edges, 2 padding, 2 margin
ITEM_ACTIONS = {"status", "next", "prev", "next_unanswered", "cycle_filter", "edit_note", "park"}
PREVIEW_CHARS = {"note": 2_000, "evidence": 2_000}  # what an over-long text area shows; one-line fields: 200


def section_item_ids(session: Session, bank_id: str, section_id: str) -> list[str]:
    """The items of a section and of its sub-sections, in bank order."""
    bank = next((b for b in session.banks if b.id == bank_id), None)
    return bank.section_item_ids(section_id) if bank else []


class QuestionnaireScreen(IsmsScreen):
    BINDINGS = [
        Binding("1", "status('1')", "Implemented", id="st_implemented", show=False),
        Binding("2", "status('2')", "Partial", id="st_partial", show=False),
        Binding("3", "status('3')", "Not implemented", id="st_not_implemented", show=False),
        Binding("4", "status('4')", "N/A", id="st_not_applicable", show=False),
        Binding("5", "status('5')", "Unknown", id="st_unknown", show=False),
        Binding("0", "status('0')", "Unanswered", id="st_unanswered", show=False),
        # The footer shows keys in this order and drops the last ones at 80 columns: the other
        # screens and the export first; n/p last (PageDown/PageUp do the same).
        Binding("d", "dashboard", "Dashboard", id="dashboard"),
        Binding("a", "plan", "Plan", id="plan"),
        Binding("x", "export", "Excel", id="export"),
        Binding("w", "next_speaker", "Speaker", id="next_speaker"),  # shown while a workshop runs
        Binding("k", "park", "Park", id="park"),
        Binding("u", "next_unanswered", "Unanswered", id="next_unanswered"),
        Binding("f", "cycle_filter", "Filter", id="filter"),
        Binding("e", "edit_note", "Note", id="edit_note"),
        Binding("v", "view_long", "Full text", id="view_long"),
        Binding("s", "toggle_sections", "Sections", id="toggle_sections"),
        Binding("z", "toggle_focus", "Focus", id="toggle_focus"),
        Binding("g", "toggle_detail", "Guidance", id="toggle_detail", show=False),
        Binding("W", "workshop", "Workshop", id="workshop", show=False),
        Binding("n,pagedown", "next", "Next", id="next"),
        Binding("p,pageup", "prev", "Prev", id="prev"),
        Binding("escape", "leave", "Back", id="back"),
    ]

    def __init__(self, session: Session, start: int = 0, filter: str = "all"):
        super().__init__()
        self.session = session
        self.index = max(0, min(start, len(session.items) - 1))  # shown from the first paint on
        self.filter = filter if filter in FILTERS else "all"
        self.quick = filter == "mandatory"  # the quick check: says so once the mandatory items are answered
        self.pending: dict[str, str] = {}
        self.shortened: dict[str, int] = {}  # field -> length of the stored text shown shortened
        self._badges: list[str] = []  # the current item's badges (mandatory, new in 2022, recurring)
        self.soa_pending: dict[str, str] = {}  # SoA fields typed for the control in soa_pending_control
        self.soa_pending_control: str | None = None
        self._save_timer = None
        self._loading = False
        self._sections_user: bool | None = None  # the user's s toggle wins over the width

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="q-body"):
            yield OptionList(id="sections")
            with Vertical(id="item-pane"):
                yield Static(id="workshop-bar", markup=False)
                yield Static(id="item-head", markup=False)
                yield Static(id="item-ref", markup=False)
                yield Static(id="also-asked", markup=False)
                yield Static(id="question", markup=False)
                with Horizontal(id="status-row"):
                    for _key, status in STATUS_KEYS.items():
                        yield Button("", id=f"st-{status or 'none'}", classes="status-btn")
                yield Static(id="na-condition", markup=False)
                with VerticalScroll(id="detail"):
                    yield Static(id="guidance")
                    yield Label(id="lbl-na", classes="field-label")
                    yield Input(id="na_justification")
                    yield Label(id="lbl-note", classes="field-label")
                    yield TextArea(id="note", soft_wrap=True, tab_behavior="focus")
                    yield Label(id="lbl-evidence", classes="field-label")
                    yield TextArea(id="evidence", soft_wrap=True, tab_behavior="focus")
                    with Horizontal(id="meta-row"):
                        with Vertical(classes="meta-cell"):
                            yield Label(id="lbl-owner", classes="field-label")
                            yield Input(id="owner", suggester=SuggestFromList(
                                [p.name for p in self.session.workshop.participants.values()]))
                        with Vertical(classes="meta-cell"):
                            yield Label(id="lbl-due", classes="field-label")
                            yield Input(id="due", placeholder="YYYY-MM-DD")
                        with Vertical(classes="meta-cell", id="last-done-cell"):
                            yield Label(id="lbl-last_done", classes="field-label")
                            yield Input(id="last_done", placeholder="YYYY-MM-DD")
                    with Vertical(id="soa-fields"):
                        yield Label(id="lbl-soa_justification", classes="field-label")
                        yield Input(id="soa_justification")
                        yield Label(id="lbl-soa_implementation", classes="field-label")
                        yield Input(id="soa_implementation")
                yield Static(id="savebar", markup=False)
        yield IsmsFooter()

    def on_mount(self) -> None:
        self.query_one("#detail").can_focus = True
        self.query_one("#sections").display = self._sections_shown(self.app.size.width)
        self.relabel()
        self.goto_index(self.index)
        self.set_interval(20, self._show_workshop)  # the time box counts down

    def _sections_shown(self, width: int) -> bool:
        """The section list takes room from 100 columns on, unless the user toggled it (s)."""
        return self._sections_user if self._sections_user is not None else width >= 100

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        self._fit_status_row()
        self._field_labels()
        self.query_one("#note", TextArea).placeholder = self.tr("q.note_placeholder")
        self.query_one("#evidence", TextArea).placeholder = self.tr("q.evidence_placeholder")
        self._build_sections()
        if self.is_mounted:
            self._show_item(reload_fields=False)

    # -- the status buttons: all six always whole ------------------------------------------
    def status_labels(self, short: bool) -> dict[str | None, str]:
        """The buttons' labels: "1 Implemented" ... "0 Clear", or the short forms."""
        out: dict[str | None, str] = {}
        for key, status in STATUS_KEYS.items():
            name = "clear" if status is None else status
            label = self.tr(f"status.short.{name}") if short else (
                self.tr("q.clear") if status is None else self.tr("status." + status))
            out[status] = f"{key} {label}"
        return out

    def status_layout(self, width: int, extra: int = 3) -> tuple[bool, int]:
        """(short labels?, rows) for a status row ``width`` cells wide: the full labels on one
        row if they fit, else the short ones, else two rows of three (full, then short).
        ``extra``: the cells a button adds to its label (2 edges and 1 margin; more in focus mode)."""
        for short, rows in ((False, 1), (True, 1), (False, 2), (True, 2)):
            widths = [display_width(label) + extra for label in self.status_labels(short).values()]
            if (sum(widths) if rows == 1 else max(widths) * 3) <= width:
                return short, rows
        return True, 2

    def _pane_width(self) -> int:
        """The item pane's width in cells: the terminal's, less the section list when shown."""
        sections = self.query_one("#sections")
        return int(self.app.size.width - (sections.styles.width.value if sections.display else 0))

    def _text_width(self) -> int:
        """Cells for the question's lines: the pane less its padding (wider margins in focus mode)."""
        return self._pane_width() - (2 + 2 * FOCUS_MARGIN if self.has_class("-focus") else 2)

    def _fit_status_row(self) -> None:
        focus = self.has_class("-focus")
        width = self._text_width() - (2 if focus else 0)
        short, rows = self.status_layout(int(width), extra=FOCUS_BUTTON_EXTRA if focus else 3)
        row = self.query_one("#status-row")
        row.set_class(rows == 2, "-two-rows")
        for status, label in self.status_labels(short).items():
            button = self.query_one(f"#st-{status or 'none'}", Button)
            button.label = label
            button.refresh(layout=True)  # Button.label does not re-layout: an auto width kept the old label's

    def on_resize(self) -> None:
        self.query_one("#sections").display = self._sections_shown(self.app.size.width) and not self.has_class("-focus")
        self._fit_status_row()
        if self.is_mounted and self.session.items:
            self._show_item(reload_fields=False)

    # -- sections --------------------------------------------------------------------------
    def _section_prompt(self, bank_id: str, section_id: str, depth: int) -> Text:
        bank = next(b for b in self.session.banks if b.id == bank_id)
        sec = bank.section(section_id)
        done, total = self.session.view().section_progress(bank, section_id)
        label = truncate(clean(sec.title[self.lang], multiline=False), 24 - 2 * depth)
        text = Text("  " * depth + label)
        text.append(f" {done}/{total}", style="bold green" if done == total and total else "dim")
        return text

    def _section_items(self, bank_id: str, section_id: str) -> list[str]:
        return section_item_ids(self.session, bank_id, section_id)

    @staticmethod
    def section_start(session: Session, bank_id: str, section_id: str) -> int:
        """Index of the first item of a section (or of its sub-sections); 0 if none."""
        ids = set(section_item_ids(session, bank_id, section_id))
        return next((n for n, item in enumerate(session.items) if item.id in ids), 0)

    def _depth(self, bank, section) -> int:
        depth, parent = 0, section.parent
        while parent:
            depth += 1
            parent = bank.section(parent).parent
        return depth

    def _build_sections(self) -> None:
        ol = self.query_one("#sections", OptionList)
        options: list[Option] = []
        for bank in self.session.banks:
            options.append(Option(Text(truncate(bank.title[self.lang], 26), style="bold"), id=f"bank:{bank.id}", disabled=True))
            for sec in bank.sections:
                options.append(Option(self._section_prompt(bank.id, sec.id, self._depth(bank, sec)), id=f"{bank.id}:{sec.id}"))
        ol.set_options(options)

    def _refresh_section_progress(self, item: Item) -> None:
        ol = self.query_one("#sections", OptionList)
        bank = next(b for b in self.session.banks if b.id == item.bank_id)
        sec_id = item.section_id
        while sec_id:
            sec = bank.section(sec_id)
            ol.replace_option_prompt(f"{bank.id}:{sec_id}", self._section_prompt(bank.id, sec_id, self._depth(bank, sec)))
            sec_id = sec.parent

    @on(OptionList.OptionSelected, "#sections")
    def _section_selected(self, event: OptionList.OptionSelected) -> None:
        bank_id, _, section_id = (event.option.id or "").partition(":")
        self.goto_section(bank_id, section_id)
        self.query_one("#detail").focus()

    def goto_section(self, bank_id: str, section_id: str) -> None:
        ids = set(bank.section_item_ids(section_id)) if (bank := next((b for b in self.session.banks if b.id == bank_id), None)) else set()
        if any(item.id in ids for item in self.session.items):
            self.goto_index(self.section_start(self.session, bank_id, section_id))

    # -- items -----------------------------------------------------------------------------
    @property
    def item(self) -> Item:
        return self.session.items[self.index]

    def _matches(self, item: Item) -> bool:
        return self.session.view().matches(item, self.filter)

    def goto_index(self, index: int) -> None:
        if not self.session.items:
            return
        self.flush_pending()
        self.index = max(0, min(index, len(self.session.items) - 1))
        self._show_item(reload_fields=True)
        self.session.show_position(self.item.id)  # where read-only followers see the room

    def _show_item(self, *, reload_fields: bool) -> None:
        if not self.session.items:
            return
        lang = self.lang
        item = self.item
        bank = next(b for b in self.session.banks if b.id == item.bank_id)
        sec = bank.section(item.section_id)
        pos = f"{self.index + 1}/{len(self.session.items)}"
        self.query_one("#item-head", Static).update(f"{bank.title[lang]} › {sec.title[lang]}   {pos}")
        badges = []
        if item.mandatory:
            badges.append(self.tr("badge.mandatory"))
        if item.new_in_2022:
            badges.append(self.tr("badge.new2022"))
        if item.every_months:
            badges.append(self.tr("badge.recurring", months=item.every_months))
        self._badges = badges
        self._show_ref()
        self._show_also_asked()
        # wrapped here with the Japanese line-breaking rules (no line starts with 。、」)
        self.query_one("#question", Static).update(plain("\n".join(wrap_ja(clean(item.question[lang]), self._text_width()))))
        self._show_status()
        self.query_one("#last-done-cell").display = item.every_months is not None
        self._label_soa_fields()
        if reload_fields:
            self._load_fields()
        md = "\n\n".join([
            f"### {self.tr('q.why')}", item.why[lang],
            f"### {self.tr('q.auditor_asks')}", item.auditor_asks[lang],
            f"### {self.tr('q.evidence_examples')}", "\n".join(f"- {e}" for e in item.evidence[lang]),
            f"### {self.tr('q.action')}", item.action[lang],
        ])
        guidance = self.query_one("#guidance", Static)
        # its own width once laid out, less room for the scroll bar a long text brings
        width = (guidance.size.width or self._pane_width() - 4) - 2
        guidance.update(render_guidance(md, heading_style="bold underline", width=width))
        self._update_savebar()
        self._reach_section(bank.id, self._top_section(bank, item).id)
        self._show_workshop()

    def _show_ref(self) -> None:
        """The item's references, title and badges; "last cycle's answer: to re-confirm" while
        the answer is the previous cycle's baseline (answering again clears it)."""
        lang, item = self.lang, self.item
        badges = list(self._badges)
        if self.session.view().to_reconfirm(item.id):
            badges.insert(0, self.tr("reconfirm.badge"))
        ref_line = f"{item.ref_label(lang)}  {item.title(lang)}" + ("   " + " ".join(f"[{b}]" for b in badges) if badges else "")
        self.query_one("#item-ref", Static).update(ref_line)

    def _show_also_asked(self) -> None:
        """The same requirement asked in other banks, with their answers."""
        lang = self.lang
        view = self.session.view()
        linked = view.also_asked(self.item.id)
        widget = self.query_one("#also-asked", Static)
        widget.display = bool(linked) and not self.has_class("-focus")
        if linked:  # named where the user answers them (never by internal item id)
            parts = [f"{view.asked_in(i, lang)}: {self.tr('status.' + (st or 'unanswered'))}" for i, st in linked]
            widget.update(plain(self.tr("q.also_asked", items=" / ".join(parts))))

    def _show_status(self) -> None:
        self._show_ref()
        answer = self.session.answers.get(self.item.id)
        current = answer.status if answer else None
        for status in (*STATUSES, None):
            btn = self.query_one(f"#st-{status or 'none'}", Button)
            btn.set_class(status == current, "-active")
            btn.disabled = status == "not_applicable" and not self.item.na_allowed
        condition = self.na_condition_text(self.item)
        widget = self.query_one("#na-condition", Static)
        widget.display = condition is not None
        widget.update(plain(condition))
        na = current == "not_applicable"
        self.query_one("#lbl-na").display = na
        self.query_one("#na_justification").display = na

    def na_condition_text(self, item: Item) -> str | None:
        """When the bank says "not applicable" is allowed only under a condition: that condition."""
        if not item.na_allowed or not item.na_condition:
            return None
        return self.tr("q.na_condition", condition=item.na_condition.get(self.lang) or "")

    def _field_labels(self) -> None:
        for name, key in FIELD_LABELS.items():
            label = self.query_one("#lbl-na" if name == "na_justification" else f"#lbl-{name}", Label)
            text = self.tr(key)
            if name in self.shortened:
                text += "  " + self.tr("q.shortened", total=f"{self.shortened[name]:,}")
            label.update(text)
            label.set_class(name in self.shortened, "-shortened")

    def _load_fields(self) -> None:
        """Show the item's stored text. A text longer than the typing limit is kept as it is
        stored; the field shows its beginning with a mark, read-only ("v" shows it all)."""
        answer = self.session.answers.get(self.item.id)
        before, self.shortened = self.shortened, {}
        with self.prevent(Input.Changed, TextArea.Changed):
            for name in TEXT_FIELDS:
                value = (getattr(answer, name) or "") if answer else ""
                widget = self.query_one(f"#{name}")
                long = len(value) > MAX_FIELD_CHARS
                if long:
                    self.shortened[name] = len(value)
                    mark = self.tr("q.shortened_mark", total=f"{len(value):,}")
                    value = value[:PREVIEW_CHARS.get(name, 200)] + ("\n" if isinstance(widget, TextArea) else " ") + mark
                if isinstance(widget, TextArea):
                    widget.read_only = long
                    widget.load_text(value)
                else:
                    widget.disabled = long
                    widget.value = value
            self._load_soa_fields()
        if before or self.shortened:  # (moving between ordinary items relabels nothing)
            self._field_labels()
            self.refresh_bindings()
        self.query_one("#detail", VerticalScroll).scroll_home(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_speaker":
            return self.session.active_workshop is not None
        if action == "toggle_detail":
            return self.has_class("-focus")
        if action == "view_long":
            return bool(self.shortened)
        if action in ITEM_ACTIONS:
            return bool(self.session.items)  # every bank it uses failed to load: nothing to answer
        return True

    # -- saving ----------------------------------------------------------------------------
    def _update_savebar(self, message: str | None = None, error: bool = False) -> None:
        bar = self.query_one("#savebar", Static)
        answered = sum(1 for i in self.session.items if (a := self.session.answers.get(i.id)) and a.status)
        filt = self.tr(f"filter.{self.filter}")
        base = self.tr("q.progress", answered=answered, total=len(self.session.items), filter=filt)
        if self.filter != "all" and self.session.items:
            view = self.session.view()
            shown = [n for n, i in enumerate(self.session.items) if view.matches(i, self.filter)]
            pos = shown.index(self.index) + 1 if self.index in shown else "-"
            base += "  " + self.tr("q.filter_pos", pos=pos, count=len(shown))
        reconfirm = len(self.session.view().reconfirm_items) if self.session.items else 0
        if reconfirm:  # a next cycle: how many of last cycle's answers are still to re-confirm
            base += "  " + self.tr("q.reconfirm_count", n=reconfirm)
        bar.set_class(error, "-error")
        bar.update(f"{message}   {base}" if message else base)

    def _saved(self) -> None:
        self._update_savebar(self.tr("q.saved", time=datetime.now().strftime("%H:%M:%S")))

    def _save_failed(self, exc: Exception) -> None:
        msg = error_line(exc, self.lang, getattr(self.session.file, "path", None))
        self._update_savebar(self.tr("q.save_failed", error=msg), error=True)
        self.notify(msg, severity="error", markup=False, timeout=8)

    def _label_soa_fields(self) -> None:
        """The SoA fields of the item's control (one decision per control, shared by its
        questions), shown only on items that ask about exactly one control; the suggestion
        is placeholder text, never saved."""
        ref = decision_control(self.item, self.session.assessment.edition)
        self.query_one("#soa-fields").display = ref is not None
        if ref is None:
            return
        lang = self.isms.lang
        decision = self.session.soa.get(ref.key)
        answer = self.session.answers.get(self.item.id)
        excluded = (decision.applicable is False) if decision and decision.applicable is not None else (
            answer is not None and answer.status == "not_applicable")
        self.query_one("#lbl-soa_justification", Label).update(self.tr("q.soa_justification", control=ref.label(lang)))
        self.query_one("#lbl-soa_implementation", Label).update(self.tr("q.soa_implementation", control=ref.label(lang)))
        self.query_one("#soa_justification", Input).placeholder = suggestion(ref, lang, applicable=not excluded)
        self.query_one("#soa_implementation", Input).placeholder = self.tr("q.soa_implementation_placeholder")

    def _load_soa_fields(self) -> None:
        ref = decision_control(self.item, self.session.assessment.edition)
        decision = self.session.soa.get(ref.key) if ref else None
        self.query_one("#soa_justification", Input).value = decision.justification if decision else ""
        self.query_one("#soa_implementation", Input).value = decision.implementation if decision else ""

    def _flush_soa(self) -> None:
        pending, control = self.soa_pending, self.soa_pending_control
        self.soa_pending, self.soa_pending_control = {}, None
        if not pending or control is None:
            return
        try:
            self.session.set_soa_decision(control, **{SOA_INPUTS[k]: v for k, v in pending.items()})
        except (ValidationError, StorageError, OSError) as exc:
            self._save_failed(exc)
            return
        self._saved()

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _field_changed(self, event) -> None:
        widget = event.input if isinstance(event, Input.Changed) else event.text_area
        if widget.id in SOA_INPUTS:
            ref = decision_control(self.item, self.session.assessment.edition)
            if ref is None:
                return
            if self.soa_pending_control not in (None, ref.key):
                self._flush_soa()
            self.soa_pending_control = ref.key
            self.soa_pending[widget.id] = widget.value
            self._update_savebar(self.tr("q.editing"))
            if self._save_timer is not None:
                self._save_timer.stop()
            self._save_timer = self.set_timer(SAVE_DELAY, self.flush_pending)
            return
        if widget.id not in TEXT_FIELDS or widget.id in self.shortened:
            return  # a shortened field shows a preview: it is never saved over the stored text
        value = widget.value if isinstance(widget, Input) else widget.text
        if len(value) > MAX_FIELD_CHARS:
            value = value[:MAX_FIELD_CHARS]
            with self.prevent(Input.Changed, TextArea.Changed):
                if isinstance(widget, TextArea):
                    widget.load_text(value)
                    widget.move_cursor(widget.document.end)
                else:
                    widget.value = value
                    widget.cursor_position = len(value)
            self.notify(self.tr("q.too_long", max=f"{MAX_FIELD_CHARS:,}"), severity="warning", markup=False, timeout=8)
        self.pending[widget.id] = value
        self._update_savebar(self.tr("q.editing"))
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_DELAY, self.flush_pending)

    def flush_pending(self) -> None:
        """Save what was typed (called after a pause, on leaving an item and on quit)."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        self._flush_soa()
        if not self.pending:
            return
        pending, self.pending = self.pending, {}
        item_id = self.item.id
        for name in ("due", "last_done"):
            if name in pending and pending[name].strip():
                try:
                    datetime.strptime(pending[name].strip(), "%Y-%m-%d")
                except ValueError:
                    self._update_savebar(self.tr("q.bad_date"), error=True)
                    del pending[name]
        if not pending:
            return
        try:
            self.session.set_fields(item_id, **pending)
        except (ValidationError, StorageError, OSError) as exc:
            self._save_failed(exc)
            return
        self._saved()

    # -- actions ---------------------------------------------------------------------------
    def action_status(self, key: str) -> None:
        if not self.session.items:
            return
        status = STATUS_KEYS[key]
        item = self.item
        if status == "not_applicable":
            if not item.na_allowed:
                self._save_failed(ValidationError("error.na_not_allowed"))
                return
            answer = self.session.answers.get(item.id)
            current = (answer.na_justification if answer else "") or ""

            def done(value: str | None) -> None:
                if value is None or not value.strip():
                    if value is not None:
                        self._save_failed(ValidationError("error.na_needs_justification"))
                    return
                if len(value) > MAX_FIELD_CHARS:
                    value = value[:MAX_FIELD_CHARS]
                    self.notify(self.tr("q.too_long", max=f"{MAX_FIELD_CHARS:,}"), severity="warning", markup=False, timeout=8)
                self._apply_status(item, status, na_justification=value)

            prompt = self.tr("q.na_prompt")
            if condition := self.na_condition_text(item):
                prompt += "\n" + condition
            self.app.push_screen(PromptScreen(prompt, current), done)
            return
        self._apply_status(item, status)
        answer = self.session.answers.get(item.id)
        if status == "implemented" and item.every_months and answer and answer.status == status and not answer.last_done:
            # a recurring activity without its last date counts as overdue: say so now
            self.notify(self.tr("q.recurring_needs_date", months=item.every_months), severity="warning",
                        timeout=10, markup=False)

    def _apply_status(self, item: Item, status: str | None, **kwargs) -> None:
        self.flush_pending()
        try:
            self.session.set_status(item.id, status, answered_by=self._who(), **kwargs)
        except (ValidationError, StorageError, OSError) as exc:
            self._save_failed(exc)
            return
        if item is self.item:
            self._show_status()
            if "na_justification" in kwargs:
                with self.prevent(Input.Changed):
                    self.query_one("#na_justification", Input).value = kwargs["na_justification"]
        self._refresh_section_progress(item)
        if item is self.item:
            self._show_also_asked()
        self._saved()
        self._show_workshop()
        if self.quick and status is not None and item.mandatory:
            self._quick_check_done()

    def _quick_check_done(self) -> None:
        """The quick check ends when every mandatory item is answered: the result and the way on."""
        view = self.session.view()
        if any(i.mandatory and view.status(i.id) is None for i in self.session.items):
            return
        self.quick = False
        gate = view.gate
        self.notify(self.tr("quick.done", readiness=pct(view.overall.readiness),
                            gate=self.tr("gate.ready") if gate.ready else self.tr("gate.not_ready", n=len(gate.blockers))),
                    timeout=20, markup=False)

    def _who(self) -> str:
        import getpass

        try:
            return getpass.getuser()
        except (OSError, KeyError):
            return ""

    @on(Button.Pressed, ".status-btn")
    def _status_button(self, event: Button.Pressed) -> None:
        status = (event.button.id or "")[3:]
        key = next(k for k, v in STATUS_KEYS.items() if (v or "none") == status)
        self.action_status(key)

    def _step(self, direction: int) -> None:
        n = self.index + direction
        while 0 <= n < len(self.session.items):
            if self._matches(self.session.items[n]):
                self.goto_index(n)
                return
            n += direction
        self.notify(self.tr("q.no_more"), timeout=2)

    def action_next(self) -> None:
        self._step(1)

    def action_prev(self) -> None:
        self._step(-1)

    def action_next_unanswered(self) -> None:
        items = self.session.items
        for k in range(1, len(items) + 1):
            n = (self.index + k) % len(items)
            a = self.session.answers.get(items[n].id)
            if a is None or a.status is None:
                self.goto_index(n)
                return
        self.notify(self.tr("q.all_answered"), timeout=3)

    def _filters(self) -> tuple[str, ...]:
        """The filter cycle: "to re-confirm" only while some answers are (a next cycle)."""
        if self.filter == "reconfirm" or self.session.view().reconfirm_items:
            return FILTERS
        return tuple(f for f in FILTERS if f != "reconfirm")

    def action_cycle_filter(self) -> None:
        filters = self._filters()
        self.filter = filters[(filters.index(self.filter) + 1) % len(filters)]
        self._update_savebar()
        if not self._matches(self.item):
            self._step(1)

    def action_edit_note(self) -> None:
        if "note" in self.shortened:
            self.view_long("note")
            return
        self.query_one("#note", TextArea).focus()

    def action_view_long(self) -> None:
        focused = self.focused.id if self.focused else None
        name = focused if focused in self.shortened else next((n for n in TEXT_FIELDS if n in self.shortened), None)
        if name:
            self.view_long(name)

    def view_long(self, name: str) -> None:
        """The whole stored text, page by page; the user may shorten it to edit it here."""
        from .longtext import LongTextScreen

        item = self.item
        answer = self.session.answers.get(item.id)
        full = (getattr(answer, name) or "") if answer else ""

        def done(shorten: bool | None) -> None:
            if not shorten:
                return
            try:
                self.session.set_fields(item.id, **{name: full[:MAX_FIELD_CHARS]})
            except (ValidationError, StorageError, OSError) as exc:
                self._save_failed(exc)
                return
            if item is self.item:
                self._load_fields()
                self.query_one(f"#{name}").focus()
            self._saved()

        self.flush_pending()
        self.app.push_screen(LongTextScreen(self.tr(FIELD_LABELS[name]), full), done)

    def action_toggle_sections(self) -> None:
        ol = self.query_one("#sections", OptionList)
        ol.display = not ol.display
        self._sections_user = ol.display
        self._fit_status_row()
        self._show_item(reload_fields=False)
        if ol.display:
            ol.focus()

    # -- workshop: the room, its speaker, the parking lot, the projector layout --------------
    @staticmethod
    def _top_section(bank, item: Item):
        sec = bank.section(item.section_id)
        while sec.parent:
            sec = bank.section(sec.parent)
        return sec

    def _reach_section(self, bank_id: str, section_id: str) -> None:
        """The room reached an agenda section: its time box starts (saved once)."""
        w = self.session.active_workshop
        if w is None or section_key(bank_id, section_id) in w.section_started:
            return
        try:
            self.session.reach_section(bank_id, section_id)
        except (ValidationError, StorageError, OSError) as exc:
            self._save_failed(exc)

    def workshop_line(self) -> str:
        """The session at a glance: the section's progress, where it is on the agenda, the
        time box, what this session answered and changed, the current speaker, parked items."""
        if not self.session.items:
            return ""
        lang = self.lang
        view = self.session.view()
        item = self.item
        bank = next(b for b in self.session.banks if b.id == item.bank_id)
        top = self._top_section(bank, item)
        done, total = view.section_progress(bank, top.id)
        parts = [self.tr("ws.bar.section", section=top.title[lang], done=done, total=total)]
        w = self.session.active_workshop
        if w is not None:
            key = section_key(bank.id, top.id)
            if key in w.agenda:
                parts.append(self.tr("ws.bar.agenda", n=w.agenda.index(key) + 1, total=len(w.agenda)))
            elif w.agenda:
                parts.append(self.tr("ws.bar.off_agenda"))
            left = w.remaining(key)
            if left is not None:
                parts.append(self.tr("ws.bar.left", n=left) if left >= 0 else self.tr("ws.bar.over", n=-left))
            answered, changed = session_changes(self.session.workshop.events(w.id), view.item_ids)
            parts.append(self.tr("ws.bar.session", answered=len(answered), changed=len(changed)))
            who = self.session.workshop.who(w.speaker, lang) if w.speaker else self.tr("ws.bar.nobody")
            parts.append(self.tr("ws.bar.speaker", who=who))
        parked = view.parked_for(item.id)
        if parked:
            parts.append(self.tr("ws.bar.parked", n=len(parked)))
        return "  \u00b7  ".join(parts)

    def _show_workshop(self) -> None:
        bar = self.query_one("#workshop-bar", Static)
        shown = self.session.active_workshop is not None or self.has_class("-focus")
        bar.display = shown
        if shown:
            bar.update(plain("\n".join(wrap_ja(self.workshop_line(), max(20, self._pane_width() - 2)))))

    def workshop_changed(self) -> None:
        """A session started or ended: the bar, the keys it brings, the owners it suggests."""
        names = [p.name for p in self.session.workshop.participants.values()]
        self.query_one("#owner", Input).suggester = SuggestFromList(names)
        self._show_workshop()
        self.refresh_bindings()

    def action_next_speaker(self) -> None:
        try:
            w = self.session.next_speaker()
        except (ValidationError, StorageError, OSError) as exc:
            self._save_failed(exc)
            return
        self.notify(self.tr("ws.speaker_now", who=self.session.workshop.who(w.speaker, self.lang)), timeout=3, markup=False)
        self._show_workshop()

    def action_park(self, preset: dict | None = None) -> None:
        from .workshop import ParkDialog, park_heading

        item = self.item
        self.flush_pending()

        def done(values: dict | None) -> None:
            if values is None:
                return
            try:
                self.session.park(item.id, values["note"], owner=values["owner"], due=values["due"] or None)
            except (ValidationError, StorageError, OSError) as exc:
                self._save_failed(exc)
                self.action_park(values)  # keep what was typed
                return
            self.notify(self.tr("ws.park.saved"), timeout=3, markup=False)
            self._show_workshop()

        self.app.push_screen(ParkDialog(self.session, park_heading(self.session, item.id, self.lang), preset=preset), done)

    def action_toggle_focus(self) -> None:
        """The projector layout: one item with wide margins, the question and the statuses
        large, the progress line on top; the side panels hidden until asked for (s, g)."""
        focus = not self.has_class("-focus")
        self.set_class(focus, "-focus")
        self.remove_class("-show-detail")
        sections = self.query_one("#sections")
        sections.display = False if focus else self._sections_shown(self.app.size.width)
        self._fit_status_row()
        self._show_item(reload_fields=False)
        self.refresh_bindings()

    def action_workshop(self) -> None:
        """W: start a workshop session here, or end the one running."""
        self.flush_pending()
        self.request(StartOrEndWorkshop())

    def action_toggle_detail(self) -> None:
        self.toggle_class("-show-detail")

    def action_dashboard(self) -> None:
        self.flush_pending()
        self.request(ShowDashboard())

    def action_plan(self) -> None:
        self.flush_pending()
        self.request(ShowPlan())

    def action_export(self) -> None:
        self.flush_pending()
        self.request(Export())

    def action_leave(self) -> None:
        focused = self.focused
        if isinstance(focused, (Input, TextArea, OptionList)):
            self.query_one("#detail").focus()
            return
        self.flush_pending()
        self.request(GoHome())

    def on_screen_suspend(self) -> None:
        self.flush_pending()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.session.items:
            self._build_sections()
            self._show_item(reload_fields=True)
