"""Changes since the last cycle (table ``changes``, schema 10).

Every surveillance and recertification audit reviews what changed since the last audit
(ISO/IEC 27001 clauses 4.1, 4.2, 6.3, 8.2 and 9.3.2 b). A next-cycle assessment
(:mod:`isms_tui.next_cycle`) therefore asks, at its start, one question per topic of
:data:`CHANGE_TOPICS`: the scope, the organization, the systems, the suppliers, and the laws,
regulations and contracts. Each is answered "no change" or "changed" with a description.

- A topic nobody has answered yet is listed on the dashboard and in the report (the audit
  asks about it).
- A described change is plan work (source kind ``change``, id ``change:<topic>``): review its
  effect on the risk assessment and the Statement of Applicability (clauses 8.2 and 6.1.3 d).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields

from .i18n import LANGS, t
from .model import ValidationError, now_iso
from .plan import ActionSeed, ActionSource
from .refs import CLAUSE, Ref
from .text import clean

CHANGES_TABLE = "changes"
CHANGE_TOPICS = ("scope", "organization", "systems", "suppliers", "laws")
CHANGE_ANSWERS = ("no_change", "changed")
# what a described change makes the company look at again: the risk assessment (8.2, 6.1.2)
# and the Statement of Applicability (6.1.3 d)
CHANGE_REFS = (Ref(CLAUSE, "8.2"), Ref(CLAUSE, "6.1.3"))
CHANGE_PRIORITY = 2


@dataclass
class ChangeRecord:
    """The answer to one change question: None (not answered yet), "no_change" or "changed"
    with a description of what changed."""

    topic: str
    answer: str | None = None
    description: str = ""
    updated: str = field(default_factory=now_iso)

    def __post_init__(self) -> None:
        if self.topic not in CHANGE_TOPICS:
            raise ValidationError("error.bad_choice", field="topic", choices=", ".join(CHANGE_TOPICS))
        if self.answer not in (None, *CHANGE_ANSWERS):
            raise ValidationError("error.bad_choice", field="change", choices=", ".join(CHANGE_ANSWERS))
        if not isinstance(self.description, str) or not isinstance(self.updated, str):
            raise ValidationError("error.change.bad_record", topic=self.topic)
        self.description = clean(self.description).strip()
        if self.answer == "changed" and not self.description:
            raise ValidationError("error.change.description_required", topic=t(f"change.topic.{self.topic}", "en"))

    @property
    def answered(self) -> bool:
        return self.answer is not None

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> ChangeRecord:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in doc.items() if k in names})


@dataclass
class ChangesData:
    """The change questions of an assessment, by topic (empty: not a next cycle)."""

    records: dict[str, ChangeRecord] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return bool(self.records)

    def ordered(self) -> list[ChangeRecord]:
        return [self.records[t_] for t_ in CHANGE_TOPICS if t_ in self.records]

    def unanswered(self) -> list[ChangeRecord]:
        return [r for r in self.ordered() if not r.answered]

    def changed(self) -> list[ChangeRecord]:
        return [r for r in self.ordered() if r.answer == "changed"]

    @classmethod
    def asked(cls) -> ChangesData:
        """Every change question, not answered yet (the start of a next cycle)."""
        return cls({topic: ChangeRecord(topic) for topic in CHANGE_TOPICS})

    @classmethod
    def from_tables(cls, data: Mapping) -> ChangesData:
        """Read the table of a file (a damaged row is skipped here: :func:`check_tables`
        marks such a file damaged before this is read)."""
        out: dict[str, ChangeRecord] = {}
        for doc in (data.get(CHANGES_TABLE) or {}).values():
            try:
                r = ChangeRecord.from_doc(doc)
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
            out[r.topic] = r
        return cls(out)

    def to_tables(self) -> dict[str, list[dict]]:
        return {CHANGES_TABLE: [r.to_doc() for r in self.ordered()]}


def check_tables(data: Mapping) -> str | None:
    """Why a stored change record is not valid, or None (files are data from disk)."""
    for doc_id, doc in (data.get(CHANGES_TABLE) or {}).items():
        try:
            ChangeRecord.from_doc(doc)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            return f"{CHANGES_TABLE} record {doc_id}: {str(exc)[:80] or type(exc).__name__}"
    return None


def change_action_id(topic: str) -> str:
    return ActionSource("change", topic).key


def change_seeds(data: ChangesData) -> list[ActionSeed]:
    """One plan action per described change (source kind ``change``): review its effect on
    the risk assessment and the Statement of Applicability."""
    return [ActionSeed(source=ActionSource("change", r.topic),
                       what={lg: t("change.action", lg, topic=t(f"change.topic.{r.topic}", lg), description=r.description)
                             for lg in LANGS},
                       refs=CHANGE_REFS, priority=CHANGE_PRIORITY)
            for r in data.changed()]


def change_answer(record: ChangeRecord, lang: str) -> str:
    """The answer to one change question: "no change", "changed — <what>", "not answered"."""
    if record.answer is None:
        return t("change.line.unanswered", lang)
    if record.answer == "no_change":
        return t("change.line.no_change", lang)
    return t("change.line.changed", lang, description=clean(record.description, multiline=False))


def change_text(record: ChangeRecord, lang: str) -> str:
    """One change question and its answer, as the report and the dashboard write it:
    "Scope: no change", "Suppliers: changed — new cloud provider", "Laws: not answered"."""
    return f"{t(f'change.topic.{record.topic}', lang)}: {change_answer(record, lang)}"
