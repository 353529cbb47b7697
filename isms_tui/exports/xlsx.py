"""The Excel deliverable: a summary that says what to do next, the gap list, the action plan,
the Statement of Applicability in audit shape, all answers and the certification roadmap (then
the risk sheets, the minutes of the latest workshop session when there is one, the
findings register with its corrective actions when there are findings, and the comparison
with the previous cycles when there is one).

Every sheet is designed for A4 landscape paper: chosen columns with fixed widths (long text
wraps), row heights set from the number of wrapped lines (East Asian width aware), a page
header and footer (organization, sheet, date, page x / y, confidentiality mark) and the
table header repeated on every page. Dates are written as dates, numbers as numbers.

Every piece of user or bank text is written with ``write_string`` and a quote-prefix format
on a workbook whose string conversions are off, so a note such as ``=HYPERLINK(...)`` stays
text. The sheets only render the read model (:class:`isms_tui.view.AssessmentView`): no rule
is computed here. The file is written to a temp file and moved into place, mode 0600: it
lists the company's security gaps.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from ..catalog import catalog
from ..changes import change_answer
from ..compare import previous_id
from ..cycle import EDITION_2013_EXPIRED
from ..i18n import t
from ..model import UserError
from ..report import contradiction_line, register_disagreement_line
from ..service import Workspace
from ..soa import exclusion_challenge
from ..soa_decisions import reasons_text
from ..text import clean
from ..view import AssessmentView
from .audit_sheet import write_audit_sheet
from .calendar_sheet import write_calendar_sheet
from .compare_sheet import write_compare_sheet
from .document_sheet import write_document_sheet
from .findings_sheet import write_findings_sheet
from .layout import BOLD_WIDTH, HEAD_FILL, PHASE_FILL, Book, as_date, wrapped_lines
from .minutes import write_minutes_sheet
from .preaudit_sheet import write_preaudit_sheets
from .risk_sheets import write_risk_sheets


class ExportError(UserError):
    pass


def default_filename(assessment) -> str:
    org = re.sub(r"[\\/:*?\"<>|\s]+", "_", clean(assessment.organization, multiline=False)).strip("_.") or "assessment"
    return f"{org[:60]}_ISMS_{date.today():%Y%m%d}.xlsx"



def _status(lang: str, status: str | None) -> str:
    return t(f"status.{status or 'unanswered'}", lang)


def _yes_no(lang: str, value: bool) -> str:
    return t("xlsx.yes" if value else "xlsx.no", lang)


def _answer_text(view: AssessmentView, item_id: str, lang: str) -> str:
    """The current answer as the sheets show it (an overdue recurring activity says so)."""
    text = _status(lang, view.answers[item_id].status if item_id in view.answers else None)
    if view.is_overdue(item_id):
        text += " / " + t("xlsx.overdue", lang)
    if view.to_reconfirm(item_id):  # the previous cycle's answer, not re-confirmed in this one
        text += " / " + t("reconfirm.label", lang)
    return text


# --- 1. Summary -----------------------------------------------------------------------------
def next_cycle_fields(sh, r: int, view: AssessmentView, lang: str, book: Book) -> int:
    """The summary's next-cycle rows: the previous cycle (organization, id, date), how many
    answers are still to re-confirm, and each change since the last cycle. Returns the next row."""
    prev = view.previous_cycle
    if prev is None and not view.changes and not view.reconfirm_items:
        return r
    full = len(SUMMARY_WIDTHS) - 1
    rows = []
    if prev is not None:
        rows.append((t("xlsx.f.previous_cycle", lang),
                     t("next.previous", lang, org=prev["organization"] or "—", id=prev["id"], date=prev["date"] or "—")))
    if view.reconfirm_items:
        rows.append((t("xlsx.f.reconfirm", lang), t("reconfirm.count", lang, n=len(view.reconfirm_items))))
    for c in view.changes:
        rows.append((t("xlsx.f.change", lang, topic=t(f"change.topic.{c.topic}", lang)),
                     change_answer(c, lang)))
    for label, value in rows:
        sh.text(r, 0, label, book.f_label)
        sh.text(r, 1, value, book.f_cell, span=full)
        r += 1
    return r



AUDIT_KEYS = {"surveillance_1": "xlsx.audit.surveillance_1", "surveillance_2": "xlsx.audit.surveillance_2",
              "recertification": "xlsx.audit.recertification"}
SUMMARY_WIDTHS = [24, 42, 11, 11, 11, 10, 10.5, 11.5]


def _summary(book: Book, view: AssessmentView, lang: str) -> None:
    tr = book.tr
    a = view.assessment
    report = view.report
    overall = report.overall
    sh = book.sheet("xlsx.sheet.summary", SUMMARY_WIDTHS)
    full = len(SUMMARY_WIDTHS) - 1
    sh.text(0, 0, tr("xlsx.doc_title", org=clean(a.organization, multiline=False)), book.f_title, span=full + 1)
    r = 2

    def field(label_key: str, value: str | None = None, *, day: date | None = None, fmt=None, **kw) -> None:
        nonlocal r
        sh.text(r, 0, tr(label_key, **kw), book.f_label)
        if day is not None or value is None:
            sh.day(r, 1, day)
            if value:
                sh.text(r, 2, value, book.f_note, span=full - 1)
        else:
            sh.text(r, 1, value, fmt or book.f_cell, span=full)
        r += 1

    field("xlsx.f.org", a.organization)
    field("xlsx.f.scope", a.scope)
    field("xlsx.f.edition", f"ISO/IEC 27001:{a.edition}")
    field("xlsx.f.kind", tr(f"kind.{a.kind}"))
    field("xlsx.f.date", day=view.today)
    if a.kind == "renewal":
        cycle = view.cycle
        field("xlsx.f.next_audit", tr(AUDIT_KEYS[view.next_audit]) if view.next_audit else None, day=view.target)
        if cycle:
            field("xlsx.f.cert_date", day=cycle.issued)
            field("xlsx.f.surveillance_1", day=cycle.surveillance_1)
            field("xlsx.f.surveillance_2", day=cycle.surveillance_2)
            field("xlsx.f.cert_expiry", tr("xlsx.f.recert_note"), day=cycle.expires)
    elif a.kind == "pre_audit":
        field("xlsx.f.target_audit", day=view.target)
    else:
        field("xlsx.f.target_stage1", day=view.target)
    if view.target and not view.target_passed:
        sh.text(r, 0, tr("xlsx.f.days_left"), book.f_label)
        sh.number(r, 1, (view.target - view.today).days)
        r += 1
    field("xlsx.f.participants", ", ".join(p.label() for p in view.workshop.participants.values()))
    r = next_cycle_fields(sh, r, view, lang, book)
    if a.kind == "initial":
        field("xlsx.f.timeline", tr("xlsx.timeline.initial"))
    elif a.kind == "renewal":
        field("xlsx.f.timeline", tr("xlsx.timeline.renewal"))

    warnings = []
    if view.target is None:
        warnings.append(tr("xlsx.roadmap.no_target"))
    elif view.target_passed:
        warnings.append(tr("xlsx.warn.target_passed", date=view.target.isoformat()))
    if a.kind == "renewal" and view.cycle is None:
        warnings.append(tr("xlsx.warn.no_cert_date"))
    if a.edition == "2013":
        warnings.append(tr("xlsx.warn.2013", date=EDITION_2013_EXPIRED.isoformat()))
    if warnings:
        r += 1
        for w in warnings:
            sh.text(r, 0, w, book.f_warn, span=full + 1)
            r += 1

    # where the assessment stands: unanswered items are counted apart from real gaps
    r += 1
    sh.text(r, 0, tr("xlsx.block.numbers"), book.f_block, span=full + 1)
    r += 1
    for label, value, fmt, note in (
        (tr("xlsx.f.readiness"), overall.answered_readiness, book.f_pct, tr("xlsx.n.readiness")),
        (tr("xlsx.f.coverage"), overall.coverage, book.f_pct, tr("xlsx.n.coverage")),
        (tr("xlsx.f.items"), overall.total, None, ""),
        (tr("xlsx.f.answered"), overall.answered, None, ""),
        (tr("xlsx.f.real_gaps"), overall.answered_gaps, None, tr("xlsx.n.real_gaps")),
        (tr("xlsx.f.unknown"), overall.unknown, None, tr("xlsx.n.unknown")),
        (tr("xlsx.f.unanswered"), overall.unanswered, None, tr("xlsx.n.unanswered")),
        (tr("xlsx.f.overdue"), len(report.overdue), None, tr("xlsx.n.overdue")),
        (tr("xlsx.f.actions"), len(view.plan), None, tr("xlsx.n.actions")),
    ):
        sh.text(r, 0, label, book.f_label)
        sh.number(r, 1, value, fmt)
        if note:
            sh.text(r, 2, note, book.f_note, span=full - 1)
        r += 1

    # next steps: the first open actions by the plan's priority order
    r += 1
    sh.text(r, 0, tr("xlsx.block.next", n=len(view.next_steps)), book.f_block, span=full + 1)
    r += 1
    if view.next_steps:
        sh.header(r, [tr("xlsx.h.refs"), tr("xlsx.h.action"), tr("xlsx.h.priority"), tr("xlsx.h.owner"), tr("xlsx.h.due")])
        sh.text(r, 5, tr("xlsx.h.deliverable"), book.f_head, span=3)
        r += 1
        for act in view.next_steps:
            sh.text(r, 0, act.ref_label(lang), book.f_cell)
            sh.text(r, 1, act.title(lang), book.f_cell)
            sh.text(r, 2, f"{act.priority} {tr(f'priority.{act.priority}')}", book.priority_fmt(act.priority, center=True))
            sh.text(r, 3, act.owner, book.f_cell)
            sh.day(r, 4, act.due, book.f_late_date if act.is_late(view.today) else None)
            sh.text(r, 5, act.deliverable_text(lang), book.f_cell, span=3)
            r += 1
    else:
        sh.text(r, 0, tr("dash.no_actions"), book.f_good, span=full + 1)
        r += 1

    # the stage 1 gate: each blocking requirement once, with its typed reference and title
    r += 1
    sh.text(r, 0, tr("xlsx.f.gate"), book.f_block, span=full + 1)
    r += 1
    gate = view.gate  # the read model's gate: the risk and documents registers decide their part
    if gate.ready:
        sh.text(r, 0, tr("gate.ready"), book.f_good, span=full + 1)
        r += 1
    else:
        sh.text(r, 0, tr("gate.not_ready", n=len(gate.blockers)), book.f_bad, span=full + 1)
        r += 1
        sh.header(r, [tr("xlsx.h.requirement"), tr("xlsx.h.title"), tr("xlsx.h.state")])
        sh.text(r, 3, tr("xlsx.h.docs"), book.f_head, span=full - 2)
        r += 1
        for req in gate.blockers:
            sh.text(r, 0, req.ref.label(lang), book.f_cell)
            sh.text(r, 1, req.ref.title(lang), book.f_cell)
            sh.text(r, 2, tr("gate.state." + req.state), book.f_warn if req.state == "not_met" else book.f_cell)
            why = [f"{d.ref} {d.title[lang]}" for d in req.docs] + [f"- {i.message(lang)}" for i in req.issues]
            sh.text(r, 3, "\n".join(why), book.f_cell, span=full - 2)
            r += 1
    if view.contradictions:
        r += 1
        sh.text(r, 0, tr("xlsx.f.contradictions"), book.f_block, span=full + 1)
        r += 1
        for c in view.contradictions:
            sh.text(r, 0, contradiction_line(view, c, lang), book.f_bad, span=full + 1)
            r += 1
    if view.register_disagreements:
        r += 1
        sh.text(r, 0, tr("dash.register_disagreements", n=len(view.register_disagreements)), book.f_block, span=full + 1)
        r += 1
        for ref, item, status in view.register_disagreements:
            sh.text(r, 0, register_disagreement_line(view, ref, item, status, lang), book.f_bad, span=full + 1)
            r += 1

    # readiness by top-level section (the charts plot these rows)
    r += 1
    sh.text(r, 0, tr("xlsx.block.sections"), book.f_block, span=full + 1)
    r += 1
    sh.header(r, [tr(f"xlsx.h.{h}") for h in ("bank", "section", "readiness", "coverage", "answered", "items", "gaps", "unanswered")])
    r += 1
    annex = [b for b in view.banks if b.kind in ("annex_a_2022", "annex_a_2013")]
    others = [b for b in view.banks if b not in annex]
    groups: list[list[tuple[int, float | None]]] = []
    for banks in (others, annex):
        rows: list[tuple[int, float | None]] = []
        for bank in banks:
            for sec in bank.sections:
                if sec.parent is not None:
                    continue
                s = report.sections[(bank.id, sec.id)]
                if not s.total:
                    continue
                sh.text(r, 0, bank.title[lang], book.f_cell)
                sh.text(r, 1, sec.title[lang], book.f_cell)
                sh.number(r, 2, s.answered_readiness, book.f_pct)  # blank until something is answered
                sh.number(r, 3, s.coverage, book.f_pct)
                sh.number(r, 4, s.answered)
                sh.number(r, 5, s.total)
                sh.number(r, 6, s.answered_gaps)
                sh.number(r, 7, s.unanswered)
                rows.append((r, s.answered_readiness))
                r += 1
        groups.append(rows)

    # charts on their own page, side by side: they never overlap
    r += 1
    sh.ws.set_h_pagebreaks([r])
    sh.text(r, 0, tr("xlsx.block.charts"), book.f_block, span=full + 1)
    r += 1
    name = sh.ws.get_name()
    x = 0
    for rows, title_key, width in ((groups[0], "xlsx.chart.bar", 560), (groups[1], "xlsx.chart.annex", 400)):
        if not rows:
            continue
        chart = book.wb.add_chart({"type": "bar"})
        first, last = rows[0][0], rows[-1][0]
        chart.add_series({
            "name": tr("xlsx.h.readiness"),
            "categories": [name, first, 1, last, 1],
            "values": [name, first, 2, last, 2],
            "fill": {"color": "#2E75B6"},
            "gap": 60,
            # no label on a section without a score: blank, not 0%
            "data_labels": {"value": True, "num_format": "0%", "font": {"size": 8},
                            "custom": [{"delete": True} if v is None else None for _, v in rows]},
        })
        chart.set_title({"name": tr(title_key), "name_font": {"size": 11, "bold": True}})
        chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 8}})
        chart.set_legend({"none": True})
        chart.show_blanks_as("gap")
        chart.set_size({"width": width, "height": min(700, max(260, 21 * len(rows) + 90))})
        sh.ws.insert_chart(r, 0, chart, {"x_offset": x, "y_offset": 4, "object_position": 3})
        x += width + 20
    sh.ws.set_column(0, 0, SUMMARY_WIDTHS[0])
    sh.finish()


# --- 2. Gap list ----------------------------------------------------------------------------
GAP_COLS = [("priority", 5.5), ("priority_label", 6), ("item_id", 13.5), ("refs", 10), ("title", 16), ("current", 10),
            ("question", 27.5), ("auditor_asks", 27.5), ("evidence_examples", 21.5), ("note", 20.5)]


def _gaps(book: Book, view: AssessmentView, lang: str) -> None:
    tr = book.tr
    sh = book.sheet("xlsx.sheet.gaps", book.widths(GAP_COLS, {"current": book.status_words},
                                                   shrink=("note", "evidence_examples", "title")))
    gaps = [a for a in view.gap_actions if a.item is not None]
    sh.text(0, 0, tr("xlsx.sheet.gaps"), book.f_title, span=len(GAP_COLS))
    sh.text(1, 0, tr("xlsx.gaps.note", n=len(gaps), unanswered=view.overall.unanswered), book.f_note, span=len(GAP_COLS))
    head = 2
    sh.header(head, [tr(f"xlsx.h.{h}") for h, _ in GAP_COLS])
    n = head
    for act in gaps:
        item = act.item
        assert item is not None
        n += 1
        a = view.answers.get(item.id)
        sh.number(n, 0, act.priority, book.priority_num_fmt(act.priority))
        sh.text(n, 1, tr(f"priority.{act.priority}"), book.priority_fmt(act.priority, center=True))
        sh.text(n, 2, item.id, book.f_cell)
        sh.text(n, 3, item.ref_label(lang), book.f_cell)
        sh.text(n, 4, item.title(lang), book.f_cell)
        sh.text(n, 5, _answer_text(view, item.id, lang), book.status_fmt(view.status(item.id)))
        sh.text(n, 6, item.question[lang], book.f_cell)
        sh.text(n, 7, item.auditor_asks[lang], book.f_cell)
        sh.text(n, 8, "\n".join(tr("xlsx.bullet", text=e) for e in item.evidence[lang]), book.f_cell)
        sh.text(n, 9, a.note if a else "", book.f_cell)
    sh.ws.freeze_panes(head + 1, 0)
    sh.ws.autofilter(head, 0, max(head + 1, n), len(GAP_COLS) - 1)
    sh.finish(repeat=head)


# --- 3. Action plan -------------------------------------------------------------------------
PLAN_COLS = [("priority", 5.5), ("priority_label", 6), ("item_id", 13.5), ("refs", 10), ("title", 15.5), ("current", 10),
             ("action", 28.5), ("deliverable", 18), ("owner", 12), ("due", 11), ("action_status", 9.5), ("progress", 18)]


def _plan(book: Book, view: AssessmentView, lang: str) -> None:
    tr = book.tr
    heads = [h for h, _ in PLAN_COLS]
    col = {h: i for i, h in enumerate(heads)}
    sh = book.sheet("xlsx.sheet.plan", book.widths(PLAN_COLS, {
        "current": book.status_words, "action_status": [tr(f"action_status.{s}") for s in ("todo", "in_progress", "done")]},
        shrink=("progress", "deliverable", "title")))
    statuses = [tr(f"action_status.{s}") for s in ("todo", "in_progress", "done")]
    nrows = max(1, len(view.plan))
    for n, act in enumerate(view.plan, start=1):
        sh.number(n, 0, act.priority, book.priority_num_fmt(act.priority))
        sh.text(n, 1, tr(f"priority.{act.priority}"), book.priority_fmt(act.priority, center=True))
        sh.text(n, 2, act.source.id, book.f_cell)
        sh.text(n, 3, act.ref_label(lang), book.f_cell)
        sh.text(n, 4, act.item.title(lang) if act.item else "", book.f_cell)
        sh.text(n, 5, _answer_text(view, act.item.id, lang) if act.item else "", book.status_fmt(act.status))
        sh.text(n, 6, act.title(lang), book.f_cell)
        sh.text(n, 7, act.deliverable_text(lang), book.f_cell)
        sh.text(n, 8, act.owner, book.f_cell)
        sh.day(n, 9, act.due)
        sh.text(n, 10, tr(f"action_status.{act.action_status}"), book.f_cell)
        sh.text(n, 11, act.progress, book.f_cell)
    header = [tr(f"xlsx.h.{h}") for h in heads]
    for c, h in enumerate(header):
        sh._need(0, wrapped_lines(h, sh.widths[c]))
    sh.ws.add_table(0, 0, nrows, len(heads) - 1, {
        "name": "ActionPlan",
        "columns": [{"header": h, "header_format": book.f_head} for h in header],
        "style": "Table Style Light 1",
        "autofilter": True,
    })
    sh.ws.data_validation(1, col["action_status"], nrows, col["action_status"], {
        "validate": "list", "source": statuses,
        "input_title": tr("xlsx.h.action_status"), "input_message": " / ".join(statuses)})
    due, st = xlsxwriter.utility.xl_col_to_name(col["due"]), xlsxwriter.utility.xl_col_to_name(col["action_status"])
    done = statuses[2].replace('"', '""')
    sh.ws.conditional_format(1, col["due"], nrows, col["due"], {  # a late action: its due date in red
        "type": "formula",
        "criteria": f'=AND(${due}2<>"",${due}2<TODAY(),${st}2<>"{done}")',
        "format": book.f_late,
    })
    sh.ws.freeze_panes(1, 0)
    sh.finish(repeat=0)


# --- 4. Statement of Applicability ----------------------------------------------------------
SOA_COLS = [("theme", 9.5), ("control", 7.5), ("control_title", 16), ("applicable", 6.5), ("reasons", 13),
            ("justification", 23), ("impl_status", 9.5), ("implementation", 18), ("owner", 9), ("evidence", 15),
            ("maps", 11), ("remarks", 20)]


def _soa(book: Book, view: AssessmentView, lang: str) -> None:
    tr = book.tr
    a = view.assessment
    cat = catalog()
    is2022 = a.edition == "2022"
    maps_key = "ids2013" if is2022 else "ids2022"
    cols = [(maps_key if h == "maps" else h, w) for h, w in SOA_COLS]
    theme_words = ([v[lang] for v in cat.themes_2022.values()] if is2022
                   else [f"{k} {v[lang]}" for k, v in cat.domains_2013.items()])
    sh = book.sheet("xlsx.sheet.soa", book.widths(cols, {"impl_status": book.status_words, "theme": theme_words,
                                                         "applicable": [tr("xlsx.yes"), tr("xlsx.no")]},
                                                  shrink=("implementation", "evidence", "remarks", "control_title")))
    last = len(SOA_COLS) - 1
    sh.text(0, 0, tr("xlsx.soa.title"), book.f_title, span=4)
    sh.text(0, 4, tr("xlsx.soa.subtitle", edition=a.edition, org=clean(a.organization, multiline=False)),
            book.fmt(quote_prefix=True, bold=True, text_wrap=True, valign="vcenter"), span=3)
    # the approval block: filled in and signed (or stamped) on paper
    boxes = [("xlsx.soa.author", 2), ("xlsx.soa.approver", 2), ("xlsx.soa.version", 1), ("xlsx.soa.date", 2)]
    c = 4
    approval_head = book.fmt(quote_prefix=True, bold=True, align="center", bg_color="#EEF3F8", border=1)
    approval_box = book.fmt(quote_prefix=True, border=1)
    for key, span in boxes:
        sh.text(1, c, tr(key), approval_head, span=span)
        if span > 1:
            sh.ws.merge_range(2, c, 2, c + span - 1, "", approval_box)
        else:
            sh.blank(2, c, approval_box)
        c += span
    sh.height(2, 36)
    counts = {
        "applicable": sum(1 for r in view.soa if r.applicable),
        "excluded": sum(1 for r in view.soa if not r.applicable),
        "missing": sum(1 for r in view.soa if "no_justification" in r.flags),
        "challenged": sum(1 for r in view.soa if "challenged" in r.flags),
    }
    sh.text(1, 0, tr("xlsx.soa.counts", **counts), book.f_text, span=4)
    sh.text(2, 0, tr("xlsx.soa.draft_note", date=view.today.isoformat()), book.f_note, span=4)
    r = 3
    if not is2022:
        sh.text(r, 0, tr("xlsx.warn.2013", date=EDITION_2013_EXPIRED.isoformat()), book.f_warn, span=last + 1)
        r += 1
    head = r
    sh.header(head, [tr(f"xlsx.h.{h}") for h, _ in cols])
    themes = cat.themes_2022
    for n, row in enumerate(view.soa, start=head + 1):
        if is2022:
            theme = themes.get(row.theme, {}).get(lang, row.theme)
        else:
            obj = cat.objectives_2013.get(row.theme)
            dom = obj.group if obj else row.theme
            theme = f"{dom} {cat.domains_2013.get(dom, {}).get(lang, '')}".strip()
        flagged = bool(set(row.flags) & {"challenged", "vague", "conflict"})
        sh.text(n, 0, theme, book.f_cell)
        sh.text(n, 1, row.ref.label(lang) if is2022 else row.ref.id, book.f_cell)
        sh.text(n, 2, row.ref.title(lang), book.f_cell)
        sh.text(n, 3, _yes_no(lang, row.applicable), book.f_warn if flagged and not row.applicable else book.f_center)
        sh.text(n, 4, reasons_text(row.reasons, [r.label for r in row.risks], lang), book.f_cell)
        sh.text(n, 5, row.justification, book.f_cell)
        sh.text(n, 6, _status(lang, row.status), book.status_fmt(row.status))
        sh.text(n, 7, row.implementation, book.f_cell)
        sh.text(n, 8, row.owner, book.f_cell)
        sh.text(n, 9, "\n".join(row.evidence), book.f_cell)
        if is2022:
            sh.text(n, 10, ", ".join(m.id for m in row.maps_to) or tr("xlsx.new_in_2022"), book.f_cell)
        else:
            sh.text(n, 10, ", ".join(m.label(lang) for m in row.maps_to), book.f_cell)
        remarks = []
        for flag in row.flags:
            if flag == "challenged":
                reasons = [exclusion_challenge(c, lang) or "" for c in row.challenged]
                ids = ", ".join(f"A.{c}" for c in row.challenged)
                remarks.append(tr("soa.flag.challenged", controls=ids, reason=" ".join(reasons)))
            else:
                remarks.append(tr(SOA_FLAG_KEYS[flag]))
        sh.text(n, 11, "\n".join(remarks), book.f_warn if flagged else book.f_cell)
    sh.ws.freeze_panes(head + 1, 2)
    sh.ws.autofilter(head, 0, head + len(view.soa), last)
    sh.finish(repeat=head)


SOA_FLAG_KEYS = {"no_justification": "soa.flag.no_justification", "vague": "soa.flag.vague", "conflict": "soa.flag.conflict"}


# --- 5. Answers -----------------------------------------------------------------------------
ANSWER_COLS = [("item_id", 13), ("refs", 9.5), ("question", 30), ("status", 9.5), ("note", 18), ("evidence", 15),
               ("owner", 10.5), ("due", 10), ("last_done", 10), ("na_justification", 13), ("answered_by", 9),
               ("updated", 14)]


def _answers(book: Book, view: AssessmentView, lang: str) -> None:
    tr = book.tr
    sh = book.sheet("xlsx.sheet.answers", book.widths(ANSWER_COLS, {"status": book.status_words},
                                                      shrink=("note", "evidence", "na_justification")))
    sh.header(0, [tr(f"xlsx.h.{h}") for h, _ in ANSWER_COLS])
    group = book.fmt(quote_prefix=True, bold=True, bg_color="#D9E1F2", text_wrap=True, **book.grid)
    n = 0
    for bank in view.banks:
        section = None
        for item in bank.items:
            if item.section_id != section:
                section = item.section_id
                sec = bank.section(section)
                n += 1
                sh.text(n, 0, f"{bank.title[lang]} › {sec.title[lang] if sec else section}", group, span=len(ANSWER_COLS))
            n += 1
            a = view.answers.get(item.id)
            sh.text(n, 0, item.id, book.f_cell)
            sh.text(n, 1, item.ref_label(lang), book.f_cell)
            sh.text(n, 2, item.question[lang], book.f_cell)
            sh.text(n, 3, _answer_text(view, item.id, lang), book.status_fmt(view.status(item.id)))
            sh.text(n, 4, a.note if a else "", book.f_cell)
            sh.text(n, 5, a.evidence if a else "", book.f_cell)
            sh.text(n, 6, a.owner if a else "", book.f_cell)
            sh.day(n, 7, as_date(a.due if a else None))
            sh.day(n, 8, as_date(a.last_done if a else None))
            sh.text(n, 9, a.na_justification if a else "", book.f_cell)
            sh.text(n, 10, view.decided_by(item.id, lang), book.f_cell)  # in a workshop: who decided
            sh.day(n, 11, _stamp_or_none(a.updated) if a else None, book.f_stamp)
    sh.ws.freeze_panes(1, 0)
    sh.ws.autofilter(0, 0, max(1, n), len(ANSWER_COLS) - 1)
    sh.finish(repeat=0)


def _stamp_or_none(value: str | None) -> datetime | None:
    """An answer's update time (stored in UTC) as a date and time without zone, in UTC."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None, microsecond=0) if value else None
    except ValueError:
        return None


# --- 6. Roadmap -----------------------------------------------------------------------------
ROADMAP_COLS = [("step", 24), ("owner", 20), ("step_status", 8.5), ("start", 10.5), ("end", 10.5)]
MONTH_WIDTH = 5.5


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _months(first: date, last: date) -> list[date]:
    out, d = [], date(first.year, first.month, 1)
    while d <= last:
        out.append(d)
        d = _next_month(d)
    return out


def _roadmap(book: Book, view: AssessmentView, lang: str) -> None:
    """A month timeline: one row per step with its owner and status, a filled cell for each
    month its suggested window touches, grouped by phase."""
    tr = book.tr
    rows = view.roadmap
    dated = [r for r in rows if r.start and r.end]
    months = _months(min(r.start for r in dated), max(r.end for r in dated)) if dated else []
    today_month = date(view.today.year, view.today.month, 1)
    target_month = date(view.target.year, view.target.month, 1) if view.target else None
    widths = book.widths(ROADMAP_COLS, {"step_status": [tr(f"action_status.{s}") for s in ("todo", "in_progress", "done")]})
    widths += [MONTH_WIDTH] * len(months)
    sh = book.sheet("xlsx.sheet.roadmap", widths)
    base = len(ROADMAP_COLS)
    # what the dates are laid back from, above the timeline
    notes: list[tuple[str, object]] = []
    if view.target is None:
        notes.append((tr("xlsx.roadmap.no_target"), book.f_bad))
    else:
        key = "xlsx.roadmap.basis_renewal" if view.assessment.kind == "renewal" else "xlsx.roadmap.basis"
        notes.append((tr(key, date=view.target.isoformat()), book.f_text))
        if view.target_passed:
            notes.append((tr("xlsx.warn.target_passed", date=view.target.isoformat()), book.f_warn))
        if months:
            notes.append((tr("xlsx.roadmap.legend"), book.f_note))
    for r, (note, fmt) in enumerate(notes):
        sh.text(r, 0, note, fmt, span=len(widths))
    top = len(notes) + 1  # the year row; the month row is under it
    for c, (h, _) in enumerate(ROADMAP_COLS):  # the headings span the year and month rows
        sh.ws.merge_range(top, c, top + 1, c, "", book.f_head)
        sh.ws.write_string(top, c, tr(f"xlsx.h.{h}"), book.f_head)
        sh._need(top, max(1, wrapped_lines(tr(f"xlsx.h.{h}"), widths[c] / BOLD_WIDTH) - 1))
    sh._need(top + 1, 1)
    head = {"bold": True, "font_color": "#FFFFFF", "bg_color": HEAD_FILL, "align": "center", "valign": "vcenter",
            "border": 1, "border_color": "#FFFFFF"}
    year_fmt = book.fmt(num_format="0", **head)
    k = 0
    while k < len(months):  # one year cell over its months
        year = months[k].year
        j = k
        while j + 1 < len(months) and months[j + 1].year == year:
            j += 1
        if j > k:
            sh.ws.merge_range(top, base + k, top, base + j, "", year_fmt)
        sh.ws.write_number(top, base + k, year, year_fmt)
        k = j + 1
    for k, m in enumerate(months):
        props = head | {"num_format": tr("xlsx.month_format")}
        if m == today_month:
            props |= {"bg_color": "#7F7F7F"}
        if m == target_month:
            props |= {"bg_color": "#C00000"}
        sh.day(top + 1, base + k, m, book.fmt(**props))
    phases = {p.id: p for p in catalog().phases}
    empty = book.fmt(border=1, border_color="#D9D9D9")
    n = top + 1
    phase = None
    for row in rows:
        if row.phase != phase:
            phase = row.phase
            n += 1
            color = PHASE_FILL.get(phase, "#5B9BD5")
            sh.text(n, 0, phases[phase].title[lang], book.fmt(quote_prefix=True, bold=True, text_wrap=True,
                                                              font_color="#FFFFFF", bg_color=color, **book.grid),
                    span=base)
            for k in range(len(months)):
                sh.blank(n, base + k, empty)
        n += 1
        step = row.step.title(lang)
        if row.recurring_months:
            step += "\n" + tr("xlsx.roadmap.yearly")
        sh.text(n, 0, step, book.f_cell)
        sh.text(n, 1, row.owner, book.f_cell)
        sh.text(n, 2, tr(f"action_status.{row.status}") if row.status else "", book.status_fmt(
            {"done": "implemented", "in_progress": "partial"}.get(row.status or "")))
        sh.day(n, 3, row.start)
        sh.day(n, 4, row.end)
        fill = book.fmt(bg_color=PHASE_FILL.get(row.phase, "#5B9BD5"), border=1, border_color="#FFFFFF")
        for k, m in enumerate(months):
            inside = row.start is not None and row.end is not None and row.start < _next_month(m) and row.end >= m
            sh.blank(n, base + k, fill if inside else empty)
    sh.ws.freeze_panes(top + 2, 1)
    sh.finish(repeat=(top, top + 1), one_page_at=0.8)  # a timeline reads best on one sheet of paper


def build_workbook(ws: Workspace, assessment_id: str, path: Path | io.BytesIO, lang: str, today: date | None = None) -> AssessmentView:
    today = today or date.today()
    wrapped_lines.cache_clear()  # each export measures its own texts (and keeps no memory after)
    view = ws.view(assessment_id, today)
    book = Book(path, view, lang, today)
    _summary(book, view, lang)
    _gaps(book, view, lang)
    _plan(book, view, lang)
    _soa(book, view, lang)
    _answers(book, view, lang)
    _roadmap(book, view, lang)
    write_risk_sheets(book, view)  # asset ledger, risk register, treatment plan, SoA traceability
    write_preaudit_sheets(book, view)  # stage 1 checklist and stage 2 sampling (once the company prepares)
    write_document_sheet(book, view)  # the documents & records register
    if view.audit_programme.exists:  # the internal audit programme and its checklists
        write_audit_sheet(book, view)
    if view.findings:  # the findings register and its corrective actions
        write_findings_sheet(book, view)
    if view.calendar_data.exists:  # the annual plan: certificate, audits, the yearly activities' grid
        write_calendar_sheet(book, view)
    cmp = ws.compare(assessment_id, today) if previous_id(view) else None
    if cmp is not None and cmp.has_previous:  # this cycle against the previous ones
        write_compare_sheet(book, cmp)
    if view.workshop.last is not None:  # the minutes of the latest workshop session (older ones: isms-tui minutes)
        write_minutes_sheet(book, view, view.workshop.last.id)
    book.wb.close()
    wrapped_lines.cache_clear()
    return view


def export_assessment(ws: Workspace, assessment_id: str, path: str | Path, *, lang: str, today: date | None = None) -> Path:
    """Build the workbook in memory (no file to leave behind), then write it through the
    service as every save is written: temp file in the target folder, fsync, replace, 0600."""
    path = Path(path).expanduser()
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(path.suffix + ".xlsx") if path.suffix else path.with_suffix(".xlsx")
    ws.load(assessment_id)  # unknown or damaged ids fail before anything is written
    buf = io.BytesIO()
    try:
        build_workbook(ws, assessment_id, buf, lang, today)
    except Exception as exc:  # xlsxwriter's own errors: no traceback for the user
        if type(exc).__module__.startswith("xlsxwriter"):
            raise ExportError("export.cannot_write", path=str(path), reason=str(exc)) from None
        raise
    return ws.write_file(path, buf.getvalue())


__all__ = ["ExportError", "build_workbook", "default_filename", "export_assessment", "wrapped_lines"]
