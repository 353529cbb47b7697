"""The user's Statement of Applicability decisions: one per Annex A control.

A decision is what the company itself says about a control in its SoA (ISO/IEC 27001 6.1.3 d):
whether it applies, why it is included or excluded (the user's own words, never a prefilled
sentence), how it is implemented or which document describes it, and who owns it. It is kept
apart from the answers: several questions may ask about one control, the decision is one.

Decisions are stored in the ``soa`` table of the assessment file, keyed by the control's
typed reference key (``control:5.15`` for 2022, ``control_2013:A.9.1.1`` for 2013).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from .banks import Item
from .catalog import catalog
from .i18n import t
from .model import ValidationError, now_iso
from .refs import CONTROL, CONTROL_2013, Ref
from .soa import vague_reason
from .text import clean

SOA_FIELDS = ("applicable", "reasons", "justification", "implementation", "owner")
# Why a control is included, besides a risk treatment that uses it (which the register shows
# by itself): a law or regulation, a contract or customer requirement, a business need, or a
# baseline the company adopts (a group policy, a guideline such as IPA's).
SOA_REASONS = ("legal", "contract", "business", "baseline")


@dataclass
class SoaDecision:
    control: str  # typed reference key: "control:5.15" or "control_2013:A.9.1.1"
    applicable: bool | None = None  # None: follow the answers (excluded when every question is N/A)
    reasons: list[str] = field(default_factory=list)  # SOA_REASONS the user chose, in that order
    justification: str = ""  # why included / excluded, in the user's words
    implementation: str = ""  # how it is implemented, or the document that says so
    owner: str = ""
    updated: str = field(default_factory=now_iso)

    @property
    def ref(self) -> Ref:
        return Ref.parse(self.control)

    @property
    def is_empty(self) -> bool:
        return self.applicable is None and not (self.reasons or self.justification or self.implementation or self.owner)

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict) -> SoaDecision:
        names = {f.name for f in fields(cls)}
        d = cls(**{k: v for k, v in doc.items() if k in names})
        if not isinstance(d.control, str) or d.applicable not in (True, False, None):
            raise ValueError("bad SoA decision")
        if not isinstance(d.reasons, list) or any(r not in SOA_REASONS for r in d.reasons):
            raise ValueError("bad SoA reasons")
        return d


def edition_control_type(edition: str) -> str:
    return CONTROL if edition == "2022" else CONTROL_2013


def control_ref(control_id: str, edition: str) -> Ref:
    """The typed reference of a control of ``edition`` given as "5.15", "A.5.15" or a key
    ("control:5.15"); ValidationError when the edition has no such control."""
    kind = edition_control_type(edition)
    raw = clean(control_id, multiline=False).strip()
    if ":" in raw:
        ref_kind, _, raw = raw.partition(":")
        if ref_kind != kind:
            raise ValidationError("error.unknown_control", id=control_id)
    cat = catalog()
    table = cat.controls_2022 if kind == CONTROL else cat.controls_2013
    if kind == CONTROL and raw.upper().startswith("A."):
        raw = raw[2:]
    if raw not in table:
        raise ValidationError("error.unknown_control", id=control_id)
    return Ref(kind, raw)


def decision_control(item: Item, edition: str) -> Ref | None:
    """The control whose SoA decision is entered on ``item``: the item asks about exactly one
    control of the assessment's edition (the Annex A questions); None otherwise."""
    ids = item.controls if edition == "2022" else item.controls_2013
    return Ref(edition_control_type(edition), ids[0]) if len(ids) == 1 else None


def apply_fields(current: SoaDecision, **values: object) -> SoaDecision:
    """A new decision with ``values`` checked and cleaned (the service saves it).

    An exclusion (applicable=False) needs a reason that says why, as an N/A answer does: it is
    checked when the control is excluded and whenever the reason of an excluded control is
    changed to an empty or boilerplate one."""
    d = SoaDecision.from_doc(current.to_doc())
    for name, value in values.items():
        if name == "applicable":
            if isinstance(value, str):
                value = {"yes": True, "no": False, "": None}.get(value.strip().lower(), value)
            if value not in (True, False, None):
                raise ValidationError("error.bad_choice", field="applicable", choices="yes, no")
            d.applicable = value  # type: ignore[assignment]
        elif name == "reasons":
            d.reasons = parse_reasons(value)
        elif name in ("justification", "implementation"):
            d.__setattr__(name, clean(str(value or "")).strip())
        elif name == "owner":
            d.owner = clean(str(value or ""), multiline=False).strip()
        else:
            raise ValidationError("error.unknown_field", field=name)
    if d.applicable is False and d.reasons and ("applicable" in values or "reasons" in values):
        raise ValidationError("error.soa_excluded_with_reasons")
    if d.applicable is False and ("applicable" in values or "justification" in values):
        if not d.justification:
            raise ValidationError("error.soa_exclusion_needs_reason")
        if vague_reason(d.justification):
            raise ValidationError("error.na_justification_vague")
    d.updated = now_iso()
    return d


def parse_reasons(value: object) -> list[str]:
    """Reasons given as a list or as text ("legal, contract"): each one of SOA_REASONS, kept in
    that order, without repeats; ValidationError names the allowed ones."""
    if value is None:
        return []
    parts = value.replace(",", " ").split() if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    chosen = set()
    for p in parts:
        if not isinstance(p, str) or p.strip().lower() not in SOA_REASONS:
            raise ValidationError("error.bad_choice", field="reasons", choices=", ".join(SOA_REASONS))
        chosen.add(p.strip().lower())
    return [r for r in SOA_REASONS if r in chosen]


def reasons_text(reasons: tuple[str, ...] | list[str], risk_labels: list[str], lang: str) -> str:
    """Why a control is in the SoA, one reason per line: the risk treatment with the risks'
    labels ("Risk treatment (R-01, R-03)"), then the reasons the company gave."""
    out = []
    for reason in reasons:
        text = t(f"xlsx.reason.{reason}", lang)
        if reason == "risk_treatment" and risk_labels:
            text += " (" + ", ".join(risk_labels) + ")"
        out.append(text)
    return "\n".join(out)


def suggestion(ref: Ref, lang: str, applicable: bool = True) -> str:
    """A hint shown as placeholder text where the justification is typed: never stored and
    never printed as the company's decision."""
    key = "soa.suggest.included" if applicable else "soa.suggest.excluded"
    return t(key, lang, control=ref.full(lang))
