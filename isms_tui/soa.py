"""Statement of Applicability rules shared by the demo and the SoA export.

``CHALLENGED_EXCLUSIONS`` maps the Annex A 2022 controls whose exclusion an auditor will
question for practically any company (staff, computers, customers) to a one-line reason in
Japanese and English. The list is content, reviewed with the banks, so it lives in
``question_banks/reference/challenged_exclusions.json``; this module is the one place the code
reads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from types import MappingProxyType

from .banks import Item
from .catalog import catalog
from .i18n import LANGS
from .paths import reference_dir
from .text import display_width

# An Annex A exclusion goes into the SoA as the company's reason: a bare "n/a" is what
# auditors reject. The reason must say why (at least a short sentence) and not be boilerplate.
MIN_JUSTIFICATION_CELLS = 12  # display cells: 6 Japanese characters or 12 Latin ones
_GENERIC = {
    "n/a", "na", "none", "not applicable", "not relevant", "not needed", "no", "-", "nothing",
    "\u8a72\u5f53\u306a\u3057", "\u306a\u3057", "\u5bfe\u8c61\u5916", "\u4e0d\u8981", "\u95a2\u4fc2\u306a\u3057",
}


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


def justification_problem(item: Item, text: str) -> str | None:
    """The catalog key of what is wrong with an exclusion reason for an Annex A item, or None.

    Only control items are checked (clauses cannot be excluded; a process step's condition is
    stated by the bank)."""
    if not (item.controls or item.controls_2013):
        return None
    return "error.na_justification_vague" if vague_reason(text) else None


def vague_reason(text: str) -> bool:
    """True when an exclusion reason does not say why (boilerplate or a word or two)."""
    core = re.sub(r"[\s\u3000\u3002\u3001.,:;!()\uff08\uff09]+", " ", text).strip().lower()
    return core in _GENERIC or display_width(core) < MIN_JUSTIFICATION_CELLS


def challenged_exclusion(ref_type: str, control_id: str) -> tuple[str, ...]:
    """The 2022 controls behind ``control_id`` whose exclusion an auditor challenges: the
    control itself (2022) or the 2022 controls a 2013 control feeds."""
    if ref_type == "control":
        ids: tuple[str, ...] = (control_id,)
    else:
        ids = catalog().reverse_mapping().get(control_id, ())
    return tuple(c for c in ids if c in CHALLENGED_EXCLUSIONS)
