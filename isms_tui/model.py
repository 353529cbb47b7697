"""Assessments and answers: the vocabulary the rest of the app shares."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, date, datetime

from .i18n import LANGS, t
from .text import clean

STATUSES = ("implemented", "partial", "not_implemented", "not_applicable", "unknown")
GAP_STATUSES = ("partial", "not_implemented", "unknown", None)  # None: unanswered
KINDS = ("initial", "renewal", "pre_audit")
EDITIONS = ("2022", "2013")
ACTION_STATUSES = ("todo", "in_progress", "done")


class UserError(Exception):
    """An error meant for the user: a catalog key and its parameters, shown as one line in
    the user's language (``message(lang)``), never as a traceback. ``str()`` is English."""

    def __init__(self, key: str, /, **params: object):
        self.key = key
        self.params = params
        super().__init__(t(key, "en", **params))

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.params)


class ValidationError(UserError, ValueError):
    """A value the user typed that the core refuses (shown to the user as it is)."""


def known_fields(cls: type, doc: Mapping) -> dict:
    """The items of a stored document that are fields of dataclass ``cls`` (a newer file's
    unknown fields are kept on disk and ignored here)."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in doc.items() if k in names}


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def new_id() -> str:
    """Eight hex characters, the first a letter: an id never reads as a number (``12345678``,
    ``12e45678``) in Excel, a shell or a spreadsheet import."""
    return secrets.choice("abcdef") + secrets.token_hex(4)[1:]


def parse_date(value: str | date | None, *, what: str = "date") -> str | None:
    """Normalise a user date to ``YYYY-MM-DD`` (or None for empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(clean(value, multiline=False).strip()).isoformat()
    except ValueError:
        raise ValidationError("error.bad_date", field=what, value=str(value)) from None


def default_banks(edition: str, kind: str) -> list[str]:
    """The banks a new assessment starts with, in the order they are worked through."""
    annex = "annex-a-2022" if edition == "2022" else "annex-a-2013"
    if kind == "pre_audit":
        return ["clauses-2022", "process-certification-audit", annex]
    if kind == "renewal":
        return ["process-maintenance", "clauses-2022", annex]
    return ["process-acquisition", "clauses-2022", annex, "process-certification-audit"]


@dataclass
class Assessment:
    organization: str
    scope: str = ""
    kind: str = "initial"
    edition: str = "2022"
    lang: str = "ja"
    banks: list[str] = field(default_factory=list)
    target_date: str | None = None
    certification_date: str | None = None
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)
    source: dict | None = None  # e.g. {"transition_from": "<2013 assessment id>"}

    def __post_init__(self) -> None:
        self.organization = clean(self.organization, multiline=False).strip()
        self.scope = clean(self.scope).strip()
        if not self.organization:
            raise ValidationError("error.org_required")
        if self.kind not in KINDS:
            raise ValidationError("error.bad_choice", field="kind", choices=", ".join(KINDS))
        if self.edition not in EDITIONS:
            raise ValidationError("error.bad_choice", field="edition", choices=", ".join(EDITIONS))
        if self.lang not in LANGS:
            raise ValidationError("error.bad_choice", field="lang", choices=", ".join(LANGS))
        self.target_date = parse_date(self.target_date, what="target date")
        self.certification_date = parse_date(self.certification_date, what="certification date")
        if not self.banks:
            self.banks = default_banks(self.edition, self.kind)

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict) -> Assessment:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in names})


@dataclass
class Answer:
    item_id: str
    status: str | None = None  # None: unanswered (a note may still be kept)
    note: str = ""
    evidence: str = ""
    owner: str = ""
    due: str | None = None
    na_justification: str = ""
    last_done: str | None = None  # for recurring items (every_months)
    answered_by: str = ""  # who entered it outside a workshop (the CLI says "cli")
    decided_by: str = ""  # in a workshop: a participant id or "consensus" (isms_tui.workshop)
    workshop: str = ""  # the workshop session that last set the status
    # carried from the previous cycle as a baseline (isms_tui.next_cycle): "to re-confirm" until
    # someone sets the status again in this cycle (schema 10)
    reconfirm: bool = False
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict) -> Answer:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in names})

    @property
    def is_empty(self) -> bool:
        return self.status is None and not any(
            (self.note, self.evidence, self.owner, self.due, self.na_justification, self.last_done)
        )


def question_action_id(item_id: str) -> str:
    """The id of the action a question creates while it is not implemented."""
    return f"question:{item_id}"


@dataclass
class ActionEdit:
    """What the user changed on an action-plan row, by action id; kept across re-scoring."""

    action_id: str
    owner: str | None = None
    due: str | None = None
    status: str = "todo"
    progress: str = ""
    updated: str = field(default_factory=now_iso)
    source: dict = field(default_factory=dict)  # {"kind": "question", "id": "<item id>"}

    def __post_init__(self) -> None:
        if not self.source:
            kind, _, sid = self.action_id.partition(":")
            self.source = {"kind": kind, "id": sid}

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict) -> ActionEdit:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in names})


# -- what a stored document may hold ------------------------------------------------------------
# Files are data from disk, not from this program: every value is checked on load, so a bad
# value is reported as a damaged file instead of crashing a list, a score or an export.
# A missing field takes its default (older files); an unknown field is kept and ignored.

def _is_day(v: object) -> bool:
    if v is None:
        return True
    if not isinstance(v, str):
        return False
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _is_stamp(v: object) -> bool:
    if not isinstance(v, str):
        return False
    try:
        datetime.fromisoformat(v)
    except ValueError:
        return False
    return True


def _is_text(v: object) -> bool:
    return isinstance(v, str)


def _is_texts(v: object) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _one_of(*allowed: object):
    return lambda v: isinstance(v, str | None) and v in allowed


_CHECKS: dict[type, dict[str, object]] = {
    Assessment: {
        "organization": lambda v: isinstance(v, str) and bool(clean(v, multiline=False).strip()),
        "scope": _is_text, "kind": _one_of(*KINDS), "edition": _one_of(*EDITIONS), "lang": _one_of(*LANGS),
        "banks": _is_texts, "target_date": _is_day, "certification_date": _is_day,
        "id": _is_text, "created": _is_stamp, "updated": _is_stamp, "source": lambda v: v is None or isinstance(v, dict),
    },
    Answer: {
        "item_id": lambda v: isinstance(v, str) and bool(v), "status": _one_of(None, *STATUSES),
        "note": _is_text, "evidence": _is_text, "owner": _is_text, "due": _is_day, "na_justification": _is_text,
        "last_done": _is_day, "answered_by": _is_text, "decided_by": _is_text, "workshop": _is_text,
        "reconfirm": lambda v: isinstance(v, bool), "created": _is_stamp,
        "updated": _is_stamp,
    },
    ActionEdit: {
        "action_id": lambda v: isinstance(v, str) and ":" in v and bool(v.partition(":")[2]),
        "owner": lambda v: v is None or isinstance(v, str),
        "due": _is_day, "status": _one_of(*ACTION_STATUSES), "progress": _is_text, "updated": _is_stamp,
        "source": lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()),
    },
}
_REQUIRED = {Assessment: ("organization",), Answer: ("item_id",), ActionEdit: ("action_id",)}


def check_doc(cls: type, doc: dict) -> str | None:
    """Why ``doc`` is not a valid stored ``cls`` (Assessment, Answer, ActionEdit), or None."""
    for name in _REQUIRED[cls]:
        if name not in doc:
            return f"{name} is missing"
    for name, ok in _CHECKS[cls].items():
        if name in doc and not ok(doc[name]):  # type: ignore[operator]
            shown = repr(doc[name])
            return f"{name} {shown[:40] + '…' if len(shown) > 40 else shown} is not valid"
    return None
