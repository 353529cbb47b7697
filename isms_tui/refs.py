"""Typed references: what a question, a gate requirement or an action refers to.

Clause numbers and Annex A control numbers collide (clause 6.2 "Information security
objectives" vs control A.6.2 "Terms and conditions of employment"), so a reference always
carries its type and is written the way practitioners write it: "Clause 6.2" (ja: kajo 6.2),
"A.6.2", "A.6.1.2 (2013)". Its title is looked up in the table of its own type only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import catalog
from .i18n import t

CLAUSE = "clause"          # ISO/IEC 27001:2022 clauses 4-10 ("6.1.2")
CONTROL = "control"        # ISO/IEC 27001:2022 Annex A controls ("5.15")
CONTROL_2013 = "control_2013"  # ISO/IEC 27001:2013 Annex A controls ("A.9.1.1")
STEP = "step"              # a step of the certification process ("acq.scope")
REF_TYPES = (CONTROL, CONTROL_2013, CLAUSE, STEP)


@dataclass(frozen=True, order=True)
class Ref:
    type: str
    id: str

    def __post_init__(self) -> None:
        if self.type not in REF_TYPES:
            raise ValueError(f"unknown reference type {self.type!r}")

    @property
    def key(self) -> str:
        """A stable, unambiguous string form for files and JSON: ``clause:6.2``."""
        return f"{self.type}:{self.id}"

    @classmethod
    def parse(cls, key: str) -> Ref:
        kind, _, rid = key.partition(":")
        return cls(kind, rid)

    def label(self, lang: str) -> str:
        """How a practitioner writes it: "Clause 6.2" (catalog key ref.clause), "A.6.2", "A.6.1.2 (2013)";
        a process step by its name."""
        if self.type == CLAUSE:
            return t("ref.clause", lang, id=self.id)
        if self.type == CONTROL:
            return f"A.{self.id}"
        if self.type == CONTROL_2013:
            return t("ref.control_2013", lang, id=self.id)
        return self.title(lang) or self.id

    def title(self, lang: str) -> str:
        """The title from the table of this reference's own type ("" when unknown)."""
        cat = catalog()
        table = {CLAUSE: cat.clauses, CONTROL: cat.controls_2022, CONTROL_2013: cat.controls_2013, STEP: cat.steps}[self.type]
        entry = table.get(self.id)
        return entry.title[lang] if entry else ""

    def known(self) -> bool:
        cat = catalog()
        table = {CLAUSE: cat.clauses, CONTROL: cat.controls_2022, CONTROL_2013: cat.controls_2013, STEP: cat.steps}[self.type]
        return self.id in table

    def full(self, lang: str) -> str:
        """Label and title: "Clause 6.2 Information security objectives and planning to achieve them"."""
        if self.type == STEP:
            return self.label(lang)
        title = self.title(lang)
        return f"{self.label(lang)} {title}" if title else self.label(lang)

    def to_json(self, lang: str) -> dict:
        return {"type": self.type, "id": self.id, "label": self.label(lang), "title": self.title(lang)}


def labels(refs: tuple[Ref, ...] | list[Ref], lang: str) -> str:
    return ", ".join(r.label(lang) for r in refs)
