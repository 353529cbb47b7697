"""The core's front door for the CLI, the TUI and the exports.

:class:`Workspace` is a data folder with its banks; :class:`Session` is one assessment open
for writing. Neither knows about Textual.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .banks import Bank, BankSet, Item, all_banks, bank_files_signature
from .model import (
    ACTION_STATUSES,
    EDITIONS,
    KINDS,
    LANGS,
    STATUSES,
    ActionEdit,
    Answer,
    Assessment,
    ValidationError,
    now_iso,
    parse_date,
)
from .soa import justification_problem
from .soa_decisions import SoaDecision, apply_fields, control_ref
from .storage import (
    CorruptFileError,
    LockedError,  # noqa: F401  (re-exported: the CLI and the TUI offer to follow a locked assessment)
    NotFoundError,
    StorageError,
    Store,
    append_error_log,
    atomic_write_bytes,
    encode,
    reason,
    remove_stale_temp_files,
)
from .text import clean

if TYPE_CHECKING:  # the read model and the risk model load on first use: start-up stays light
    from .annual_plan import Activity, CalendarData
    from .changes import ChangeRecord, ChangesData
    from .compare import CycleComparison
    from .documents import DocumentEntry, DocumentRegister
    from .findings import Finding, FindingsData
    from .internal_audit import Audit, AuditData, AuditLine
    from .preaudit import SamplingData, SamplingEntry
    from .risk import Asset, Risk, RiskCriteria, RiskData
    from .view import AssessmentView
    from .workshop import ParkedItem, Participant, Workshop, WorkshopData

INDEX_NAME = "index.json"
KEEP = object()  # Session.save_answer: leave the status as it is


@dataclass
class Summary:
    """One row of the home list. ``error`` is set when the file cannot be used; ``damaged``
    when it is damaged (unreadable or holding a bad value), with ``backup`` the last good
    backup that ``restore`` would put back (None when there is none)."""

    id: str
    organization: str
    kind: str
    edition: str
    lang: str
    updated: str
    readiness: float | None
    coverage: float | None
    error: str | None = None
    damaged: bool = False
    backup: str | None = None
    exc: StorageError | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "exc"}

    def message(self, lang: str) -> str | None:
        """The error in ``lang`` (one line naming the file, and the backup when damaged)."""
        return self.exc.localized(lang) if self.exc is not None else self.error

    @classmethod
    def from_cache(cls, aid: str, doc: object) -> Summary | None:
        """A cached summary from index.json when every value is sound, else None (rebuilt)."""
        if not isinstance(doc, dict) or not doc.keys() <= _SUMMARY_FIELDS or doc.get("id") != aid:
            return None

        def ratio(v: object) -> bool:
            return v is None or (type(v) in (int, float) and math.isfinite(v) and 0 <= v <= 1)

        ok = (
            isinstance(doc.get("organization"), str) and bool(doc["organization"])
            and doc.get("kind") in KINDS and doc.get("edition") in EDITIONS and doc.get("lang") in LANGS
            and isinstance(doc.get("updated"), str)
            and "readiness" in doc and ratio(doc["readiness"]) and "coverage" in doc and ratio(doc["coverage"])
            and doc.get("error") is None and doc.get("damaged", False) is False and doc.get("backup") is None
        )
        return cls(**doc) if ok else None


_SUMMARY_FIELDS = {f.name for f in fields(Summary)} - {"exc"}


__all__ = ["KEEP", "Session", "StorageError", "Summary", "Workspace", "log_error"]


def log_error(data_dir: Path, text: Callable[[], str]) -> Path | None:
    """Append an unexpected error's traceback (never with local variables: no user data) to
    DATA_DIR/error.log, created 0600 before ``text()`` is asked for; None when it cannot be
    written."""
    return append_error_log(Path(data_dir), text)


class Workspace:
    def __init__(self, data_dir: str | Path):
        self.store = Store(data_dir)
        self._bankset: BankSet | None = None

    @property
    def bankset(self) -> BankSet:
        """The banks, parsed on first use: the home list is served from the index cache
        without parsing them, which keeps start-up fast."""
        if self._bankset is None:
            self._bankset = all_banks(self.store.banks_dir)
        return self._bankset

    @property
    def root(self) -> Path:
        return self.store.root

    @property
    def banks_dir(self) -> Path:
        return self.store.banks_dir

    @property
    def assessments_dir(self) -> Path:
        return self.store.assessments_dir

    def file_path(self, assessment_id: str) -> Path:
        """Where an assessment is stored (for messages that name the file)."""
        return self.store.file_path(assessment_id)

    # -- banks -----------------------------------------------------------------------------
    def banks_for(self, assessment: Assessment) -> list[Bank]:
        return [self.bankset.banks[b] for b in assessment.banks if b in self.bankset.banks]

    def missing_banks(self, assessment: Assessment) -> list[str]:
        return [b for b in assessment.banks if b not in self.bankset.banks]

    # -- assessments -----------------------------------------------------------------------
    def create(self, assessment: Assessment, answers: list[Answer] = (), edits: list[ActionEdit] = (),
               *, risk: RiskData | None = None, soa: list[SoaDecision] = (), workshop: WorkshopData | None = None,
               participants: list[str] = (), documents: DocumentRegister | None = None,
               findings: FindingsData | None = None, changes: ChangesData | None = None,
               audits: AuditData | None = None, calendar: CalendarData | None = None,
               sampling: SamplingData | None = None,
               tables: dict[str, list[dict]] | None = None) -> str:
        """Store a new assessment; ``participants`` are "name (role)" entries for its workshops."""
        unknown = self.missing_banks(assessment)
        if unknown:
            raise ValidationError("error.unknown_banks", banks=", ".join(unknown))
        if participants:
            from .workshop import Participant, WorkshopData, parse_participants

            workshop = workshop or WorkshopData()
            for entry in participants:
                for name, role in parse_participants(entry):
                    if all((p.name, p.role) != (name, role) for p in workshop.participants.values()):
                        p = Participant(name, role)
                        workshop.participants[p.id] = p
        return self.store.create(assessment, list(answers), list(edits), risk=risk, soa=list(soa), workshop=workshop,
                                 documents=documents, findings=findings, changes=changes, audits=audits, calendar=calendar, sampling=sampling,
                                 tables=tables)

    def load(self, assessment_id: str) -> tuple[Assessment, dict[str, Answer], dict[str, ActionEdit]]:
        return self.store.load(assessment_id)

    def view(self, assessment_id: str, today: date | None = None) -> AssessmentView:
        """The read model of a stored assessment (read without locking: export, report)."""
        from .view import AssessmentView

        data = self.store.read(assessment_id)  # one read and check of the file for every register
        loaded = self.store.load(assessment_id, data)
        assessment, answers, edits = loaded
        st = self.store
        return AssessmentView(assessment, self.banks_for(assessment), answers, edits, today=today,
                              risk=st.load_risk(assessment_id, data), soa=loaded.soa,
                              workshop=st.load_workshop(assessment_id, data),
                              documents=st.load_documents(assessment_id, data),
                              findings=st.load_findings(assessment_id, data),
                              changes=st.load_changes(assessment_id, data),
                              audits=st.load_audits(assessment_id, data),
                              calendar=st.load_calendar(assessment_id, data),
                              sampling=st.load_sampling(assessment_id, data))

    def compare(self, assessment_id: str, today: date | None = None, *, limit: int = 10) -> CycleComparison:
        """This cycle against the previous ones (read only): the chain of
        ``source["previous_cycle"]`` links is followed, newest first, up to ``limit`` earlier
        cycles; it stops at a missing or unreadable file or at a loop, and the comparison says
        where (``broken``). An unknown or damaged ``assessment_id`` itself raises as ``view`` does."""
        from .compare import ChainBreak, CycleComparison, previous_id

        views = [self.view(assessment_id, today)]
        seen = {assessment_id, views[0].assessment.id}
        broken = None
        prev = previous_id(views[0])
        while prev is not None and len(views) <= limit:
            if prev in seen:
                broken = ChainBreak(prev, "loop")
                break
            seen.add(prev)
            try:
                views.append(self.view(prev, today))
            except NotFoundError:
                broken = ChainBreak(prev, "missing")
                break
            except StorageError as exc:
                broken = ChainBreak(prev, "unreadable", {lang: exc.localized(lang) for lang in LANGS})
                break
            prev = previous_id(views[-1])
        return CycleComparison(views, broken)

    def documents(self, assessment_id: str) -> DocumentRegister:
        """The documents & records register of a stored assessment (read only)."""
        return self.store.load_documents(assessment_id)

    def workshop_data(self, assessment_id: str) -> WorkshopData:
        """Participants, sessions, history and parked items of a stored assessment (read only)."""
        return self.store.load_workshop(assessment_id)

    def findings_data(self, assessment_id: str) -> FindingsData:
        """The findings register of a stored assessment (read only)."""
        return self.store.load_findings(assessment_id)

    def changes_data(self, assessment_id: str) -> ChangesData:
        """The changes since the last cycle of a stored assessment (read only)."""
        return self.store.load_changes(assessment_id)

    def stored_tables(self, assessment_id: str, names: tuple[str, ...]) -> dict[str, list[dict]]:
        """The records of the named tables of a stored assessment, as they are stored (tables of
        registers the caller does not model; a next cycle carries them as they are)."""
        data = self.store.read(assessment_id)
        return {name: [dict(d) for d in data[name].values()] for name in names if data.get(name)}

    def follow(self, assessment_id: str) -> Follower:
        """Watch an assessment someone else is editing, read only (never a second writer)."""
        return Follower(self, assessment_id)

    def risk_data(self, assessment_id: str) -> RiskData:
        """The stored risk criteria, asset ledger and risk register of an assessment (read only)."""
        return self.store.load_risk(assessment_id)

    def duplicate(self, assessment_id: str, organization: str | None = None) -> str:
        """A copy with everything the assessment holds: answers, plan edits, the asset ledger
        and risk register with their criteria, the SoA decisions, the workshops, the documents
        & records register, the findings register, the internal audits, the annual plan, the
        sampling list and the changes since the last cycle (tests/test_storage.py checks that
        no table is left behind)."""
        loaded = self.load(assessment_id)
        assessment, answers, edits = loaded
        copy = Assessment.from_doc({k: v for k, v in assessment.to_doc().items() if k not in ("id", "created", "updated")})
        if organization:
            copy.organization = clean(organization, multiline=False).strip() or copy.organization
        return self.store.create(copy, list(answers.values()), list(edits.values()),
                                 risk=self.store.load_risk(assessment_id), soa=list(loaded.soa.values()),
                                 workshop=self.store.load_workshop(assessment_id),
                                 documents=self.store.load_documents(assessment_id),
                                 findings=self.store.load_findings(assessment_id),
                                 changes=self.store.load_changes(assessment_id),
                                 audits=self.store.load_audits(assessment_id),
                                 calendar=self.store.load_calendar(assessment_id),
                                 sampling=self.store.load_sampling(assessment_id))

    def write_file(self, path: Path, data: bytes) -> Path:
        """Write an export where the user asked for it, as every save is written: a temp file
        in the same folder, fsync, replace; 0600. Temp files left there by a killed export of
        ours are removed first. An OS error becomes one line naming the file and the cause."""
        folder = path.parent if str(path.parent) else Path(".")
        remove_stale_temp_files(folder, target_suffix=path.suffix)
        try:
            atomic_write_bytes(path, data)
        except OSError as exc:
            raise StorageError(key="export.cannot_write", path=str(path), reason=reason(exc)) from None
        return path.resolve()

    def delete(self, assessment_id: str) -> Path:
        return self.store.delete(assessment_id)

    def restore(self, assessment_id: str, *, force: bool = False) -> tuple[Path, Path | None]:
        """Put the last good backup back: (the backup, where the replaced file went or None).
        A file that is not damaged is replaced only with ``force``."""
        return self.store.restore(assessment_id, force=force)

    def check(self, assessment_id: str) -> None:
        """Raise the one-line StorageError of an unknown, damaged or newer file."""
        self.store.read(assessment_id)

    @property
    def read_only(self) -> bool:
        """The data folder cannot be written (reading, listing and exporting still work)."""
        return self.store.read_only

    def open(self, assessment_id: str) -> Session:
        return Session(self, assessment_id)

    # -- the home list ---------------------------------------------------------------------
    def _banks_signature(self) -> str:
        """Changes whenever a bank file changes (scores cached in the index depend on them)."""
        return bank_files_signature(self.store.banks_dir)

    def summaries(self) -> list[Summary]:
        """Every stored assessment, newest first. Scores are cached in ``index.json`` keyed
        by each file's size, mtime, ctime and inode, so a large data folder opens fast; an
        entry that is not sound is rebuilt from the file."""
        index_path = self.root / INDEX_NAME
        try:
            index = json.loads(index_path.read_text(encoding="utf-8"))
            if not isinstance(index, dict) or index.get("banks") != self._banks_signature():
                raise ValueError
        except (OSError, ValueError):
            index = {"banks": self._banks_signature(), "entries": {}}
        entries = index.get("entries") if isinstance(index.get("entries"), dict) else {}
        out: list[Summary] = []
        fresh: dict[str, dict] = {}
        changed = False
        for aid in self.store.ids():
            path = self.store.file_path(aid)
            try:
                st = path.stat()
            except OSError:
                continue
            key = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
            cached = entries.get(aid)
            if isinstance(cached, dict) and cached.get("key") == key:
                summary = Summary.from_cache(aid, cached.get("summary"))
                if summary is not None:
                    out.append(summary)
                    fresh[aid] = cached
                    continue
            summary = self._summarize(aid)
            out.append(summary)
            changed = True
            if summary.error is None:
                fresh[aid] = {"key": key, "summary": summary.to_json()}
        if changed or set(fresh) != set(entries):
            with contextlib.suppress(OSError):
                atomic_write_bytes(index_path, encode({"banks": index["banks"], "entries": fresh}))
        out.sort(key=lambda s: s.updated or "", reverse=True)
        return out

    def _summarize(self, aid: str) -> Summary:
        from .view import AssessmentView

        try:
            assessment, answers, _ = self.load(aid)
        except StorageError as exc:
            damaged = isinstance(exc, CorruptFileError)
            backup = str(exc.backup) if damaged and exc.backup else None
            return Summary(aid, "", "", "", "", "", None, None, error=str(exc), damaged=damaged, backup=backup, exc=exc)
        rep = AssessmentView(assessment, self.banks_for(assessment), answers, {}).report
        # Saving an answer does not rewrite the header (one write per save): the last change
        # is the newest of the header and the answers.
        updated = max([assessment.updated] + [a.updated for a in answers.values() if a.updated])
        return Summary(
            aid, assessment.organization, assessment.kind, assessment.edition, assessment.lang,
            updated, rep.overall.readiness, rep.overall.coverage,
        )


@dataclass
class FollowState:
    """What a follower shows: the assessment as stored, and where its writer's screen is."""

    view: AssessmentView
    item_id: str | None  # the writer's current item (None: nobody is writing now)
    speaker: str  # the current speaker's label ("" when none)


class Follower:
    """A read-only view of an assessment another process is editing. :meth:`poll` rereads the
    file (and the writer's position) only when they changed on disk."""

    def __init__(self, workspace: Workspace, assessment_id: str):
        self.workspace = workspace
        self.id = assessment_id
        self.path = workspace.store.file_path(assessment_id)
        self._key: tuple | None = None
        self.state: FollowState | None = None

    def _stamp(self) -> tuple:
        from .storage import live_path

        out = []
        for p in (self.path, live_path(self.path)):
            try:
                st = p.stat()
                out.append((st.st_size, st.st_mtime_ns, st.st_ino))
            except OSError:
                out.append(None)
        return tuple(out)

    def poll(self) -> FollowState | None:
        """The new state when the file or the writer's position changed since the last poll,
        else None. A damaged or vanished file raises the usual StorageError."""
        key = self._stamp()
        if key == self._key and self.state is not None:
            return None
        view = self.workspace.view(self.id)
        live = self.workspace.store.live(self.id) or {}
        item = live.get("item") if isinstance(live.get("item"), str) else None
        speaker = live.get("speaker") if isinstance(live.get("speaker"), str) else ""
        label = view.workshop.who(speaker, view.assessment.lang) if speaker else ""
        self._key = key
        self.state = FollowState(view, item if item in view.item_ids else None, label)
        return self.state


class Session:
    """One assessment open for writing. Every change is saved at once (after fsync)."""

    def __init__(self, workspace: Workspace, assessment_id: str):
        self.workspace = workspace
        self.file = workspace.store.open(assessment_id)
        try:
            self.assessment = self.file.assessment
            self.answers = self.file.answers()
            self.edits = self.file.action_edits()
            self.risk = self.file.risk_data()
            self.soa = self.file.soa_decisions()
            self.workshop = self.file.workshop_data()
            self.documents = self.file.documents()
            self.findings = self.file.findings_data()
            self.changes = self.file.changes_data()
            self.audits = self.file.audit_data()
            self.calendar = self.file.calendar_data()
            self.sampling = self.file.sampling_data()
        except BaseException:
            self.file.close()
            raise
        self.banks = workspace.banks_for(self.assessment)
        self.items: list[Item] = [i for b in self.banks for i in b.items]
        self._by_id = {i.id: i for i in self.items}

    @property
    def id(self) -> str:
        return self.assessment.id

    def item(self, item_id: str) -> Item:
        return self._by_id[item_id]

    def _save(self, answer: Answer, before: str | None | object = KEEP) -> Answer:
        """Store the answer; a change of status is written to the history in the same write,
        with who decided it and in which workshop session."""
        event = None
        if before is not KEEP and before != answer.status:
            from .workshop import AnswerEvent

            active = self.workshop.active
            event = AnswerEvent(answer.item_id, before, answer.status,  # type: ignore[arg-type]
                                by=active.speaker if active else "", workshop=active.id if active else "")
            answer.decided_by, answer.workshop = event.by, event.workshop
        self.file.put_answer_with_event(answer, event)
        if event is not None:
            self.workshop.history.append(event)
        if answer.is_empty:
            self.answers.pop(answer.item_id, None)
        else:
            self.answers[answer.item_id] = answer
        return answer

    def answer(self, item_id: str) -> Answer | None:
        return self.answers.get(item_id)

    def set_status(self, item_id: str, status: str | None, *, na_justification: str | None = None, answered_by: str = "") -> Answer:
        fields = {} if na_justification is None else {"na_justification": na_justification}
        return self.save_answer(item_id, status, answered_by=answered_by, **fields)

    def set_fields(self, item_id: str, **fields: str | None) -> Answer:
        """Update note, evidence, owner, due, last_done or na_justification."""
        return self.save_answer(item_id, KEEP, **fields)

    def save_answer(self, item_id: str, status: str | None | object = None, *, answered_by: str = "", **fields: str | None) -> Answer:
        """Set one answer's status (``KEEP`` leaves it) and fields, checked together and saved
        in one durable write: the TUI, ``isms-tui answer`` and the quick mode all come here."""
        try:
            item = self.item(item_id)
        except KeyError:
            raise ValidationError("error.unknown_item", id=item_id) from None
        current = self.answers.get(item_id) or Answer(item_id)
        answer = Answer.from_doc(current.to_doc())
        for name, value in fields.items():
            if name in ("due", "last_done"):
                setattr(answer, name, parse_date(value, what=name))
            elif name in ("note", "evidence", "na_justification"):
                setattr(answer, name, clean(value or ""))
            elif name in ("owner", "answered_by"):
                setattr(answer, name, clean(value or "", multiline=False).strip())
            else:
                raise ValidationError("error.unknown_field", field=name)
        if status is not KEEP:
            if status is not None and status not in STATUSES:
                raise ValidationError("error.bad_choice", field="status", choices=", ".join(STATUSES))
            if status == "not_applicable" and not item.na_allowed:
                raise ValidationError("error.na_not_allowed")
            answer.status = status  # type: ignore[assignment]
            answer.reconfirm = False  # set again in this cycle: no longer the previous cycle's baseline
            if answered_by:
                answer.answered_by = clean(answered_by, multiline=False).strip()
        answer.na_justification = answer.na_justification.strip() if answer.status == "not_applicable" else answer.na_justification
        if answer.status == "not_applicable" and not answer.na_justification:
            raise ValidationError("error.na_needs_justification")
        if answer.status == "not_applicable" and status is not KEEP:
            problem = justification_problem(item, answer.na_justification)
            if problem:
                raise ValidationError(problem)
        return self._save(answer, current.status if status is not KEEP else KEEP)

    def edit_action(self, action_id: str, **fields: str | None) -> ActionEdit:
        """Change owner, due, status or progress of a plan action (kept across re-scoring)."""
        kind, _, source_id = action_id.partition(":")
        from .documents import document_catalog

        known = {"question": self._by_id, "risk": self.risk.risks, "parked": self.workshop.parked,
                 "document": document_catalog(),
                 "finding": self.findings.findings, "change": self.changes.records,
                 "calendar": {a.key for a in self.calendar.all_activities()}}.get(kind, {})
        if source_id not in known:
            raise ValidationError("error.unknown_action", id=action_id)
        current = self.edits.get(action_id) or ActionEdit(action_id)
        edit = ActionEdit.from_doc(current.to_doc())
        for name, value in fields.items():
            if name == "due":
                edit.due = parse_date(value, what="due")
            elif name == "owner":
                edit.owner = clean(value or "", multiline=False).strip()
            elif name == "progress":
                edit.progress = clean(value or "")
            elif name == "status":
                if value not in ACTION_STATUSES:
                    raise ValidationError("error.bad_choice", field="status", choices=", ".join(ACTION_STATUSES))
                edit.status = value
            else:
                raise ValidationError("error.unknown_field", field=name)
        self.file.put_action_edit(edit)
        self.edits[action_id] = edit
        return edit

    def update_assessment(self, **fields) -> Assessment:
        doc = self.assessment.to_doc() | fields
        updated = Assessment.from_doc(doc)
        self.file.save_assessment(updated)
        self.assessment = updated
        if "banks" in fields:
            self.banks = self.workspace.banks_for(updated)
            self.items = [i for b in self.banks for i in b.items]
            self._by_id = {i.id: i for i in self.items}
        return updated

    def view(self, today: date | None = None) -> AssessmentView:
        """The read model of the current state (computed lazily; build a new one after a change)."""
        from .view import AssessmentView

        return AssessmentView(self.assessment, self.banks, self.answers, self.edits, today=today, risk=self.risk,
                              soa=self.soa, workshop=self.workshop, documents=self.documents,
                              findings=self.findings, changes=self.changes,
                              audits=self.audits, calendar=self.calendar,
                              sampling=self.sampling)

    # -- risk criteria, asset ledger, risk register (isms_tui/risk.py has the rules) ---------
    @property
    def criteria(self) -> RiskCriteria:
        """The current risk criteria (the default draft until one is stored)."""
        return self.risk.current

    def _put_criteria(self, criteria: RiskCriteria) -> RiskCriteria:
        self.file.put_criteria(criteria)
        self.risk.criteria = [c for c in self.risk.criteria if c.version != criteria.version] + [criteria]
        self.risk.criteria.sort(key=lambda c: c.version)
        return criteria

    def _ensure_criteria(self) -> RiskCriteria:
        return self.risk.current if self.risk.criteria else self._put_criteria(self.risk.current)

    def edit_criteria(self, **changes: object) -> RiskCriteria:
        """Change the current criteria version while no risk is rated under it (its approval
        is cleared: what was approved has changed). Once locked: a new version."""
        from .risk import edit_criteria

        current = self.risk.current
        if self.risk.locked(current):
            raise ValidationError("error.criteria.locked", version=current.version)
        updated = edit_criteria(current, changes)
        updated.approved_by, updated.approved_on = "", None
        return self._put_criteria(updated)

    def new_criteria_version(self, reason: str, **changes: object) -> RiskCriteria:
        """A new criteria version (the previous one is kept as history), unapproved."""
        from .risk import RiskCriteria, edit_criteria

        reason = clean(reason or "").strip()
        if not reason:
            raise ValidationError("error.criteria.reason_required")
        base = RiskCriteria.from_doc(self.risk.current.to_doc())
        new = edit_criteria(base, changes)
        new.version = (self.risk.criteria[-1].version + 1) if self.risk.criteria else 1
        new.reason, new.approved_by, new.approved_on = reason, "", None
        new.created = new.updated
        return self._put_criteria(new)

    def approve_criteria(self, by: str, on: str | date | None = None) -> RiskCriteria:
        """Record top management's approval of the current criteria version (who and when)."""
        from .risk import RiskCriteria

        by = clean(by or "", multiline=False).strip()
        if not by:
            raise ValidationError("error.criteria.approver_required")
        criteria = RiskCriteria.from_doc(self.risk.current.to_doc())
        criteria.approved_by = by
        criteria.approved_on = parse_date(on or date.today(), what="approved on")
        return self._put_criteria(criteria)

    def _asset(self, asset_id: str) -> Asset:
        try:
            return self.risk.assets[asset_id]
        except KeyError:
            raise ValidationError("error.asset.unknown", id=asset_id) from None

    def _risk(self, risk_id: str) -> Risk:
        try:
            return self.risk.risks[risk_id]
        except KeyError:
            raise ValidationError("error.risk.unknown", id=risk_id) from None

    def add_asset(self, **fields: object) -> Asset:
        from .risk import build_asset

        asset = build_asset(fields)
        asset.no = self.risk.next_no("asset")
        self.file.put_asset(asset)
        self.risk.assets[asset.id] = asset
        return asset

    def update_asset(self, asset_id: str, **fields: object) -> Asset:
        from .risk import build_asset

        asset = build_asset(fields, self._asset(asset_id))
        self.file.put_asset(asset)
        self.risk.assets[asset.id] = asset
        return asset

    def delete_asset(self, asset_id: str) -> None:
        """Remove an asset no risk refers to (otherwise refused: nothing is lost)."""
        asset = self._asset(asset_id)
        users = self.risk.risks_of_asset(asset_id)
        if users:
            raise ValidationError("error.asset.in_use", asset=f"{asset.label} {asset.name}",
                                  risks=", ".join(r.label for r in users))
        self.file.remove_asset(asset_id)
        del self.risk.assets[asset_id]

    def _build_risk(self, fields: dict, base: Risk | None) -> Risk:
        from .risk import build_risk

        return build_risk(fields, base, criteria=self.risk.current, assets=self.risk.assets,
                          edition=self.assessment.edition, today=date.today(),
                          control_status=self.view().control_status.get)

    def add_risk(self, **fields: object) -> Risk:
        risk = self._build_risk(fields, None)
        risk.no = self.risk.next_no("risk")
        self._ensure_criteria()
        self.file.put_risk(risk)
        self.risk.risks[risk.id] = risk
        return risk

    def update_risk(self, risk_id: str, **fields: object) -> Risk:
        risk = self._build_risk(fields, self._risk(risk_id))
        self._ensure_criteria()
        self.file.put_risk(risk)
        self.risk.risks[risk.id] = risk
        return risk

    def accept_risk(self, risk_id: str, *, by: str, reason: str, until: str | date,
                    on: str | date | None = None) -> Risk:
        """Record the risk owner's acceptance of what remains of a risk (who, when, why, until)."""
        return self.update_risk(risk_id, acceptance={"by": by, "reason": reason, "until": until, "on": on})

    def delete_risk(self, risk_id: str) -> None:
        self._risk(risk_id)
        self.file.remove_risk(risk_id)
        del self.risk.risks[risk_id]

    # -- Statement of Applicability decisions ------------------------------------------------
    def soa_decisions(self) -> dict[str, SoaDecision]:
        """The user's SoA decisions by control reference key ("control:5.15")."""
        return dict(self.soa)

    def soa_decision(self, control_id: str) -> SoaDecision | None:
        return self.soa.get(control_ref(control_id, self.assessment.edition).key)

    def set_soa_decision(self, control_id: str, **fields: object) -> SoaDecision:
        """Set applicable (True/False/None), justification, implementation (how it is done /
        document reference) or owner of one control of the assessment's edition; checked and
        saved in one durable write."""
        ref = control_ref(control_id, self.assessment.edition)
        current = self.soa.get(ref.key) or SoaDecision(ref.key)
        decision = apply_fields(current, **fields)
        self.file.put_soa_decision(decision)
        if decision.is_empty:
            self.soa.pop(ref.key, None)
        else:
            self.soa[ref.key] = decision
        return decision
    def resume_index(self) -> int:
        """Where the user left off: the first unanswered item from the one answered last, in
        the questionnaire's order and wrapping round (answers saved at the same moment, as an
        import or the demo writes them, count the earliest item as the last one); the first
        unanswered item when nothing is answered yet; the last answered item when all are."""
        order = {item.id: n for n, item in enumerate(self.items)}
        answered = [(a.updated or "", -order[i]) for i, a in self.answers.items() if i in order and a.status is not None]
        if not answered:
            return self.first_unanswered()
        last = -max(answered)[1]
        n = len(self.items)
        for k in range(n):
            a = self.answers.get(self.items[(last + k) % n].id)
            if a is None or a.status is None:
                return (last + k) % n
        return last

    def first_unanswered(self) -> int:
        for n, item in enumerate(self.items):
            a = self.answers.get(item.id)
            if a is None or a.status is None:
                return n
        return 0

    # -- workshops (isms_tui/workshop.py has the rules) --------------------------------------
    def add_participant(self, name: str, role: str = "") -> Participant:
        """A participant of the assessment's workshops; the same name and role is not added twice."""
        from .workshop import Participant

        new = Participant(name, role)
        same = next((p for p in self.workshop.participants.values() if (p.name, p.role) == (new.name, new.role)), None)
        if same is not None:
            return same
        self.file.put_participant(new)
        self.workshop.participants[new.id] = new
        return new

    def update_participant(self, participant_id: str, *, name: str | None = None, role: str | None = None) -> Participant:
        from .workshop import Participant

        current = self.workshop.participants.get(participant_id)
        if current is None:
            raise ValidationError("error.unknown_participant", id=participant_id)
        updated = Participant(current.name if name is None else name, current.role if role is None else role,
                              id=current.id, created=current.created)
        self.file.put_participant(updated)
        self.workshop.participants[updated.id] = updated
        return updated

    @property
    def active_workshop(self) -> Workshop | None:
        return self.workshop.active

    def start_workshop(self, *, title: str = "", agenda: list[str] = (), timebox: dict[str, int] | None = None,
                       participants: list[str] = ()) -> Workshop:
        """Start a session: the sections for today (in order), an optional time box per
        section, the participant ids in the room. One session runs at a time."""
        from .workshop import Workshop, section_key

        if self.workshop.active is not None:
            raise ValidationError("error.workshop_running")
        sections = {section_key(b.id, s.id) for b in self.banks for s in b.sections}
        unknown = [a for a in agenda if a not in sections]
        if unknown:
            raise ValidationError("error.unknown_section", id=", ".join(unknown))
        missing = [p for p in participants if p not in self.workshop.participants]
        if missing:
            raise ValidationError("error.unknown_participant", id=", ".join(missing))
        w = Workshop(title=title, agenda=list(dict.fromkeys(agenda)), timebox={k: v for k, v in (timebox or {}).items() if k in agenda},
                     participants=list(dict.fromkeys(participants)))
        return self._put_workshop(w)

    def _put_workshop(self, workshop: Workshop) -> Workshop:
        self.file.put_workshop(workshop)
        self.workshop.workshops[workshop.id] = workshop
        return workshop

    def _active(self) -> Workshop:
        w = self.workshop.active
        if w is None:
            raise ValidationError("error.no_workshop")
        return w

    def set_speaker(self, speaker: str) -> Workshop:
        """Who decides the next answers: a participant in the room, "consensus" or "" (nobody)."""
        from .workshop import CONSENSUS, Workshop

        w = self._active()
        if speaker not in ("", CONSENSUS) and speaker not in w.participants:
            raise ValidationError("error.unknown_participant", id=speaker)
        return self._put_workshop(Workshop.from_doc(w.to_doc() | {"speaker": speaker}))

    def next_speaker(self) -> Workshop:
        """One key: the next participant in the room, then consensus, then round again."""
        w = self._active()
        order = self.workshop.speakers(w)
        nxt = order[(order.index(w.speaker) + 1) % len(order)] if w.speaker in order else order[0]
        return self.set_speaker(nxt)

    def add_to_workshop(self, participant_ids: list[str]) -> Workshop:
        """Someone joins the room during the session."""
        from .workshop import Workshop

        w = self._active()
        unknown = [p for p in participant_ids if p not in self.workshop.participants]
        if unknown:
            raise ValidationError("error.unknown_participant", id=", ".join(unknown))
        return self._put_workshop(Workshop.from_doc(w.to_doc() | {"participants": list(dict.fromkeys(w.participants + participant_ids))}))

    def reach_section(self, bank_id: str, section_id: str) -> Workshop | None:
        """The room reached a section of the agenda: its time box starts (once)."""
        from .model import now_iso
        from .workshop import Workshop, section_key

        w = self.workshop.active
        key = section_key(bank_id, section_id)
        if w is None or key not in w.agenda or key in w.section_started:
            return w
        return self._put_workshop(Workshop.from_doc(w.to_doc() | {"section_started": w.section_started | {key: now_iso()}}))

    def end_workshop(self) -> Workshop:
        from .model import now_iso
        from .workshop import Workshop

        w = self._active()
        return self._put_workshop(Workshop.from_doc(w.to_doc() | {"ended": now_iso(), "speaker": ""}))

    def park(self, item_id: str, note: str, *, owner: str = "", due: str | None = None) -> ParkedItem:
        """Park an item with what is open about it and who takes it: a plan action until resolved."""
        from .workshop import ParkedItem

        if item_id not in self._by_id:
            raise ValidationError("error.unknown_item", id=item_id)
        active = self.workshop.active
        p = ParkedItem(item_id, note, owner=owner, due=due, workshop=active.id if active else "")
        self.file.put_parked(p)
        self.workshop.parked[p.id] = p
        return p

    def update_parked(self, parked_id: str, **fields: str | None) -> ParkedItem:
        """Change a parked item's note, owner, due date, or resolve it (state, resolution)."""
        from .model import now_iso
        from .workshop import ParkedItem

        current = self.workshop.parked.get(parked_id)
        if current is None:
            raise ValidationError("error.unknown_parked", id=parked_id)
        allowed = ("note", "owner", "due", "state", "resolution")
        for name in fields:
            if name not in allowed:
                raise ValidationError("error.unknown_field", field=name)
        updated = ParkedItem.from_doc(current.to_doc() | fields | {"updated": now_iso()})
        if updated.state == "resolved" and not updated.resolution:
            raise ValidationError("error.parked_resolution")
        self.file.put_parked(updated)
        self.workshop.parked[parked_id] = updated
        return updated

    # -- the documents & records register (isms_tui/documents.py has the rules) ---------------
    def _document(self, entry_id: str) -> DocumentEntry:
        try:
            return self.documents.entries[entry_id]
        except KeyError:
            raise ValidationError("error.doc.unknown", id=entry_id) from None

    def add_document(self, **fields: object) -> DocumentEntry:
        """A document or record the company keeps: a catalogue one (``catalog_id``) or its own
        ("custom", with a name and a requirement). Checked, then saved in one durable write."""
        from .documents import build_entry

        entry = build_entry(fields, None, edition=self.assessment.edition, known_items=self._by_id)
        self.file.put_document(entry)
        self.documents.entries[entry.id] = entry
        return entry

    def update_document(self, entry_id: str, **fields: object) -> DocumentEntry:
        from .documents import build_entry

        entry = build_entry(fields, self._document(entry_id), edition=self.assessment.edition, known_items=self._by_id)
        self.file.put_document(entry)
        self.documents.entries[entry.id] = entry
        return entry

    def remove_document(self, entry_id: str) -> None:
        self._document(entry_id)
        self.file.remove_document(entry_id)
        del self.documents.entries[entry_id]

    def find_document(self, key: str) -> DocumentEntry | None:
        """The register entry a user names: its id, its catalogue id ("scope") or its name
        (any case). None for a catalogue document the register does not list yet; a key that
        names nothing, or several entries, is refused with a one-line message."""
        from .documents import document_catalog

        key = clean(key, multiline=False).strip()
        if key in self.documents.entries:
            return self.documents.entries[key]
        found = self.documents.of_catalog(key) or [
            e for e in self.documents.entries.values() if e.name and e.name.casefold() == key.casefold()]
        if len(found) > 1:
            raise ValidationError("error.doc.ambiguous", key=key, ids=", ".join(e.id for e in found))
        if found:
            return found[0]
        if key in document_catalog():
            return None
        raise ValidationError("error.doc.unknown", id=key[:40])

    def seed_documents(self) -> list[DocumentEntry]:
        """Add the catalogue's documents the register does not list yet, as missing: every
        mandatory one and the Annex A ones of the controls the SoA includes (one write)."""
        from .documents import seed_entries

        applicable = None
        if self.assessment.edition == "2022":
            applicable = [row.ref.id for row in self.view().soa if row.applicable]
        new = seed_entries(self.documents, applicable=applicable)
        if new:
            self.file.put_documents(new)
            for entry in new:
                self.documents.entries[entry.id] = entry
        return new


    # -- findings register (isms_tui/findings.py has the rules) -----------------------------
    def _finding(self, key: str) -> Finding:
        f = self.findings.find(key)
        if f is None:
            raise ValidationError("error.finding.unknown", id=clean(key, multiline=False)[:40])
        return f

    def add_finding(self, **values: object) -> Finding:
        """Record a finding (checked whole: a valid requirement of the assessment's edition, a
        description, dates that make sense); it gets the next number (F-01, F-02 ...)."""
        from .findings import build_finding

        finding = build_finding(values, None, edition=self.assessment.edition)
        finding.no = self.findings.next_no()
        self.file.put_finding(finding)
        self.findings.findings[finding.id] = finding
        return finding

    def update_finding(self, key: str, **values: object) -> Finding:
        """Change a finding (by id or label, "F-02"): correction, root cause, corrective
        action, closure, effectiveness check... checked whole, saved in one write. When the
        finding's owner or due date changes, the plan shows them (an earlier edit of the
        action's owner or date in the plan gives way). An effectiveness check that says "not
        effective" reopens the finding: its plan action is to do again."""
        from .findings import build_finding, finding_action_id

        current = self._finding(key)
        updated = build_finding(values, current, edition=self.assessment.edition)
        self.file.put_finding(updated)
        self.findings.findings[updated.id] = updated
        edit = self.edits.get(finding_action_id(updated.id))
        if edit is not None:
            changed = ActionEdit.from_doc(edit.to_doc())
            if updated.owner != current.owner:
                changed.owner = None
            if updated.due != current.due:
                changed.due = None
            if updated.reopened and not current.reopened and changed.status == "done":
                changed.status = "todo"
            if changed.to_doc() != edit.to_doc():
                self.file.put_action_edit(changed)
                self.edits[changed.action_id] = changed
        return updated

    # -- changes since the last cycle (isms_tui/changes.py has the rules) ---------------------
    def answer_change(self, topic: str, answer: str | None, description: str = "") -> ChangeRecord:
        """Answer one change question: "no_change", "changed" (with what changed) or None (not
        answered yet). A described change becomes a plan action (source kind "change")."""
        from .changes import ChangeRecord

        record = ChangeRecord(topic, answer, description if answer == "changed" else "")
        self.file.put_change(record)
        self.changes.records[topic] = record
        return record


    def remove_finding(self, key: str) -> Finding:
        """Delete a finding (by id or label) with the plan edit of its corrective action (the
        action leaves the plan with it), in one write. An audit checklist line that raised it
        keeps its result and note; recording the line again raises a new finding."""
        from .findings import finding_action_id

        f = self._finding(key)
        action_id = finding_action_id(f.id)
        self.file.remove_finding(f.id, action_id)
        del self.findings.findings[f.id]
        self.edits.pop(action_id, None)
        line = self.audits.line_of_finding(f.id)
        if line is not None:
            line.finding = ""
        return f

    # -- internal audits (isms_tui/internal_audit.py has the rules) --------------------------
    def get_audit(self, key: str) -> Audit:
        a = self.audits.find(key)
        if a is None:
            raise ValidationError("error.audit.unknown", id=clean(key, multiline=False)[:40])
        return a

    def add_audit(self, **values: object) -> Audit:
        """Plan an audit of the programme (title, planned date, scope, lead auditor, auditors,
        auditees), checked whole; it gets the next number (IA-01, IA-02 ...)."""
        from .internal_audit import build_audit

        audit = build_audit(values, None, edition=self.assessment.edition)
        audit.no = self.audits.next_no()
        self.file.put_audit(audit)
        self.audits.audits[audit.id] = audit
        return audit

    def update_audit(self, key: str, **values: object) -> Audit:
        """Change an audit (by id or label, "IA-02"): its date done, scope, team..."""
        from .internal_audit import build_audit

        audit = build_audit(values, self.get_audit(key), edition=self.assessment.edition)
        self.file.put_audit(audit)
        self.audits.audits[audit.id] = audit
        return audit

    def record_audit_line(self, key: str, line_no: int, *, result: str | None = None, note: str | None = None,
                          evidence: str | None = None, today: date | None = None) -> tuple[AuditLine, Finding | None, str]:
        """Record the auditor's result, note or evidence seen on line ``line_no`` of an audit's
        checklist (None leaves a value; result "" is "not audited yet"). A minor or major
        result, or an observation, raises one finding (or changes the grade of the one the line
        raised); conforming deletes the line's finding while nobody has worked on it, and is
        refused once somebody has (see :mod:`isms_tui.internal_audit`). One durable write.
        Returns the line, the finding it has now, and what happened to the finding: "created",
        "updated", "removed" or ""."""
        from .findings import build_finding, finding_action_id
        from .internal_audit import (
            RESULT_GRADE,
            RESULTS,
            AuditLine,
            finding_description,
            finding_raised_on,
            has_work,
        )

        audit = self.get_audit(key)
        row = self.view().audit_programme.row(audit.id)
        assert row is not None
        line = next((ln for ln in row.lines if ln.n == line_no), None)
        if line is None:
            raise ValidationError("error.audit.no_line", n=line_no, audit=audit.label, total=len(row.lines))
        if result is not None and result and result not in RESULTS:
            raise ValidationError("error.bad_choice", field="result", choices=", ".join(RESULTS))
        current = line.record or AuditLine(audit.id, line.item.id)
        updated = AuditLine.from_doc(current.to_doc())
        if result is not None:
            updated.result = result
        if note is not None:
            updated.note = note
        if evidence is not None:
            updated.evidence = evidence
        updated = AuditLine.from_doc(updated.to_doc() | {"updated": now_iso()})
        lang = self.assessment.lang
        existing = self.findings.findings.get(updated.finding) if updated.finding else None
        grade = RESULT_GRADE.get(updated.result)
        finding, removed, what = existing, "", ""
        if grade is not None:
            text = finding_description(audit, updated.note, line.requirement, lang)
            if existing is None:
                finding = build_finding({"grade": grade, "ref": line.requirement.key, "description": text,
                                         "source": "internal_audit", "raised_on": finding_raised_on(audit, today or date.today()),
                                         "raised_by": audit.lead, "audit": audit.id}, None, edition=self.assessment.edition)
                finding.no = self.findings.next_no()
                what = "created"
            else:
                old_text = finding_description(audit, current.note, line.requirement, lang)
                changes: dict[str, object] = {}
                if existing.grade != grade:
                    changes["grade"] = grade
                if text != existing.description and existing.description == old_text:
                    changes["description"] = text  # follows the note until edited in the register
                finding = build_finding(changes, existing, edition=self.assessment.edition) if changes else None
                what = "updated" if changes else ""
            if finding is not None:
                updated.finding = finding.id
        elif existing is not None:
            if has_work(existing):
                raise ValidationError("error.audit.finding_has_work", label=existing.label)
            removed, what, finding = existing.id, "removed", None
            updated.finding = ""
        self.file.put_audit_line(updated, finding=finding if what in ("created", "updated") else None,
                                 remove_finding=removed, action_id=finding_action_id(removed) if removed else "")
        if updated.is_empty:
            self.audits.lines.pop(updated.key, None)
        else:
            self.audits.lines[updated.key] = updated
        if finding is not None and what:
            self.findings.findings[finding.id] = finding
        if removed:
            del self.findings.findings[removed]
            self.edits.pop(finding_action_id(removed), None)
        return updated, self.findings.findings.get(updated.finding) if updated.finding else None, what


    # -- the certification calendar (isms_tui/annual_plan.py has the rules) -----------------
    def set_certificate(self, today: date | None = None, **values: object) -> None:
        """Change the certificate record and the audit dates (names of
        :data:`isms_tui.annual_plan.CERT_FIELDS`, "" clears one), checked whole. The issue date
        is the assessment's certification date and the target audit's planned date its target
        date: they are written there, in the same durable write as the certificate row."""
        from .annual_plan import certificate_changes

        cert, meta = certificate_changes(values, self.calendar, self.assessment, today or date.today())
        updated = Assessment.from_doc(self.assessment.to_doc() | meta) if meta else None
        self.file.put_certificate(cert, updated)
        self.calendar.certificate = cert
        if updated is not None:
            self.assessment = updated

    def update_activity(self, key: str, today: date | None = None, **values: object) -> Activity:
        """Change a yearly activity (by key, or a user activity's name): frequency, lead time,
        last done date, owner; checked whole (a done date is not in the future)."""
        from .annual_plan import activity_changes

        current = self.calendar.find(key)
        updated = activity_changes(values, current, today or date.today())
        self.file.put_activity(updated)
        self.calendar.activities[updated.key] = updated
        return updated

    def mark_activity_done(self, key: str, on: str | date | None = None) -> Activity:
        """Record that an activity was done (today unless ``on`` says when)."""
        return self.update_activity(key, last_done=on or date.today().isoformat())

    def add_activity(self, name: str, today: date | None = None, **values: object) -> Activity:
        """Add the company's own yearly activity (12 months, 60 days before the audit unless
        given)."""
        from .annual_plan import Activity, activity_changes, new_custom_key

        base = Activity(new_custom_key(), name=clean(name, multiline=False).strip())
        activity = activity_changes(values, base, today or date.today())
        self.file.put_activity(activity)
        self.calendar.activities[activity.key] = activity
        return activity

    def remove_activity(self, key: str) -> Activity:
        """Remove one of the company's own activities (the standard ones stay)."""
        activity = self.calendar.find(key)
        if not activity.custom:
            raise ValidationError("calendar.remove_standard", name=activity.title(self.assessment.lang))
        self.file.remove_activity(activity.key)
        del self.calendar.activities[activity.key]
        return activity


    # -- the stage 2 sampling list (isms_tui/preaudit.py has the rules) ------------------------
    def set_sampling(self, record_type: str, *, today: date | None = None, **fields: object) -> SamplingEntry:
        """Record what the company holds of one record type (months held, location, oldest
        record, reason, note): checked whole, saved in one durable write."""
        from .preaudit import build_sampling

        entry = build_sampling(record_type, fields, self.sampling.entries.get(record_type), today=today or date.today())
        self.file.put_sampling(entry)
        self.sampling.entries[record_type] = entry
        return entry

    def show_position(self, item_id: str) -> None:
        """Where the writer's screen is, for read-only followers (not part of the data)."""
        w = self.workshop.active
        doc = {"item": item_id, "workshop": w.id if w else "", "speaker": w.speaker if w else "", "at": now_iso()}
        with contextlib.suppress(OSError):
            self.file.write_live(doc)

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
