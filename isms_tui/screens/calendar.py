"""The annual plan (年間計画, F12): the certificate and its audit dates, the yearly activities
laid back from the next audit by due date with the overdue marked, and the flags. Every rule
is the core's (isms_tui/annual_plan.py through the Session; rows, states and flags from the
read model); this screen only shows and collects."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Input, Label, Static

from ..annual_plan import Activity, AnnualPlan, AuditRow
from ..calendar_report import certificate_line, next_audit_line
from ..model import UserError
from ..service import Session, StorageError
from ..text import wrap_ja
from .common import cell, error_line, plain
from .footer import IsmsFooter
from .register import FormDialog, RegisterScreen, fit_columns, show_detail

STATE_STYLE = {"overdue": "bold red", "due_soon": "yellow", "due": "", "done": "green"}
STATE_MARK = {"overdue": "!", "due_soon": "~", "due": " ", "done": "\u2713"}  # never colour alone


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


class CertificateDialog(FormDialog):
    """The certificate (number, body, issue and expiry) and the planned / done date of each
    audit. Only what the user changed is sent: an unchanged planned date that has passed is
    not refused again."""

    def __init__(self, session: Session, preset: dict | None = None):
        super().__init__()
        self.session = session
        plan = session.view().annual_plan
        self.audits: tuple[AuditRow, ...] = plan.audits
        cert = session.calendar.certificate
        self.initial = {"number": cert.number, "body": cert.body, "issued": session.assessment.certification_date or "",
                        "expires": cert.expires or ""}
        for a in plan.audits:
            self.initial[f"{a.kind}_planned"] = _d(a.planned)
            self.initial[f"{a.kind}_done"] = _d(a.done)
        self.preset = preset or {}

    def _input(self, name: str, label: str, placeholder: str = "") -> ComposeResult:
        yield Label(label, markup=False)
        yield Input(str(self.preset.get(name, self.initial[name]) or ""), id=name, placeholder=placeholder)

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="risk-form"):
            yield Static(tr("calendar.form.cert"), classes="dialog-title", markup=False)
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            with VerticalScroll(classes="form-body"):
                yield Static(tr("calendar.form.cert_hint"), markup=False)
                yield from self._input("number", tr("calendar.f.number"))
                yield from self._input("body", tr("calendar.f.body"))
                yield from self._input("issued", tr("calendar.f.issued"), "YYYY-MM-DD")
                yield from self._input("expires", tr("calendar.f.expires"), "YYYY-MM-DD")
                for a in self.audits:
                    audit = tr(f"calendar.audit.{a.kind}")
                    yield from self._input(f"{a.kind}_planned", tr("calendar.f.planned", audit=audit), "YYYY-MM-DD")
                    yield from self._input(f"{a.kind}_done", tr("calendar.f.done", audit=audit), "YYYY-MM-DD")
            yield from self.buttons()

    def values(self) -> dict:
        out = {}
        for name, before in self.initial.items():
            value = self.query_one(f"#{name}", Input).value.strip()
            if value != (before or ""):
                out[name] = value
        return out


class ActivityDialog(FormDialog):
    """An activity's frequency, lead time, last done date and owner (and the name of the
    company's own); a new one when ``activity`` is None."""

    def __init__(self, session: Session, activity: Activity | None, preset: dict | None = None):
        super().__init__()
        self.session = session
        self.activity = activity
        self.preset = preset or {}

    def _v(self, name: str) -> str:
        if name in self.preset:
            return str(self.preset[name] or "")
        a = self.activity
        if a is None:
            return {"every": "12", "lead": "60"}.get(name, "")
        return str(getattr(a, name) or "")

    def compose(self) -> ComposeResult:
        tr = self.tr
        a = self.activity
        title = tr("calendar.form.new_activity") if a is None else tr("calendar.form.activity", name=a.title(self.lang))
        with Vertical(classes="risk-form"):
            yield Static(title, classes="dialog-title", markup=False)
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            with VerticalScroll(classes="form-body"):
                names = ("name", "last_done", "owner", "every", "lead") if a is None or a.custom else (
                    "last_done", "owner", "every", "lead")
                for name in names:
                    yield Label(tr(f"calendar.f.{name}"), markup=False)
                    yield Input(self._v(name), id=name, placeholder="YYYY-MM-DD" if name == "last_done" else "")
            yield from self.buttons()

    def values(self) -> dict:
        return {i.id: i.value for i in self.query(Input) if i.id}


class DoneDialog(FormDialog):
    """Mark an activity done: the date (today unless changed)."""

    DEFAULT_CSS = FormDialog.DEFAULT_CSS + """
    .risk-form.done-form { height: 12; }
    """

    def __init__(self, activity: Activity, preset: dict | None = None):
        super().__init__()
        self.activity = activity
        self.preset = preset or {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="risk-form done-form"):
            yield Static(self.tr("calendar.form.done", name=self.activity.title(self.lang)), classes="dialog-title",
                         markup=False)
            yield Static(self.tr("form.hint"), classes="form-hint", markup=False)
            yield Label(self.tr("calendar.f.done_on"), markup=False)
            yield Input(str(self.preset.get("last_done") or date.today().isoformat()), id="last_done",
                        placeholder="YYYY-MM-DD")
            yield from self.buttons()

    def values(self) -> dict:
        return {"last_done": self.query_one("#last_done", Input).value}


class CalendarScreen(RegisterScreen):
    """The annual plan: d marks the activity under the cursor done, e (or Enter) edits it, n
    adds the company's own, c edits the certificate and the audit dates."""

    DEFAULT_CSS = RegisterScreen.DEFAULT_CSS + """
    #cal-head { height: auto; max-height: 7; padding: 0 1; }
    #cal-flags { height: auto; max-height: 4; padding: 0 1; color: $warning; }
    """
    BINDINGS = [
        Binding("d", "done", "Done", id="calendar_done"),
        Binding("e", "edit", "Edit", id="calendar_edit"),
        Binding("c", "certificate", "Certificate", id="calendar_cert"),
        Binding("n", "new", "Add", id="calendar_new"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="cal-head", markup=False)
        yield Static(id="cal-flags", markup=False)
        yield Static(id="cal-bar", classes="risk-bar", markup=False)
        yield DataTable(id="calendar", classes="risk-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="cal-detail", classes="risk-detail", markup=False)
        yield IsmsFooter()

    def _audits_text(self, plan: AnnualPlan) -> str:
        parts = []
        for a in plan.audits:
            if a.done:
                when = "\u2713" + a.done.isoformat()
            elif a.planned:
                when = a.planned.isoformat()
            elif a.due_by:
                when = "\u2264" + a.due_by.isoformat()
            else:
                when = "-"
            parts.append(f"{self.tr(f'calendar.audit.{a.kind}')} {when}")
        return " / ".join(parts)

    def reload(self) -> None:
        lang, width = self.lang, self.app.size.width
        plan = self.session.view().annual_plan
        head = [certificate_line(plan, lang), next_audit_line(plan, lang), self._audits_text(plan)]
        self.query_one("#cal-head", Static).update(plain("\n".join(wrap_ja("\n".join(head), max(10, width - 2)))))
        flags = [f.message(lang) for f in plan.flags]
        room = 2 if self.app.size.height < 30 else 4
        if len(flags) > room:
            flags = [*flags[:room - 1], self.tr("calendar.flags_more", n=len(flags) - room + 1)]
        pane = self.query_one("#cal-flags", Static)
        pane.display = bool(flags)
        pane.update(plain("\n".join(wrap_ja("\n".join("! " + f for f in flags), max(10, width - 2)))))
        keys = ("state", "activity", "due", "last_done", "every", "owner")
        heads = {k: self.tr(f"calendar.col.{k}") for k in keys}
        texts = []
        for r in plan.activities:
            a = r.activity
            texts.append({"state": f"{STATE_MARK[r.state]} {self.tr(f'calendar.state.{r.state}')}",
                          "activity": a.title(lang), "due": _d(r.due) or self.tr("calendar.no_date"),
                          "last_done": a.last_done or self.tr("calendar.never"),
                          "every": self.tr("calendar.every_short", n=a.every), "owner": a.owner})
        cells = {k: [heads[k], *(t[k] for t in texts)] for k in keys}
        widths = fit_columns(cells, width, flex="activity", flex_min=14,
                             caps={"state": 14, "due": 10, "last_done": 10, "every": 6, "owner": 14},
                             floors={"state": 6, "owner": 6, "last_done": 8})
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        for k in keys:
            table.add_column(heads[k], key=k, width=widths[k])
        self.rows = list(plan.activities)
        for r, txt in zip(plan.activities, texts, strict=True):
            style = STATE_STYLE[r.state]
            table.add_row(*(cell(txt[k], widths[k], style if k in ("state", "due") else "") for k in keys),
                          key=r.activity.key)
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        table.focus()
        self.query_one("#cal-bar", Static).update(self.tr(
            "calendar.bar", n=len(plan.activities), overdue=len(plan.overdue),
            soon=sum(r.state == "due_soon" for r in plan.activities)))
        self._detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        r = self._current()
        pane = self.query_one("#cal-detail", Static)
        if r is None:
            pane.display = False
            return
        a = r.activity
        if r.covered:
            line = self.tr("calendar.d.covered", due=_d(r.due))
        elif r.due and not a.last_done:
            line = self.tr("calendar.d.due_audit", due=_d(r.due), lead=a.lead)
        elif r.due:
            line = self.tr("calendar.d.due", due=_d(r.due), audit_due=_d(r.audit_due) or "-", lead=a.lead,
                           every=a.every, every_due=_d(r.every_due) or "-")
        else:
            line = self.tr("calendar.next_none")
        lines = [line]
        if r.from_answers:
            lines.append(self.tr("calendar.d.from_answers", date=a.last_done))
        show_detail(pane, lines, self.app.size.width)

    def _select(self, key: str) -> None:
        for n, r in enumerate(self.rows):
            if r.activity.key == key:
                self.query_one(DataTable).move_cursor(row=n)
                return

    def _fail(self, exc: BaseException) -> None:
        self.notify(error_line(exc, self.lang), severity="error", markup=False, timeout=10)

    def action_done(self, preset: dict | None = None) -> None:
        r = self._current()
        if r is None:
            return
        a = r.activity

        def done(values: dict | None) -> None:
            if values is None:
                return
            try:
                self.session.update_activity(a.key, **values)
            except (UserError, StorageError, OSError) as exc:
                self._fail(exc)
                self.action_done(values)  # keep what was typed
                return
            self.notify(self.tr("calendar.marked_done", name=a.title(self.lang), date=values["last_done"].strip()),
                        timeout=3, markup=False)
            self.reload()
            self._select(a.key)

        self.app.push_screen(DoneDialog(a, preset), done)

    def action_edit(self, preset: dict | None = None) -> None:
        r = self._current()
        if r is None:
            return
        a = self.session.calendar.activity(r.activity.key)

        def done(values: dict | None) -> None:
            if values is None:
                return
            if self._apply(lambda: self.session.update_activity(a.key, **values), "calendar.saved"):
                self._select(a.key)
            else:
                self.action_edit(values)

        self.app.push_screen(ActivityDialog(self.session, a, preset), done)

    def action_new(self, preset: dict | None = None) -> None:
        def done(values: dict | None) -> None:
            if values is None:
                return
            values = dict(values)
            name = values.pop("name", "")
            try:
                a = self.session.add_activity(name, **values)
            except (UserError, StorageError, OSError) as exc:
                self._fail(exc)
                self.action_new({"name": name, **values})
                return
            self.notify(self.tr("calendar.added", name=a.name), timeout=2, markup=False)
            self.reload()
            self._select(a.key)

        self.app.push_screen(ActivityDialog(self.session, None, preset), done)

    def action_certificate(self, preset: dict | None = None) -> None:
        def done(values: dict | None) -> None:
            if not values:
                return
            if not self._apply(lambda: self.session.set_certificate(**values), "calendar.saved"):
                self.action_certificate(values)

        self.app.push_screen(CertificateDialog(self.session, preset), done)
