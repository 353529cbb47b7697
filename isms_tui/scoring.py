"""Readiness scoring and the stage 1 gate.

Rule (also in the README): implemented counts 1, partial 0.5, not implemented / unknown /
unanswered 0; not applicable is left out; each item counts ``weight`` times. A recurring item
(``every_months``) answered implemented but with no date last done, or done longer ago than
its interval, is overdue and counts as partial. Readiness = earned / possible per section,
bank and overall; coverage = answered items / all items, reported separately with the count
of unknowns.

The stage 1 gate comes from one list: the documented information ISO/IEC 27001:2022 requires
(``mandatory_documented_information`` in ``reference/clauses_2022.json``), one requirement per
clause (4.3, 5.2, 6.1.2, 6.1.3, 6.2, 7.2, 7.5.1, 8.1, 8.2, 8.3, 9.1, 9.2.2, 9.3.3, 10.2). The
items linked to a requirement are the items of the assessment's banks marked ``mandatory``
that reference its clause. A requirement is

- **met** when it has linked items and every one of them is implemented (an item answered
  not applicable under its condition is left out, but at least one must remain);
- **not met** when any linked item is partial, not implemented, unknown, unanswered or
  overdue;
- **not assessed** when no bank of the assessment asks about it.

The gate is ready only when every requirement is met: "not assessed" blocks too.

When the assessment keeps a risk register (criteria, asset ledger, risks), the register
decides 6.1.2, 6.1.3, 8.2 and 8.3 instead of the questions: the rule is in
:attr:`isms_tui.view.AssessmentView.gate`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .banks import Bank, Item
from .catalog import MandatoryDoc, catalog
from .model import Answer
from .refs import CLAUSE, Ref

STATUS_VALUE: dict[str | None, float] = {
    "implemented": 1.0,
    "partial": 0.5,
    "not_implemented": 0.0,
    "unknown": 0.0,
    None: 0.0,
}
# Order used to say one answer is "better" than another (N/A is outside this order).
STATUS_RANK = {None: 0, "unknown": 0, "not_implemented": 0, "partial": 1, "implemented": 2}


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, min(day, 31))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def is_overdue(item: Item, answer: Answer | None, today: date) -> bool:
    """A recurring item that is answered implemented but not done within its interval."""
    if item.every_months is None or answer is None or answer.status != "implemented":
        return False
    if not answer.last_done:
        return True
    try:
        last = date.fromisoformat(answer.last_done)
    except ValueError:
        return True
    return add_months(last, item.every_months) < today


def effective_status(item: Item, answer: Answer | None, today: date) -> str | None:
    status = answer.status if answer else None
    if status == "not_applicable" and not item.na_allowed:
        return None  # stored by an older bank version that allowed it; counts as unanswered
    if is_overdue(item, answer, today):
        return "partial"
    return status


@dataclass
class Score:
    earned: float = 0.0
    possible: float = 0.0
    total: int = 0
    answered: int = 0
    applicable: int = 0
    implemented: int = 0
    unknown: int = 0
    not_applicable: int = 0
    gaps: int = 0  # every applicable item not implemented, unanswered ones included
    unanswered: int = 0  # of the gaps, the items nobody has answered yet

    @property
    def answered_gaps(self) -> int:
        """Real gaps: items answered partial, not implemented or unknown (or overdue)."""
        return self.gaps - self.unanswered

    @property
    def readiness(self) -> float | None:
        return self.earned / self.possible if self.possible else None

    @property
    def answered_readiness(self) -> float | None:
        """Readiness once something is answered: a section nobody has answered has no score
        yet (shown blank, not 0%)."""
        return self.readiness if self.answered else None

    @property
    def coverage(self) -> float | None:
        return self.answered / self.total if self.total else None

    def add(self, item: Item, status: str | None, answered: bool) -> None:
        self.total += 1
        if answered:
            self.answered += 1
        if status == "not_applicable":
            self.not_applicable += 1
            return
        self.applicable += 1
        self.possible += item.weight
        self.earned += item.weight * STATUS_VALUE[status]
        if status == "implemented":
            self.implemented += 1
        else:
            self.gaps += 1
            if not answered:
                self.unanswered += 1
        if status == "unknown":
            self.unknown += 1

    def merge(self, other: Score) -> None:
        for f in ("earned", "possible", "total", "answered", "applicable", "implemented", "unknown", "not_applicable", "gaps", "unanswered"):
            setattr(self, f, getattr(self, f) + getattr(other, f))


GATE_STATES = ("met", "not_met", "not_assessed")


@dataclass
class Requirement:
    """One clause of the stage 1 gate with the documents it requires and the items behind it."""

    ref: Ref
    docs: tuple[MandatoryDoc, ...]
    items: list[Item]
    statuses: dict[str, str | None]  # effective status of each linked item
    state: str
    basis: str = "questions"  # "register": the risk register decided (see AssessmentView.gate)
    issues: tuple = ()  # with basis "register": the risk.Issue items still open

    @property
    def met(self) -> bool:
        return self.state == "met"


@dataclass
class Gate:
    """Stage 1 readiness: ready only when every mandatory requirement is met."""

    requirements: list[Requirement]

    @property
    def ready(self) -> bool:
        return all(r.met for r in self.requirements)

    @property
    def blockers(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.met]

    def count(self, state: str) -> int:
        return sum(1 for r in self.requirements if r.state == state)


def requirement_state(items: list[Item], statuses: Mapping[str, str | None]) -> str:
    if not items:
        return "not_assessed"
    live = [statuses.get(i.id) for i in items if statuses.get(i.id) != "not_applicable"]
    return "met" if live and all(s == "implemented" for s in live) else "not_met"


def build_gate(items: Iterable[Item], statuses: Mapping[str, str | None]) -> Gate:
    cat = catalog()
    mandatory = [i for i in items if i.mandatory]
    reqs = []
    for clause in cat.mandatory_clauses():
        linked = [i for i in mandatory if clause in i.clauses]
        reqs.append(Requirement(
            ref=Ref(CLAUSE, clause),
            docs=tuple(d for d in cat.mandatory_docs if d.clause == clause),
            items=linked,
            statuses={i.id: statuses.get(i.id) for i in linked},
            state=requirement_state(linked, statuses),
        ))
    return Gate(reqs)


@dataclass
class Report:
    overall: Score
    banks: dict[str, Score]
    sections: dict[tuple[str, str], Score]  # (bank id, section id); parents include children
    gate: Gate
    statuses: dict[str, str | None]  # effective status per item id
    overdue: list[str]
    orphans: list[str]  # answered item ids that no included bank knows


def score(banks: Iterable[Bank], answers: Mapping[str, Answer], today: date | None = None) -> Report:
    today = today or date.today()
    overall = Score()
    bank_scores: dict[str, Score] = {}
    sections: dict[tuple[str, str], Score] = {}
    statuses: dict[str, str | None] = {}
    overdue: list[str] = []
    known: set[str] = set()
    all_items: list[Item] = []
    for bank in banks:
        bscore = Score()
        parents = {s.id: s.parent for s in bank.sections}
        for sec in bank.sections:
            sections[(bank.id, sec.id)] = Score()
        for item in bank.items:
            known.add(item.id)
            all_items.append(item)
            answer = answers.get(item.id)
            status = effective_status(item, answer, today)
            statuses[item.id] = status
            answered = answer is not None and answer.status is not None
            if is_overdue(item, answer, today):
                overdue.append(item.id)
            bscore.add(item, status, answered)
            overall.add(item, status, answered)
            sec_id: str | None = item.section_id
            while sec_id is not None:
                sections[(bank.id, sec_id)].add(item, status, answered)
                sec_id = parents.get(sec_id)
        bank_scores[bank.id] = bscore
    gate = build_gate(all_items, statuses)
    orphans = sorted(k for k, a in answers.items() if k not in known and not a.is_empty)
    return Report(overall, bank_scores, sections, gate, statuses, overdue, orphans)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"
