"""Bank guidance (Markdown) rendered to one Rich Text with markdown-it-py.

Textual's Markdown widget mounts a widget per block, which made moving to the next item
cost ~120 ms; one Static with a Text is a single update. Raw HTML is off (it stays literal
text), links are shown with their address and never opened, and list bullets are ASCII so
nothing has an ambiguous East Asian width.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from rich.text import Text

from ..text import clean, display_width, wrap_ja


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


_PARSER = parser()


def render(markdown: str, heading_style: str = "bold", width: int | None = None) -> Text:
    """The guidance as one Text; with ``width``, its lines already broken there by the
    Japanese line-breaking rules (:func:`wrap_lines`), so the terminal's own wrapping, which
    knows none, never has to."""
    out = Text()
    styles: list[str] = []
    list_depth = 0
    pending_prefix = ""
    link: list[str] = []
    last_block = ""
    need_bullet = False

    def newline(blank: bool = False) -> None:
        if out.plain and not out.plain.endswith("\n"):
            out.append("\n")
        if blank and out.plain and not out.plain.endswith("\n\n"):
            out.append("\n")

    for tok in _PARSER.parse(clean(markdown)):
        t = tok.type
        if t == "heading_open":
            newline(blank=True)
            styles.append(heading_style)
        elif t == "heading_close":
            styles.pop()
            out.append("\n")
            last_block = "heading"
        elif t == "paragraph_open":
            if not list_depth:
                newline(blank=last_block in ("paragraph", "list"))
        elif t == "paragraph_close":
            out.append("\n")
            if not list_depth:
                last_block = "paragraph"
        elif t in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
            newline()
        elif t in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
            last_block = "list"
        elif t == "list_item_open":
            newline()
            pending_prefix = "  " * (list_depth - 1)
            need_bullet = True
        elif t == "inline" and tok.children is not None:
            if need_bullet:
                # A space after the bullet would let the wrapper push a long Japanese line (no
                # spaces to break at) below a lone bullet: Japanese items take a full-width
                # middle dot with no space, others "- ".
                first = next((c.content[:1] for c in tok.children if c.type == "text" and c.content), "")
                out.append(pending_prefix + ("・" if first and ord(first) > 0x2E80 else "- "), style="bold")
                need_bullet = False
            for child in tok.children:
                c = child.type
                style = " ".join(styles) or None
                if c == "text":
                    out.append(child.content, style=style)
                elif c == "code_inline":
                    out.append(child.content, style="reverse")
                elif c in ("softbreak",):
                    out.append(" " if not _is_cjk_boundary(out.plain) else "")
                elif c == "hardbreak":
                    out.append("\n" + "  " * list_depth)
                elif c == "strong_open":
                    styles.append("bold")
                elif c == "em_open":
                    styles.append("italic")
                elif c in ("strong_close", "em_close") and styles:
                    styles.pop()
                elif c == "link_open":
                    link.append(str(child.attrs.get("href", "")))
                    styles.append("underline")
                elif c == "link_close":
                    if styles:
                        styles.pop()
                    href = link.pop() if link else ""
                    if href:
                        out.append(f" <{href}>", style="dim")
                elif c == "image":
                    out.append(f"[{child.content}]", style="dim")
                else:
                    out.append(child.content, style=style)
        elif t in ("code_block", "fence"):
            newline()
            out.append(tok.content, style="reverse")
        elif t == "hr":
            newline(blank=True)
    out.rstrip()
    return wrap_lines(out, width) if width else out


def wrap_lines(text: Text, width: int) -> Text:
    """Break every line of ``text`` wider than ``width`` cells where :func:`wrap_ja` breaks
    its plain text (phrases, kinsoku), keeping the styles; the spaces at a break go."""
    lines: list[Text] = []
    for line in text.split("\n", allow_blank=True):
        plain = line.plain
        if display_width(plain) <= width:
            lines.append(line)
            continue
        offsets, pos = [], 0
        for piece in wrap_ja(plain, width):
            start = plain.find(piece, pos) if piece else pos
            if start < 0:  # cannot happen (wrap_ja only drops spaces); leave the line to the terminal
                offsets = []
                break
            offsets.append(start)
            pos = start + len(piece)
        if not offsets:
            lines.append(line)
            continue
        for part in line.divide(offsets[1:]):
            part.rstrip()
            lines.append(part)
    return Text("\n").join(lines)


def _is_cjk_boundary(before: str) -> bool:
    """Japanese lines broken in the source join without a space."""
    return bool(before) and ord(before[-1]) > 0x2E80
