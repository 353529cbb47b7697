"""The 是正処置一覧 / Corrective actions sheet of the main workbook: every finding of the
register with its requirement, correction, root cause, corrective action (owner and due date
as the plan has them), closure and effectiveness check, and the state the read model gives
it. Written only when the assessment has findings; no rule is computed here."""

from __future__ import annotations

from ..view import AssessmentView
from .layout import Book, as_date

FINDING_COLS = [("f_no", 6), ("f_source", 14), ("f_grade", 9), ("f_ref", 11), ("f_description", 24),
                ("f_correction", 18), ("f_action", 20), ("f_owner", 10), ("f_due", 10), ("f_closure", 16),
                ("f_check", 12), ("f_state", 8)]


def write_findings_sheet(book: Book, view: AssessmentView) -> None:
    tr, lang = book.tr, book.lang
    grades = [tr(f"finding.grade.{g}") for g in ("major", "minor", "observation", "ofi")]
    states = [tr(f"finding.state.{s}") for s in ("open", "action_planned", "closed", "verified")]
    widths = book.widths(FINDING_COLS, {"f_grade": grades, "f_state": states},
                         shrink=("f_description", "f_correction", "f_closure"))
    sh = book.sheet("xlsx.sheet.findings", widths)
    cols = len(FINDING_COLS)
    sh.text(0, 0, tr("xlsx.findings.title"), book.f_title, span=cols)
    blockers = view.certification_blockers
    if blockers:
        sh.text(1, 0, tr("xlsx.findings.blocked", labels=", ".join(r.finding.label for r in blockers)), book.f_bad, span=cols)
    else:
        sh.text(1, 0, tr("xlsx.findings.not_blocked"), book.f_good, span=cols)
    head = 3
    sh.header(head, [tr(f"xlsx.h.{name}") for name, _ in FINDING_COLS])
    for n, row in enumerate(view.findings, start=head + 1):
        f = row.finding
        source = "\n".join(x for x in (tr(f"finding.source.{f.source}"), f.raised_on or "", f.raised_by) if x)
        fix = "\n".join(x for x in (f.correction and tr("findings.d.correction", text=f.correction),
                                    f.root_cause and tr("findings.d.root_cause", text=f.root_cause)) if x)
        closure = "\n".join(x for x in (f.closed_on or "", f.closure_evidence) if x)
        check = ""
        if f.check_result:
            check = "\n".join(x for x in (tr(f"finding.check.{f.check_result}"), f"{f.check_by} {f.check_on or ''}".strip(),
                                          f.check_note) if x)
        state = tr(f"finding.state.{row.state}") + (tr("finding.reopened_mark") if f.reopened else "")
        grade_fmt = book.f_warn if f.grade == "major" and not row.closed else book.f_cell
        sh.text(n, 0, f.label, book.f_cell)
        sh.text(n, 1, source, book.f_cell)
        sh.text(n, 2, tr(f"finding.grade.{f.grade}"), grade_fmt)
        sh.text(n, 3, f.requirement.full(lang), book.f_cell)
        sh.text(n, 4, f.description, book.f_cell)
        sh.text(n, 5, fix, book.f_cell)
        sh.text(n, 6, f.action, book.f_cell)
        sh.text(n, 7, row.owner, book.f_cell)
        sh.day(n, 8, as_date(row.due) if row.due else None)
        sh.text(n, 9, closure, book.f_cell)
        sh.text(n, 10, check, book.f_cell)
        sh.text(n, 11, state, book.f_cell)
    sh.ws.freeze_panes(head + 1, 0)
    sh.finish(repeat=head)
