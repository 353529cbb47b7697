"""The sheets Stage 1 checklist and Stage 2 sampling of the Excel deliverable (names in the
catalog: xlsx.sheet.preaudit, xlsx.sheet.sampling), from the read model (:attr:`AssessmentView.stage1_pack` and
:attr:`AssessmentView.sampling`); no rule is computed here.

The stage 1 checklist has one block per requirement, grouped in the order a stage 1 review
runs: its state, the answers' statuses, the register's documents and the open gaps on its first
line, then one line per place of the banks the auditor's questions come from (one sheet row
each, so a long list never exceeds a row's printable height). The sampling sheet has one row
per record type: "have we got 3-6 months?", where the records are, the oldest, what the auditor
samples and the plan action of a gap.

Both are written once the company prepares for the audit: when the assessment keeps a
documents & records register or has recorded a sampling row.
"""

from __future__ import annotations

from ..i18n import t
from ..text import truncate
from ..view import AssessmentView
from .layout import Book, as_date

# designed widths add up to the page width (layout.PAGE_WIDTH)
PACK_COLS = [("state", 9), ("ref", 11), ("title", 15), ("answers", 11), ("where", 14), ("asks", 56),
             ("documents", 20), ("gaps", 22)]
SAMPLING_COLS = [("state", 11), ("record", 20), ("refs", 12), ("months", 11), ("oldest", 10.5), ("location", 20),
                 ("sample", 40), ("documents", 14), ("note", 19.5)]
PACK_FILL = {"ready": "#DDEBD3", "gaps": "#F8D0D0", "not_assessed": "#EDEDED"}
SAMPLING_FILL = {"enough": "#DDEBD3", "gap": "#F8D0D0", "not_applicable": "#EDEDED", "not_recorded": "#FFF2CC"}
ACTIONS_SHOWN = 3  # a requirement's open actions listed by their first words; the plan sheet has them whole
ACTION_WIDTH = 40  # display cells of an action's first line in the gaps column


def wanted(view: AssessmentView) -> bool:
    """The company prepares for the audit: it keeps a register or recorded a sampling row."""
    return view.document_register.exists or bool(view.sampling_data.entries)


def _answers(statuses: dict[str, str | None], lang: str) -> str:
    counts: dict[str, int] = {}
    for s in statuses.values():
        counts[s or "unanswered"] = counts.get(s or "unanswered", 0) + 1
    order = ("implemented", "partial", "not_implemented", "unknown", "not_applicable", "unanswered")
    return "\n".join(f"{t(f'status.{s}', lang)} {counts[s]}" for s in order if s in counts)


def write_pack_sheet(book: Book, view: AssessmentView) -> None:
    lang, tr = book.lang, book.tr
    states = [tr(f"pre.state.{s}") for s in PACK_FILL]
    widths = book.widths(PACK_COLS, {"state": states, "answers": book.status_words}, shrink=("where", "documents"),
                         prefix="xlsx.ph.")
    sh = book.sheet("xlsx.sheet.preaudit", widths)
    cols = len(PACK_COLS)
    rows = [r for g in view.stage1_pack for r in g.rows]
    sh.text(0, 0, tr("xlsx.preaudit.title"), book.f_title, span=cols)
    sh.text(1, 0, tr("xlsx.preaudit.counts", n=len(rows), **{s: sum(1 for r in rows if r.state == s) for s in PACK_FILL}),
            book.f_note, span=cols)
    head = 3
    sh.header(head, [tr(f"xlsx.ph.{name}") for name, _ in PACK_COLS])
    n = head + 1
    for group in view.stage1_pack:
        sh.text(n, 0, group.title(lang), book.f_label, span=cols)
        n += 1
        for row in group.rows:
            state_fmt = book.fmt(quote_prefix=True, text_wrap=True, bg_color=PACK_FILL[row.state],
                                 bold=row.state == "gaps", **book.grid)
            docs = [f"{d.name(lang)} ({tr(f'doc.state.{d.state}')})" for d in row.documents]
            docs += [f"{c.title[lang]} ({tr('pre.not_listed')})" for c in row.unlisted]
            gaps = [i.message(lang) for i in row.issues]
            gaps += ["\u2192 " + truncate(a.first_line(lang), ACTION_WIDTH) for a in row.actions[:ACTIONS_SHOWN]]
            if len(row.actions) > ACTIONS_SHOWN:
                gaps.append(tr("xlsx.preaudit.more_actions", n=len(row.actions) - ACTIONS_SHOWN))
            asks = list(row.asks) or [None]
            for k, ask in enumerate(asks):
                first = k == 0
                sh.text(n, 0, tr(f"pre.state.{row.state}") if first else "", state_fmt if first else book.f_cell)
                sh.text(n, 1, row.label(lang) if first else "", book.f_cell)
                sh.text(n, 2, row.title(lang) if first else "", book.f_cell)
                sh.text(n, 3, _answers(row.statuses, lang) if first else "", book.f_cell)
                sh.text(n, 4, ask.where[lang] if ask else "", book.f_cell)
                sh.text(n, 5, "\n".join(f"\u30fb{s}" if lang == "ja" else f"- {s}" for s in ask.lines[lang]) if ask else "",
                        book.f_cell)
                sh.text(n, 6, "\n".join(docs) if first else "", book.f_cell)
                sh.text(n, 7, "\n".join(gaps) if first else "", book.f_cell)
                n += 1
    sh.ws.freeze_panes(head + 1, 2)
    sh.finish(repeat=head)


def write_sampling_sheet(book: Book, view: AssessmentView) -> None:
    lang, tr = book.lang, book.tr
    states = [tr(f"pre.sampling.state.{s}") for s in SAMPLING_FILL]
    months = [tr(f"pre.months.{m}") for m in ("none", "under_3", "3_6", "over_6", "not_applicable", "unset")]
    widths = book.widths(SAMPLING_COLS, {"state": states, "months": months}, shrink=("location", "documents", "note"),
                         prefix="xlsx.ps.")
    sh = book.sheet("xlsx.sheet.sampling", widths)
    cols = len(SAMPLING_COLS)
    sh.text(0, 0, tr("xlsx.sampling.title"), book.f_title, span=cols)
    gaps = [r for r in view.sampling if r.state == "gap"]
    if gaps:
        sh.text(1, 0, tr("xlsx.sampling.gaps", n=len(gaps), names=", ".join(r.record.title[lang] for r in gaps)),
                book.f_bad, span=cols)
    else:
        sh.text(1, 0, tr("xlsx.sampling.no_gaps"), book.f_note, span=cols)
    head = 3
    sh.header(head, [tr(f"xlsx.ps.{name}") for name, _ in SAMPLING_COLS])
    for n, row in enumerate(view.sampling, start=head + 1):
        e = row.entry
        state_fmt = book.fmt(quote_prefix=True, text_wrap=True, bg_color=SAMPLING_FILL[row.state],
                             bold=row.state == "gap", **book.grid)
        note = []
        if e is not None:
            note += [x for x in (e.reason, e.note) if x]
        if row.action is not None:
            note.append("\u2192 " + row.action.first_line(lang))
        sh.text(n, 0, tr(f"pre.sampling.state.{row.state}"), state_fmt)
        sh.text(n, 1, row.record.title[lang], book.f_cell)
        sh.text(n, 2, ", ".join(r.label(lang) for r in row.record.refs), book.f_cell)
        sh.text(n, 3, row.months_label(lang), book.f_cell)
        sh.day(n, 4, as_date(e.oldest) if e else None)
        sh.text(n, 5, e.location if e else "", book.f_cell)
        sh.text(n, 6, f"{row.record.why[lang]}\n{tr('xlsx.sampling.sample', text=row.record.sample[lang])}", book.f_cell)
        sh.text(n, 7, "\n".join(f"{d.name(lang)} ({tr(f'doc.state.{d.state}')})" for d in row.documents), book.f_cell)
        sh.text(n, 8, "\n".join(note), book.f_bad if row.state == "gap" else book.f_cell)
    sh.ws.autofilter(head, 0, head + max(1, len(view.sampling)), cols - 1)
    sh.ws.freeze_panes(head + 1, 2)
    sh.finish(repeat=head)


def write_preaudit_sheets(book: Book, view: AssessmentView) -> bool:
    """Add both sheets; False (nothing written) while the company does not prepare yet."""
    if not wanted(view):
        return False
    write_pack_sheet(book, view)
    write_sampling_sheet(book, view)
    return True
