"""Audit preparation (F3): the stage 1 checklist and the stage 2 sampling list.

The stage 1 checklist lists what the stage 1 auditor reviews, grouped in the order the review
runs, each requirement with its state (ready / gaps / not assessed), its documents and open
gaps; the pane below shows the selected requirement, Enter shows it in full with the auditor's
questions. ``t`` switches to the sampling list: one row per record type the stage 2 auditor
samples with "have we got 3-6 months?"; Enter / ``e`` records how many months are held, where,
the oldest record and a note. Every rule is the core's (:mod:`isms_tui.preaudit` through the
read model and the Session); this screen only shows and collects."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Input, Label, Select, Static

from ..model import UserError
from ..preaudit import MONTHS, PackGroup, PackRow, SamplingRow
from ..service import Session, StorageError
from ..text import clean, truncate, wrap_ja
from .base import IsmsScreen
from .common import cell, error_line, plain, retranslate_bindings
from .footer import IsmsFooter
from .register import FormDialog, RegisterScreen, fit_columns, opt, select_value

MODES = ("stage1", "sampling")
STATE_STYLE = {"ready": "green", "gaps": "bold red", "not_assessed": "yellow"}
SAMPLING_STYLE = {"enough": "green", "gap": "bold red", "not_applicable": "dim", "not_recorded": "yellow"}
AUTO = "auto"  # the dialog's months choice "from the oldest record's date"
CSS = """
PreauditScreen .pre-detail { height: 9; padding: 0 1; border-top: solid $panel; }
PackDetailScreen #pack-body { height: 1fr; padding: 0 1; }
"""


def pack_lines(row: PackRow, tr, lang: str, *, asks: bool, width: int = 0) -> list[str]:
    """The selected requirement as text: title, documents and gate issues, the auditor's
    questions by the bank and section they come from (``asks``; else how many there are),
    then the open plan actions (cut to one line of ``width`` cells when given)."""
    lines = [f"{row.label(lang)} {row.title(lang)}  [{tr(f'pre.state.{row.state}')}]"]
    for d in row.documents:
        lines.append(tr("pre.d.document", name=clean(d.name(lang), multiline=False), state=tr(f"doc.state.{d.state}")))
    for c in row.unlisted:
        lines.append(tr("pre.d.document", name=c.title[lang], state=tr("pre.not_listed")))
    for i in row.issues:
        lines.append("! " + i.message(lang))
    if asks:
        for a in row.asks:
            lines.append(tr("pre.d.asks", where=a.where[lang]))
            lines += [f"  - {s}" for s in a.lines[lang]]
            lines.append("")
    else:
        lines.append(tr("pre.d.asks_count", n=sum(len(a.lines[lang]) for a in row.asks)))
    for a in row.actions:
        line = "\u2192 " + a.first_line(lang)
        lines.append(truncate(line, width) if width else line)
    if not row.documents and not row.unlisted and not row.issues and not row.actions:
        lines.append(tr("pre.d.nothing_open"))
    return lines


def sampling_lines(row: SamplingRow, tr, lang: str) -> list[str]:
    e = row.entry
    lines = [f"{row.record.title[lang]}  [{tr(f'pre.sampling.state.{row.state}')}]  "
             + ", ".join(r.label(lang) for r in row.record.refs)]
    if e is not None:
        if e.reason:
            lines.append(tr("pre.d.reason", text=e.reason))
        if e.note:
            lines.append(tr("pre.d.note", text=e.note))
    if row.action is not None:
        lines.append("\u2192 " + row.action.first_line(lang))
    lines.append(tr("pre.d.why", text=row.record.why[lang]))
    lines.append(tr("pre.d.sample", text=row.record.sample[lang]))
    for d in row.documents:
        lines.append(tr("pre.d.document", name=clean(d.name(lang), multiline=False), state=tr(f"doc.state.{d.state}")))
    return lines


class PackDetailScreen(IsmsScreen):
    """One requirement of the stage 1 checklist in full (escape goes back)."""

    DEFAULT_CSS = CSS
    BINDINGS = [Binding("escape", "back", "Back", id="back")]

    def __init__(self, row: PackRow):
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="pack-body"):
            yield Static(id="pack-text")
        yield IsmsFooter()

    def on_mount(self) -> None:
        self.relabel()
        self.query_one("#pack-body").focus()

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        text = "\n".join(pack_lines(self.row, self.tr, self.lang, asks=True))
        width = max(20, self.app.size.width - 4)
        self.query_one("#pack-text", Static).update(plain("\n".join(wrap_ja(text, width))))

    def action_back(self) -> None:
        self.app.pop_screen()


class SamplingDialog(FormDialog):
    """What the company holds of one record type: months held (or from the oldest record's
    date), where, the oldest record, the reason when it does not apply, a note."""

    def __init__(self, row: SamplingRow, preset: dict | None = None):
        super().__init__()
        self.row = row
        self.preset = preset or {}

    def _v(self, name: str) -> str:
        if name in self.preset:
            return str(self.preset[name] or "")
        return str(getattr(self.row.entry, name) or "") if self.row.entry else ""

    def compose(self) -> ComposeResult:
        tr, lang, rec = self.tr, self.lang, self.row.record
        with Vertical(classes="risk-form"):
            yield Static(plain(rec.title[lang]), classes="dialog-title")
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            with VerticalScroll(classes="form-body"):
                yield Static(plain(rec.sample[lang]), classes="preview")
                yield Label(tr("pre.f.months"))
                months = self.preset.get("months") or (self.row.entry.months if self.row.entry else AUTO)
                yield Select([(opt(tr("pre.f.auto")), AUTO), *((opt(tr(f"pre.months.{m}")), m) for m in MONTHS)],
                             allow_blank=False, value=months or AUTO, id="months")
                yield Label(tr("pre.f.location"))
                yield Input(self._v("location"), id="location")
                yield Label(tr("pre.f.oldest"))
                yield Input(self._v("oldest"), id="oldest", placeholder="YYYY-MM-DD")
                yield Label(tr("pre.f.reason"))
                yield Input(self._v("reason"), id="reason")
                yield Label(tr("pre.f.note"))
                yield Input(self._v("note"), id="note")
            yield from self.buttons()

    def first_field(self):
        return self.query_one("#months", Select)

    def values(self) -> dict:
        out: dict[str, object] = {k: self.query_one(f"#{k}", Input).value for k in ("location", "oldest", "reason", "note")}
        months = select_value(self.query_one("#months", Select))
        out["months"] = "" if months in ("", AUTO) else months
        return out


class PreauditScreen(RegisterScreen):
    BINDINGS = [
        Binding("t", "toggle_mode", "Stage 1/2", id="pre_toggle"),
        Binding("e", "edit", "Record", id="pre_edit"),
        Binding("escape", "back", "Back", id="back"),
    ]
    DEFAULT_CSS = RegisterScreen.DEFAULT_CSS + CSS

    def __init__(self, session: Session, mode: str = "stage1"):
        super().__init__(session)
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="pre-bar", classes="risk-bar", markup=False)
        yield DataTable(id="preaudit", classes="risk-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="pre-detail", classes="pre-detail")
        yield IsmsFooter()

    def reload(self) -> None:
        view = self.session.view()
        table = self.query_one(DataTable)
        keep = table.cursor_row
        if self.mode == "stage1":
            self._stage1(view, table)
        else:
            self._sampling(view, table)
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        table.focus()
        self._detail()

    def _stage1(self, view, table: DataTable) -> None:
        lang, tr = self.lang, self.tr
        pack = view.stage1_pack
        rows = [r for g in pack for r in g.rows]
        keys = ("state", "ref", "title", "docs", "gaps")
        cells: dict[str, list[str]] = {k: [tr(f"pre.col.{k}")] for k in keys}
        self.rows = []
        texts = []
        for g in pack:
            self.rows.append(g)
            texts.append({"state": "", "ref": "", "title": g.title(lang), "docs": "", "gaps": ""})
            for r in g.rows:
                approved = sum(1 for d in r.documents if d.state == "approved")
                expected = len(r.documents) + len(r.unlisted)
                self.rows.append(r)
                texts.append({"state": tr(f"pre.state.{r.state}"), "ref": r.label(lang), "title": r.title(lang),
                              "docs": f"{approved}/{expected}" if expected else "",
                              "gaps": str(len(r.issues) + len(r.actions)) if r.state == "gaps" else ""})
        for txt in texts:
            for k in keys:
                cells[k].append(txt[k] if k != "title" or txt["ref"] else "")  # group titles span: not measured
        widths = fit_columns(cells, self.app.size.width, flex="title", flex_min=16,
                             caps={"state": 12, "ref": 17}, floors={"state": 6, "ref": 10})
        table.clear(columns=True)
        for k in keys:
            table.add_column(cells[k][0], key=k, width=widths[k])
        for n, (item, txt) in enumerate(zip(self.rows, texts, strict=True)):
            if isinstance(item, PackGroup):
                title = txt["title"]
                table.add_row(cell("", widths["state"]), cell("", widths["ref"]),
                              cell(title, widths["title"], "bold reverse"), cell("", widths["docs"]),
                              cell("", widths["gaps"]), key=f"g{n}")
                continue
            table.add_row(cell(txt["state"], widths["state"], STATE_STYLE[item.state]), cell(txt["ref"], widths["ref"]),
                          cell(txt["title"], widths["title"]), cell(txt["docs"], widths["docs"]),
                          cell(txt["gaps"], widths["gaps"]), key=f"r{n}")
        counts = {s: sum(1 for r in rows if r.state == s) for s in ("ready", "gaps", "not_assessed")}
        self.query_one("#pre-bar", Static).update(tr("pre.bar.stage1", n=len(rows), **counts))

    def _sampling(self, view, table: DataTable) -> None:
        lang, tr = self.lang, self.tr
        rows = view.sampling
        keys = ("state", "record", "months", "oldest", "location")
        cells: dict[str, list[str]] = {k: [tr(f"pre.col.{k}")] for k in keys}
        for r in rows:
            e = r.entry
            cells["state"].append(tr(f"pre.sampling.state.{r.state}"))
            cells["record"].append(r.record.title[lang])
            cells["months"].append(r.months_label(lang))
            cells["oldest"].append(e.oldest or "" if e else "")
            cells["location"].append(clean(e.location if e else "", multiline=False))
        widths = fit_columns(cells, self.app.size.width, flex="record", flex_min=24,
                             caps={"state": 14, "months": 14, "location": 30}, floors={"state": 6, "months": 6, "location": 8})
        table.clear(columns=True)
        for k in keys:
            table.add_column(cells[k][0], key=k, width=widths[k])
        self.rows = list(rows)
        for n, r in enumerate(rows, start=1):
            table.add_row(*(cell(cells[k][n], widths[k], SAMPLING_STYLE[r.state] if k == "state" else "") for k in keys),
                          key=r.record.id)
        gaps = sum(1 for r in rows if r.state == "gap")
        recorded = sum(1 for r in rows if r.entry is not None)
        self.query_one("#pre-bar", Static).update(tr("pre.bar.sampling", n=len(rows), recorded=recorded, gaps=gaps))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        pane = self.query_one("#pre-detail", Static)
        item = self._current()
        lang = self.lang
        if item is None:
            lines: list[str] = []
        elif isinstance(item, PackGroup):
            lines = [item.title(lang), *(f"  [{self.tr(f'pre.state.{r.state}')}] {r.label(lang)} {r.title(lang)}"
                                         for r in item.rows)]
        elif isinstance(item, PackRow):
            lines = pack_lines(item, self.tr, lang, asks=False, width=max(10, self.app.size.width - 2))
        else:
            lines = sampling_lines(item, self.tr, lang)
        width = max(10, self.app.size.width - 2)
        pane.update(plain("\n".join(wrap_ja("\n".join(lines), width))))

    def action_toggle_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.query_one(DataTable).move_cursor(row=0)
        self.reload()

    def open_row(self) -> None:
        item = self._current()
        if isinstance(item, PackRow):
            self.app.push_screen(PackDetailScreen(item))
        elif isinstance(item, SamplingRow):
            self.action_edit()

    def action_edit(self, preset: dict | None = None) -> None:
        item = self._current()
        if isinstance(item, PackRow):
            self.app.push_screen(PackDetailScreen(item))
            return
        if not isinstance(item, SamplingRow):
            return
        rid = item.record.id

        def done(values: dict | None) -> None:
            if values is None:
                return
            try:
                self.session.set_sampling(rid, **values)
            except (UserError, StorageError, OSError) as exc:
                self.notify(error_line(exc, self.lang), severity="error", markup=False, timeout=10)
                self.action_edit(values)  # keep what was typed
                return
            self.notify(self.tr("pre.saved"), timeout=2)
            self.reload()

        self.app.push_screen(SamplingDialog(item, preset), done)
