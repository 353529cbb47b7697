"""The Excel deliverable: summary with charts, gap list, action plan, draft Statement of
Applicability, all answers and the certification roadmap.

Every piece of user or bank text is written with ``write_string`` and a quote-prefix format
on a workbook whose string conversions are off, so a note such as ``=HYPERLINK(...)`` stays
text. Column widths follow East Asian display width. The workbook is built in memory, then
written to a temp file in the target folder, fsynced and moved into place, mode 0600: it lists
the company's security gaps. A failed write leaves no temp file and no half-written target.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from ..catalog import catalog
from ..i18n import t
from ..model import UserError
from ..service import Workspace
from ..text import clean, display_width
from ..view import AssessmentView
from .risk_sheets import write_risk_sheets

FONTS = {"ja": "Yu Gothic", "en": "Calibri"}
EXCEL_CELL_LIMIT = 32767  # characters; longer text is cut with a visible mark
MAX_COL_WIDTH = 60
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _utf16_len(s: str) -> int:
    """Excel counts a cell's length in UTF-16 code units (an emoji counts two)."""
    return len(s.encode("utf-16-le")) // 2


def _cut_utf16(s: str, limit: int) -> str:
    out, used = [], 0
    for ch in s:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            break
        out.append(ch)
    return "".join(out)


class ExportError(UserError):
    pass


def default_filename(assessment) -> str:
    org = re.sub(r"[\\/:*?\"<>|\s]+", "_", clean(assessment.organization, multiline=False)).strip("_.") or "assessment"
    return f"{org[:60]}_ISMS_{date.today():%Y%m%d}.xlsx"


class _Sheet:
    """A worksheet that tracks column widths by East Asian width and writes text literally."""

    def __init__(self, book: _Book, name: str):
        self.book = book
        self.ws = book.wb.add_worksheet(_SHEET_BAD.sub("_", name)[:31])
        self.widths: dict[int, int] = {}
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.fit_to_pages(1, 0)
        self.ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        self.ws.set_footer("&L&8" + book.tr("xlsx.confidential") + "&R&8&P / &N")

    def _measure(self, col: int, text: str) -> None:
        w = max((display_width(line) for line in text.split("\n")), default=0)
        self.widths[col] = max(self.widths.get(col, 0), min(w, MAX_COL_WIDTH))

    def text(self, row: int, col: int, value: str | None, fmt=None) -> None:
        s = clean(value or "")
        if len(s) > EXCEL_CELL_LIMIT // 2 and _utf16_len(s) > EXCEL_CELL_LIMIT:
            s = _cut_utf16(s, EXCEL_CELL_LIMIT - 20) + " …[truncated]"
        self.ws.write_string(row, col, s, fmt or self.book.f_text)
        self._measure(col, s)

    def number(self, row: int, col: int, value: float | int | None, fmt=None) -> None:
        if value is None:
            self.ws.write_blank(row, col, None, fmt or self.book.f_text)
            return
        self.ws.write_number(row, col, value, fmt)
        self._measure(col, f"{value:.0%}" if fmt is self.book.f_pct else str(value))

    def day(self, row: int, col: int, value: date | None, fmt=None) -> None:
        if value is None:
            self.ws.write_blank(row, col, None, fmt or self.book.f_date)
        else:
            self.ws.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt or self.book.f_date)
        self._measure(col, "2027-12-31")

    def header(self, row: int, headers: list[str]) -> None:
        for c, h in enumerate(headers):
            self.text(row, c, h, self.book.f_head)

    def finish(self, header_row: int | None = 0, min_width: int = 6) -> None:
        for col, w in self.widths.items():
            self.ws.set_column(col, col, max(min_width, w + 2))
        if header_row is not None:
            self.ws.repeat_rows(header_row)


class _Book:
    def __init__(self, path: Path | io.BytesIO, lang: str, title: str, company: str):
        self.lang = lang
        self.wb = xlsxwriter.Workbook(path if isinstance(path, io.BytesIO) else str(path), {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
            "default_format_properties": {"font_name": FONTS[lang], "font_size": 10},
        })
        base = {"font_name": FONTS[lang], "font_size": 10, "valign": "top"}
        self.f_text = self.wb.add_format(base | {"quote_prefix": True, "text_wrap": True})
        self.f_head = self.wb.add_format(base | {"quote_prefix": True, "bold": True, "bg_color": "#1F4E79", "font_color": "#FFFFFF", "text_wrap": True, "border": 1})
        self.f_title = self.wb.add_format(base | {"quote_prefix": True, "bold": True, "font_size": 14})
        self.f_label = self.wb.add_format(base | {"quote_prefix": True, "bold": True})
        self.f_pct = self.wb.add_format(base | {"num_format": "0%"})
        self.f_num = self.wb.add_format(base | {"num_format": "0"})
        self.f_date = self.wb.add_format(base | {"num_format": "yyyy-mm-dd"})
        self.f_bad = self.wb.add_format(base | {"quote_prefix": True, "bold": True, "font_color": "#C00000", "text_wrap": True})
        self.f_good = self.wb.add_format(base | {"quote_prefix": True, "bold": True, "font_color": "#007A33", "text_wrap": True})
        self.f_late = self.wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.wb.set_properties({
            "title": title, "subject": "ISO/IEC 27001", "company": company, "author": "isms-tui",
            "category": self.tr("xlsx.confidential"), "keywords": "ISMS, ISO/IEC 27001, SoA",
            "comments": self.tr("xlsx.confidential"),
        })
        self.wb.set_custom_property("Classification", "Confidential")

    def tr(self, key: str, **kw) -> str:
        return t(key, self.lang, **kw)

    def sheet(self, key: str) -> _Sheet:
        return _Sheet(self, self.tr(key))


def _status(lang: str, status: str | None) -> str:
    return t(f"status.{status or 'unanswered'}", lang)


def _yes_no(lang: str, value: bool) -> str:
    return t("xlsx.yes" if value else "xlsx.no", lang)


def build_workbook(ws: Workspace, assessment_id: str, path: Path | io.BytesIO, lang: str, today: date | None = None) -> AssessmentView:
    today = today or date.today()
    view = ws.view(assessment_id, today)
    assessment, answers, banks = view.assessment, view.answers, view.banks
    report = view.report
    plan = view.plan
    book = _Book(path, lang, t("xlsx.doc_title", lang, org=assessment.organization), assessment.organization)
    tr = book.tr

    # 1. Summary ------------------------------------------------------------------------------
    sh = book.sheet("xlsx.sheet.summary")
    sh.ws.write_string(0, 0, tr("xlsx.doc_title", org=clean(assessment.organization, multiline=False)), book.f_title)
    rows = [
        ("xlsx.f.org", assessment.organization),
        ("xlsx.f.scope", assessment.scope),
        ("xlsx.f.edition", f"ISO/IEC 27001:{assessment.edition}"),
        ("xlsx.f.kind", tr(f"kind.{assessment.kind}")),
        ("xlsx.f.date", today.isoformat()),
        ("xlsx.f.target", assessment.target_date or "—"),
        ("xlsx.f.participants", ", ".join(assessment.participants)),
    ]
    r = 2
    for key, value in rows:
        sh.text(r, 0, tr(key), book.f_label)
        sh.text(r, 1, value)
        r += 1
    sh.text(r, 0, tr("xlsx.f.readiness"), book.f_label)
    sh.number(r, 1, report.overall.readiness, book.f_pct)
    sh.text(r + 1, 0, tr("xlsx.f.coverage"), book.f_label)
    sh.number(r + 1, 1, report.overall.coverage, book.f_pct)
    sh.text(r + 2, 0, tr("xlsx.f.unknown"), book.f_label)
    sh.number(r + 2, 1, report.overall.unknown, book.f_num)
    r += 3
    gate = report.gate
    sh.text(r, 0, tr("xlsx.f.gate"), book.f_label)
    if gate.ready:
        sh.text(r, 1, tr("gate.ready"), book.f_good)
    else:
        sh.text(r, 1, tr("gate.not_ready", n=len(gate.blockers)), book.f_bad)
        for req in gate.blockers:
            r += 1
            sh.text(r, 1, f"{req.ref.full(lang)}: {tr('gate.state.' + req.state)}")
    if view.contradictions:
        r += 1
        sh.text(r, 0, tr("xlsx.f.contradictions"), book.f_label)
        for c in view.contradictions:
            sh.text(r, 1, tr("xlsx.contradiction", a=c.implemented.id, b=c.not_implemented.id,
                             refs=", ".join(x.label(lang) for x in c.refs)), book.f_bad)
            r += 1
    r += 2
    table_top = r
    sh.header(r, [tr("xlsx.h.bank"), tr("xlsx.h.section"), tr("xlsx.h.readiness"), tr("xlsx.h.coverage"),
                  tr("xlsx.h.answered"), tr("xlsx.h.items"), tr("xlsx.h.gaps")])
    chart_rows: list[int] = []
    radar_rows: list[int] = []
    for bank in banks:
        for sec in bank.sections:
            s = report.sections[(bank.id, sec.id)]
            if not s.total:
                continue
            r += 1
            sh.text(r, 0, bank.title[lang])
            sh.text(r, 1, sec.title[lang])
            sh.number(r, 2, s.readiness if s.readiness is not None else 0, book.f_pct)
            sh.number(r, 3, s.coverage, book.f_pct)
            sh.number(r, 4, s.answered, book.f_num)
            sh.number(r, 5, s.total, book.f_num)
            sh.number(r, 6, s.gaps, book.f_num)
            if sec.parent is None:
                chart_rows.append(r)
                if bank.kind in ("annex_a_2022", "annex_a_2013"):
                    radar_rows.append(r)
    sh.finish(header_row=table_top)
    sh.ws.set_column(1, 1, 44)
    name = sh.ws.get_name()
    if chart_rows:
        bar = book.wb.add_chart({"type": "bar"})
        first, last = chart_rows[0], chart_rows[-1]
        # Non-adjacent rows are charted through their contiguous span; the values are numbers.
        bar.add_series({
            "name": tr("xlsx.h.readiness"),
            "categories": [name, first, 1, last, 1],
            "values": [name, first, 2, last, 2],
            "fill": {"color": "#2E75B6"},
        })
        bar.set_title({"name": tr("xlsx.chart.bar")})
        bar.set_x_axis({"min": 0, "max": 1, "num_format": "0%"})
        bar.set_y_axis({"reverse": True})
        bar.set_legend({"none": True})
        bar.set_size({"width": 640, "height": max(320, 18 * (last - first + 1))})
        sh.ws.insert_chart(2, 9, bar)
    if len(radar_rows) >= 3:
        radar = book.wb.add_chart({"type": "radar", "subtype": "filled"})
        radar.add_series({
            "name": tr("xlsx.h.readiness"),
            "categories": [name, radar_rows[0], 1, radar_rows[-1], 1],
            "values": [name, radar_rows[0], 2, radar_rows[-1], 2],
        })
        radar.set_title({"name": tr("xlsx.chart.radar")})
        radar.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
        radar.set_legend({"none": True})
        sh.ws.insert_chart(24, 9, radar)

    # 2. Gap list -----------------------------------------------------------------------------
    sh = book.sheet("xlsx.sheet.gaps")
    heads = ["refs", "title", "question", "status", "note", "evidence", "action", "weight", "mandatory", "new2022", "priority"]
    sh.header(0, [tr(f"xlsx.h.{h}") for h in heads])
    gaps = [act for act in plan if act.item is not None]  # risk treatments: in the plan sheet
    for n, act in enumerate(gaps, start=1):
        item = act.item
        assert item is not None
        a = answers.get(item.id)
        status = _status(lang, a.status if a else None)
        if act.overdue_recurring:
            status += " / " + tr("xlsx.overdue")
        values = [item.ref_label(lang), item.title(lang), item.question[lang], status, a.note if a else "",
                  a.evidence if a else "", item.action[lang]]
        for c, v in enumerate(values):
            sh.text(n, c, v)
        sh.number(n, 7, item.weight, book.f_num)
        sh.text(n, 8, _yes_no(lang, item.mandatory))
        sh.text(n, 9, _yes_no(lang, item.new_in_2022))
        sh.text(n, 10, tr(f"priority.{act.priority}"))
    sh.ws.freeze_panes(1, 0)
    sh.ws.autofilter(0, 0, max(1, len(gaps)), len(heads) - 1)
    sh.finish()

    # 3. Action plan --------------------------------------------------------------------------
    sh = book.sheet("xlsx.sheet.plan")
    heads = ["id", "action", "refs", "priority", "owner", "due", "action_status", "progress"]
    statuses = [tr(f"action_status.{s}") for s in ("todo", "in_progress", "done")]
    nrows = max(1, len(plan))
    for n, act in enumerate(plan, start=1):
        sh.text(n, 0, act.id)
        sh.text(n, 1, act.title(lang))
        sh.text(n, 2, act.ref_label(lang))
        sh.text(n, 3, tr(f"priority.{act.priority}"))
        sh.text(n, 4, act.owner)
        sh.day(n, 5, act.due)
        sh.text(n, 6, tr(f"action_status.{act.action_status}"))
        sh.text(n, 7, act.progress)
    for c, h in enumerate(heads):
        sh._measure(c, tr(f"xlsx.h.{h}"))
    sh.ws.add_table(0, 0, nrows, len(heads) - 1, {
        "name": "ActionPlan",
        "columns": [{"header": tr(f"xlsx.h.{h}"), "header_format": book.f_head} for h in heads],
        "style": "Table Style Light 9",
        "autofilter": True,
    })
    sh.ws.data_validation(1, 6, nrows, 6, {"validate": "list", "source": statuses,
                                            "input_title": tr("xlsx.h.action_status"),
                                            "input_message": " / ".join(statuses)})
    done = statuses[2].replace('"', '""')
    sh.ws.conditional_format(1, 0, nrows, len(heads) - 1, {
        "type": "formula",
        "criteria": f'=AND($F2<>"",$F2<TODAY(),$G2<>"{done}")',
        "format": book.f_late,
    })
    sh.ws.freeze_panes(1, 0)
    sh.finish()
    sh.ws.set_column(1, 1, 60)

    # 4. Statement of Applicability (draft) ---------------------------------------------------
    sh = book.sheet("xlsx.sheet.soa")
    is2022 = assessment.edition == "2022"
    heads = ["control", "title", "applicable", "justification", "impl_status", "evidence_ref"] + (["ids2013"] if is2022 else [])
    sh.header(0, [tr(f"xlsx.h.{h}") for h in heads])
    for n, row in enumerate(view.soa, start=1):
        sh.text(n, 0, row.ref.label(lang))
        sh.text(n, 1, row.ref.title(lang))
        sh.text(n, 2, _yes_no(lang, row.applicable))
        sh.text(n, 3, row.justification if not row.applicable else tr("xlsx.soa.included"))
        sh.text(n, 4, _status(lang, row.status))
        sh.text(n, 5, "\n".join(row.evidence))
        if is2022:
            sh.text(n, 6, ", ".join(r.id for r in row.maps_to) or tr("xlsx.new_in_2022"))
    sh.ws.freeze_panes(1, 2)
    sh.ws.autofilter(0, 0, len(view.soa), len(heads) - 1)
    sh.finish()

    # 5. Answers ------------------------------------------------------------------------------
    sh = book.sheet("xlsx.sheet.answers")
    heads = ["bank", "section", "refs", "question", "status", "note", "evidence", "owner", "due", "last_done",
             "na_justification", "answered_by", "updated"]
    sh.header(0, [tr(f"xlsx.h.{h}") for h in heads])
    n = 0
    for bank in banks:
        for item in bank.items:
            n += 1
            a = answers.get(item.id)
            sec = bank.section(item.section_id)
            vals = [bank.title[lang], sec.title[lang] if sec else "", item.ref_label(lang), item.question[lang],
                    _status(lang, a.status if a else None), a.note if a else "", a.evidence if a else "",
                    a.owner if a else ""]
            for c, v in enumerate(vals):
                sh.text(n, c, v)
            sh.day(n, 8, date.fromisoformat(a.due) if a and a.due else None)
            sh.day(n, 9, date.fromisoformat(a.last_done) if a and a.last_done else None)
            sh.text(n, 10, a.na_justification if a else "")
            sh.text(n, 11, a.answered_by if a else "")
            sh.text(n, 12, (a.updated[:19].replace("T", " ") if a else ""))
    sh.ws.freeze_panes(1, 0)
    sh.ws.autofilter(0, 0, max(1, n), len(heads) - 1)
    sh.finish()

    # 6. Roadmap ------------------------------------------------------------------------------
    sh = book.sheet("xlsx.sheet.roadmap")
    heads = ["phase", "step", "start", "end", "clauses_note"]
    sh.header(0, [tr(f"xlsx.h.{h}") for h in heads])
    target = view.target
    phases = {p.id: p for p in catalog().phases}
    n = 0
    for row in view.roadmap:
        n += 1
        sh.text(n, 0, phases[row.phase].title[lang])
        sh.text(n, 1, row.step.title(lang))
        sh.day(n, 2, row.start)
        sh.day(n, 3, row.end)
        sh.text(n, 4, tr("xlsx.roadmap.yearly") if row.recurring_months else "")
    if target is None:
        sh.text(n + 2, 0, tr("xlsx.roadmap.no_target"), book.f_bad)
    else:
        sh.text(n + 2, 0, tr("xlsx.roadmap.basis", date=target.isoformat()))
    sh.ws.freeze_panes(1, 0)
    sh.finish()

    write_risk_sheets(book.wb, view, lang)  # asset ledger, risk register, treatment plan, SoA traceability
    book.wb.close()
    return view


def export_assessment(ws: Workspace, assessment_id: str, path: str | Path, *, lang: str, today: date | None = None) -> Path:
    """Write the workbook atomically (temp file in the target folder, then replace), 0600."""
    path = Path(path).expanduser()
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(path.suffix + ".xlsx") if path.suffix else path.with_suffix(".xlsx")
    ws.load(assessment_id)  # unknown or damaged ids fail before anything is written
    buf = io.BytesIO()
    try:
        build_workbook(ws, assessment_id, buf, lang, today)  # in memory: no file to leave behind
    except Exception as exc:  # xlsxwriter's own errors: no traceback for the user
        if type(exc).__module__.startswith("xlsxwriter"):
            raise ExportError("export.cannot_write", path=str(path), reason=str(exc)) from None
        raise
    return ws.write_file(path, buf.getvalue())


__all__ = ["ExportError", "build_workbook", "default_filename", "export_assessment"]
