"""The annual plan as the CLI and the report word it (text) and as stable JSON: read from the
view's :attr:`isms_tui.view.AssessmentView.annual_plan`, never recomputed here."""

from __future__ import annotations

from datetime import date

from .annual_plan import SOON_DAYS, ActivityRow, AnnualPlan, AuditRow
from .i18n import t


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def activity_json(row: ActivityRow, lang: str) -> dict:
    a = row.activity
    return {"key": a.key, "name": a.title(lang), "custom": a.custom, "every_months": a.every, "lead_days": a.lead,
            "last_done": a.last_done, "owner": a.owner, "due": _d(row.due), "state": row.state,
            "audit_due": _d(row.audit_due), "every_due": _d(row.every_due), "done_for_next_audit": row.covered,
            "last_done_from_answers": row.from_answers}


def audit_json(row: AuditRow) -> dict:
    return {"kind": row.kind, "planned": _d(row.planned), "done": _d(row.done), "due_by": _d(row.due_by),
            "target_date": row.target}


def calendar_json(plan: AnnualPlan, lang: str) -> dict:
    """The whole annual plan (``isms-tui calendar --json``; the report carries it too)."""
    return {
        "today": plan.today.isoformat(),
        "certificate": {"number": plan.number, "body": plan.body, "issued": _d(plan.issued),
                        "expires": _d(plan.expires), "expires_given": plan.expires_given},
        "audits": [audit_json(a) for a in plan.audits],
        "next_audit": audit_json(plan.next_audit) if plan.next_audit else None,
        "last_audit": _d(plan.last_audit),
        "activities": [activity_json(r, lang) for r in plan.activities],
        "due_within_days": SOON_DAYS,
        "due_soon": [r.activity.key for r in plan.upcoming],
        "audits_soon": [a.kind for a in plan.audits_within()],
        "flags": [{"kind": f.kind, "params": dict(f.params), "message": f.message(lang)} for f in plan.flags],
    }


def activity_line(row: ActivityRow, lang: str) -> str:
    a = row.activity
    return t("calendar.line", lang, due=_d(row.due) or t("calendar.no_date", lang), state=t(f"calendar.state.{row.state}", lang),
             name=a.title(lang), every=a.every, lead=a.lead, last=a.last_done or t("calendar.never", lang),
             owner=a.owner or "-")


def audit_line(row: AuditRow, lang: str) -> str:
    none = t("calendar.none", lang)
    return t("calendar.audit_line", lang, audit=t(f"calendar.audit.{row.kind}", lang), planned=_d(row.planned) or none,
             done=_d(row.done) or none, due_by=_d(row.due_by) or none) + (t("calendar.target_mark", lang) if row.target else "")


def certificate_line(plan: AnnualPlan, lang: str) -> str:
    if not (plan.issued or plan.number or plan.body):
        return t("calendar.cert_none", lang)
    none = t("calendar.none", lang)
    return t("calendar.cert", lang, number=plan.number or none, body=plan.body or none, issued=_d(plan.issued) or none,
             expires=_d(plan.expires) or none)


def next_audit_line(plan: AnnualPlan, lang: str) -> str:
    row = plan.next_audit
    if row is None:
        return t("calendar.next_none", lang)
    return t("calendar.next", lang, audit=t(f"calendar.audit.{row.kind}", lang), date=_d(row.planned or row.due_by))


def calendar_text(plan: AnnualPlan, org: str, lang: str) -> list[str]:
    """The annual plan in full (``isms-tui calendar``)."""
    out = [t("calendar.title", lang, org=org), certificate_line(plan, lang)]
    out += ["  " + audit_line(a, lang) for a in plan.audits]
    out += [next_audit_line(plan, lang), "", t("calendar.activities", lang)]
    out += ["  " + activity_line(r, lang) for r in plan.activities]
    out += ["", t("calendar.flags", lang) if plan.flags else t("calendar.no_flags", lang)]
    out += ["  " + f.message(lang) for f in plan.flags]
    return out


def calendar_due_text(plan: AnnualPlan, lang: str) -> list[str]:
    """What the report says of the calendar: the next audit, what is due within
    :data:`SOON_DAYS` days (the overdue first) and the flags."""
    out = ["", next_audit_line(plan, lang)]
    soon = plan.upcoming
    audits = plan.audits_within()
    if soon or audits:
        out.append(t("report.calendar_due", lang, days=SOON_DAYS, n=len(soon) + len(audits)))
        lines = [(r.due, "  " + activity_line(r, lang)) for r in soon]
        lines += [(a.planned, "  " + t("report.calendar_audit", lang, date=_d(a.planned),
                                       audit=t(f"calendar.audit.{a.kind}", lang))) for a in audits]
        out += [line for _, line in sorted(lines, key=lambda x: x[0] or plan.today)]
    else:
        out.append(t("report.calendar_none_due", lang, days=SOON_DAYS))
    if plan.flags:
        out.append(t("calendar.flags", lang))
        out += ["  " + f.message(lang) for f in plan.flags]
    return out
