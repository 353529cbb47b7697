"""Help: the keys and the scoring rule, in the current language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from .base import IsmsModal
from .common import retranslate_bindings
from .guidance import render as render_guidance

# the help box (app.tcss #help-box): 90% of the screen wide, a thick border (1 cell each
# side) and a padding of 2 each side; 2 more cells for the scroll bar a long text brings
_BOX_SHARE = 0.9
_BOX_FRAME = 2 + 4 + 2


class HelpScreen(IsmsModal):
    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "Close", id="close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(id="help-text")

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)
        self._show()

    def on_resize(self) -> None:
        self._show()

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        self._show()

    def _show(self) -> None:
        """The help text as the guidance pane shows bank text (one Text, no markup parsed),
        its lines broken by the Japanese line-breaking rules at the box's width."""
        width = int(self.app.size.width * _BOX_SHARE) - _BOX_FRAME
        self.query_one("#help-text", Static).update(
            render_guidance(self.tr("help.body"), heading_style="bold underline", width=max(20, width)))

    def action_close(self) -> None:
        self.dismiss()
