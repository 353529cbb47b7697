"""2013 → 2022 transition through the official correspondence (ISO/IEC 27002:2022 Annex B).

Rule (also in ``isms-tui transition --help`` and the README): each 2022 Annex A item takes the
*weakest* status among the answered 2013 controls mapped to its control (unknown < not
implemented < partial < implemented; not applicable only when every mapped answer is not
applicable), so the transition never claims more than the 2013 answers showed. Notes and
evidence are carried with their source ids. The 11 controls new in 2022 start unanswered.
Answers to the clause and process banks are copied as they are (same items).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalog import catalog
from .i18n import t
from .model import Answer, Assessment, UserError, default_banks
from .risk import RiskData
from .service import Workspace
from .workshop import WorkshopData

WEAKEST_ORDER = ("unknown", "not_implemented", "partial", "implemented")


@dataclass
class TransitionResult:
    new_id: str
    carried: list[str] = field(default_factory=list)  # 2022 items from exactly one 2013 answer
    merged: list[str] = field(default_factory=list)  # 2022 items from several 2013 answers
    left_open: list[str] = field(default_factory=list)  # no 2013 answer to carry
    new_controls: list[str] = field(default_factory=list)  # items of controls new in 2022
    copied: int = 0  # clause / process answers copied unchanged
    register: int = 0  # risks carried with their controls renumbered (assets and criteria too)

    def report_lines(self, lang: str) -> list[str]:
        return [
            t("transition.summary", lang, carried=len(self.carried), merged=len(self.merged),
              open=len(self.left_open), new=len(self.new_controls), copied=self.copied),
            t("transition.new_controls", lang, ids=", ".join(sorted({i.split("-")[1] for i in self.new_controls}, key=_key))),
        ] + ([t("transition.register", lang, risks=self.register)] if self.register else [])


def _key(cid: str) -> tuple[int, ...]:
    return tuple(int(x) for x in cid.split(".") if x.isdigit())


def weakest(statuses: list[str]) -> str | None:
    live = [s for s in statuses if s != "not_applicable"]
    if not statuses:
        return None
    if not live:
        return "not_applicable"
    return min(live, key=WEAKEST_ORDER.index)


@dataclass
class Transitioned:
    """What the transition of a 2013 assessment gives, before it is stored: the 2022
    assessment, its answers, the risk register renumbered (or None) and the people."""

    assessment: Assessment
    answers: list[Answer]
    risk: RiskData | None
    workshop: WorkshopData
    result: TransitionResult


def transition(ws: Workspace, old_id: str) -> TransitionResult:
    """Create the 2022 assessment of a 2013 one (the 2013 file is not changed)."""
    t_ = transitioned(ws, old_id)
    ws.create(t_.assessment, t_.answers, risk=t_.risk, workshop=t_.workshop)
    return t_.result


def transitioned(ws: Workspace, old_id: str) -> Transitioned:
    """The content of the 2022 assessment of 2013 assessment ``old_id``, not stored yet
    (:func:`transition` stores it; :mod:`isms_tui.next_cycle` carries more with it)."""
    old, answers, _ = ws.load(old_id)
    if old.edition != "2013":
        raise UserError("transition.not_2013", id=old_id)
    a22 = ws.bankset.get("annex-a-2022")
    if a22 is None:
        raise UserError("error.unknown_banks", banks="annex-a-2022")
    cat = catalog()
    banks = [b for b in default_banks("2022", old.kind)]
    for b in old.banks:
        if b not in banks and b != "annex-a-2013" and b in ws.bankset.banks:
            banks.append(b)
    new = Assessment(
        organization=old.organization, scope=old.scope, kind=old.kind, edition="2022", lang=old.lang,
        banks=banks, target_date=old.target_date, certification_date=old.certification_date,
        source={"transition_from": old_id},
    )
    # 2013 answers by 2013 control id
    by_2013: dict[str, list[Answer]] = {}
    a13 = ws.bankset.get("annex-a-2013")
    if a13 is not None:
        for item in a13.items:
            a = answers.get(item.id)
            if a is not None and a.status is not None:
                for cid in item.controls_2013:
                    by_2013.setdefault(cid, []).append(a)
    result = TransitionResult(new_id=new.id)
    out: list[Answer] = []
    for item in a22.items:
        sources: list[tuple[str, Answer]] = []
        for c in item.controls:
            for old_c in cat.mapping.get(c, ()):
                sources += [(old_c, a) for a in by_2013.get(old_c, [])]
        if item.new_in_2022:
            result.new_controls.append(item.id)
        if not sources:
            if not item.new_in_2022:
                result.left_open.append(item.id)
            continue
        status = weakest([a.status for _, a in sources])
        ans = Answer(item.id, status=status, answered_by=f"transition:{old_id}")
        ans.note = "\n".join(f"[{cid}] {a.note}" for cid, a in sources if a.note)
        ans.evidence = "\n".join(f"[{cid}] {a.evidence}" for cid, a in sources if a.evidence)
        ans.owner = next((a.owner for _, a in sources if a.owner), "")
        if status == "not_applicable":
            ans.na_justification = "\n".join(f"[{cid}] {a.na_justification}" for cid, a in sources if a.na_justification) or f"[{old_id}]"
        out.append(ans)
        (result.merged if len({cid for cid, _ in sources}) > 1 else result.carried).append(item.id)
    known = {i.id for b in ws.banks_for(new) for i in b.items}
    for item_id, a in answers.items():
        if item_id in known and not item_id.startswith("a22-"):
            out.append(Answer.from_doc(a.to_doc()))
            result.copied += 1
    risk = ws.risk_data(old_id)
    rev = cat.reverse_mapping()
    for r in risk.risks.values():  # the register's controls, in the 2022 numbering
        r.existing_controls = _successors(r.existing_controls, rev)
        r.planned_controls = _successors(r.planned_controls, rev)
    result.register = len(risk.risks)
    people = ws.workshop_data(old_id).participants  # the people carry over; the sessions stay with 2013
    return Transitioned(new, out, risk if risk.exists else None, WorkshopData(participants=dict(people)), result)


def _successors(ids: list[str], rev: dict[str, tuple[str, ...]]) -> list[str]:
    """The 2022 controls that 2013 controls ``ids`` feed (official correspondence), in order."""
    out: dict[str, None] = {}
    for c in ids:
        for new in rev.get(c, ()):
            out.setdefault(new, None)
    return list(out)
