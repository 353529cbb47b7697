"""An over-long stored text (a note pasted from a log, a file written by another tool), read
page by page so that no single paint has to lay out megabytes; and the explicit choice to
shorten it to the typing limit so that it can be edited in the questionnaire again."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Static, TextArea

from ..text import MAX_FIELD_CHARS
from .base import IsmsScreen
from .common import retranslate_bindings
from .dialogs import ConfirmScreen
from .footer import IsmsFooter

PAGE_CHARS = 5_000


class LongTextScreen(IsmsScreen[bool]):
    """Dismissed with True when the user confirmed shortening the text, else False."""

    BINDINGS = [
        Binding("n,pagedown", "page(1)", "Next page", id="long_next"),
        Binding("p,pageup", "page(-1)", "Previous page", id="long_prev"),
        Binding("s", "shorten", "Shorten", id="long_shorten"),
        Binding("escape", "close", "Back", id="back"),
    ]

    def __init__(self, field_label: str, text: str):
        super().__init__()
        self.field_label = field_label
        self.text = text
        self.page = 0

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.text) // PAGE_CHARS))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="long-head", markup=False)
        yield TextArea(id="long-text", read_only=True, soft_wrap=True)
        yield IsmsFooter()

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)
        self._show()
        self.query_one(TextArea).focus()

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        self._show()

    def _show(self) -> None:
        start = self.page * PAGE_CHARS
        end = min(len(self.text), start + PAGE_CHARS)
        self.query_one("#long-head", Static).update(self.tr(
            "long.head", field=self.field_label, start=f"{start + 1:,}", end=f"{end:,}", total=f"{len(self.text):,}",
            page=self.page + 1, pages=self.pages,
        ))
        self.query_one(TextArea).load_text(self.text[start:end])

    def action_page(self, step: int) -> None:
        page = max(0, min(self.pages - 1, self.page + step))
        if page != self.page:
            self.page = page
            self._show()

    def action_shorten(self) -> None:
        def done(ok: bool | None) -> None:
            if ok:
                self.dismiss(True)

        question = self.tr("long.confirm_shorten", max=f"{MAX_FIELD_CHARS:,}", cut=f"{len(self.text) - MAX_FIELD_CHARS:,}")
        self.app.push_screen(ConfirmScreen(question), done)

    def action_close(self) -> None:
        self.dismiss(False)
