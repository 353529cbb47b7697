"""The next cycle: a new assessment that continues the previous one.

It sits beside :mod:`isms_tui.transition` (above the service, which it reuses): the CLI and
the home screen call :func:`next_cycle` as they call the transition.

A certificate lives three years (surveillance audits in years 1 and 2, recertification in
year 3); each year the company works through the same ISMS again. ``isms-tui next-cycle ID``
(and key ``y`` on the home screen) creates the next cycle's assessment from the previous
one, which is **not changed at all** (it stays as the record of its year). The new one links
back with ``Assessment.source = {"previous_cycle": <id>, ...}`` (plus ``"transition_from"``
when the edition changes) and keeps the previous cycle's organization and date there, so the
link reads even if the old file is moved away.

What carries over, table by table (:data:`CARRIED`; a test fails when storage gains a table
that is in neither list):

- the header: organization, scope, banks, certification date. The kind becomes ``renewal``
  once the company is certified (the previous cycle was a renewal, or has a certification
  date), else it stays; the banks follow the kind. The target date is the new cycle's own;
- the answers, **as a baseline to re-confirm** (``Answer.reconfirm``). The rule, in
  :mod:`isms_tui.view`: a baseline answer counts with its status in readiness, the gate and
  the plan, and is counted apart as "to re-confirm" (dashboard, report, exports) until
  someone sets its status again in this cycle, which clears the mark;
- the plan edits of actions not done (owner, due date, progress), by their stable ids, when
  what made the action carries too (:func:`carries`);
- the findings not closed (closed and verified ones stay with the cycle that closed them);
- the documents & records register, the asset ledger and risk register with their review
  dates and the risk criteria, the SoA decisions (same edition: a 2013 decision names a 2013
  control and stays behind), the workshop participants;
- the tables of registers this module does not model, stored as they are (sampling, the
  certification calendar).

What stays behind (:data:`NOT_CARRIED`): workshops and their history of decisions (the record
of last year's sessions; this year's answers get their own), parked items (they belong to the
session that parked them; the question they were about comes back "to re-confirm" anyway),
and the internal audits and their lines (each cycle needs a new audit programme). The
changes since the last cycle are asked anew (:mod:`isms_tui.changes`).

A 2013 assessment's next cycle is a 2022 one: the content comes from the transition
(:func:`isms_tui.transition.transitioned`), the next cycle adds what it carries besides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from .catalog import catalog
from .changes import CHANGE_TOPICS, ChangeRecord, ChangesData
from .findings import Finding, FindingsData
from .model import ActionEdit, Answer, Assessment, UserError, default_banks, parse_date
from .service import Workspace
from .text import clean
from .workshop import WorkshopData

# table -> how it carries
CARRIED: dict[str, str] = {
    "meta": "organization, scope, banks and certification date; a new id, kind, target date and source",
    "answers": "every answer to a question of the new banks, as a baseline to re-confirm",
    "actions": "the plan edits of actions not done whose source carries too, by their stable ids",
    "risk_criteria": "the risk criteria versions (approval included)",
    "assets": "the asset ledger with its review dates",
    "risks": "the risk register with its review dates (2013 controls renumbered to 2022)",
    "soa": "the SoA decisions (same edition only)",
    "participants": "the people of the workshops",
    "documents": "the documents & records register",
    "findings": "the findings not closed",
    "sampling": "stored as it is",
    "calendar": "stored as it is (the certification calendar goes on)",
}
NOT_CARRIED: dict[str, str] = {
    "workshops": "last year's sessions stay with last year's file",
    "history": "who decided what in last year's sessions",
    "parked": "they belong to the session that parked them; their question is to re-confirm anyway",
    "changes": "asked anew at the start of every cycle",
    "audits": "each cycle needs a new internal audit programme",
    "audit_lines": "the lines of last year's internal audits",
}
# tables carried as they are stored (registers other modules model)
RAW_TABLES = ("sampling", "calendar")


@dataclass
class NextCycleResult:
    new_id: str
    previous_id: str
    edition_changed: bool = False
    carried: dict[str, int] = field(default_factory=dict)  # table -> records carried
    left_behind: dict[str, int] = field(default_factory=dict)  # table -> records not carried


def next_kind(old: Assessment) -> str:
    """The kind of the next cycle: renewal once the company is certified (the previous cycle
    was a renewal or has a certification date), else the previous kind."""
    return "renewal" if old.kind == "renewal" or old.certification_date else old.kind


def next_banks(old: Assessment, edition: str, kind: str, banks: list[str], known: Mapping[str, object]) -> list[str]:
    """The banks of the next cycle: ``banks`` when the kind stays; the new kind's defaults and
    the extra banks the previous cycle had chosen when it changes."""
    if kind == old.kind:
        return banks
    old_defaults = set(default_banks(old.edition, old.kind)) | set(default_banks(edition, old.kind))
    out = default_banks(edition, kind)
    for b in banks:
        if b not in out and b not in old_defaults and b in known and b != "annex-a-2013":
            out.append(b)
    return out


def carries(edit: ActionEdit, sources: Mapping[str, set[str]]) -> bool:
    """Whether a plan edit goes on into the next cycle: its action is not done, and what made
    the action is carried too (a question of the new banks, a finding not closed; a risk or a
    document of the registers, which carry whole). The edits of parked items and of changes
    stay behind with them."""
    kind, sid = edit.source.get("kind"), edit.source.get("id")
    if edit.status == "done" or kind in ("parked", "change"):
        return False
    return kind not in sources or sid in sources[kind]


def _changes(answers: Mapping[str, tuple[str | None, str]] | None) -> ChangesData:
    data = ChangesData.asked()
    for topic, (answer, description) in (answers or {}).items():
        data.records[topic] = ChangeRecord(topic, answer, description if answer == "changed" else "")
    return data


def _open_finding(f: Finding, edition_changed: bool) -> Finding:
    """An open finding for the new cycle (a 2013 control renumbered to its first 2022 successor)."""
    doc = f.to_doc()
    ref = f.requirement
    if edition_changed and ref.type == "control_2013":
        succ = catalog().reverse_mapping().get(ref.id, ())
        if succ:
            doc["ref"] = f"control:{succ[0]}"
    return Finding.from_doc(doc)


def next_cycle(ws: Workspace, old_id: str, *, target_date: str | date | None = None, organization: str | None = None,
               kind: str | None = None, changes: Mapping[str, tuple[str | None, str]] | None = None) -> NextCycleResult:
    """Create the next cycle of assessment ``old_id`` (see the module's description); the
    previous file is only read. ``changes`` may answer change questions at once (topic ->
    ("no_change" | "changed" | None, description))."""
    loaded = ws.load(old_id)
    old, answers, edits = loaded
    raw = ws.stored_tables(old_id, (*RAW_TABLES, *NOT_CARRIED))
    if changes:
        unknown = [t_ for t_ in changes if t_ not in CHANGE_TOPICS]
        if unknown:
            raise UserError("error.bad_choice", field="topic", choices=", ".join(CHANGE_TOPICS))
    change_data = _changes(changes)
    result = NextCycleResult(new_id="", previous_id=old_id)
    target = parse_date(target_date, what="target date")
    if old.edition == "2013":
        from .transition import transitioned

        t_ = transitioned(ws, old_id)
        base, baseline, risk, people = t_.assessment, t_.answers, t_.risk, t_.workshop
        result.edition_changed = True
        soa: list = []
        result.left_behind["soa"] = len(loaded.soa)
    else:
        base = Assessment.from_doc({k: v for k, v in old.to_doc().items() if k not in ("id", "created", "updated")})
        baseline = [Answer.from_doc(a.to_doc()) for a in answers.values()]
        risk = ws.risk_data(old_id)
        people = WorkshopData(participants=dict(ws.workshop_data(old_id).participants))
        soa = list(loaded.soa.values())
    new_kind = kind or next_kind(old)
    source = {"previous_cycle": old_id, "previous_organization": old.organization,
              "previous_date": old.target_date or old.updated[:10]}
    if result.edition_changed:
        source["transition_from"] = old_id
    new = Assessment(
        organization=clean(organization or "", multiline=False).strip() or base.organization,
        scope=base.scope, kind=new_kind, edition=base.edition, lang=base.lang,
        banks=next_banks(old, base.edition, new_kind, list(base.banks), ws.bankset.banks),
        target_date=target, certification_date=base.certification_date, source=source,
    )
    known = {i.id for b in ws.banks_for(new) for i in b.items}
    carried_answers = []
    for a in baseline:
        if a.item_id not in known:
            continue
        a.reconfirm = a.status is not None
        a.workshop = ""  # the session that set it stays with the previous cycle
        carried_answers.append(a)
    result.carried["answers"] = len(carried_answers)
    result.left_behind["answers"] = len(answers) - len(carried_answers) if not result.edition_changed else 0
    findings = ws.findings_data(old_id)
    open_findings = FindingsData({f.id: _open_finding(f, result.edition_changed)
                                  for f in findings.findings.values() if not f.is_closed})
    sources = {"question": known, "finding": set(open_findings.findings)}
    open_edits = [ActionEdit.from_doc(e.to_doc()) for e in edits.values() if carries(e, sources)]
    result.carried["actions"] = len(open_edits)
    result.left_behind["actions"] = len(edits) - len(open_edits)
    result.carried["findings"] = len(open_findings.findings)
    result.left_behind["findings"] = len(findings.findings) - len(open_findings.findings)
    documents = ws.documents(old_id)
    result.carried["documents"] = len(documents.entries)
    if risk is not None:
        result.carried.update(risk_criteria=len(risk.criteria), assets=len(risk.assets), risks=len(risk.risks))
    result.carried["soa"] = len(soa)
    result.carried["participants"] = len(people.participants)
    tables = {t_: raw[t_] for t_ in RAW_TABLES if t_ in raw}
    for t_, docs in tables.items():
        result.carried[t_] = len(docs)
    for t_ in NOT_CARRIED:
        if t_ != "changes" and raw.get(t_):
            result.left_behind[t_] = len(raw[t_])
    result.new_id = ws.create(new, carried_answers, open_edits, risk=risk if risk is not None and risk.exists else None,
                              soa=soa, workshop=people, documents=documents, findings=open_findings,
                              changes=change_data, tables=tables)
    return result
