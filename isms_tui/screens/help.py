"""Help: the keys and the scoring rule, in the current language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

from .common import AppScreenMixin, retranslate_bindings
from .guidance import parser as guidance_parser


class HelpScreen(AppScreenMixin, ModalScreen):
    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "Close", id="close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(self.tr("help.body"), parser_factory=guidance_parser, open_links=False)

    def on_mount(self) -> None:
        retranslate_bindings(self, self.isms.lang)

    def relabel(self) -> None:
        retranslate_bindings(self, self.isms.lang)
        self.query_one(Markdown).update(self.tr("help.body"))

    def action_close(self) -> None:
        self.dismiss()
