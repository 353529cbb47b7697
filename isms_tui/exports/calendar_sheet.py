"""The 年間計画 / Annual plan sheet of the main workbook: the certificate, the audit dates, the
flags, and a month-by-month year grid of the yearly activities (the month each is due, the
month it was last done, the months of the audits). Written when the assessment keeps a
calendar; every date, state and flag is the read model's (view.annual_plan)."""

from __future__ import annotations

from datetime import date

from ..annual_plan import STATES, AnnualPlan
from ..calendar_report import next_audit_line
from ..view import AssessmentView
from .layout import Book

CAL_COLS = [("cal_activity", 26), ("cal_owner", 13), ("cal_every", 7), ("cal_lead", 7), ("cal_last_done", 10.5),
            ("cal_due", 10.5), ("cal_state", 9)]
# the audits' table sits on the grid's columns: (heading, first column, columns spanned)
AUDIT_COLS = [("cal_audit", 0, 1), ("cal_planned", 1, 1), ("cal_done", 2, 2), ("cal_due_by", 4, 1)]
MONTHS = 12
MONTH_WIDTH = 5.5
DUE_MARK, DONE_MARK, AUDIT_MARK = "\u25cf", "\u2713", "\u25b2"  # filled circle, check mark, triangle
STATE_FILL = {"overdue": "#FFC7CE", "due_soon": "#FFEB9C", "due": "#DDEBF7", "done": "#C6EFCE"}


def _month(d: date) -> date:
    return date(d.year, d.month, 1)


def grid_months(plan: AnnualPlan) -> list[date]:
    """The twelve months the grid shows, from this month."""
    out, d = [], _month(plan.today)
    for _ in range(MONTHS):
        out.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def write_calendar_sheet(book: Book, view: AssessmentView) -> None:
    tr, lang = book.tr, book.lang
    plan = view.annual_plan
    widths = book.widths(CAL_COLS, {"cal_state": [tr(f"calendar.state.{s}") for s in STATES]},
                         shrink=("cal_activity",))
    months = grid_months(plan)
    widths += [MONTH_WIDTH] * len(months)
    sh = book.sheet("xlsx.sheet.calendar", widths)
    span = len(widths)
    sh.text(0, 0, tr("xlsx.calendar.title"), book.f_title, span=span)
    # the certificate
    row = 2
    sh.text(row, 0, tr("xlsx.calendar.cert_block"), book.f_block, span=span)
    none = tr("calendar.none")
    for label, value in (("xlsx.calendar.number", plan.number), ("xlsx.calendar.body", plan.body)):
        row += 1
        sh.text(row, 0, tr(label), book.f_label)
        sh.text(row, 1, value or none, book.f_cell, span=3)
    for label, value in (("xlsx.calendar.issued", plan.issued), ("xlsx.calendar.expires", plan.expires)):
        row += 1
        sh.text(row, 0, tr(label), book.f_label)
        if value:
            sh.day(row, 1, value)
        else:
            sh.text(row, 1, none, book.f_cell)
    row += 1
    sh.text(row, 0, next_audit_line(plan, lang), book.f_text, span=span)
    # the audits
    row += 2
    sh.text(row, 0, tr("xlsx.calendar.audits_block"), book.f_block, span=span)
    row += 1
    for name, col, cols in AUDIT_COLS:
        sh.text(row, col, tr(f"xlsx.h.{name}"), book.f_head, span=cols)
    for a in plan.audits:
        row += 1
        name = tr(f"calendar.audit.{a.kind}") + (tr("calendar.target_mark") if a.target else "")
        sh.text(row, 0, name, book.f_cell)
        late = a.planned is not None and not a.done and a.planned < plan.today
        for (_, col, cols), value in zip(AUDIT_COLS[1:], (a.planned, a.done, a.due_by), strict=True):
            fmt = book.f_late_date if late and col == 1 else book.f_date
            if cols > 1:
                sh.ws.merge_range(row, col, row, col + cols - 1, "", fmt)
            if value:
                sh.day(row, col, value, fmt)
            else:
                sh.text(row, col, "", book.f_cell)
    # the flags
    row += 2
    sh.text(row, 0, tr("calendar.flags") if plan.flags else tr("calendar.no_flags"), book.f_block, span=span)
    for f in plan.flags:
        row += 1
        sh.text(row, 0, f.message(lang), book.f_bad, span=span)
    # the year grid
    row += 2
    sh.text(row, 0, tr("xlsx.calendar.activities_block"), book.f_block, span=span)
    row += 1
    sh.text(row, 0, tr("xlsx.calendar.legend", due=DUE_MARK, done=DONE_MARK, audit=AUDIT_MARK), book.f_note, span=span)
    head = row + 1
    sh.header(head, [tr(f"xlsx.h.{name}") for name, _ in CAL_COLS])
    base = len(CAL_COLS)
    month_head = book.fmt(num_format=tr("xlsx.month_format"), bold=True, font_color="#FFFFFF", bg_color="#1F4E78",
                          align="center", valign="vcenter", border=1, border_color="#FFFFFF")
    for k, m in enumerate(months):
        sh.day(head, base + k, m, month_head)
    index = {m: k for k, m in enumerate(months)}
    # the audits' row: the month of each audit not yet done
    row = head + 1
    sh.text(row, 0, tr("xlsx.calendar.audits_row"), book.f_label)
    for c in range(1, base):
        sh.text(row, c, "", book.f_cell)
    marks: dict[int, list[str]] = {}
    for a in plan.audits:
        when = a.done or a.planned
        if when and _month(when) in index:
            marks.setdefault(index[_month(when)], []).append(AUDIT_MARK)
    audit_cell = book.fmt(quote_prefix=True, align="center", bold=True, font_color="#C00000", border=1,
                          border_color="#D9D9D9")
    empty = book.fmt(border=1, border_color="#D9D9D9")
    for k in range(len(months)):
        if k in marks:
            sh.text(row, base + k, "".join(marks[k]), audit_cell)
        else:
            sh.blank(row, base + k, empty)
    for r in plan.activities:
        row += 1
        a = r.activity
        state_fmt = book.fmt(quote_prefix=True, text_wrap=True, bg_color=STATE_FILL[r.state], bold=r.state == "overdue",
                             **book.grid)
        sh.text(row, 0, a.title(lang), book.f_cell)
        sh.text(row, 1, a.owner, book.f_cell)
        sh.text(row, 2, tr("calendar.every_short", n=a.every), book.f_cell)
        sh.text(row, 3, tr("xlsx.calendar.days", n=a.lead), book.f_cell)
        if a.last_done:
            sh.day(row, 4, date.fromisoformat(a.last_done))
        else:
            sh.text(row, 4, tr("calendar.never"), book.f_cell)
        if r.due:
            sh.day(row, 5, r.due, book.f_late_date if r.state == "overdue" else None)
        else:
            sh.text(row, 5, tr("calendar.no_date"), book.f_cell)
        sh.text(row, 6, tr(f"calendar.state.{r.state}"), state_fmt)
        cells: dict[int, str] = {}
        if a.last_done and _month(date.fromisoformat(a.last_done)) in index:
            cells[index[_month(date.fromisoformat(a.last_done))]] = DONE_MARK
        due_k = None
        if r.due:
            # an overdue activity is due now: its mark stands in this month
            due_k = 0 if r.due < months[0] else index.get(_month(r.due))
            if due_k is not None:
                cells[due_k] = cells.get(due_k, "") + DUE_MARK
        for k in range(len(months)):
            if k in cells:
                fill = STATE_FILL[r.state] if k == due_k else "#FFFFFF"
                sh.text(row, base + k, cells[k], book.fmt(quote_prefix=True, align="center", bg_color=fill, border=1,
                                                          border_color="#D9D9D9"))
            else:
                sh.blank(row, base + k, empty)
    sh.ws.freeze_panes(head + 1, 0)
    sh.finish(repeat=head, one_page_at=0.8)
