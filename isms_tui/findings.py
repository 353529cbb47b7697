"""The findings register (是正処置): nonconformities and observations from internal audits,
the certification body's audits and incidents, with their correction, root cause, corrective
action, closure and effectiveness check (ISO/IEC 27001 clause 10.2).

What a finding keeps, in the table ``findings`` of the assessment file:

- where it comes from (:data:`SOURCES`), its grade (:data:`GRADES`), the requirement it is
  raised against (a typed reference: a clause, or an Annex A control of the assessment's
  edition), what was found, when and by whom;
- the correction (what was done at once), the root cause, the corrective action with its
  owner and due date: while the finding is not closed, that action is a plan action of its
  own (source kind ``finding``, id ``finding:<finding id>``) so the plan, the dashboard and the
  exports carry it like any other work;
- the evidence of closure and the date it was closed;
- the effectiveness check: who checked, when, the result (:data:`CHECK_RESULTS`) and a note.

The state is derived in one place, :func:`finding_state`: open, action planned, closed,
verified; a finding whose effectiveness check says "not effective" is open again. A major
nonconformity that is not closed blocks the certification decision
(:attr:`isms_tui.view.AssessmentView.certification_blockers`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date

from .catalog import catalog
from .i18n import LANGS, t
from .model import ValidationError, new_id, now_iso, parse_date
from .plan import ActionSeed, ActionSource
from .refs import CLAUSE, CONTROL, CONTROL_2013, Ref
from .text import clean, one_line

SOURCES = ("internal_audit", "stage1", "stage2", "surveillance", "recertification", "incident", "other")
GRADES = ("major", "minor", "observation", "ofi")  # ofi: opportunity for improvement
CHECK_RESULTS = ("effective", "not_effective")
STATES = ("open", "action_planned", "closed", "verified")
NONCONFORMITIES = ("major", "minor")  # the grades that need a correction and a corrective action
FINDINGS_TABLES = ("findings",)
# plan priority of a finding's action: a major nonconformity first, an observation last
GRADE_PRIORITY = {"major": 1, "minor": 2, "observation": 3, "ofi": 3}
# what the user may set on a finding (the form, the CLI and the service take these names)
FIELDS = ("source", "grade", "ref", "description", "raised_on", "raised_by", "correction", "root_cause",
          "action", "owner", "due", "closure_evidence", "closed_on", "check_by", "check_on", "check_result",
          "check_note", "audit")

_CLAUSE_WORDS = re.compile(r"^(?:clause|cl\.?|\u7b87\u6761)\s*", re.IGNORECASE)  # "clause", "cl.", kajo




def _text(value: object) -> str:
    return clean(str(value or "")).strip()


def parse_requirement(text: str, edition: str) -> Ref:
    """The requirement a finding is raised against: "6.1.2", "clause 6.1.2" (or kajo 6.1.2) is a
    clause; "A.5.15" an Annex A control of ``edition``; a bare number that is only one of them
    is that one ("5.15" is a control, "9.2" a clause). "5.1" is both: write "clause 5.1" or
    "A.5.1". A stored key ("clause:9.2") is read as it is. ValidationError with a message that
    says what to write otherwise."""
    raw = one_line(text).replace("\uff0e", ".").replace("\u3000", " ")
    if not raw:
        raise ValidationError("error.finding.ref_required")
    cat = catalog()
    controls = cat.controls_2022 if edition == "2022" else cat.controls_2013
    control_type = CONTROL if edition == "2022" else CONTROL_2013
    if ":" in raw:
        kind, _, rid = raw.partition(":")
        if kind in (CLAUSE, control_type) and (rid in (cat.clauses if kind == CLAUSE else controls)):
            return Ref(kind, rid)
        raise ValidationError("error.finding.unknown_ref", value=raw, edition=edition)
    words = _CLAUSE_WORDS.match(raw)
    if words:
        rid = raw[words.end():].strip()
        if rid in cat.clauses:
            return Ref(CLAUSE, rid)
        raise ValidationError("error.finding.unknown_ref", value=raw, edition=edition)
    upper = raw.upper().replace(" ", "")
    if upper.startswith("A."):
        rid = upper[2:] if edition == "2022" else upper
        if rid in controls:
            return Ref(control_type, rid)
        raise ValidationError("error.finding.unknown_ref", value=raw, edition=edition)
    rid = raw.replace(" ", "")
    is_clause = rid in cat.clauses
    control_id = rid if edition == "2022" else f"A.{rid}"
    is_control = control_id in controls
    if is_clause and is_control:
        raise ValidationError("error.finding.ambiguous_ref", value=raw, id=rid)
    if is_clause:
        return Ref(CLAUSE, rid)
    if is_control:
        return Ref(control_type, control_id)
    raise ValidationError("error.finding.unknown_ref", value=raw, edition=edition)


def ref_input(ref: Ref, lang: str) -> str:
    """A requirement as the user types it back into a form ("Clause 9.2", "A.5.15", "A.9.2.1"):
    :func:`parse_requirement` reads it as the same reference."""
    if ref.type == CLAUSE:
        return t("ref.clause", lang, id=ref.id)
    return f"A.{ref.id}" if ref.type == CONTROL else ref.id


@dataclass
class Finding:
    """One finding of an audit or an incident (see the module's description)."""

    grade: str
    ref: str  # a Ref key: "clause:9.2", "control:5.15", "control_2013:A.9.2.1"
    description: str
    source: str = "internal_audit"
    raised_on: str | None = None
    raised_by: str = ""
    correction: str = ""
    root_cause: str = ""
    action: str = ""  # the corrective action
    owner: str = ""
    due: str | None = None
    closure_evidence: str = ""
    closed_on: str | None = None
    check_by: str = ""
    check_on: str | None = None
    check_result: str = ""  # "", or one of CHECK_RESULTS
    check_note: str = ""
    audit: str = ""  # the internal audit that raised it (its id), when there is one
    no: int = 0  # shown as F-01; given by the register
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValidationError("error.bad_choice", field="source", choices=", ".join(SOURCES))
        if self.grade not in GRADES:
            raise ValidationError("error.bad_choice", field="grade", choices=", ".join(GRADES))
        if not isinstance(self.ref, str) or not self.ref.strip():
            raise ValidationError("error.finding.ref_required")
        ref = Ref.parse(self.ref) if ":" in self.ref else None
        if ref is None or ref.type not in (CLAUSE, CONTROL, CONTROL_2013) or not ref.known():
            raise ValueError(f"not a clause or an Annex A control: {self.ref[:40]!r}")
        self.description = _text(self.description)
        if not self.description:
            raise ValidationError("error.finding.description")
        for name in ("raised_by", "owner", "check_by", "audit"):
            setattr(self, name, one_line(getattr(self, name)))
        for name in ("correction", "root_cause", "action", "closure_evidence", "check_note"):
            setattr(self, name, _text(getattr(self, name)))
        for name, what in (("raised_on", "raised on"), ("due", "due"), ("closed_on", "closed on"), ("check_on", "checked on")):
            setattr(self, name, parse_date(getattr(self, name), what=what))
        self.check_result = one_line(self.check_result)
        if self.check_result and self.check_result not in CHECK_RESULTS:
            raise ValidationError("error.bad_choice", field="check result", choices=", ".join(CHECK_RESULTS))
        if not self.raised_on:
            raise ValidationError("error.finding.raised_on")
        if self.closed_on and not self.closure_evidence:
            raise ValidationError("error.finding.closed_no_evidence")
        if self.closed_on and self.closed_on < self.raised_on:
            raise ValidationError("error.finding.closed_before_raised", closed=self.closed_on, raised=self.raised_on)
        if (self.check_result or self.check_on or self.check_by) and not self.closed_on:
            raise ValidationError("error.finding.check_without_closure")
        if self.check_result and not (self.check_by and self.check_on):
            raise ValidationError("error.finding.check_incomplete")
        if self.check_on and self.closed_on and self.check_on < self.closed_on:
            raise ValidationError("error.finding.check_before_closed", checked=self.check_on, closed=self.closed_on)
        if not isinstance(self.no, int) or isinstance(self.no, bool) or self.no < 0:
            raise ValueError("bad finding number")

    # -- what it is --------------------------------------------------------------------------
    @property
    def requirement(self) -> Ref:
        return Ref.parse(self.ref)

    @property
    def label(self) -> str:
        return f"F-{self.no:02d}" if self.no else self.id

    @property
    def state(self) -> str:
        return finding_state(self)

    @property
    def reopened(self) -> bool:
        """Its effectiveness check found the corrective action did not work."""
        return self.check_result == "not_effective"

    @property
    def is_closed(self) -> bool:
        return self.state in ("closed", "verified")

    @property
    def is_nonconformity(self) -> bool:
        return self.grade in NONCONFORMITIES

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> Finding:
        names = {f.name for f in fields(cls)}
        f = cls(**{k: v for k, v in doc.items() if k in names})
        if not all(isinstance(v, str) for v in (f.id, f.created, f.updated)):
            raise ValueError("bad finding")
        return f


def finding_state(f: Finding) -> str:
    """The one rule for a finding's state:

    - ``verified``: closed, and its effectiveness check says effective;
    - ``closed``: closed (evidence of closure and the date), not checked yet;
    - ``action_planned``: not closed, a corrective action is written down;
    - ``open``: anything else; also a finding whose effectiveness check says "not effective"
      (it reopens: the corrective action did not work, a new one is needed).
    """
    if f.check_result == "not_effective":
        return "open"
    if f.closed_on and f.closure_evidence:
        return "verified" if f.check_result == "effective" else "closed"
    return "action_planned" if f.action else "open"


def build_finding(values: Mapping[str, object], base: Finding | None, *, edition: str,
                  today: date | None = None) -> Finding:
    """A finding from what the user typed (the form, the CLI), checked whole: the requirement
    is parsed against the assessment's edition and every rule of :class:`Finding` applies.
    ``base`` is the finding being edited (its other fields are kept)."""
    unknown = [k for k in values if k not in FIELDS]
    if unknown:
        raise ValidationError("error.unknown_field", field=", ".join(unknown))
    doc = base.to_doc() if base is not None else {}
    doc.update({k: v for k, v in values.items()})
    if "ref" in values or base is None:
        doc["ref"] = parse_requirement(str(doc.get("ref") or ""), edition).key
    if not doc.get("raised_on") and base is None:
        doc["raised_on"] = (today or date.today()).isoformat()
    for name in ("grade", "source", "check_result"):
        if isinstance(doc.get(name), str):
            doc[name] = doc[name].strip()
    if not doc.get("grade"):
        raise ValidationError("error.bad_choice", field="grade", choices=", ".join(GRADES))
    doc.setdefault("description", "")
    doc["updated"] = now_iso()
    return Finding(**{k: v for k, v in doc.items() if k in {f.name for f in fields(Finding)}})


@dataclass
class FindingsData:
    """What an assessment stores about its findings."""

    findings: dict[str, Finding] = field(default_factory=dict)  # by number

    @property
    def exists(self) -> bool:
        return bool(self.findings)

    def next_no(self) -> int:
        return max((f.no for f in self.findings.values()), default=0) + 1

    def find(self, key: str) -> Finding | None:
        """A finding by id or by its label ("F-03", "f-3", "3")."""
        if key in self.findings:
            return self.findings[key]
        m = re.fullmatch(r"(?:[Ff]-?)?0*(\d+)", key.strip())
        if m:
            n = int(m.group(1))
            return next((f for f in self.findings.values() if f.no == n), None)
        return None

    @classmethod
    def from_tables(cls, data: Mapping) -> FindingsData:
        """Read the table of a file (a missing table reads as empty; a damaged row is
        skipped here: :func:`check_tables` marks such a file damaged before this is read)."""
        rows = []
        for doc in (data.get("findings") or {}).values():
            try:
                rows.append(Finding.from_doc(doc))
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
        return cls({f.id: f for f in sorted(rows, key=lambda f: (f.no, f.created))})

    def to_tables(self) -> dict[str, list[dict]]:
        return {"findings": [f.to_doc() for f in self.findings.values()]}


def check_tables(data: Mapping) -> str | None:
    """Why a stored finding is not valid, or None (files are data from disk)."""
    for doc_id, doc in (data.get("findings") or {}).items():
        try:
            Finding.from_doc(doc)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            return f"findings record {doc_id}: {str(exc)[:80] or type(exc).__name__}"
    return None


def finding_action_id(finding_id: str) -> str:
    return ActionSource("finding", finding_id).key


def needs_action(f: Finding) -> bool:
    """A finding is plan work while it is not closed and it is a nonconformity or has an
    action written down (an observation or an opportunity the company chose to act on)."""
    return not f.is_closed and (f.is_nonconformity or bool(f.action))


def finding_seeds(data: FindingsData) -> list[ActionSeed]:
    """One plan action per finding that needs work (source kind ``finding``): its corrective
    action as written, else "decide the correction and corrective action"; owned and dated as
    the finding says; prioritised by grade."""
    out = []
    for f in data.findings.values():
        if not needs_action(f):
            continue
        if f.action:
            what = {lg: t("finding.action", lg, label=f.label, action=f.action) for lg in LANGS}
        else:
            what = {lg: t("finding.action_missing", lg, label=f.label, description=f.description) for lg in LANGS}
        if f.reopened:
            what = {lg: t("finding.action_reopened", lg, what=w) for lg, w in what.items()}
        out.append(ActionSeed(source=ActionSource("finding", f.id), what=what, refs=(f.requirement,),
                              priority=GRADE_PRIORITY[f.grade], owner=f.owner, due=f.due))
    return out
