"""The internal audit kit (ISO/IEC 27001 clause 9.2): the audit programme of the cycle, the
independence of the auditors, the coverage of the programme, and each audit's checklist with
the auditor's result per line.

What is stored, in the tables ``audits`` and ``audit_lines`` of the assessment file:

- an :class:`Audit`: title, planned date, date done, scope (clauses 4-10 and their sub-clauses,
  Annex A themes or single controls, written as the user types them: "clause 9, A.5, A.8.15"),
  the lead auditor, the other auditors, the auditees (process owners of the audited areas);
- an :class:`AuditLine` per checklist line the auditor has recorded: the result
  (:data:`RESULTS`; no line means "not audited yet"), a note, the evidence seen and the finding
  the line raised.

The checklist itself is not stored: it is generated from the banks for the audit's scope
(:func:`checklist_items`): one line per question whose clause or control falls in the scope,
with the bank's "what the auditor asks" and evidence examples.

Rules kept here and nowhere else:

- independence (:func:`independence_problems`): an auditor must not audit their own work;
- coverage (:func:`coverage_gaps`): every clause 4-10 and every Annex A theme is audited within
  the cycle (this assessment);
- a line's finding (:func:`line_finding_change`): a minor or major result, or an observation,
  raises exactly one finding in the findings register (source ``internal_audit``, ``audit`` =
  the audit's id); changing the result changes that finding's grade; setting the line back to
  conforming (or "not audited yet") deletes the finding while nobody has worked on it yet
  (no correction, root cause, corrective action or closure written: it was a mistake of the
  checklist), and is refused once somebody has (the finding is then handled, or deleted, in
  the findings register: nothing written there is lost silently);
- the clause 9.2 evidence (:attr:`Programme.evidence`): an audit that is done and has every
  line of its checklist recorded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from .catalog import catalog
from .i18n import t
from .model import ValidationError, known_fields, new_id, now_iso, parse_date
from .refs import CLAUSE, CONTROL, CONTROL_2013, Ref
from .text import clean, one_line, truncate

AUDIT_TABLES = ("audits", "audit_lines")
RESULTS = ("conforming", "minor", "major", "observation")  # no result: "not audited yet"
RESULT_GRADE = {"minor": "minor", "major": "major", "observation": "observation"}  # results that raise a finding
THEME = "theme"  # an Annex A theme of the 2022 edition: "5" (organizational) ... "8" (technological)
DOMAIN = "domain"  # an Annex A domain of the 2013 edition: "A.5" ... "A.18"
SCOPE_TYPES = (CLAUSE, THEME, CONTROL, DOMAIN, CONTROL_2013)
TOP_CLAUSES = ("4", "5", "6", "7", "8", "9", "10")
THEMES = ("5", "6", "7", "8")
EVIDENCE_CLAUSE = "9.2.2"  # the gate requirement an audit's results are evidence for
_CLAUSE_WORDS = re.compile(r"^(?:clause|cl\.?|\u7b87\u6761)\s*", re.IGNORECASE)  # "clause", "cl.", kajo
_SPLIT = re.compile(r"[,;\u3001\uff0c\uff1b\n]")
_PAREN = re.compile(r"[(\uff08][^)\uff09]*[)\uff09]")


# -- the scope -----------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class ScopeRef:
    """One area of an audit's scope: a clause (with everything under it), an Annex A theme
    (2022) or domain (2013), or a single control."""

    type: str
    id: str

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"

    @classmethod
    def parse(cls, key: str) -> ScopeRef:
        kind, _, rid = key.partition(":")
        if kind not in SCOPE_TYPES or not rid:
            raise ValueError(f"not a scope reference: {key[:40]!r}")
        return cls(kind, rid)

    def label(self, lang: str) -> str:
        if self.type in (THEME,):
            return f"A.{self.id}"
        if self.type == DOMAIN:
            return self.id
        return Ref(self.type, self.id).label(lang)

    def title(self, lang: str) -> str:
        cat = catalog()
        if self.type == THEME:
            theme = _theme_ids().get(self.id)
            return cat.themes_2022[theme][lang] if theme else ""
        if self.type == DOMAIN:
            d = cat.domains_2013.get(self.id)
            return d[lang] if d else ""
        return Ref(self.type, self.id).title(lang)

    def full(self, lang: str) -> str:
        title = self.title(lang)
        return f"{self.label(lang)} {title}" if title else self.label(lang)

    def known(self) -> bool:
        cat = catalog()
        if self.type == THEME:
            return self.id in THEMES
        if self.type == DOMAIN:
            return self.id in cat.domains_2013
        return Ref(self.type, self.id).known()

    def contains(self, ref: Ref) -> bool:
        """Whether a typed reference (a clause or a control) falls in this area."""
        if self.type == CLAUSE:
            return ref.type == CLAUSE and (ref.id == self.id or ref.id.startswith(self.id + "."))
        if self.type == THEME:
            return ref.type == CONTROL and ref.id.split(".")[0] == self.id
        if self.type == DOMAIN:
            return ref.type == CONTROL_2013 and ref.id.startswith(self.id + ".")
        return ref.type == self.type and ref.id == self.id


def _theme_ids() -> dict[str, str]:
    """Theme number -> theme id of the catalogue ("5" -> "organizational")."""
    out: dict[str, str] = {}
    for cid, entry in catalog().controls_2022.items():
        out.setdefault(cid.split(".")[0], entry.group)
    return out


def parse_scope(text: str | Sequence[str], edition: str) -> list[str]:
    """An audit's scope from what the user typed: areas separated by commas (or Japanese
    commas, semicolons): "clause 9" (or kajo 9, a bare "9"), "clause 9.2", "A.5" (an Annex A
    theme of the 2022 edition, a domain of the 2013 one), "A.8.15" (one control). Stored keys
    ("clause:9") are read as they are. Returns the keys in the order typed, each once.
    ValidationError naming the first area it cannot read."""
    from .findings import parse_requirement

    parts = list(text) if not isinstance(text, str) else _SPLIT.split(text)
    out: list[str] = []
    for part in parts:
        raw = one_line(str(part)).replace("\uff0e", ".").replace("\u3000", " ").strip()
        if not raw:
            continue
        key = _scope_key(raw, edition, parse_requirement)
        if key not in out:
            out.append(key)
    if not out:
        raise ValidationError("error.audit.scope_required")
    return out


def _scope_key(raw: str, edition: str, parse_requirement) -> str:
    if ":" in raw:
        try:
            ref = ScopeRef.parse(raw)
        except ValueError:
            raise ValidationError("error.audit.bad_scope", value=raw) from None
        if not ref.known():
            raise ValidationError("error.audit.bad_scope", value=raw)
        return ref.key
    upper = raw.upper().replace(" ", "")
    if not _CLAUSE_WORDS.match(raw) and upper.startswith("A."):
        if edition == "2022" and upper[2:] in THEMES:
            return ScopeRef(THEME, upper[2:]).key
        if edition != "2022" and upper in catalog().domains_2013:
            return ScopeRef(DOMAIN, upper).key
    words = _CLAUSE_WORDS.match(raw)
    bare = raw[words.end():].strip() if words else raw.replace(" ", "")
    if bare in TOP_CLAUSES:
        return ScopeRef(CLAUSE, bare).key
    try:
        ref = parse_requirement(raw, edition)
    except ValidationError as exc:
        if exc.key == "error.finding.ambiguous_ref":  # "5.1": clause 5.1 or A.5.1, say which
            raise
        raise ValidationError("error.audit.bad_scope", value=raw) from None
    return ScopeRef(ref.type, ref.id).key


def scope_refs(keys: Iterable[str]) -> list[ScopeRef]:
    return [ScopeRef.parse(k) for k in keys]


def scope_text(keys: Iterable[str], lang: str) -> str:
    """The scope as the user types it back ("Clause 9, A.5, A.8.15"): parse_scope reads it."""
    return ", ".join(r.label(lang) for r in scope_refs(keys))


def in_scope(ref: Ref, scope: Iterable[ScopeRef]) -> bool:
    return any(s.contains(ref) for s in scope)


# -- the stored records ------------------------------------------------------------------------
def _names(value: object) -> list[str]:
    """People from a list or from "a, b; c" (Japanese commas too), each once, in order."""
    parts = value if isinstance(value, list | tuple) else _SPLIT.split(str(value or ""))
    out: list[str] = []
    for p in parts:
        name = one_line(str(p))
        if name and name not in out:
            out.append(name)
    return out


@dataclass
class Audit:
    """One internal audit of the programme (see the module's description)."""

    title: str
    scope: list[str]  # ScopeRef keys
    planned: str | None = None
    done_on: str | None = None
    lead: str = ""  # the lead auditor
    auditors: list[str] = field(default_factory=list)  # the other auditors
    auditees: list[str] = field(default_factory=list)  # process owners of the audited areas
    no: int = 0  # shown as IA-01
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)

    def __post_init__(self) -> None:
        self.title = one_line(self.title)
        if not self.title:
            raise ValidationError("error.audit.title")
        if not isinstance(self.scope, list) or not self.scope or not all(isinstance(k, str) for k in self.scope):
            raise ValidationError("error.audit.scope_required")
        for k in self.scope:
            if not ScopeRef.parse(k).known():
                raise ValueError(f"unknown scope area {k[:40]!r}")
        self.lead = one_line(self.lead)
        self.auditors = [a for a in _names(self.auditors) if a != self.lead]
        self.auditees = _names(self.auditees)
        self.planned = parse_date(self.planned, what="planned")
        self.done_on = parse_date(self.done_on, what="done")
        if not self.planned:
            raise ValidationError("error.audit.planned")
        if not self.lead:
            raise ValidationError("error.audit.lead")
        if not isinstance(self.no, int) or isinstance(self.no, bool) or self.no < 0:
            raise ValueError("bad audit number")

    @property
    def label(self) -> str:
        return f"IA-{self.no:02d}" if self.no else self.id

    @property
    def team(self) -> list[str]:
        """The lead auditor and the other auditors."""
        return [self.lead, *self.auditors]

    @property
    def scope_refs(self) -> list[ScopeRef]:
        return scope_refs(self.scope)

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> Audit:
        a = cls(**known_fields(cls, doc))
        if not all(isinstance(v, str) for v in (a.id, a.created, a.updated)):
            raise ValueError("bad audit")
        return a


@dataclass
class AuditLine:
    """The auditor's record of one checklist line (the question ``item`` of audit ``audit``)."""

    audit: str  # the audit's id
    item: str  # the question's id in the banks
    result: str = ""  # "" (not audited yet) or one of RESULTS
    note: str = ""
    evidence: str = ""  # the evidence seen
    finding: str = ""  # the id of the finding this line raised
    updated: str = field(default_factory=now_iso)

    def __post_init__(self) -> None:
        if not (isinstance(self.audit, str) and self.audit and isinstance(self.item, str) and self.item):
            raise ValueError("bad audit line")
        self.result = one_line(self.result)
        if self.result and self.result not in RESULTS:
            raise ValidationError("error.bad_choice", field="result", choices=", ".join(RESULTS))
        self.note, self.evidence = clean(self.note or "").strip(), clean(self.evidence or "").strip()
        self.finding = one_line(self.finding)

    @property
    def key(self) -> tuple[str, str]:
        return (self.audit, self.item)

    @property
    def is_empty(self) -> bool:
        return not (self.result or self.note or self.evidence or self.finding)

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> AuditLine:
        line = cls(**known_fields(cls, doc))
        if not isinstance(line.updated, str):
            raise ValueError("bad audit line")
        return line


AUDIT_FIELDS = ("title", "scope", "planned", "done_on", "lead", "auditors", "auditees")


def build_audit(values: Mapping[str, object], base: Audit | None, *, edition: str) -> Audit:
    """An audit from what the user typed (the dialog, the CLI), checked whole; ``base`` is the
    audit being edited (its other fields are kept)."""
    unknown = [k for k in values if k not in AUDIT_FIELDS]
    if unknown:
        raise ValidationError("error.unknown_field", field=", ".join(unknown))
    doc = base.to_doc() if base is not None else {}
    doc.update(values)
    if "scope" in values or base is None:
        doc["scope"] = parse_scope(doc.get("scope") or "", edition)
    for name in ("auditors", "auditees"):
        doc[name] = _names(doc.get(name))
    doc.setdefault("title", "")
    doc["updated"] = now_iso()
    return Audit(**known_fields(Audit, doc))


@dataclass
class AuditData:
    """What an assessment stores about its internal audits."""

    audits: dict[str, Audit] = field(default_factory=dict)  # by id, in number order
    lines: dict[tuple[str, str], AuditLine] = field(default_factory=dict)  # by (audit id, item id)

    @property
    def exists(self) -> bool:
        return bool(self.audits)

    def next_no(self) -> int:
        return max((a.no for a in self.audits.values()), default=0) + 1

    def find(self, key: str) -> Audit | None:
        """An audit by id or by its label ("IA-02", "ia-2", "2")."""
        if key in self.audits:
            return self.audits[key]
        m = re.fullmatch(r"(?:[Ii][Aa]-?)?0*(\d+)", key.strip())
        if m:
            n = int(m.group(1))
            return next((a for a in self.audits.values() if a.no == n), None)
        return None

    def lines_of(self, audit_id: str) -> dict[str, AuditLine]:
        return {item: line for (aid, item), line in self.lines.items() if aid == audit_id}

    def line_of_finding(self, finding_id: str) -> AuditLine | None:
        return next((ln for ln in self.lines.values() if ln.finding == finding_id), None)

    @classmethod
    def from_tables(cls, data: Mapping) -> AuditData:
        audits, lines = [], []
        for doc in (data.get("audits") or {}).values():
            try:
                audits.append(Audit.from_doc(doc))
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
        for doc in (data.get("audit_lines") or {}).values():
            try:
                lines.append(AuditLine.from_doc(doc))
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
        return cls({a.id: a for a in sorted(audits, key=lambda a: (a.no, a.created))}, {ln.key: ln for ln in lines})

    def to_tables(self) -> dict[str, list[dict]]:
        return {"audits": [a.to_doc() for a in self.audits.values()],
                "audit_lines": [ln.to_doc() for ln in self.lines.values()]}


def check_tables(data: Mapping) -> str | None:
    """Why a stored audit or audit line is not valid, or None (files are data from disk)."""
    for table, cls in (("audits", Audit), ("audit_lines", AuditLine)):
        for doc_id, doc in (data.get(table) or {}).items():
            try:
                cls.from_doc(doc)
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                return f"{table} record {doc_id}: {str(exc)[:80] or type(exc).__name__}"
    return None


# -- people ------------------------------------------------------------------------------------
def person_key(text: str) -> str:
    """A name as compared: without a role in parentheses, case and spacing folded."""
    return " ".join(_PAREN.sub(" ", clean(text or "", multiline=False)).replace("\u3000", " ").casefold().split())


def same_person(a: str, b: str) -> bool:
    """Whether two names written by people mean the same person: equal once folded, or one is
    a whole word of the other ("Suzuki" and "Suzuki (production)", a name and "department
    name")."""
    ka, kb = person_key(a), person_key(b)
    if not ka or not kb:
        return False
    return ka == kb or ka in kb.split() or kb in ka.split()


def resolve_person(name: str, participants: Iterable) -> str:
    """A participant's name when ``name`` is one's id or label, else ``name`` as written."""
    for p in participants:
        if name in (p.id, p.label()):
            return p.name
    return name


# -- independence ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class IndependenceProblem:
    """An auditor who would audit their own work: an auditee of the audit, or the owner of
    something in its scope (a plan action, an SoA decision, a document, a risk)."""

    auditor: str
    kind: str  # auditee | action | soa | document | risk
    what: Mapping[str, str] = field(default_factory=dict)  # what they own, per language (none for auditee)
    ref: Ref | None = None  # the reference in scope

    def what_text(self, lang: str) -> str:
        return truncate(one_line(self.what.get(lang) or self.what.get("en", "")), 48)

    def message(self, lang: str) -> str:
        return t(f"audit.indep.{self.kind}", lang, auditor=self.auditor, what=self.what_text(lang),
                 ref=self.ref.label(lang) if self.ref else "")


@dataclass(frozen=True)
class Owned:
    """Something a person owns, with the references it concerns (built by the view)."""

    kind: str  # action | soa | document | risk
    owner: str
    what: dict[str, str]  # per language
    refs: tuple[Ref, ...]


def independence_problems(audit: Audit, owned: Iterable[Owned],
                          participants: Iterable = ()) -> list[IndependenceProblem]:
    """The one independence check: for each auditor (lead first), being an auditee of the audit,
    then every plan action, SoA decision, document and risk they own whose references fall in
    the audit's scope. Empty when the audit team is independent."""
    participants = list(participants)
    scope = audit.scope_refs
    owned = list(owned)
    out: list[IndependenceProblem] = []
    for raw in audit.team:
        auditor = resolve_person(raw, participants)
        for auditee in audit.auditees:
            if same_person(auditor, resolve_person(auditee, participants)):
                out.append(IndependenceProblem(auditor, "auditee"))
                break
        for o in owned:
            if not o.owner or not same_person(auditor, o.owner):
                continue
            hit = next((r for r in o.refs if in_scope(r, scope)), None)
            if hit is not None:
                out.append(IndependenceProblem(auditor, o.kind, o.what, hit))
    return out


# -- coverage ----------------------------------------------------------------------------------------
def programme_areas(edition: str) -> list[ScopeRef]:
    """What a cycle's programme must audit: clauses 4-10 and the Annex A themes (2022) or
    domains (2013)."""
    areas = [ScopeRef(CLAUSE, c) for c in TOP_CLAUSES]
    if edition == "2022":
        return areas + [ScopeRef(THEME, th) for th in THEMES]
    return areas + [ScopeRef(DOMAIN, d) for d in catalog().domains_2013]


def _covered(area: ScopeRef, scope: list[ScopeRef]) -> bool:
    """An area is covered when the scope names it (or an area holding it), or covers every
    part of it (every sub-clause, every control of the theme)."""
    cat = catalog()
    if area in scope:
        return True
    if area.type == CLAUSE:
        if any(s.contains(Ref(CLAUSE, area.id)) for s in scope):
            return True
        children = [c for c, e in cat.clauses.items() if e.group == area.id]
        return bool(children) and all(_covered(ScopeRef(CLAUSE, c), scope) for c in children)
    if area.type == THEME:
        return all(in_scope(Ref(CONTROL, c), scope) for c in cat.controls_2022 if c.split(".")[0] == area.id)
    if area.type == DOMAIN:
        return all(in_scope(Ref(CONTROL_2013, c), scope) for c in cat.controls_2013 if c.startswith(area.id + "."))
    return False


def coverage_gaps(audits: Iterable[Audit], edition: str) -> list[ScopeRef]:
    """The clauses 4-10 and Annex A themes no audit of the programme covers (planned or done:
    the programme is the plan of the cycle)."""
    scope = [s for a in audits for s in a.scope_refs]
    return [area for area in programme_areas(edition) if not _covered(area, scope)]


# -- the checklist -----------------------------------------------------------------------------------
def checklist_items(items: Iterable, scope: Sequence[ScopeRef]) -> list[tuple[object, Ref]]:
    """The questions in an audit's scope, in the banks' order, each once, with the first of its
    clauses or controls that falls in the scope (the requirement the line checks)."""
    out = []
    for item in items:
        hit = next((r for r in item.typed_refs if r.type in (CLAUSE, CONTROL, CONTROL_2013) and in_scope(r, scope)), None)
        if hit is not None:
            out.append((item, hit))
    return out


@dataclass
class ChecklistLine:
    """One line of an audit's checklist as every view shows it."""

    n: int  # its number in the checklist (1-based), what the CLI takes
    item: object  # banks.Item
    requirement: Ref
    bank: str  # bank id (titles come from the view's banks)
    section: str  # section id
    status: str | None  # the current answer's effective status (context for the auditor)
    record: AuditLine | None
    finding: object | None  # findings.Finding raised by the line, while it exists
    in_scope: bool = True  # False: recorded before the scope changed (kept, shown last)

    @property
    def result(self) -> str:
        return self.record.result if self.record else ""

    @property
    def recorded(self) -> bool:
        return bool(self.result)


@dataclass
class AuditRow:
    """One audit of the programme with its checklist, findings and problems."""

    audit: Audit
    lines: list[ChecklistLine]
    problems: list[IndependenceProblem]

    @property
    def done(self) -> bool:
        return bool(self.audit.done_on)

    @property
    def recorded(self) -> int:
        return sum(1 for ln in self.lines if ln.recorded)

    @property
    def complete(self) -> bool:
        """Done, with every line of its checklist recorded: evidence of clause 9.2."""
        return self.done and bool(self.lines) and self.recorded == len(self.lines)

    @property
    def findings(self) -> list:
        return [ln.finding for ln in self.lines if ln.finding is not None]

    def counts(self) -> dict[str, int]:
        out = {r: 0 for r in RESULTS}
        for ln in self.lines:
            if ln.result:
                out[ln.result] += 1
        return out


@dataclass(frozen=True)
class AuditGateIssue:
    """Why the audit programme does not yet evidence clause 9.2 (shown on the gate)."""

    key: str

    def message(self, lang: str) -> str:
        return t(self.key, lang)


@dataclass
class Programme:
    """The audit programme of the cycle as every view shows it."""

    rows: list[AuditRow]
    gaps: list[ScopeRef]

    @property
    def exists(self) -> bool:
        return bool(self.rows)

    @property
    def evidence(self) -> list[AuditRow]:
        """The audits that evidence clause 9.2: done, every checklist line recorded."""
        return [r for r in self.rows if r.complete]

    def gate_issues(self) -> list[AuditGateIssue]:
        """What keeps the programme from evidencing clause 9.2.2 (empty without a programme:
        the questions decide then)."""
        if not self.rows or self.evidence:
            return []
        return [AuditGateIssue("audit.gate.none_complete")]

    def row(self, key: str) -> AuditRow | None:
        return next((r for r in self.rows if key in (r.audit.id, r.audit.label)), None)


def build_programme(data: AuditData, items: Sequence, statuses: Mapping[str, str | None], owned: Iterable[Owned],
                    findings: Mapping[str, object], edition: str, participants: Iterable = ()) -> Programme:
    """The programme: each audit (by number) with its checklist merged with what was recorded,
    its independence problems, and the coverage gaps of the whole programme."""
    owned = list(owned)
    participants = list(participants)
    by_id = {i.id: i for i in items}
    rows = []
    for audit in data.audits.values():
        recorded = data.lines_of(audit.id)
        lines = []
        pairs = checklist_items(items, audit.scope_refs)
        seen = {i.id for i, _ in pairs}
        extra = [(by_id[iid], None) for iid in recorded if iid not in seen and iid in by_id and recorded[iid].result]
        for n, (item, ref) in enumerate([*pairs, *extra], start=1):
            rec = recorded.get(item.id)
            if ref is None:
                ref = next((r for r in item.typed_refs if r.type in (CLAUSE, CONTROL, CONTROL_2013)), item.typed_refs[0])
            lines.append(ChecklistLine(n, item, ref, item.bank_id, item.section_id, statuses.get(item.id), rec,
                                       findings.get(rec.finding) if rec and rec.finding else None, in_scope=item.id in seen))
        rows.append(AuditRow(audit, lines, independence_problems(audit, owned, participants)))
    return Programme(rows, coverage_gaps(data.audits.values(), edition))


# -- a line's finding ----------------------------------------------------------------------------------
def has_work(finding) -> bool:
    """Somebody has worked on the finding in the register (so it is not deleted silently)."""
    return bool(finding.correction or finding.root_cause or finding.action or finding.closed_on or finding.check_result)


def finding_description(audit: Audit, line_note: str, requirement: Ref, lang: str) -> str:
    """What the finding says: the line's note, or until one is written, where it was raised."""
    return line_note or t("audit.finding.no_note", lang, audit=audit.label, ref=requirement.label(lang))


def finding_raised_on(audit: Audit, today: date) -> str:
    return audit.done_on or today.isoformat()
