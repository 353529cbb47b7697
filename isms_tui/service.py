"""The core's front door for the CLI, the TUI and the exports.

:class:`Workspace` is a data folder with its banks; :class:`Session` is one assessment open
for writing. Neither knows about Textual.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .banks import Bank, BankSet, Item, all_banks, bank_files_signature
from .model import ACTION_STATUSES, STATUSES, ActionEdit, Answer, Assessment, ValidationError, parse_date
from .soa import justification_problem
from .soa_decisions import SoaDecision, apply_fields, control_ref
from .storage import StorageError, Store, atomic_write_bytes, encode
from .text import clean
from .view import AssessmentView

INDEX_NAME = "index.json"
KEEP = object()  # Session.answer: leave the status as it is


@dataclass
class Summary:
    id: str
    organization: str
    kind: str
    edition: str
    lang: str
    updated: str
    readiness: float | None
    coverage: float | None
    error: str | None = None

    def to_json(self) -> dict:
        return self.__dict__.copy()


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

    # -- banks -----------------------------------------------------------------------------
    def banks_for(self, assessment: Assessment) -> list[Bank]:
        return [self.bankset.banks[b] for b in assessment.banks if b in self.bankset.banks]

    def missing_banks(self, assessment: Assessment) -> list[str]:
        return [b for b in assessment.banks if b not in self.bankset.banks]

    # -- assessments -----------------------------------------------------------------------
    def create(self, assessment: Assessment, answers: list[Answer] = (), edits: list[ActionEdit] = (),
               soa: list[SoaDecision] = ()) -> str:
        unknown = self.missing_banks(assessment)
        if unknown:
            raise ValidationError("error.unknown_banks", banks=", ".join(unknown))
        return self.store.create(assessment, list(answers), list(edits), list(soa))

    def load(self, assessment_id: str) -> tuple[Assessment, dict[str, Answer], dict[str, ActionEdit]]:
        return self.store.load(assessment_id)

    def view(self, assessment_id: str, today: date | None = None) -> AssessmentView:
        """The read model of a stored assessment (read without locking: export, report)."""
        loaded = self.load(assessment_id)
        assessment, answers, edits = loaded
        return AssessmentView(assessment, self.banks_for(assessment), answers, edits, today=today, soa=loaded.soa)

    def duplicate(self, assessment_id: str, organization: str | None = None) -> str:
        loaded = self.load(assessment_id)
        assessment, answers, edits = loaded
        copy = Assessment.from_doc({k: v for k, v in assessment.to_doc().items() if k not in ("id", "created", "updated")})
        if organization:
            copy.organization = clean(organization, multiline=False).strip() or copy.organization
        return self.store.create(copy, list(answers.values()), list(edits.values()), list(loaded.soa.values()))

    def delete(self, assessment_id: str) -> Path:
        return self.store.delete(assessment_id)

    def open(self, assessment_id: str) -> Session:
        return Session(self, assessment_id)

    # -- the home list ---------------------------------------------------------------------
    def _banks_signature(self) -> str:
        """Changes whenever a bank file changes (scores cached in the index depend on them)."""
        return bank_files_signature(self.store.banks_dir)

    def summaries(self) -> list[Summary]:
        """Every stored assessment, newest first. Scores are cached in ``index.json`` keyed
        by each file's size and mtime, so a large data folder opens fast."""
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
            key = f"{st.st_size}:{st.st_mtime_ns}"
            cached = entries.get(aid)
            if isinstance(cached, dict) and cached.get("key") == key and isinstance(cached.get("summary"), dict):
                try:
                    out.append(Summary(**cached["summary"]))
                    fresh[aid] = cached
                    continue
                except TypeError:
                    pass
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
        try:
            assessment, answers, _ = self.load(aid)
        except StorageError as exc:
            return Summary(aid, "", "", "", "", "", None, None, error=str(exc))
        rep = AssessmentView(assessment, self.banks_for(assessment), answers, {}).report
        # Saving an answer does not rewrite the header (one write per save): the last change
        # is the newest of the header and the answers.
        updated = max([assessment.updated] + [a.updated for a in answers.values() if a.updated])
        return Summary(
            aid, assessment.organization, assessment.kind, assessment.edition, assessment.lang,
            updated, rep.overall.readiness, rep.overall.coverage,
        )


class Session:
    """One assessment open for writing. Every change is saved at once (after fsync)."""

    def __init__(self, workspace: Workspace, assessment_id: str):
        self.workspace = workspace
        self.file = workspace.store.open(assessment_id)
        try:
            self.assessment = self.file.assessment
            self.answers = self.file.answers()
            self.edits = self.file.action_edits()
            self.soa = self.file.soa_decisions()
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

    def _save(self, answer: Answer) -> Answer:
        self.file.put_answer(answer)
        if answer.is_empty:
            self.answers.pop(answer.item_id, None)
        else:
            self.answers[answer.item_id] = answer
        return answer

    def set_status(self, item_id: str, status: str | None, *, na_justification: str | None = None, answered_by: str = "") -> Answer:
        fields = {} if na_justification is None else {"na_justification": na_justification}
        return self.answer(item_id, status, answered_by=answered_by, **fields)

    def set_fields(self, item_id: str, **fields: str | None) -> Answer:
        """Update note, evidence, owner, due, last_done or na_justification."""
        return self.answer(item_id, KEEP, **fields)

    def answer(self, item_id: str, status: str | None | object = None, *, answered_by: str = "", **fields: str | None) -> Answer:
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
            if answered_by:
                answer.answered_by = clean(answered_by, multiline=False).strip()
        answer.na_justification = answer.na_justification.strip() if answer.status == "not_applicable" else answer.na_justification
        if answer.status == "not_applicable" and not answer.na_justification:
            raise ValidationError("error.na_needs_justification")
        if answer.status == "not_applicable" and status is not KEEP:
            problem = justification_problem(item, answer.na_justification)
            if problem:
                raise ValidationError(problem)
        return self._save(answer)

    def edit_action(self, action_id: str, **fields: str | None) -> ActionEdit:
        """Change owner, due, status or progress of a plan action (kept across re-scoring)."""
        kind, _, source_id = action_id.partition(":")
        if kind != "question" or source_id not in self._by_id:
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
        return AssessmentView(self.assessment, self.banks, self.answers, self.edits, today=today, soa=self.soa)

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

    def first_unanswered(self) -> int:
        for n, item in enumerate(self.items):
            a = self.answers.get(item.id)
            if a is None or a.status is None:
                return n
        return 0

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
