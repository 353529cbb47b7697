"""The risk sheets of the Excel deliverable: the asset ledger, the risk register with the
criteria and the heat map, the risk treatment plan with the risk owners' approval columns, and
the SoA traceability (reasons and linked risks per control).

Written on the workbook that :mod:`isms_tui.exports.xlsx` builds (one call, when the assessment
keeps a register), with the same rules: every user text through ``write_string`` with a
quote-prefix format (a note starting with ``=`` stays text), column widths by East Asian
display width. Nothing is recomputed here: every value comes from the read model.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from ..i18n import t
from ..refs import CONTROL, CONTROL_2013, Ref, labels
from ..risk import RiskCriteria
from ..text import clean, display_width
from ..view import AssessmentView

MAX_COL_WIDTH = 60
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
BAND_COLOURS = {"acceptable": "#C6EFCE", "tolerable": "#FFEB9C", "unacceptable": "#FFC7CE"}

ASSET_HEADS = ("xlsx.rh.id", "xlsx.rh.category", "xlsx.rh.asset", "xlsx.rh.department", "xlsx.rh.owner",
               "xlsx.rh.location", "xlsx.rh.users", "xlsx.rh.personal", "xlsx.rh.c", "xlsx.rh.i", "xlsx.rh.a",
               "xlsx.rh.importance", "xlsx.rh.reviewed", "xlsx.rh.risks")
RISK_HEADS_IPA = ("xlsx.rh.id", "xlsx.rh.assets", "xlsx.rh.threat", "xlsx.rh.vulnerability", "xlsx.rh.existing",
                  "xlsx.rh.importance", "xlsx.rh.threat_level", "xlsx.rh.vuln_suggested", "xlsx.rh.vuln_level",
                  "xlsx.rh.likelihood", "xlsx.rh.level", "xlsx.rh.band", "xlsx.rh.risk_owner", "xlsx.rh.treatment")
RISK_HEADS_5X5 = ("xlsx.rh.id", "xlsx.rh.assets", "xlsx.rh.threat", "xlsx.rh.vulnerability", "xlsx.rh.existing",
                  "xlsx.rh.impact", "xlsx.rh.likelihood", "xlsx.rh.vuln_suggested", "xlsx.rh.level", "xlsx.rh.band",
                  "xlsx.rh.risk_owner", "xlsx.rh.treatment")
PLAN_HEADS = ("xlsx.rh.id", "xlsx.rh.risk", "xlsx.rh.level", "xlsx.rh.band", "xlsx.rh.treatment", "xlsx.rh.planned",
              "xlsx.rh.plan", "xlsx.rh.risk_owner", "xlsx.rh.due", "xlsx.rh.action_status", "xlsx.rh.residual",
              "xlsx.rh.residual_band", "xlsx.rh.accepted_by", "xlsx.rh.accepted_on", "xlsx.rh.accept_reason",
              "xlsx.rh.accepted_until", "xlsx.rh.owner_sign", "xlsx.rh.sign_date")
TRACE_HEADS = ("xlsx.rh.control", "xlsx.rh.title", "xlsx.rh.applicable", "xlsx.rh.reasons", "xlsx.rh.linked",
               "xlsx.rh.impl_status", "xlsx.rh.note")
SHEETS = ("xlsx.sheet.assets", "xlsx.sheet.risks", "xlsx.sheet.treatment", "xlsx.sheet.soa_trace")


class _Writer:
    """One worksheet with width tracking and literal text (the xlsx module's rules)."""

    def __init__(self, wb, formats: dict, lang: str, key: str):
        self.lang = lang
        self.f = formats
        self.ws = wb.add_worksheet(_SHEET_BAD.sub("_", t(key, lang))[:31])
        self.widths: dict[int, int] = {}
        self.ws.set_landscape()
        self.ws.set_paper(9)
        self.ws.fit_to_pages(1, 0)
        self.ws.set_footer("&L&8" + t("xlsx.confidential", lang) + "&R&8&P / &N")

    def text(self, row: int, col: int, value: object, fmt=None) -> None:
        s = clean("" if value is None else str(value))
        self.ws.write_string(row, col, s, fmt or self.f["text"])
        w = max((display_width(line) for line in s.split("\n")), default=0)
        self.widths[col] = max(self.widths.get(col, 0), min(w, MAX_COL_WIDTH))

    def number(self, row: int, col: int, value: int | None, fmt=None) -> None:
        if value is None:
            self.ws.write_blank(row, col, None, fmt or self.f["text"])
        else:
            self.ws.write_number(row, col, value, fmt or self.f["num"])
        self.widths[col] = max(self.widths.get(col, 0), 3)

    def day(self, row: int, col: int, value: str | None) -> None:
        try:
            d = date.fromisoformat(value) if value else None
        except ValueError:
            d = None
        if d is None:
            self.ws.write_blank(row, col, None, self.f["date"])
        else:
            self.ws.write_datetime(row, col, datetime(d.year, d.month, d.day), self.f["date"])
        self.widths[col] = max(self.widths.get(col, 0), 10)

    def header(self, row: int, keys: tuple[str, ...]) -> None:
        for c, k in enumerate(keys):
            self.text(row, c, t(k, self.lang), self.f["head"])

    def finish(self, header_row: int) -> None:
        for col, w in self.widths.items():
            self.ws.set_column(col, col, max(6, w + 2))
        self.ws.repeat_rows(header_row)
        self.ws.freeze_panes(header_row + 1, 1)


def _formats(wb, lang: str) -> dict:
    font = {"font_name": "Yu Gothic" if lang == "ja" else "Calibri", "font_size": 10, "valign": "top"}
    out = {
        "text": wb.add_format(font | {"quote_prefix": True, "text_wrap": True}),
        "head": wb.add_format(font | {"quote_prefix": True, "bold": True, "bg_color": "#1F4E79",
                                      "font_color": "#FFFFFF", "text_wrap": True, "border": 1}),
        "label": wb.add_format(font | {"quote_prefix": True, "bold": True}),
        "title": wb.add_format(font | {"quote_prefix": True, "bold": True, "font_size": 12}),
        "num": wb.add_format(font | {"num_format": "0", "align": "center"}),
        "date": wb.add_format(font | {"num_format": "yyyy-mm-dd"}),
        "bad": wb.add_format(font | {"quote_prefix": True, "bold": True, "font_color": "#C00000", "text_wrap": True}),
    }
    for band, colour in BAND_COLOURS.items():
        out[band] = wb.add_format(font | {"bg_color": colour, "align": "center", "border": 1, "num_format": "0"})
        out[f"{band}_text"] = wb.add_format(font | {"quote_prefix": True, "bg_color": colour, "text_wrap": True})
    return out


def _band_cell(w: _Writer, row: int, col: int, band: str | None) -> None:
    if band is None:
        w.text(row, col, "")
    else:
        w.text(row, col, t(f"risk.band.{band}", w.lang), w.f[f"{band}_text"])


def _criteria_block(w: _Writer, c: RiskCriteria, row: int) -> int:
    """The criteria the register is rated under, at the top of the register sheet."""
    lang = w.lang
    w.text(row, 0, t("xlsx.risk.criteria_title", lang, version=c.version), w.f["title"])
    approval = (t("report.risk.approved", lang, by=c.approved_by, on=c.approved_on) if c.approved
                else t("report.risk.unapproved", lang))
    rows = [
        (t("xlsx.risk.method", lang), t(f"risk.method.{c.method}", lang)),
        (t("xlsx.risk.approval", lang), approval),
        (t("xlsx.risk.cycle", lang), c.cycle),
        (t("xlsx.risk.bands", lang), " / ".join(
            f"{t('risk.band.' + b, lang)} {', '.join(map(str, lv))}" for b, lv in c.band_levels() if lv)),
    ]
    if c.reason:
        rows.append((t("xlsx.risk.reason", lang), c.reason))
    for label, value in rows:
        row += 1
        w.text(row, 0, label, w.f["label"])
        w.text(row, 1, value)
    if c.method == "ipa3":
        row += 2
        w.text(row, 0, t("xlsx.risk.table", lang), w.f["label"])
        for v in range(1, 4):
            w.text(row, v, t("xlsx.risk.vuln_n", lang, n=v), w.f["head"])
        for th in range(1, 4):
            w.text(row + th, 0, t("xlsx.risk.threat_n", lang, n=th), w.f["head"])
            for v in range(1, 4):
                w.number(row + th, v, c.likelihood(th, v))
        row += 3
    return row


def _heat_map(w: _Writer, view: AssessmentView, row: int, col: int, after: bool) -> None:
    reg = view.risk_register
    c = reg.criteria
    n = c.scale
    grid = reg.heat_map(after=after)
    lang = w.lang
    w.text(row, col, t("xlsx.risk.heat_after" if after else "xlsx.risk.heat_before", lang), w.f["title"])
    w.text(row + 1, col, t("xlsx.risk.axes", lang), w.f["label"])
    for lk in range(1, n + 1):
        w.text(row + 1, col + lk, str(lk), w.f["head"])
    for imp in range(n, 0, -1):
        r = row + 1 + (n - imp + 1)
        w.text(r, col, str(imp), w.f["head"])
        for lk in range(1, n + 1):
            w.number(r, col + lk, grid[imp - 1][lk - 1], w.f[c.band(imp * lk)])


def write_risk_sheets(wb, view: AssessmentView, lang: str) -> bool:
    """Add the risk sheets to an open xlsxwriter workbook; False (nothing written) when the
    assessment keeps no register."""
    if not view.risk_data.exists:
        return False
    f = _formats(wb, lang)
    reg = view.risk_register
    crit = reg.criteria
    risks_of: dict[str, list[str]] = {}
    for row in reg.rows:
        for a in row.risk.asset_ids:
            risks_of.setdefault(a, []).append(row.risk.label)

    # 1. Asset register ------------------------------------------------------------------------
    w = _Writer(wb, f, lang, SHEETS[0])
    w.header(0, ASSET_HEADS)
    for n, a in enumerate(reg.assets, start=1):
        vals = [a.label, t(f"asset.category.{a.category}", lang), a.name, a.department, a.owner, a.location, a.users,
                t("xlsx.yes" if a.personal_data else "xlsx.no", lang)]
        for col, v in enumerate(vals):
            w.text(n, col, v)
        for col, v in enumerate((a.confidentiality, a.integrity, a.availability, a.importance), start=8):
            w.number(n, col, v)
        w.day(n, 12, a.last_reviewed)
        w.text(n, 13, ", ".join(risks_of.get(a.id, [])) or t("xlsx.risk.no_risk", lang),
               None if a.id in risks_of else f["bad"])
    w.ws.autofilter(0, 0, max(1, len(reg.assets)), len(ASSET_HEADS) - 1)
    w.finish(0)

    # 2. Risk register with the criteria and the heat maps --------------------------------------
    w = _Writer(wb, f, lang, SHEETS[1])
    end = _criteria_block(w, crit, 0)
    _heat_map(w, view, 0, 5, after=False)
    _heat_map(w, view, crit.scale + 4, 5, after=True)
    top = max(end, 2 * (crit.scale + 4)) + 2
    heads = RISK_HEADS_IPA if crit.method == "ipa3" else RISK_HEADS_5X5
    w.header(top, heads)
    for n, row in enumerate(reg.rows, start=top + 1):
        r, rt = row.risk, row.rating
        w.text(n, 0, r.label)
        w.text(n, 1, "\n".join(f"{a.label} {a.name}" for a in row.assets))
        w.text(n, 2, r.threat_title(lang))
        w.text(n, 3, r.vulnerability)
        w.text(n, 4, labels(_control_refs(view, r.existing_controls), lang))
        if crit.method == "ipa3":
            nums = (rt.importance, r.threat_level, rt.vulnerability_suggested, rt.vulnerability, rt.likelihood, rt.level)
        else:
            nums = (rt.impact, rt.likelihood, rt.vulnerability_suggested, rt.level)
        for col, v in enumerate(nums, start=5):
            w.number(n, col, v, f[rt.band] if col == 4 + len(nums) and rt.band else None)
        col = 5 + len(nums)
        _band_cell(w, n, col, rt.band)
        w.text(n, col + 1, r.owner)
        w.text(n, col + 2, t(f"risk.treatment.{r.treatment}", lang) if r.treatment else "")
    w.ws.autofilter(top, 0, top + max(1, len(reg.rows)), len(heads) - 1)
    w.finish(top)

    # 3. Risk treatment plan, with the risk owners' approval columns ------------------------------
    w = _Writer(wb, f, lang, SHEETS[2])
    w.header(0, PLAN_HEADS)
    actions = {a.id: a for a in view.plan if a.source.kind == "risk"}
    n = 0
    for row in reg.rows:
        r, rt = row.risk, row.rating
        if rt.band in (None, "acceptable") and r.treatment is None:
            continue  # within the criteria and nothing decided: not part of the plan
        n += 1
        act = actions.get(f"risk:{r.id}")
        acc = r.accepted
        w.text(n, 0, r.label)
        w.text(n, 1, f"{r.threat_title(lang)}\n" + ", ".join(a.name for a in row.assets))
        w.number(n, 2, rt.level, f[rt.band] if rt.band else None)
        _band_cell(w, n, 3, rt.band)
        w.text(n, 4, t(f"risk.treatment.{r.treatment}", lang) if r.treatment else t("xlsx.risk.undecided", lang),
               None if r.treatment else f["bad"])
        w.text(n, 5, labels(_control_refs(view, r.planned_controls), lang))
        w.text(n, 6, r.plan)
        w.text(n, 7, r.owner)
        w.day(n, 8, act.due.isoformat() if act and act.due else r.due)
        w.text(n, 9, t(f"action_status.{act.action_status}", lang) if act else "")
        w.number(n, 10, rt.retained_level, f[rt.retained_band] if rt.retained_band else None)
        _band_cell(w, n, 11, rt.retained_band)
        w.text(n, 12, acc.by if acc else "")
        w.day(n, 13, acc.on if acc else None)
        w.text(n, 14, acc.reason if acc else ("" if not rt.needs_acceptance else t("xlsx.risk.acceptance_missing", lang)),
               f["bad"] if rt.needs_acceptance and not acc else None)
        w.day(n, 15, acc.until if acc else None)
        w.text(n, 16, "")  # signed on paper by the risk owner
        w.text(n, 17, "")
    w.ws.autofilter(0, 0, max(1, n), len(PLAN_HEADS) - 1)
    w.finish(0)
    w.ws.set_column(16, 17, 16)

    # 4. SoA traceability: why each control is in the SoA and which risks use it ------------------
    w = _Writer(wb, f, lang, SHEETS[3])
    w.header(0, TRACE_HEADS)
    for n, srow in enumerate(view.soa, start=1):
        w.text(n, 0, srow.ref.label(lang))
        w.text(n, 1, srow.ref.title(lang))
        w.text(n, 2, t("xlsx.yes" if srow.applicable else "xlsx.no", lang))
        w.text(n, 3, ", ".join(t(f"xlsx.reason.{x}", lang) for x in srow.reasons))
        w.text(n, 4, ", ".join(r.label for r in srow.risks))
        w.text(n, 5, t(f"status.{srow.status or 'unanswered'}", lang))
        if srow.conflict:
            w.text(n, 6, t("xlsx.risk.conflict", lang), f["bad"])
        elif srow.applicable and not srow.risks:
            w.text(n, 6, t("xlsx.risk.orphan", lang))
    w.ws.autofilter(0, 0, max(1, len(view.soa)), len(TRACE_HEADS) - 1)
    w.finish(0)
    return True


def _control_refs(view: AssessmentView, ids: list[str]) -> tuple[Ref, ...]:
    kind = CONTROL if view.assessment.edition == "2022" else CONTROL_2013
    return tuple(Ref(kind, c) for c in ids)


__all__ = ["SHEETS", "write_risk_sheets"]
