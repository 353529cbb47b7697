"""The action plan: every gap becomes an action with a priority and a suggested due date.

An action has its own identity and a source: ``question:<item id>`` for a question that is not
yet implemented today; a risk treatment, an audit finding or a workshop's parked item can add
actions of their own kind. The user's edits (owner, due, status, progress) are stored by action
id and laid over the computed defaults, so re-scoring keeps them.

Priority (also in the README):
  1 (high)   a mandatory item not implemented, or a weight-3 item not implemented / unknown /
             unanswered;
  2 (medium) a weight-3 item partly done, a weight-2 item not implemented / unknown /
             unanswered, or a recurring activity that is overdue;
  3 (low)    everything else (weight-1 gaps, weight-2 items partly done).

Suggested due dates are laid out backwards from the target audit date (the stage 1 audit
for a first certification, the surveillance or recertification audit for a renewal) along
the seed's timeline: about four months to build the ISMS, about three months of audit
process. The certification body is chosen four to five months before stage 1 and applied to
right after: bodies book their auditors months ahead. :func:`schedule` gives each process step
a window; an action is due at the end of the window of the step it belongs to.

Each action names its deliverable, "what exists when this is done": the first evidence
example of its question, per language (an auditor asks to see exactly that).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from .banks import Bank, Item
from .model import ActionEdit, Answer, question_action_id
from .refs import Ref, labels
from .scoring import Report

SOURCE_KINDS = ("question", "risk", "parked", "document", "finding", "change", "calendar", "sampling")

# Week offsets (start, end) relative to the target audit date T.
_BUILD = {  # the ISMS is built in about 17 weeks and ready two weeks before stage 1
    "acq.scope": (-19, -18), "acq.assets": (-18, -16), "acq.risk_analysis": (-16, -14),
    "acq.risk_treatment": (-14, -12), "acq.objectives": (-13, -12), "acq.documents": (-13, -10),
    "acq.training": (-11, -9), "acq.operation": (-10, -2), "acq.monitoring": (-7, -3),
    "acq.internal_audit": (-5, -3), "acq.management_review": (-3, -2),
}
_AUDIT = {  # the body is booked 4-5 months ahead; about three months from stage 1 to the certificate
    "aud.choose_cb": (-22, -18), "aud.apply": (-18, -15), "aud.pre_assessment": (-2, -1),
    "aud.stage1": (0, 0), "aud.stage2": (3, 4), "aud.corrective_action": (4, 6),
    "aud.decision": (7, 8), "aud.certification": (8, 9),
}
_MAINTAIN = {  # before a surveillance or recertification audit
    "mnt.laws": (-12, -10), "mnt.assets": (-12, -10), "mnt.risk": (-10, -8), "mnt.objectives": (-8, -6),
    "mnt.training": (-12, -6), "mnt.monitoring": (-12, -4), "mnt.internal_audit": (-8, -5),
    "mnt.management_review": (-4, -2),
}
_CLAUSE_STEP = {
    "4": "acq.scope", "5.1": "acq.scope", "5.2": "acq.documents", "5.3": "acq.documents",
    "6.1.1": "acq.risk_analysis", "6.1.2": "acq.risk_analysis", "6.1.3": "acq.risk_treatment",
    "6.2": "acq.objectives", "6.3": "acq.objectives", "7.1": "acq.documents", "7.2": "acq.training",
    "7.3": "acq.training", "7.4": "acq.documents", "7.5": "acq.documents", "8.1": "acq.operation",
    "8.2": "acq.risk_analysis", "8.3": "acq.risk_treatment", "9.1": "acq.monitoring",
    "9.2": "acq.internal_audit", "9.3": "acq.management_review", "10": "acq.management_review",
}
# Annex A gaps: the most urgent must be in place before operation starts, the rest before
# the internal audit looks at them.
_ANNEX_STEP = {1: "acq.documents", 2: "acq.training", 3: "acq.monitoring"}
_RENEWAL_WEEKS = {1: -8, 2: -6, 3: -4}


def schedule(target: date, kind: str = "initial") -> dict[str, tuple[date, date]]:
    """Suggested (start, end) dates of each process step for an audit on ``target``."""
    weeks = _MAINTAIN if kind == "renewal" else _BUILD | _AUDIT
    return {s: (target + timedelta(weeks=a), target + timedelta(weeks=b)) for s, (a, b) in weeks.items()}


def priority(item: Item, status: str | None, overdue: bool) -> int:
    missing = status in (None, "unknown", "not_implemented")
    if (item.mandatory and status != "implemented") or (item.weight == 3 and missing):
        return 1
    if (item.weight == 3 and status == "partial") or (item.weight == 2 and missing) or overdue:
        return 2
    return 3


def _step_for(item: Item, prio: int) -> str | None:
    if item.steps:
        return item.steps[0]
    for clause in item.clauses:
        parts = clause.split(".")
        for n in range(len(parts), 0, -1):
            key = ".".join(parts[:n])
            if key in _CLAUSE_STEP:
                return _CLAUSE_STEP[key]
    return _ANNEX_STEP[prio]


def suggested_due(item: Item, prio: int, target: date | None, kind: str) -> date | None:
    if target is None:
        return None
    step = _step_for(item, prio)
    if kind == "renewal":
        if step and step.startswith("mnt."):
            return schedule(target, kind)[step][1]
        return target + timedelta(weeks=_RENEWAL_WEEKS[prio])
    windows = schedule(target, kind)
    if step in windows:
        return windows[step][1]
    return target + timedelta(weeks=_RENEWAL_WEEKS[prio])


@dataclass(frozen=True)
class ActionSource:
    """What created an action: its kind and the id of that object."""

    kind: str
    id: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass
class Action:
    id: str  # stable: "question:a22-5.15-1"
    source: ActionSource
    item: Item | None  # the question behind it (source kind "question")
    refs: tuple[Ref, ...]
    what: dict[str, str]  # what to do, per language
    status: str | None  # effective answer status of the source question
    overdue_recurring: bool
    priority: int
    suggested_due: date | None
    owner: str
    due: date | None
    action_status: str
    progress: str
    deliverable: dict[str, str] = field(default_factory=dict)  # what exists when done, per language

    def deliverable_text(self, lang: str) -> str:
        return self.deliverable.get(lang) or self.deliverable.get("en", "")

    def title(self, lang: str) -> str:
        return self.what.get(lang) or self.what.get("en", "")

    def first_line(self, lang: str) -> str:
        lines = self.title(lang).splitlines()
        return lines[0] if lines else ""

    def ref_label(self, lang: str) -> str:
        return labels(self.refs, lang)

    def is_late(self, today: date) -> bool:
        return self.due is not None and self.due < today and self.action_status != "done"


def seed_due(prio: int, target: date | None, kind: str) -> date | None:
    """Suggested due date of an action that is not a question (a risk treatment puts controls
    in place: due like an Annex A gap of the same priority)."""
    if target is None:
        return None
    if kind == "renewal":
        return target + timedelta(weeks=_RENEWAL_WEEKS[prio])
    return schedule(target, kind)[_ANNEX_STEP[prio]][1]


@dataclass(frozen=True)
class ActionSeed:
    """Work that another kind of object creates (a risk treatment; later audit findings and
    parked items): :func:`build_plan` turns it into an :class:`Action` with the same identity
    rules, suggested due dates and user edits as a question's action."""

    source: ActionSource
    what: dict[str, str]
    refs: tuple[Ref, ...]
    priority: int
    owner: str = ""
    due: str | None = None


def deliverable(item: Item) -> dict[str, str]:
    """What exists when the action on ``item`` is done: its first evidence example, per language."""
    return {lang: examples[0] for lang, examples in item.evidence.items() if examples}


def _as_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def build_plan(
    banks: Iterable[Bank],
    report: Report,
    answers: Mapping[str, Answer],
    edits: Mapping[str, ActionEdit],
    *,
    target_date: str | None,
    kind: str,
    seeds: Iterable[ActionSeed] = (),
) -> list[Action]:
    """One action per gap and per seed (e.g. a risk treatment), most urgent first; the user's
    edits (by action id) are laid over the computed defaults, so re-scoring keeps them."""
    target = _as_date(target_date)
    overdue = set(report.overdue)
    plan: list[tuple[tuple, Action]] = []
    order = 0
    for bank in banks:
        for item in bank.items:
            order += 1
            status = report.statuses.get(item.id)
            if status in ("implemented", "not_applicable"):
                continue
            prio = priority(item, status, item.id in overdue)
            sdue = suggested_due(item, prio, target, kind)
            answer = answers.get(item.id)
            action_id = question_action_id(item.id)
            edit = edits.get(action_id)
            owner = (edit.owner if edit and edit.owner is not None else None) or (answer.owner if answer else "")
            due = _as_date(edit.due if edit and edit.due else None) or _as_date(answer.due if answer else None) or sdue
            act = Action(
                id=action_id,
                source=ActionSource("question", item.id),
                item=item,
                refs=item.shown_refs,
                what=dict(item.action),
                status=status,
                overdue_recurring=item.id in overdue,
                priority=prio,
                suggested_due=sdue,
                owner=owner or "",
                due=due,
                action_status=edit.status if edit else "todo",
                progress=edit.progress if edit else "",
                deliverable=deliverable(item),
            )
            plan.append(((prio, -item.weight, not item.mandatory, order), act))
    for seed in seeds:
        order += 1
        action_id = seed.source.key
        edit = edits.get(action_id)
        sdue = seed_due(seed.priority, target, kind)
        owner = (edit.owner if edit and edit.owner is not None else None) or seed.owner
        due = _as_date(edit.due if edit and edit.due else None) or _as_date(seed.due) or sdue
        act = Action(
            id=action_id, source=seed.source, item=None, refs=seed.refs, what=dict(seed.what), status=None,
            overdue_recurring=False, priority=seed.priority, suggested_due=sdue, owner=owner or "", due=due,
            action_status=edit.status if edit else "todo", progress=edit.progress if edit else "",
        )
        # a treatment the risk criteria require ranks like a mandatory item of the same priority
        plan.append(((seed.priority, -3, False, order), act))
    plan.sort(key=lambda p: p[0])
    return [a for _, a in plan]
