"""The risk sheets of the Excel deliverable: the asset ledger, the risk register with the
criteria and the heat map, the risk treatment plan with the risk owners' approval columns, and
the SoA traceability (reasons and linked risks per control).

Written on the workbook that :mod:`isms_tui.exports.xlsx` builds (one call, when the assessment
keeps a register), with the same rules: every user text through ``write_string`` with a
quote-prefix format (a note starting with ``=`` stays text), column widths by East Asian
display width. Nothing is recomputed here: every value comes from the read model.
"""

from __future__ import annotations

from ..i18n import t
from ..refs import CONTROL, CONTROL_2013, Ref, labels
from ..risk import RiskCriteria
from ..view import AssessmentView
from .layout import Book, Sheet, as_date, text_width

BAND_COLOURS = {"acceptable": "#C6EFCE", "tolerable": "#FFEB9C", "unacceptable": "#FFC7CE"}
P = "xlsx.rh."
# Columns and their designed widths (each sheet adds up to about the page width, see layout):
# a risk level is one number cell that also shows its band ("6 管理下で受容"), so the sheet keeps
# the band in words on black-and-white paper without a column of its own.
ASSET_COLS = [("id", 5.5), ("category", 11), ("asset", 20), ("department", 13), ("owner", 10), ("location", 13),
              ("users", 13), ("personal", 8.5), ("c", 4.5), ("i", 4.5), ("a", 4.5), ("importance", 10.5),
              ("reviewed", 10.5), ("risks", 17)]
RISK_COLS_IPA = [("id", 5.5), ("assets", 17), ("threat", 17), ("vulnerability", 19), ("existing", 11),
                 ("importance", 8.5), ("threat_level", 7.5), ("vuln_suggested", 12), ("vuln_level", 12),
                 ("likelihood", 10), ("level", 12), ("risk_owner", 10), ("treatment", 9.5)]
RISK_COLS_5X5 = [("id", 5.5), ("assets", 19), ("threat", 19), ("vulnerability", 22), ("existing", 13), ("impact", 8),
                 ("likelihood", 10), ("vuln_suggested", 13), ("level", 12), ("risk_owner", 11), ("treatment", 10)]
PLAN_COLS = [("id", 5.5), ("risk", 16), ("level", 12), ("treatment", 9), ("planned", 9.5), ("plan", 16),
             ("risk_owner", 9), ("due", 10), ("action_status", 8), ("residual", 12), ("accepted_by", 9),
             ("accepted_on", 10), ("accept_reason", 12), ("accepted_until", 10), ("owner_sign", 12)]
TRACE_COLS = [("control", 7.5), ("title", 28), ("applicable", 9), ("reasons", 28), ("linked", 20),
              ("impl_status", 14), ("note", 40)]
ASSET_HEADS = tuple(P + n for n, _ in ASSET_COLS)
RISK_HEADS_IPA = tuple(P + n for n, _ in RISK_COLS_IPA)
RISK_HEADS_5X5 = tuple(P + n for n, _ in RISK_COLS_5X5)
PLAN_HEADS = tuple(P + n for n, _ in PLAN_COLS)
TRACE_HEADS = tuple(P + n for n, _ in TRACE_COLS)
LEVEL_COLS = ("level", "residual")  # number cells that show the band in words
SHEETS = ("xlsx.sheet.assets", "xlsx.sheet.risks", "xlsx.sheet.treatment", "xlsx.sheet.soa_trace")


class _RiskBook:
    """The formats the risk sheets add to the workbook's own."""

    def __init__(self, book: Book):
        self.book = book
        self.lang = book.lang
        self.bad = book.fmt(quote_prefix=True, bold=True, font_color="#C00000", text_wrap=True, **book.grid)

    def sheet(self, key: str, cols: list[tuple[str, float]], shrink: tuple[str, ...]) -> Sheet:
        """A sheet whose risk level columns are wide enough for "9 <band>" on one line (a
        number cell does not wrap: too narrow, it prints ###), the long text columns giving
        back what that takes."""
        need = max(text_width(f"25 {t(f'risk.band_short.{b}', self.lang)}") for b in BAND_COLOURS) + 1.0
        extra = sum(max(0.0, need - w) for name, w in cols if name in LEVEL_COLS)
        give = extra / max(1, sum(1 for name, _ in cols if name in shrink))
        cols = [(name, max(w, need) if name in LEVEL_COLS else w - give if name in shrink else w) for name, w in cols]
        return self.book.sheet(key, self.book.widths(cols, shrink=shrink, prefix=P))

    def level_fmt(self, band: str | None):
        """A risk level cell: the number, shown with its band in words, on the band's colour."""
        if band is None:
            return self.book.fmt(num_format="0", align="center", **self.book.grid)
        word = t(f"risk.band_short.{band}", self.lang).replace('"', "")  # the legend above gives the full name
        return self.book.fmt(num_format=f'0" {word}"', align="center", bg_color=BAND_COLOURS[band], **self.book.grid)

    def count_fmt(self, band: str):
        return self.book.fmt(num_format="0", align="center", bg_color=BAND_COLOURS[band], border=1)


def _criteria_block(rb: _RiskBook, sh: Sheet, c: RiskCriteria, row: int) -> int:
    """The criteria the register is rated under, at the top of the register sheet (labels in
    the first two columns, values over the next three); returns the last row written."""
    lang, book = rb.lang, rb.book
    sh.text(row, 0, t("xlsx.risk.criteria_title", lang, version=c.version), book.f_block, span=5)
    approval = (t("report.risk.approved", lang, by=c.approved_by, on=c.approved_on) if c.approved
                else t("report.risk.unapproved", lang))
    rows = [
        (t("xlsx.risk.method", lang), t(f"risk.method.{c.method}", lang), None),
        (t("xlsx.risk.approval", lang), approval, None if c.approved else rb.bad),
        (t("xlsx.risk.cycle", lang), c.cycle, None),
        (t("xlsx.risk.bands", lang), " / ".join(
            f"{t('risk.band.' + b, lang)} {', '.join(map(str, lv))}" for b, lv in c.band_levels() if lv), None),
    ]
    if c.reason:
        rows.append((t("xlsx.risk.reason", lang), c.reason, None))
    for label, value, fmt in rows:
        row += 1
        sh.text(row, 0, label, book.f_label, span=2)
        sh.text(row, 2, value, fmt or book.f_cell, span=3)
    if c.method == "ipa3":
        row += 2
        sh.text(row, 0, t("xlsx.risk.table", lang), book.f_label, span=2)
        for v in range(1, 4):
            sh.text(row, 1 + v, t("xlsx.risk.vuln_n", lang, n=v), book.f_head)
        for th in range(1, 4):
            sh.text(row + th, 0, t("xlsx.risk.threat_n", lang, n=th), book.f_head, span=2)
            for v in range(1, 4):
                sh.number(row + th, 1 + v, c.likelihood(th, v))
        row += 3
    return row


def _heat_map(rb: _RiskBook, sh: Sheet, view: AssessmentView, row: int, col: int, after: bool) -> int:
    """A heat map (count of risks per impact x likelihood) from ``row``; returns its last row."""
    reg = view.risk_register
    c = reg.criteria
    n = c.scale
    grid = reg.heat_map(after=after)
    lang, book = rb.lang, rb.book
    sh.text(row, col, t("xlsx.risk.heat_after" if after else "xlsx.risk.heat_before", lang), book.f_block, span=n + 1)
    sh.text(row + 1, col, t("xlsx.risk.axes", lang), book.f_note, span=n + 1)
    for lk in range(1, n + 1):
        sh.text(row + 2, col + lk, str(lk), book.f_head)
    for imp in range(n, 0, -1):
        r = row + 2 + (n - imp + 1)
        sh.text(r, col, str(imp), book.f_head)
        for lk in range(1, n + 1):
            sh.number(r, col + lk, grid[imp - 1][lk - 1], rb.count_fmt(c.band(imp * lk)))
    return row + 2 + n


def write_risk_sheets(book: Book, view: AssessmentView) -> bool:
    """Add the risk sheets to the workbook; False (nothing written) when the assessment keeps
    no register."""
    if not view.risk_data.exists:
        return False
    rb = _RiskBook(book)
    lang = book.lang
    reg = view.risk_register
    crit = reg.criteria
    risks_of: dict[str, list[str]] = {}
    for row in reg.rows:
        for a in row.risk.asset_ids:
            risks_of.setdefault(a, []).append(row.risk.label)

    # 1. Asset register ------------------------------------------------------------------------
    sh = rb.sheet(SHEETS[0], ASSET_COLS, shrink=("asset", "department", "location", "users", "risks"))
    sh.header(0, [t(k, lang) for k in ASSET_HEADS])
    for n, a in enumerate(reg.assets, start=1):
        vals = [a.label, t(f"asset.category.{a.category}", lang), a.name, a.department, a.owner, a.location, a.users,
                t("xlsx.yes" if a.personal_data else "xlsx.no", lang)]
        for col, v in enumerate(vals):
            sh.text(n, col, v, book.f_cell)
        for col, v in enumerate((a.confidentiality, a.integrity, a.availability, a.importance), start=8):
            sh.number(n, col, v)
        sh.day(n, 12, as_date(a.last_reviewed))
        sh.text(n, 13, ", ".join(risks_of.get(a.id, [])) or t("xlsx.risk.no_risk", lang),
                book.f_cell if a.id in risks_of else rb.bad)
    sh.ws.autofilter(0, 0, max(1, len(reg.assets)), len(ASSET_HEADS) - 1)
    sh.ws.freeze_panes(1, 1)
    sh.finish(repeat=0)

    # 2. Risk register with the criteria and the heat maps --------------------------------------
    ipa = crit.method == "ipa3"
    cols = RISK_COLS_IPA if ipa else RISK_COLS_5X5
    sh = rb.sheet(SHEETS[1], cols, shrink=("assets", "threat", "vulnerability", "existing"))
    end = _criteria_block(rb, sh, crit, 0)
    first_map = _heat_map(rb, sh, view, 0, 5, after=False)
    end = max(end, _heat_map(rb, sh, view, first_map + 2, 5, after=True))
    top = end + 2
    sh.header(top, [t(P + n, lang) for n, _ in cols])
    for n, row in enumerate(reg.rows, start=top + 1):
        r, rt = row.risk, row.rating
        sh.text(n, 0, r.label, book.f_cell)
        sh.text(n, 1, "\n".join(f"{a.label} {a.name}" for a in row.assets), book.f_cell)
        sh.text(n, 2, r.threat_title(lang), book.f_cell)
        sh.text(n, 3, r.vulnerability, book.f_cell)
        sh.text(n, 4, labels(_control_refs(view, r.existing_controls), lang), book.f_cell)
        if ipa:
            nums = (rt.importance, r.threat_level, rt.vulnerability_suggested, rt.vulnerability, rt.likelihood)
        else:
            nums = (rt.impact, rt.likelihood, rt.vulnerability_suggested)
        for col, v in enumerate(nums, start=5):
            sh.number(n, col, v)
        col = 5 + len(nums)
        sh.number(n, col, rt.level, rb.level_fmt(rt.band))
        sh.text(n, col + 1, r.owner, book.f_cell)
        sh.text(n, col + 2, t(f"risk.treatment.{r.treatment}", lang) if r.treatment else "", book.f_cell)
    sh.ws.autofilter(top, 0, top + max(1, len(reg.rows)), len(cols) - 1)
    sh.ws.freeze_panes(top + 1, 1)
    sh.finish(repeat=top)

    # 3. Risk treatment plan, with the risk owners' approval column ------------------------------
    sh = rb.sheet(SHEETS[2], PLAN_COLS, shrink=("risk", "plan", "accept_reason"))
    sh.header(0, [t(k, lang) for k in PLAN_HEADS])
    actions = {a.id: a for a in view.plan if a.source.kind == "risk"}
    n = 0
    for row in reg.rows:
        r, rt = row.risk, row.rating
        if rt.band in (None, "acceptable") and r.treatment is None:
            continue  # within the criteria and nothing decided: not part of the plan
        n += 1
        act = actions.get(f"risk:{r.id}")
        acc = r.accepted
        sh.text(n, 0, r.label, book.f_cell)
        sh.text(n, 1, f"{r.threat_title(lang)}\n" + ", ".join(a.name for a in row.assets), book.f_cell)
        sh.number(n, 2, rt.level, rb.level_fmt(rt.band))
        sh.text(n, 3, t(f"risk.treatment.{r.treatment}", lang) if r.treatment else t("xlsx.risk.undecided", lang),
                book.f_cell if r.treatment else rb.bad)
        sh.text(n, 4, labels(_control_refs(view, r.planned_controls), lang), book.f_cell)
        sh.text(n, 5, r.plan, book.f_cell)
        sh.text(n, 6, r.owner, book.f_cell)
        sh.day(n, 7, act.due if act and act.due else as_date(r.due))
        sh.text(n, 8, t(f"action_status.{act.action_status}", lang) if act else "", book.f_cell)
        sh.number(n, 9, rt.retained_level, rb.level_fmt(rt.retained_band))
        sh.text(n, 10, acc.by if acc else "", book.f_cell)
        sh.day(n, 11, as_date(acc.on) if acc else None)
        sh.text(n, 12, acc.reason if acc else ("" if not rt.needs_acceptance else t("xlsx.risk.acceptance_missing", lang)),
                rb.bad if rt.needs_acceptance and not acc else book.f_cell)
        sh.day(n, 13, as_date(acc.until) if acc else None)
        sh.text(n, 14, "", book.f_cell)  # signed and dated on paper by the risk owner
    sh.ws.autofilter(0, 0, max(1, n), len(PLAN_HEADS) - 1)
    sh.ws.freeze_panes(1, 1)
    sh.finish(repeat=0)

    # 4. SoA traceability: why each control is in the SoA and which risks use it ------------------
    sh = rb.sheet(SHEETS[3], TRACE_COLS, shrink=("title", "reasons", "note"))
    sh.header(0, [t(k, lang) for k in TRACE_HEADS])
    for n, srow in enumerate(view.soa, start=1):
        sh.text(n, 0, srow.ref.label(lang), book.f_cell)
        sh.text(n, 1, srow.ref.title(lang), book.f_cell)
        sh.text(n, 2, t("xlsx.yes" if srow.applicable else "xlsx.no", lang), book.f_cell)
        sh.text(n, 3, "\n".join(t(f"xlsx.reason.{x}", lang) for x in srow.reasons), book.f_cell)
        sh.text(n, 4, ", ".join(r.label for r in srow.risks), book.f_cell)
        sh.text(n, 5, t(f"status.{srow.status or 'unanswered'}", lang), book.f_cell)
        if srow.conflict:
            sh.text(n, 6, t("xlsx.risk.conflict", lang), rb.bad)
        elif srow.applicable and not srow.reasons:
            sh.text(n, 6, t("xlsx.risk.orphan", lang), book.f_cell)
        else:
            sh.blank(n, 6, book.f_cell)
    sh.ws.autofilter(0, 0, max(1, len(view.soa)), len(TRACE_HEADS) - 1)
    sh.ws.freeze_panes(1, 1)
    sh.finish(repeat=0)
    return True


def _control_refs(view: AssessmentView, ids: list[str]) -> tuple[Ref, ...]:
    kind = CONTROL if view.assessment.edition == "2022" else CONTROL_2013
    return tuple(Ref(kind, c) for c in ids)


__all__ = ["SHEETS", "write_risk_sheets"]
