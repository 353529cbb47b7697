"""The declared contract between the screens and the app.

Screens never import :mod:`isms_tui.app`. What a screen reads from the app is typed by
:class:`Host` (the language, the workspace, the open session); what a screen asks the app to
do is a Textual :class:`~textual.message.Message` posted to the app (:class:`OpenAssessment`,
:class:`JumpToItem`, :class:`ShowDashboard`, ...), handled in ``app.py``. What the app asks
of a screen is a method of :class:`IsmsScreen` / :class:`IsmsModal` (``relabel``,
``flush_pending``), overridden where the screen has something to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.message import Message
from textual.screen import ModalScreen, Screen, ScreenResultType

from ..i18n import t

if TYPE_CHECKING:
    from ..service import Session, Workspace


@runtime_checkable
class Host(Protocol):
    """What a screen may read from the app."""

    @property
    def lang(self) -> str: ...

    workspace: Workspace | None
    session: Session | None


# -- requests from a screen to the app ---------------------------------------------------------
class AppRequest(Message):
    """A screen asks the app for something. Posted to the app itself (a screen that has been
    popped in the meantime still reaches it)."""


@dataclass(eq=False)  # Message.__post_init__ initialises the message
class OpenAssessment(AppRequest):
    assessment_id: str
    resume: bool = True
    section: tuple[str, str] | None = None
    item_id: str | None = None


@dataclass(eq=False)
class JumpToItem(AppRequest):
    item_id: str


@dataclass(eq=False)
class JumpToSection(AppRequest):
    bank_id: str
    section_id: str


class ShowDashboard(AppRequest):
    pass


class ShowPlan(AppRequest):
    pass


class ShowQuestionnaire(AppRequest):
    pass


class Export(AppRequest):
    pass


@dataclass(eq=False)
class ExportMinutes(AppRequest):
    """Write the minutes of a workshop session of the open assessment into the data folder's
    exports/ (``fmt``: "md" or "xlsx"), as the Excel export is written."""

    workshop_id: str
    fmt: str


class NewAssessment(AppRequest):
    pass


class StartOrEndWorkshop(AppRequest):
    """Start a workshop session on the open assessment, or end the one running."""


class OpenDemo(AppRequest):
    pass


@dataclass(eq=False)
class GoHome(AppRequest):
    keep_session: bool = False


@dataclass(eq=False)
class CloseAssessment(AppRequest):
    """Close the open assessment if it is ``assessment_id`` (e.g. before its file is deleted),
    then call ``then`` (the rest of the screen's work, once the file is no longer held)."""

    assessment_id: str
    then: Callable[[], None] | None = None


@dataclass(eq=False)
class SetLanguage(AppRequest):
    lang: str


@dataclass(eq=False)
class ErrorOccurred(AppRequest):
    """A storage or file error to show as one line (``path``: the file it was about)."""

    error: BaseException
    path: object = None


# -- the declared base screens -------------------------------------------------------------
class IsmsBase:
    """What the app may call on any of its screens, and typed access to the app."""

    @property
    def isms(self) -> Host:
        app = self.app  # type: ignore[attr-defined]
        assert isinstance(app, Host)
        return app

    @property
    def lang(self) -> str:
        return self.isms.lang

    def tr(self, key: str, **kwargs: object) -> str:
        return t(key, self.lang, **kwargs)

    def request(self, message: AppRequest) -> None:
        """Ask the app for something (see the :class:`AppRequest` messages)."""
        self.app.post_message(message)  # type: ignore[attr-defined]

    def relabel(self) -> None:
        """The language changed: put every label in the new language. Default: nothing."""

    def flush_pending(self) -> None:
        """Save what the user typed but has not saved yet (before export or close)."""


class IsmsScreen(IsmsBase, Screen[ScreenResultType]):
    """A full screen of isms-tui."""


class IsmsModal(IsmsBase, ModalScreen[ScreenResultType]):
    """A dialog of isms-tui."""
