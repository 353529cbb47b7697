"""The documents & records register (文書・記録一覧): which documented information the auditor
will ask for, what the company calls it, where it is, who approved it and when it is reviewed.

The catalogue (``question_banks/reference/documents.toml``) lists what ISO/IEC 27001:2022
expects: every piece of documented information clauses 4-10 require (``mandatory``) and the
documents and records the Annex A controls call for (expected when the control applies). The
company's register (table ``documents`` of the assessment file) holds one entry per document
it keeps, seeded from the catalogue (state "missing") or added as its own ("custom").

Rules (also in the README):

- **state** is what the user says (missing / draft / approved / out of date); an approved entry
  whose next review date has passed counts as **out of date** (:func:`effective_state`);
- an entry is checked when it is saved (:func:`build_entry`): a bad date is refused; an entry
  marked approved needs who approved it and when; a custom entry needs a name and at least one
  requirement (clause or Annex A control);
- a **location** that names a local file or folder (an absolute path, ``~/...`` or
  ``file://...``) that does not exist on this computer is a **warning**, never a refusal: the
  entry is saved as typed (the file may be on a share this computer does not mount) and the
  register shows the warning (:func:`location_warning`). URLs, relative paths and places such
  as a binder are not checked;
- once the assessment has a register, each **mandatory** catalogue document must be in it
  (at least one entry with its catalogue id) and every such entry must be approved and not out
  of date; otherwise the clause's stage 1 gate requirement is not met (:func:`gate_issues`,
  used by :attr:`isms_tui.view.AssessmentView.gate`) and the plan gets one action per
  catalogue document (source kind ``document``, id = the catalogue id: it survives reseeding).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from .i18n import LANGS, t
from .model import ValidationError, known_fields, new_id, now_iso, parse_date
from .paths import reference_dir
from .plan import ActionSeed, ActionSource
from .refs import CLAUSE, CONTROL, CONTROL_2013, Ref
from .text import clean, one_line

DOCUMENT_STATES = ("missing", "draft", "approved", "out_of_date")
DOC_KINDS = ("document", "record")
CUSTOM = "custom"
DOCUMENTS_TABLE = "documents"
DOCUMENT_PRIORITY = 1  # a mandatory document the stage 1 auditor cannot see blocks the audit
FILTERS = ("all", "missing", "not_approved", "out_of_date")
# what keeps a mandatory document from being ready, worst first (catalog keys doc.issue.* and
# doc.action.*): an action on a catalogue document is about its worst problem
PROBLEMS = ("not_listed", "missing", "draft", "out_of_date")


# -- the catalogue ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CatalogDoc:
    """One piece of documented information the auditor expects (from documents.toml)."""

    id: str
    kind: str
    refs: tuple[Ref, ...]
    cite: str  # "6.1.3 d)" for a clause's document; "" for Annex A entries (the refs say it)
    mandatory: bool
    title: dict[str, str]
    why: dict[str, str]
    examples: dict[str, tuple[str, ...]]

    def cite_label(self, lang: str) -> str:
        """How the requirement is cited: "箇条6.1.3 d)" / "Clause 6.1.3 d)", else the refs."""
        if self.cite:
            return t("ref.clause", lang, id=self.cite)
        return ", ".join(r.label(lang) for r in self.refs)

    @property
    def clauses(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.refs if r.type == CLAUSE)


def _bi(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, Mapping) or not all(isinstance(value.get(lg), str) and value[lg].strip() for lg in LANGS):
        raise ValueError(f"documents.toml: {where} needs a text in each of {', '.join(LANGS)}")
    return {lg: clean(value[lg]).strip() for lg in LANGS}


def _bi_list(value: object, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping) or not all(
            isinstance(value.get(lg), list) and value[lg] and all(isinstance(x, str) for x in value[lg]) for lg in LANGS):
        raise ValueError(f"documents.toml: {where} needs a list in each of {', '.join(LANGS)}")
    return {lg: tuple(clean(x, multiline=False).strip() for x in value[lg]) for lg in LANGS}


def load_catalog(path: Path) -> dict[str, CatalogDoc]:
    """Read and check a catalogue file (ids unique, refs known, both languages present)."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    out: dict[str, CatalogDoc] = {}
    for n, d in enumerate(raw.get("document", []), 1):
        did = d.get("id")
        if not isinstance(did, str) or not did or did == CUSTOM or did in out:
            raise ValueError(f"documents.toml: entry {n} has a missing or duplicate id")
        if d.get("kind") not in DOC_KINDS:
            raise ValueError(f"documents.toml: {did}: kind must be one of {', '.join(DOC_KINDS)}")
        refs = tuple(Ref.parse(r) for r in d.get("refs", ()))
        if not refs or not all(r.type in (CLAUSE, CONTROL) and r.known() for r in refs):
            raise ValueError(f"documents.toml: {did}: refs must be known clauses or 2022 controls")
        mandatory = d.get("mandatory")
        if not isinstance(mandatory, bool):
            raise ValueError(f"documents.toml: {did}: mandatory must be true or false")
        out[did] = CatalogDoc(did, d["kind"], refs, str(d.get("cite", "")), mandatory, _bi(d.get("title"), did),
                              _bi(d.get("why"), did), _bi_list(d.get("examples"), did))
    return out


@cache
def document_catalog() -> dict[str, CatalogDoc]:
    """The shipped catalogue, in its order (clauses 4-10 first, then Annex A)."""
    return load_catalog(reference_dir() / "documents.toml")


# -- one entry of the company's register ------------------------------------------------------




@dataclass
class DocumentEntry:
    """A document or record as the company keeps it."""

    catalog_id: str = CUSTOM  # a catalogue id, or "custom" for the company's own
    name: str = ""  # as the company calls it ("" for a catalogue entry: its title is shown)
    kind: str = "document"
    refs: list[str] = field(default_factory=list)  # reference keys: "clause:6.1.3", "control:5.10"
    location: str = ""  # a path, a URL, a binder
    version: str = ""
    owner: str = ""
    approved_by: str = ""
    approved_on: str | None = None
    next_review: str | None = None
    state: str = "missing"
    items: list[str] | None = None  # linked question ids; None: the questions on its refs
    note: str = ""
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=now_iso)
    updated: str = field(default_factory=now_iso)

    def __post_init__(self) -> None:
        for name in ("name", "location", "version", "owner", "approved_by"):
            setattr(self, name, one_line(getattr(self, name)))
        self.note = clean(self.note or "").strip()
        self.catalog_id = one_line(self.catalog_id) or CUSTOM
        if self.state not in DOCUMENT_STATES:
            raise ValidationError("error.bad_choice", field="state", choices=", ".join(DOCUMENT_STATES))
        if self.kind not in DOC_KINDS:
            raise ValidationError("error.bad_choice", field="kind", choices=", ".join(DOC_KINDS))
        self.approved_on = parse_date(self.approved_on, what="approved on")
        self.next_review = parse_date(self.next_review, what="next review")
        if not isinstance(self.refs, list) or not all(isinstance(r, str) for r in self.refs):
            raise ValueError("refs must be a list of reference keys")
        for r in self.refs:
            Ref.parse(r)  # a known type
        if self.items is not None and not (isinstance(self.items, list) and all(isinstance(i, str) for i in self.items)):
            raise ValueError("items must be a list of item ids")

    @property
    def custom(self) -> bool:
        return self.catalog_id == CUSTOM

    @property
    def catalog(self) -> CatalogDoc | None:
        return document_catalog().get(self.catalog_id)

    @property
    def typed_refs(self) -> tuple[Ref, ...]:
        return tuple(Ref.parse(r) for r in self.refs)

    def display_name(self, lang: str) -> str:
        """The company's name for it, else the catalogue's title."""
        if self.name:
            return self.name
        cat = self.catalog
        return cat.title[lang] if cat else ""

    def to_doc(self) -> dict:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: Mapping) -> DocumentEntry:
        e = cls(**known_fields(cls, doc))
        if not all(isinstance(v, str) for v in (e.id, e.created, e.updated)):
            raise ValueError("bad document entry")
        return e


def effective_state(entry: DocumentEntry, today: date) -> str:
    """The state the register, the gate and the plan use: the user's, except that an approved
    entry whose next review date has passed is out of date."""
    if entry.state == "approved" and entry.next_review and entry.next_review < today.isoformat():
        return "out_of_date"
    return entry.state


def parse_refs(value: object, edition: str = "2022") -> list[str]:
    """"4.3, A.5.10" -> ["clause:4.3", "control:5.10"]. A bare number is a clause, "A." marks an
    Annex A control (the assessment's edition: "A.9.1.1" in 2013), "clause:" / "control:"
    keys are taken as they are; each must be known."""
    if value is None or value == "":
        return []
    raw = value if isinstance(value, (list, tuple)) else (
        one_line(value).replace("\u3001", ",").replace(";", ",").replace(",", " ").split())
    out: dict[str, None] = {}
    for token in raw:
        s = one_line(token).replace("\u7b87\u6761", "")  # "箇条4.3" -> "4.3"
        if not s:
            continue
        if ":" in s:
            kind, _, rid = s.partition(":")
            ref = Ref(kind, rid) if kind in (CLAUSE, CONTROL, CONTROL_2013) else None
        elif s[:2].upper() == "A.":
            rid = s[2:]
            ref = Ref(CONTROL_2013, "A." + rid) if edition == "2013" and rid.count(".") == 2 else Ref(CONTROL, rid)
        elif s.lower().startswith("clause"):
            ref = Ref(CLAUSE, s[6:].strip())
        else:
            ref = Ref(CLAUSE, s)
        if ref is None or not ref.known():
            raise ValidationError("error.doc.bad_ref", ref=str(token))
        out.setdefault(ref.key, None)
    return list(out)


ENTRY_FIELDS = ("catalog_id", "name", "kind", "refs", "location", "version", "owner", "approved_by", "approved_on",
                "next_review", "state", "items", "note")


def build_entry(changes: Mapping[str, object], base: DocumentEntry | None = None, *, edition: str = "2022",
                known_items: Iterable[str] | None = None) -> DocumentEntry:
    """A new or changed entry from what the user typed, checked: unknown fields, a bad date,
    an unknown reference or question, approved without who and when, a custom entry without
    a name or a requirement are refused with a one-line message. A catalogue entry without
    refs takes the catalogue's."""
    for name in changes:
        if name not in ENTRY_FIELDS:
            raise ValidationError("error.unknown_field", field=name)
    doc = (base.to_doc() if base is not None else {}) | {k: v for k, v in changes.items() if k != "refs" and k != "items"}
    if "refs" in changes:
        doc["refs"] = parse_refs(changes["refs"], edition)
    if "items" in changes:
        raw = changes["items"]
        if raw is None or raw == "" or raw == []:
            doc["items"] = None
        else:
            ids = raw if isinstance(raw, (list, tuple)) else one_line(raw).replace("\u3001", ",").replace(",", " ").split()
            ids = list(dict.fromkeys(one_line(i) for i in ids if one_line(i)))
            if known_items is not None:
                known = set(known_items)
                unknown = [i for i in ids if i not in known]
                if unknown:
                    raise ValidationError("error.unknown_item", id=", ".join(unknown))
            doc["items"] = ids
    cat_id = one_line(doc.get("catalog_id")) or CUSTOM
    cat = document_catalog().get(cat_id)
    if cat_id != CUSTOM and cat is None:
        raise ValidationError("error.doc.unknown_catalog", id=cat_id)
    if cat is not None:
        doc.setdefault("kind", cat.kind)
        if not doc.get("refs"):
            doc["refs"] = [r.key for r in cat.refs]
    entry = DocumentEntry(**known_fields(DocumentEntry, doc) | {"updated": now_iso()})
    if entry.custom and not entry.name:
        raise ValidationError("error.doc.name_required")
    if entry.custom and not entry.refs:
        raise ValidationError("error.doc.refs_required", name=entry.name)
    if entry.state == "approved" and not (entry.approved_by and entry.approved_on):
        raise ValidationError("error.doc.approval_required", name=entry.display_name("en") or entry.catalog_id)
    return entry


def looks_local(location: str) -> str | None:
    """The local path a location names (absolute, ``~/...`` or ``file://``), else None: URLs,
    relative paths and free text (a binder, a shelf) are not paths this computer can check."""
    s = location.strip()
    if s.lower().startswith("file://"):
        from urllib.parse import unquote, urlparse

        return unquote(urlparse(s).path) or None
    if "://" in s:
        return None
    if s.startswith("~"):
        return os.path.expanduser(s)
    if s.startswith("/") or (len(s) > 2 and s[1] == ":" and s[2] in "\\/"):  # /x, C:\x
        return s
    return None


def location_warning(location: str) -> str | None:
    """A catalog key when the location names a local path that does not exist here (a
    warning shown to the user; the entry is kept as typed), else None."""
    path = looks_local(location)
    if path is None:
        return None
    try:
        return None if os.path.exists(path) else "doc.warn.path_missing"
    except (OSError, ValueError):
        return "doc.warn.path_missing"


# -- the register -----------------------------------------------------------------------------
@dataclass
class DocumentRegister:
    """What an assessment stores about its documents and records."""

    entries: dict[str, DocumentEntry] = field(default_factory=dict)  # by creation time

    @property
    def exists(self) -> bool:
        return bool(self.entries)

    def of_catalog(self, catalog_id: str) -> list[DocumentEntry]:
        return [e for e in self.entries.values() if e.catalog_id == catalog_id]

    @classmethod
    def from_tables(cls, data: Mapping) -> DocumentRegister:
        """Read the ``documents`` table (absent: empty; a damaged row is skipped, never rewritten)."""
        rows = []
        for doc in (data.get(DOCUMENTS_TABLE) or {}).values():
            try:
                rows.append(DocumentEntry.from_doc(doc))
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
        return cls({e.id: e for e in sorted(rows, key=lambda e: e.created)})

    def to_tables(self) -> dict[str, list[dict]]:
        return {DOCUMENTS_TABLE: [e.to_doc() for e in self.entries.values()]}


def check_tables(data: Mapping) -> str | None:
    """Why a stored register row is not valid, or None (files are data from disk)."""
    for doc_id, doc in (data.get(DOCUMENTS_TABLE) or {}).items():
        try:
            DocumentEntry.from_doc(doc)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            return f"{DOCUMENTS_TABLE} record {doc_id}: {str(exc)[:80] or type(exc).__name__}"
    return None


def seed_entries(register: DocumentRegister, *, applicable: Iterable[str] | None = None) -> list[DocumentEntry]:
    """New entries (state missing) for the catalogue documents the register does not list yet:
    every mandatory one, and the Annex A ones whose control is applicable (``applicable``:
    the 2022 control ids the SoA includes; None: all). They have no name of their own: the
    catalogue's title shows in the user's language until the company gives its name."""
    keep = None if applicable is None else set(applicable)
    out = []
    for cat in document_catalog().values():
        if register.of_catalog(cat.id):
            continue
        if not cat.mandatory and keep is not None and not any(r.id in keep for r in cat.refs if r.type == CONTROL):
            continue
        out.append(DocumentEntry(catalog_id=cat.id, kind=cat.kind,
                                 refs=[r.key for r in cat.refs], state="missing"))
    return out


# -- the gate and the plan -----------------------------------------------------------------------
@dataclass(frozen=True)
class DocumentIssue:
    """A mandatory document the stage 1 auditor cannot see as it should be: not in the register,
    missing, a draft, or out of date. Shown on the gate requirement of its clause."""

    key: str  # doc.issue.<problem>
    problem: str  # not_listed / missing / draft / out_of_date
    catalog_id: str
    name: str  # the entry's name ("" when not listed: the catalogue title is used)
    entry_id: str = ""

    def message(self, lang: str) -> str:
        cat = document_catalog()[self.catalog_id]
        return t(self.key, lang, name=self.name or cat.title[lang], cite=cat.cite_label(lang))


def document_issues(register: DocumentRegister, today: date) -> list[DocumentIssue]:
    """What keeps the mandatory documents from being ready, in the catalogue's order (empty
    when the assessment keeps no register: the questions decide then)."""
    if not register.exists:
        return []
    out = []
    for cat in document_catalog().values():
        if not cat.mandatory:
            continue
        entries = register.of_catalog(cat.id)
        if not entries:
            out.append(DocumentIssue("doc.issue.not_listed", "not_listed", cat.id, ""))
            continue
        for e in entries:
            state = effective_state(e, today)
            if state != "approved":
                out.append(DocumentIssue(f"doc.issue.{state}", state, cat.id, e.name, e.id))
    return out


def gate_issues(register: DocumentRegister, today: date) -> dict[str, list[DocumentIssue]]:
    """The document issues by the clause whose gate requirement they block."""
    out: dict[str, list[DocumentIssue]] = {}
    for issue in document_issues(register, today):
        for clause in document_catalog()[issue.catalog_id].clauses:
            out.setdefault(clause, []).append(issue)
    return out


def document_action_id(catalog_id: str) -> str:
    return f"document:{catalog_id}"


def document_seeds(register: DocumentRegister, today: date) -> list[ActionSeed]:
    """One plan action per mandatory catalogue document with an issue (source kind
    ``document``, id = its catalogue id), about its worst problem, owned by its entry's owner
    and due by its next review date when one is set."""
    worst: dict[str, DocumentIssue] = {}
    for issue in document_issues(register, today):
        have = worst.get(issue.catalog_id)
        if have is None or PROBLEMS.index(issue.problem) < PROBLEMS.index(have.problem):
            worst[issue.catalog_id] = issue
    out = []
    for cat_id, issue in worst.items():
        cat = document_catalog()[cat_id]
        entry = register.entries.get(issue.entry_id)
        what = {lg: t(f"doc.action.{issue.problem}", lg, name=issue.name or cat.title[lg], cite=cat.cite_label(lg))
                for lg in LANGS}
        due = entry.next_review if entry is not None and issue.problem != "out_of_date" else None
        out.append(ActionSeed(source=ActionSource("document", cat_id), what=what, refs=cat.refs,
                              priority=DOCUMENT_PRIORITY, owner=entry.owner if entry else "", due=due))
    return out


def matches(state: str, filter_name: str) -> bool:
    """The register screen's filters on the effective state."""
    if filter_name == "missing":
        return state == "missing"
    if filter_name == "not_approved":
        return state in ("missing", "draft")
    if filter_name == "out_of_date":
        return state == "out_of_date"
    return True


def refs_text(refs: Iterable[Ref]) -> str:
    """References as the user types them: "4.3, A.5.10" (2013 controls "A.9.1.1")."""
    return ", ".join(r.id if r.type == CLAUSE else r.id if r.type == CONTROL_2013 else f"A.{r.id}" for r in refs)
