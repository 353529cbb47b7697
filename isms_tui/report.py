"""``isms-tui report``: the read model as stable JSON (for consultants' scripts and tests)
and as plain text. Field names are documented in the README; add fields, never rename."""

from __future__ import annotations

from .i18n import t
from .scoring import Score, pct
from .view import AssessmentView

REPORT_FORMAT = 1


def _score(s: Score) -> dict:
    return {
        "readiness": s.readiness, "coverage": s.coverage, "answered": s.answered, "total": s.total,
        "implemented": s.implemented, "gaps": s.gaps, "unknown": s.unknown, "not_applicable": s.not_applicable,
    }


def report_json(view: AssessmentView, lang: str) -> dict:
    a = view.assessment
    sections = []
    for bank in view.banks:
        for sec in bank.sections:
            sections.append({"bank": bank.id, "section": sec.id, "parent": sec.parent, "title": sec.title[lang]}
                            | _score(view.report.sections[(bank.id, sec.id)]))
    gate = view.gate
    return {
        "format": REPORT_FORMAT,
        "id": a.id, "organization": a.organization, "kind": a.kind, "edition": a.edition, "lang": lang,
        "today": view.today.isoformat(), "target_date": a.target_date,
        "overall": _score(view.overall) | {"overdue": len(view.report.overdue)},
        "banks": [{"bank": b.id, "title": b.title[lang]} | _score(view.report.banks[b.id]) for b in view.banks],
        "sections": sections,
        "gate": {
            "ready": gate.ready,
            "requirements": [
                {
                    "ref": r.ref.to_json(lang),
                    "state": r.state,
                    "documents": [{"ref": d.ref, "type": d.type, "title": d.title[lang]} for d in r.docs],
                    "items": [{"id": i.id, "bank": i.bank_id, "status": r.statuses[i.id]} for i in r.items],
                }
                for r in gate.requirements
            ],
        },
        "contradictions": [
            {"implemented": c.implemented.id, "not_implemented": c.not_implemented.id,
             "refs": [r.to_json(lang) for r in c.refs]}
            for c in view.contradictions
        ],
        "plan": [
            {
                "id": act.id, "source": {"kind": act.source.kind, "id": act.source.id},
                "refs": [r.to_json(lang) for r in act.refs], "priority": act.priority, "action": act.title(lang),
                "answer_status": act.status, "overdue": act.overdue_recurring, "owner": act.owner,
                "due": act.due.isoformat() if act.due else None,
                "suggested_due": act.suggested_due.isoformat() if act.suggested_due else None,
                "status": act.action_status, "progress": act.progress, "late": act.is_late(view.today),
            }
            for act in view.plan
        ],
    }


def report_text(view: AssessmentView, lang: str) -> list[str]:
    a = view.assessment
    o = view.overall
    out = [
        f"{a.organization}  ({a.id}, {t('kind.' + a.kind, lang)}, ISO/IEC 27001:{a.edition})",
        t("report.overall", lang, readiness=pct(o.readiness), coverage=pct(o.coverage), answered=o.answered,
          total=o.total, gaps=o.gaps, unknown=o.unknown),
        "",
    ]
    for bank in view.banks:
        bs = view.report.banks[bank.id]
        out.append(f"{bank.title[lang]}  {pct(bs.readiness)}  ({pct(bs.coverage)})")
        for sec in bank.sections:
            if sec.parent:
                continue
            s = view.report.sections[(bank.id, sec.id)]
            out.append(f"  {sec.title[lang]}  {pct(s.readiness)}  ({pct(s.coverage)})")
    gate = view.gate
    out += ["", t("gate.ready", lang) if gate.ready else t("gate.not_ready", lang, n=len(gate.blockers))]
    for r in gate.requirements:
        items = ", ".join(f"{i.id}={t('status.' + (r.statuses[i.id] or 'unanswered'), lang)}" for i in r.items)
        out.append(f"  [{t('gate.state.' + r.state, lang)}] {r.ref.full(lang)}" + (f"  ({items})" if items else ""))
    if view.contradictions:
        out += ["", t("dash.contradictions", lang, n=len(view.contradictions))]
        for c in view.contradictions:
            out.append("  " + t("xlsx.contradiction", lang, a=c.implemented.id, b=c.not_implemented.id,
                                refs=", ".join(r.label(lang) for r in c.refs)))
    out += ["", t("report.plan", lang, n=len(view.plan))]
    for act in view.plan:
        due = act.due.isoformat() if act.due else "—"
        owner = act.owner or "—"
        out.append(f"  {act.priority} [{t('priority.' + str(act.priority), lang)}] {act.ref_label(lang)}: {act.first_line(lang)}"
                   f"  / {owner} / {due} / {t('action_status.' + act.action_status, lang)}")
    return out
