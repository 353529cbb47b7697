"""Help: the keys and the scoring rule, in the current language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from .base import IsmsModal
from .common import retranslate_bindings
from .guidance import parser as guidance_parser


class HelpScreen(IsmsModal):
    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "Close", id="close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(self.tr("help.body"), parser_factory=guidance_parser, open_links=False)

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        self.query_one(Markdown).update(self.tr("help.body"))

    def action_close(self) -> None:
        self.dismiss()
