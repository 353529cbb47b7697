"""The risk register: a table of the risks with the heat map beside it; add and edit a risk with
the scales' definitions in the user's language and a live preview of its level; the criteria
(method, cut-offs, approval, new version). The rules are the core's (:mod:`isms_tui.risk`)."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import DataTable, Header, Input, Label, Select, SelectionList, Static

from ..model import UserError
from ..refs import labels
from ..risk import METHODS, TREATMENTS, Risk, RiskCriteria, build_risk, control_refs, rate, threats
from ..service import Session
from ..text import clean, display_width, truncate, wrap_ja
from .common import cell, error_line, plain
from .footer import IsmsFooter
from .register import (
    TABLE_CSS,
    BoxedSelectionList,
    FormDialog,
    RegisterScreen,
    fit_columns,
    opt,
    select_value,
    show_detail,
)

BAND_STYLE = {"acceptable": "black on green", "tolerable": "black on yellow", "unacceptable": "white on red"}


def heat_map_text(grid: list[list[int]], criteria: RiskCriteria) -> Text:
    """The heat map as coloured cells (rows: impact high to low; columns: likelihood)."""
    n = criteria.scale
    out = Text()
    for imp in range(n, 0, -1):
        out.append(f"{imp} ")
        for lk in range(1, n + 1):
            count = grid[imp - 1][lk - 1]
            out.append(f"{count:^3}" if count else " · ", style=BAND_STYLE[criteria.band(imp * lk)])
        out.append("\n")
    out.append("  " + "".join(f"{lk:^3}" for lk in range(1, n + 1)))
    return out


class RiskDialog(FormDialog):
    """Add or edit one risk. The level is previewed with the core's rules as you choose."""

    def __init__(self, session: Session, risk: Risk | None, typed: dict | None = None):
        super().__init__()
        self.session = session
        self.risk = risk
        self.typed = typed or {}
        self.criteria = session.criteria
        self.view = session.view()  # the answers do not change while the dialog is open

    def _v(self, name: str, default: object = "") -> object:
        if name in self.typed:
            return self.typed[name]
        value = getattr(self.risk, name) if self.risk is not None else default
        return default if value is None else value

    def _level_select(self, name: str, scale: str, top: int, *, blank_key: str | None = None) -> Select:
        options = [(opt(self.tr(f"risk.scale.{scale}.{n}")), n) for n in range(1, top + 1)]
        value = self._v(name, None)
        if blank_key:
            options.insert(0, (opt(self.tr(blank_key)), 0))
            return Select(options, allow_blank=False, value=value if value in range(1, top + 1) else 0, id=name)
        return Select(options, value=value if value in range(1, top + 1) else Select.NULL, id=name)

    def compose(self) -> ComposeResult:
        tr = self.tr
        ipa = self.criteria.method == "ipa3"
        acc = (self.risk.acceptance if self.risk else None) or {}
        acc = self.typed.get("acceptance") or acc
        chosen = set(self._v("asset_ids", []) or [])
        view = self.view
        suggested = None
        if self.risk is not None:
            row = view.risk_register.row(self.risk.id)
            suggested = row.rating.vulnerability_suggested if row else None
        with Vertical(classes="risk-form"):
            yield Static(plain(f"{self.risk.label}" if self.risk else tr("risk.new")), classes="dialog-title")
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            yield Static(id="preview", classes="preview", markup=False)
            yield Static(id="issues", classes="issues", markup=False)
            yield from self.body(ipa, acc, chosen, suggested)

    def body(self, ipa: bool, acc: dict, chosen: set, suggested: int | None) -> ComposeResult:
        tr = self.tr
        lang = self.lang
        with VerticalScroll(classes="form-body"):
            yield Label(tr("risk.f.assets"))
            yield BoxedSelectionList(*[(f"{a.label} {truncate(a.name, 60)}", a.id, a.id in chosen)
                                       for a in self.session.risk.assets.values()], id="asset_ids")
            yield Label(tr("risk.f.threat_id"))
            yield Select([(opt(th.label(lang)), th.id) for th in threats().values()], id="threat_id",
                         value=self._v("threat_id") or Select.NULL)
            yield Label(tr("risk.f.threat"))
            yield Input(str(self._v("threat")), id="threat")
            yield Label(tr("risk.f.vulnerability"))
            yield Input(str(self._v("vulnerability")), id="vulnerability")
            yield Label(tr("risk.f.existing_controls"))
            yield Input(", ".join(self._v("existing_controls", []) or []), id="existing_controls",
                        placeholder=tr("risk.f.controls_hint"))
            if ipa:
                yield Label(tr("risk.f.threat_level"))
                yield self._level_select("threat_level", "threat", 3)
                yield Label(tr("risk.f.vulnerability_level"))
                blank = "risk.f.suggested_n" if suggested else "risk.f.suggested"
                yield Select([(opt(tr(blank, n=suggested or "")), 0)] +
                             [(opt(tr(f"risk.scale.vulnerability.{n}")), n) for n in (1, 2, 3)],
                             allow_blank=False, id="vulnerability_level",
                             value=self._v("vulnerability_level", 0) or 0)
            else:
                yield Label(tr("risk.f.impact"))
                yield self._level_select("impact", "impact5", 5)
                yield Label(tr("risk.f.likelihood"))
                yield self._level_select("likelihood", "likelihood5", 5)
            yield Label(tr("risk.f.owner"))
            yield Input(str(self._v("owner")), id="owner")
            yield Label(tr("risk.f.treatment"))
            yield Select([(opt(tr(f"risk.treatment.{x}")), x) for x in TREATMENTS], id="treatment",
                         value=self._v("treatment") or Select.NULL)
            yield Label(tr("risk.f.planned_controls"))
            yield Input(", ".join(self._v("planned_controls", []) or []), id="planned_controls",
                        placeholder=tr("risk.f.controls_hint"))
            yield Label(tr("risk.f.plan"))
            yield Input(str(self._v("plan")), id="plan")
            yield Label(tr("risk.f.due"))
            yield Input(str(self._v("due")), id="due", placeholder="YYYY-MM-DD")
            if ipa:
                yield Label(tr("risk.f.residual_vulnerability"))
                yield self._level_select("residual_vulnerability", "vulnerability", 3, blank_key="risk.f.not_rated")
            else:
                yield Label(tr("risk.f.residual_impact"))
                yield self._level_select("residual_impact", "impact5", 5, blank_key="risk.f.not_rated")
                yield Label(tr("risk.f.residual_likelihood"))
                yield self._level_select("residual_likelihood", "likelihood5", 5, blank_key="risk.f.not_rated")
            yield Static(tr("risk.f.acceptance_help"), classes="dialog-text", markup=False)
            yield Label(tr("risk.f.accepted_by"))
            yield Input(str(acc.get("by", "")), id="acc_by")
            yield Label(tr("risk.f.accept_reason"))
            yield Input(str(acc.get("reason", "")), id="acc_reason")
            yield Label(tr("risk.f.accepted_until"))
            yield Input(str(acc.get("until", "")), id="acc_until", placeholder="YYYY-MM-DD")
            yield from self.buttons()

    def first_field(self):
        return self.query_one("#asset_ids", SelectionList)

    def on_mount(self) -> None:
        self._preview()

    def values(self) -> dict:
        out: dict[str, object] = {k: w.value for k in ("threat", "vulnerability", "existing_controls", "owner",
                                                        "planned_controls", "plan", "due")
                                  for w in [self.query_one(f"#{k}", Input)]}
        out["asset_ids"] = list(self.query_one("#asset_ids", SelectionList).selected)
        for sel in self.query(Select):
            value = select_value(sel)
            out[sel.id or ""] = "" if value == 0 else value
        by, reason, until = (self.query_one(f"#{k}", Input).value.strip() for k in ("acc_by", "acc_reason", "acc_until"))
        if by or reason or until:
            prev = self.risk.accepted if self.risk else None
            out["acceptance"] = {"by": by, "reason": reason, "until": until,
                                 "on": prev.on if prev and prev.by == by and prev.reason == reason else None}
        else:
            out["acceptance"] = None
        return out

    def _preview(self) -> None:
        """Rate what is typed so far with the core's rules (nothing is saved)."""
        s = self.session
        view = self.view
        try:
            preview = self.query_one("#preview", Static)
            issues = self.query_one("#issues", Static)
            values = self.values()
        except NoMatches:  # still being composed
            return
        values["owner"] = values.get("owner") or "?"  # the level does not depend on who owns it
        try:
            risk = build_risk(values, self.risk, criteria=self.criteria, assets=s.risk.assets,
                              edition=s.assessment.edition, today=date.today(),
                              control_status=view.control_status.get)
        except UserError as exc:
            preview.update(self.tr("risk.preview_incomplete"))
            issues.update(error_line(exc, self.lang))
            return
        rt = rate(risk, self.criteria, s.risk.assets, view.control_status.get, date.today())
        if rt.level is None:
            preview.update(self.tr("risk.preview_unrated", suggested=rt.vulnerability_suggested))
        else:
            preview.update(self.tr(
                "risk.preview", impact=rt.impact, likelihood=rt.likelihood, level=rt.level,
                band=self.tr(f"risk.band.{rt.band}"), suggested=rt.vulnerability_suggested,
                retained="—" if rt.retained_level is None else rt.retained_level))
        issues.update("\n".join(i.message(self.lang) for i in rt.issues))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "threat_id" and event.value is not Select.NULL:
            box = self.query_one("#existing_controls", Input)
            if not box.value.strip():
                box.value = ", ".join(threats()[str(event.value)].controls_for(self.session.assessment.edition))
        self._preview()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        self._preview()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._preview()


class CriteriaDialog(FormDialog):
    """The current criteria: method and cut-offs (a new version with a reason once risks are
    rated under it), the scales' definitions, and top management's approval."""

    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.criteria = session.criteria
        self.locked = session.risk.locked(self.criteria)

    def compose(self) -> ComposeResult:
        tr = self.tr
        c = self.criteria
        approval = (tr("report.risk.approved", by=c.approved_by, on=c.approved_on) if c.approved
                    else tr("report.risk.unapproved"))
        bands = " / ".join(f"{tr('risk.band.' + b)} {', '.join(map(str, lv))}" for b, lv in c.band_levels() if lv)
        with Vertical(classes="risk-form"):
            yield Static(tr("criteria.title", version=c.version), classes="dialog-title", markup=False)
            yield Static(tr("form.hint"), classes="form-hint", markup=False)
            yield from self.body(approval, bands)

    def body(self, approval: str, bands: str) -> ComposeResult:
        tr = self.tr
        c = self.criteria
        with VerticalScroll(classes="form-body"):
            yield Static(f"{tr('risk.method.' + c.method)}\n{approval}\n{bands}", classes="dialog-text", markup=False)
            yield Static(tr("criteria.locked" if self.locked else "criteria.unlocked"), classes="dialog-text", markup=False)
            yield Label(tr("criteria.f.method"))
            yield Select([(opt(tr(f"risk.method.{m}")), m) for m in METHODS], allow_blank=False, value=c.method, id="method")
            yield Label(tr("criteria.f.acceptable_max"))
            yield Input(str(c.acceptable_max), id="acceptable_max")
            yield Label(tr("criteria.f.tolerable_max"))
            yield Input(str(c.tolerable_max), id="tolerable_max")
            yield Label(tr("criteria.f.cycle"))
            yield Input(c.cycle, id="cycle")
            yield Label(tr("criteria.f.reason"))
            yield Input("", id="reason")
            yield Label(tr("criteria.f.approved_by"))
            # empty on purpose: a new version must be approved anew, never by a name left in the field
            yield Input("", id="approved_by", placeholder=tr("criteria.f.approved_by_hint"))
            scales = [tr("criteria.scales")]
            for scale in ("threat", "vulnerability", "likelihood"):
                scales += [tr(f"risk.scale.{scale}.{n}") for n in (1, 2, 3)]
            yield Static("\n".join(scales), classes="dialog-text", markup=False)
            yield from self.buttons()

    def values(self) -> dict:
        c = self.criteria
        changes: dict[str, object] = {}
        method = select_value(self.query_one("#method", Select))
        if method != c.method:
            changes["method"] = method
        for k in ("acceptable_max", "tolerable_max", "cycle"):
            v = self.query_one(f"#{k}", Input).value.strip()
            if v != str(getattr(c, k)):
                changes[k] = v
        return {"changes": changes, "reason": self.query_one("#reason", Input).value,
                "approved_by": self.query_one("#approved_by", Input).value.strip()}


SIDE_MIN, SIDE_MAX = 14, 24
"""The heat map pane's text width: never narrower than SIDE_MIN (the grid may need more), and
up to SIDE_MAX for the titles and the axes on a wide screen."""


class RisksScreen(RegisterScreen):
    DEFAULT_CSS = TABLE_CSS + """
    #risk-body { height: 1fr; }
    #risk-main { width: 1fr; height: 1fr; }
    #risk-side { width: 18; height: 1fr; padding: 0 1; border-left: solid $panel; scrollbar-size-vertical: 1; }
    """
    BINDINGS = [
        Binding("n", "new", "New", id="new_risk"),
        Binding("enter", "edit", "Edit", id="edit"),
        Binding("delete", "delete", "Delete", id="delete"),
        Binding("c", "criteria", "Criteria", id="criteria"),
        Binding("a", "assets", "Assets", id="assets"),
        Binding("o", "soa", "SoA", id="soa"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, session: Session):
        super().__init__(session)
        self.table_width = 0  # the screen's width less the heat map pane's

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="risk-bar", classes="risk-bar", markup=False)
        with Horizontal(id="risk-body"):
            with Vertical(id="risk-main"):
                yield DataTable(id="risks", classes="risk-table", cursor_type="row", zebra_stripes=True)
                yield Static(id="risk-detail", classes="risk-detail")
            with VerticalScroll(id="risk-side"):
                yield Static(id="heat", markup=False)
        yield IsmsFooter()

    def reload(self) -> None:
        lang = self.lang
        view = self.session.view()
        reg = view.risk_register
        c = reg.criteria
        # the heat maps first: the pane is as narrow as its grid allows below 100 columns (the
        # titles wrap), up to its widest line above; the table gets the rest
        side_text = max(SIDE_MIN, 2 + 3 * c.scale)
        if self.app.size.width >= 100:
            lines = [*self.tr("risk.heat_before").split("\n"), *self.tr("risk.heat_after").split("\n"),
                     *self.tr("risk.heat_axes").split("\n")]
            side_text = max(side_text, min(SIDE_MAX, max(map(display_width, lines))))
        side = Text()
        for n, (grid, title) in enumerate(((reg.heat_map(), "risk.heat_before"), (reg.heat_map(after=True), "risk.heat_after"))):
            side.append("\n\n" if n else "")
            side.append("\n".join(wrap_ja(self.tr(title), side_text)) + "\n", style="bold")
            side.append_text(heat_map_text(grid, c))
        side.append("\n\n" + "\n".join(wrap_ja(self.tr("risk.heat_axes"), side_text)))
        pane = self.query_one("#risk-side", VerticalScroll)
        pane.styles.width = side_text + 4  # padding, border and a one-cell scroll bar
        self.query_one("#heat", Static).update(side)
        self.table_width = self.app.size.width - (side_text + 4)

        table = self.query_one(DataTable)
        keep = table.cursor_row
        self.rows = reg.rows
        keys = ("id", "level", "treatment", "threat", "owner", "state")
        cells: dict[str, list[str]] = {k: [self.tr(f"risk.col.{k}")] for k in keys}
        for row in self.rows:
            rt, r = row.rating, row.risk
            cells["id"].append(r.label)
            cells["level"].append("—" if rt.level is None
                                  else f"{rt.level} → {'—' if rt.retained_level is None else rt.retained_level}")
            cells["treatment"].append(self.tr(f"risk.treatment.{r.treatment}") if r.treatment else "—")
            cells["threat"].append(clean(r.threat_title(lang), multiline=False))
            cells["owner"].append(clean(r.owner, multiline=False))
            cells["state"].append(self.tr("risk.ok") if rt.ok else self.tr("risk.open_n", n=len(rt.issues)))
        widths = fit_columns(cells, self.table_width, flex="threat", flex_min=16,
                             caps={"treatment": 10, "owner": 14}, floors={"treatment": 4, "owner": 6})
        table.clear(columns=True)
        for key in keys:
            table.add_column(cell(cells[key][0], widths[key]), key=key, width=widths[key])
        for n, row in enumerate(self.rows, start=1):
            rt = row.rating
            level = Text(cells["level"][n], no_wrap=True, overflow="ellipsis")
            if rt.level is not None:
                level.stylize(BAND_STYLE.get(rt.band or "", ""), 0, len(str(rt.level)))
            table.add_row(
                cell(cells["id"][n], widths["id"]), level,
                cell(cells["treatment"][n], widths["treatment"]), cell(cells["threat"][n], widths["threat"]),
                cell(cells["owner"][n], widths["owner"]),
                cell(cells["state"][n], widths["state"], style="" if rt.ok else "bold red"),
                key=row.risk.id,
            )
        self.query_one("#risk-bar", Static).update(self.tr(
            "risk.bar", n=len(self.rows), open=sum(1 for r in self.rows if not r.rating.ok), version=c.version,
            approval=self.tr("criteria.approved_short" if c.approved else "criteria.unapproved_short")))
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        table.focus()
        self._show_detail()

    def detail_lines(self, row) -> list[str]:
        """The selected risk in full: threat, assets, owner, levels, treatment, acceptance and
        what is still open (the table cuts these at narrow widths)."""
        tr, rt, r = self.tr, row.rating, row.risk
        lines = [f"{r.label} {r.threat_title(self.lang)}",
                 tr("risk.detail.assets", assets=", ".join(f"{a.label} {a.name}" for a in row.assets))]
        if rt.level is None:
            level = tr("risk.preview_unrated", suggested=rt.vulnerability_suggested)
        else:
            after = ("risk.treatment.avoid" if rt.avoided else "risk.f.not_rated") if rt.retained_band is None \
                else f"risk.band.{rt.retained_band}"
            level = tr("risk.detail.level", level=rt.level, band=tr(f"risk.band.{rt.band}"),
                       retained="—" if rt.retained_level is None else rt.retained_level, retained_band=tr(after))
        lines.append(f"{tr('risk.f.owner')}: {r.owner} · {level}")
        if r.treatment:
            plan = [f"{tr('risk.f.treatment')}: {tr(f'risk.treatment.{r.treatment}')}"]
            if r.planned_controls:
                refs = control_refs(r.planned_controls, self.session.assessment.edition)
                plan.append(f"{tr('risk.f.planned_controls')}: {labels(refs, self.lang)}")
            plan += [f"{tr(k)}: {v}" for k, v in (("risk.f.plan", r.plan), ("risk.f.due", r.due)) if v]
            lines.append(" · ".join(plan))
        acc = r.accepted
        if acc is not None:
            lines.append(tr("risk.detail.accepted", by=acc.by, on=acc.on, until=acc.until, reason=acc.reason))
        lines += [i.message(self.lang) for i in rt.issues]
        return lines

    def _show_detail(self) -> None:
        row = self._current_row()
        show_detail(self.query_one("#risk-detail", Static), self.detail_lines(row) if row else [], self.table_width)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _current_row(self):
        """The register row under the cursor (the risk with its rating)."""
        return super()._current()

    def _current(self) -> Risk | None:
        row = self._current_row()
        return row.risk if row else None

    def _open(self, risk: Risk | None, typed: dict | None = None) -> None:
        if not self.session.risk.assets:
            self.notify(self.tr("risk.need_assets"), severity="warning", markup=False)
            return

        def done(values: dict | None) -> None:
            if values is None:
                return
            if risk is None:
                ok = self._apply(lambda: self.session.add_risk(**values), "risk.saved")
            else:
                ok = self._apply(lambda: self.session.update_risk(risk.id, **values), "risk.saved")
            if not ok:  # keep what was typed
                self._open(risk, values)

        self.app.push_screen(RiskDialog(self.session, risk, typed), done)

    def action_new(self) -> None:
        self._open(None)

    def action_edit(self) -> None:
        risk = self._current()
        if risk is not None:
            self._open(risk)

    def action_delete(self) -> None:
        from .dialogs import ConfirmScreen

        risk = self._current()
        if risk is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._apply(lambda: self.session.delete_risk(risk.id), "risk.deleted")

        self.app.push_screen(ConfirmScreen(self.tr("risk.confirm_delete", risk=risk.label)), confirmed)

    def action_criteria(self) -> None:
        def done(values: dict | None) -> None:
            if values is None:
                return
            s = self.session
            if values["changes"]:
                if s.risk.locked(s.criteria):
                    if not self._apply(lambda: s.new_criteria_version(values["reason"], **values["changes"]),
                                       "criteria.new_version"):
                        return
                elif not self._apply(lambda: s.edit_criteria(**values["changes"]), "criteria.saved"):
                    return
            if values["approved_by"]:
                self._apply(lambda: s.approve_criteria(values["approved_by"]), "criteria.approved")

        self.app.push_screen(CriteriaDialog(self.session), done)
