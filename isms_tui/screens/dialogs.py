"""Small modal screens: confirm, text prompt, fatal error."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from .base import IsmsModal, IsmsScreen
from .common import plain


class ConfirmScreen(IsmsModal[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, message: str, *, default_yes: bool = False):
        super().__init__()
        self.message = message
        self.default_yes = default_yes  # a harmless offer: yes is focused (a deletion: no)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.message), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.tr("button.yes"), variant="primary" if self.default_yes else "error", id="yes")
                yield Button(self.tr("button.no"), variant="default" if self.default_yes else "primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes" if self.default_yes else "#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_cancel(self) -> None:
        self.dismiss(False)


class PromptScreen(IsmsModal[str | None]):
    """Ask for one line of text (e.g. the justification for not applicable); enter or ctrl+s
    gives it, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel"),
                Binding("ctrl+s", "ok", "OK", id="ok", priority=True)]

    def __init__(self, message: str, value: str = "", placeholder: str = ""):
        super().__init__()
        self.message, self.value, self.placeholder = message, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.message), classes="dialog-text")
            yield Input(self.value, placeholder=self.placeholder, id="prompt")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.tr("button.ok"), variant="primary", id="ok")
                yield Button(self.tr("button.cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.query_one(Input).value if event.button.id == "ok" else None)

    def action_ok(self) -> None:
        self.dismiss(self.query_one(Input).value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FatalScreen(IsmsScreen):
    """The data folder cannot be used: say why and let the user quit."""

    def __init__(self, message: str):
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.tr("error.title"), classes="dialog-title")
            yield Static(plain(self.message), classes="dialog-text")
            yield Button(self.tr("button.quit"), variant="error", id="quit")

    def on_button_pressed(self) -> None:
        self.app.exit(1)
