"""The command palette's "jump to" search over the open assessment's banks.

Textual's fuzzy matcher tries every way a query's letters can be spread over a candidate, so
a ten-letter word against a few hundred long questions kept the event loop busy for tens of
seconds, and its ``highlight`` parses the candidate as markup. Here the search is tiered (ids
and refs, then titles, then question text, then every word of the query starting a word of
the entry), capped at :data:`MAX_HITS`, gives the event loop a turn every :data:`CHUNK`
entries, and every hit is literal :class:`~textual.content.Content`.
"""

from __future__ import annotations

import asyncio
import heapq
import re
import unicodedata
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape as escape_markup
from textual.style import Style
from textual.widgets.option_list import Option

from ..banks import Bank
from ..i18n import t
from ..text import clean, truncate
from .base import Host, JumpToItem, JumpToSection

MAX_HITS = 30
"""At most this many jump targets are listed for a query (the best ones)."""
CHUNK = 64
"""Entries matched between two turns of the event loop."""
LABEL_WIDTH = 110
MATCH_STYLE = Style(reverse=True)
_WORD_RE = re.compile(r"\w+")


def fold(text: str) -> str:
    """Case- and width-insensitive form for matching (ＡＢＣ, abc and ABC match alike)."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Entry:
    kind: str  # "section" or "item"
    bank_id: str
    target: str  # section id or item id
    label: str  # shown, literal, one line
    keys: tuple[str, ...]  # folded ids and refs
    title: str  # folded short title
    body: str  # folded longer text (the question, or the section's full label)
    words: frozenset[str]  # the words of title and body


def _entry(kind: str, bank_id: str, target: str, label: str, keys: Iterable[str], title: str, body: str) -> Entry:
    title, body = fold(title), fold(body)
    return Entry(kind, bank_id, target, label, tuple(fold(k) for k in keys), title, body,
                 frozenset(_WORD_RE.findall(title + " " + body)))


def _label(text: str) -> str:
    cut = text[: LABEL_WIDTH + 1]  # every character but a combining mark takes a cell: the rest cannot fit
    out = truncate(cut, LABEL_WIDTH)
    return out if len(cut) == len(text) or out.endswith("…") else out + "…"


def build_index(banks: Iterable[Bank], lang: str) -> list[Entry]:
    return list(iter_entries(banks, lang))


async def build_index_async(banks: Iterable[Bank], lang: str) -> list[Entry]:
    """:func:`build_index`, giving the event loop a turn every CHUNK entries."""
    entries: list[Entry] = []
    for entry in iter_entries(banks, lang):
        entries.append(entry)
        if len(entries) % CHUNK == 0:
            await asyncio.sleep(0)
    return entries


def iter_entries(banks: Iterable[Bank], lang: str) -> Iterator[Entry]:
    for bank in banks:
        bank_title = clean(bank.title[lang], multiline=False)
        for sec in bank.sections:
            sec_title = clean(sec.title[lang], multiline=False)
            label = f"{bank_title} › {sec_title}"
            yield _entry("section", bank.id, sec.id, _label(label), (sec.id,), sec_title, label)
        for item in bank.items:
            ref = clean(item.ref_label(lang), multiline=False)
            title = clean(item.title(lang), multiline=False)
            question = clean(item.question[lang], multiline=False)
            head = f"{ref} {title}".strip()
            label = _label(f"{head} — {question}" if title else f"{ref} {question}")
            keys = [item.id, *item.refs, *(r.label(lang) for r in item.typed_refs)]
            yield _entry("item", bank.id, item.id, label, keys, title, question)


def _word_start(text: str, q: str) -> bool:
    at = text.find(q)
    while at != -1:
        if at == 0 or not text[at - 1].isalnum():
            return True
        at = text.find(q, at + 1)
    return False


def score(entry: Entry, q: str, words: list[str]) -> float:
    """0 for no match; higher is better (ids and refs, then titles, then question text)."""
    if q in entry.keys:
        return 1.0
    if any(k.startswith(q) for k in entry.keys):
        return 0.9
    if entry.title.startswith(q):
        return 0.8
    if q in entry.title:
        return 0.75 if _word_start(entry.title, q) else 0.7
    if q in entry.body:
        return 0.55 if _word_start(entry.body, q) else 0.5
    if len(words) > 1 and all(any(x.startswith(w) for x in entry.words) or any(k.startswith(w) for k in entry.keys)
                              for w in words):
        return 0.4  # "info sec pol", "risk assess", a ref and a word
    return 0.0


def highlight(label: str, q: str) -> Content:
    """The label as literal text, the first occurrence of the query marked."""
    content = Content(label)
    folded = fold(label)
    if len(folded) == len(label):  # folding kept the offsets (no ß→ss and the like)
        at = folded.find(q)
        if at != -1:
            content = content.stylize(MATCH_STYLE, at, at + len(q))
    return content


async def search_entries(entries: list[Entry], query: str, limit: int = MAX_HITS) -> list[tuple[float, Entry]]:
    """The best ``limit`` matches, best first; the event loop gets a turn every CHUNK entries."""
    q = " ".join(fold(query).split())
    if not q:
        return []
    words = q.split()
    best: list[tuple[float, int, Entry]] = []
    for n, entry in enumerate(entries):
        if n and n % CHUNK == 0:
            await asyncio.sleep(0)
        s = score(entry, q, words)
        if s <= 0:
            continue
        key = (s, -n, entry)
        if len(best) < limit:
            heapq.heappush(best, key)
        elif key[:2] > best[0][:2]:
            heapq.heapreplace(best, key)
    return [(s, e) for s, _, e in sorted(best, key=lambda k: k[:2], reverse=True)]


_INDEX: weakref.WeakKeyDictionary[object, tuple[tuple, asyncio.Future[list[Entry]]]] = weakref.WeakKeyDictionary()
"""Per app: the key (session, language, banks) and the task building its index."""


def index_for(app: Host) -> asyncio.Future[list[Entry]]:
    """The open assessment's entries in the current language: built once, in steps, by a task
    of its own (a keystroke that cancels a search does not cancel the build)."""
    session = app.session
    assert session is not None
    key = (id(session), app.lang, tuple(b.id for b in session.banks))
    cached = _INDEX.get(app)
    if cached is None or cached[0] != key or (cached[1].done() and cached[1].exception() is not None):
        cached = (key, asyncio.ensure_future(build_index_async(list(session.banks), app.lang)))
        _INDEX[app] = cached
    return cached[1]


class JumpProvider(Provider):
    """Command palette: jump to any section or item of the open assessment."""

    def _host(self) -> Host | None:
        app = self.app
        return app if isinstance(app, Host) and app.session is not None else None

    async def startup(self) -> None:
        if host := self._host():
            index_for(host)  # start building while the user types the first letters

    async def search(self, query: str) -> Hits:
        host = self._host()
        if host is None:
            return
        post = self.app.post_message
        q = " ".join(fold(query).split())
        help_section, help_item = t("palette.jump_section", host.lang), t("palette.jump_item", host.lang)
        entries = await asyncio.shield(index_for(host))
        banks = {b.id: clean(b.title[host.lang], multiline=False) for b in host.session.banks} if host.session else {}

        def named(what: str, bank_id: str) -> str:  # every hit says which bank it belongs to
            # Textual parses a hit's help as markup: the bank's title is escaped, never parsed
            return escape_markup(t("palette.in_bank", host.lang, what=what, bank=banks.get(bank_id, bank_id)))
        for s, entry in await search_entries(entries, query):
            if entry.kind == "section":
                command = lambda b=entry.bank_id, sec=entry.target: post(JumpToSection(b, sec))  # noqa: E731
                help_text = named(help_section, entry.bank_id)
            else:
                command = lambda i=entry.target: post(JumpToItem(i))  # noqa: E731
                help_text = named(help_item, entry.bank_id)
            yield Hit(s, highlight(entry.label, q), command, text=entry.label, help=help_text)


class IsmsCommandPalette(CommandPalette):
    """Textual's command palette with its "No matches found" line in the UI language
    (Textual writes it in English in ``_start_no_matches_countdown``; this is that method
    with the text passed in)."""

    def __init__(self, *, no_matches: str, placeholder: str, id: str | None = None):
        super().__init__(placeholder=placeholder, id=id)
        self._no_matches_text = no_matches

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(self._no_matches_text, style="not bold")), disabled=True,
                           id=self._NO_MATCHES))
                self._list_visible = True
            else:  # discover mode: nothing was searched for
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
