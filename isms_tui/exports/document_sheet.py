"""The sheet 文書・記録一覧 / Documents & records of the Excel deliverable: one row per entry
of the assessment's documents & records register, in the catalogue's order, with its
effective state (an approved entry past its review date shows as out of date), what it is for,
where it is kept, who approved it and when, the next review and the questions it is evidence
for. Written only when the register exists; every value comes from the read model."""

from __future__ import annotations

from ..i18n import t
from ..view import AssessmentView
from .layout import Book, as_date

P = "xlsx.dh."
# designed widths add up to the page width (layout.PAGE_WIDTH)
COLS = [("state", 10), ("kind", 7), ("ref", 13), ("name", 22), ("mandatory", 6.5), ("location", 19), ("version", 6.5),
        ("owner", 10), ("approved_by", 10), ("approved_on", 10.5), ("next_review", 10.5), ("items", 21),
        ("notes", 12)]
HEADS = tuple(P + n for n, _ in COLS)
SHEET = "xlsx.sheet.documents"
STATE_FILL = {"approved": "#DDEBD3", "draft": "#FFF2CC", "missing": "#F8D0D0", "out_of_date": "#FFC7CE"}


def write_document_sheet(book: Book, view: AssessmentView) -> bool:
    """Add the sheet; False (nothing written) when the assessment keeps no register."""
    if not view.document_register.exists:
        return False
    lang = book.lang
    states = [t(f"doc.state.{s}", lang) for s in STATE_FILL]
    sh = book.sheet(SHEET, book.widths(COLS, words={"state": states}, shrink=("name", "location", "notes"),
                                       prefix=P))
    sh.header(0, [t(k, lang) for k in HEADS])
    for n, row in enumerate(view.documents, start=1):
        e = row.entry
        state_fmt = book.fmt(quote_prefix=True, text_wrap=True, bg_color=STATE_FILL[row.state],
                             bold=row.mandatory and row.state != "approved", **book.grid)
        cite = row.catalog.cite_label(lang) if row.catalog else ", ".join(r.label(lang) for r in row.refs)
        notes = [i.message(lang) for i in row.issues]
        if row.warning:
            notes.append(t(row.warning, lang, path=e.location))
        if e.note:
            notes.append(e.note)
        sh.text(n, 0, t(f"doc.state.{row.state}", lang), state_fmt)
        sh.text(n, 1, t(f"doc.kind.{e.kind}", lang), book.f_cell)
        sh.text(n, 2, cite, book.f_cell)
        sh.text(n, 3, row.name(lang), book.f_cell)
        sh.text(n, 4, t("xlsx.yes" if row.mandatory else "xlsx.no", lang), book.f_center)
        sh.text(n, 5, e.location, book.f_cell)
        sh.text(n, 6, e.version, book.f_cell)
        sh.text(n, 7, e.owner, book.f_cell)
        sh.text(n, 8, e.approved_by, book.f_cell)
        sh.day(n, 9, as_date(e.approved_on))
        sh.day(n, 10, as_date(e.next_review), book.f_late_date if row.state == "out_of_date" and e.next_review else None)
        sh.text(n, 11, "\n".join(i.id for i in row.items), book.f_cell)  # one id a line: ids do not break
        sh.text(n, 12, "\n".join(notes), book.f_bad if row.issues or row.warning else book.f_cell)
    sh.ws.autofilter(0, 0, max(1, len(view.documents)), len(COLS) - 1)
    sh.ws.freeze_panes(1, 4)
    sh.finish(repeat=0)
    return True
