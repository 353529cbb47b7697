"""The Textual application: a thin adapter over the core (``isms_tui.service``)."""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.theme import Theme

from . import __version__
from .i18n import Translator, t
from .model import UserError
from .screens import base
from .screens.base import IsmsBase
from .screens.common import bank_problem_line, error_line, retranslate_bindings
from .screens.home import HomeScreen
from .screens.palette import IsmsCommandPalette, JumpProvider
from .service import LockedError, Session, StorageError, Workspace, log_error

ERROR_LOG = "error.log"

HIGH_CONTRAST = Theme(
    name="isms-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FF00FF",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF00",
    warning="#FFAA00",
    error="#FF3333",
    dark=True,
)


def write_error_log(data_dir: Path, error: BaseException) -> Path | None:
    """Append the traceback of ``error`` (no local variables: they can hold answers and notes)
    to ``DATA_DIR/error.log``, created 0600 from the start (through the service)."""

    def text() -> str:
        head = f"--- {datetime.now(UTC).isoformat()} isms-tui {__version__} (terminal UI)\n"
        return head + "".join(traceback.format_exception(error))

    return log_error(Path(data_dir), text)


class IsmsApp(App[int]):
    TITLE = "isms-tui"
    CSS_PATH = "screens/app.tcss"
    # below 140 columns the footer has no room for the palette key docked on its right (it
    # was drawn over the last keys and cut its own label, at 80 and at 120 in Japanese);
    # ctrl+p still opens it and F1 lists it
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    COMMANDS = App.COMMANDS | {JumpProvider}
    SCREENS = {"home": HomeScreen}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1", "help", "Help", id="help"),
        Binding("question_mark", "help", "Help", id="help_q", show=False),
        Binding("f2", "toggle_lang", "日本語/English", id="toggle_lang"),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f5", "risks", "Risks", id="open_risks", show=False),
        Binding("f6", "assets", "Assets", id="open_assets", show=False),
        Binding("f7", "soa", "SoA", id="open_soa", show=False),
        Binding("f8", "parked", "Parked", id="parked", show=False),
        Binding("f9", "toggle_contrast", "Contrast", id="contrast", show=False),
        Binding("f10", "documents", "Documents", id="open_documents", show=False),
        Binding("f3", "preaudit", "Audit prep", id="open_preaudit", show=False),
        Binding("f11", "findings", "Findings", id="findings", show=False),
        Binding("f4", "audit", "Internal audit", id="open_audit", show=False),
        Binding("f12", "calendar", "Annual plan", id="open_calendar", show=False),
        # declared here (Textual would add its own, in English) so the footer says it in the UI language
        Binding("ctrl+p", "command_palette", "Palette", id="command_palette", show=False, priority=True),
    ]

    def __init__(self, data_dir: Path, *, lang: str = "ja", open_id: str | None = None,
                 follow_id: str | None = None):
        super().__init__()
        self.data_dir = Path(data_dir)
        self.translator = Translator(lang)
        self.open_id = open_id
        self.follow_id = follow_id  # start on the read-only follow view of this assessment
        self.workspace: Workspace | None = None
        self.session: Session | None = None
        self.register_theme(HIGH_CONTRAST)
        self._theme_before_contrast: str | None = None

    @property
    def lang(self) -> str:
        return self.translator.lang

    def tr(self, key: str, **kwargs: object) -> str:
        return t(key, self.lang, **kwargs)

    # -- start and stop --------------------------------------------------------------------
    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)
        self.title = self.tr("app.title")
        try:
            self.workspace = Workspace(self.data_dir)
        except (StorageError, OSError) as exc:
            from .screens.dialogs import FatalScreen

            self.push_screen(FatalScreen(error_line(exc, self.lang, self.data_dir)))
            return
        if self.follow_id:  # isms-tui follow ID: only the follow view (escape quits)
            self.follow_assessment(self.follow_id)
            return
        self.push_screen("home")
        if self.open_id:
            self.open_assessment(self.open_id, resume=True)

    # -- unexpected errors -----------------------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        """Textual's default prints a Rich traceback with local variables (answers, notes,
        the assessment) when the app stops on an unexpected error. Instead: a short message on
        exit, and the traceback without locals in DATA_DIR/error.log (0600)."""
        self._return_code = 1
        if self._exception is None:  # what run_test re-raises for the test frameworks
            self._exception = error
            self._exception_event.set()
        kind = type(error).__name__
        log = write_error_log(self.data_dir, error)
        if log is None:
            message = self.tr("crash.not_logged", kind=kind, path=str(Path(self.data_dir) / ERROR_LOG))
        else:
            message = self.tr("crash.logged", kind=kind, path=str(log))
        self._exit_renderables.append(Text(message))
        self._close_messages_no_wait()

    def _fatal_error(self) -> None:
        """Never Textual's traceback with locals, whoever calls it."""
        self._handle_exception(sys.exc_info()[1] or RuntimeError("unexpected error"))

    def notify_error(self, exc: BaseException, path: object = None) -> None:
        """A storage or file error as one line naming the file (``path`` when the error does
        not say; else the open assessment's file) and the cause."""
        if path is None and self.session is not None:
            path = getattr(self.session.file, "path", None)
        self.notify(error_line(exc, self.lang, path), title=self.tr("error.title"), severity="error", timeout=15, markup=False)

    def on_unmount(self) -> None:
        self.close_session()

    def flush_pending(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, IsmsBase):
                screen.flush_pending()

    def close_session(self) -> None:
        if self.session is not None:
            self.flush_pending()
            self.session.close()
            self.session = None

    # -- assessments -----------------------------------------------------------------------
    def open_assessment(self, assessment_id: str, *, resume: bool = True,
                        section: tuple[str, str] | None = None, item_id: str | None = None) -> bool:
        """Open an assessment in the questionnaire at a section, an item, where the user left off
        (``resume``: the first unanswered item after the one answered last) or the first item.
        The position is given to the screen when it is created."""
        from .screens.questionnaire import QuestionnaireScreen

        if self.workspace is None:
            return False
        if self.session is None or self.session.id != assessment_id:
            self.close_session()
            try:
                self.session = self.workspace.open(assessment_id)
            except LockedError:  # someone else is writing it: offer to follow it instead
                self.offer_follow(assessment_id)
                return False
            except (StorageError, OSError) as exc:
                self.notify_error(exc, self._assessment_path(assessment_id))
                return False
            problem = bank_problem_line(self.workspace, self.session.assessment, self.lang)
            if problem:
                self.notify(problem, title=self.tr("banks.title"), severity="warning", timeout=20, markup=False)
        session = self.session
        if section:
            start = QuestionnaireScreen.section_start(session, *section)
        elif item_id:
            start = next((n for n, i in enumerate(session.items) if i.id == item_id), 0)
        elif resume:
            start = session.resume_index()
        else:
            start = 0
        self.go_home(keep_session=True)
        self.push_screen(QuestionnaireScreen(session, start=start))
        return True

    def offer_follow(self, assessment_id: str) -> None:
        """Another window, process or browser tab holds the assessment: ask whether to follow
        it read-only (yes is the default)."""
        from .screens.dialogs import ConfirmScreen

        org = assessment_id
        if self.workspace is not None:
            with contextlib.suppress(StorageError, OSError):
                org = self.workspace.load(assessment_id)[0].organization or assessment_id

        def answered(yes: bool | None) -> None:
            if yes:
                self.follow_assessment(assessment_id)

        self.push_screen(ConfirmScreen(self.tr("follow.offer", org=org), default_yes=True), answered)

    def follow_assessment(self, assessment_id: str) -> None:
        """The read-only follow view (never takes the assessment's lock)."""
        from .screens.follow import FollowScreen

        if self.workspace is not None:
            self.push_screen(FollowScreen(self.workspace, assessment_id))

    def _assessment_path(self, assessment_id: str) -> object:
        try:
            return self.workspace.file_path(assessment_id) if self.workspace else assessment_id
        except StorageError:
            return assessment_id

    def go_home(self, keep_session: bool = False) -> None:
        while len(self.screen_stack) > 2 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        if not keep_session:
            self.close_session()
        if isinstance(self.screen, HomeScreen) and self.screen.is_mounted:
            self.screen.reload()

    def jump_to_section(self, bank_id: str, section_id: str) -> None:
        from .screens.questionnaire import QuestionnaireScreen

        if self.session is None:
            return
        if isinstance(self.screen, QuestionnaireScreen):
            self.screen.goto_section(bank_id, section_id)
        else:
            self.open_assessment(self.session.id, section=(bank_id, section_id))

    def jump_to_item(self, item_id: str) -> None:
        from .screens.questionnaire import QuestionnaireScreen

        if self.session is None:
            return
        if isinstance(self.screen, QuestionnaireScreen):
            self.screen.goto_index(next((n for n, i in enumerate(self.session.items) if i.id == item_id), 0))
        else:
            self.open_assessment(self.session.id, item_id=item_id)

    # -- global actions --------------------------------------------------------------------
    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_lang(self) -> None:
        self.set_lang("en" if self.lang == "ja" else "ja")

    def set_lang(self, lang: str) -> None:
        self.translator.lang = lang
        self.title = self.tr("app.title")
        retranslate_bindings(self, lang)
        for screen in self.screen_stack:
            if isinstance(screen, IsmsBase):
                screen.relabel()
        self.notify(self.tr("lang.switched"), timeout=2)

    def action_dashboard(self) -> None:
        from .screens.dashboard import DashboardScreen

        if self.session is not None and not isinstance(self.screen, DashboardScreen):
            self.push_screen(DashboardScreen(self.session))

    def action_action_plan(self) -> None:
        from .screens.plan import ActionPlanScreen

        if self.session is not None and not isinstance(self.screen, ActionPlanScreen):
            self.push_screen(ActionPlanScreen(self.session))

    def _push_risk_screen(self, name: str) -> None:
        from .screens import assets, risks, soa

        cls = {"risks": risks.RisksScreen, "assets": assets.AssetsScreen, "soa": soa.SoaScreen}[name]
        if self.session is not None and not isinstance(self.screen, cls):
            self.push_screen(cls(self.session))

    def action_risks(self) -> None:
        self._push_risk_screen("risks")

    def action_assets(self) -> None:
        self._push_risk_screen("assets")

    def action_soa(self) -> None:
        self._push_risk_screen("soa")

    def action_documents(self) -> None:
        from .screens.documents import DocumentsScreen

        if self.session is not None and not isinstance(self.screen, DocumentsScreen):
            self.push_screen(DocumentsScreen(self.session))

    def action_preaudit(self) -> None:
        from .screens.preaudit import PreauditScreen

        if self.session is not None and not isinstance(self.screen, PreauditScreen):
            self.push_screen(PreauditScreen(self.session))

    # -- workshops ---------------------------------------------------------------------------
    def action_parked(self) -> None:
        from .screens.workshop import ParkedScreen

        if self.session is not None and not isinstance(self.screen, ParkedScreen):
            self.push_screen(ParkedScreen(self.session))

    def action_findings(self) -> None:
        from .screens.findings import FindingsScreen

        if self.session is not None and not isinstance(self.screen, FindingsScreen):
            self.push_screen(FindingsScreen(self.session))

    def action_audit(self) -> None:
        from .screens.audit import AuditScreen, ChecklistScreen

        if self.session is not None and not isinstance(self.screen, AuditScreen | ChecklistScreen):
            self.push_screen(AuditScreen(self.session))


    def action_changes(self) -> None:
        """The change questions of a next cycle (c on the dashboard, the palette)."""
        from .screens.next_cycle import ChangesScreen

        if self.session is not None and self.session.changes.records and not isinstance(self.screen, ChangesScreen):
            self.push_screen(ChangesScreen(self.session))

    def action_compare(self) -> None:
        from .screens.compare import CompareScreen

        if self.session is not None and not isinstance(self.screen, CompareScreen):
            self.push_screen(CompareScreen(self.session))


    def action_calendar(self) -> None:
        from .screens.calendar import CalendarScreen

        if self.session is not None and not isinstance(self.screen, CalendarScreen):
            self.push_screen(CalendarScreen(self.session))

    def action_workshop_start(self, preset: dict | None = None) -> None:
        from .screens.workshop import WorkshopStartDialog, start_workshop

        session = self.session
        if session is None:
            return
        if session.active_workshop is not None:
            self.notify(self.tr("error.workshop_running"), severity="warning", markup=False)
            return

        def done(values: dict | None) -> None:
            if values is None or session is not self.session:
                return
            try:
                w = start_workshop(session, values)
            except (UserError, StorageError, OSError) as exc:
                self.notify_error(exc)
                self.action_workshop_start(values)  # keep what was typed
                return
            self.notify(self.tr("ws.started"), markup=False, timeout=10)
            self.refresh_screen_after_workshop()
            if w.agenda:  # the room starts with the first section of the day
                bank_id, _, section_id = w.agenda[0].partition("/")
                self.jump_to_section(bank_id, section_id)

        self.push_screen(WorkshopStartDialog(session, preset), done)

    def action_workshop_end(self) -> None:
        from .screens.dialogs import ConfirmScreen

        session = self.session
        if session is None:
            return
        w = session.active_workshop
        if w is None:
            self.notify(self.tr("error.no_workshop"), severity="warning", markup=False)
            return

        def done(yes: bool | None) -> None:
            if not yes or session is not self.session:
                return
            from .screens.summary import WorkshopSummaryScreen

            try:
                ended = session.end_workshop()
            except (UserError, StorageError, OSError) as exc:
                self.notify_error(exc)
                return
            self.notify(self.tr("ws.ended"), markup=False)
            self.refresh_screen_after_workshop()
            self.push_screen(WorkshopSummaryScreen(session, ended.id))  # the summary and the minutes

        self.push_screen(ConfirmScreen(self.tr("ws.end_confirm", title=w.title or self.tr("ws.untitled"))), done)

    def refresh_screen_after_workshop(self) -> None:
        from .screens.questionnaire import QuestionnaireScreen

        if isinstance(self.screen, QuestionnaireScreen):
            self.screen.workshop_changed()

    def action_toggle_contrast(self) -> None:
        """High contrast one key away (F9), and back to the theme before it."""
        if self.theme == HIGH_CONTRAST.name:
            self.theme = self._theme_before_contrast or "textual-dark"
            return
        self._theme_before_contrast = self.theme
        self.theme = HIGH_CONTRAST.name
        self.notify(self.tr("ws.contrast_on"), timeout=4, markup=False)

    def action_questionnaire(self) -> None:
        if self.session is not None:
            self.open_assessment(self.session.id, resume=False)

    def action_quick_check(self) -> None:
        """A first session of about 20 minutes: the questionnaire filtered to the mandatory
        items (the stage 1 blockers), from the first one still unanswered; `f` shows the rest."""
        from .screens.questionnaire import QuestionnaireScreen

        session = self.session
        if session is None:
            self.notify(self.tr("quick.needs_assessment"), markup=False)
            return
        view = session.view()
        mandatory = [n for n, i in enumerate(session.items) if i.mandatory]
        if not mandatory:
            self.notify(self.tr("wizard.no_items"), markup=False)
            return
        left = [n for n in mandatory if view.status(session.items[n].id) is None]
        self.go_home(keep_session=True)
        self.push_screen(QuestionnaireScreen(session, start=(left or mandatory)[0], filter="mandatory"))
        self.notify(self.tr("quick.started", n=len(mandatory), left=len(left)), timeout=8, markup=False)

    def action_export(self) -> None:
        """Write the workbook of the open assessment; in a browser session, download it too."""
        from .exports.xlsx import ExportError, default_filename, export_assessment

        session = self.session
        if session is None or self.workspace is None:
            return
        self.flush_pending()
        folder = self.workspace.root / "exports"
        target = folder / default_filename(session.assessment)
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            path = export_assessment(self.workspace, session.id, target, lang=self.lang)
        except (ExportError, StorageError, OSError) as exc:
            self.notify_error(exc, target)
            return
        self.notify(self.tr("export.done", path=str(path)), title=self.tr("export.title"), markup=False, timeout=12)
        if self.is_web:
            self.deliver_binary(Path(path), save_filename=Path(path).name,
                                mime_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    def export_minutes(self, workshop_id: str, fmt: str) -> None:
        """Write the minutes of a session of the open assessment (in its language) into the
        data folder's exports/, like the workbook; in a browser session, download them too."""
        from .exports.minutes import minutes_bytes, minutes_filename, resolve_session
        from .model import UserError

        session = self.session
        if session is None or self.workspace is None:
            return
        self.flush_pending()
        folder = self.workspace.root / "exports"
        target = folder
        try:
            view = session.view()
            workshop_id = resolve_session(view, workshop_id)
            target = folder / minutes_filename(view, workshop_id, fmt)
            folder.mkdir(mode=0o700, exist_ok=True)
            path = self.workspace.write_file(target, minutes_bytes(view, workshop_id, fmt, view.assessment.lang))
        except (UserError, StorageError, OSError) as exc:
            self.notify_error(exc, target)
            return
        self.notify(self.tr("export.done", path=str(path)), title=self.tr("minutes.export_title"), markup=False, timeout=12)
        if self.is_web:
            mime = "text/markdown" if fmt == "md" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            self.deliver_binary(Path(path), save_filename=Path(path).name, mime_type=mime)

    def action_new_assessment(self) -> None:
        from .screens.new import NewAssessmentScreen

        self.push_screen(NewAssessmentScreen())

    def action_open_demo(self) -> None:
        from .demo import create_demo

        if self.workspace is None:
            return
        try:
            aid = create_demo(self.workspace, self.lang)
        except (StorageError, OSError) as exc:
            self.notify_error(exc, self.workspace.assessments_dir)
            return
        self.open_assessment(aid, resume=False)

    def action_home(self) -> None:
        self.go_home()

    # -- requests from the screens (isms_tui.screens.base) ------------------------------------
    def on_open_assessment(self, message: base.OpenAssessment) -> None:
        self.open_assessment(message.assessment_id, resume=message.resume,
                             section=message.section, item_id=message.item_id)

    def on_jump_to_item(self, message: base.JumpToItem) -> None:
        self.jump_to_item(message.item_id)

    def on_jump_to_section(self, message: base.JumpToSection) -> None:
        self.jump_to_section(message.bank_id, message.section_id)

    def on_show_dashboard(self, message: base.ShowDashboard) -> None:
        self.action_dashboard()

    def on_show_plan(self, message: base.ShowPlan) -> None:
        self.action_action_plan()

    def on_show_questionnaire(self, message: base.ShowQuestionnaire) -> None:
        self.action_questionnaire()

    def on_export(self, message: base.Export) -> None:
        self.action_export()

    def on_start_or_end_workshop(self, message: base.StartOrEndWorkshop) -> None:
        if self.session is not None and self.session.active_workshop is not None:
            self.action_workshop_end()
        else:
            self.action_workshop_start()

    def on_export_minutes(self, message: base.ExportMinutes) -> None:
        self.export_minutes(message.workshop_id, message.fmt)

    def on_new_assessment(self, message: base.NewAssessment) -> None:
        self.action_new_assessment()

    def on_open_demo(self, message: base.OpenDemo) -> None:
        self.action_open_demo()

    def on_go_home(self, message: base.GoHome) -> None:
        self.go_home(keep_session=message.keep_session)

    def on_close_assessment(self, message: base.CloseAssessment) -> None:
        if self.session is not None and self.session.id == message.assessment_id:
            self.close_session()
        if message.then is not None:
            message.then()

    def on_set_language(self, message: base.SetLanguage) -> None:
        if message.lang != self.lang:
            self.set_lang(message.lang)

    def on_error_occurred(self, message: base.ErrorOccurred) -> None:
        self.notify_error(message.error, message.path)

    def action_command_palette(self) -> None:
        """Textual's palette with its placeholder in the UI language."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(IsmsCommandPalette(placeholder=self.tr("palette.placeholder"),
                                                no_matches=self.tr("palette.no_matches"), id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's own commands (theme, quit, keys, maximize, screenshot), in the UI language,
        then ours."""
        tr = self.tr
        yield SystemCommand(tr("cmd.theme"), tr("cmd.theme_help"), self.action_change_theme)
        yield SystemCommand(tr("cmd.quit"), tr("cmd.quit_help"), self.action_quit)
        if screen.query("HelpPanel"):
            yield SystemCommand(tr("cmd.keys"), tr("cmd.keys_hide_help"), self.action_hide_help_panel)
        else:
            yield SystemCommand(tr("cmd.keys"), tr("cmd.keys_help"), self.action_show_help_panel)
        if screen.maximized is not None:
            yield SystemCommand(tr("cmd.minimize"), tr("cmd.minimize_help"), screen.action_minimize)
        elif screen.focused is not None and screen.focused.allow_maximize:
            yield SystemCommand(tr("cmd.maximize"), tr("cmd.maximize_help"), screen.action_maximize)
        yield SystemCommand(tr("cmd.screenshot"), tr("cmd.screenshot_help"), lambda: self.set_timer(0.1, self.deliver_screenshot))
        yield SystemCommand(tr("cmd.lang"), tr("cmd.lang_help"), self.action_toggle_lang)
        yield SystemCommand(tr("cmd.help"), tr("cmd.help_help"), self.action_help)
        yield SystemCommand(tr("cmd.home"), tr("cmd.home_help"), self.action_home)
        yield SystemCommand(tr("cmd.new"), tr("cmd.new_help"), self.action_new_assessment)
        yield SystemCommand(tr("cmd.demo"), tr("cmd.demo_help"), self.action_open_demo)
        if self.session is not None:
            yield SystemCommand(tr("cmd.questionnaire"), tr("cmd.questionnaire_help"), self.action_questionnaire)
            yield SystemCommand(tr("cmd.quick"), tr("cmd.quick_help"), self.action_quick_check)
            yield SystemCommand(tr("cmd.dashboard"), tr("cmd.dashboard_help"), self.action_dashboard)
            yield SystemCommand(tr("cmd.plan"), tr("cmd.plan_help"), self.action_action_plan)
            yield SystemCommand(tr("cmd.export"), tr("cmd.export_help"), self.action_export)
            yield SystemCommand(tr("cmd.risks"), tr("cmd.risks_help"), self.action_risks)
            yield SystemCommand(tr("cmd.assets"), tr("cmd.assets_help"), self.action_assets)
            yield SystemCommand(tr("cmd.soa"), tr("cmd.soa_help"), self.action_soa)
            yield SystemCommand(tr("cmd.documents"), tr("cmd.documents_help"), self.action_documents)
            yield SystemCommand(tr("cmd.preaudit"), tr("cmd.preaudit_help"), self.action_preaudit)
            if self.session.active_workshop is None:
                yield SystemCommand(tr("cmd.workshop_start"), tr("cmd.workshop_start_help"), self.action_workshop_start)
            else:
                yield SystemCommand(tr("cmd.workshop_end"), tr("cmd.workshop_end_help"), self.action_workshop_end)
            yield SystemCommand(tr("cmd.parked"), tr("cmd.parked_help"), self.action_parked)
            yield SystemCommand(tr("cmd.findings"), tr("cmd.findings_help"), self.action_findings)
            yield SystemCommand(tr("cmd.audit"), tr("cmd.audit_help"), self.action_audit)
            yield SystemCommand(tr("cmd.compare"), tr("cmd.compare_help"), self.action_compare)
            if self.session.changes.records:  # a next cycle
                yield SystemCommand(tr("cmd.changes"), tr("cmd.changes_help"), self.action_changes)
            yield SystemCommand(tr("cmd.calendar"), tr("cmd.calendar_help"), self.action_calendar)
        yield SystemCommand(tr("cmd.contrast"), tr("cmd.contrast_help"), self.action_toggle_contrast)


def serve_app(app_args: list[str], *, host: str = "127.0.0.1", port: int = 8000,
              public_url: str | None = None) -> int:
    """The TUI in a browser through textual-serve, for a consultant's remote workshop: each
    browser tab runs its own ``python -m isms_tui APP_ARGS`` process. Listens on 127.0.0.1 by
    default; put it behind your own tunnel or proxy and pass the address browsers open as
    ``public_url`` (the page links its scripts and websocket there). The caller checks that
    textual-serve is installed."""
    import shlex
    import sys

    from textual_serve.server import Server

    command = " ".join([shlex.quote(sys.executable), "-m", "isms_tui", *map(shlex.quote, app_args)])
    Server(command, host=host, port=port, title="isms-tui", public_url=public_url).serve()
    return 0


def run_app(data_dir: Path, *, lang: str, open_id: str | None = None, follow_id: str | None = None) -> int:
    app = IsmsApp(data_dir, lang=lang, open_id=open_id, follow_id=follow_id)
    app.run()
    return app.return_code or 0
