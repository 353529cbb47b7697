"""The certification calendar and the annual plan (年間計画): the certificate, its audits and
the yearly activities an ISMS owes every audit, laid out backwards from the next audit.

What is stored (table ``calendar`` of the assessment file, schema 9):

- one certificate row: certificate number, certification body, an expiry date when the
  certificate says another one than the usual, and the planned / done dates of the audits
  (:data:`AUDITS`);
- one row per yearly activity the user changed or added: frequency in months, the date it
  was last done, its owner and its lead time (days before the next audit it must be done by).

One source of truth for the two dates the assessment already holds:

- the certificate's issue date IS ``Assessment.certification_date`` (never stored here);
- the planned date of the assessment's target audit (:func:`target_audit`: stage 1 for an
  initial certification, the surveillance or recertification audit the target date falls on
  for a renewal) IS ``Assessment.target_date``. The service writes a new planned date of that
  audit to the assessment, not to this table; :func:`build_annual_plan` reads it from there.

The rules, all here (the view, the screens, the CLI and the Excel sheet only show them):

- expiry: three years from the issue date less one day (:func:`isms_tui.cycle.period_end`:
  a certificate issued on Feb 29 expires on Feb 28) unless the certificate says otherwise;
- due-by dates of the audits (ISO/IEC 17021-1): surveillance 1 within 12 months of the issue
  date, surveillance 2 within 12 months of surveillance 1, recertification before expiry;
- each activity's due date (:func:`activity_row`), its state (:data:`STATES`), and the flags
  (:data:`FLAG_KINDS`).

Calendar arithmetic is :func:`isms_tui.scoring.add_months` (a month after Jan 31 is the last
day of February; a year after Feb 29 is Feb 28) and plain day counts for lead times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta

from .cycle import certificate_cycle
from .i18n import LANGS, t
from .model import Assessment, ValidationError, known_fields, new_id, parse_date
from .plan import ActionSeed, ActionSource
from .refs import CLAUSE, Ref
from .scoring import add_months
from .text import one_line

CALENDAR_TABLE = "calendar"
AUDITS = ("stage1", "stage2", "surveillance_1", "surveillance_2", "recertification")
INITIAL_AUDITS = ("stage1", "stage2")
CYCLE_AUDITS = ("surveillance_1", "surveillance_2", "recertification")
STATES = ("overdue", "due_soon", "due", "done")
SOON_DAYS = 90  # "due soon": within this many days (the report's horizon too)
SURVEILLANCE_MONTHS = 12  # at most this long from the issue date / the previous audit

# The yearly activities every surveillance and recertification audit looks at, each with its
# frequency (months) and lead time (days before the next audit it must be done by). The
# default sequence is laid backwards from the audit, because each one is an input of the next:
#
#   training & awareness   150 days  records of this year's awareness for everyone in scope
#                                     exist before the internal audit samples staff (7.2, 7.3)
#   supplier review        120 days  supplier evaluations feed the risk review (A.5.19-5.22)
#   risk review             90 days  risk assessment and SoA brought up to date before the
#                                     internal audit checks them (6.1.2, 8.2, 8.3)
#   policy review           75 days  policies follow the reviewed risks (5.2, A.5.1)
#   internal audit          60 days  its nonconformities need time for correction, and its
#                                     results are an input of the management review (9.2)
#   management review       30 days  takes the internal audit results as input (9.3.2); its
#                                     minutes are the first record an auditor asks for, and a
#                                     month leaves time to send the documents to the body
ACTIVITIES: dict[str, tuple[int, int]] = {  # key: (every months, lead days)
    "training": (12, 150),
    "supplier_review": (12, 120),
    "risk_review": (12, 90),
    "policy_review": (12, 75),
    "internal_audit": (12, 60),
    "management_review": (12, 30),
}
CUSTOM_LEAD_DAYS = 60
MAX_EVERY_MONTHS = 36
MAX_LEAD_DAYS = 365
FLAG_KINDS = ("target_passed", "audit_overdue", "surveillance_late", "expiry_before_recert", "lapsed")
CERT_FIELDS = ("number", "body", "issued", "expires",
               *(f"{a}_{w}" for a in AUDITS for w in ("planned", "done")))
ACTIVITY_FIELDS = ("name", "every", "lead", "last_done", "owner")
_CUSTOM_KEY = re.compile(r"^c-[a-z0-9]{4,16}$")


# -- stored records --------------------------------------------------------------------------
@dataclass
class CertificateRecord:
    """The certificate row (the issue date is the assessment's certification date)."""

    number: str = ""
    body: str = ""
    expires: str | None = None  # only when the certificate says another date than issue + 3y - 1d
    dates: dict[str, str] = field(default_factory=dict)  # "stage1_planned": "2026-05-12", ...
    row: str = "certificate"

    def __post_init__(self) -> None:
        self.number = one_line(self.number)
        self.body = one_line(self.body)
        self.expires = parse_date(self.expires, what="expires")
        if not isinstance(self.dates, dict):
            raise ValueError("dates is not a table")
        clean: dict[str, str] = {}
        for k, v in self.dates.items():
            kind, _, which = str(k).rpartition("_")
            if kind not in AUDITS or which not in ("planned", "done"):
                raise ValueError(f"unknown audit date {str(k)[:30]!r}")
            value = parse_date(v, what=k)
            if value:
                clean[k] = value
        self.dates = clean

    def date_of(self, kind: str, which: str) -> date | None:
        value = self.dates.get(f"{kind}_{which}")
        return date.fromisoformat(value) if value else None

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> CertificateRecord:
        return cls(**known_fields(cls, doc))


@dataclass
class Activity:
    """A yearly activity: one of :data:`ACTIVITIES` (its ``name`` empty: the catalog names
    it) or the user's own (key ``c-...``, its name given)."""

    key: str
    every: int = 12  # months
    lead: int = CUSTOM_LEAD_DAYS  # days before the next audit it must be done by
    last_done: str | None = None
    owner: str = ""
    name: str = ""
    row: str = "activity"

    def __post_init__(self) -> None:
        if self.key not in ACTIVITIES and not _CUSTOM_KEY.match(str(self.key)):
            raise ValueError(f"unknown activity {str(self.key)[:30]!r}")
        self.name = one_line(self.name)
        if self.custom and not self.name:
            raise ValidationError("error.calendar.name_required")
        self.owner = one_line(self.owner)
        self.every = _whole(self.every, "error.calendar.bad_every", 1, MAX_EVERY_MONTHS)
        self.lead = _whole(self.lead, "error.calendar.bad_lead", 0, MAX_LEAD_DAYS)
        self.last_done = parse_date(self.last_done, what="last done")

    @property
    def custom(self) -> bool:
        return self.key not in ACTIVITIES

    def title(self, lang: str) -> str:
        return self.name if self.custom else t(f"calendar.activity.{self.key}", lang)

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> Activity:
        return cls(**known_fields(cls, doc))

    @classmethod
    def default(cls, key: str) -> Activity:
        every, lead = ACTIVITIES[key]
        return cls(key, every=every, lead=lead)


def _whole(value: object, key: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValidationError(key, value=value, low=low, high=high)
    try:
        n = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ValidationError(key, value=one_line(str(value))[:20], low=low, high=high) from None
    if not low <= n <= high:
        raise ValidationError(key, value=n, low=low, high=high)
    return n


@dataclass
class CalendarData:
    """What an assessment stores about its calendar (table ``calendar``)."""

    certificate: CertificateRecord = field(default_factory=CertificateRecord)
    activities: dict[str, Activity] = field(default_factory=dict)  # only stored ones, by key

    @property
    def exists(self) -> bool:
        return bool(self.activities) or self.certificate != CertificateRecord()

    def activity(self, key: str) -> Activity:
        """The stored activity, or the default of a standard one."""
        if key in self.activities:
            return self.activities[key]
        if key in ACTIVITIES:
            return Activity.default(key)
        raise ValidationError("error.calendar.unknown_activity", key=one_line(key)[:30],
                              keys=", ".join(ACTIVITIES))

    def all_activities(self) -> list[Activity]:
        """The six standard activities (stored or default), then the user's own."""
        out = [self.activity(k) for k in ACTIVITIES]
        return out + [a for a in self.activities.values() if a.custom]

    def find(self, key_or_name: str) -> Activity:
        """An activity by key, or a user's activity by its name (case-insensitive)."""
        key = one_line(key_or_name)
        if key in ACTIVITIES or key in self.activities:
            return self.activity(key)
        for a in self.activities.values():
            if a.custom and a.name.casefold() == key.casefold():
                return a
        raise ValidationError("error.calendar.unknown_activity", key=key[:30], keys=", ".join(ACTIVITIES))

    @classmethod
    def from_tables(cls, data: Mapping) -> CalendarData:
        """Read the table (a missing table reads as empty; :func:`check_tables` marks a file
        with a damaged row before this is read, so a bad row is skipped here)."""
        out = cls()
        for doc in (data.get(CALENDAR_TABLE) or {}).values():
            try:
                if doc.get("row") == "certificate":
                    out.certificate = CertificateRecord.from_doc(doc)
                else:
                    a = Activity.from_doc(doc)
                    out.activities[a.key] = a
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
        return out

    def to_tables(self) -> dict[str, list[dict]]:
        rows = [self.certificate.to_doc()] if self.certificate != CertificateRecord() else []
        return {CALENDAR_TABLE: rows + [a.to_doc() for a in self.activities.values()]}


def check_tables(data: Mapping) -> str | None:
    """Why a stored calendar row is not valid, or None (files are data from disk)."""
    for doc_id, doc in (data.get(CALENDAR_TABLE) or {}).items():
        try:
            if not isinstance(doc, dict):
                raise ValueError("not a record")
            if doc.get("row") == "certificate":
                CertificateRecord.from_doc(doc)
            elif doc.get("row") == "activity":
                Activity.from_doc(doc)
            else:
                raise ValueError("unknown row")
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            return f"calendar record {doc_id}: {str(exc)[:80] or type(exc).__name__}"
    return None


def new_custom_key() -> str:
    return "c-" + new_id()


# -- what the user changes (the form, the CLI): checked whole ---------------------------------
class AuditDateError(ValidationError):
    """A refused audit date: the audit is named in the language the message is shown in."""

    def message(self, lang: str) -> str:
        params = dict(self.params)
        params["audit"] = t(f"calendar.audit.{params['audit']}", lang)
        return t(self.key, lang, **params)


def certificate_changes(values: Mapping[str, object], data: CalendarData, assessment: Assessment,
                        today: date) -> tuple[CertificateRecord, dict[str, str | None]]:
    """The certificate row and the assessment fields (``certification_date``, ``target_date``)
    after the user's changes. ``values`` names :data:`CERT_FIELDS` ("" clears one). Refused
    with one message: an unknown field, a bad date, a date done in the future, a planned date
    in the past, an expiry not after the issue date."""
    unknown = [k for k in values if k not in CERT_FIELDS]
    if unknown:
        raise ValidationError("error.unknown_field", field=", ".join(unknown))
    cert = CertificateRecord.from_doc(data.certificate.to_doc())
    meta: dict[str, str | None] = {}
    dates = dict(cert.dates)
    target_kind = target_audit(assessment)
    for name, raw in values.items():
        value = raw if raw not in (None, "") else None
        if name in ("number", "body"):
            setattr(cert, name, one_line(str(value or "")))
            continue
        day = parse_date(value if value is None else str(value), what=name)
        if name == "issued":
            if day and date.fromisoformat(day) > today:
                raise ValidationError("error.calendar.issued_future", date=day)
            meta["certification_date"] = day
        elif name == "expires":
            cert.expires = day
        elif name.endswith("_planned"):
            if day and date.fromisoformat(day) < today:
                raise AuditDateError("error.calendar.planned_past", date=day, field=f"{name[:-8]}_done",
                                     audit=name[:-8])
            if name[:-8] == target_kind:
                meta["target_date"] = day  # the target audit's date lives on the assessment
                dates.pop(name, None)
            elif day:
                dates[name] = day
            else:
                dates.pop(name, None)
        else:  # *_done
            if day and date.fromisoformat(day) > today:
                raise ValidationError("error.calendar.done_future", date=day)
            if day:
                dates[name] = day
            else:
                dates.pop(name, None)
    cert = CertificateRecord(cert.number, cert.body, cert.expires, dates)
    issued = meta.get("certification_date", assessment.certification_date)
    if cert.expires and issued and cert.expires <= issued:
        raise ValidationError("error.calendar.expiry_before_issue", expires=cert.expires, issued=issued)
    return cert, meta


def activity_changes(values: Mapping[str, object], base: Activity, today: date) -> Activity:
    """``base`` with the user's changes (:data:`ACTIVITY_FIELDS`), checked whole: a last-done
    date is not in the future; a standard activity keeps the catalog's name."""
    unknown = [k for k in values if k not in ACTIVITY_FIELDS]
    if unknown:
        raise ValidationError("error.unknown_field", field=", ".join(unknown))
    doc = base.to_doc()
    for name, raw in values.items():
        if name == "name" and not base.custom:
            continue
        doc[name] = raw if raw not in (None, "") or name in ("name", "owner") else None
        if name in ("every", "lead") and doc[name] is None:
            doc[name] = ACTIVITIES[base.key][0 if name == "every" else 1] if not base.custom else (
                12 if name == "every" else CUSTOM_LEAD_DAYS)
    out = Activity.from_doc(doc)
    if out.last_done and date.fromisoformat(out.last_done) > today:
        raise ValidationError("error.calendar.done_future", date=out.last_done)
    return out


# -- the plan --------------------------------------------------------------------------------
def target_audit(assessment: Assessment) -> str:
    """Which audit the assessment's target date is the planned date of: stage 1 while the
    company prepares its initial certification; for a renewal the audit of the certificate
    cycle the date falls on (surveillance 1 without a certificate date)."""
    if assessment.kind != "renewal":
        return "stage1"
    if assessment.certification_date and assessment.target_date:
        cycle = certificate_cycle(date.fromisoformat(assessment.certification_date))
        return cycle.next_audit(date.fromisoformat(assessment.target_date))
    return "surveillance_1"


@dataclass(frozen=True)
class AuditRow:
    kind: str
    planned: date | None
    done: date | None
    due_by: date | None  # the latest date the rules allow (None for stage 1 and 2)
    target: bool  # its planned date is the assessment's target date

    @property
    def when(self) -> date | None:
        """The date that counts: done, else planned, else due-by."""
        return self.done or self.planned or self.due_by


# The recurring questions (``every_months``) each standard activity is also asked as: a
# last-done date answered there counts for the activity (the later of the two dates is shown,
# so the questionnaire and the annual plan never disagree on when it was last done).
ACTIVITY_REFS: dict[str, frozenset[str]] = {
    "training": frozenset({"clause:7.3", "control:6.3", "control_2013:A.7.2.2"}),
    "supplier_review": frozenset({"control:5.22", "control_2013:A.15.2.1"}),
    "risk_review": frozenset({"clause:8.2"}),
    "policy_review": frozenset({"control:5.1", "control_2013:A.5.1.2"}),
    "internal_audit": frozenset({"clause:9.2.1"}),
    "management_review": frozenset({"clause:9.3.1", "clause:9.3.2"}),
}


def answered_last_done(items: Iterable, answers: Mapping) -> dict[str, str]:
    """The latest last-done date answered on the recurring questions of each standard
    activity (:data:`ACTIVITY_REFS`), by activity key."""
    out: dict[str, str] = {}
    for item in items:
        if not getattr(item, "every_months", None):
            continue
        answer = answers.get(item.id)
        done = parse_date_or_none(answer.last_done if answer else None)
        if not done:
            continue
        refs = {r.key for r in item.typed_refs}
        for key, wanted in ACTIVITY_REFS.items():
            if refs & wanted and done > out.get(key, ""):
                out[key] = done
    return out


def parse_date_or_none(value: str | None) -> str | None:
    try:
        return date.fromisoformat(value).isoformat() if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class ActivityRow:
    activity: Activity
    due: date | None  # None: never done and no audit to lay it back from
    state: str  # one of STATES
    audit_due: date | None  # the next audit less the lead time
    every_due: date | None  # the last done date plus the frequency
    covered: bool  # done for the next audit
    from_answers: bool = False  # its last done date is the one answered on its recurring question


@dataclass(frozen=True)
class Flag:
    kind: str  # one of FLAG_KINDS
    params: tuple[tuple[str, str], ...]

    def message(self, lang: str) -> str:
        params = dict(self.params)
        if "audit" in params:
            params["audit"] = t(f"calendar.audit.{params['audit']}", lang)
        if params.get("key") in ACTIVITIES:
            params["name"] = t(f"calendar.activity.{params['key']}", lang)
        return t(f"calendar.flag.{self.kind}", lang, **params)


@dataclass(frozen=True)
class AnnualPlan:
    today: date
    number: str
    body: str
    issued: date | None
    expires: date | None
    expires_given: bool
    audits: tuple[AuditRow, ...]
    next_audit: AuditRow | None
    last_audit: date | None  # the latest audit done, or the issue date
    activities: tuple[ActivityRow, ...]  # by due date (undated first: to do now), then by name
    flags: tuple[Flag, ...]

    @property
    def upcoming(self) -> list[ActivityRow]:
        """What is due in the next :data:`SOON_DAYS` days, the overdue included."""
        return [r for r in self.activities if r.state in ("overdue", "due_soon")]

    @property
    def overdue(self) -> list[ActivityRow]:
        return [r for r in self.activities if r.state == "overdue"]

    def audits_within(self, days: int = SOON_DAYS) -> list[AuditRow]:
        end = self.today + timedelta(days=days)
        return [a for a in self.audits if not a.done and a.planned and self.today <= a.planned <= end]


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def expiry_of(issued: date, given: date | None = None) -> date:
    """The certificate's expiry: as given, else three years from issue less one day."""
    return given or certificate_cycle(issued).expires


def activity_row(a: Activity, next_audit: date | None, last_audit: date | None, today: date) -> ActivityRow:
    """One activity laid back from the next audit:

    - ``audit_due`` = next audit - lead days; ``every_due`` = last done + frequency;
    - covered (done for the next audit): done after the last audit and within one frequency
      before ``audit_due`` (its record is still current when the auditor reads it);
    - due: ``every_due`` when covered (the next round), else the earlier of the two;
    - state: overdue when due is past; due soon within :data:`SOON_DAYS`; done when covered;
      due otherwise (also never done with no audit to lay it back from).
    """
    last = _day(a.last_done)
    audit_due = next_audit - timedelta(days=a.lead) if next_audit else None
    every_due = add_months(last, a.every) if last else None
    covered = bool(last and audit_due and last > add_months(audit_due, -a.every)
                   and (last_audit is None or last >= last_audit))
    if covered:
        due = every_due
    else:
        due = min((d for d in (audit_due, every_due) if d), default=None)
    if due is None:
        state = "due"
    elif due < today:
        state = "overdue"
    elif due <= today + timedelta(days=SOON_DAYS):
        state = "due_soon"
    else:
        state = "done" if covered else "due"
    return ActivityRow(a, due, state, audit_due, every_due, covered)


def build_annual_plan(assessment: Assessment, data: CalendarData, today: date,
                      answered: Mapping[str, str] | None = None) -> AnnualPlan:
    """The annual plan of an assessment (see the module's description for the rules).
    ``answered``: last-done dates from the questionnaire (:func:`answered_last_done`); the
    later of that and the calendar's own date counts."""
    cert = data.certificate
    issued = _day(assessment.certification_date)
    given = _day(cert.expires)
    expires = expiry_of(issued, given) if issued else given
    target_kind = target_audit(assessment)
    kinds = CYCLE_AUDITS if assessment.kind == "renewal" else AUDITS
    audits: list[AuditRow] = []
    previous: date | None = issued
    for kind in kinds:
        planned = _day(assessment.target_date) if kind == target_kind and assessment.target_date else cert.date_of(kind, "planned")
        done = cert.date_of(kind, "done")
        due_by = None
        if kind == "recertification":
            due_by = expires
        elif kind.startswith("surveillance") and previous:
            due_by = add_months(previous, SURVEILLANCE_MONTHS)
            if issued and kind == "surveillance_2":  # and within 24 months of the decision
                due_by = min(due_by, add_months(issued, 2 * SURVEILLANCE_MONTHS))
        row = AuditRow(kind, planned, done, due_by, kind == target_kind and bool(assessment.target_date))
        audits.append(row)
        if kind.startswith("surveillance") or kind == "recertification":
            previous = done or planned or due_by
    pending = [a for a in audits if not a.done and (a.planned or a.due_by)]
    if issued and assessment.kind != "renewal":  # certified: the initial audits are behind
        pending = [a for a in pending if a.kind not in INITIAL_AUDITS]
    next_row = pending[0] if pending else None
    next_date = next_row.planned or next_row.due_by if next_row else None
    done_dates = [a.done for a in audits if a.done and a.done <= today]
    last_audit = max([*done_dates, *([issued] if issued else [])], default=None)
    rows = []
    for a in data.all_activities():
        other = (answered or {}).get(a.key)
        if other and other > (a.last_done or "") and other <= today.isoformat():
            rows.append(replace(activity_row(replace(a, last_done=other), next_date, last_audit, today),
                                from_answers=True))
        else:
            rows.append(activity_row(a, next_date, last_audit, today))
    order = {s: i for i, s in enumerate(STATES)}
    rows.sort(key=lambda r: (r.due is not None, r.due or today, order[r.state], r.activity.title("en")))
    flags = _flags(assessment, audits, next_row, issued, expires, rows, today)
    return AnnualPlan(today, cert.number, cert.body, issued, expires, bool(given), tuple(audits), next_row,
                      last_audit, tuple(rows), tuple(flags))


def _flags(assessment: Assessment, audits: list[AuditRow], next_row: AuditRow | None, issued: date | None,
           expires: date | None, rows: list[ActivityRow], today: date) -> list[Flag]:
    out: list[Flag] = []
    target = _day(assessment.target_date)
    if target and target < today and not any(a.target and a.done for a in audits):
        out.append(Flag("target_passed", (("date", target.isoformat()),)))
    for a in audits:
        if a.planned and not a.done and a.planned < today and not a.target:
            out.append(Flag("audit_overdue", (("audit", a.kind), ("date", a.planned.isoformat()))))
        if a.kind.startswith("surveillance") and a.due_by:
            when = a.done or a.planned
            if when and when > a.due_by:
                out.append(Flag("surveillance_late", (("audit", a.kind), ("date", when.isoformat()),
                                                      ("due", a.due_by.isoformat()))))
        if a.kind == "recertification" and expires:
            when = a.done or a.planned
            if when and when > expires:
                out.append(Flag("expiry_before_recert", (("date", when.isoformat()),
                                                         ("expires", expires.isoformat()))))
    for r in rows:
        if r.every_due and r.every_due < today:
            out.append(Flag("lapsed", (("key", r.activity.key), ("name", r.activity.name),
                                       ("date", r.activity.last_done or ""), ("every", str(r.activity.every)))))
    return out



# -- overdue activities as plan work ---------------------------------------------------------
# the requirement each standard activity serves (clauses: the same in both editions)
ACTIVITY_CLAUSES = {"training": "7.3", "supplier_review": "8.1", "risk_review": "8.2", "policy_review": "5.2",
                    "internal_audit": "9.2", "management_review": "9.3"}
CALENDAR_PRIORITY = 2


def calendar_action_id(key: str) -> str:
    return ActionSource("calendar", key).key


def calendar_seeds(plan: AnnualPlan) -> list[ActionSeed]:
    """One plan action per overdue activity (source kind ``calendar``, id ``calendar:<key>``):
    do it and record it in the annual plan; owned by the activity's owner, due on its due
    date. It leaves the plan once the activity is recorded done."""
    out = []
    for r in plan.overdue:
        a = r.activity
        clause = ACTIVITY_CLAUSES.get(a.key)
        what = {lg: t("calendar.action", lg, name=a.title(lg), due=r.due.isoformat() if r.due else "") for lg in LANGS}
        out.append(ActionSeed(source=ActionSource("calendar", a.key), what=what,
                              refs=(Ref(CLAUSE, clause),) if clause else (), priority=CALENDAR_PRIORITY,
                              owner=a.owner, due=r.due.isoformat() if r.due else None))
    return out
