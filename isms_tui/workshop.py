"""Workshops: a consultant-run session on a shared screen, with the room deciding together.

What a workshop keeps, in four tables of the assessment file (schema 4):

- ``participants``: who takes part, across sessions (name, role or department);
- ``workshops``: each session — its agenda (sections of the banks, in order), an optional time
  box per section, who is in the room, the current speaker, when it started and ended;
- ``history``: every change of an answer's status, with who decided it (a participant, the
  room's consensus, or nobody named) and in which session: what the minutes and "who decided
  what" are built from;
- ``parked``: items the room parks for later (a disagreement, a question for IT, evidence to
  find), each with a note, an owner and a date. An open parked item is a plan action of its
  own (source kind ``parked``) until it is resolved.

The rules (what a session answered, which answers changed, which new gaps became actions) are
here and in :mod:`isms_tui.view`; screens and exports only show them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime

from .banks import Bank, Item
from .i18n import LANGS, t
from .model import GAP_STATUSES, STATUSES, ValidationError, known_fields, new_id, now_iso, parse_date
from .plan import ActionSeed, ActionSource
from .text import clean, one_line

CONSENSUS = "consensus"  # the room decided together (shown as 合意 / consensus)
PARKED_STATES = ("open", "resolved")
PARKED_PRIORITY = 2  # an open question the room could not settle: before the low-priority gaps
WORKSHOP_TABLES = ("participants", "workshops", "history", "parked")


def section_key(bank_id: str, section_id: str) -> str:
    """An agenda entry: one section of one bank."""
    return f"{bank_id}/{section_id}"






@dataclass
class Participant:
    name: str
    role: str = ""  # role or department: "IT", "総務"
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now_iso)

    def __post_init__(self) -> None:
        self.name, self.role = one_line(self.name), one_line(self.role)
        if not self.name:
            raise ValidationError("error.participant_name")

    def label(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> Participant:
        p = cls(**known_fields(cls, doc))
        if not all(isinstance(v, str) for v in (p.id, p.created)):
            raise ValueError("bad participant")
        return p


def parse_participants(text: str) -> list[tuple[str, str]]:
    """"Tanaka (IT); Suzuki (HR)" -> [("Tanaka", "IT"), ("Suzuki", "HR")]. Entries are split
    at ";", "," or a Japanese comma; a role is in ASCII or full-width parentheses."""
    out = []
    for raw in clean(text, multiline=False).replace("\u3001", ",").replace(";", ",").split(","):
        entry = raw.strip().replace("\uff08", "(").replace("\uff09", ")")
        if not entry:
            continue
        name, role = entry, ""
        if entry.endswith(")") and "(" in entry:
            name, _, role = entry[:-1].partition("(")
        out.append((name.strip() or entry, role.strip()))
    return out


@dataclass
class Workshop:
    """One session of the room."""

    title: str = ""
    agenda: list[str] = field(default_factory=list)  # section keys, in the order of the day
    timebox: dict[str, int] = field(default_factory=dict)  # minutes per agenda entry (optional)
    participants: list[str] = field(default_factory=list)  # participant ids in the room
    speaker: str = ""  # participant id, CONSENSUS, or "" (nobody named)
    section_started: dict[str, str] = field(default_factory=dict)  # agenda entry -> when the room reached it
    started: str = field(default_factory=now_iso)
    ended: str | None = None
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        self.title = one_line(self.title)
        for minutes in self.timebox.values():
            if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 < minutes <= 600:
                raise ValidationError("error.bad_timebox", value=str(minutes))

    @property
    def active(self) -> bool:
        return self.ended is None

    def remaining(self, key: str, now: datetime | None = None) -> int | None:
        """Minutes left in an agenda section's time box (negative when over), or None when the
        section has no time box or the room has not reached it yet."""
        minutes = self.timebox.get(key)
        started = self.section_started.get(key)
        if minutes is None or started is None:
            return None
        now = now or datetime.fromisoformat(now_iso())
        spent = (now - datetime.fromisoformat(started)).total_seconds() / 60
        return math.ceil(minutes - spent) if spent <= minutes else -math.ceil(spent - minutes)

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> Workshop:
        w = cls(**known_fields(cls, doc))
        if not (isinstance(w.agenda, list) and all(isinstance(a, str) for a in w.agenda)
                and isinstance(w.participants, list) and all(isinstance(p, str) for p in w.participants)
                and isinstance(w.timebox, dict) and isinstance(w.section_started, dict)
                and isinstance(w.speaker, str) and (w.ended is None or isinstance(w.ended, str))):
            raise ValueError("bad workshop")
        for stamp in (w.started, w.ended, *w.section_started.values()):
            if stamp is not None:
                datetime.fromisoformat(stamp)
        return w


def parse_timebox(text: str, agenda: list[str]) -> dict[str, int]:
    """"30" gives every agenda section 30 minutes; "30, 20, 45" gives them in order (fewer
    numbers than sections: the rest have none). Empty: no time box."""
    parts = [p.strip() for p in clean(text, multiline=False).replace("\u3001", ",").split(",") if p.strip()]
    if not parts:
        return {}
    try:
        minutes = [int(p) for p in parts]
    except ValueError:
        raise ValidationError("error.bad_timebox", value=text.strip()) from None
    if any(not 0 < m <= 600 for m in minutes):
        raise ValidationError("error.bad_timebox", value=text.strip())
    if len(minutes) == 1:
        return {key: minutes[0] for key in agenda}
    return {key: m for key, m in zip(agenda, minutes, strict=False)}


@dataclass
class AnswerEvent:
    """One change of an answer's status: who decided it, when, in which session."""

    item_id: str
    before: str | None
    after: str | None
    by: str = ""  # participant id, CONSENSUS or ""
    workshop: str = ""  # session id, "" outside a workshop
    at: str = field(default_factory=now_iso)
    id: str = field(default_factory=new_id)

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> AnswerEvent:
        e = cls(**known_fields(cls, doc))
        if not isinstance(e.item_id, str) or e.before not in (None, *STATUSES) or e.after not in (None, *STATUSES):
            raise ValueError("bad history entry")
        datetime.fromisoformat(e.at)
        return e


@dataclass
class ParkedItem:
    """An item the room put aside, with what is open and who takes it."""

    item_id: str
    note: str
    owner: str = ""
    due: str | None = None
    state: str = "open"
    resolution: str = ""  # how it was settled (when resolved)
    workshop: str = ""  # the session that parked it
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)

    def __post_init__(self) -> None:
        self.note = clean(self.note or "").strip()
        self.owner = one_line(self.owner)
        self.resolution = clean(self.resolution or "").strip()
        self.due = parse_date(self.due, what="due")
        if not self.note:
            raise ValidationError("error.parked_note")
        if self.state not in PARKED_STATES:
            raise ValidationError("error.bad_choice", field="state", choices=", ".join(PARKED_STATES))

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> ParkedItem:
        p = cls(**known_fields(cls, doc))
        if not isinstance(p.item_id, str):
            raise ValueError("bad parked item")
        return p


@dataclass
class WorkshopData:
    """What an assessment stores about its workshops."""

    participants: dict[str, Participant] = field(default_factory=dict)
    workshops: dict[str, Workshop] = field(default_factory=dict)  # by start time
    history: list[AnswerEvent] = field(default_factory=list)  # by time
    parked: dict[str, ParkedItem] = field(default_factory=dict)  # by creation time

    @property
    def active(self) -> Workshop | None:
        """The session in progress (at most one)."""
        return next((w for w in reversed(self.workshops.values()) if w.active), None)

    @property
    def last(self) -> Workshop | None:
        return next(reversed(self.workshops.values()), None)

    def who(self, by: str, lang: str) -> str:
        """How a decision's author reads: a participant's name and role, 合意 / consensus."""
        if by == CONSENSUS:
            return t("workshop.consensus", lang)
        p = self.participants.get(by)
        return p.label() if p else by

    def events(self, workshop_id: str) -> list[AnswerEvent]:
        return [e for e in self.history if e.workshop == workshop_id]

    def open_parked(self) -> list[ParkedItem]:
        return [p for p in self.parked.values() if p.is_open]

    def speakers(self, workshop: Workshop) -> list[str]:
        """Who can be the current speaker, in the order one key cycles through them."""
        present = [p for p in workshop.participants if p in self.participants]
        return [*present, CONSENSUS]

    @classmethod
    def from_tables(cls, data: Mapping) -> WorkshopData:
        """Read the four tables of a file (a missing table reads as empty; a damaged row is
        skipped, never rewritten)."""
        out = cls()
        for table, build in (("participants", Participant.from_doc), ("workshops", Workshop.from_doc),
                             ("history", AnswerEvent.from_doc), ("parked", ParkedItem.from_doc)):
            rows = []
            for doc in (data.get(table) or {}).values():
                try:
                    rows.append(build(doc))
                except (TypeError, ValueError, KeyError, AttributeError):
                    continue
            if table == "participants":
                out.participants = {p.id: p for p in sorted(rows, key=lambda p: p.created)}
            elif table == "workshops":
                out.workshops = {w.id: w for w in sorted(rows, key=lambda w: w.started)}
            elif table == "history":
                out.history = sorted(rows, key=lambda e: e.at)
            else:
                out.parked = {p.id: p for p in sorted(rows, key=lambda p: p.created)}
        return out

    def to_tables(self) -> dict[str, list[dict]]:
        return {
            "participants": [p.to_doc() for p in self.participants.values()],
            "workshops": [w.to_doc() for w in self.workshops.values()],
            "history": [e.to_doc() for e in self.history],
            "parked": [p.to_doc() for p in self.parked.values()],
        }

    @property
    def exists(self) -> bool:
        return bool(self.participants or self.workshops or self.history or self.parked)


def check_tables(data: Mapping) -> str | None:
    """Why a stored workshop row is not valid, or None (files are data from disk)."""
    for table, build in (("participants", Participant.from_doc), ("workshops", Workshop.from_doc),
                         ("history", AnswerEvent.from_doc), ("parked", ParkedItem.from_doc)):
        for doc_id, doc in (data.get(table) or {}).items():
            try:
                build(doc)
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                return f"{table} record {doc_id}: {str(exc)[:80] or type(exc).__name__}"
    return None


def parked_seeds(data: WorkshopData, items: Mapping[str, Item]) -> list[ActionSeed]:
    """One plan action per open parked item (source kind ``parked``), owned and dated as the
    room decided, referenced like its question."""
    out = []
    for p in data.open_parked():
        item = items.get(p.item_id)
        if item is None:  # a bank no longer selected: the parked note still needs an answer
            what = {lg: t("parked.action_unknown", lg, note=p.note, id=p.item_id) for lg in LANGS}
            refs: tuple = ()
        else:
            what = {lg: t("parked.action", lg, note=p.note, title=item.title(lg)) for lg in LANGS}
            refs = item.shown_refs
        out.append(ActionSeed(source=ActionSource("parked", p.id), what=what, refs=refs,
                              priority=PARKED_PRIORITY, owner=p.owner, due=p.due))
    return out


# -- the end of a session ---------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """An answer a session touched: its status before the session and after it."""

    item: Item
    before: str | None
    after: str | None
    by: str  # who decided the last change


@dataclass(frozen=True)
class AgendaProgress:
    key: str
    bank: Bank
    section_id: str
    answered: int
    total: int
    timebox: int | None


@dataclass
class WorkshopSummary:
    workshop: Workshop
    participants: list[Participant]
    answered: list[Change]  # answered for the first time in this session
    changed: list[Change]  # had an answer before and it changed
    parked: list[ParkedItem]  # parked in this session (open or resolved since)
    new_actions: list  # plan actions on the gaps this session found, with owner and due date
    contradictions: list  # contradictions that involve an item touched in this session
    agenda: list[AgendaProgress]

    @property
    def minutes(self) -> int | None:
        """How long the session ran (to now while it is running)."""
        try:
            start = datetime.fromisoformat(self.workshop.started)
            end = datetime.fromisoformat(self.workshop.ended or now_iso())
        except ValueError:
            return None
        return max(0, int((end - start).total_seconds() // 60))


def session_changes(events: Iterable[AnswerEvent], items: Mapping[str, Item]) -> tuple[list[Change], list[Change]]:
    """(answered for the first time, changed) in one session: several changes of one item
    collapse to its first "before" and last "after"; an item changed back is left out."""
    first: dict[str, AnswerEvent] = {}
    last: dict[str, AnswerEvent] = {}
    for e in events:
        first.setdefault(e.item_id, e)
        last[e.item_id] = e
    answered, changed = [], []
    for item_id, e0 in first.items():
        item = items.get(item_id)
        if item is None:
            continue
        e1 = last[item_id]
        change = Change(item, e0.before, e1.after, e1.by)
        if e0.before is None and e1.after is not None:
            answered.append(change)
        elif e0.before != e1.after:
            changed.append(change)
    return answered, changed


def is_new_gap(change: Change) -> bool:
    """The session found a gap: the answer says partial / not implemented / unknown now and
    did not before."""
    return change.after in GAP_STATUSES and change.after is not None and change.before not in GAP_STATUSES[:-1]
