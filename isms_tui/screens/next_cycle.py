"""The next cycle from the home screen (key y), and the change questions.

:class:`NextCycleScreen` asks the next audit date and the changes since the last audit (every
surveillance audit reviews them), creates the next cycle (:mod:`isms_tui.next_cycle`; the
previous file is not changed) and returns its id. :class:`ChangesScreen` answers the change
questions of an open next cycle later (key c on the dashboard). Both fit 80x24: one line per
question (topic, answer, what changed).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from ..changes import CHANGE_ANSWERS, CHANGE_TOPICS, ChangeRecord
from ..model import UserError
from ..service import Session, StorageError
from .base import IsmsModal
from .common import error_line, plain, retranslate_bindings

NONE = "none"  # the Select value of "not answered yet"


class ChangeQuestions(IsmsModal[str | None]):
    """The change questions, one line each: topic, answer (not answered / no change /
    changed), what changed. Subclasses say what is saved."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel"),
                Binding("ctrl+s", "ok", "OK", id="ok", priority=True)]
    CSS = """
    .next-dialog.dialog { width: 90; padding: 0 1; }
    .next-dialog .change-row, .next-dialog .target-row { height: 1; margin: 0; }
    .next-dialog .change-topic { width: 18; padding-right: 1; }
    .next-dialog .target-label { width: auto; padding-right: 1; }
    .next-dialog .change-answer { width: 16; }
    .next-dialog .change-what { width: 1fr; }
    .next-dialog #target { width: 14; }
    .next-dialog #changes-head { margin-top: 1; height: auto; text-style: bold; }
    .next-dialog #change-error { color: $error; height: auto; }
    .next-dialog .dialog-buttons { margin-top: 1; }
    """

    def __init__(self, records: dict[str, ChangeRecord] | None = None):
        super().__init__()
        self.records = records or {}

    def intro(self) -> list:
        return []

    def heading(self) -> str:
        return self.tr("next.changes")

    def compose(self) -> ComposeResult:
        options = [(self.tr("change.answer.none"), NONE)] + [(self.tr(f"change.answer.{a}"), a) for a in CHANGE_ANSWERS]
        with VerticalScroll(classes="dialog next-dialog"):
            yield from self.intro()
            yield Static(plain(self.heading()), id="changes-head")
            for topic in CHANGE_TOPICS:
                rec = self.records.get(topic)
                with Horizontal(classes="change-row"):
                    yield Label(self.tr(f"change.topic.{topic}"), classes="change-topic", markup=False)
                    yield Select(options, value=(rec.answer if rec and rec.answer else NONE), allow_blank=False,
                                 compact=True, id=f"answer-{topic}", classes="change-answer")
                    yield Input(rec.description if rec else "", placeholder=self.tr("next.describe"), compact=True,
                                id=f"what-{topic}", classes="change-what")
            yield Static("", id="change-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.ok_label(), variant="primary", id="ok", compact=True)
                yield Button(self.tr("button.cancel"), id="cancel", compact=True)

    def ok_label(self) -> str:
        return self.tr("button.ok")

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)
        self.query_one("#change-error").display = False
        self.query(Input).first().focus()

    def answers(self) -> dict[str, tuple[str | None, str]]:
        """What the form says: topic -> (answer or None, what changed). Typing what changed
        answers "changed" (the user need not pick it first)."""
        out = {}
        for topic in CHANGE_TOPICS:
            value = self.query_one(f"#answer-{topic}", Select).value
            what = self.query_one(f"#what-{topic}", Input).value.strip()
            answer = value if value in CHANGE_ANSWERS else None
            if answer is None and what:
                answer = "changed"
            out[topic] = (answer, what)
        return out

    def show_error(self, exc: Exception) -> None:
        widget = self.query_one("#change-error", Static)
        widget.display = True
        widget.update(error_line(exc, self.lang))

    def save(self) -> str | None:
        raise NotImplementedError

    def action_ok(self) -> None:
        try:
            result = self.save()
        except (UserError, StorageError, OSError) as exc:
            self.show_error(exc)
            return
        self.dismiss(result)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.action_ok()
        else:
            self.action_cancel()

    def on_input_submitted(self) -> None:
        self.focus_next()  # enter goes on to the next question; ctrl+s or the button saves

    def action_cancel(self) -> None:
        self.dismiss(None)


class NextCycleScreen(ChangeQuestions):
    """Start the next cycle of an assessment: the next audit date and the changes since the
    last audit; returns the new assessment's id (None when cancelled)."""

    def __init__(self, assessment_id: str, organization: str):
        super().__init__()
        self.assessment_id, self.organization = assessment_id, organization

    def intro(self) -> list:
        return [
            Label(self.tr("next.title"), classes="dialog-title"),
            Static(plain(self.tr("next.intro", org=self.organization)), classes="dialog-text"),
            Horizontal(Label(self.tr("next.target"), classes="target-label", markup=False),
                       Input(placeholder="YYYY-MM-DD", compact=True, id="target"), classes="target-row"),
        ]

    def ok_label(self) -> str:
        return self.tr("next.create")

    def save(self) -> str | None:
        from ..next_cycle import next_cycle

        ws = self.isms.workspace
        assert ws is not None
        target = self.query_one("#target", Input).value.strip() or None
        answers = self.answers()
        for topic, (answer, what) in answers.items():
            ChangeRecord(topic, answer, what if answer == "changed" else "")  # checked before anything is written
        return next_cycle(ws, self.assessment_id, target_date=target, changes=answers).new_id


class ChangesScreen(ChangeQuestions):
    """Answer the change questions of an open next cycle (each saved at once when OK)."""

    def __init__(self, session: Session):
        super().__init__(dict(session.changes.records))
        self.session = session

    def intro(self) -> list:
        return [Label(self.tr("change.header"), classes="dialog-title")]

    def heading(self) -> str:  # under the title: what to do, not the title again
        return self.tr("change.guide")

    def save(self) -> str | None:
        answers = self.answers()
        for topic, (answer, what) in answers.items():
            ChangeRecord(topic, answer, what if answer == "changed" else "")  # all checked before one is saved
        for topic, (answer, what) in answers.items():
            current = self.session.changes.records.get(topic)
            if current is None or (current.answer, current.description) != (answer, what if answer == "changed" else ""):
                self.session.answer_change(topic, answer, what)
        return "saved"
