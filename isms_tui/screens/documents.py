"""The documents & records register (文書・記録一覧): one row per document or record the company
keeps, with its effective state (an approved entry past its review date is out of date), the
requirement, its name, owner, approval and next review. ``c`` adds the catalogue's documents
the register does not list yet, ``n`` adds the company's own, Enter / ``e`` edits, ``f``
filters (missing, not approved, out of date), Delete removes. Every rule is the core's
(:mod:`isms_tui.documents` through the Session); this screen only shows and collects."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static

from ..documents import CUSTOM, DOC_KINDS, DOCUMENT_STATES, FILTERS, document_catalog, matches, refs_text
from ..model import UserError
from ..service import Session, StorageError
from ..text import clean
from ..view import DocumentRow
from .common import cell, error_line, plain
from .register import FormDialog, RegisterScreen, fit_columns, opt, select_value, show_detail

STATE_STYLE = {"missing": "bold red", "draft": "yellow", "approved": "green", "out_of_date": "bold red"}
TEXT_FIELDS = ("name", "refs", "location", "version", "owner", "approved_by", "approved_on", "next_review", "items",
               "note")


class DocumentDialog(FormDialog):
    """One entry: what it is (a catalogue document or the company's own), its name, the
    requirements, where it is, version, owner, state and approval, next review, questions."""

    def __init__(self, row: DocumentRow | None, preset: dict | None = None):
        super().__init__()
        self.row = row
        self.preset = preset or {}

    def _v(self, name: str) -> str:
        if name in self.preset:
            return str(self.preset[name] or "")
        if self.row is None:
            return ""
        e = self.row.entry
        if name == "refs":
            return refs_text(e.typed_refs)
        if name == "items":
            return ", ".join(e.items) if e.items is not None else ""
        return str(getattr(e, name) or "")

    def compose(self) -> ComposeResult:
        tr, lang = self.tr, self.lang
        title = self.row.name(lang) if self.row else tr("doc.new")
        with Vertical(classes="risk-form"):
            yield Static(plain(title), classes="dialog-title")
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            with VerticalScroll(classes="form-body"):
                if self.row is not None and self.row.catalog is not None:
                    yield Static(plain(self.row.catalog.why[lang]), classes="preview")
                yield Label(tr("doc.f.name"))
                yield Input(self._v("name"), id="name",
                            placeholder=self.row.catalog.title[lang] if self.row and self.row.catalog else "")
                yield Label(tr("doc.f.catalog"))
                current = str(self.preset.get("catalog_id") or (self.row.entry.catalog_id if self.row else CUSTOM))
                options = [(opt(tr("doc.custom")), CUSTOM)] + [
                    (opt(f"{c.cite_label(lang)} {c.title[lang]}"), c.id) for c in document_catalog().values()]
                yield Select(options, allow_blank=False, value=current, id="catalog_id")
                yield Label(tr("doc.f.kind"))
                kind = self.preset.get("kind") or (self.row.entry.kind if self.row else "document")
                yield Select([(opt(tr(f"doc.kind.{k}")), k) for k in DOC_KINDS], allow_blank=False, value=kind,
                             id="kind")
                yield Label(tr("doc.f.refs"))
                yield Input(self._v("refs"), id="refs", placeholder="4.3, A.5.10")
                yield Label(tr("doc.f.location"))
                yield Input(self._v("location"), id="location", placeholder=tr("doc.f.location_hint"))
                yield Label(tr("doc.f.version"))
                yield Input(self._v("version"), id="version")
                yield Label(tr("doc.f.owner"))
                yield Input(self._v("owner"), id="owner")
                yield Label(tr("doc.f.state"))
                state = self.preset.get("state") or (self.row.entry.state if self.row else "missing")
                yield Select([(opt(tr(f"doc.state.{s}")), s) for s in DOCUMENT_STATES], allow_blank=False,
                             value=state, id="state")
                yield Label(tr("doc.f.approved_by"))
                yield Input(self._v("approved_by"), id="approved_by")
                yield Label(tr("doc.f.approved_on"))
                yield Input(self._v("approved_on"), id="approved_on", placeholder="YYYY-MM-DD")
                yield Label(tr("doc.f.next_review"))
                yield Input(self._v("next_review"), id="next_review", placeholder="YYYY-MM-DD")
                yield Label(tr("doc.f.items"))
                yield Input(self._v("items"), id="items", placeholder=tr("doc.f.items_hint"))
                yield Label(tr("doc.f.note"))
                yield Input(self._v("note"), id="note")
            yield from self.buttons()

    def values(self) -> dict:
        out: dict[str, object] = {k: self.query_one(f"#{k}", Input).value for k in TEXT_FIELDS}
        for k in ("catalog_id", "kind", "state"):
            out[k] = select_value(self.query_one(f"#{k}", Select))
        return out


class DocumentsScreen(RegisterScreen):
    BINDINGS = [
        Binding("e", "edit", "Edit", id="edit_doc"),
        Binding("n", "new", "New", id="new_doc"),
        Binding("c", "seed", "From catalogue", id="seed_docs"),
        Binding("f", "cycle_filter", "Filter", id="filter"),
        Binding("delete", "delete", "Delete", id="delete"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, session: Session):
        super().__init__(session)
        self.filter = "all"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="doc-bar", classes="risk-bar", markup=False)
        yield DataTable(id="documents", classes="risk-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="doc-detail", classes="risk-detail")
        yield Footer()

    def reload(self) -> None:
        lang = self.lang
        view = self.session.view()
        rows = view.documents
        self.rows = [r for r in rows if matches(r.state, self.filter)]
        table = self.query_one(DataTable)
        keep = table.cursor_row
        keys = ("state", "ref", "name", "owner", "approved", "review")
        cells: dict[str, list[str]] = {k: [self.tr(f"doc.col.{k}")] for k in keys}
        for r in self.rows:
            e = r.entry
            cells["state"].append(self.tr(f"doc.state.{r.state}"))
            cells["ref"].append(r.catalog.cite_label(lang) if r.catalog else ", ".join(x.label(lang) for x in r.refs))
            cells["name"].append(("* " if r.mandatory else "") + clean(r.name(lang), multiline=False))
            cells["owner"].append(clean(e.owner, multiline=False))
            cells["approved"].append(" ".join(x for x in (e.approved_on or "", clean(e.approved_by, multiline=False)) if x))
            cells["review"].append(e.next_review or "")
        widths = fit_columns(cells, self.app.size.width, flex="name", flex_min=16,
                             caps={"ref": 16, "owner": 12, "approved": 20}, floors={"ref": 8, "owner": 6, "approved": 10})
        table.clear(columns=True)
        for key in keys:
            table.add_column(cell(cells[key][0], widths[key]), key=key, width=widths[key])
        for n, r in enumerate(self.rows, start=1):
            styles = {"state": STATE_STYLE[r.state], "review": "bold red" if r.state == "out_of_date" else ""}
            table.add_row(*(cell(cells[k][n], widths[k], style=styles.get(k, "")) for k in keys), key=r.entry.id)
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        table.focus()
        count = {s: sum(1 for r in rows if r.state == s) for s in DOCUMENT_STATES}
        bar = self.tr("doc.bar", shown=len(self.rows), total=len(rows), missing=count["missing"], draft=count["draft"],
                      out_of_date=count["out_of_date"], blocking=len(view.document_issues),
                      filter=self.tr(f"doc.filter.{self.filter}"))
        if not rows:
            bar = self.tr("doc.empty")
        self.query_one("#doc-bar", Static).update(bar)
        self._show_detail()

    def detail_lines(self, r: DocumentRow) -> list[str]:
        tr, lang, e = self.tr, self.lang, r.entry
        head = f"{r.name(lang)} ({tr(f'doc.kind.{e.kind}')}, {tr(f'doc.state.{r.state}')})"
        facts = [f"{tr(f'doc.f.{k}')}: {v}" for k in ("location", "version") if (v := getattr(e, k))]
        if r.items:
            facts.append(tr("doc.detail.items", items=", ".join(i.id for i in r.items)))
        lines = [head]
        if r.catalog is not None:
            lines.append(tr("doc.detail.why", why=r.catalog.why[lang], examples=" / ".join(r.catalog.examples[lang])))
        if facts:
            lines.append(" · ".join(facts))
        lines += [i.message(lang) for i in r.issues]
        if r.warning:
            lines.append(tr(r.warning, path=e.location))
        return lines

    def _show_detail(self) -> None:
        r = self._current()
        show_detail(self.query_one("#doc-detail", Static), self.detail_lines(r) if r else [], self.app.size.width)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def action_cycle_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self.reload()

    def _open(self, row: DocumentRow | None, preset: dict | None = None) -> None:
        def done(values: dict | None) -> None:
            if values is None:
                return
            try:
                if row is None:
                    entry = self.session.add_document(**values)
                else:
                    entry = self.session.update_document(row.entry.id, **values)
            except (UserError, StorageError, OSError) as exc:
                self.notify(error_line(exc, self.lang), severity="error", markup=False, timeout=10)
                self._open(row, values)  # keep what was typed
                return
            self.notify(self.tr("doc.saved"), timeout=2)
            self.reload()
            saved = next((r for r in self.session.view().documents if r.entry.id == entry.id), None)
            if saved is not None and saved.warning:  # kept as typed; the user is told
                self.notify(self.tr(saved.warning, path=entry.location), severity="warning", markup=False, timeout=10)

        self.app.push_screen(DocumentDialog(row, preset), done)

    def action_edit(self) -> None:
        row = self._current()
        if row is not None:
            self._open(row)

    def action_new(self) -> None:
        self._open(None)

    def action_seed(self) -> None:
        try:
            added = self.session.seed_documents()
        except (UserError, StorageError, OSError) as exc:
            self.notify(error_line(exc, self.lang), severity="error", markup=False, timeout=10)
            return
        self.notify(self.tr("doc.seeded", n=len(added)) if added else self.tr("doc.seed_none"), timeout=4)
        self.reload()

    def action_delete(self) -> None:
        from .dialogs import ConfirmScreen

        row = self._current()
        if row is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._apply(lambda: self.session.remove_document(row.entry.id), "doc.deleted")

        self.app.push_screen(ConfirmScreen(self.tr("doc.confirm_delete", name=row.name(self.lang))), confirmed)
