"""The internal audit checklist sheet (ja: naibu kansa checklist) of the main workbook: the audit
programme on top (each audit with its scope, team, dates, progress, findings and the
independence problems the core found, then the areas no audit covers), then each audit's
checklist: the requirement, where the question is (bank and section), what the auditor asks
and the evidence examples from the banks, the current answer, and the auditor's result, note,
evidence seen and the finding the line raised. Written only when the assessment has an audit
programme; no rule is computed here (the read model's ``audit_programme`` has them)."""

from __future__ import annotations

from ..internal_audit import RESULTS, scope_text
from ..view import AssessmentView
from .layout import Book

AUDIT_COLS = [("a_no", 6), ("a_req", 16), ("a_where", 16), ("a_asks", 40), ("a_examples", 25), ("a_answer", 9),
              ("a_result", 10), ("a_note", 28), ("a_finding", 8)]
PROGRAMME_HEADS = ("p_no", "p_title", "p_scope", "p_team", "p_dates", "p_lines", "p_results", "p_problems", "p_findings")


def write_audit_sheet(book: Book, view: AssessmentView) -> None:
    tr, lang = book.tr, book.lang
    programme = view.audit_programme
    results = [tr(f"audit.result.{r}") for r in (*RESULTS, "none")]
    widths = book.widths(AUDIT_COLS, {"a_result": results, "a_answer": book.status_words},
                         shrink=("a_asks", "a_examples", "a_note"))
    sh = book.sheet("xlsx.sheet.audit", widths)
    cols = len(AUDIT_COLS)
    sh.text(0, 0, tr("xlsx.audit.title"), book.f_title, span=cols)
    row = 2
    sh.header(row, [tr(f"xlsx.h.{h}") for h in PROGRAMME_HEADS])
    for r in programme.rows:
        row += 1
        a = r.audit
        team = "\n".join(x for x in (tr("xlsx.audit.lead", name=a.lead),
                                     a.auditors and tr("xlsx.audit.auditors", names=", ".join(a.auditors)),
                                     a.auditees and tr("audit.auditees", names=", ".join(a.auditees))) if x)
        dates = "\n".join(x for x in (tr("audit.state.planned", on=a.planned),
                                      a.done_on and tr("audit.state.done", on=a.done_on)) if x)
        counts = r.counts()
        sh.text(row, 0, a.label, book.f_cell)
        sh.text(row, 1, a.title, book.f_cell)
        sh.text(row, 2, scope_text(a.scope, lang), book.f_cell)
        sh.text(row, 3, team, book.f_cell)
        sh.text(row, 4, dates, book.f_cell)
        sh.text(row, 5, f"{r.recorded}/{len(r.lines)}", book.f_cell)
        sh.text(row, 6, "\n".join(f"{tr(f'audit.result.{k}')} {counts[k]}" for k in RESULTS if counts[k]), book.f_cell)
        sh.text(row, 7, "\n".join(p.message(lang) for p in r.problems), book.f_warn if r.problems else book.f_cell)
        sh.text(row, 8, ", ".join(f.label for f in r.findings), book.f_cell)
    row += 1
    if programme.gaps:
        sh.text(row, 0, tr("audit.not_covered", areas=", ".join(g.full(lang) for g in programme.gaps)), book.f_bad, span=cols)
    else:
        sh.text(row, 0, tr("xlsx.audit.covered"), book.f_good, span=cols)
    for issue in programme.gate_issues():
        row += 1
        sh.text(row, 0, issue.message(lang), book.f_bad, span=cols)
    for r in programme.rows:
        row += 2
        a = r.audit
        sh.text(row, 0, f"{a.label} {a.title}  ({scope_text(a.scope, lang)})", book.f_block, span=cols)
        row += 1
        sh.header(row, [tr(f"xlsx.h.{name}") for name, _ in AUDIT_COLS])
        for ln in r.lines:
            row += 1
            rec = ln.record
            note = "\n".join(x for x in (rec and rec.note, rec and rec.evidence and tr("audit.evidence_seen", text=rec.evidence))
                             if x)
            examples = "\n".join(f"- {e}" for e in ln.item.evidence[lang])
            fmt = book.f_warn if ln.result in ("major", "minor") else book.f_cell
            sh.text(row, 0, str(ln.n), book.f_cell)
            sh.text(row, 1, ln.requirement.full(lang), book.f_cell)
            sh.text(row, 2, view.asked_in(ln.item, lang), book.f_cell)
            sh.text(row, 3, ln.item.auditor_asks[lang], book.f_cell)
            sh.text(row, 4, examples, book.f_cell)
            sh.text(row, 5, book.tr(f"status.{ln.status or 'unanswered'}"), book.status_fmt(ln.status))
            sh.text(row, 6, tr(f"audit.result.{ln.result or 'none'}"), fmt)
            sh.text(row, 7, note, book.f_cell)
            sh.text(row, 8, ln.finding.label if ln.finding else "", book.f_cell)
    sh.ws.freeze_panes(3, 0)
    sh.finish()
