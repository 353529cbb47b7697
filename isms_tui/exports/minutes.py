"""The minutes of a workshop session (議事録 / Workshop minutes), in the assessment's language:
as Markdown, as a sheet of the main workbook and as a workbook of their own.

Everything here renders :meth:`isms_tui.view.AssessmentView.workshop_summary` (what the session
answered and changed, who decided, what it parked, the new gaps that became plan actions and
the contradictions among the items it touched): no rule is computed here. :func:`minutes` lays
the summary out once as plain sections of rows; the Markdown, the sheet and the summary screen
show those same rows.

User text is made literal wherever it goes: control characters are stripped, a line break in
a table cell becomes " / ", and in Markdown every character that could start markup (``|``,
``#``, ``*``, ``[``, ``<``, a leading ``-`` ...) is escaped, so a note such as ``| =cmd`` or
``# x`` reads as typed and never breaks the table.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from ..i18n import t
from ..model import UserError
from ..text import clean
from ..view import AssessmentView
from ..workshop import Change, Workshop, WorkshopSummary

Cell = str | date | None


@dataclass
class MinutesSection:
    """One part of the minutes: a heading and a table (``spans``: how many of the sheet's
    six columns each table column takes)."""

    key: str
    title: str
    headers: list[str]
    spans: list[int]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass
class Minutes:
    lang: str
    title: str
    facts: list[tuple[str, str]]  # (label, value): organisation, session, date, time, id
    sections: list[MinutesSection]
    summary: WorkshopSummary


# -- time -------------------------------------------------------------------------------------
def local_time(stamp: str | None) -> datetime | None:
    """A stored time (ISO, UTC) in the local time zone of this machine (the room's)."""
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return None


def session_date(workshop: Workshop) -> date | None:
    start = local_time(workshop.started)
    return start.date() if start else None


def session_title(workshop: Workshop, lang: str) -> str:
    """The session's own title, else "Workshop of <date>"."""
    if workshop.title:
        return workshop.title
    day = session_date(workshop)
    return t("minutes.untitled", lang, date=day.isoformat() if day else "?")


def time_text(summary: WorkshopSummary, lang: str) -> str:
    """"10:00–12:00 (120 min)", or "10:00– (in progress, 45 min so far)"."""
    w = summary.workshop
    start, end = local_time(w.started), local_time(w.ended)
    minutes = summary.minutes if summary.minutes is not None else 0
    if start is None:
        return ""
    if end is None:
        return t("minutes.time_running", lang, start=f"{start:%H:%M}", minutes=minutes)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return t("minutes.time", lang, start=f"{start:%H:%M}", end=end_text, minutes=minutes)


# -- the rows, once ---------------------------------------------------------------------------
def _one_line(text: str | None) -> str:
    """User or bank text for one cell: no control characters, lines joined with " / "."""
    lines = [ln.strip() for ln in clean(text or "").split("\n")]
    return " / ".join(ln for ln in lines if ln)


def _status(status: str | None, lang: str) -> str:
    return t(f"status.{status or 'unanswered'}", lang)


def _item_title(item, lang: str) -> str:
    """An item's short title: its reference's title, else the first line of its question."""
    title = item.title(lang)
    if title:
        return title
    first = _one_line(item.question.get(lang) or item.question.get("en", ""))
    return first if len(first) <= 60 else first[:59] + "…"


def resolve_session(view: AssessmentView, session_id: str | None = None) -> str:
    """The session the minutes are about: the one asked for, else the most recent. One-line
    errors when the assessment has no session or the id is not one of its sessions."""
    sessions = view.workshop.workshops
    if not sessions:
        raise UserError("minutes.no_session")
    if session_id is None:
        last = view.workshop.last
        assert last is not None
        return last.id
    if session_id not in sessions:
        raise UserError("minutes.unknown_session", id=clean(session_id, multiline=False)[:40],
                        known=", ".join(sessions))
    return session_id


def minutes(view: AssessmentView, workshop_id: str, lang: str) -> Minutes:
    """The minutes of one session, laid out once for every format."""
    s = view.workshop_summary(workshop_id)
    w = s.workshop
    who = view.workshop.who
    a = view.assessment

    def decided(by: str) -> str:
        return who(by, lang) if by else t("minutes.nobody", lang)

    facts = [
        (t("minutes.f.org", lang), _one_line(a.organization)),
        (t("minutes.f.session", lang), session_title(w, lang)),
        (t("minutes.f.date", lang), (d.isoformat() if (d := session_date(w)) else "")),
        (t("minutes.f.time", lang), time_text(s, lang)),
        (t("minutes.f.id", lang), w.id),
    ]
    sections: list[MinutesSection] = []

    people = MinutesSection("participants", t("minutes.s.participants", lang, n=len(s.participants)),
                            [t("minutes.h.name", lang), t("minutes.h.role", lang)], [2, 4])
    people.rows = [[p.name, p.role] for p in s.participants]
    sections.append(people)

    agenda = MinutesSection("agenda", t("minutes.s.agenda", lang),
                            [t("minutes.h.section", lang), t("minutes.h.progress", lang),
                             t("minutes.h.timebox", lang)], [2, 1, 3])
    for ap in s.agenda:
        sec = ap.bank.section(ap.section_id)
        name = f"{ap.bank.title[lang]} › {sec.title[lang] if sec else ap.section_id}"
        agenda.rows.append([name, t("minutes.progress", lang, done=ap.answered, total=ap.total),
                            t("minutes.timebox", lang, n=ap.timebox) if ap.timebox else ""])
    sections.append(agenda)

    def change_rows(changes: list[Change], changed: bool) -> list[list[Cell]]:
        rows: list[list[Cell]] = []
        for c in changes:
            what = (f"{_status(c.before, lang)} → {_status(c.after, lang)}" if changed else _status(c.after, lang))
            rows.append([c.item.ref_label(lang), _item_title(c.item, lang), what, decided(c.by)])
        return rows

    answered = MinutesSection("answered", t("minutes.s.answered", lang, n=len(s.answered)),
                              [t("minutes.h.ref", lang), t("minutes.h.title", lang), t("minutes.h.status", lang),
                               t("minutes.h.decided_by", lang)],
                              [1, 1, 1, 3], change_rows(s.answered, False))
    changed = MinutesSection("changed", t("minutes.s.changed", lang, n=len(s.changed)),
                             [t("minutes.h.ref", lang), t("minutes.h.title", lang), t("minutes.h.change", lang),
                              t("minutes.h.decided_by", lang)],
                             [1, 1, 1, 3], change_rows(s.changed, True))
    sections += [answered, changed]

    parked = MinutesSection("parked", t("minutes.s.parked", lang, n=len(s.parked)),
                            [t("minutes.h.ref", lang), t("minutes.h.title", lang), t("minutes.h.note", lang),
                             t("minutes.h.owner", lang), t("minutes.h.due", lang), t("minutes.h.state", lang)],
                            [1, 1, 1, 1, 1, 1])
    for p in s.parked:
        item = view.item_ids.get(p.item_id)
        if p.is_open:
            state = t("minutes.parked.open", lang) if p.owner and p.due else t("minutes.parked.needs", lang)
        else:
            state = t("minutes.parked.resolved", lang, resolution=_one_line(p.resolution))
        parked.rows.append([item.ref_label(lang) if item else p.item_id, _item_title(item, lang) if item else "",
                            _one_line(p.note), _one_line(p.owner), _as_date(p.due), state])
    sections.append(parked)

    actions = MinutesSection("new_actions", t("minutes.s.new_actions", lang, n=len(s.new_actions)),
                             [t("minutes.h.ref", lang), t("minutes.h.action", lang), t("minutes.h.owner", lang),
                              t("minutes.h.due", lang), t("minutes.h.priority", lang)], [1, 2, 1, 1, 1])
    for act in s.new_actions:
        actions.rows.append([act.ref_label(lang), _one_line(act.title(lang)), _one_line(act.owner), act.due,
                             f"{act.priority} {t(f'priority.{act.priority}', lang)}"])
    sections.append(actions)

    contra = MinutesSection("contradictions", t("minutes.s.contradictions", lang, n=len(s.contradictions)),
                            [t("minutes.h.implemented", lang), t("minutes.h.not_implemented", lang),
                             t("minutes.h.common", lang)], [2, 1, 3])
    bank_titles = {b.id: b.title[lang] for b in view.banks}

    def where(item) -> str:  # two items on one requirement: the bank tells them apart
        return f"{item.heading(lang)} ({bank_titles.get(item.bank_id, item.bank_id)})"

    for c in s.contradictions:
        contra.rows.append([where(c.implemented), where(c.not_implemented), " / ".join(r.full(lang) for r in c.refs)])
    sections.append(contra)

    return Minutes(lang, t("minutes.heading", lang, title=session_title(w, lang)), facts, sections, s)


def _as_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value


# -- Markdown ---------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")


def md_escape(text: str | None) -> str:
    """User text as literal Markdown on one line: controls stripped, lines joined, every
    character that could start markup escaped (a table cell's ``|`` included)."""
    return _MD_SPECIAL.sub(r"\\\1", _one_line(text))


def minutes_markdown(view: AssessmentView, workshop_id: str, lang: str) -> str:
    """The minutes of one session as a Markdown document."""
    m = minutes(view, workshop_id, lang)
    out = [f"# {md_escape(m.title)}", ""]
    out += [f"- **{md_escape(label)}**: {md_escape(value)}" for label, value in m.facts]
    for sec in m.sections:
        out += ["", f"## {md_escape(sec.title)}", ""]
        if not sec.rows:
            out.append(md_escape(t("minutes.none", lang)))
            continue
        out.append("| " + " | ".join(md_escape(x) for x in sec.headers) + " |")
        out.append("|" + "|".join("---" for _ in sec.headers) + "|")
        for row in sec.rows:
            out.append("| " + " | ".join(md_escape(cell_text(v)) or " " for v in row) + " |")
    return "\n".join(out) + "\n"


# -- Excel ------------------------------------------------------------------------------------
# Six columns (they add up to the page width of exports.layout); each table spans them.
MINUTES_WIDTHS = [14.0, 30.0, 44.0, 24.0, 12.0, 34.0]


def write_minutes_sheet(book, view: AssessmentView, workshop_id: str) -> None:
    """The 議事録 / Workshop minutes sheet of ``book`` (an :class:`exports.layout.Book`)."""
    lang = book.lang
    m = minutes(view, workshop_id, lang)
    cols = len(MINUTES_WIDTHS)
    sh = book.sheet("xlsx.sheet.minutes", MINUTES_WIDTHS)
    sh.text(0, 0, m.title, book.f_title, span=cols)
    r = 2
    for label, value in m.facts:
        sh.text(r, 0, label, book.f_label)
        sh.text(r, 1, value, book.f_cell, span=cols - 1)
        r += 1
    earlier = [w for w in view.workshop.workshops.values() if w.id != workshop_id and w.started < m.summary.workshop.started]
    if earlier and workshop_id == (view.workshop.last.id if view.workshop.last else None):
        r += 1
        listed = ", ".join(f"{session_date(w) or ''} {w.id}".strip() for w in earlier)
        sh.text(r, 0, t("minutes.earlier", lang, n=len(earlier), id=view.assessment.id, sessions=listed),
                book.f_note, span=cols)
        r += 1
    for sec in m.sections:
        r += 1
        sh.text(r, 0, sec.title, book.f_block, span=cols)
        r += 1
        if not sec.rows:
            sh.text(r, 0, t("minutes.none", lang), book.f_note, span=cols)
            r += 1
            continue
        c = 0
        for head, span in zip(sec.headers, sec.spans, strict=True):
            sh.text(r, c, head, book.f_head, span=span)
            c += span
        r += 1
        for row in sec.rows:
            c = 0
            for value, span in zip(row, sec.spans, strict=True):
                if isinstance(value, date) and span == 1:
                    sh.day(r, c, value)
                else:
                    sh.text(r, c, cell_text(value), book.f_cell, span=span)
                c += span
            r += 1
    sh.finish()


def minutes_workbook(view: AssessmentView, workshop_id: str, lang: str, today: date | None = None) -> bytes:
    """A workbook of its own holding the minutes sheet."""
    from .layout import Book, wrapped_lines

    wrapped_lines.cache_clear()
    buf = io.BytesIO()
    book = Book(buf, view, lang, today or date.today())
    write_minutes_sheet(book, view, workshop_id)
    book.wb.close()
    wrapped_lines.cache_clear()
    return buf.getvalue()


def minutes_filename(view: AssessmentView, workshop_id: str, fmt: str) -> str:
    """<organisation>_minutes_<session date>_<session id>.md / .xlsx"""
    org = re.sub(r"[\\/:*?\"<>|\s]+", "_", clean(view.assessment.organization, multiline=False)).strip("_.") or "assessment"
    w = view.workshop.workshops[workshop_id]
    day = session_date(w)
    return f"{org[:60]}_minutes_{day:%Y%m%d}_{w.id}.{fmt}" if day else f"{org[:60]}_minutes_{w.id}.{fmt}"


def minutes_bytes(view: AssessmentView, workshop_id: str, fmt: str, lang: str) -> bytes:
    if fmt == "xlsx":
        return minutes_workbook(view, workshop_id, lang)
    return minutes_markdown(view, workshop_id, lang).encode("utf-8")


__all__ = ["Minutes", "MinutesSection", "local_time", "md_escape", "minutes", "minutes_bytes",
           "minutes_filename", "minutes_markdown", "minutes_workbook", "resolve_session", "session_title",
           "time_text", "write_minutes_sheet"]
