"""The internal audit kit (F4): the audit programme of the cycle with its independence and
coverage warnings, the dialog that plans or changes an audit, and an audit's checklist where
1-4 record the result of the current line and e its note and the evidence seen. Every rule is
the core's (isms_tui/internal_audit.py through the Session and the read model); these screens
only show and collect."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Input, Label, Static

from ..internal_audit import Audit, AuditRow, scope_text
from ..model import UserError
from ..service import Session, StorageError
from .common import cell, error_line
from .footer import IsmsFooter
from .register import FormDialog, RegisterScreen, fit_columns, show_detail

AUDIT_FIELDS = ("title", "planned", "done_on", "scope", "lead", "auditors", "auditees")
RESULT_KEYS = {"1": "conforming", "2": "minor", "3": "major", "4": "observation", "0": ""}
RESULT_STYLE = {"major": "bold red", "minor": "yellow", "observation": "cyan", "conforming": "green"}
MAX_PROBLEMS_SHOWN = 3


class AuditDialog(FormDialog):
    """Plan or change an audit: title, dates, scope typed as references, the team."""

    def __init__(self, session: Session, audit: Audit | None = None, preset: dict | None = None):
        super().__init__()
        self.session = session
        self.audit = audit
        self.preset = preset or {}

    def _v(self, name: str) -> str:
        if name in self.preset:
            return str(self.preset[name] or "")
        a = self.audit
        if a is None:
            return {"planned": date.today().isoformat()}.get(name, "")
        if name == "scope":
            return scope_text(a.scope, self.lang)
        if name in ("auditors", "auditees"):
            return ", ".join(getattr(a, name))
        return str(getattr(a, name) or "")

    def compose(self) -> ComposeResult:
        tr = self.tr
        title = tr("audit.form.new") if self.audit is None else tr("audit.form.edit", label=self.audit.label)
        people = [p.name for p in self.session.workshop.participants.values()]
        with Vertical(classes="risk-form"):
            yield Static(title, classes="dialog-title", markup=False)
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            with VerticalScroll(classes="form-body"):
                for name in AUDIT_FIELDS:
                    yield Label(tr(f"audit.f.{name}"))
                    hint = {"scope": tr("audit.f.scope_hint"), "planned": "YYYY-MM-DD", "done_on": "YYYY-MM-DD",
                            "auditors": tr("audit.f.names_hint"), "auditees": tr("audit.f.names_hint")}.get(name, "")
                    yield Input(self._v(name), id=name, placeholder=hint)
                if people:
                    yield Static(tr("audit.f.participants", names=", ".join(people)), classes="form-hint-long",
                                 markup=False)
            yield from self.buttons()

    def values(self) -> dict:
        return {k: self.query_one(f"#{k}", Input).value for k in AUDIT_FIELDS}


class AuditScreen(RegisterScreen):
    """The audit programme: n plans an audit, e edits it, Enter or c opens its checklist."""

    DEFAULT_CSS = RegisterScreen.DEFAULT_CSS + "\n#audit-detail { max-height: 10; }\n"

    BINDINGS = [
        Binding("c", "checklist", "Checklist", id="open_checklist"),
        Binding("n", "new", "New", id="new_audit"),
        Binding("e", "edit", "Edit", id="edit_audit"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="audit-bar", classes="risk-bar", markup=False)
        yield DataTable(id="audits", classes="risk-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="audit-detail", classes="risk-detail", markup=False)
        yield IsmsFooter()

    def reload(self) -> None:
        lang, tr = self.lang, self.tr
        programme = self.session.view().audit_programme
        rows = programme.rows
        keys = ("no", "date", "state", "title", "scope", "lines", "warn")
        heads = {k: tr(f"audit.col.{k}") for k in keys}
        texts = []
        for r in rows:
            a = r.audit
            texts.append({"no": a.label, "date": a.done_on or a.planned or "",
                          "state": tr("audit.state.short.done" if r.done else "audit.state.short.planned"),
                          "title": a.title, "scope": scope_text(a.scope, lang), "lines": f"{r.recorded}/{len(r.lines)}",
                          "warn": tr("audit.warn_n", n=len(r.problems)) if r.problems else ""})
        cells = {k: [heads[k], *(x[k] for x in texts)] for k in keys}
        widths = fit_columns(cells, self.app.size.width, flex="title", flex_min=14,
                             caps={"state": 10, "scope": 22, "warn": 10},
                             floors={"state": 4, "scope": 8, "warn": 4})
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        for k in keys:
            table.add_column(heads[k], key=k, width=widths[k])
        self.rows = rows
        for r, x in zip(rows, texts, strict=True):
            table.add_row(*(cell(x[k], widths[k], "bold red" if k == "warn" else ("dim" if k == "state" and r.done else ""))
                            for k in keys), key=r.audit.id)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        table.focus()
        parts = [tr("audit.bar", n=len(rows), evidence=len(programme.evidence))]
        if programme.gaps:
            parts.append(tr("audit.bar_gaps", areas=", ".join(g.label(lang) for g in programme.gaps)))
        self.query_one("#audit-bar", Static).update("  ".join(parts))
        self._detail(programme)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(self.session.view().audit_programme)

    def _detail(self, programme) -> None:
        r: AuditRow | None = self._current()
        pane = self.query_one("#audit-detail", Static)
        tr, lang = self.tr, self.lang
        if r is None:
            pane.display = True
            pane.update(tr("audit.empty"))
            return
        a = r.audit
        # the warnings first: the pane shows what fits of the rest
        lines = [f"{a.label} {a.title}"]
        lines += ["! " + p.message(lang) for p in r.problems[:MAX_PROBLEMS_SHOWN]]
        if len(r.problems) > MAX_PROBLEMS_SHOWN:
            lines.append(tr("audit.more_problems", n=len(r.problems) - MAX_PROBLEMS_SHOWN))
        if programme.gaps:
            lines.append("! " + tr("audit.not_covered", areas=", ".join(g.full(lang) for g in programme.gaps)))
        if r.findings:
            lines.append(tr("audit.findings", labels=", ".join(f.label for f in r.findings)))
        lines += [tr("audit.d.team", team=", ".join(a.team), auditees=", ".join(a.auditees) or "-"),
                  tr("audit.d.scope", scope=", ".join(s.full(lang) for s in a.scope_refs))]
        show_detail(pane, lines, self.app.size.width)

    def open_row(self) -> None:
        self.action_checklist()

    def action_checklist(self) -> None:
        r = self._current()
        if r is not None:
            self.app.push_screen(ChecklistScreen(self.session, r.audit.id))

    def _select(self, audit_id: str) -> None:
        for n, r in enumerate(self.rows):
            if r.audit.id == audit_id:
                self.query_one(DataTable).move_cursor(row=n)
                return

    def _open(self, audit: Audit | None, preset: dict | None = None) -> None:
        def done(values: dict | None) -> None:
            if values is None:
                return
            try:
                if audit is None:
                    saved = self.session.add_audit(**values)
                else:
                    saved = self.session.update_audit(audit.id, **values)
            except (UserError, StorageError, OSError) as exc:
                self.notify(error_line(exc, self.lang), severity="error", markup=False, timeout=10)
                self._open(audit, values)  # keep what was typed
                return
            self.notify(self.tr("audit.saved", label=saved.label), timeout=2)
            self.reload()
            self._select(saved.id)
            row = self.session.view().audit_programme.row(saved.id)
            if row is not None and row.problems:  # say it at once: the auditor audits their own work
                self.notify(row.problems[0].message(self.lang), severity="warning", markup=False, timeout=10)

        self.app.push_screen(AuditDialog(self.session, audit, preset), done)

    def action_new(self) -> None:
        self._open(None)

    def action_edit(self) -> None:
        r = self._current()
        if r is not None:
            self._open(self.session.audits.audits.get(r.audit.id, r.audit))


class LineDialog(FormDialog):
    """The auditor's note on a checklist line and the evidence seen."""

    def __init__(self, heading: str, note: str, evidence: str):
        super().__init__()
        self.heading, self.note, self.evidence = heading, note, evidence

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="risk-form"):
            yield Static(self.heading, classes="dialog-title", markup=False)
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            with VerticalScroll(classes="form-body"):
                yield Label(tr("audit.f.note"))
                yield Input(self.note, id="note")
                yield Label(tr("audit.f.evidence"))
                yield Input(self.evidence, id="evidence")
            yield from self.buttons()

    def values(self) -> dict:
        return {"note": self.query_one("#note", Input).value, "evidence": self.query_one("#evidence", Input).value}


CHECKLIST_CSS = """
#checklist-detail { max-height: 10; }
"""


class ChecklistScreen(RegisterScreen):
    """One audit's checklist: 1 conforming, 2 minor, 3 major, 4 observation, 0 not audited
    yet; e writes the note and the evidence seen. A minor or major result, or an observation,
    puts a finding in the findings register (F11)."""

    DEFAULT_CSS = RegisterScreen.DEFAULT_CSS + CHECKLIST_CSS
    BINDINGS = [
        Binding("1", "result('1')", "Conforming", id="result_conforming"),
        Binding("2", "result('2')", "Minor", id="result_minor"),
        Binding("3", "result('3')", "Major", id="result_major"),
        Binding("4", "result('4')", "Observation", id="result_observation"),
        Binding("0", "result('0')", "Not audited", id="result_none", show=False),
        Binding("e", "note", "Note", id="audit_note"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, session: Session, audit_id: str):
        super().__init__(session)
        self.audit_id = audit_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="checklist-bar", classes="risk-bar", markup=False)
        yield DataTable(id="checklist", classes="risk-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="checklist-detail", classes="risk-detail", markup=False)
        yield IsmsFooter()

    def _row(self) -> AuditRow | None:
        return self.session.view().audit_programme.row(self.audit_id)

    def reload(self) -> None:
        tr, lang = self.tr, self.lang
        row = self._row()
        if row is None:
            self.app.pop_screen()
            return
        keys = ("n", "result", "ref", "asks", "finding")
        heads = {k: tr(f"audit.cl.{k}") for k in keys}
        texts = [{"n": str(ln.n), "result": tr(f"audit.result.short.{ln.result or 'none'}"), "ref": ln.requirement.label(lang),
                  "asks": ln.item.auditor_asks[lang].replace("\n", " "),
                  "finding": ln.finding.label if ln.finding else ""} for ln in row.lines]
        cells = {k: [heads[k], *(x[k] for x in texts)] for k in keys}
        widths = fit_columns(cells, self.app.size.width, flex="asks", flex_min=16,
                             caps={"result": 14, "ref": 14, "finding": 6}, floors={"result": 6, "ref": 8})
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        for k in keys:
            table.add_column(heads[k], key=k, width=widths[k])
        self.rows = row.lines
        for ln, x in zip(row.lines, texts, strict=True):
            style = RESULT_STYLE.get(ln.result, "dim")
            table.add_row(cell(x["n"], widths["n"]), cell(x["result"], widths["result"], style),
                          cell(x["ref"], widths["ref"]), cell(x["asks"], widths["asks"]),
                          cell(x["finding"], widths["finding"], "bold" if ln.finding else ""), key=ln.item.id)
        if row.lines:
            table.move_cursor(row=min(keep, len(row.lines) - 1))
        table.focus()
        a = row.audit
        self.query_one("#checklist-bar", Static).update(tr("audit.cl.bar", label=a.label, title=a.title,
                                                           recorded=row.recorded, total=len(row.lines)))
        self._detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        ln = self._current()
        pane = self.query_one("#checklist-detail", Static)
        tr, lang = self.tr, self.lang
        if ln is None:
            pane.display = True
            pane.update(tr("audit.cl.empty"))
            return
        view_where = self.session.view().asked_in(ln.item, lang)
        status = tr(f"status.{ln.status or 'unanswered'}")
        result = tr(f"audit.result.{ln.result or 'none'}")
        lines = [f"{ln.n}. {ln.requirement.full(lang)}  [{result}]",
                 tr("audit.cl.where", where=view_where, status=status)]
        if ln.finding is not None:
            lines.append(tr("audit.cl.finding_line", label=ln.finding.label, grade=tr(f"finding.grade.{ln.finding.grade}")))
        if ln.record and ln.record.note:
            lines.append(tr("audit.note", text=ln.record.note))
        if ln.record and ln.record.evidence:
            lines.append(tr("audit.evidence_seen", text=ln.record.evidence))
        lines.append(ln.item.auditor_asks[lang])
        if ln.item.evidence[lang]:
            lines.append(tr("audit.evidence_examples", examples="; ".join(ln.item.evidence[lang])))
        show_detail(pane, lines, self.app.size.width)

    def _record(self, **values) -> bool:
        ln = self._current()
        if ln is None:
            return False
        try:
            _, finding, what = self.session.record_audit_line(self.audit_id, ln.n, **values)
        except (UserError, StorageError, OSError) as exc:
            self.notify(error_line(exc, self.lang), severity="error", markup=False, timeout=10)
            return False
        if what:
            self.notify(self.tr(f"audit.finding.{what}", label=finding.label if finding else "-"),
                        severity="warning" if what == "created" else "information", markup=False, timeout=6)
        self.reload()
        return True

    def action_result(self, key: str) -> None:
        if self._record(result=RESULT_KEYS[key]):
            table = self.query_one(DataTable)
            if table.cursor_row < table.row_count - 1:
                table.move_cursor(row=table.cursor_row + 1)  # on to the next line, as the questionnaire does

    def action_note(self) -> None:
        ln = self._current()
        if ln is None:
            return

        def done(values: dict | None) -> None:
            if values is not None:
                self._record(**values)

        rec = ln.record
        heading = self.tr("audit.note_title", n=ln.n, ref=ln.requirement.label(self.lang))
        self.app.push_screen(LineDialog(heading, rec.note if rec else "", rec.evidence if rec else ""), done)
