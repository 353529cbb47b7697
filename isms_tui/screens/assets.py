"""The asset ledger (情報資産管理台帳): one row per asset; add from the starter lists or from
scratch, edit, delete (refused while a risk refers to it). Every rule is the core's
(:mod:`isms_tui.risk` through the Session); this screen only collects what the user types."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Header, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from ..risk import CATEGORIES, CIA, Asset, starter_assets
from ..service import Session
from ..text import clean
from .base import IsmsModal
from .common import cell, plain, retranslate_bindings
from .footer import IsmsFooter
from .register import FORM_CSS, FormDialog, RegisterScreen, fit_columns, opt, select_value, show_detail


class AssetDialog(FormDialog):
    def __init__(self, asset: Asset | None, preset: dict | None = None):
        super().__init__()
        self.asset = asset
        self.preset = preset or {}

    def _v(self, name: str, default: object = "") -> object:
        if name in self.preset:
            return self.preset[name]
        return getattr(self.asset, name) if self.asset is not None else default

    def compose(self) -> ComposeResult:
        tr = self.tr
        with Vertical(classes="risk-form"):
            yield Static(plain(f"{self.asset.label} {self.asset.name}" if self.asset else tr("asset.new")),
                         classes="dialog-title")
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            yield from self.body()

    def body(self) -> ComposeResult:
        tr = self.tr
        with VerticalScroll(classes="form-body"):
            yield Label(tr("asset.f.name"))
            yield Input(str(self._v("name")), id="name")
            yield Label(tr("asset.f.category"))
            cat = self._v("category", "")
            yield Select([(opt(tr(f"asset.category.{c}")), c) for c in CATEGORIES], id="category",
                         value=cat if cat in CATEGORIES else Select.NULL)
            yield Label(tr("asset.f.owner"))
            yield Input(str(self._v("owner")), id="owner", placeholder=tr("asset.f.owner_hint"))
            yield Label(tr("asset.f.department"))
            yield Input(str(self._v("department")), id="department")
            yield Label(tr("asset.f.location"))
            yield Input(str(self._v("location")), id="location")
            yield Label(tr("asset.f.users"))
            yield Input(str(self._v("users")), id="users")
            yield Label(tr("asset.f.personal_data"))
            yield Select([(opt(tr("button.yes")), True), (opt(tr("button.no")), False)], allow_blank=False,
                         value=bool(self._v("personal_data", False)), id="personal_data")
            for name in CIA:
                yield Label(tr(f"asset.f.{name}"))
                yield Select([(opt(tr(f"risk.scale.cia.{n}")), n) for n in (1, 2, 3)], allow_blank=False,
                             value=int(self._v(name, 1) or 1), id=name)
            yield Label(tr("asset.f.last_reviewed"))
            yield Input(str(self._v("last_reviewed") or ""), placeholder="YYYY-MM-DD", id="last_reviewed")
            yield from self.buttons()

    def values(self) -> dict:
        out: dict[str, object] = {k: self.query_one(f"#{k}", Input).value
                                  for k in ("name", "owner", "department", "location", "users", "last_reviewed")}
        for k in ("category", "personal_data", *CIA):
            out[k] = select_value(self.query_one(f"#{k}", Select))
        if "starter" in self.preset:
            out["starter"] = self.preset["starter"]
        return out


class StarterDialog(IsmsModal[dict | None]):
    """Pick one entry of the starter lists (grouped by category) to start an asset from."""

    DEFAULT_CSS = FORM_CSS + "#starter-list { height: 1fr; }"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def compose(self) -> ComposeResult:
        lang = self.lang
        options: list[Option | None] = []
        for cat, entries in starter_assets().items():
            options.append(Option(plain(f"— {self.tr(f'asset.category.{cat}')} —"), disabled=True))
            options += [Option(plain(f"  {e.name[lang]}"), id=f"{cat}/{e.key}") for e in entries]
        with Vertical(classes="risk-form"):
            yield Static(self.tr("asset.starter_title"), classes="dialog-title", markup=False)
            yield OptionList(*options, id="starter-list")

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        cat, _, key = (event.option.id or "").partition("/")
        entry = next(e for e in starter_assets()[cat] if e.key == key)
        self.dismiss(entry.fields(self.lang))

    def action_cancel(self) -> None:
        self.dismiss(None)


class AssetsScreen(RegisterScreen):
    BINDINGS = [
        Binding("n", "new", "New", id="new_asset"),
        Binding("s", "starter", "Starter list", id="starter"),
        Binding("enter", "edit", "Edit", id="edit"),
        Binding("delete", "delete", "Delete", id="delete"),
        Binding("r", "risks", "Risks", id="risks"),
        Binding("o", "soa", "SoA", id="soa"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, session: Session):
        super().__init__(session)
        self.uncovered: set[str] = set()  # assets no rated risk covers

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="asset-bar", classes="risk-bar", markup=False)
        yield DataTable(id="assets", classes="risk-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="asset-detail", classes="risk-detail")
        yield IsmsFooter()

    def reload(self) -> None:
        view = self.session.view()
        reg = view.risk_register
        self.uncovered = uncovered = {a.id for a in reg.uncovered_assets}
        table = self.query_one(DataTable)
        keep = table.cursor_row
        self.rows = reg.assets
        keys = ("id", "category", "name", "owner", "cia", "risks")
        cells: dict[str, list[str]] = {k: [self.tr(f"asset.col.{k}")] for k in keys}
        for a in self.rows:
            n = len(self.session.risk.risks_of_asset(a.id))
            cells["id"].append(a.label)
            cells["category"].append(self.tr(f"asset.category.{a.category}"))
            cells["name"].append(clean(a.name, multiline=False))
            cells["owner"].append(clean(a.owner, multiline=False))
            cells["cia"].append(f"{a.confidentiality}/{a.integrity}/{a.availability} → {a.importance}")
            cells["risks"].append(str(n) if a.id not in uncovered else self.tr("asset.uncovered"))
        widths = fit_columns(cells, self.app.size.width, flex="name", flex_min=18,
                             caps={"category": 16, "owner": 14}, floors={"category": 8, "owner": 6})
        table.clear(columns=True)
        for key in keys:
            table.add_column(cell(cells[key][0], widths[key]), key=key, width=widths[key])
        for n, a in enumerate(self.rows, start=1):
            table.add_row(*(cell(cells[k][n], widths[k], style="bold red" if k == "risks" and a.id in uncovered else "")
                            for k in keys), key=a.id)
        self.query_one("#asset-bar", Static).update(self.tr("asset.bar", n=len(self.rows), uncovered=len(uncovered)))
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        table.focus()
        self._show_detail()

    def detail_lines(self, a: Asset) -> list[str]:
        """The asset in full: every field the table cuts or leaves out, and its risks."""
        tr = self.tr
        facts = [f"{tr('asset.f.category')}: {tr(f'asset.category.{a.category}')}", f"{tr('asset.f.owner')}: {a.owner}"]
        facts += [f"{tr(f'asset.f.{k}')}: {v}" for k in ("department", "location", "users", "last_reviewed")
                  if (v := getattr(a, k))]
        rating = [tr("asset.detail.cia", c=a.confidentiality, i=a.integrity, a=a.availability, imp=a.importance)]
        if a.personal_data:
            rating.append(tr("asset.f.personal_data"))
        risks = self.session.risk.risks_of_asset(a.id)
        if risks:
            rating.append(tr("asset.detail.risks", risks=", ".join(r.label for r in risks)))
        if a.id in self.uncovered:
            rating.append(tr("risk.issue.asset_uncovered", asset=a.label))
        return [f"{a.label} {a.name}", " · ".join(facts), " · ".join(rating)]

    def _show_detail(self) -> None:
        a = self._current()
        show_detail(self.query_one("#asset-detail", Static), self.detail_lines(a) if a else [], self.app.size.width)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _open(self, asset: Asset | None, preset: dict | None = None) -> None:
        def done(values: dict | None) -> None:
            if values is None:
                return
            if asset is None:
                ok = self._apply(lambda: self.session.add_asset(**values), "asset.saved")
            else:
                ok = self._apply(lambda: self.session.update_asset(asset.id, **values), "asset.saved")
            if not ok:  # keep what was typed: reopen the form with it
                self._open(asset, values)

        self.app.push_screen(AssetDialog(asset, preset), done)

    def action_new(self) -> None:
        self._open(None)

    def action_starter(self) -> None:
        def picked(fields: dict | None) -> None:
            if fields is not None:
                self._open(None, fields)

        self.app.push_screen(StarterDialog(), picked)

    def action_edit(self) -> None:
        asset = self._current()
        if asset is not None:
            self._open(asset)

    def action_delete(self) -> None:
        from .dialogs import ConfirmScreen

        asset = self._current()
        if asset is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._apply(lambda: self.session.delete_asset(asset.id), "asset.deleted")

        self.app.push_screen(ConfirmScreen(self.tr("asset.confirm_delete", asset=f"{asset.label} {asset.name}")), confirmed)
