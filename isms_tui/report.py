"""``isms-tui report``: the read model as stable JSON (for consultants' scripts and tests)
and as plain text. Field names are documented in the README; add fields, never rename."""

from __future__ import annotations

from .calendar_report import calendar_due_text, calendar_json
from .changes import change_text
from .i18n import t
from .risk import BANDS
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
                    "basis": r.basis,
                    "issues": [{"key": i.key, "message": i.message(lang)} for i in r.issues],
                }
                for r in gate.requirements
            ],
        },
        "contradictions": [
            {"implemented": c.implemented.id, "not_implemented": c.not_implemented.id,
             "refs": [r.to_json(lang) for r in c.refs]}
            for c in view.contradictions
        ],
        "register_disagreements": [
            {"ref": ref.to_json(lang), "item": item.id, "status": status}
            for ref, item, status in view.register_disagreements
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
        "risk": risk_json(view, lang),
        "documents": documents_json(view, lang),
        "findings": [finding_json(row, lang) for row in view.findings],
        "certification_blockers": [row.finding.label for row in view.certification_blockers],
        **next_cycle_json(view),
        "calendar": calendar_json(view.annual_plan, lang),
    }


def next_cycle_json(view: AssessmentView) -> dict:
    """The next cycle's fields: the previous cycle it continues (None when it is not a next
    cycle), the answers still to re-confirm, the changes since the last cycle."""
    return {
        "previous_cycle": view.previous_cycle,
        "reconfirm": {"count": len(view.reconfirm_items), "items": [i.id for i in view.reconfirm_items]},
        "changes": [{"topic": c.topic, "answer": c.answer, "description": c.description} for c in view.changes],
        "open_changes": [c.topic for c in view.open_changes],
    }


def next_cycle_text(view: AssessmentView, lang: str) -> list[str]:
    """The previous cycle, how many answers are still to re-confirm, and the changes since the
    last cycle, as the head of the text report prints them."""
    out = []
    prev = view.previous_cycle
    if prev:
        out.append(t("next.previous", lang, org=prev["organization"] or "—", id=prev["id"], date=prev["date"] or "—"))
    if view.reconfirm_items:
        out += [t("reconfirm.count", lang, n=len(view.reconfirm_items)), "  " + t("reconfirm.rule", lang)]
    if view.changes:
        out += ["", t("change.header", lang)]
        out += ["  " + change_text(c, lang) for c in view.changes]
        if view.open_changes:
            out.append(t("change.open", lang, n=len(view.open_changes),
                         topics=", ".join(t(f"change.topic.{c.topic}", lang) for c in view.open_changes)))
    return out


def documents_json(view: AssessmentView, lang: str) -> list[dict] | None:
    """The documents & records register (null when the assessment keeps none)."""
    if not view.document_register.exists:
        return None
    return [
        {"id": row.entry.id, "catalog_id": row.entry.catalog_id, "kind": row.entry.kind, "name": row.name(lang),
         "refs": [r.to_json(lang) for r in row.refs], "mandatory": row.mandatory, "state": row.state,
         "stored_state": row.entry.state, "location": row.entry.location, "version": row.entry.version,
         "owner": row.entry.owner, "approved_by": row.entry.approved_by or None, "approved_on": row.entry.approved_on,
         "next_review": row.entry.next_review, "items": [i.id for i in row.items],
         "warning": t(row.warning, lang, path=row.entry.location) if row.warning else None,
         "issues": [i.message(lang) for i in row.issues]}
        for row in view.documents
    ]


def finding_json(row, lang: str) -> dict:
    f = row.finding
    return {
        "id": f.id, "label": f.label, "source": f.source, "grade": f.grade, "ref": f.requirement.to_json(lang),
        "description": f.description, "raised_on": f.raised_on, "raised_by": f.raised_by, "state": row.state,
        "reopened": f.reopened, "correction": f.correction, "root_cause": f.root_cause, "action": f.action,
        "action_id": row.action.id if row.action else None, "owner": row.owner,
        "due": row.due.isoformat() if row.due else None, "closure_evidence": f.closure_evidence,
        "closed_on": f.closed_on, "check": {"by": f.check_by, "on": f.check_on, "result": f.check_result or None,
                                            "note": f.check_note},
    }


def finding_line(row, lang: str) -> str:
    """One finding as the text report and the CLI list word it."""
    f = row.finding
    state = t(f"finding.state.{row.state}", lang) + (t("finding.reopened_mark", lang) if f.reopened else "")
    due = row.due.isoformat() if row.due else "—"
    return (f"{f.label} [{t(f'finding.grade.{f.grade}', lang)}] {f.requirement.label(lang)}  {state}  "
            f"{f.description.splitlines()[0] if f.description else ''}  / {row.owner or '—'} / {due}")


def findings_text(view: AssessmentView, lang: str) -> list[str]:
    """The findings register: the certification blockers first, then every finding."""
    if not view.findings:
        return []
    out = ["", t("report.findings", lang, n=len(view.findings), open=len(view.open_findings))]
    if view.certification_blockers:
        out.append("  " + t("findings.blocked", lang, n=len(view.certification_blockers),
                            labels=", ".join(r.finding.label for r in view.certification_blockers)))
    out += ["  " + finding_line(row, lang) for row in view.findings]
    return out


def risk_json(view: AssessmentView, lang: str) -> dict | None:
    """The risk summary (null when the assessment keeps no register)."""
    if not view.risk_data.exists:
        return None
    reg = view.risk_register
    c = reg.criteria
    return {
        "criteria": {"version": c.version, "method": c.method, "cycle": c.cycle, "approved": c.approved,
                     "approved_by": c.approved_by or None, "approved_on": c.approved_on,
                     "acceptable_max": c.acceptable_max, "tolerable_max": c.tolerable_max,
                     "stored": bool(view.risk_data.criteria)},
        "assets": len(reg.assets),
        "risks": len(reg.rows),
        "rated": sum(1 for row in reg.rows if row.rating.rated),
        "levels_before": {str(k): v for k, v in reg.counts().items()},
        "levels_after": {str(k): v for k, v in reg.counts(after=True).items()},
        "bands_before": reg.band_counts(),
        "bands_after": reg.band_counts(after=True),
        "avoided": reg.avoided,
        "residual_unrated": reg.residual_unrated,
        "open_approvals": [{"key": i.key, "message": i.message(lang)} for i in reg.open_approvals],
        "uncovered_assets": [a.label for a in reg.uncovered_assets],
        "orphaned_controls": [row.ref.to_json(lang) for row in view.orphaned_controls],
        "soa_conflicts": [i.message(lang) for i in view.soa_conflicts],
        "register": [
            {"id": row.risk.id, "label": row.risk.label, "assets": [a.label for a in row.assets],
             "threat": row.risk.threat_title(lang), "owner": row.risk.owner, "level": row.rating.level,
             "band": row.rating.band, "treatment": row.risk.treatment, "residual": row.rating.residual_level,
             "retained": row.rating.retained_level, "accepted_by": row.risk.accepted.by if row.risk.accepted else None,
             "accepted_until": row.risk.accepted.until if row.risk.accepted else None,
             "issues": [i.message(lang) for i in row.rating.issues]}
            for row in reg.rows
        ],
    }


def _levels(counts: dict[int, int]) -> str:
    return "  ".join(f"{level}:{n}" for level, n in counts.items()) or "—"


def _bands(counts: dict[str, int], lang: str) -> str:
    return " / ".join(f"{t('risk.band.' + b, lang)} {counts[b]}" for b in BANDS)


def risk_text(view: AssessmentView, lang: str) -> list[str]:
    if not view.risk_data.exists:
        return []
    reg = view.risk_register
    c = reg.criteria
    approval = (t("report.risk.approved", lang, by=c.approved_by, on=c.approved_on) if c.approved
                else t("report.risk.unapproved", lang))
    out = ["", t("report.risk.header", lang),
           "  " + t("report.risk.criteria", lang, version=c.version, method=t("risk.method." + c.method, lang),
                    approval=approval),
           "  " + t("report.risk.counts", lang, assets=len(reg.assets), risks=len(reg.rows),
                    rated=sum(1 for row in reg.rows if row.rating.rated)),
           "  " + t("report.risk.before", lang, levels=_levels(reg.counts()), bands=_bands(reg.band_counts(), lang)),
           "  " + t("report.risk.after", lang, levels=_levels(reg.counts(after=True)),
                    bands=_bands(reg.band_counts(after=True), lang), avoided=reg.avoided,
                    unrated=reg.residual_unrated)]
    approvals = reg.open_approvals
    out.append("  " + t("report.risk.open_approvals", lang, n=len(approvals)))
    out += [f"    - {i.message(lang)}" for i in approvals]
    orphans = view.orphaned_controls
    out.append("  " + t("report.risk.orphans", lang, n=len(orphans)))
    if orphans:
        out.append("    " + ", ".join(row.ref.label(lang) for row in orphans))
    if view.soa_conflicts:
        out.append("  " + t("report.risk.conflicts", lang, n=len(view.soa_conflicts)))
        out += [f"    - {i.message(lang)}" for i in view.soa_conflicts]
    return out


def report_text(view: AssessmentView, lang: str) -> list[str]:
    a = view.assessment
    o = view.overall
    out = [
        f"{a.organization}  ({a.id}, {t('kind.' + a.kind, lang)}, ISO/IEC 27001:{a.edition})",
        t("report.overall", lang, readiness=pct(o.readiness), coverage=pct(o.coverage), answered=o.answered,
          total=o.total, gaps=o.gaps, unknown=o.unknown),
        *next_cycle_text(view, lang),
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
        if r.basis == "register":
            out.append(f"  [{t('gate.state.' + r.state, lang)}] {r.ref.full(lang)}  ({t('report.risk.by_register', lang)})")
        else:
            out.append(f"  [{t('gate.state.' + r.state, lang)}] {r.ref.full(lang)}" + (f"  ({items})" if items else ""))
        out += [f"      - {i.message(lang)}" for i in r.issues]  # the register's and the documents' issues
    if view.contradictions:
        out += ["", t("dash.contradictions", lang, n=len(view.contradictions))]
        out += ["  " + contradiction_line(view, c, lang) for c in view.contradictions]
    if view.register_disagreements:
        out += ["", t("dash.register_disagreements", lang, n=len(view.register_disagreements))]
        out += ["  " + register_disagreement_line(view, ref, item, status, lang) for ref, item, status in view.register_disagreements]
    out += risk_text(view, lang)
    out += findings_text(view, lang)
    out += calendar_due_text(view.annual_plan, lang)
    out += ["", t("report.plan", lang, n=len(view.plan))]
    for act in view.plan:
        due = act.due.isoformat() if act.due else "—"
        owner = act.owner or "—"
        out.append(f"  {act.priority} [{t('priority.' + str(act.priority), lang)}] {act.ref_label(lang)}: {act.first_line(lang)}"
                   f"  / {owner} / {due} / {t('action_status.' + act.action_status, lang)}")
    if view.reconfirm_items:  # which ones, at the end: the list is long in a new cycle
        out += ["", t("reconfirm.count", lang, n=len(view.reconfirm_items))]
        out += [f"  {i.id} {i.ref_label(lang)}: {t('status.' + (view.answers[i.id].status or 'unanswered'), lang)}"
                f" ({t('reconfirm.label', lang)})" for i in view.reconfirm_items]
    return out


def contradiction_line(view, c, lang: str, *, short: bool = False) -> str:
    """Two answers on the same requirement that disagree, as every view words it: the typed
    reference (with its title when there is one in common) and where each answer was given
    (``short``: reference labels and section titles only, for the dashboard)."""
    refs = c.refs or c.implemented.shown_refs
    if short or len(refs) != 1:
        what = ", ".join(r.label(lang) for r in refs)
    else:
        what = refs[0].full(lang)
    return t("contradiction", lang, refs=what, a=view.asked_in(c.implemented, lang, bank=not short),
             b=view.asked_in(c.not_implemented, lang, bank=not short))


def register_disagreement_line(view, ref, item, status: str | None, lang: str, *, short: bool = False) -> str:
    """One answer that lags behind the risk register, as every view words it (the question
    named by where it is asked, never by its internal id; ``short``: by its section alone)."""
    return t("register_disagreement", lang, item=view.asked_in(item, lang, bank=not short), status=t(f"status.{status or 'unanswered'}", lang),
             ref=ref.label(lang))

