"""Risk assessment an SME can do itself: risk criteria, the asset ledger, the risk register
and its treatment — the records behind clauses 6.1.2, 6.1.3, 8.2 and 8.3.

The default method is the one Japanese SMEs are taught (IPA's risk analysis sheet):

- **importance** (重要度) of an asset is the highest of its confidentiality, integrity and
  availability ratings, each 1-3;
- a risk's **threat** (脅威) is rated 1-3 (does not normally happen / happens in particular
  situations / could happen at any time) and its **vulnerability** (脆弱性) 1-3 (every needed
  control in place / partly / not in place); a conversion table (editable in the criteria)
  turns the two into the **likelihood of damage** (被害発生可能性) 1-3;
- **risk level** = importance (the highest of the risk's assets) x likelihood, 1-9.

The alternative ``5x5`` method rates impact 1-5 and likelihood 1-5 directly (level 1-25).

The vulnerability is *suggested* from the answers already given: the existing controls a risk
names are looked up in the assessment (their effective implementation status, as the SoA
shows it): all implemented -> 1, none implemented (not implemented, unknown, unanswered or
excluded) -> 3, anything in between -> 2. The user may override the suggestion; the override
is kept until cleared.

Acceptance bands (editable cut-offs, part of the criteria): a level up to ``acceptable_max``
is **acceptable**; up to ``tolerable_max`` it may be **accepted under control** (a named
risk owner approves it, says why and until when, and it is watched); above that it is **not
acceptable** (it must be reduced, avoided or shared). The
defaults (IPA 3x3: 1-3 / 4 / 6-9; 5x5: 1-4 / 5-12 / 15-25) are isms-tui's choice, shown
to the user as editable: the handbook colours the grid without publishing cut-offs.

Treatment rule (what the register, the plan and the stage 1 gate check):

- a risk in the acceptable band needs no treatment;
- above it, the risk needs a treatment (reduce / accept / avoid / share); reduce needs the
  planned Annex A controls; reduce and share need a residual rating (the level expected
  once the plan is done, never above the current level);
- the **retained level** is the current level for "accept" (and for a risk with no
  treatment), the residual level for "reduce" / "share", nothing for "avoid";
- a retained level in the not-acceptable band is a problem (the criteria say it must not
  stay); a retained level in the accept-under-control band needs an **acceptance record**:
  who approved it (the risk owner or top management), when, why, and until when; a record
  whose "until" date has passed is expired and must be renewed.

Risk criteria are versioned (one version per cycle, approved by top management: who and
when). A version is locked once a risk has been rated under it; changing the method, the
cut-offs or the table then means a new version with a reason. Editing an unlocked version
clears its approval (what was approved has changed).

This module has no Textual import; the service stores and edits these records, the read model
(:mod:`isms_tui.view`) combines them with the answers.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from functools import cache

from .catalog import catalog
from .i18n import LANGS, t
from .model import ValidationError, new_id, now_iso, parse_date
from .paths import builtin_banks_dir
from .plan import ActionSeed, ActionSource
from .refs import CONTROL, CONTROL_2013, Ref
from .text import clean, one_line

METHODS = ("ipa3", "5x5")
CATEGORIES = ("information", "paper", "system", "cloud_service", "device", "people", "facility", "supplier")
TREATMENTS = ("reduce", "accept", "avoid", "share")
BANDS = ("acceptable", "tolerable", "unacceptable")
CIA = ("confidentiality", "integrity", "availability")
CIA_MAX = 3
IPA_MAX = 3  # threat, vulnerability and likelihood of damage in the IPA method
# Likelihood of damage by [threat - 1][vulnerability - 1]: isms-tui's own table (the
# handbook's cells are not published), non-decreasing along both axes, editable. With every
# needed control in place (vulnerability 1) damage is unlikely whatever the threat; with none
# in place (3) it is likely unless the threat itself is rare.
DEFAULT_TABLE: tuple[tuple[int, ...], ...] = ((1, 1, 2), (1, 2, 3), (1, 3, 3))
# Acceptance cut-offs (top of "acceptable", top of "accept under control"). IPA 3x3: an
# important asset (3) with damage unlikely (1) is acceptable; 4 (2 x 2) is accepted under
# control; 6 and 9 are not acceptable.
DEFAULT_CUTOFFS = {"ipa3": (3, 4), "5x5": (4, 12)}
# Vulnerability suggested from the implementation status of the existing controls.
VULN_ALL, VULN_PART, VULN_NONE = 1, 2, 3


@dataclass(frozen=True)
class Issue:
    """Something the register shows as not done yet (a catalog key and its parameters)."""

    key: str
    params: tuple[tuple[str, str], ...] = ()

    def message(self, lang: str) -> str:
        return t(self.key, lang, **dict(self.params))


def _issue(key: str, **params: object) -> Issue:
    return Issue(key, tuple((k, str(v)) for k, v in params.items()))


# -- parsing helpers (every value the user types goes through one of these) ---------------
def _int_in(value: object, field_name: str, low: int, high: int) -> int | None:
    """An integer in ``low..high`` (None for empty), or a ValidationError naming the scale."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError("error.risk.out_of_scale", field=field_name, value=str(value), low=low, high=high)
    try:
        n = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValidationError("error.risk.out_of_scale", field=field_name, value=str(value), low=low, high=high) from None
    if not low <= n <= high:
        raise ValidationError("error.risk.out_of_scale", field=field_name, value=str(n), low=low, high=high)
    return n




def _text(value: object) -> str:
    return clean(str(value or "")).strip()


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    s = str(value or "").strip().lower()
    if s in ("1", "true", "yes", "y", "on"):
        return True
    if s in ("", "0", "false", "no", "n", "off"):
        return False
    raise ValidationError("error.bad_choice", field="personal_data", choices="yes, no")


def _choice(value: object, field_name: str, choices: tuple[str, ...], *, optional: bool = False) -> str | None:
    s = one_line(value)
    if optional and not s:
        return None
    if s not in choices:
        raise ValidationError("error.bad_choice", field=field_name, choices=", ".join(choices))
    return s


def control_ids(edition: str) -> dict[str, None]:
    """The Annex A control ids of an edition, in the standard's order."""
    cat = catalog()
    return dict.fromkeys(cat.controls_2022 if edition == "2022" else cat.controls_2013)


def normalize_control(raw: str, edition: str) -> str:
    """"A.5.15" or "5.15" -> "5.15" (2022); "9.1.1" or "A.9.1.1" -> "A.9.1.1" (2013)."""
    s = one_line(raw).replace(" ", "")
    known = control_ids(edition)
    if edition == "2022":
        s = s[2:] if s[:2].upper() == "A." else s
    elif not s.upper().startswith("A."):
        s = "A." + s
    else:
        s = "A." + s[2:]
    if s not in known:
        raise ValidationError("error.risk.unknown_control", control=raw, edition=edition)
    return s


def parse_controls(value: object, edition: str) -> list[str]:
    """A list (or a comma/space separated string) of control ids, normalised, de-duplicated,
    in the standard's order."""
    if value is None or value == "":
        return []
    raw = value if isinstance(value, (list, tuple)) else str(value).replace("、", ",").replace(",", " ").split()
    ids = {normalize_control(str(r), edition) for r in raw if str(r).strip()}
    order = {c: n for n, c in enumerate(control_ids(edition))}
    return sorted(ids, key=order.__getitem__)


def _from_doc(cls, doc: Mapping):
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in doc.items() if k in names})


# -- criteria ---------------------------------------------------------------------------
@dataclass
class RiskCriteria:
    """One version of the risk criteria (clause 6.1.2 a): the method, the scales' conversion
    table and the acceptance cut-offs, approved by top management."""

    version: int = 1
    method: str = "ipa3"
    cycle: str = ""  # the ISMS cycle it is for, e.g. "2027"
    acceptable_max: int = DEFAULT_CUTOFFS["ipa3"][0]
    tolerable_max: int = DEFAULT_CUTOFFS["ipa3"][1]
    table: list[list[int]] = field(default_factory=lambda: [list(r) for r in DEFAULT_TABLE])
    approved_by: str = ""
    approved_on: str | None = None
    reason: str = ""  # why this version replaced the previous one (required from version 2)
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)

    @property
    def scale(self) -> int:
        """The top of the impact and likelihood scales (3 or 5)."""
        return IPA_MAX if self.method == "ipa3" else 5

    @property
    def max_level(self) -> int:
        return self.scale * self.scale

    @property
    def levels(self) -> tuple[int, ...]:
        """Every level the method can produce (1, 2, 3, 4, 6, 9 for 3x3)."""
        return tuple(sorted({i * j for i in range(1, self.scale + 1) for j in range(1, self.scale + 1)}))

    @property
    def approved(self) -> bool:
        return bool(self.approved_by and self.approved_on)

    def likelihood(self, threat: int, vulnerability: int) -> int:
        """Likelihood of damage from the threat and vulnerability levels (IPA method)."""
        return self.table[threat - 1][vulnerability - 1]

    def band_levels(self) -> list[tuple[str, tuple[int, ...]]]:
        """Each band with the levels the method can produce in it (IPA 3x3 defaults:
        acceptable 1, 2, 3; under control 4; not acceptable 6, 9)."""
        return [(b, tuple(lv for lv in self.levels if self.band(lv) == b)) for b in BANDS]

    def band(self, level: int) -> str:
        if level <= self.acceptable_max:
            return "acceptable"
        if level <= self.tolerable_max:
            return "tolerable"
        return "unacceptable"

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> RiskCriteria:
        return _from_doc(cls, doc)


def check_criteria(c: RiskCriteria) -> RiskCriteria:
    """Raise a ValidationError when the criteria cannot be applied as written."""
    if c.method not in METHODS:
        raise ValidationError("error.bad_choice", field="method", choices=", ".join(METHODS))
    top = c.max_level
    c.acceptable_max = _int_in(c.acceptable_max, "acceptable_max", 1, top - 1)  # type: ignore[assignment]
    c.tolerable_max = _int_in(c.tolerable_max, "tolerable_max", 1, top)  # type: ignore[assignment]
    if c.acceptable_max is None or c.tolerable_max is None:
        raise ValidationError("error.risk.cutoffs_required")
    if c.tolerable_max < c.acceptable_max:
        raise ValidationError("error.risk.cutoffs_order", acceptable=c.acceptable_max, tolerable=c.tolerable_max)
    if not (isinstance(c.table, list) and len(c.table) == IPA_MAX and all(isinstance(r, list) and len(r) == IPA_MAX for r in c.table)):
        raise ValidationError("error.risk.table_shape")
    c.table = [[_int_in(v, "table", 1, IPA_MAX) or 0 for v in row] for row in c.table]
    for tt in range(IPA_MAX):
        for v in range(IPA_MAX):
            if (tt and c.table[tt][v] < c.table[tt - 1][v]) or (v and c.table[tt][v] < c.table[tt][v - 1]):
                raise ValidationError("error.risk.table_order")
    c.cycle = one_line(c.cycle)
    c.reason = _text(c.reason)
    c.approved_by = one_line(c.approved_by)
    return c


def default_criteria(method: str = "ipa3", *, cycle: str = "") -> RiskCriteria:
    lo, hi = DEFAULT_CUTOFFS[method]
    return RiskCriteria(version=1, method=method, cycle=cycle, acceptable_max=lo, tolerable_max=hi)


CRITERIA_FIELDS = ("method", "cycle", "acceptable_max", "tolerable_max", "table")


def edit_criteria(base: RiskCriteria, changes: Mapping[str, object]) -> RiskCriteria:
    """A copy of ``base`` with ``changes`` applied and checked. Changing the method resets the
    cut-offs to that method's defaults unless they are given too."""
    doc = base.to_doc()
    for name, value in changes.items():
        if name not in CRITERIA_FIELDS:
            raise ValidationError("error.unknown_field", field=name)
        doc[name] = value
    if "method" in changes and changes["method"] != base.method:
        method = _choice(changes["method"], "method", METHODS)
        assert method is not None
        lo, hi = DEFAULT_CUTOFFS[method]
        doc["acceptable_max"] = changes.get("acceptable_max", lo)
        doc["tolerable_max"] = changes.get("tolerable_max", hi)
    doc["updated"] = now_iso()
    return check_criteria(RiskCriteria.from_doc(doc))


# -- assets -----------------------------------------------------------------------------
@dataclass
class Asset:
    """One row of the asset ledger (情報資産管理台帳)."""

    name: str
    category: str
    owner: str  # a named person or role accountable for it
    department: str = ""  # department or business process (業務分類)
    location: str = ""
    users: str = ""  # who uses it (利用者範囲)
    personal_data: bool = False
    confidentiality: int = 1
    integrity: int = 1
    availability: int = 1
    last_reviewed: str | None = None
    note: str = ""
    starter: str = ""  # "<category>/<key>" of the starter entry it was made from
    no: int = 0  # shown as AS-01, AS-02 ... in the order the ledger grew
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)

    @property
    def importance(self) -> int:
        """重要度: the highest of C, I and A."""
        return max(self.confidentiality, self.integrity, self.availability)

    @property
    def label(self) -> str:
        return f"AS-{self.no:02d}"

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> Asset:
        return _from_doc(cls, doc)


ASSET_FIELDS = ("name", "category", "owner", "department", "location", "users", "personal_data", *CIA,
                "last_reviewed", "note", "starter")


def build_asset(changes: Mapping[str, object], base: Asset | None = None) -> Asset:
    """A new or changed asset, cleaned and checked (the service stores it)."""
    doc = base.to_doc() if base else {"name": "", "category": "", "owner": ""}
    for name, value in changes.items():
        if name not in ASSET_FIELDS:
            raise ValidationError("error.unknown_field", field=name)
        if name in CIA:
            doc[name] = _int_in(value, name, 1, CIA_MAX)
            if doc[name] is None:
                raise ValidationError("error.risk.out_of_scale", field=name, value="", low=1, high=CIA_MAX)
        elif name == "personal_data":
            doc[name] = _bool(value)
        elif name == "category":
            doc[name] = _choice(value, "category", CATEGORIES)
        elif name == "last_reviewed":
            doc[name] = parse_date(value, what="last_reviewed")  # type: ignore[arg-type]
        elif name == "note":
            doc[name] = _text(value)
        else:
            doc[name] = one_line(value)
    asset = Asset.from_doc(doc)
    if not asset.name:
        raise ValidationError("error.asset.name_required")
    if asset.category not in CATEGORIES:
        raise ValidationError("error.bad_choice", field="category", choices=", ".join(CATEGORIES))
    if not asset.owner:
        raise ValidationError("error.asset.owner_required")
    for name in CIA:
        _int_in(getattr(asset, name), name, 1, CIA_MAX)
    asset.updated = now_iso()
    return asset


# -- risks ------------------------------------------------------------------------------
@dataclass
class Acceptance:
    """The record of a risk owner accepting a retained risk (6.1.3 f): who, when, why, until."""

    by: str
    on: str
    reason: str
    until: str

    def to_doc(self) -> dict:
        return asdict(self)


def build_acceptance(value: Mapping[str, object] | None, today: date) -> Acceptance | None:
    if value is None:
        return None
    by = one_line(value.get("by"))
    reason = _text(value.get("reason"))
    if not by:
        raise ValidationError("error.risk.acceptance_no_approver")
    if not reason:
        raise ValidationError("error.risk.acceptance_no_reason")
    on = parse_date(value.get("on") or today, what="accepted on")  # type: ignore[arg-type]
    until = parse_date(value.get("until"), what="accepted until")  # type: ignore[arg-type]
    if not until:
        raise ValidationError("error.risk.acceptance_no_until")
    assert on is not None
    if until < on:
        raise ValidationError("error.risk.acceptance_until_before", on=on, until=until)
    return Acceptance(by=by, on=on, reason=reason, until=until)


@dataclass
class Risk:
    """One row of the risk register: what could happen to which assets, how likely and how
    bad, who owns it and what is done about it."""

    asset_ids: list[str]
    owner: str  # the named risk owner
    threat_id: str = ""  # an id of the threat catalog, or "" for the user's own threat
    threat: str = ""  # the threat in the user's words (required without threat_id)
    vulnerability: str = ""  # the weakness the threat would exploit, in the user's words
    existing_controls: list[str] = field(default_factory=list)  # Annex A ids of the edition
    threat_level: int | None = None  # IPA method, 1-3
    vulnerability_level: int | None = None  # the user's override of the suggestion, 1-3
    impact: int | None = None  # 5x5 method, 1-5
    likelihood: int | None = None  # 5x5 method, 1-5
    treatment: str | None = None  # reduce | accept | avoid | share
    planned_controls: list[str] = field(default_factory=list)
    plan: str = ""  # what will be done, in the user's words
    due: str | None = None
    residual_vulnerability: int | None = None  # IPA method: once the plan is done, 1-3
    residual_impact: int | None = None  # 5x5 method
    residual_likelihood: int | None = None  # 5x5 method
    acceptance: dict | None = None  # Acceptance.to_doc()
    criteria_version: int | None = None  # the criteria version it was last rated under
    note: str = ""
    no: int = 0  # shown as ...
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)

    @property
    def label(self) -> str:
        return f"R-{self.no:02d}"

    @property
    def accepted(self) -> Acceptance | None:
        a = self.acceptance
        if not isinstance(a, dict):
            return None
        try:
            return Acceptance(**{k: a[k] for k in ("by", "on", "reason", "until")})
        except (KeyError, TypeError):
            return None

    def threat_title(self, lang: str) -> str:
        th = threats().get(self.threat_id)
        if th is None:
            return self.threat
        title = th.title[lang]
        return f"{title}: {self.threat}" if self.threat else title

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> Risk:
        return _from_doc(cls, doc)


RISK_FIELDS = ("asset_ids", "owner", "threat_id", "threat", "vulnerability", "existing_controls", "threat_level",
               "vulnerability_level", "impact", "likelihood", "treatment", "planned_controls", "plan", "due",
               "residual_vulnerability", "residual_impact", "residual_likelihood", "acceptance", "note")
_IPA_LEVELS = ("threat_level", "vulnerability_level", "residual_vulnerability")
_SCALE_LEVELS = ("impact", "likelihood", "residual_impact", "residual_likelihood")


def build_risk(changes: Mapping[str, object], base: Risk | None, *, criteria: RiskCriteria,
               assets: Mapping[str, Asset], edition: str, today: date,
               control_status: Callable[[str], str | None] = lambda _c: None) -> Risk:
    """A new or changed risk, cleaned and checked against the criteria's scales, the asset
    ledger and the edition's controls (``control_status`` gives the suggestion its input)."""
    doc = base.to_doc() if base else {"asset_ids": [], "owner": ""}
    for name, value in changes.items():
        if name not in RISK_FIELDS:
            raise ValidationError("error.unknown_field", field=name)
        if name in _IPA_LEVELS:
            doc[name] = _int_in(value, name, 1, IPA_MAX)
        elif name in _SCALE_LEVELS:
            doc[name] = _int_in(value, name, 1, criteria.scale)
        elif name in ("existing_controls", "planned_controls"):
            doc[name] = parse_controls(value, edition)
        elif name == "asset_ids":
            raw = value if isinstance(value, (list, tuple)) else str(value or "").replace(",", " ").split()
            doc[name] = list(dict.fromkeys(one_line(v) for v in raw if one_line(v)))
        elif name == "treatment":
            doc[name] = _choice(value, "treatment", TREATMENTS, optional=True)
        elif name == "due":
            doc[name] = parse_date(value, what="due")  # type: ignore[arg-type]
        elif name == "acceptance":
            acc = build_acceptance(value, today)  # type: ignore[arg-type]
            doc[name] = acc.to_doc() if acc else None
        elif name in ("plan", "note", "vulnerability", "threat"):
            doc[name] = _text(value)
        else:
            doc[name] = one_line(value)
    risk = Risk.from_doc(doc)
    if not risk.asset_ids:
        raise ValidationError("error.risk.no_asset")
    unknown = [a for a in risk.asset_ids if a not in assets]
    if unknown:
        raise ValidationError("error.risk.unknown_asset", asset=", ".join(unknown))
    if not risk.owner:
        raise ValidationError("error.risk.owner_required")
    if risk.threat_id and risk.threat_id not in threats():
        raise ValidationError("error.risk.unknown_threat", threat=risk.threat_id)
    if not risk.threat_id and not risk.threat:
        raise ValidationError("error.risk.threat_required")
    # Values kept from an earlier method are checked on the scale they are used on now.
    for name in _SCALE_LEVELS:
        _int_in(getattr(risk, name), name, 1, criteria.scale)
    rating = rate(risk, criteria, assets, control_status, today)
    if rating.level is not None and rating.residual_level is not None and rating.residual_level > rating.level:
        raise ValidationError("error.risk.residual_above_level", residual=rating.residual_level, level=rating.level)
    if rating.level is not None:
        risk.criteria_version = criteria.version
    risk.updated = now_iso()
    return risk


# -- ratings ----------------------------------------------------------------------------
def suggest_vulnerability(statuses: Iterable[str | None]) -> int:
    """Vulnerability from the implementation status of the existing controls (the SoA's
    status per control): every one implemented -> 1; none implemented or partly implemented
    (not implemented, unknown, unanswered, excluded) -> 3; anything in between -> 2. A risk
    with no existing control -> 3."""
    sts = list(statuses)
    if sts and all(s == "implemented" for s in sts):
        return VULN_ALL
    if any(s in ("implemented", "partial") for s in sts):
        return VULN_PART
    return VULN_NONE


@dataclass(frozen=True)
class Rating:
    """What a risk comes to under the criteria (computed, never stored)."""

    importance: int | None  # the highest importance of the risk's assets
    vulnerability_suggested: int
    vulnerability: int  # the user's override, else the suggestion
    impact: int | None
    likelihood: int | None
    level: int | None  # None: not rated yet under the current method
    band: str | None
    residual_impact: int | None
    residual_likelihood: int | None
    residual_level: int | None
    retained_level: int | None  # what remains after the treatment (None: nothing / unknown)
    retained_band: str | None
    avoided: bool
    issues: tuple[Issue, ...]

    @property
    def rated(self) -> bool:
        return self.level is not None

    @property
    def needs_acceptance(self) -> bool:
        return self.retained_band == "tolerable"

    @property
    def ok(self) -> bool:
        return not self.issues


def _on_scale(value: object, top: int) -> int | None:
    """A stored level if it is on the scale (a hand-edited file cannot crash the register:
    anything else reads as not rated)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= top else None


def rate(risk: Risk, criteria: RiskCriteria, assets: Mapping[str, Asset],
         control_status: Callable[[str], str | None], today: date) -> Rating:
    """Rate one risk under the criteria; ``control_status`` gives the effective
    implementation status of an Annex A control (None: unanswered)."""
    linked = [assets[a] for a in risk.asset_ids if a in assets]
    importance = _on_scale(max((a.importance for a in linked), default=None), CIA_MAX)
    suggested = suggest_vulnerability(control_status(c) for c in risk.existing_controls)
    vuln = _on_scale(risk.vulnerability_level, IPA_MAX) or suggested
    if criteria.method == "ipa3":
        impact = importance
        threat = _on_scale(risk.threat_level, IPA_MAX)
        res_vuln = _on_scale(risk.residual_vulnerability, IPA_MAX)
        likelihood = criteria.likelihood(threat, vuln) if threat else None
        res_impact = impact
        res_like = criteria.likelihood(threat, res_vuln) if threat and res_vuln else None
    else:
        n = criteria.scale
        impact, likelihood = _on_scale(risk.impact, n), _on_scale(risk.likelihood, n)
        res_impact = _on_scale(risk.residual_impact, n) or impact
        res_like = _on_scale(risk.residual_likelihood, n)
    level = impact * likelihood if impact and likelihood else None
    residual = res_impact * res_like if res_impact and res_like else None
    band = criteria.band(level) if level is not None else None
    avoided = risk.treatment == "avoid"
    if level is None or avoided:
        retained = None
    elif risk.treatment in ("reduce", "share"):
        retained = residual
    else:  # accept, or no treatment: the whole level stays
        retained = level
    retained_band = criteria.band(retained) if retained is not None else None
    issues: list[Issue] = []
    lbl = risk.label
    if level is None:
        issues.append(_issue("risk.issue.unrated", risk=lbl))
    elif band != "acceptable":
        if risk.treatment is None:
            issues.append(_issue("risk.issue.no_treatment", risk=lbl, level=level))
        elif risk.treatment == "reduce" and not risk.planned_controls:
            issues.append(_issue("risk.issue.no_planned_controls", risk=lbl))
        if risk.treatment in ("reduce", "share") and residual is None:
            issues.append(_issue("risk.issue.no_residual", risk=lbl))
        if retained_band == "unacceptable" and risk.treatment is not None:
            issues.append(_issue("risk.issue.unacceptable_retained", risk=lbl, level=retained))
        if retained_band == "tolerable" and risk.treatment is not None:
            acc = risk.accepted
            if acc is None:
                issues.append(_issue("risk.issue.acceptance_missing", risk=lbl, level=retained))
            elif acc.until < today.isoformat():
                issues.append(_issue("risk.issue.acceptance_expired", risk=lbl, until=acc.until))
    return Rating(importance, suggested, vuln, impact, likelihood, level, band, res_impact if res_like else None,
                  res_like, residual, retained, retained_band, avoided, tuple(issues))


# -- the stored state and what the register computes from it ------------------------------
@dataclass
class RiskData:
    """What an assessment stores about risk: criteria versions, assets, risks."""

    criteria: list[RiskCriteria] = field(default_factory=list)  # ascending version
    assets: dict[str, Asset] = field(default_factory=dict)
    risks: dict[str, Risk] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        """The assessment has a register (then the register decides 6.1.2, 6.1.3, 8.2, 8.3)."""
        return bool(self.criteria or self.assets or self.risks)

    @property
    def current(self) -> RiskCriteria:
        """The newest criteria version, or the default draft (not stored yet)."""
        return self.criteria[-1] if self.criteria else default_criteria()

    def locked(self, criteria: RiskCriteria) -> bool:
        """True once a risk has a level under these criteria (then a change means a new
        version with a reason)."""
        return any(rate(r, criteria, self.assets, lambda _c: None, date.today()).rated for r in self.risks.values())

    def risks_of_asset(self, asset_id: str) -> list[Risk]:
        return [r for r in self.risks.values() if asset_id in r.asset_ids]

    def next_no(self, kind: str) -> int:
        table = self.assets if kind == "asset" else self.risks
        return max((x.no for x in table.values()), default=0) + 1

    @classmethod
    def from_tables(cls, data: Mapping) -> RiskData:
        """Read the ``risk_criteria``, ``assets`` and ``risks`` tables of a file (a missing
        table reads as empty; a damaged row is skipped, never rewritten)."""
        out = cls()
        for doc in (data.get("risk_criteria") or {}).values():
            try:
                out.criteria.append(RiskCriteria.from_doc(doc))
            except (TypeError, ValueError):
                continue
        out.criteria.sort(key=lambda c: c.version)
        for doc in (data.get("assets") or {}).values():
            try:
                a = Asset.from_doc(doc)
            except (TypeError, ValueError):
                continue
            out.assets[a.id] = a
        for doc in (data.get("risks") or {}).values():
            try:
                r = Risk.from_doc(doc)
            except (TypeError, ValueError):
                continue
            out.risks[r.id] = r
        out.assets = dict(sorted(out.assets.items(), key=lambda kv: kv[1].no))
        out.risks = dict(sorted(out.risks.items(), key=lambda kv: kv[1].no))
        return out

    def to_tables(self) -> dict[str, list[dict]]:
        return {
            "risk_criteria": [c.to_doc() for c in self.criteria],
            "assets": [a.to_doc() for a in self.assets.values()],
            "risks": [r.to_doc() for r in self.risks.values()],
        }


@dataclass(frozen=True)
class RiskRow:
    risk: Risk
    rating: Rating
    assets: tuple[Asset, ...]


class Register:
    """The register as the read model shows it: every risk rated under the current criteria,
    the issues still open and the counts the report and the sheets print."""

    def __init__(self, data: RiskData, control_status: Callable[[str], str | None], today: date):
        self.data = data
        self.criteria = data.current
        self.today = today
        self.assets = list(data.assets.values())
        self.rows = [
            RiskRow(r, rate(r, self.criteria, data.assets, control_status, today),
                    tuple(data.assets[a] for a in r.asset_ids if a in data.assets))
            for r in data.risks.values()
        ]

    @property
    def exists(self) -> bool:
        return self.data.exists

    def row(self, risk_id: str) -> RiskRow | None:
        return next((r for r in self.rows if r.risk.id == risk_id), None)

    @property
    def uncovered_assets(self) -> list[Asset]:
        """Assets no rated risk refers to (8.2: the assessment must cover the ledger)."""
        covered = {a for row in self.rows if row.rating.rated for a in row.risk.asset_ids}
        return [a for a in self.assets if a.id not in covered]

    def counts(self, after: bool = False) -> dict[int, int]:
        """Number of risks per level, before treatment or after it (retained level)."""
        out: dict[int, int] = {}
        for row in self.rows:
            lvl = row.rating.retained_level if after else row.rating.level
            if lvl is not None:
                out[lvl] = out.get(lvl, 0) + 1
        return dict(sorted(out.items(), reverse=True))

    def band_counts(self, after: bool = False) -> dict[str, int]:
        out = dict.fromkeys(BANDS, 0)
        for row in self.rows:
            band = row.rating.retained_band if after else row.rating.band
            if band is not None:
                out[band] += 1
        return out

    @property
    def avoided(self) -> int:
        return sum(1 for row in self.rows if row.rating.rated and row.rating.avoided)

    @property
    def residual_unrated(self) -> int:
        """Rated risks treated by reduce/share whose residual level is not rated yet."""
        return sum(1 for row in self.rows if row.rating.rated and not row.rating.avoided
                   and row.rating.retained_level is None)

    def heat_map(self, after: bool = False) -> list[list[int]]:
        """Counts by [impact - 1][likelihood - 1]: before treatment, or (``after``) where
        each risk is left by its treatment (accepted: unchanged; reduce/share: the residual
        rating; avoided or residual not rated: not counted)."""
        n = self.criteria.scale
        grid = [[0] * n for _ in range(n)]
        for row in self.rows:
            rt = row.rating
            if not rt.rated:
                continue
            point: tuple[int | None, int | None] = (rt.impact, rt.likelihood)
            if after:
                if rt.avoided or rt.retained_level is None:
                    continue
                if row.risk.treatment in ("reduce", "share"):
                    point = (rt.residual_impact, rt.residual_likelihood)
            i, lk = point
            if i is not None and lk is not None:
                grid[i - 1][lk - 1] += 1
        return grid

    @property
    def open_approvals(self) -> list[Issue]:
        """Approvals still missing: the criteria (top management) and each retained risk in
        the accept-under-control band without a valid acceptance record."""
        out: list[Issue] = []
        if not self.criteria.approved:
            out.append(_issue("risk.issue.criteria_unapproved", version=self.criteria.version))
        for row in self.rows:
            out.extend(i for i in row.rating.issues if i.key in ("risk.issue.acceptance_missing", "risk.issue.acceptance_expired"))
        return out

    @property
    def accepted(self) -> list[RiskRow]:
        """Risks whose retained level is above the acceptable band (the acceptance list)."""
        return [row for row in self.rows if row.rating.needs_acceptance or row.risk.treatment == "accept"]

    # -- the stage 1 gate -----------------------------------------------------------------
    def criteria_issues(self) -> list[Issue]:
        """6.1.2: the current criteria are stored and approved (who and when)."""
        if not self.data.criteria:
            return [_issue("risk.issue.criteria_missing")]
        if not self.criteria.approved:
            return [_issue("risk.issue.criteria_unapproved", version=self.criteria.version)]
        return []

    def assessment_issues(self) -> list[Issue]:
        """8.2: assets and risks exist, every risk is rated under the current criteria and
        every asset is covered by at least one rated risk."""
        out: list[Issue] = []
        if not self.assets:
            out.append(_issue("risk.issue.no_assets"))
        if not self.rows:
            out.append(_issue("risk.issue.no_risks"))
        out += [i for row in self.rows for i in row.rating.issues if i.key == "risk.issue.unrated"]
        out += [_issue("risk.issue.asset_uncovered", asset=f"{a.label} {a.name}") for a in self.uncovered_assets]
        return out

    def treatment_issues(self) -> list[Issue]:
        """6.1.3 and 8.3: at least one rated risk, and every risk above the acceptable band is
        treated as the criteria say, with the acceptance records for what is retained."""
        out: list[Issue] = []
        if not any(row.rating.rated for row in self.rows):
            out.append(_issue("risk.issue.no_rated_risks"))
        out += [i for row in self.rows for i in row.rating.issues if i.key != "risk.issue.unrated"]
        return out


# -- treatment actions for the plan ---------------------------------------------------------
TREATMENT_PRIORITY = {"unacceptable": 1, "tolerable": 2}  # by the band before treatment; else 3


def risk_action_id(risk_id: str) -> str:
    return f"risk:{risk_id}"


def treatment_text(row: RiskRow, lang: str) -> str:
    """What the plan shows for a risk treatment: one line, then the user's plan text."""
    r = row.risk
    names = ", ".join(a.name for a in row.assets)
    head = t(f"risk.action.{r.treatment}", lang, risk=r.label, threat=r.threat_title(lang), assets=names)
    return f"{head}\n{r.plan}" if r.plan else head


def control_refs(ids: list[str] | tuple[str, ...], edition: str) -> tuple[Ref, ...]:
    """A risk's control ids (Annex A of the assessment's edition) as typed references, shown
    as "A.8.7" or "A.9.1.1 (2013)", never as a bare number."""
    ref_type = CONTROL if edition == "2022" else CONTROL_2013
    return tuple(Ref(ref_type, c) for c in ids)


def treatment_seeds(register: Register, edition: str) -> list[ActionSeed]:
    """One plan action per risk treated by reduce, share or avoid (source kind "risk"), owned
    by the risk owner, due on the risk's date (or the suggested one), the planned controls as
    its references. Priority follows the band before treatment."""
    out = []
    for row in register.rows:
        r = row.risk
        if r.treatment not in ("reduce", "share", "avoid"):
            continue
        prio = TREATMENT_PRIORITY.get(row.rating.band or "", 3)
        out.append(ActionSeed(
            source=ActionSource("risk", r.id),
            what={lg: treatment_text(row, lg) for lg in LANGS},
            refs=control_refs(r.planned_controls, edition),
            priority=prio, owner=r.owner, due=r.due,
        ))
    return out


# -- shipped data: the threat catalog and the starter asset lists --------------------------
@dataclass(frozen=True)
class Threat:
    id: str
    title: dict[str, str]
    description: dict[str, str]
    categories: tuple[str, ...]
    controls: tuple[str, ...]  # Annex A 2022 ids

    def label(self, lang: str) -> str:
        return f"{self.id} {self.title[lang]}"

    def controls_for(self, edition: str) -> list[str]:
        """The controls to offer as existing controls (2013: the predecessors of each)."""
        if edition == "2022":
            return list(self.controls)
        mapping = catalog().mapping
        out = dict.fromkeys(c for cid in self.controls for c in mapping.get(cid, ()))
        order = {c: n for n, c in enumerate(control_ids("2013"))}
        return sorted((c for c in out if c in order), key=order.__getitem__)


@dataclass(frozen=True)
class StarterAsset:
    category: str
    key: str
    name: dict[str, str]
    confidentiality: int
    integrity: int
    availability: int
    personal_data: bool

    def fields(self, lang: str) -> dict[str, object]:
        """What ``Session.add_asset`` needs from this entry (owner is the user's to name)."""
        return {"name": self.name[lang], "category": self.category, "personal_data": self.personal_data,
                "confidentiality": self.confidentiality, "integrity": self.integrity,
                "availability": self.availability, "starter": f"{self.category}/{self.key}"}


def risk_data_dir():
    return builtin_banks_dir() / "risk"


def _bi(value: Mapping, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(value.get(lg), str) and value[lg].strip() for lg in LANGS):
        raise ValueError(f"{where}: needs a text in each of {', '.join(LANGS)}")
    return {lg: clean(value[lg]).strip() for lg in LANGS}


@cache
def threats() -> dict[str, Threat]:
    """The threat catalog (``question_banks/risk/threats.toml``), checked on load."""
    with open(risk_data_dir() / "threats.toml", "rb") as fh:
        raw = tomllib.load(fh)
    known = control_ids("2022")
    out: dict[str, Threat] = {}
    for n, th in enumerate(raw.get("threats", []), 1):
        tid = th.get("id")
        if not isinstance(tid, str) or not tid or tid in out:
            raise ValueError(f"threats.toml: threat {n} has a missing or duplicate id")
        cats = tuple(th.get("categories", ()))
        ctrls = tuple(th.get("controls", ()))
        if not set(cats) <= set(CATEGORIES) or not set(ctrls) <= set(known):
            raise ValueError(f"threats.toml: {tid} has an unknown category or control")
        out[tid] = Threat(tid, _bi(th.get("title"), tid), _bi(th.get("description"), tid), cats, ctrls)
    return out


@cache
def starter_assets() -> dict[str, tuple[StarterAsset, ...]]:
    """Starter lists for the asset ledger per category (``question_banks/risk/starter_assets.toml``)."""
    with open(risk_data_dir() / "starter_assets.toml", "rb") as fh:
        raw = tomllib.load(fh)
    out: dict[str, tuple[StarterAsset, ...]] = {}
    for cat in CATEGORIES:
        entries = []
        seen: set[str] = set()
        for e in raw.get(cat, {}).get("assets", []):
            key = e.get("key")
            if not isinstance(key, str) or key in seen:
                raise ValueError(f"starter_assets.toml: {cat} has a missing or duplicate key")
            seen.add(key)
            vals = [e.get(x) for x in ("c", "i", "a")]
            if not all(isinstance(v, int) and 1 <= v <= CIA_MAX for v in vals):
                raise ValueError(f"starter_assets.toml: {cat}/{key} needs c, i, a in 1-{CIA_MAX}")
            entries.append(StarterAsset(cat, key, _bi(e.get("name"), f"{cat}/{key}"), *vals, bool(e.get("personal", False))))
        if not entries:
            raise ValueError(f"starter_assets.toml: no starter assets for {cat}")
        out[cat] = tuple(entries)
    return out
