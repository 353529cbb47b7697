"""Getting ready for the certification audit: the stage 1 pack and the stage 2 sampling list.

**Stage 1 pack**: what the stage 1 auditor reviews, requirement by requirement, in
the order a stage 1 review runs (:data:`STAGE1`, grouped by :data:`GROUPS`): scope and context,
policy, risk method and results, SoA and treatment plan, objectives, competence and awareness,
internal audit, management review, corrective action. Each row gathers what the read model
already knows about its requirement (:func:`build_pack`): the auditor's questions (the banks'
``auditor_asks`` of the questions on it, each line once, named by bank and section), the
documents & records register entries (:attr:`AssessmentView.documents`), the effective answer
statuses, the stage 1 gate's issues and the open plan actions on it. Its state is decided in
one place, :func:`row_state`:

- **not assessed**: no question on it is answered and nothing else (the gate's register
  decisions, a register entry past "missing") says how it stands;
- **gaps**: a question not implemented (or not answered while others are), a register entry
  not approved or out of date, a gate issue on it, or an open plan action;
- **ready** otherwise.

**Stage 2 sampling list**: at stage 2 the auditor picks records from the months
the ISMS has been running. The shipped catalogue (``question_banks/reference/sampling.toml``)
lists the record types they sample; the company records, per type (table ``sampling``, schema
7), how many months of records it holds (:data:`MONTHS`), where they are, the date of the
oldest record and a note, or "not applicable" with a reason. The question each row answers is
"have we got 3-6 months?" (:func:`sampling_state`): under three months (or none) is a gap and
a plan action (source kind ``sampling``, id = the record type: :func:`sampling_seeds`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .i18n import LANGS, t
from .model import ValidationError, known_fields, new_id, now_iso, parse_date
from .paths import reference_dir
from .plan import ActionSeed, ActionSource
from .refs import CLAUSE, CONTROL, Ref
from .text import clean, one_line

if TYPE_CHECKING:  # the read model imports this module: only for type hints
    from .banks import Item
    from .documents import CatalogDoc
    from .plan import Action
    from .scoring import Requirement

# The read model (isms_tui.view.AssessmentView) and its DocumentRow: the view imports this
# module, and the core never imports the view (import contract), not even for type hints.
AssessmentView = Any
DocumentRow = Any

# -- the stage 1 pack ------------------------------------------------------------------------
GROUPS = ("scope", "policy", "risk", "soa", "objectives", "competence", "internal_audit", "management_review",
          "corrective_action")
ROW_STATES = ("ready", "gaps", "not_assessed")


@dataclass(frozen=True)
class PackSpec:
    """One requirement the stage 1 auditor reviews: its clause (items on a sub-clause count:
    "7.5" takes 7.5.1-7.5.3), how it is cited when a clause has several parts ("6.1.3 d)"),
    the catalogue documents it expects (documents.toml ids) and, for a part of a clause, the
    questions that ask about that part (the others stay with the clause's own row)."""

    group: str
    clause: str
    cite: str = ""
    documents: tuple[str, ...] = ()
    items: tuple[str, ...] | None = None


# In the order a stage 1 review runs. 6.1.3 is read three times: the treatment process with
# the risk method, then the SoA (d) and the treatment plan (e) on their own.
STAGE1: tuple[PackSpec, ...] = (
    PackSpec("scope", "4.1"), PackSpec("scope", "4.2"), PackSpec("scope", "4.3", documents=("scope",)),
    PackSpec("scope", "4.4"),
    PackSpec("policy", "5.1"), PackSpec("policy", "5.2", documents=("policy",)),
    PackSpec("policy", "5.3", documents=("roles",)),
    PackSpec("risk", "6.1.1"), PackSpec("risk", "6.1.2", documents=("risk_method",)),
    PackSpec("risk", "6.1.3", documents=("risk_treatment_process",)),
    PackSpec("risk", "8.2", documents=("risk_assessment_results",)),
    PackSpec("risk", "8.3", documents=("risk_treatment_results",)),
    PackSpec("soa", "6.1.3", cite="6.1.3 d)", documents=("soa",), items=("cl-6.1.3-2",)),
    PackSpec("soa", "6.1.3", cite="6.1.3 e)", documents=("risk_treatment_plan",), items=("cl-6.1.3-1",)),
    PackSpec("objectives", "6.2", documents=("objectives",)), PackSpec("objectives", "6.3"),
    PackSpec("competence", "7.2", documents=("competence",)), PackSpec("competence", "7.3", documents=("awareness",)),
    PackSpec("competence", "7.5", documents=("determined_necessary",)),
    PackSpec("internal_audit", "9.2", documents=("audit_programme", "audit_results")),
    PackSpec("management_review", "9.3", documents=("management_review",)),
    PackSpec("corrective_action", "10.1"),
    PackSpec("corrective_action", "10.2", documents=("nonconformities", "corrective_action_results")),
)


def on_clause(clause: str, ref_clause: str) -> bool:
    """Whether ``clause`` is ``ref_clause`` or one of its sub-clauses ("9.2.2" is on "9.2")."""
    return clause == ref_clause or clause.startswith(ref_clause + ".")


@dataclass(frozen=True)
class AuditorAsks:
    """The auditor's questions from one place of the banks (a bank and section), each line
    once per row; ``where`` names the place as the questionnaire's header does."""

    where: dict[str, str]
    lines: dict[str, tuple[str, ...]]
    items: tuple[Item, ...]


@dataclass(frozen=True)
class PackRow:
    """One requirement of the stage 1 pack with everything the view knows about it."""

    spec: PackSpec
    ref: Ref
    asks: tuple[AuditorAsks, ...]
    documents: tuple[DocumentRow, ...]  # the register's entries for it
    unlisted: tuple[CatalogDoc, ...]  # the catalogue documents it expects that the register does not list
    items: tuple[Item, ...]
    statuses: dict[str, str | None]  # effective status by item id
    gate: Requirement | None  # the stage 1 gate requirement on it (mandatory documented information)
    issues: tuple  # the gate's issues that concern this row (DocumentIssue, risk Issue)
    actions: tuple[Action, ...]  # open plan actions on it
    state: str

    @property
    def group(self) -> str:
        return self.spec.group

    def label(self, lang: str) -> str:
        """"箇条6.1.3 d)" / "Clause 6.2"."""
        return t("ref.clause", lang, id=self.spec.cite) if self.spec.cite else self.ref.label(lang)

    def title(self, lang: str) -> str:
        """The clause's title; for a part of a clause, the title of the document it asks for."""
        if self.spec.cite and self.spec.documents:
            from .documents import document_catalog

            cat = document_catalog().get(self.spec.documents[0])
            if cat is not None:
                return cat.title[lang]
        return self.ref.title(lang)

    def question_lines(self, lang: str) -> list[str]:
        return [line for a in self.asks for line in a.lines[lang]]


@dataclass(frozen=True)
class PackGroup:
    id: str
    rows: tuple[PackRow, ...]

    def title(self, lang: str) -> str:
        return t(f"pre.group.{self.id}", lang)


def row_state(statuses: Mapping[str, str | None], doc_states: list[str], issues: tuple, open_actions: int,
              register_decided: bool) -> str:
    """The one rule for a stage 1 row's state (see the module's description)."""
    answered = [s for s in statuses.values() if s is not None]
    assessed = bool(answered) or register_decided or any(s != "missing" for s in doc_states) or bool(issues)
    if not assessed:
        return "not_assessed"
    gap = (any(s not in ("implemented", "not_applicable") for s in statuses.values())
           or any(s != "approved" for s in doc_states) or bool(issues) or open_actions > 0)
    return "gaps" if gap else "ready"


def _ask_lines(text: str) -> list[str]:
    out = []
    for raw in text.splitlines():
        s = one_line(raw).lstrip("-\u30fb\u2022 ").strip()
        if s:
            out.append(s)
    return out


def _asks(view: AssessmentView, items: tuple[Item, ...]) -> tuple[AuditorAsks, ...]:
    """The auditor's questions of ``items`` by bank and section, each line once (per language)."""
    seen: dict[str, set[str]] = {lg: set() for lg in LANGS}
    by_where: dict[str, tuple[dict[str, str], dict[str, list[str]], list[Item]]] = {}
    for item in items:
        lines = {}
        for lg in LANGS:
            new = [s for s in _ask_lines(item.auditor_asks.get(lg, "")) if s not in seen[lg]]
            seen[lg].update(new)
            lines[lg] = new
        if not any(lines.values()):
            continue
        where = {lg: view.asked_in(item, lg) for lg in LANGS}
        slot = by_where.setdefault(where["en"], (where, {lg: [] for lg in LANGS}, []))
        for lg in LANGS:
            slot[1][lg].extend(lines[lg])
        slot[2].append(item)
    return tuple(AuditorAsks(w, {lg: tuple(ls[lg]) for lg in LANGS}, tuple(its)) for w, ls, its in by_where.values())


def build_pack(view: AssessmentView) -> list[PackGroup]:
    """The stage 1 pack of an assessment, from its read model (gate, documents, plan)."""
    from .documents import DocumentIssue, document_catalog

    cat = document_catalog()
    claimed = {i for spec in STAGE1 if spec.items for i in spec.items if i in view.item_ids}
    gate = {r.ref.id: r for r in view.gate.requirements if r.ref.type == CLAUSE}
    open_actions = [a for a in view.plan if a.action_status != "done"]
    rows_by_group: dict[str, list[PackRow]] = {g: [] for g in GROUPS}
    for spec in STAGE1:
        ref = Ref(CLAUSE, spec.clause)
        if spec.items is not None:
            items = tuple(view.item_ids[i] for i in spec.items if i in view.item_ids)
        else:
            items = tuple(i for i in view.items if i.id not in claimed and any(on_clause(c, spec.clause) for c in i.clauses))
        item_ids = {i.id for i in items}
        docs = tuple(d for d in view.documents
                     if (d.catalog is not None and d.catalog.id in spec.documents)
                     or (d.catalog is None and not spec.cite
                         and any(r.type == CLAUSE and on_clause(r.id, spec.clause) for r in d.refs)))
        listed = {d.catalog.id for d in docs if d.catalog is not None}
        unlisted = tuple(cat[c] for c in spec.documents if c in cat and c not in listed)
        reqs = [r for cid, r in gate.items() if on_clause(cid, spec.clause)]
        issues: list = []
        for req in reqs:
            for i in req.issues:
                if isinstance(i, DocumentIssue):
                    if i.catalog_id in spec.documents and i not in issues:
                        issues.append(i)
                elif not spec.cite or spec.cite.startswith("6.1.3 e"):
                    # the register's issues: the treatment plan's part of 6.1.3, not the SoA's
                    if i not in issues:
                        issues.append(i)
        acts = tuple(a for a in open_actions if _action_on(a, spec, item_ids))
        statuses = {i.id: view.status(i.id) for i in items}
        register_decided = any(r.basis == "register" for r in reqs) and not spec.cite.startswith("6.1.3 d")
        state = row_state(statuses, [d.state for d in docs], tuple(issues), len(acts), register_decided)
        rows_by_group[spec.group].append(PackRow(spec, ref, _asks(view, items), docs, unlisted, items, statuses,
                                                 reqs[0] if reqs else None, tuple(issues), acts, state))
    return [PackGroup(g, tuple(rows)) for g, rows in rows_by_group.items() if rows]


def _action_on(action: Action, spec: PackSpec, item_ids: set[str]) -> bool:
    """Whether an open plan action is about a stage 1 row: its question is one of the row's,
    it is about one of the row's catalogue documents, or (a finding, a parked item) it refers
    to the row's clause."""
    kind = action.source.kind
    if kind == "question" or action.item is not None:
        return action.item is not None and action.item.id in item_ids
    if kind == "document":
        return action.source.id in spec.documents
    if kind in ("finding", "parked") and not spec.cite:
        return any(r.type == CLAUSE and on_clause(r.id, spec.clause) for r in action.refs)
    return False


# -- the stage 2 sampling list ----------------------------------------------------------------
SAMPLING_TABLE = "sampling"
MONTHS = ("none", "under_3", "3_6", "over_6", "not_applicable")
SAMPLING_STATES = ("enough", "gap", "not_applicable", "not_recorded")
SAMPLING_PRIORITY = {"none": 1, "under_3": 2}  # nothing to sample at all comes first
SAMPLING_FIELDS = ("months", "location", "oldest", "reason", "note")


@dataclass(frozen=True)
class RecordType:
    """A kind of record the stage 2 auditor samples (from sampling.toml)."""

    id: str
    refs: tuple[Ref, ...]
    documents: tuple[str, ...]
    title: dict[str, str]
    why: dict[str, str]
    sample: dict[str, str]


def _bi(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(value.get(lg), str) and value[lg].strip() for lg in LANGS):
        raise ValueError(f"sampling.toml: {where} needs a text in each of {', '.join(LANGS)}")
    return {lg: clean(value[lg]).strip() for lg in LANGS}


def load_sampling_catalog(path: Path) -> dict[str, RecordType]:
    """Read and check a sampling catalogue (ids unique, refs known, documents in documents.toml,
    both languages present)."""
    from .documents import document_catalog

    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    docs = document_catalog()
    out: dict[str, RecordType] = {}
    for n, r in enumerate(raw.get("record", []), 1):
        rid = r.get("id")
        if not isinstance(rid, str) or not rid or rid in out:
            raise ValueError(f"sampling.toml: record {n} has a missing or duplicate id")
        refs = tuple(Ref.parse(x) for x in r.get("refs", ()))
        if not refs or not all(x.type in (CLAUSE, CONTROL) and x.known() for x in refs):
            raise ValueError(f"sampling.toml: {rid}: refs must be known clauses or 2022 controls")
        links = tuple(r.get("documents", ()))
        if not all(d in docs for d in links):
            raise ValueError(f"sampling.toml: {rid}: documents must be ids of documents.toml")
        out[rid] = RecordType(rid, refs, links, _bi(r.get("title"), f"{rid}: title"), _bi(r.get("why"), f"{rid}: why"),
                              _bi(r.get("sample"), f"{rid}: sample"))
    return out


@cache
def sampling_catalog() -> dict[str, RecordType]:
    """The shipped catalogue, in its order."""
    return load_sampling_catalog(reference_dir() / "sampling.toml")


@dataclass
class SamplingEntry:
    """What the company holds of one record type."""

    record_type: str
    months: str  # MONTHS
    location: str = ""
    oldest: str | None = None  # date of the oldest record held
    reason: str = ""  # why the record type does not apply (with months "not_applicable")
    note: str = ""
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)

    def __post_init__(self) -> None:
        if not isinstance(self.record_type, str) or not self.record_type:
            raise ValueError("record_type is required")
        if self.months not in MONTHS:
            raise ValidationError("error.bad_choice", field="months", choices=", ".join(MONTHS))
        self.location = one_line(self.location or "")
        self.reason = clean(self.reason or "").strip()
        self.note = clean(self.note or "").strip()
        self.oldest = parse_date(self.oldest, what="oldest")

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> SamplingEntry:
        e = cls(**known_fields(cls, doc))
        if not all(isinstance(v, str) for v in (e.id, e.created, e.updated)):
            raise ValueError("bad sampling entry")
        return e


def months_since(oldest: date, today: date) -> str:
    """How many months of records a first record on ``oldest`` gives today."""
    days = (today - oldest).days
    if days < 91:
        return "under_3"
    if days <= 184:
        return "3_6"
    return "over_6"


def build_sampling(record_type: str, changes: Mapping[str, object], base: SamplingEntry | None = None, *,
                   today: date) -> SamplingEntry:
    """A new or changed sampling row from what the user typed, checked: an unknown record type
    or field, a bad date, a date in the future and "not applicable" without a reason are
    refused with a one-line message. Without a number of months, the oldest record's date
    gives it."""
    if record_type not in sampling_catalog():
        raise ValidationError("error.sampling.unknown", id=one_line(str(record_type))[:40])
    for name in changes:
        if name not in SAMPLING_FIELDS:
            raise ValidationError("error.unknown_field", field=name)
    doc = (base.to_doc() if base is not None else {}) | dict(changes)
    try:
        oldest = parse_date(doc.get("oldest") or None, what="oldest")  # type: ignore[arg-type]
    except ValidationError:
        raise ValidationError("error.sampling.bad_date", value=one_line(str(doc.get("oldest")))[:40]) from None
    if oldest and oldest > today.isoformat():
        raise ValidationError("error.sampling.future", value=oldest)
    months = one_line(str(doc.get("months") or ""))
    if not months:
        if not oldest:
            raise ValidationError("error.sampling.months_required")
        months = months_since(date.fromisoformat(oldest), today)
    if months not in MONTHS:
        raise ValidationError("error.bad_choice", field="months", choices=", ".join(MONTHS))
    doc |= {"months": months, "oldest": oldest, "record_type": record_type, "updated": now_iso()}
    entry = SamplingEntry(**known_fields(SamplingEntry, doc))
    if entry.months == "not_applicable" and not entry.reason:
        raise ValidationError("error.sampling.reason_required")
    return entry


@dataclass
class SamplingData:
    """The sampling rows an assessment stores, by record type."""

    entries: dict[str, SamplingEntry] = field(default_factory=dict)

    @classmethod
    def from_tables(cls, data: Mapping) -> SamplingData:
        """Read the ``sampling`` table (absent: empty; a damaged row is skipped, never rewritten)."""
        out: dict[str, SamplingEntry] = {}
        for doc in (data.get(SAMPLING_TABLE) or {}).values():
            try:
                e = SamplingEntry.from_doc(doc)
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
            out[e.record_type] = e
        return cls(out)

    def to_tables(self) -> dict[str, list[dict]]:
        return {SAMPLING_TABLE: [e.to_doc() for e in self.entries.values()]}


def check_tables(data: Mapping) -> str | None:
    """Why a stored sampling row is not valid, or None (files are data from disk)."""
    for doc_id, doc in (data.get(SAMPLING_TABLE) or {}).items():
        try:
            SamplingEntry.from_doc(doc)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            return f"{SAMPLING_TABLE} record {doc_id}: {str(exc)[:80] or type(exc).__name__}"
    return None


def sampling_state(entry: SamplingEntry | None) -> str:
    """"Have we got 3-6 months?": enough (3-6 or more), gap (none or under 3), not applicable,
    or not recorded yet."""
    if entry is None:
        return "not_recorded"
    if entry.months == "not_applicable":
        return "not_applicable"
    return "gap" if entry.months in SAMPLING_PRIORITY else "enough"


def sampling_action_id(record_type: str) -> str:
    return f"sampling:{record_type}"


def sampling_seeds(data: SamplingData) -> list[ActionSeed]:
    """One plan action per record type the company holds under three months of (source kind
    ``sampling``, id = the record type), in the catalogue's order."""
    out = []
    for rid, rtype in sampling_catalog().items():
        entry = data.entries.get(rid)
        if sampling_state(entry) != "gap":
            continue
        assert entry is not None
        what = {lg: t(f"pre.sampling.action.{entry.months}", lg, name=rtype.title[lg]) for lg in LANGS}
        out.append(ActionSeed(source=ActionSource("sampling", rid), what=what, refs=rtype.refs,
                              priority=SAMPLING_PRIORITY[entry.months]))
    return out


@dataclass(frozen=True)
class SamplingRow:
    """One record type of the sampling list as every view shows it."""

    record: RecordType
    entry: SamplingEntry | None
    state: str
    action: Action | None  # its plan action while it is a gap
    documents: tuple[DocumentRow, ...]  # the register entries that are these records

    def months_label(self, lang: str) -> str:
        return t(f"pre.months.{self.entry.months}", lang) if self.entry else t("pre.months.unset", lang)


def sampling_rows(view: AssessmentView, data: SamplingData) -> list[SamplingRow]:
    actions = {a.source.id: a for a in view.plan if a.source.kind == "sampling"}
    rows = []
    for rid, rtype in sampling_catalog().items():
        entry = data.entries.get(rid)
        docs = tuple(d for d in view.documents if d.catalog is not None and d.catalog.id in rtype.documents)
        rows.append(SamplingRow(rtype, entry, sampling_state(entry), actions.get(rid), docs))
    return rows

