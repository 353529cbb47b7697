"""The facts the banks refer to: Annex A controls of both editions, clauses 4-10, the
2013->2022 correspondence and the seed's process steps (``question_banks/reference``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

from .paths import reference_dir


@dataclass(frozen=True)
class Entry:
    id: str
    title: dict[str, str]
    group: str = ""  # theme (2022), objective (2013), parent clause, phase
    new_in_2022: bool = False
    every_months: int | None = None
    order: int = 0

    def label(self, lang: str) -> str:
        return f"{self.id} {self.title[lang]}"


@dataclass(frozen=True)
class MandatoryDoc:
    """One piece of documented information ISO/IEC 27001:2022 requires (clause 4.3 scope,
    5.2 policy, 6.1.3 d) SoA...): what a stage 1 auditor must be able to see."""

    ref: str  # "6.1.3 d)"
    clause: str  # "6.1.3"
    type: str  # "document" | "record"
    title: dict[str, str]


@dataclass(frozen=True)
class Phase:
    id: str
    title: dict[str, str]
    months: int | None
    steps: tuple[Entry, ...]


@dataclass(frozen=True)
class Catalog:
    controls_2022: dict[str, Entry]
    themes_2022: dict[str, dict[str, str]]
    controls_2013: dict[str, Entry]
    domains_2013: dict[str, dict[str, str]]
    objectives_2013: dict[str, Entry]
    clauses: dict[str, Entry]
    mapping: dict[str, tuple[str, ...]]  # 2022 id -> 2013 ids
    phases: tuple[Phase, ...]
    steps: dict[str, Entry] = field(default_factory=dict)
    mandatory_docs: tuple[MandatoryDoc, ...] = ()

    def mandatory_clauses(self) -> tuple[str, ...]:
        """The clauses that require documented information, in the standard's order (each
        is one requirement of the stage 1 gate, whatever the number of documents under it)."""
        seen: dict[str, None] = {}
        for doc in self.mandatory_docs:
            seen.setdefault(doc.clause, None)
        return tuple(sorted(seen, key=lambda c: self.clauses[c].order))

    def reverse_mapping(self) -> dict[str, tuple[str, ...]]:
        """2013 id -> the 2022 ids it feeds."""
        rev: dict[str, list[str]] = {}
        for new, olds in self.mapping.items():
            for old in olds:
                rev.setdefault(old, []).append(new)
        return {k: tuple(v) for k, v in rev.items()}


def _load(name: str):
    with open(reference_dir() / name, encoding="utf-8") as fh:
        return json.load(fh)


@cache
def catalog() -> Catalog:
    a22 = _load("annex_a_2022.json")
    controls_2022 = {
        c["id"]: Entry(c["id"], c["title"], c["theme"], c["new_in_2022"], order=i)
        for i, c in enumerate(a22["controls"])
    }
    a13 = _load("annex_a_2013.json")
    controls_2013 = {
        c["id"]: Entry(c["id"], c["title"], c["objective"], order=i) for i, c in enumerate(a13["controls"])
    }
    objectives = {o["id"]: Entry(o["id"], o["title"], o["domain"]) for o in a13["objectives"]}
    cl = _load("clauses_2022.json")
    clauses = {
        c["id"]: Entry(c["id"], c["title"], c["parent"] or "", order=i) for i, c in enumerate(cl["clauses"])
    }
    mapping = {k: tuple(v) for k, v in _load("mapping_2013_2022.json").items()}
    phases = []
    steps: dict[str, Entry] = {}
    for ph in _load("process_steps.json")["phases"]:
        entries = tuple(
            Entry(s["id"], s["title"], ph["id"], every_months=s.get("every_months"), order=s["order"])
            for s in ph["steps"]
        )
        steps.update({e.id: e for e in entries})
        phases.append(Phase(ph["id"], ph["title"], ph.get("typical_duration_months"), entries))
    return Catalog(
        controls_2022=controls_2022,
        themes_2022={t["id"]: t["title"] for t in a22["themes"]},
        controls_2013=controls_2013,
        domains_2013={d["id"]: d["title"] for d in a13["domains"]},
        objectives_2013=objectives,
        clauses=clauses,
        mapping=mapping,
        phases=tuple(phases),
        steps=steps,
        mandatory_docs=tuple(
            MandatoryDoc(d["ref"], d["clause"], d["type"], d["title"]) for d in cl["mandatory_documented_information"]
        ),
    )
