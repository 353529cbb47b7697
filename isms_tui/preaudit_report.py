"""The stage 1 pack, the stage 2 sampling list and the documents & records register as text and
JSON for the command line (``isms-tui preaudit``, ``documents``, ``sampling``), read from the
view. JSON keys are stable (documented in the README); texts are in the language asked for.
"""

from __future__ import annotations

from .i18n import t
from .preaudit import AssessmentView, DocumentRow, PackRow, SamplingRow
from .text import one_line, truncate


def document_line(row: DocumentRow, lang: str) -> str:
    """One register entry as the CLI lists it: id, state, requirement, name, location, owner,
    approval and review dates."""
    e = row.entry
    cite = row.catalog.cite_label(lang) if row.catalog else ", ".join(r.label(lang) for r in row.refs)
    mark = "*" if row.mandatory else " "
    approved = f"{e.approved_by} {e.approved_on}".strip() if e.approved_on or e.approved_by else "\u2014"
    line = "\t".join((e.id, t(f"doc.state.{row.state}", lang), f"{mark}{cite}", one_line(row.name(lang)),
                      e.location or "\u2014", e.owner or "\u2014", approved, e.next_review or "\u2014"))
    if row.warning:
        line += "\t" + t(row.warning, lang, path=e.location)
    return line


def documents_json(view: AssessmentView, lang: str) -> dict:
    """The register as ``isms-tui report --json`` has it (an empty list without a register)
    and what blocks the stage 1 gate."""
    from .report import documents_json as register_json

    return {"documents": register_json(view, lang) or [], "blocking": [i.message(lang) for i in view.document_issues]}


def pack_row_json(row: PackRow, lang: str) -> dict:
    return {
        "group": row.group, "ref": row.ref.to_json(lang), "cite": row.spec.cite or row.ref.id, "label": row.label(lang),
        "title": row.title(lang), "state": row.state,
        "auditor_asks": [{"where": a.where[lang], "questions": list(a.lines[lang]), "items": [i.id for i in a.items]}
                         for a in row.asks],
        "documents": [{"id": d.entry.id, "catalog_id": d.entry.catalog_id, "name": d.name(lang), "state": d.state}
                      for d in row.documents],
        "not_listed": [{"catalog_id": c.id, "name": c.title[lang]} for c in row.unlisted],
        "statuses": dict(row.statuses),
        "gate": row.gate.state if row.gate is not None else None,
        "issues": [i.message(lang) for i in row.issues],
        "actions": [{"id": a.id, "what": a.first_line(lang), "owner": a.owner, "due": a.due.isoformat() if a.due else None,
                     "status": a.action_status} for a in row.actions],
    }


def sampling_row_json(row: SamplingRow, lang: str) -> dict:
    e = row.entry
    return {
        "record_type": row.record.id, "title": row.record.title[lang], "refs": [r.to_json(lang) for r in row.record.refs],
        "state": row.state, "months": e.months if e else None, "location": e.location if e else "",
        "oldest": e.oldest if e else None, "reason": e.reason if e else "", "note": e.note if e else "",
        "documents": [{"id": d.entry.id, "name": d.name(lang), "state": d.state} for d in row.documents],
        "action_id": row.action.id if row.action else None,
    }


def preaudit_json(view: AssessmentView, lang: str) -> dict:
    return {
        "stage1": [{"group": g.id, "title": g.title(lang), "rows": [pack_row_json(r, lang) for r in g.rows]}
                   for g in view.stage1_pack],
        "sampling": [sampling_row_json(r, lang) for r in view.sampling],
    }


def sampling_line(row: SamplingRow, lang: str) -> str:
    e = row.entry
    extra = (e.reason if e and e.months == "not_applicable" else (e.location if e else "")) or "\u2014"
    return "\t".join((row.record.id, t(f"pre.sampling.state.{row.state}", lang), row.months_label(lang),
                      (e.oldest if e and e.oldest else "\u2014"), one_line(row.record.title[lang]), one_line(extra)))


def preaudit_text(view: AssessmentView, lang: str) -> list[str]:
    """The stage 1 checklist by group (state, requirement, documents, gaps) then the sampling list."""
    out = [t("pre.cli.stage1", lang)]
    for g in view.stage1_pack:
        out.append("")
        out.append(g.title(lang))
        for r in g.rows:
            out.append(f"  [{t(f'pre.state.{r.state}', lang)}] {r.label(lang)} {r.title(lang)}")
            for d in r.documents:
                out.append(f"      {t('pre.cli.document', lang)}: {one_line(d.name(lang))} ({t(f'doc.state.{d.state}', lang)})")
            for c in r.unlisted:
                out.append(f"      {t('pre.cli.document', lang)}: {c.title[lang]} ({t('pre.not_listed', lang)})")
            for i in r.issues:
                out.append(f"      - {i.message(lang)}")
            for a in r.actions:
                out.append(f"      > {truncate(a.first_line(lang), 100)}")
    out += ["", t("pre.cli.sampling", lang)]
    out += ["  " + sampling_line(r, lang) for r in view.sampling]
    return out
