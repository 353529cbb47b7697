"""New assessment: organization, scope, kind, edition, language, target date, banks."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Header, Input, Label, Select, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from ..model import EDITIONS, KINDS, Assessment, ValidationError, default_banks
from ..service import StorageError
from ..text import clean
from .base import ErrorOccurred, IsmsScreen, OpenAssessment, SetLanguage
from .common import retranslate_bindings
from .footer import IsmsFooter


class NewAssessmentScreen(IsmsScreen):
    BINDINGS = [
        Binding("ctrl+s", "create", "Create", id="create", priority=True),
        Binding("escape", "cancel", "Cancel", id="cancel"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="new-form"):
            yield Static(id="new-title", classes="screen-title")
            yield Label(id="l-org")
            yield Input(id="org")
            yield Label(id="l-scope")
            yield TextArea(id="scope", soft_wrap=True, tab_behavior="focus")
            with Horizontal(classes="form-row"):
                with Vertical(classes="form-cell wide"):
                    yield Label(id="l-kind")
                    yield Select([(self.tr(f"kind.{k}"), k) for k in KINDS], id="kind", value="initial", allow_blank=False)
                with Vertical(classes="form-cell"):
                    yield Label(id="l-edition")
                    yield Select([(e, e) for e in EDITIONS], id="edition", value="2022", allow_blank=False)
                with Vertical(classes="form-cell"):
                    yield Label(id="l-lang")
                    yield Select([("日本語", "ja"), ("English", "en")], id="lang", allow_blank=False)
            yield Label(id="l-target")
            yield Input(id="target", placeholder="YYYY-MM-DD")
            yield Label(id="l-cert")
            yield Input(id="cert", placeholder="YYYY-MM-DD")
            yield Label(id="l-participants")
            yield Input(id="participants")
            yield Label(id="l-banks")
            yield SelectionList[str](id="banks")
            with Horizontal(classes="dialog-buttons"):
                yield Button("", variant="primary", id="create")
                yield Button("", id="cancel")
        yield IsmsFooter()

    def on_mount(self) -> None:
        self.query_one("#lang", Select).value = self.lang
        self.relabel()
        self.query_one("#org", Input).focus()

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        for wid, key in (("new-title", "new.title"), ("l-org", "new.org"), ("l-scope", "new.scope"),
                         ("l-target", "new.target"), ("l-banks", "new.banks"), ("l-cert", "new.cert"),
                         ("l-participants", "new.participants"), ("l-kind", "new.kind"),
                         ("l-edition", "new.edition"), ("l-lang", "new.lang")):
            self.query_one(f"#{wid}").update(self.tr(key))
        self.query_one("#create", Button).label = self.tr("new.create")
        self.query_one("#cancel", Button).label = self.tr("button.cancel")
        kind = self.query_one("#kind", Select)
        current = kind.value if kind.value in KINDS else "initial"
        with self.prevent(Select.Changed):
            kind.set_options([(self.tr(f"kind.{k}"), k) for k in KINDS])
            kind.value = current
        self._fill_banks()

    def _fill_banks(self) -> None:
        ws = self.isms.workspace
        if ws is None:
            return
        kind = self.query_one("#kind", Select).value
        edition = self.query_one("#edition", Select).value
        defaults = default_banks(str(edition), str(kind))
        sl = self.query_one("#banks", SelectionList)
        sl.clear_options()
        order = defaults + [b for b in ws.bankset.banks if b not in defaults]
        for bid in order:
            bank = ws.bankset.banks.get(bid)
            if bank is None:
                continue
            if bank.kind == ("annex_a_2013" if edition == "2022" else "annex_a_2022"):
                continue
            sl.add_option(Selection(self._bank_prompt(bid, bid in defaults), bid, bid in defaults, id=bid))

    def _bank_prompt(self, bid: str, chosen: bool) -> Content:
        """A bank's line with ☑/☐, so the choice does not rest on colour alone."""
        bank = self.isms.workspace.bankset.banks[bid]
        mark = "☑" if chosen else "☐"
        return Content(clean(f"{mark} {bank.title[self.lang]} ({len(bank.items)})", multiline=False))

    @on(SelectionList.SelectedChanged, "#banks")
    def _banks_changed(self) -> None:
        sl = self.query_one("#banks", SelectionList)
        chosen = set(sl.selected)
        for n in range(sl.option_count):
            bid = sl.get_option_at_index(n).value
            sl.replace_option_prompt_at_index(n, self._bank_prompt(bid, bid in chosen))

    @on(Select.Changed, "#kind, #edition")
    def _kind_changed(self) -> None:
        self._fill_banks()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "create":
            self.action_create()
        else:
            self.action_cancel()

    def action_create(self) -> None:
        ws = self.isms.workspace
        assert ws is not None
        try:
            banks = list(self.query_one("#banks", SelectionList).selected)
            if not banks:
                raise ValidationError("new.no_banks")
            a = Assessment(
                organization=self.query_one("#org", Input).value,
                scope=self.query_one("#scope", TextArea).text,
                kind=str(self.query_one("#kind", Select).value),
                edition=str(self.query_one("#edition", Select).value),
                lang=str(self.query_one("#lang", Select).value),
                target_date=self.query_one("#target", Input).value or None,
                certification_date=self.query_one("#cert", Input).value or None,
                banks=banks,
            )
            ws.create(a, participants=[self.query_one("#participants", Input).value])
        except (ValidationError, StorageError) as exc:
            self.request(ErrorOccurred(exc))
            return
        except OSError as exc:
            self.request(ErrorOccurred(exc, ws.assessments_dir))
            return
        if a.lang != self.lang:
            self.request(SetLanguage(a.lang))
        self.app.pop_screen()
        self.request(OpenAssessment(a.id, resume=True))

    def action_cancel(self) -> None:
        self.app.pop_screen()
