"""The findings register (是正処置): the findings of internal audits, the certification body's
audits and incidents, with their corrective actions, closure and effectiveness check. Every
rule is the core's (isms_tui/findings.py through the Session, the state and the blockers from
the read model); this screen only shows and collects."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from ..findings import CHECK_RESULTS, GRADES, SOURCES, Finding, ref_input
from ..model import UserError
from ..service import Session, StorageError
from .common import cell, error_line
from .register import FormDialog, RegisterScreen, fit_columns, opt, select_value, show_detail

FILTERS = ("open", "all", "major")
TEXT_FIELDS = ("ref", "description", "raised_on", "raised_by", "correction", "root_cause", "action", "owner", "due",
               "closure_evidence", "closed_on", "check_by", "check_on", "check_note")


class FindingDialog(FormDialog):
    """Record or edit a finding: what was found against which requirement, then the
    correction, root cause and corrective action, the closure and the effectiveness check."""

    def __init__(self, session: Session, finding: Finding | None = None, preset: dict | None = None):
        super().__init__()
        self.session = session
        self.finding = finding
        self.preset = preset or {}

    def _v(self, name: str) -> str:
        if name in self.preset:
            return str(self.preset[name] or "")
        f = self.finding
        if f is None:
            return {"raised_on": date.today().isoformat(), "source": "internal_audit", "grade": "minor"}.get(name, "")
        if name == "ref":
            return ref_input(f.requirement, self.lang)
        return str(getattr(f, name) or "")

    def _input(self, name: str, placeholder: str = "") -> ComposeResult:
        yield Label(self.tr(f"findings.f.{name}"))
        yield Input(self._v(name), id=name, placeholder=placeholder)

    def compose(self) -> ComposeResult:
        tr = self.tr
        title = tr("findings.form.new") if self.finding is None else tr("findings.form.edit", label=self.finding.label)
        with Vertical(classes="risk-form"):
            yield Static(title, classes="dialog-title", markup=False)
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            with VerticalScroll(classes="form-body"):
                yield from self._input("ref", tr("findings.f.ref_hint"))
                yield Label(tr("findings.f.grade"))
                yield Select([(opt(tr(f"finding.grade.{g}")), g) for g in GRADES], allow_blank=False,
                             value=self._v("grade") or "minor", id="grade")
                yield from self._input("description")
                yield Label(tr("findings.f.source"))
                yield Select([(opt(tr(f"finding.source.{s}")), s) for s in SOURCES], allow_blank=False,
                             value=self._v("source") or "internal_audit", id="source")
                yield from self._input("raised_on", "YYYY-MM-DD")
                yield from self._input("raised_by")
                yield from self._input("correction")
                yield from self._input("root_cause")
                yield from self._input("action")
                yield from self._input("owner")
                yield from self._input("due", "YYYY-MM-DD")
                yield from self._input("closure_evidence")
                yield from self._input("closed_on", "YYYY-MM-DD")
                yield from self._input("check_by")
                yield from self._input("check_on", "YYYY-MM-DD")
                yield Label(tr("findings.f.check_result"))
                yield Select([(opt(tr("findings.f.no_check")), "none"),
                              *((opt(tr(f"finding.check.{r}")), r) for r in CHECK_RESULTS)],
                             allow_blank=False, value=self._v("check_result") or "none", id="check_result")
                yield from self._input("check_note")
            yield from self.buttons()

    def values(self) -> dict:
        out: dict = {k: self.query_one(f"#{k}", Input).value for k in TEXT_FIELDS}
        out["grade"] = str(select_value(self.query_one("#grade", Select)) or "minor")
        out["source"] = str(select_value(self.query_one("#source", Select)) or "internal_audit")
        result = str(select_value(self.query_one("#check_result", Select)) or "none")
        out["check_result"] = "" if result == "none" else result
        return out


class FindingsScreen(RegisterScreen):
    """The findings register: not closed first, majors first; n records one, e or Enter edits,
    f switches between the open ones, all and the majors, Delete deletes one (after a yes)."""

    BINDINGS = [
        Binding("n", "new", "New", id="new_finding"),
        Binding("e", "edit", "Edit", id="edit_finding"),
        Binding("f", "filter", "Filter", id="filter_findings"),
        Binding("delete", "delete", "Delete", id="delete"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, session: Session):
        super().__init__(session)
        self.filter = "open"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="findings-bar", classes="risk-bar", markup=False)
        yield DataTable(id="findings", classes="risk-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="findings-detail", classes="risk-detail", markup=False)
        yield Footer()

    def _shown(self, rows: list) -> list:
        if self.filter == "open":
            return [r for r in rows if not r.closed]
        if self.filter == "major":
            return [r for r in rows if r.finding.grade == "major"]
        return rows

    def reload(self) -> None:
        lang = self.lang
        view = self.session.view()
        rows = self._shown(view.findings)
        keys = ("no", "state", "grade", "ref", "description", "owner", "due")
        heads = {k: (self.tr(f"findings.col.{k}") if k != "no" else "#") for k in keys}
        texts = []
        for r in rows:
            f = r.finding
            state = self.tr(f"finding.state.{r.state}") + (self.tr("finding.reopened_mark") if f.reopened else "")
            texts.append({"no": f.label, "state": state, "grade": self.tr(f"finding.grade.{f.grade}"),
                          "ref": f.requirement.label(lang), "description": f.description.replace("\n", " "),
                          "owner": r.owner or self.tr("findings.no_owner"), "due": r.due.isoformat() if r.due else ""})
        cells = {k: [heads[k], *(t[k] for t in texts)] for k in keys}
        widths = fit_columns(cells, self.app.size.width, flex="description", flex_min=16,
                             caps={"state": 14, "grade": 12, "ref": 14, "owner": 14, "due": 10},
                             floors={"state": 6, "grade": 6, "ref": 8, "owner": 6})
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        for k in keys:
            table.add_column(heads[k], key=k, width=widths[k])
        self.rows = rows
        for r, txt in zip(rows, texts, strict=True):
            dim = "dim" if r.closed else ""
            style = {"major": "bold red", "minor": "yellow"}.get(r.finding.grade, "")
            table.add_row(cell(txt["no"], widths["no"]), cell(txt["state"], widths["state"], dim),
                          cell(txt["grade"], widths["grade"], style if not r.closed else dim),
                          cell(txt["ref"], widths["ref"]), cell(txt["description"], widths["description"]),
                          cell(txt["owner"], widths["owner"]), cell(txt["due"], widths["due"]), key=r.finding.id)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        table.focus()
        self.query_one("#findings-bar", Static).update(self.tr(
            "findings.bar", n=len(view.findings), open=len(view.open_findings), majors=len(view.certification_blockers),
            filter=self.tr(f"findings.filter.{self.filter}")))
        self._detail(bool(view.findings))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(True)

    def _detail(self, any_findings: bool) -> None:
        r = self._current()
        pane = self.query_one("#findings-detail", Static)
        if r is None:
            pane.display = True
            pane.update(self.tr("findings.none_shown" if any_findings else "findings.empty"))
            return
        f, tr, lang = r.finding, self.tr, self.lang
        lines = [f"{f.label}  {tr(f'finding.grade.{f.grade}')}  {f.requirement.full(lang)}",
                 tr("findings.d.raised", source=tr(f"finding.source.{f.source}"), on=f.raised_on, by=f.raised_by).rstrip(),
                 f.description]
        for key, text in (("correction", f.correction), ("root_cause", f.root_cause), ("action", f.action)):
            if text:
                lines.append(tr(f"findings.d.{key}", text=text))
        if f.closed_on:
            lines.append(tr("findings.d.closed", on=f.closed_on, evidence=f.closure_evidence))
        if f.check_result:
            lines.append(tr("findings.d.check", result=tr(f"finding.check.{f.check_result}"), by=f.check_by,
                            on=f.check_on, note=f.check_note).rstrip())
        show_detail(pane, lines, self.app.size.width)

    def action_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self.reload()

    def action_new(self, preset: dict | None = None) -> None:
        def done(values: dict | None) -> None:
            if values is None:
                return
            try:
                f = self.session.add_finding(**values)
            except (UserError, StorageError, OSError) as exc:
                self.notify(error_line(exc, self.lang), severity="error", markup=False, timeout=10)
                self.action_new(values)  # keep what was typed
                return
            self.notify(self.tr("findings.added"), timeout=2)
            if self.filter != "all" and f.id not in {r.finding.id for r in self._shown(self.session.view().findings)}:
                self.filter = "all"
            self.reload()
            self._select(f.id)

        self.app.push_screen(FindingDialog(self.session, None, preset), done)

    def _select(self, finding_id: str) -> None:
        for n, r in enumerate(self.rows):
            if r.finding.id == finding_id:
                self.query_one(DataTable).move_cursor(row=n)
                return

    def action_edit(self, preset: dict | None = None) -> None:
        r = self._current()
        if r is None:
            return
        f = r.finding

        def done(values: dict | None) -> None:
            if values is None:
                return
            try:
                self.session.update_finding(f.id, **values)
            except (UserError, StorageError, OSError) as exc:
                self.notify(error_line(exc, self.lang), severity="error", markup=False, timeout=10)
                self.action_edit(values)  # keep what was typed
                return
            self.notify(self.tr("findings.saved"), timeout=2)
            self.reload()
            self._select(f.id)

        self.app.push_screen(FindingDialog(self.session, self.session.findings.findings.get(f.id, f), preset), done)

    def action_delete(self) -> None:
        from .dialogs import ConfirmScreen

        r = self._current()
        if r is None:
            return
        label = r.finding.label

        def confirmed(yes: bool | None) -> None:
            if yes:
                try:
                    self.session.remove_finding(r.finding.id)
                except (UserError, StorageError, OSError) as exc:
                    self.notify(error_line(exc, self.lang), severity="error", markup=False, timeout=10)
                    return
                self.notify(self.tr("finding.deleted", label=label), timeout=3)
                self.reload()

        self.app.push_screen(ConfirmScreen(self.tr("findings.delete_confirm", label=label)), confirmed)
