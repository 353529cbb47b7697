"""The internal audit programme and checklists as text and JSON (``isms-tui audits`` and
``isms-tui audit``). Everything comes from the read model
(:attr:`isms_tui.view.AssessmentView.audit_programme`); nothing is decided here."""

from __future__ import annotations

from .i18n import t
from .internal_audit import RESULTS, AuditRow, ChecklistLine, Programme, scope_text
from .view import AssessmentView


def result_label(result: str, lang: str) -> str:
    return t(f"audit.result.{result or 'none'}", lang)


def audit_json(row: AuditRow, lang: str) -> dict:
    a = row.audit
    return {
        "id": a.id, "label": a.label, "title": a.title, "planned": a.planned, "done_on": a.done_on,
        "scope": [{"key": k, "label": s.label(lang), "title": s.title(lang)} for k, s in zip(a.scope, a.scope_refs, strict=True)],
        "lead": a.lead, "auditors": a.auditors, "auditees": a.auditees,
        "lines": len(row.lines), "recorded": row.recorded, "complete": row.complete, "results": row.counts(),
        "findings": [f.label for f in row.findings],
        "independence": [{"auditor": p.auditor, "kind": p.kind, "what": p.what_text(lang),
                          "ref": p.ref.label(lang) if p.ref else None, "message": p.message(lang)}
                         for p in row.problems],
    }


def programme_json(view: AssessmentView, lang: str) -> dict:
    p = view.audit_programme
    return {"audits": [audit_json(r, lang) for r in p.rows],
            "not_covered": [{"key": g.key, "label": g.label(lang), "title": g.title(lang)} for g in p.gaps],
            "evidence_9_2": [r.audit.label for r in p.evidence],
            "gate_issues": [i.message(lang) for i in p.gate_issues()]}


def audit_line(row: AuditRow, lang: str) -> str:
    """One audit as the programme list words it."""
    a = row.audit
    state = t("audit.state.done", lang, on=a.done_on) if row.done else t("audit.state.planned", lang, on=a.planned)
    return t("audit.line", lang, label=a.label, title=a.title, state=state, scope=scope_text(a.scope, lang),
             team=", ".join(a.team), recorded=row.recorded, total=len(row.lines))


def programme_text(view: AssessmentView, lang: str) -> list[str]:
    """The programme: each audit with its findings and independence problems, then what the
    programme does not cover and whether clause 9.2 has its evidence."""
    p: Programme = view.audit_programme
    if not p.exists:
        return [t("audit.none", lang)]
    out = []
    for row in p.rows:
        out.append(audit_line(row, lang))
        if row.audit.auditees:
            out.append("  " + t("audit.auditees", lang, names=", ".join(row.audit.auditees)))
        counts = row.counts()
        if row.recorded:
            out.append("  " + ", ".join(f"{result_label(r, lang)} {counts[r]}" for r in RESULTS))
        if row.findings:
            out.append("  " + t("audit.findings", lang, labels=", ".join(f.label for f in row.findings)))
        out += ["  ! " + pr.message(lang) for pr in row.problems]
    if p.gaps:
        out.append("! " + t("audit.not_covered", lang, areas=", ".join(g.full(lang) for g in p.gaps)))
    out += ["! " + i.message(lang) for i in p.gate_issues()]
    return out


def line_json(view: AssessmentView, line: ChecklistLine, lang: str) -> dict:
    rec = line.record
    return {"n": line.n, "requirement": line.requirement.to_json(lang), "where": view.asked_in(line.item, lang),
            "auditor_asks": {lg: line.item.auditor_asks[lg] for lg in ("ja", "en")},
            "evidence_examples": {lg: list(line.item.evidence[lg]) for lg in ("ja", "en")},
            "answer": line.status, "result": line.result or None, "note": rec.note if rec else "",
            "evidence_seen": rec.evidence if rec else "", "finding": line.finding.label if line.finding else None,
            "in_scope": line.in_scope}


def checklist_text(view: AssessmentView, row: AuditRow, lang: str) -> list[str]:
    out = [audit_line(row, lang)]
    for line in row.lines:
        status = t(f"status.{line.status or 'unanswered'}", lang)
        mark = f"  -> {line.finding.label}" if line.finding else ""
        out.append(f"{line.n:3d}. [{result_label(line.result, lang)}] {line.requirement.full(lang)}  "
                   f"({t('audit.answer_now', lang, status=status)}){mark}")
        out.append("     " + view.asked_in(line.item, lang))
        out.append("     " + line.item.auditor_asks[lang].replace("\n", " "))
        if line.item.evidence[lang]:
            out.append("     " + t("audit.evidence_examples", lang, examples="; ".join(line.item.evidence[lang])))
        if line.record and line.record.note:
            out.append("     " + t("audit.note", lang, text=line.record.note.replace("\n", " ")))
        if line.record and line.record.evidence:
            out.append("     " + t("audit.evidence_seen", lang, text=line.record.evidence.replace("\n", " ")))
    return out
