"""The read model: everything a view shows, computed in one place.

:class:`AssessmentView` is built from an assessment's state (its banks, answers and plan
edits) and computes, lazily and once, what the TUI, the CLI report and every export show:
scores per section and overall, coverage, the effective status of each item (an overdue
recurring activity counts as partial), section progress, the stage 1 gate, the links between
items that ask about the same requirement and the contradictions among them, the action plan,
the Statement of Applicability rows and the certification roadmap. No screen or export
recomputes one of these rules.

Statement of Applicability rule (also in the README): a control is applicable as the user
decided it (:mod:`isms_tui.soa_decisions`); without a decision it is excluded only when every
question on it is answered not applicable. The justification is the user's own text (the
decision's, else the not-applicable reasons of the answers), never a prefilled sentence. A row
is flagged when an excluded control is one auditors challenge, when the reason is missing or
too vague, or when the decision contradicts the answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from .annual_plan import AnnualPlan, CalendarData, answered_last_done, build_annual_plan, calendar_seeds
from .banks import Bank, Item
from .catalog import catalog
from .changes import ChangeRecord, ChangesData, change_seeds
from .cycle import CertificateCycle, certificate_cycle
from .documents import (
    CatalogDoc,
    DocumentEntry,
    DocumentIssue,
    DocumentRegister,
    document_seeds,
    effective_state,
    gate_issues,
    location_warning,
)
from .findings import Finding, FindingsData, finding_seeds
from .internal_audit import EVIDENCE_CLAUSE, AuditData, Owned, Programme, build_programme
from .model import GAP_STATUSES, ActionEdit, Answer, Assessment
from .plan import Action, build_plan, schedule
from .preaudit import PackGroup, SamplingData, SamplingRow, build_pack, sampling_rows, sampling_seeds
from .refs import CLAUSE, CONTROL, CONTROL_2013, Ref
from .risk import Issue, Register, Risk, RiskData, treatment_seeds
from .scoring import Gate, Report, Requirement, Score, score
from .soa import challenged_exclusion, vague_reason
from .soa_decisions import SoaDecision
from .workshop import (
    AgendaProgress,
    WorkshopData,
    WorkshopSummary,
    is_new_gap,
    parked_seeds,
    session_changes,
)

FILTERS = ("all", "unanswered", "gaps", "mandatory", "new2022", "reconfirm")
NEXT_STEPS = 10
# Why a Statement of Applicability row needs a second look (catalog keys soa.flag.<flag>).
SOA_FLAGS = ("challenged", "no_justification", "vague", "conflict")


@dataclass(frozen=True)
class Contradiction:
    """Two items that ask about the same requirement and disagree: one says implemented,
    the other not implemented. A workshop resolves it by re-answering one of them."""

    implemented: Item
    not_implemented: Item
    refs: tuple[Ref, ...]  # what the two have in common


@dataclass(frozen=True)
class SoaRow:
    """One Annex A control of the assessment's edition in the Statement of Applicability."""

    ref: Ref
    theme: str  # theme id (2022) or objective id (2013)
    items: tuple[Item, ...]
    applicable: bool
    justification: str  # the user's own text: the decision's, else the N/A reasons; "" when none
    status: str | None  # implementation status from the answers
    evidence: tuple[str, ...]  # de-duplicated
    maps_to: tuple[Ref, ...]  # 2022 -> 2013 predecessors, or 2013 -> 2022 successors
    risks: tuple[Risk, ...] = ()  # the risks whose treatment uses it (existing or planned)
    reasons: tuple[str, ...] = ()  # why it is included: "risk_treatment" when risks use it, then the user's SOA_REASONS
    conflict: bool = False  # the answers exclude it but a risk uses it (listed in soa_conflicts)
    decided: bool = False  # the user recorded a decision (or excluded it with reasons)
    implementation: str = ""  # how it is implemented / document reference (the user's text)
    owner: str = ""
    flags: tuple[str, ...] = ()  # SOA_FLAGS that apply
    challenged: tuple[str, ...] = ()  # the 2022 controls whose exclusion auditors challenge


@dataclass(frozen=True)
class DocumentRow:
    """One entry of the documents & records register as every view shows it."""

    entry: DocumentEntry
    state: str  # effective: an approved entry past its next review is out_of_date
    catalog: CatalogDoc | None
    refs: tuple[Ref, ...]
    items: tuple[Item, ...]  # the questions whose evidence it is
    warning: str | None = None  # catalog key: the local path it names does not exist here
    issues: tuple[DocumentIssue, ...] = ()  # what blocks the stage 1 gate (mandatory documents)

    @property
    def mandatory(self) -> bool:
        return self.catalog is not None and self.catalog.mandatory

    def name(self, lang: str) -> str:
        return self.entry.display_name(lang)


@dataclass(frozen=True)
class RoadmapRow:
    phase: str
    step: Ref
    start: date | None
    end: date | None
    recurring_months: int | None
    owner: str = ""  # owners of the step's questions and actions
    status: str | None = None  # todo / in_progress / done from its questions; None when none asks



@dataclass(frozen=True)
class FindingRow:
    """One finding of the register as every view shows it."""

    finding: Finding
    state: str  # open / action_planned / closed / verified
    action: Action | None  # its plan action while it needs work

    @property
    def closed(self) -> bool:
        return self.state in ("closed", "verified")

    @property
    def owner(self) -> str:
        return self.action.owner if self.action else self.finding.owner

    @property
    def due(self) -> date | None:
        if self.action is not None:
            return self.action.due
        return date.fromisoformat(self.finding.due) if self.finding.due else None


def _link_key(item: Item) -> frozenset[Ref]:
    return frozenset(r for r in item.typed_refs if r.type in (CLAUSE, CONTROL, CONTROL_2013))


class AssessmentView:
    def __init__(self, assessment: Assessment, banks: Sequence[Bank], answers: Mapping[str, Answer],
                 edits: Mapping[str, ActionEdit], *, today: date | None = None, risk: RiskData | None = None,
                 soa: Mapping[str, SoaDecision] | None = None, workshop: WorkshopData | None = None,
                 documents: DocumentRegister | None = None,
                 findings: FindingsData | None = None, changes: ChangesData | None = None,
                 audits: AuditData | None = None, calendar: CalendarData | None = None,
                 sampling: SamplingData | None = None):
        self.assessment = assessment
        self.changes_data = changes if changes is not None else ChangesData()
        self.audit_data = audits if audits is not None else AuditData()
        self.calendar_data = calendar if calendar is not None else CalendarData()
        self.sampling_data = sampling if sampling is not None else SamplingData()
        self.findings_data = findings if findings is not None else FindingsData()
        self.workshop = workshop if workshop is not None else WorkshopData()
        self.risk_data = risk if risk is not None else RiskData()
        self.document_register = documents if documents is not None else DocumentRegister()
        self.banks = list(banks)
        self.answers = answers
        self.edits = edits
        self.soa_decisions: Mapping[str, SoaDecision] = soa or {}
        self.today = today or date.today()
        self.items: list[Item] = [i for b in self.banks for i in b.items]
        self._by_id = {i.id: i for i in self.items}

    @property
    def item_ids(self) -> Mapping[str, Item]:
        return self._by_id

    # -- scores ----------------------------------------------------------------------------
    @cached_property
    def report(self) -> Report:
        return score(self.banks, self.answers, self.today)

    @property
    def overall(self) -> Score:
        return self.report.overall

    @cached_property
    def gate(self) -> Gate:
        """The stage 1 gate. Without a risk register the questions decide every requirement
        (see :mod:`isms_tui.scoring`). When the assessment has a register (criteria, assets or
        risks stored), the register decides the four risk requirements; their linked items
        are still listed, for information:

        - 6.1.2 is met when the current criteria version is approved (who and when);
        - 8.2 is met when the ledger has assets, the register has risks, every risk is rated
          under the current criteria and every asset is covered by a rated risk;
        - 6.1.3 and 8.3 are met when at least one risk is rated, every risk above the
          acceptable band is treated as :mod:`isms_tui.risk` says (treatment chosen, controls
          planned for "reduce", residual rated for "reduce"/"share", nothing left in the
          not-acceptable band, a valid acceptance record for what is retained above the
          acceptable band) and no control the answers exclude is used by a risk.

        When the assessment keeps a documents & records register (one entry or more), each
        mandatory document of the catalogue must be listed, approved and not out of date
        (:func:`isms_tui.documents.gate_issues`): a document issue makes its clause's
        requirement not met whatever decided it otherwise, and is listed with the others in
        ``issues`` (the basis stays the questions' or the register's).

        When the assessment keeps an internal audit programme (one audit or more), clause 9.2.2
        is not met until one audit is done with every line of its checklist recorded
        (:attr:`isms_tui.internal_audit.Programme.evidence`), whatever the questions say.
        """
        gate = self.report.gate
        reqs = gate.requirements
        if self.risk_data.exists:
            reg = self.risk_register
            treatment = reg.treatment_issues() + self.soa_conflicts
            by_clause = {"6.1.2": reg.criteria_issues(), "8.2": reg.assessment_issues(),
                         "6.1.3": treatment, "8.3": treatment}
            decided = []
            for r in reqs:
                issues = by_clause.get(r.ref.id)
                if issues is None:
                    decided.append(r)
                    continue
                decided.append(Requirement(ref=r.ref, docs=r.docs, items=r.items, statuses=r.statuses,
                                           state="not_met" if issues else "met", basis="register", issues=tuple(issues)))
            reqs = decided
        doc_issues = gate_issues(self.document_register, self.today)
        if doc_issues:
            reqs = [r if r.ref.id not in doc_issues else
                    Requirement(ref=r.ref, docs=r.docs, items=r.items, statuses=r.statuses, state="not_met",
                                basis=r.basis, issues=tuple(r.issues) + tuple(doc_issues[r.ref.id]))
                    for r in reqs]
        audit_issues = self.audit_programme.gate_issues()
        if audit_issues:  # the internal audit programme: clause 9.2.2 waits for an audit done and recorded
            reqs = [r if r.ref.id != EVIDENCE_CLAUSE else
                    Requirement(ref=r.ref, docs=r.docs, items=r.items, statuses=r.statuses, state="not_met",
                                basis=r.basis, issues=tuple(r.issues) + tuple(audit_issues))
                    for r in reqs]
        if reqs is gate.requirements:
            return gate
        return Gate(reqs)

    def status(self, item_id: str) -> str | None:
        """The effective status: what scoring, the gate, the plan and the filters use."""
        return self.report.statuses.get(item_id)

    def answered(self, item_id: str) -> bool:
        a = self.answers.get(item_id)
        return a is not None and a.status is not None

    def is_overdue(self, item_id: str) -> bool:
        return item_id in self._overdue

    @cached_property
    def _overdue(self) -> frozenset[str]:
        return frozenset(self.report.overdue)

    def is_gap(self, item_id: str) -> bool:
        return self.status(item_id) in GAP_STATUSES

    def matches(self, item: Item, filter_name: str) -> bool:
        """The questionnaire's filters, on the same effective status as the plan."""
        if filter_name == "unanswered":
            return not self.answered(item.id)
        if filter_name == "gaps":
            return self.is_gap(item.id)
        if filter_name == "mandatory":
            return item.mandatory
        if filter_name == "new2022":
            return item.new_in_2022
        if filter_name == "reconfirm":
            return self.to_reconfirm(item.id)
        return True

    # -- the next cycle: answers to re-confirm, changes since the last cycle ------------------
    # Rule (also in isms_tui/next_cycle.py and the README): an answer carried from the previous
    # cycle counts with its baseline status in readiness, the gate and the plan (last year's
    # implemented control is assumed still in place until someone says otherwise), but it is
    # counted apart as "to re-confirm" until someone sets its status again in this cycle: the
    # dashboard, the report and the exports say how many are still to re-confirm.
    def to_reconfirm(self, item_id: str) -> bool:
        """The answer is the previous cycle's baseline, not yet re-confirmed in this cycle."""
        a = self.answers.get(item_id)
        return a is not None and a.reconfirm and a.status is not None

    @cached_property
    def reconfirm_items(self) -> list[Item]:
        """The items whose answer is still to re-confirm, in the questionnaire's order."""
        return [i for i in self.items if self.to_reconfirm(i.id)]

    @property
    def previous_cycle(self) -> dict | None:
        """The previous cycle this assessment continues (id, organization, date as stored when
        the next cycle was started), or None."""
        src = self.assessment.source or {}
        pid = src.get("previous_cycle")
        if not isinstance(pid, str) or not pid:
            return None
        return {"id": pid, "organization": str(src.get("previous_organization") or ""),
                "date": str(src.get("previous_date") or "")}

    @property
    def changes(self) -> list[ChangeRecord]:
        """The change questions in their order (empty when the assessment is not a next cycle)."""
        return self.changes_data.ordered()

    @property
    def open_changes(self) -> list[ChangeRecord]:
        """The change questions nobody has answered yet (the audit asks about each)."""
        return self.changes_data.unanswered()

    def section_progress(self, bank: Bank, section_id: str) -> tuple[int, int]:
        """(answered, total) of a section and its children."""
        ids = bank.section_item_ids(section_id)
        return sum(1 for i in ids if self.answered(i)), len(ids)

    # -- one requirement, many questions ----------------------------------------------------
    @cached_property
    def links(self) -> dict[str, tuple[str, ...]]:
        """Items of *other* banks that ask about the same requirement: both check the
        mandatory documented information of the same clause, or both reference exactly the
        same clauses and controls."""
        by_key: dict[frozenset[Ref], list[Item]] = {}
        by_clause: dict[str, list[Item]] = {}
        mandatory_clauses = set(catalog().mandatory_clauses())
        for item in self.items:
            key = _link_key(item)
            if key:
                by_key.setdefault(key, []).append(item)
            if item.mandatory:
                for c in item.clauses:
                    if c in mandatory_clauses:
                        by_clause.setdefault(c, []).append(item)
        out: dict[str, dict[str, None]] = {}
        for group in [*by_key.values(), *by_clause.values()]:
            for a in group:
                for b in group:
                    if a.bank_id != b.bank_id:
                        out.setdefault(a.id, {})[b.id] = None
        order = {i.id: n for n, i in enumerate(self.items)}
        return {k: tuple(sorted(v, key=order.__getitem__)) for k, v in out.items()}

    def asked_in(self, item: Item, lang: str, *, bank: bool = True) -> str:
        """Where the user answered an item, as the questionnaire's header names it:
        "Bank title › Section title" (``bank=False``: the section title alone, for narrow places)."""
        b = next((b for b in self.banks if b.id == item.bank_id), None)
        if b is None:
            return item.id
        sec = b.section(item.section_id)
        section = sec.title[lang] if sec else ""
        if not bank:
            return section or b.title[lang]
        return f"{b.title[lang]} › {section}" if section else b.title[lang]

    def also_asked(self, item_id: str) -> list[tuple[Item, str | None]]:
        """The linked items with their answers ("also asked in …: implemented")."""
        return [(self._by_id[i], self.answers[i].status if i in self.answers else None) for i in self.links.get(item_id, ())]

    @cached_property
    def contradictions(self) -> list[Contradiction]:
        out: list[Contradiction] = []
        seen: set[tuple[str, str]] = set()
        for a_id, others in self.links.items():
            a = self.answers.get(a_id)
            if a is None or a.status != "implemented":
                continue
            for b_id in others:
                b = self.answers.get(b_id)
                if b is None or b.status != "not_implemented" or (a_id, b_id) in seen:
                    continue
                seen.add((a_id, b_id))
                ia, ib = self._by_id[a_id], self._by_id[b_id]
                common = tuple(sorted(set(ia.typed_refs) & set(ib.typed_refs)))
                out.append(Contradiction(ia, ib, common))
        return out

    @cached_property
    def register_disagreements(self) -> list[tuple[Ref, Item, str | None]]:
        """Answers that lag behind the risk register: a gate requirement the register meets
        (6.1.2, 6.1.3, 8.2, 8.3) whose linked question is still answered otherwise than
        implemented. The plan keeps the question's action until the answer is updated, so the
        workshop is told to check the register and answer again."""
        out = []
        for req in self.gate.requirements:
            if req.basis != "register" or not req.met:
                continue
            for item in req.items:
                status = self.status(item.id)
                if status not in ("implemented", "not_applicable"):
                    out.append((req.ref, item, status))
        return out

    # -- plan, SoA, roadmap ------------------------------------------------------------------
    @cached_property
    def plan(self) -> list[Action]:
        seeds = treatment_seeds(self.risk_register, self.assessment.edition) if self.risk_data.exists else []
        seeds = [*seeds, *parked_seeds(self.workshop, self._by_id),
                 *document_seeds(self.document_register, self.today), *finding_seeds(self.findings_data),
                 *change_seeds(self.changes_data),
                 *sampling_seeds(self.sampling_data)]
        if self.calendar_data.exists:  # the annual plan's overdue activities, once the company keeps one
            seeds += calendar_seeds(self.annual_plan)
        return build_plan(self.banks, self.report, self.answers, self.edits,
                          target_date=self.assessment.target_date, kind=self.assessment.kind, seeds=seeds)

    # -- documents & records -------------------------------------------------------------------
    @cached_property
    def documents(self) -> list[DocumentRow]:
        """The register's entries in the catalogue's order (the company's own after them, as
        added), each with its effective state, the questions whose evidence it is (its own
        list, else the mandatory questions on its clauses and the questions on its controls),
        a warning when the local path it names does not exist, and what it blocks."""
        from .documents import document_catalog

        cat = document_catalog()
        order = {cid: n for n, cid in enumerate(cat)}
        issues: dict[str, list[DocumentIssue]] = {}
        for group in gate_issues(self.document_register, self.today).values():
            for i in group:
                if i.entry_id and i not in issues.setdefault(i.entry_id, []):
                    issues[i.entry_id].append(i)
        entries = sorted(self.document_register.entries.values(),
                         key=lambda e: (order.get(e.catalog_id, len(order)), e.created))
        rows = []
        for e in entries:
            refs = e.typed_refs
            if e.items is not None:
                items = tuple(self._by_id[i] for i in e.items if i in self._by_id)
            else:
                items = self._items_for(refs)
            rows.append(DocumentRow(e, effective_state(e, self.today), cat.get(e.catalog_id), refs, items,
                                    location_warning(e.location) if e.location else None, tuple(issues.get(e.id, ()))))
        return rows

    def _items_for(self, refs: tuple[Ref, ...]) -> tuple[Item, ...]:
        """The questions on a document's requirements: the mandatory questions on its clauses
        (all questions on a clause when none is mandatory), the questions on its controls (a
        2022 control also through its 2013 predecessors)."""
        cat = catalog()
        out: dict[str, Item] = {}
        for ref in refs:
            if ref.type == CLAUSE:
                on = [i for i in self.items if ref.id in i.clauses]
                for i in [i for i in on if i.mandatory] or on:
                    out.setdefault(i.id, i)
            elif ref.type == CONTROL:
                olds = set(cat.mapping.get(ref.id, ()))
                for i in self.items:
                    if ref.id in i.controls or olds & set(i.controls_2013):
                        out.setdefault(i.id, i)
            elif ref.type == CONTROL_2013:
                for i in self.items:
                    if ref.id in i.controls_2013:
                        out.setdefault(i.id, i)
        return tuple(out.values())

    @cached_property
    def document_issues(self) -> list[DocumentIssue]:
        """Every document issue that blocks the gate (each once), in the catalogue's order."""
        seen: dict[DocumentIssue, None] = {}
        for group in gate_issues(self.document_register, self.today).values():
            for i in group:
                seen.setdefault(i, None)
        return list(seen)

    # -- findings register ----------------------------------------------------------------------
    @cached_property
    def findings(self) -> list[FindingRow]:
        """Every finding with its state (:func:`isms_tui.findings.finding_state`) and its plan
        action while it has one: not closed first (majors first), then closed and verified."""
        actions = {a.source.id: a for a in self.plan if a.source.kind == "finding"}
        rows = [FindingRow(f, f.state, actions.get(f.id)) for f in self.findings_data.findings.values()]
        order = {s: n for n, s in enumerate(("open", "action_planned", "closed", "verified"))}
        grades = {"major": 0, "minor": 1, "observation": 2, "ofi": 3}
        rows.sort(key=lambda r: (r.closed, grades[r.finding.grade], order[r.state], r.finding.no))
        return rows

    @cached_property
    def certification_blockers(self) -> list[FindingRow]:
        """Major nonconformities not closed: the certification body does not decide on a
        certificate until each is closed (corrected, with a corrective action that is
        evidenced). A major whose effectiveness check says not effective is open again."""
        return [r for r in self.findings if r.finding.grade == "major" and not r.closed]

    @cached_property
    def open_findings(self) -> list[FindingRow]:
        return [r for r in self.findings if not r.closed]

    # -- internal audits ----------------------------------------------------------------------
    @cached_property
    def owned(self) -> list[Owned]:
        """What each person owns, with the references it concerns: the plan actions, the SoA
        decisions, the documents register and the risks (for the auditors' independence)."""
        from .i18n import LANGS

        out = [Owned("action", a.owner, {lg: a.first_line(lg) for lg in LANGS}, a.refs) for a in self.plan if a.owner]
        out += [Owned("soa", d.owner, {lg: d.ref.label(lg) for lg in LANGS}, (d.ref,))
                for d in self.soa_decisions.values() if d.owner]
        for e in self.document_register.entries.values():
            if e.owner:
                refs = tuple(Ref.parse(k) for k in e.refs)
                out.append(Owned("document", e.owner, {lg: e.display_name(lg) for lg in LANGS}, refs))
        control_type = CONTROL if self.assessment.edition == "2022" else CONTROL_2013
        for r in self.risk_data.risks.values():
            if r.owner:
                refs = tuple(Ref(control_type, c) for c in dict.fromkeys([*r.existing_controls, *r.planned_controls]))
                out.append(Owned("risk", r.owner, {lg: f"{r.label} {r.threat_title(lg)}".strip() for lg in LANGS}, refs))
        return out

    @cached_property
    def audit_programme(self) -> Programme:
        """The internal audit programme: each audit with its checklist (generated from the banks
        for its scope, with what the auditor recorded), its independence problems, and the
        clauses and Annex A themes no audit covers (:mod:`isms_tui.internal_audit`)."""
        return build_programme(self.audit_data, self.items, self.report.statuses, self.owned,
                               self.findings_data.findings, self.assessment.edition, self.workshop.participants.values())

    # -- workshops -----------------------------------------------------------------------------
    def decided_by(self, item_id: str, lang: str) -> str:
        """Who decided an answer: a participant or the room's consensus (in a workshop), else
        whoever entered it (the CLI says "cli"), else ""."""
        a = self.answers.get(item_id)
        if a is None:
            return ""
        return self.workshop.who(a.decided_by, lang) if a.decided_by else a.answered_by

    def parked_for(self, item_id: str) -> list:
        """The open parked items on one question."""
        return [p for p in self.workshop.open_parked() if p.item_id == item_id]

    def agenda_progress(self, workshop_id: str) -> list[AgendaProgress]:
        w = self.workshop.workshops[workshop_id]
        banks = {b.id: b for b in self.banks}
        out = []
        for key in w.agenda:
            bank_id, _, section_id = key.partition("/")
            bank = banks.get(bank_id)
            if bank is None:
                continue
            done, total = self.section_progress(bank, section_id)
            out.append(AgendaProgress(key, bank, section_id, done, total, w.timebox.get(key)))
        return out

    def workshop_summary(self, workshop_id: str) -> WorkshopSummary:
        """The end of a session: what it answered, what it changed (before -> after), what it
        parked, the gaps it found that are now plan actions (with owner and due date), and the
        contradictions among the items it touched."""
        w = self.workshop.workshops[workshop_id]
        answered, changed = session_changes(self.workshop.events(workshop_id), self._by_id)
        touched = {c.item.id for c in answered + changed}
        gaps = {c.item.id for c in answered + changed if is_new_gap(c)}
        return WorkshopSummary(
            workshop=w,
            participants=[self.workshop.participants[p] for p in w.participants if p in self.workshop.participants],
            answered=answered, changed=changed,
            parked=[p for p in self.workshop.parked.values() if p.workshop == workshop_id],
            new_actions=[a for a in self.plan if a.item is not None and a.item.id in gaps],
            contradictions=[c for c in self.contradictions
                            if c.implemented.id in touched or c.not_implemented.id in touched],
            agenda=self.agenda_progress(workshop_id),
        )

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.plan if a.id == action_id), None)

    @cached_property
    def gap_actions(self) -> list[Action]:
        """The plan's actions on real gaps: questions answered partial, not implemented or
        unknown, and overdue recurring activities. Unanswered questions are counted apart."""
        return [a for a in self.plan if a.item is None or self.answered(a.item.id)]

    @cached_property
    def next_steps(self) -> list[Action]:
        """The actions to start with: the first open ones in the plan's priority order."""
        return [a for a in self.plan if a.action_status != "done"][:NEXT_STEPS]

    @cached_property
    def soa(self) -> list[SoaRow]:
        """One row per Annex A control of the assessment's edition.

        Applicable as the user decided; without a decision, unless every item asking about it
        is answered not applicable. A control a risk uses (as an existing or a planned control)
        is applicable with those risks linked and the reason "risk_treatment"; if the answers or
        the user's decision exclude it too, the row is marked as a conflict (listed in
        :attr:`soa_conflicts`). Implementation status: implemented when every applicable item
        is; partial when some are implemented or partial; unknown when one is unknown; not
        implemented otherwise; unanswered when nothing is answered."""
        cat = catalog()
        is2022 = self.assessment.edition == "2022"
        controls = cat.controls_2022 if is2022 else cat.controls_2013
        by_control = self._control_items
        used = self._risks_by_control
        reverse = cat.reverse_mapping()
        rows: list[SoaRow] = []
        for cid, entry in controls.items():
            ref = Ref(CONTROL if is2022 else CONTROL_2013, cid)
            decision = self.soa_decisions.get(ref.key)
            items = by_control.get(cid, [])
            sts = [self.status(i.id) for i in items]
            all_na = bool(items) and all(s == "not_applicable" for s in sts)
            risks = used.get(cid, ())
            decided_out = decision is not None and decision.applicable is False
            excluded = decided_out or (all_na and not (decision and decision.applicable))
            applicable = not excluded or bool(risks)
            na_reasons: dict[str, None] = {}
            evid: dict[str, None] = {}
            owners: dict[str, None] = {}
            for i in items:
                a = self.answers.get(i.id)
                if a is None:
                    continue
                if a.status == "not_applicable" and a.na_justification.strip():
                    na_reasons.setdefault(a.na_justification.strip(), None)
                if a.evidence.strip():
                    evid.setdefault(a.evidence.strip(), None)
                if a.owner.strip():
                    owners.setdefault(a.owner.strip(), None)
            impl = "not_applicable" if not applicable else self.control_status.get(cid)
            if is2022:
                maps = tuple(Ref(CONTROL_2013, c) for c in cat.mapping.get(cid, ()))
            else:
                maps = tuple(Ref(CONTROL, c) for c in reverse.get(cid, ()))
            justification = decision.justification if decision and decision.justification else ""
            if not justification and not applicable:
                justification = "\n".join(na_reasons)
            challenged = () if applicable else challenged_exclusion(ref.type, cid)
            flags = []
            if challenged:
                flags.append("challenged")
            if not justification:
                flags.append("no_justification")
            elif not applicable and vague_reason(justification):
                flags.append("vague")
            if decision and decision.applicable is not None and (
                (decision.applicable is False and any(s in ("implemented", "partial") for s in sts))
                or (decision.applicable is True and all_na)
            ):
                flags.append("conflict")
            rows.append(SoaRow(
                ref=ref,
                theme=entry.group,
                items=tuple(items),
                applicable=applicable,
                justification=justification,
                status=impl,
                evidence=tuple(evid),
                maps_to=maps,
                risks=tuple(risks),
                reasons=(("risk_treatment",) if risks else ()) + (tuple(decision.reasons) if decision and applicable else ()),
                conflict=excluded and bool(risks),
                decided=bool(decision and (decision.applicable is not None or decision.justification or decision.reasons)) or all_na,
                implementation=decision.implementation if decision else "",
                owner=(decision.owner if decision and decision.owner else ", ".join(owners)),
                flags=tuple(flags),
                challenged=challenged,
            ))
        return rows

    @cached_property
    def _control_items(self) -> dict[str, list[Item]]:
        is2022 = self.assessment.edition == "2022"
        out: dict[str, list[Item]] = {}
        for item in self.items:
            for c in (item.controls if is2022 else item.controls_2013):
                out.setdefault(c, []).append(item)
        return out

    @cached_property
    def control_status(self) -> dict[str, str | None]:
        """Implementation status of each Annex A control of the edition, from the effective
        status of the items asking about it: not applicable when every item is; implemented
        when every applicable item is; partial when some are implemented or partial; unknown
        when one is unknown; not implemented otherwise; None (unanswered) when nothing is
        answered. The SoA and the risk register's vulnerability suggestion both use it."""
        out: dict[str, str | None] = {}
        for cid, items in self._control_items.items():
            sts = [self.status(i.id) for i in items]
            live = [s for s in sts if s != "not_applicable"]
            if sts and not live:
                impl: str | None = "not_applicable"
            elif not live or all(s is None for s in live):
                impl = None
            elif all(s == "implemented" for s in live):
                impl = "implemented"
            elif any(s in ("implemented", "partial") for s in live):
                impl = "partial"
            elif any(s == "unknown" for s in live):
                impl = "unknown"
            else:
                impl = "not_implemented"
            out[cid] = impl
        return out

    # -- risk register --------------------------------------------------------------------
    @cached_property
    def risk_register(self) -> Register:
        """The register rated under the current criteria, with the vulnerability suggested
        from :attr:`control_status` (an excluded control counts as not in place)."""
        return Register(self.risk_data, self.control_status.get, self.today)

    @cached_property
    def _risks_by_control(self) -> dict[str, tuple[Risk, ...]]:
        out: dict[str, list[Risk]] = {}
        for risk in self.risk_data.risks.values():
            for c in dict.fromkeys([*risk.existing_controls, *risk.planned_controls]):
                out.setdefault(c, []).append(risk)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def soa_conflicts(self) -> list[Issue]:
        """Controls the answers exclude (every item not applicable) that a risk uses as an
        existing or planned control: the SoA cannot be both; the user must fix one."""
        return [Issue("risk.issue.soa_conflict", (("control", row.ref.id if row.ref.id.startswith("A.") else f"A.{row.ref.id}"),
                                                  ("risks", ", ".join(r.label for r in row.risks))))
                for row in self.soa if row.conflict]

    @cached_property
    def orphaned_controls(self) -> list[SoaRow]:
        """Applicable controls with no reason to be there (only with a register): no risk uses
        them and the user gave no other reason (legal, contract, business, baseline). Auditors
        ask why each control is in the SoA."""
        if not self.risk_data.exists:
            return []
        return [row for row in self.soa if row.applicable and not row.reasons]

    @cached_property
    def target(self) -> date | None:
        try:
            return date.fromisoformat(self.assessment.target_date) if self.assessment.target_date else None
        except ValueError:
            return None

    @property
    def target_passed(self) -> bool:
        """The target audit date lies in the past (the plan's dates are then stale)."""
        return self.target is not None and self.target < self.today

    @cached_property
    def cycle(self) -> CertificateCycle | None:
        """The certificate cycle of a renewal (from the certificate date), else None."""
        if self.assessment.kind != "renewal" or not self.assessment.certification_date:
            return None
        try:
            return certificate_cycle(date.fromisoformat(self.assessment.certification_date))
        except ValueError:
            return None

    @property
    def next_audit(self) -> str | None:
        """Which audit of the certificate cycle the target date is (renewals with both dates)."""
        return self.cycle.next_audit(self.target) if self.cycle and self.target else None

    # -- the certification calendar ---------------------------------------------------------
    @cached_property
    def annual_plan(self) -> AnnualPlan:
        """The certificate, its audits and the yearly activities laid back from the next
        audit, with their due dates, states and the flags (:mod:`isms_tui.annual_plan`)."""
        return build_annual_plan(self.assessment, self.calendar_data, self.today,
                                 answered_last_done(self.items, self.answers))

    @cached_property
    def roadmap(self) -> list[RoadmapRow]:
        """The steps of the assessment's kind of process with their suggested windows, laid
        back from the target audit date (no dates without a target), with the owners of the
        step's questions and actions and a status from their answers: done when every one is
        implemented (or not applicable), in progress when one is implemented or partial, to do
        otherwise."""
        cat = catalog()
        renewal = self.assessment.kind == "renewal"
        windows = schedule(self.target, self.assessment.kind) if self.target else {}
        actions = {a.source.id: a for a in self.plan if a.source.kind == "question"}
        by_step: dict[str, list[Item]] = {}
        for item in self.items:
            for step_id in item.steps:
                by_step.setdefault(step_id, []).append(item)
        rows = []
        for phase in cat.phases:
            if renewal != (phase.id == "maintenance_renewal"):
                continue
            for step in phase.steps:
                start, end = windows.get(step.id, (None, None))
                items = by_step.get(step.id, [])
                owners: dict[str, None] = {}
                for i in items:
                    act = actions.get(i.id)
                    a = self.answers.get(i.id)
                    for who in ((act.owner if act else ""), (a.owner if a else "")):
                        if who.strip():
                            owners.setdefault(who.strip(), None)
                sts = [self.status(i.id) for i in items]
                if not items:
                    status = None
                elif all(s in ("implemented", "not_applicable") for s in sts):
                    status = "done"
                elif any(s in ("implemented", "partial") for s in sts):
                    status = "in_progress"
                else:
                    status = "todo"
                rows.append(RoadmapRow(phase.id, Ref("step", step.id), start, end, step.every_months,
                                       owner=", ".join(owners), status=status))
        return rows

    # -- getting ready for the certification audit (isms_tui/preaudit.py has the rules) ----------
    @cached_property
    def stage1_pack(self) -> list[PackGroup]:
        """What the stage 1 auditor reviews, requirement by requirement in the order a stage 1
        review runs, each with the auditor's questions, the register's documents, the answer
        statuses, the gate's issues, the open plan actions and its state."""
        return build_pack(self)

    @cached_property
    def sampling(self) -> list[SamplingRow]:
        """The stage 2 sampling list: each record type the auditor samples with what the
        company holds of it, its state ("have we got 3-6 months?") and its plan action."""
        return sampling_rows(self, self.sampling_data)
