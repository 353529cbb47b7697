"""Statement of Applicability rules shared by the demo and the SoA export.

``CHALLENGED_EXCLUSIONS`` maps the Annex A 2022 controls whose exclusion an auditor will
question for practically any company (staff, computers, customers) to a one-line reason in
Japanese and English. The list is content, reviewed with the banks, so it lives in
``question_banks/reference/challenged_exclusions.json``; this module is the one place the code
reads it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import MappingProxyType

from .banks import Item
from .catalog import LANGS
from .paths import reference_dir


def _load() -> Mapping[str, Mapping[str, str]]:
    with open(reference_dir() / "challenged_exclusions.json", encoding="utf-8") as fh:
        raw = json.load(fh)
    return MappingProxyType({
        c["id"]: MappingProxyType({lang: c["reason"][lang] for lang in LANGS}) for c in raw["controls"]
    })


CHALLENGED_EXCLUSIONS: Mapping[str, Mapping[str, str]] = _load()


def challenged_controls(item: Item) -> tuple[str, ...]:
    """The controls of ``item`` that an auditor would not accept as excluded."""
    return tuple(c for c in item.controls if c in CHALLENGED_EXCLUSIONS)


def exclusion_challenge(control_id: str, lang: str) -> str | None:
    """Why excluding ``control_id`` will be questioned, or None when it may be excluded."""
    reason = CHALLENGED_EXCLUSIONS.get(control_id)
    return None if reason is None else reason.get(lang, reason["en"])
