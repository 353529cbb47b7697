"""Paper layout shared by every sheet of the Excel deliverable: A4 landscape sheets with fixed
column widths, wrapped text whose row heights come from the wrapped line count (East Asian
width aware, measured for Excel's and LibreOffice's fonts), page header and footer, and
literal strings only (quote prefix, no string conversion on the workbook).
"""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import xlsxwriter

from ..i18n import t
from ..model import STATUSES
from ..text import char_width, clean
from ..view import AssessmentView

FONTS = {"ja": "Yu Gothic", "en": "Calibri"}
FONT_SIZE = 10
# Height in points of one wrapped line of 10 pt text in Excel: Yu Gothic's line is tall (its
# default row is 1.7 times the font size); LibreOffice's substitutes are shorter, so the
# heights are safe for both. A wide (CJK) character counts two columns of width: Excel's
# Yu Gothic needs 1.9, LibreOffice's substitute about 1.6.
LINE_PT = {"ja": 15.75, "en": 12.75}
ROW_PAD_PT = 3.0
PAGE_HEIGHT_PT = (210 / 25.4 - 1.45) * 72  # A4 landscape between the top and bottom margins
MAX_ROW_PT = 409.0  # Excel's limit; a longer text is cut on paper (it stays whole in the cell)
MEASURE_CHARS = 4000  # a cell is measured on this prefix: rows reach MAX_ROW_PT long before
WRAP_SLACK = 0.3  # column units kept free for rounding (the padding is outside the set width)
# Total width of a sheet's columns: A4 landscape prints it at about 85% in Excel and above
# 70% in LibreOffice, whose substitute fonts make a column unit about 1.2 times wider.
PAGE_WIDTH = 158.0
FLEX_MIN = 12.0  # the columns a sheet lets shrink to fit PAGE_WIDTH do not go below this
BOLD_WIDTH = 1.12  # bold Latin text is up to 12% wider (DejaVu Sans Bold; Calibri Bold about 5%)
WIDE_CHAR = 1.9  # column units of one wide character (Yu Gothic 10 pt in Excel: 13.3 px / 7 px)
EXCEL_CELL_LIMIT = 32767  # characters; longer text is cut with a visible mark
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
# A run of narrow characters without spaces breaks as one word; any other character alone.
_NARROW_CLASS = "!-~\u00a0-\u024f"
_NARROW = frozenset(chr(c) for c in (*range(0x21, 0x7F), *range(0xA0, 0x250)))
_TOKEN = re.compile(rf"[{_NARROW_CLASS}]+|\s+|[^\s{_NARROW_CLASS}]+")

PRIORITY_FILL = {1: "#F4B6B6", 2: "#FFE08A", 3: "#DDEBD3"}
STATUS_FILL = {"implemented": "#DDEBD3", "partial": "#FFF2CC", "not_implemented": "#F8D0D0", "unknown": "#E7E6E6"}
PHASE_FILL = {"acquisition": "#5B9BD5", "certification_audit": "#70AD47", "maintenance_renewal": "#ED7D31"}
HEAD_FILL = "#1F4E79"
GRID = "#A6A6A6"


def _utf16_len(s: str) -> int:
    """Excel counts a cell's length in UTF-16 code units (an emoji counts two)."""
    return len(s.encode("utf-16-le")) // 2


def _cut_utf16(s: str, limit: int) -> str:
    out, used = [], 0
    for ch in s:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            break
        out.append(ch)
    return "".join(out)


# Advance widths (units per em of 2048) of the printable ASCII characters " " to "~" in
# Calibri (Excel's default) and DejaVu Sans (LibreOffice's usual substitute for it and for
# the Latin part of Yu Gothic), each with the width of its digits.
_CALIBRI = (1038, [
    463, 560, 817, 1022, 1038, 1463, 1397, 452, 621, 621, 1022, 1022, 511, 627, 517, 792,  # space to /
    *[1038] * 10, 548, 548, 1022, 1022, 1022, 941, 1837,  # 0-9 : ; < = > ? @
    1185, 1114, 1092, 1260, 1000, 941, 1292, 1276, 516, 653, 1064, 861, 1751, 1322, 1356, 1058, 1378,
    1112, 941, 998, 1314, 1162, 1822, 1063, 998, 959,  # A-Z
    627, 792, 627, 1022, 1022, 591,  # [ \ ] ^ _ `
    981, 1076, 866, 1076, 1019, 625, 964, 1076, 470, 490, 931, 470, 1636, 1076, 1080, 1076, 1076,
    714, 801, 686, 1076, 925, 1464, 887, 927, 809,  # a-z
    714, 941, 714, 1022])  # { | } ~
_DEJAVU = (1303, [
    651, 821, 940, 1716, 1303, 1946, 1595, 563, 799, 799, 1024, 1716, 651, 739, 651, 690,
    *[1303] * 10, 690, 690, 1716, 1716, 1716, 1087, 2048,
    1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612,
    1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403,
    799, 690, 799, 1716, 1024, 1024,
    1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300, 1300,
    842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075,
    1303, 690, 1303, 1716])


def _ascii_widths() -> dict[str, float]:
    """Width of each ASCII character in column units (a digit's width): the larger of the two
    fonts', 3% up."""
    (cd, cw), (dd, dw) = _CALIBRI, _DEJAVU
    return {chr(32 + i): round(1.03 * max(a / cd, b / dd), 3) for i, (a, b) in enumerate(zip(cw, dw, strict=True))}


class _CharWidths(dict):
    """Column units per character, computed once per character seen."""

    def __missing__(self, c: str) -> float:
        cells = char_width(c)
        units = WIDE_CHAR if cells == 2 else 1.2 * cells
        self[c] = units
        return units


_CHARS = _CharWidths(_ascii_widths())


def text_width(text: str) -> float:
    """Width of ``text`` in column units: letters by their advance width, a wide (CJK)
    character WIDE_CHAR, any other narrow character a little more than a digit."""
    return sum(map(_CHARS.__getitem__, text))


def _longest_word(text: str) -> float:
    """The widest run of narrow characters (a word that must not be broken inside)."""
    return max((text_width(tok) for tok in _TOKEN.findall(text) if not tok.isspace() and all(char_width(c) == 1 for c in tok)),
               default=0.0)


@lru_cache(maxsize=16384)  # bank texts recur on several sheets
def wrapped_lines(text: str, width: float, cap: int = 1000) -> int:
    """Lines ``text`` takes in a wrapping cell ``width`` column units wide: words of narrow
    characters move to the next line whole (or break inside when longer than a line), other
    characters (CJK) break anywhere. Only the first MEASURE_CHARS characters are measured,
    and counting stops at ``cap``."""
    usable = max(1.0, width - WRAP_SLACK)
    chars = _CHARS
    lines = 0
    for para in text[:MEASURE_CHARS].split("\n"):
        if text_width(para) <= usable:  # most paragraphs fit on one line
            lines += 1
            continue
        used = 0.0
        para_lines = 1
        for tok in _TOKEN.findall(para):
            if tok.isspace():
                if used:
                    used += text_width(tok)
            elif tok[0] in _NARROW:  # a word
                w = text_width(tok)
                if used and used + w > usable:
                    para_lines += 1
                    used = 0.0
                if w > usable:  # longer than the line: broken inside
                    extra, rest = divmod(w, usable)
                    para_lines += int(extra) - (0 if rest else 1)
                    used = rest or usable
                else:
                    used += w
            else:  # a run of characters that break anywhere
                for c in tok:
                    w = chars[c]
                    if used + w > usable and used:
                        para_lines += 1
                        used = w
                    else:
                        used += w
        lines += para_lines
        if lines >= cap:
            return cap
    return max(1, lines)


def _hf(text: str, limit: int = 60) -> str:
    """User text in a page header or footer: literal (``&`` codes escaped), one line, short."""
    s = clean(text, multiline=False)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s.replace("&", "&&")


def as_date(value: str | date | None) -> date | None:
    """A stored date (ISO text) as a date for a date cell; None when empty or not a date."""
    if isinstance(value, date) or value is None:
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _as_datetime(value: date) -> datetime:
    return datetime(value.year, value.month, value.day)


class Sheet:
    """A worksheet laid out for A4 landscape: fixed column widths, wrapped text with row
    heights from the wrapped line count, literal strings only."""

    def __init__(self, book: Book, key: str, widths: list[float]):
        self.book = book
        self.ws = book.wb.add_worksheet(_SHEET_BAD.sub("_", book.tr(key))[:31])
        self.widths = list(widths)
        self.lines: dict[int, int] = {}
        self.min_pt: dict[int, float] = {}
        for col, w in enumerate(widths):
            self.ws.set_column(col, col, w)
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # one page wide; the widths are chosen so the scale stays >= 70%
        ws.set_margins(left=0.35, right=0.35, top=0.75, bottom=0.7)
        ws.set_header(f"&L&8{book.hf_org}&C&8&A&R&8{book.hf_mark}", {"margin": 0.3})
        ws.set_footer(f"&L&8{book.hf_date}&C&8&P / &N&R&8{book.hf_mark}", {"margin": 0.3})

    def span_width(self, col: int, span: int) -> float:
        return sum(self.widths[col: col + span]) if col < len(self.widths) else 10.0

    def _need(self, row: int, lines: int, size: float = FONT_SIZE) -> None:
        pt = lines * LINE_PT[self.book.lang] * size / FONT_SIZE + ROW_PAD_PT
        self.min_pt[row] = max(self.min_pt.get(row, 0.0), pt)

    def height(self, row: int, pt: float) -> None:
        self.min_pt[row] = max(self.min_pt.get(row, 0.0), pt)

    def text(self, row: int, col: int, value: str | None, fmt=None, span: int = 1) -> None:
        s = clean(value or "")
        if len(s) > EXCEL_CELL_LIMIT // 2 and _utf16_len(s) > EXCEL_CELL_LIMIT:
            s = _cut_utf16(s, EXCEL_CELL_LIMIT - 20) + " …[truncated]"
        fmt = fmt or self.book.f_text
        if span > 1:
            self.ws.merge_range(row, col, row, col + span - 1, "", fmt)
        self.ws.write_string(row, col, s, fmt)
        size = getattr(fmt, "font_size", FONT_SIZE) or FONT_SIZE
        # larger or bold text takes more of the column: measure it on a narrower one
        width = self.span_width(col, span) * FONT_SIZE / size / (BOLD_WIDTH if getattr(fmt, "bold", 0) else 1.0)
        cap = math.ceil(MAX_ROW_PT / LINE_PT[self.book.lang]) + 1
        self._need(row, wrapped_lines(s, round(width, 2), cap) if s else 1, size)

    def number(self, row: int, col: int, value: float | int | None, fmt=None) -> None:
        if value is None:
            self.ws.write_blank(row, col, None, fmt or self.book.f_cell)
        else:
            self.ws.write_number(row, col, value, fmt or self.book.f_int)
        self._need(row, 1)

    def day(self, row: int, col: int, value: date | datetime | None, fmt=None) -> None:
        if value is None:
            self.ws.write_blank(row, col, None, fmt or self.book.f_date)
        else:
            v = value if isinstance(value, datetime) else _as_datetime(value)
            self.ws.write_datetime(row, col, v, fmt or self.book.f_date)
        self._need(row, 1)

    def blank(self, row: int, col: int, fmt) -> None:
        self.ws.write_blank(row, col, None, fmt)

    def header(self, row: int, headers: list[str], col: int = 0) -> None:
        for c, h in enumerate(headers, start=col):
            self.text(row, c, h, self.book.f_head)

    def finish(self, repeat: tuple[int, int] | int | None = None, one_page_at: float | None = None) -> None:
        """Set the row heights and the repeated header rows. With ``one_page_at``, a sheet
        whose rows fit on one page at that scale or more is printed on one page."""
        for row, pt in self.min_pt.items():
            self.ws.set_row(row, min(MAX_ROW_PT, round(pt + 0.49, 1)))
        if one_page_at is not None:
            total = sum(min(MAX_ROW_PT, pt) for pt in self.min_pt.values())
            if total and PAGE_HEIGHT_PT / total >= one_page_at:
                self.ws.fit_to_pages(1, 1)
        if isinstance(repeat, int):
            self.ws.repeat_rows(repeat)
        elif repeat is not None:
            self.ws.repeat_rows(*repeat)


class Book:
    def __init__(self, path: Path | io.BytesIO, view: AssessmentView, lang: str, today: date):
        self.lang = lang
        org = view.assessment.organization
        title = t("xlsx.doc_title", lang, org=org)
        self.wb = xlsxwriter.Workbook(path if isinstance(path, io.BytesIO) else str(path), {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
            "default_format_properties": {"font_name": FONTS[lang], "font_size": FONT_SIZE},
        })
        self._formats: dict[tuple, object] = {}
        self.base = {"font_name": FONTS[lang], "font_size": FONT_SIZE, "valign": "top"}
        grid = {"border": 1, "border_color": GRID}
        self.grid = grid
        self.f_text = self.fmt(quote_prefix=True, text_wrap=True)
        self.f_cell = self.fmt(quote_prefix=True, text_wrap=True, **grid)
        self.f_head = self.fmt(quote_prefix=True, bold=True, bg_color=HEAD_FILL, font_color="#FFFFFF", text_wrap=True,
                               border=1, border_color="#FFFFFF", valign="vcenter")
        self.f_title = self.fmt(quote_prefix=True, bold=True, font_size=14, valign="vcenter")
        self.f_block = self.fmt(quote_prefix=True, bold=True, font_size=11, font_color=HEAD_FILL, bottom=2,
                                bottom_color=HEAD_FILL, valign="bottom")
        self.f_label = self.fmt(quote_prefix=True, bold=True, text_wrap=True, bg_color="#EEF3F8", **grid)
        self.f_pct = self.fmt(num_format="0%", **grid)
        self.f_int = self.fmt(num_format="0", align="right", **grid)
        self.f_date = self.fmt(num_format="yyyy-mm-dd", align="left", **grid)
        self.f_stamp = self.fmt(num_format="yyyy-mm-dd hh:mm", align="left", **grid)
        self.f_late_date = self.fmt(num_format="yyyy-mm-dd", align="left", bold=True, font_color="#9C0006",
                                    bg_color="#FFC7CE", **grid)
        self.f_bad = self.fmt(quote_prefix=True, bold=True, font_color="#C00000", text_wrap=True)
        self.f_good = self.fmt(quote_prefix=True, bold=True, font_color="#007A33", text_wrap=True)
        self.f_warn = self.fmt(quote_prefix=True, bold=True, font_color="#9C0006", bg_color="#FFC7CE", text_wrap=True, **grid)
        self.f_note = self.fmt(quote_prefix=True, text_wrap=True, italic=True, font_color="#595959")
        self.f_center = self.fmt(quote_prefix=True, text_wrap=True, align="center", **grid)
        self.f_late = self.wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True})
        self.wb.set_properties({
            "title": title, "subject": "ISO/IEC 27001", "company": org, "author": "isms-tui",
            "category": self.tr("xlsx.confidential"), "keywords": "ISMS, ISO/IEC 27001, SoA",
            "comments": self.tr("xlsx.confidential"),
        })
        self.wb.set_custom_property("Classification", "Confidential")
        self.hf_org = _hf(org)
        self.hf_mark = _hf(self.tr("xlsx.confidential"), 30)
        self.hf_date = _hf(self.tr("xlsx.footer_date", date=today.isoformat()), 40)

    def fmt(self, **props):
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(self.base | props)
        return self._formats[key]

    def tr(self, key: str, **kw) -> str:
        return t(key, self.lang, **kw)

    def sheet(self, key: str, widths: list[float]) -> Sheet:
        return Sheet(self, key, widths)

    def widths(self, cols: list[tuple[str, float]], words: dict[str, list[str]] | None = None,
               shrink: tuple[str, ...] = (), total: float = PAGE_WIDTH, prefix: str = "xlsx.h.") -> list[float]:
        """Column widths: the designed width (the designs add up to PAGE_WIDTH), widened where a
        word of the heading (or of the short values the column holds, such as statuses) would
        otherwise be broken inside; the ``shrink`` columns (the least important long text)
        then give back what the widening took, so the sheet still prints one page wide at
        its designed scale."""
        out = []
        for name, w in cols:
            texts = [self.tr(f"{prefix}{name}"), *(words or {}).get(name, ())]
            out.append(max(w, max(_longest_word(x) for x in texts) + WRAP_SLACK + 0.5))
        flexible = [i for i, (name, w) in enumerate(cols) if name in shrink and w > FLEX_MIN and out[i] == w]
        excess = sum(out) - total
        room = sum(out[i] - FLEX_MIN for i in flexible)
        if excess > 0 and room > 0:
            cut = min(1.0, excess / room)
            for i in flexible:
                out[i] = round(out[i] - (out[i] - FLEX_MIN) * cut, 1)
        return out

    @property
    def status_words(self) -> list[str]:
        return [t(f"status.{s}", self.lang) for s in (*STATUSES, "unanswered")] + [t("xlsx.overdue", self.lang)]

    def priority_fmt(self, prio: int, center: bool = False):
        extra = {"align": "center"} if center else {}
        return self.fmt(quote_prefix=True, text_wrap=True, bg_color=PRIORITY_FILL[prio], bold=prio == 1, **self.grid, **extra)

    def priority_num_fmt(self, prio: int):
        return self.fmt(num_format="0", align="center", bg_color=PRIORITY_FILL[prio], bold=prio == 1, **self.grid)

    def status_fmt(self, status: str | None):
        fill = STATUS_FILL.get(status or "")
        return self.fmt(quote_prefix=True, text_wrap=True, **({"bg_color": fill} if fill else {}), **self.grid)
