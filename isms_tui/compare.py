"""Year-on-year comparison of an assessment with its previous cycles (no Textual).

A next-cycle assessment links to the cycle before it with ``Assessment.source =
{"previous_cycle": "<id>"}``; :meth:`isms_tui.service.Workspace.compare` follows that chain
(stopping at a missing or unreadable file, or at a loop, and saying which) and hands the read
models of every cycle, newest first, to :func:`build_comparison`. Nothing is re-scored here:
each cycle's readiness, gate, effective statuses, plan and findings come from its own
:class:`isms_tui.view.AssessmentView`.

Rules (also in the README):

- **Readiness per section**: one row per bank of this cycle and one per top-level section of
  it (a clause, an Annex A theme, a process step), with each cycle's readiness of the same
  bank and section (``answered_readiness``: blank while nothing in it is answered). Across
  editions (a 2013 cycle before a 2022 one) only what maps is compared: the clause and process
  banks section by section, Annex A as a whole (its 2013 objectives and 2022 themes do not
  correspond), so the 2022 themes have no earlier value. The change is this cycle's readiness
  minus the previous cycle's.
- **Answers that got worse**: an item answered in both this cycle and the previous one whose
  effective status ranks lower now (:data:`isms_tui.scoring.STATUS_RANK`: implemented >
  partial > not implemented / unknown; not applicable on either side is left out). An item is
  the same item by its id; a 2022 Annex A item after a 2013 cycle is compared with the 2013
  items its controls correspond to (ISO/IEC 27002:2022 Annex B), taking the weakest of their
  answers as :mod:`isms_tui.transition` does.
- **Actions carried over**: actions open now (not done) that were open in earlier cycles, by
  action id, among each cycle's actions on real gaps (``gap_actions``: a question nobody has
  answered yet is not an action carried over) (a question's action through the same item correspondence), with the number of
  earlier cycles they were open in; open in two or more earlier cycles is "carried over more
  than once" (:attr:`CarriedAction.repeated`).
- **Findings that recurred**: a finding of this cycle raised against the same requirement as
  a finding of an earlier cycle (a 2022 control and the 2013 controls it corresponds to count
  as the same requirement). A finding carried over as it was (same id, or not raised after
  the earlier one) is the same finding, not a recurrence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from .banks import Item
from .catalog import catalog
from .findings import Finding
from .i18n import t
from .plan import Action
from .refs import CONTROL, CONTROL_2013, Ref
from .scoring import STATUS_RANK, pct
from .text import one_line
from .view import AssessmentView, FindingRow

PREVIOUS_KEY = "previous_cycle"  # Assessment.source key that links a cycle to the one before
BREAK_KEYS = {"missing": "compare.broken.missing", "unreadable": "compare.broken.unreadable",
              "loop": "compare.broken.loop"}  # why the chain stops: the catalog key that says so
ANNEX_BANKS = ("annex-a-2022", "annex-a-2013")  # Annex A as a whole compares across editions
WEAKEST_ORDER = ("unknown", "not_implemented", "partial", "implemented")  # as isms_tui.transition


def previous_id(view_or_source: AssessmentView | dict | None) -> str | None:
    """The id of the previous cycle an assessment links to, or None."""
    source = view_or_source.assessment.source if isinstance(view_or_source, AssessmentView) else view_or_source
    if not isinstance(source, dict):
        return None
    prev = source.get(PREVIOUS_KEY)
    return prev if isinstance(prev, str) and prev.strip() else None


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain of previous cycles stops early: the id it could not follow and why
    (``missing``: no such assessment; ``unreadable``: damaged or newer file; ``loop``: an id
    already in the chain). ``detail`` is the storage error's one line, when there is one."""

    id: str
    reason: str
    detail: dict[str, str] = field(default_factory=dict)  # per language


@dataclass(frozen=True)
class SectionRow:
    bank_id: str
    section_id: str | None  # None: the bank as a whole
    title: dict[str, str]
    readiness: tuple[float | None, ...]  # per cycle, this cycle first

    @property
    def level(self) -> int:
        return 0 if self.section_id is None else 1

    @property
    def change(self) -> float | None:
        """This cycle's readiness minus the previous cycle's (None when either is blank)."""
        if len(self.readiness) < 2 or self.readiness[0] is None or self.readiness[1] is None:
            return None
        return self.readiness[0] - self.readiness[1]


@dataclass(frozen=True)
class WorseAnswer:
    item: Item
    before: str  # the previous cycle's effective status (weakest of the corresponding items)
    now: str
    before_items: tuple[str, ...]  # the previous cycle's item ids it is compared with


@dataclass(frozen=True)
class CarriedAction:
    action: Action  # as it is in this cycle
    cycles: tuple[int, ...]  # indexes of the earlier cycles it was open in (1: the previous)

    @property
    def times(self) -> int:
        return len(self.cycles)

    @property
    def repeated(self) -> bool:
        """Carried over more than once: open in two or more earlier cycles, still open now."""
        return self.times >= 2


@dataclass(frozen=True)
class RecurringFinding:
    row: FindingRow  # this cycle's finding
    earlier: tuple[tuple[int, Finding], ...]  # (cycle index, finding) on the same requirement


class CycleComparison:
    """This cycle (``cycles[0]``) against the previous ones (``cycles[1:]``, newest first)."""

    def __init__(self, cycles: Sequence[AssessmentView], broken: ChainBreak | None = None):
        if not cycles:
            raise ValueError("a comparison needs at least this cycle")
        self.cycles = list(cycles)
        self.broken = broken

    @property
    def current(self) -> AssessmentView:
        return self.cycles[0]

    @property
    def previous(self) -> list[AssessmentView]:
        return self.cycles[1:]

    @property
    def has_previous(self) -> bool:
        return len(self.cycles) > 1

    @staticmethod
    def when(view: AssessmentView) -> str:
        """How a cycle is named in a column: its target audit date, else the day it was created."""
        return view.assessment.target_date or view.assessment.created[:10]

    # -- overall ---------------------------------------------------------------------------
    @property
    def overall(self) -> tuple[float | None, ...]:
        return tuple(v.overall.answered_readiness for v in self.cycles)

    @property
    def overall_change(self) -> float | None:
        """This cycle's overall readiness minus the previous cycle's (None when either is blank)."""
        o = self.overall
        return o[0] - o[1] if len(o) > 1 and o[0] is not None and o[1] is not None else None

    @property
    def gate_met(self) -> tuple[tuple[int, int, bool], ...]:
        """Per cycle: (requirements met, requirements, gate ready)."""
        return tuple((v.gate.count("met"), len(v.gate.requirements), v.gate.ready) for v in self.cycles)

    # -- readiness per section -------------------------------------------------------------
    @cached_property
    def sections(self) -> list[SectionRow]:
        rows: list[SectionRow] = []
        for bank in self.current.banks:
            rows.append(SectionRow(bank.id, None, dict(bank.title),
                                   tuple(self._bank_readiness(v, bank.id) for v in self.cycles)))
            for sec in bank.sections:
                if sec.parent is not None:
                    continue
                vals = tuple(_ready(v.report.sections.get((bank.id, sec.id))) for v in self.cycles)
                rows.append(SectionRow(bank.id, sec.id, dict(sec.title), vals))
        return rows

    @staticmethod
    def _bank_readiness(view: AssessmentView, bank_id: str) -> float | None:
        banks = view.report.banks
        if bank_id in banks:
            return _ready(banks[bank_id])
        if bank_id in ANNEX_BANKS:
            other = next((b for b in ANNEX_BANKS if b != bank_id and b in banks), None)
            return _ready(banks[other]) if other else None
        return None

    # -- answers ---------------------------------------------------------------------------
    def corresponding(self, item: Item, earlier: AssessmentView) -> tuple[str, ...]:
        """The earlier cycle's items that ``item`` is compared with: the same id, or, for a
        2022 Annex A item after a 2013 cycle, the 2013 items of the controls it corresponds to."""
        if item.id in earlier.item_ids:
            return (item.id,)
        if item.controls and earlier.assessment.edition == "2013":
            olds = {o for c in item.controls for o in catalog().mapping.get(c, ())}
            return tuple(i.id for i in earlier.items if olds & set(i.controls_2013))
        return ()

    @cached_property
    def worse_answers(self) -> list[WorseAnswer]:
        if not self.has_previous:
            return []
        now, before = self.current, self.cycles[1]
        out: list[WorseAnswer] = []
        for item in now.items:
            status = now.status(item.id)
            if not now.answered(item.id) or status is None or status == "not_applicable":
                continue
            olds = [i for i in self.corresponding(item, before) if before.answered(i)]
            old_statuses = [before.status(i) for i in olds]
            live = [s for s in old_statuses if s not in (None, "not_applicable")]
            if not live:
                continue
            was = min(live, key=WEAKEST_ORDER.index)
            if STATUS_RANK[status] < STATUS_RANK[was]:
                out.append(WorseAnswer(item, was, status, tuple(olds)))
        return out

    # -- actions ---------------------------------------------------------------------------
    @cached_property
    def carried_actions(self) -> list[CarriedAction]:
        """Actions open now that were open in one or more earlier cycles, the most often
        carried first (then in this cycle's plan order)."""
        open_before = [{a.id for a in v.gap_actions if a.action_status != "done"} for v in self.previous]
        out: list[CarriedAction] = []
        for action in self.current.gap_actions:
            if action.action_status == "done":
                continue
            hits = []
            for k, (view, ids) in enumerate(zip(self.previous, open_before, strict=True), start=1):
                if self._action_ids(action, view) & ids:
                    hits.append(k)
            if hits:
                out.append(CarriedAction(action, tuple(hits)))
        out.sort(key=lambda c: -c.times)
        return out

    @property
    def repeated_actions(self) -> list[CarriedAction]:
        return [c for c in self.carried_actions if c.repeated]

    def _action_ids(self, action: Action, earlier: AssessmentView) -> set[str]:
        if action.item is None:
            return {action.id}
        return {f"question:{i}" for i in self.corresponding(action.item, earlier)} or {action.id}

    # -- findings --------------------------------------------------------------------------
    @cached_property
    def recurring_findings(self) -> list[RecurringFinding]:
        out: list[RecurringFinding] = []
        for row in self.current.findings:
            f = row.finding
            same = _same_requirement(f.requirement)
            earlier = []
            for k, view in enumerate(self.previous, start=1):
                for old in view.findings_data.findings.values():
                    if old.id == f.id or old.requirement not in same:
                        continue
                    if f.raised_on and old.raised_on and f.raised_on <= old.raised_on:
                        continue  # carried over as it was, not found again
                    earlier.append((k, old))
            if earlier:
                out.append(RecurringFinding(row, tuple(earlier)))
        return out


def _ready(score) -> float | None:
    return score.answered_readiness if score is not None else None


def _same_requirement(ref: Ref) -> set[Ref]:
    """A requirement and its counterparts in the other edition's Annex A."""
    cat = catalog()
    out = {ref}
    if ref.type == CONTROL:
        out |= {Ref(CONTROL_2013, c) for c in cat.mapping.get(ref.id, ())}
    elif ref.type == CONTROL_2013:
        out |= {Ref(CONTROL, c) for c in cat.reverse_mapping().get(ref.id, ())}
    return out


def build_comparison(cycles: Sequence[AssessmentView], broken: ChainBreak | None = None) -> CycleComparison:
    return CycleComparison(cycles, broken)


# -- words shared by the CLI, the TUI and the workbook ----------------------------------------
def points(now: float | None, before: float | None) -> str:
    """The change between two readiness values in percentage points, as the difference of the
    percentages shown beside it (``pct``), so the numbers on screen add up: "+14", "-3", "±0";
    "—" when either is blank."""
    if now is None or before is None:
        return "\u2014"
    n = int(pct(now)[:-1]) - int(pct(before)[:-1])
    return "\u00b10" if n == 0 else f"{n:+d}"


def section_title(row: SectionRow, lang: str) -> str:
    return row.title.get(lang) or row.title.get("en", row.section_id or row.bank_id)


def cycle_name(cmp: CycleComparison, index: int, lang: str) -> str:
    """"This cycle", "Previous cycle", "2 cycles back" … with the cycle's date."""
    key = "compare.cycle.this" if index == 0 else "compare.cycle.previous" if index == 1 else "compare.cycle.back"
    return t(key, lang, n=index, when=cmp.when(cmp.cycles[index]))


def break_note(cmp: CycleComparison, lang: str) -> str | None:
    """Why the chain of previous cycles stops early, as one line (None when it does not)."""
    b = cmp.broken
    if b is None:
        return None
    return t(BREAK_KEYS[b.reason], lang, id=one_line(b.id)[:40], detail=b.detail.get(lang, ""))


def action_label(action: Action, lang: str, width: int = 80) -> str:
    """An action in one line: its question's heading, else its references and first line."""
    if action.item is not None:
        return action.item.heading(lang)
    text = f"{action.ref_label(lang)} {action.first_line(lang)}".strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def status_word(status: str | None, lang: str) -> str:
    return t(f"status.{status or 'unanswered'}", lang)


def comparison_text(cmp: CycleComparison, lang: str) -> list[str]:
    """The comparison as ``isms-tui compare`` prints it."""
    a = cmp.current.assessment
    out = [t("compare.title", lang, org=a.organization)]
    note = break_note(cmp, lang)
    if not cmp.has_previous:
        out.append(t("compare.none", lang))
        return out + ([note] if note else [])
    if note:
        out.append(note)
    names = [cycle_name(cmp, k, lang) for k in range(len(cmp.cycles))]
    overall = "  ".join(f"{n}: {pct(v)}" for n, v in zip(names, cmp.overall, strict=True))
    out.append(t("compare.overall", lang) + "  " + overall)
    gates = "  ".join(t("compare.gate_value", lang, met=m, total=n) + (" \u2713" if ready else "")
                      for m, n, ready in cmp.gate_met)
    out.append(t("compare.gate", lang) + "  " + gates)
    out += ["", t("compare.sections", lang) + "  (" + " / ".join(names) + " / " + t("compare.change", lang) + ")"]
    for row in cmp.sections:
        vals = " / ".join(pct(v) for v in row.readiness)
        out.append(f"{'  ' * (row.level + 1)}{section_title(row, lang)}: {vals} / {points(*row.readiness[:2])}")
    out += ["", t("compare.worse", lang, n=len(cmp.worse_answers))]
    out += [f"  {w.item.id} {w.item.heading(lang)}: {status_word(w.before, lang)} \u2192 {status_word(w.now, lang)}"
            for w in cmp.worse_answers]
    out += ["", t("compare.carried", lang, n=len(cmp.carried_actions), repeated=len(cmp.repeated_actions))]
    out += [f"  {action_label(c.action, lang)}  {c.action.owner or '—'}  "
            + t("compare.carried_times", lang, n=c.times) for c in cmp.carried_actions]
    out += ["", t("compare.recurring", lang, n=len(cmp.recurring_findings))]
    for r in cmp.recurring_findings:
        f = r.row.finding
        before = ", ".join(f"{old.label} ({cmp.when(cmp.cycles[k])})" for k, old in r.earlier)
        out.append(f"  {f.label} {f.requirement.label(lang)} {one_line(f.description)[:60]}  \u2190 {before}")
    return out


def comparison_json(cmp: CycleComparison, lang: str) -> dict:
    """Stable JSON for ``isms-tui compare --json`` (fields in the README)."""
    return {
        "cycles": [{"id": v.assessment.id, "organization": v.assessment.organization, "edition": v.assessment.edition,
                    "kind": v.assessment.kind, "target_date": v.assessment.target_date, "when": cmp.when(v),
                    "readiness": v.overall.answered_readiness, "gate": {"met": m, "requirements": n, "ready": ready}}
                   for v, (m, n, ready) in zip(cmp.cycles, cmp.gate_met, strict=True)],
        "broken": None if cmp.broken is None else {"id": cmp.broken.id, "reason": cmp.broken.reason,
                                                    "message": break_note(cmp, lang)},
        "sections": [{"bank": r.bank_id, "section": r.section_id, "title": section_title(r, lang),
                      "readiness": list(r.readiness), "change": r.change} for r in cmp.sections],
        "worse_answers": [{"item": w.item.id, "heading": w.item.heading(lang), "before": w.before, "now": w.now,
                           "compared_with": list(w.before_items)} for w in cmp.worse_answers],
        "carried_actions": [{"id": c.action.id, "what": c.action.first_line(lang), "owner": c.action.owner,
                             "due": c.action.due.isoformat() if c.action.due else None, "cycles": list(c.cycles),
                             "repeated": c.repeated} for c in cmp.carried_actions],
        "recurring_findings": [{"id": r.row.finding.id, "label": r.row.finding.label,
                                "ref": r.row.finding.requirement.to_json(lang),
                                "earlier": [{"cycle": k, "id": f.id, "label": f.label, "ref": f.requirement.to_json(lang),
                                             "raised_on": f.raised_on} for k, f in r.earlier]}
                               for r in cmp.recurring_findings],
    }
