"""The 前年度比較 / Cycle comparison sheet of the main workbook: readiness per section for this
cycle and the previous ones (:class:`isms_tui.compare.CycleComparison`, up to
:data:`MAX_CYCLES` columns) with the change since the previous cycle, the answers that got
worse, the actions carried over and the findings that recurred, then on a page of their own
two native column charts of the readiness per clause and per Annex A theme across the cycles.
Written only when the assessment has a previous cycle; no rule is computed here."""

from __future__ import annotations

import math

from ..compare import CycleComparison, action_label, break_note, cycle_name, section_title, status_word
from .layout import Book

MAX_CYCLES = 5  # this cycle and the four before it
SECTION_WIDTH, CYCLE_WIDTH, CHANGE_WIDTH = 78.0, 14.0, 12.0
CHART_KINDS = (("clauses_2022",), ("annex_a_2022", "annex_a_2013"))
SERIES_COLORS = ("#2E75B6", "#A5A5A5", "#C9C9C9", "#D9D9D9", "#EDEDED")


def write_compare_sheet(book: Book, cmp: CycleComparison) -> None:
    tr, lang = book.tr, book.lang
    n = min(len(cmp.cycles), MAX_CYCLES)
    widths = [SECTION_WIDTH] + [CYCLE_WIDTH] * n + [CHANGE_WIDTH]
    sh = book.sheet("xlsx.sheet.compare", widths)
    full = len(widths)
    f_points = book.fmt(num_format="+0;-0;0", align="right", **book.grid)
    f_bank = book.fmt(num_format="0%", bold=True, bg_color="#EEF3F8", **book.grid)
    sh.text(0, 0, tr("xlsx.compare.title"), book.f_title, span=full)
    r = 1
    note = break_note(cmp, lang)
    if note:
        sh.text(r, 0, note, book.f_bad, span=full)
        r += 1
    if any(v.assessment.edition != cmp.current.assessment.edition for v in cmp.cycles[1:n]):
        sh.text(r, 0, tr("compare.cross_edition"), book.f_note, span=full)
        r += 1
    r += 1
    head = r
    names = [cycle_name(cmp, k, lang) for k in range(n)]
    sh.header(r, [tr("xlsx.h.c_section"), *names, tr("xlsx.h.c_change")])
    r += 1
    sh.text(r, 0, tr("compare.overall"), book.f_label)
    for k in range(n):
        sh.number(r, 1 + k, cmp.overall[k], f_bank)
    _change(sh, r, n, cmp.overall[0], cmp.overall[1], f_points)
    r += 1
    sh.text(r, 0, tr("compare.gate"), book.f_label)
    for k, (met, total, _) in enumerate(cmp.gate_met[:n]):
        sh.text(r, 1 + k, tr("compare.gate_value", met=met, total=total), book.f_center)
    sh.blank(r, 1 + n, book.f_cell)
    r += 1
    banks = {b.id: b for b in cmp.current.banks}
    groups: dict[str, list[int]] = {}
    for row in cmp.sections:
        bank_row = row.section_id is None
        label = section_title(row, lang) if bank_row else "\u3000" + section_title(row, lang)
        sh.text(r, 0, label, book.f_label if bank_row else book.f_cell)
        for k in range(n):
            sh.number(r, 1 + k, row.readiness[k], f_bank if bank_row else book.f_pct)
        _change(sh, r, n, row.readiness[0], row.readiness[1], f_points)
        if not bank_row:
            groups.setdefault(row.bank_id, []).append(r)
        r += 1
    sh.ws.freeze_panes(head + 1, 1)

    r += 1
    sh.text(r, 0, tr("compare.worse", n=len(cmp.worse_answers)), book.f_block, span=full)
    r += 1
    if cmp.worse_answers:
        sh.header(r, [tr("xlsx.h.c_item"), tr("xlsx.h.c_before"), tr("xlsx.h.c_now")])
        r += 1
        for w in cmp.worse_answers:
            sh.text(r, 0, f"{w.item.heading(lang)}\n{w.item.id}", book.f_cell)
            sh.text(r, 1, status_word(w.before, lang), book.status_fmt(w.before))
            sh.text(r, 2, status_word(w.now, lang), book.status_fmt(w.now))
            r += 1
    else:
        sh.text(r, 0, tr("compare.worse_none"), book.f_note, span=full)
        r += 1

    r += 1
    sh.text(r, 0, tr("compare.carried", n=len(cmp.carried_actions), repeated=len(cmp.repeated_actions)),
            book.f_block, span=full)
    r += 1
    if cmp.carried_actions:
        sh.header(r, [tr("xlsx.h.c_action"), tr("xlsx.h.c_owner"), tr("xlsx.h.c_times")])
        r += 1
        for c in cmp.carried_actions:
            sh.text(r, 0, action_label(c.action, lang), book.f_warn if c.repeated else book.f_cell)
            sh.text(r, 1, c.action.owner, book.f_cell)
            sh.number(r, 2, c.times)
            r += 1
    else:
        sh.text(r, 0, tr("compare.carried_none"), book.f_note, span=full)
        r += 1

    r += 1
    sh.text(r, 0, tr("compare.recurring", n=len(cmp.recurring_findings)), book.f_block, span=full)
    r += 1
    if cmp.recurring_findings:
        sh.header(r, [tr("xlsx.h.c_finding"), tr("xlsx.h.c_earlier")])
        r += 1
        for rec in cmp.recurring_findings:
            f = rec.row.finding
            sh.text(r, 0, f"{f.label} {f.requirement.full(lang)}\n{f.description}", book.f_cell)
            earlier = "\n".join(f"{old.label} {old.requirement.label(lang)} ({old.raised_on or cmp.when(cmp.cycles[k])})"
                                for k, old in rec.earlier)
            sh.text(r, 1, earlier, book.f_cell, span=full - 1)
            r += 1
    else:
        sh.text(r, 0, tr("compare.recurring_none"), book.f_note, span=full)
        r += 1

    # the charts on a page of their own, side by side: readiness per clause and per Annex A theme
    charted = [(bid, rows) for kinds in CHART_KINDS for bid, rows in groups.items() if banks[bid].kind in kinds]
    if charted:
        r += 1
        sh.ws.set_h_pagebreaks([r])
        sh.text(r, 0, tr("xlsx.compare.chart"), book.f_block, span=full)
        r += 1
        name = sh.ws.get_name()
        x = 0
        for bank_id, rows in charted:
            first, last = rows[0], rows[-1]
            chart = book.wb.add_chart({"type": "column"})
            for k in range(n):
                chart.add_series({
                    "name": [name, head, 1 + k],
                    "categories": [name, first, 0, last, 0],
                    "values": [name, first, 1 + k, last, 1 + k],
                    "fill": {"color": SERIES_COLORS[k]},
                    "border": {"color": "#7F7F7F"},
                    "gap": 80,
                })
            chart.set_title({"name": banks[bank_id].title[lang], "name_font": {"size": 11, "bold": True}})
            chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}})
            chart.set_x_axis({"num_font": {"size": 8}})
            chart.set_legend({"position": "bottom"})
            chart.show_blanks_as("gap")
            width = 560 if len(rows) > 4 else 400
            chart.set_size({"width": width, "height": 340})
            sh.ws.insert_chart(r, 0, chart, {"x_offset": x, "y_offset": 4, "object_position": 3})
            x += width + 20
    sh.finish(repeat=head)


def _change(sh, r: int, n: int, now: float | None, before: float | None, fmt) -> None:
    if now is None or before is None:
        sh.blank(r, 1 + n, fmt)
    else:
        # the difference of the two percentages as Excel shows them ("0%" rounds half up): they add up
        sh.number(r, 1 + n, math.floor(now * 100 + 0.5) - math.floor(before * 100 + 0.5), fmt)
