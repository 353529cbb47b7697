"""Small modal screens: confirm, text prompt, fatal error; and the export action."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Static

from ..i18n import t
from ..service import StorageError
from .common import AppScreenMixin, plain

if TYPE_CHECKING:
    from ..app import IsmsApp


class ConfirmScreen(AppScreenMixin, ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, message: str):
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self.message), classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.tr("button.yes"), variant="error", id="yes")
                yield Button(self.tr("button.no"), variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_cancel(self) -> None:
        self.dismiss(False)


class PromptScreen(AppScreenMixin, ModalScreen[str | None]):
    """Ask for one line of text (e.g. the justification for not applicable)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

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

    def action_cancel(self) -> None:
        self.dismiss(None)


class FatalScreen(AppScreenMixin, Screen):
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


def export_current(app: IsmsApp) -> None:
    """Write the workbook of the open assessment; in a browser session, download it too."""
    from pathlib import Path

    from ..exports.xlsx import ExportError, default_filename, export_assessment

    session = app.session
    if session is None or app.workspace is None:
        return
    for screen in app.screen_stack:
        flush = getattr(screen, "flush_pending", None)
        if flush:
            flush()
    folder = app.workspace.root / "exports"
    target = folder / default_filename(session.assessment)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        path = export_assessment(app.workspace, session.id, target, lang=app.lang)
    except (ExportError, StorageError, OSError) as exc:
        app.notify_error(exc, target)
        return
    app.notify(t("export.done", app.lang, path=str(path)), title=t("export.title", app.lang), markup=False, timeout=12)
    if app.is_web:
        app.deliver_binary(Path(path), save_filename=Path(path).name,
                           mime_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
