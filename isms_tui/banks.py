"""Question banks: load, validate and index the TOML content in ``question_banks/``.

Every problem is reported as ``path:line: message``; a bank with errors is skipped, never
raised as a traceback. The format is documented in ``question_banks/README.md``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .catalog import LANGS, catalog
from .paths import builtin_banks_dir
from .text import clean, find_control

KINDS = ("annex_a_2022", "annex_a_2013", "clauses_2022", "process", "custom")
TEXT_FIELDS = ("question", "why", "auditor_asks", "action")
REF_KINDS = ("controls", "controls_2013", "clauses", "steps")
BANK_KEYS = {"id", "kind", "version", "title", "description", "sections", "items"}
SECTION_KEYS = {"id", "title", "parent", "step"}
ITEM_KEYS = {
    "id", "section", "refs", "weight", "mandatory", "na_allowed", "every_months",
    "question", "why", "auditor_asks", "evidence", "action",
}
REQUIRED_ITEM_KEYS = ITEM_KEYS - {"every_months"}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
_SECTION_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_KEY_RE = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")
_HEADER_RE = re.compile(r"^\s*\[\[\s*(items|sections)\s*\]\]")
_TOML_POS_RE = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    fatal: bool = True  # False: reported by `banks check`, but the bank still loads (text cleaned)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Item:
    id: str
    bank_id: str
    section_id: str
    controls: tuple[str, ...]
    controls_2013: tuple[str, ...]
    clauses: tuple[str, ...]
    steps: tuple[str, ...]
    weight: int
    mandatory: bool
    na_allowed: bool
    every_months: int | None
    question: dict[str, str]
    why: dict[str, str]
    auditor_asks: dict[str, str]
    evidence: dict[str, tuple[str, ...]]
    action: dict[str, str]
    source: str = ""

    @property
    def refs(self) -> tuple[str, ...]:
        return self.controls + self.controls_2013 + self.clauses + self.steps

    @property
    def new_in_2022(self) -> bool:
        cat = catalog()
        return any(cat.controls_2022[c].new_in_2022 for c in self.controls if c in cat.controls_2022)

    def ref_label(self) -> str:
        """Controls and clauses; a process step only when the item names nothing else
        (its section already says which step it belongs to)."""
        refs = self.controls + self.controls_2013 + self.clauses
        return ", ".join(refs or self.steps)

    def title(self, lang: str) -> str:
        """The title of the first referenced control, clause or step, each looked up in its own
        table: clause 5.1 is "Leadership and commitment", control 5.1 is a policy."""
        cat = catalog()
        for refs, table in ((self.controls, cat.controls_2022), (self.controls_2013, cat.controls_2013),
                            (self.clauses, cat.clauses), (self.steps, cat.steps)):
            for ref in refs:
                if ref in table:
                    return table[ref].title[lang]
        return ""


@dataclass
class Section:
    id: str
    title: dict[str, str]
    parent: str | None = None
    step: str | None = None
    item_ids: list[str] = field(default_factory=list)


@dataclass
class Bank:
    id: str
    kind: str
    version: int
    title: dict[str, str]
    description: dict[str, str]
    sections: list[Section]
    items: list[Item]
    path: str
    builtin: bool = True

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def leaf_sections(self) -> list[Section]:
        return [s for s in self.sections if s.item_ids]

    def children(self, section_id: str) -> list[Section]:
        return [s for s in self.sections if s.parent == section_id]


@dataclass
class BankSet:
    banks: dict[str, Bank]
    problems: list[Problem]

    @property
    def items(self) -> dict[str, Item]:
        return {i.id: i for b in self.banks.values() for i in b.items}

    def get(self, bank_id: str) -> Bank | None:
        return self.banks.get(bank_id)


# --- line index -----------------------------------------------------------------------------


class _Lines:
    """Maps blocks (``[[items]]``/``[[sections]]``) and keys in one file to line numbers.

    tomllib reports no positions for values; this light scan is enough to point a reader at
    the right line for each message.
    """

    def __init__(self, text: str):
        self.top: dict[str, int] = {}
        self.blocks: dict[str, list[tuple[int, dict[str, int]]]] = {"items": [], "sections": []}
        current: dict[str, int] | None = self.top
        in_multi = False
        for n, line in enumerate(text.splitlines(), start=1):
            if not in_multi:
                h = _HEADER_RE.match(line)
                if h:
                    current = {}
                    self.blocks[h.group(1)].append((n, current))
                elif line.lstrip().startswith("["):
                    current = None
                else:
                    k = _KEY_RE.match(line)
                    if k and current is not None:
                        key = re.sub(r"\s+", "", k.group(1))
                        current.setdefault(key, n)
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multi = not in_multi

    def block(self, kind: str, index: int) -> tuple[int, dict[str, int]]:
        blocks = self.blocks[kind]
        return blocks[index] if index < len(blocks) else (1, {})


def _key_line(keys: dict[str, int], default: int, *names: str) -> int:
    for name in names:
        if name in keys:
            return keys[name]
        for k, n in keys.items():
            if k.startswith(name + "."):
                return n
    return default


# --- parsing --------------------------------------------------------------------------------


class _FileCtx:
    def __init__(self, path: Path, display: str, problems: list[Problem]):
        self.path = path
        self.display = display
        self.problems = problems

    def err(self, line: int, message: str, fatal: bool = True) -> None:
        self.problems.append(Problem(self.display, line, message, fatal))


def _read_toml(path: Path, ctx: _FileCtx) -> tuple[dict | None, _Lines | None]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        ctx.err(1, f"cannot read file: {exc.strerror or exc}")
        return None, None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        ctx.err(line, "not valid UTF-8 text")
        return None, None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS_RE.search(msg)
        line = int(m.group(1)) if m else 1
        ctx.err(line, "TOML syntax: " + _TOML_POS_RE.sub("", msg).strip())
        return None, None
    except RecursionError:
        ctx.err(1, "TOML syntax: nested too deeply")
        return None, None
    return data, _Lines(text)


def _text(value, ctx: _FileCtx, line: int, name: str, *, multiline: bool = True) -> str | None:
    if not isinstance(value, str):
        ctx.err(line, f"{name} must be a string")
        return None
    if find_control(value) is not None:
        ctx.err(line, f"{name} contains control characters (they are removed)", fatal=False)
    value = clean(value, multiline=multiline).strip()
    if not value:
        ctx.err(line, f"{name} is empty")
        return None
    return value


def _bilingual(value, ctx: _FileCtx, line: int, name: str, *, multiline: bool = True) -> dict[str, str] | None:
    if not isinstance(value, dict):
        ctx.err(line, f"{name} needs {name}.ja and {name}.en")
        return None
    ok = True
    out: dict[str, str] = {}
    for lang in LANGS:
        if lang not in value:
            ctx.err(line, f"{name}.{lang} is missing")
            ok = False
            continue
        t = _text(value[lang], ctx, line, f"{name}.{lang}", multiline=multiline)
        if t is None:
            ok = False
        else:
            out[lang] = t
    for extra in sorted(set(value) - set(LANGS)):
        ctx.err(line, f"unknown language {name}.{extra} (use ja and en)")
        ok = False
    return out if ok else None


def _bilingual_list(value, ctx: _FileCtx, line: int, name: str) -> dict[str, tuple[str, ...]] | None:
    if not isinstance(value, dict):
        ctx.err(line, f"{name} needs {name}.ja and {name}.en lists")
        return None
    out: dict[str, tuple[str, ...]] = {}
    ok = True
    for lang in LANGS:
        seq = value.get(lang)
        if seq is None:
            ctx.err(line, f"{name}.{lang} is missing")
            ok = False
            continue
        if not isinstance(seq, list) or not seq:
            ctx.err(line, f"{name}.{lang} must be a non-empty list of strings")
            ok = False
            continue
        texts = [_text(v, ctx, line, f"{name}.{lang}[{i}]", multiline=False) for i, v in enumerate(seq)]
        if any(t is None for t in texts):
            ok = False
        else:
            out[lang] = tuple(texts)  # type: ignore[arg-type]
    for extra in sorted(set(value) - set(LANGS)):
        ctx.err(line, f"unknown language {name}.{extra} (use ja and en)")
        ok = False
    if ok and len(out["ja"]) != len(out["en"]):
        ctx.err(line, f"{name}.ja and {name}.en have different numbers of entries")
        ok = False
    return out if ok else None


def _parse_refs(value, ctx: _FileCtx, line: int) -> dict[str, tuple[str, ...]] | None:
    if not isinstance(value, dict):
        ctx.err(line, "refs must be a table (refs.controls = [...], ...)")
        return None
    cat = catalog()
    known = {
        "controls": cat.controls_2022,
        "controls_2013": cat.controls_2013,
        "clauses": cat.clauses,
        "steps": cat.steps,
    }
    what = {"controls": "2022 control", "controls_2013": "2013 control", "clauses": "clause", "steps": "process step"}
    out: dict[str, tuple[str, ...]] = {}
    ok = True
    for key in sorted(set(value) - set(REF_KINDS)):
        ctx.err(line, f"unknown field refs.{key} (use {', '.join(REF_KINDS)})")
        ok = False
    for kind in REF_KINDS:
        seq = value.get(kind, [])
        if not isinstance(seq, list) or not all(isinstance(v, str) for v in seq):
            ctx.err(line, f"refs.{kind} must be a list of strings")
            ok = False
            continue
        for ref in seq:
            if ref not in known[kind]:
                ctx.err(line, f"refs.{kind}: unknown {what[kind]} {ref!r}")
                ok = False
        out[kind] = tuple(seq)
    if ok and not any(out.values()):
        ctx.err(line, "refs is empty: name at least one control, clause or step")
        ok = False
    return out if ok else None


def _parse_header(data: dict, lines: _Lines, ctx: _FileCtx) -> dict | None:
    ok = True
    for key in sorted(set(data) - BANK_KEYS):
        ctx.err(lines.top.get(key, 1), f"unknown field {key!r}")
        ok = False
    for key in ("id", "kind", "title"):
        if key not in data:
            ctx.err(1, f"bank field {key!r} is missing")
            ok = False
    bank_id = data.get("id")
    if "id" in data and (not isinstance(bank_id, str) or not _ID_RE.match(bank_id)):
        ctx.err(lines.top.get("id", 1), "bank id must be lowercase letters, digits, '.', '-' or '_'")
        ok = False
    kind = data.get("kind")
    if "kind" in data and kind not in KINDS:
        ctx.err(lines.top.get("kind", 1), f"kind must be one of {', '.join(KINDS)}")
        ok = False
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        ctx.err(lines.top.get("version", 1), "version must be a whole number >= 1")
        ok = False
    title = _bilingual(data.get("title"), ctx, _key_line(lines.top, 1, "title"), "title", multiline=False) if "title" in data else None
    desc = {}
    if "description" in data:
        desc = _bilingual(data["description"], ctx, _key_line(lines.top, 1, "description"), "description")
        ok = ok and desc is not None
    if not ok or title is None:
        return None
    return {"id": bank_id, "kind": kind, "version": version, "title": title, "description": desc or {}}


def _parse_sections(data: dict, lines: _Lines, ctx: _FileCtx, sections: list[Section]) -> bool:
    raw = data.get("sections", [])
    if not isinstance(raw, list):
        ctx.err(lines.top.get("sections", 1), "sections must be an array of tables ([[sections]])")
        return False
    ok = True
    seen = {s.id for s in sections}
    cat = catalog()
    for i, sec in enumerate(raw):
        line, keys = lines.block("sections", i)
        if not isinstance(sec, dict):
            ctx.err(line, "a section must be a table")
            ok = False
            continue
        for key in sorted(set(sec) - SECTION_KEYS):
            ctx.err(_key_line(keys, line, key), f"unknown section field {key!r}")
            ok = False
        sid = sec.get("id")
        if not isinstance(sid, str) or not _SECTION_ID_RE.match(sid):
            ctx.err(_key_line(keys, line, "id"), "section id is missing or not a simple identifier")
            ok = False
            continue
        if sid in seen:
            ctx.err(_key_line(keys, line, "id"), f"duplicate section id {sid!r}")
            ok = False
            continue
        title = _bilingual(sec.get("title"), ctx, _key_line(keys, line, "title"), "title", multiline=False)
        parent = sec.get("parent")
        if parent is not None and (not isinstance(parent, str) or parent not in seen):
            ctx.err(_key_line(keys, line, "parent"), f"parent {parent!r} is not an earlier section")
            ok = False
            parent = None
        step = sec.get("step")
        if step is not None and (not isinstance(step, str) or step not in cat.steps):
            ctx.err(_key_line(keys, line, "step"), f"unknown process step {step!r}")
            ok = False
            step = None
        seen.add(sid)
        if title is None:
            ok = False
            continue
        sections.append(Section(sid, title, parent, step))
    return ok


def _parse_items(
    data: dict, lines: _Lines, ctx: _FileCtx, header: dict, sections: list[Section], items: list[Item]
) -> bool:
    raw = data.get("items", [])
    if not isinstance(raw, list):
        ctx.err(lines.top.get("items", 1), "items must be an array of tables ([[items]])")
        return False
    ok = True
    section_ids = {s.id for s in sections}
    seen = {i.id for i in items}
    for i, it in enumerate(raw):
        line, keys = lines.block("items", i)
        if not isinstance(it, dict):
            ctx.err(line, "an item must be a table")
            ok = False
            continue
        good = True
        for key in sorted(set(it) - ITEM_KEYS):
            ctx.err(_key_line(keys, line, key), f"unknown item field {key!r}")
            good = False
        for key in sorted(REQUIRED_ITEM_KEYS - set(it)):
            ctx.err(line, f"item field {key!r} is missing")
            good = False
        iid = it.get("id")
        if not isinstance(iid, str) or not _ID_RE.match(iid):
            ctx.err(_key_line(keys, line, "id"), "item id is missing or not lowercase letters, digits, '.', '-' or '_'")
            ok = False
            continue
        if iid in seen:
            ctx.err(_key_line(keys, line, "id"), f"duplicate item id {iid!r}")
            good = False
        seen.add(iid)
        section = it.get("section")
        if "section" in it and section not in section_ids:
            ctx.err(_key_line(keys, line, "section"), f"unknown section {section!r}")
            good = False
        refs = _parse_refs(it.get("refs"), ctx, _key_line(keys, line, "refs")) if "refs" in it else None
        weight = it.get("weight")
        if "weight" in it and (not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 3):
            ctx.err(_key_line(keys, line, "weight"), "weight must be 1, 2 or 3")
            good = False
        flags = {}
        for key in ("mandatory", "na_allowed"):
            if key in it and not isinstance(it[key], bool):
                ctx.err(_key_line(keys, line, key), f"{key} must be true or false")
                good = False
            flags[key] = it.get(key) is True
        if header["kind"] == "clauses_2022" and it.get("na_allowed") is True:
            ctx.err(_key_line(keys, line, "na_allowed"), "clauses 4-10 cannot be excluded: na_allowed must be false")
            good = False
        every = it.get("every_months")
        if every is not None and (not isinstance(every, int) or isinstance(every, bool) or not 1 <= every <= 60):
            ctx.err(_key_line(keys, line, "every_months"), "every_months must be a whole number from 1 to 60")
            good = False
        texts = {}
        for name in TEXT_FIELDS:
            if name in it:
                texts[name] = _bilingual(
                    it[name], ctx, _key_line(keys, line, name), name, multiline=name != "question"
                )
                good = good and texts[name] is not None
        evidence = _bilingual_list(it["evidence"], ctx, _key_line(keys, line, "evidence"), "evidence") if "evidence" in it else None
        if not good or refs is None or evidence is None or any(texts.get(n) is None for n in TEXT_FIELDS):
            ok = False
            continue
        items.append(
            Item(
                id=iid,
                bank_id=header["id"],
                section_id=section,
                controls=refs["controls"],
                controls_2013=refs["controls_2013"],
                clauses=refs["clauses"],
                steps=refs["steps"],
                weight=weight,
                mandatory=flags["mandatory"],
                na_allowed=flags["na_allowed"],
                every_months=every,
                question=texts["question"],
                why=texts["why"],
                auditor_asks=texts["auditor_asks"],
                evidence=evidence,
                action=texts["action"],
                source=f"{ctx.display}:{line}",
            )
        )
    return ok


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_bank(path: str | Path, *, builtin: bool = False) -> tuple[Bank | None, list[Problem]]:
    """Load one bank: a folder with ``bank.toml`` (+ item files) or a single ``.toml`` file."""
    path = Path(path)
    problems: list[Problem] = []
    if path.is_dir():
        head = path / "bank.toml"
        if not head.is_file():
            problems.append(Problem(_display(path), 1, "a bank folder needs a bank.toml"))
            return None, problems
        files = [head] + sorted(p for p in path.glob("*.toml") if p.name != "bank.toml")
    elif path.is_file():
        files = [path]
    else:
        problems.append(Problem(_display(path), 1, "no such file or folder"))
        return None, problems

    header = None
    sections: list[Section] = []
    items: list[Item] = []
    ok = True
    parsed = []
    for f in files:
        ctx = _FileCtx(f, _display(f), problems)
        data, lines = _read_toml(f, ctx)
        if data is None or lines is None:
            ok = False
            continue
        if f is files[0]:
            header = _parse_header(data, lines, ctx)
            if header is None:
                return None, problems
        else:
            for key in sorted(set(data) - {"sections", "items"}):
                ctx.err(lines.top.get(key, 1), f"unknown field {key!r} (an item file holds [[sections]] and [[items]])")
                ok = False
        ok = _parse_sections(data, lines, ctx, sections) and ok
        parsed.append((data, lines, ctx))
    if header is None:
        return None, problems
    for data, lines, ctx in parsed:
        ok = _parse_items(data, lines, ctx, header, sections, items) and ok
    if not items and ok:
        problems.append(Problem(_display(files[0]), 1, "the bank has no items"))
        ok = False
    if not ok or any(p.fatal for p in problems):
        return None, problems
    by_section = {s.id: s for s in sections}
    for it in items:
        by_section[it.section_id].item_ids.append(it.id)
    bank = Bank(
        id=header["id"], kind=header["kind"], version=header["version"], title=header["title"],
        description=header["description"], sections=sections, items=items, path=str(path), builtin=builtin,
    )
    return bank, problems


def _bank_paths(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.iterdir()):
        if p.name.startswith((".", "_")) or p.name == "reference":
            continue
        if p.is_dir() and (p / "bank.toml").is_file():
            out.append(p)
        elif p.is_file() and p.suffix == ".toml":
            out.append(p)
    return out


def load_banks(paths: Iterable[Path], *, builtin: bool = False, existing: Sequence[Bank] = ()) -> BankSet:
    """Load several banks and check ids across them (bank ids and item ids are global)."""
    problems: list[Problem] = []
    banks: dict[str, Bank] = {b.id: b for b in existing}
    item_owner = {i.id: i.source for b in existing for i in b.items}
    for path in paths:
        bank, probs = load_bank(path, builtin=builtin)
        problems.extend(probs)
        if bank is None:
            continue
        clash = False
        if bank.id in banks:
            problems.append(Problem(_display(Path(path)), 1, f"duplicate bank id {bank.id!r} (also {banks[bank.id].path})"))
            continue
        for it in bank.items:
            if it.id in item_owner:
                p, _, ln = it.source.rpartition(":")
                problems.append(Problem(p, int(ln), f"duplicate item id {it.id!r} (also at {item_owner[it.id]})"))
                clash = True
        if clash:
            continue
        banks[bank.id] = bank
        item_owner.update({i.id: i.source for i in bank.items})
    return BankSet(banks, problems)


@cache
def _builtin() -> BankSet:
    return load_banks(_bank_paths(builtin_banks_dir()), builtin=True)


def bank_files_signature(custom_dir: Path | None = None) -> str:
    """A cheap fingerprint (names, sizes, mtimes) of every bank file, built-in and custom."""
    import hashlib

    h = hashlib.sha256()
    for root in (builtin_banks_dir(), custom_dir):
        if root is None or not root.is_dir():
            continue
        for p in sorted(root.rglob("*.toml")):
            try:
                st = p.stat()
            except OSError:
                continue
            h.update(f"{p.relative_to(root)}:{st.st_size}:{st.st_mtime_ns};".encode())
    return h.hexdigest()[:16]


def builtin_banks() -> BankSet:
    return _builtin()


def all_banks(custom_dir: Path | None = None) -> BankSet:
    """Built-in banks plus the user's custom banks (``DATA_DIR/banks``)."""
    base = _builtin()
    if custom_dir is None or not custom_dir.is_dir():
        return base
    extra = load_banks(_bank_paths(custom_dir), existing=list(base.banks.values()))
    return BankSet(extra.banks, base.problems + extra.problems)


def check_paths(paths: Iterable[str | Path]) -> list[Problem]:
    """What ``isms-tui banks check`` reports: the given banks checked against each other
    and against the built-in banks (a custom bank must not reuse a shipped id)."""
    resolved = [Path(p).resolve() for p in paths]
    builtin_root = builtin_banks_dir().resolve()
    others = [b for b in _builtin().banks.values() if Path(b.path).resolve() not in resolved]
    if builtin_root in resolved:  # checking the whole built-in folder: nothing else to compare with
        others = []
    expanded: list[Path] = []
    for r in resolved:
        if r.is_dir() and not (r / "bank.toml").is_file() and _bank_paths(r):
            expanded.extend(_bank_paths(r))
        else:
            expanded.append(r)
    return load_banks(expanded, existing=others).problems
