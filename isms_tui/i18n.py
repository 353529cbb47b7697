"""The ja/en message catalog (``messages.json``): every user-visible UI string lives there.

One entry per line, ``"key": {"ja": "...", "en": "..."}``, placeholders written ``{name}``; a
test fails when a key used in the code is missing or a language is empty. JSON rather than
TOML because the catalog is read at every start: Python's JSON reader takes about a tenth of
the time ``tomllib`` takes on the same 80 KB.
"""

from __future__ import annotations

import json
import locale
import os
from functools import cache
from pathlib import Path

LANGS = ("ja", "en")


@cache
def messages() -> dict[str, dict[str, str]]:
    with open(Path(__file__).with_name("messages.json"), "rb") as fh:
        return json.load(fh)


def t(key: str, lang: str, /, **kwargs: object) -> str:
    """The message ``key`` in ``lang``, formatted with ``kwargs``.

    A missing key is a bug caught by the tests; at run time it shows the key itself rather
    than crashing in front of a user.
    """
    entry = messages().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get("en") or key
    if kwargs:
        try:
            return text.format(**kwargs)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def default_lang() -> str:
    """Japanese when the locale says so, English otherwise."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "ja" if loc.lower().startswith("ja") else "en"


class Translator:
    """Holds the current language; screens call ``tr("key")``."""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGS else "en"

