"""Every user-visible UI string comes from the ja/en catalog: a key used in the code that is
missing, or an entry without both languages, fails here."""

from __future__ import annotations

import ast
import re
import string

from isms_tui.i18n import messages
from isms_tui.model import ACTION_STATUSES, KINDS, STATUSES
from isms_tui.risk import BANDS, CATEGORIES, CIA, METHODS, TREATMENTS
from isms_tui.scoring import GATE_STATES
from tests.conftest import ROOT

SRC = ROOT / "isms_tui"
KEY_CALL = re.compile(r"""\b(?:tr|t)\(\s*f?["']([a-z0-9_.{}\[\]' ]+)["']""")


from isms_tui.annual_plan import ACTIVITIES, AUDITS, FLAG_KINDS  # noqa: E402
from isms_tui.annual_plan import STATES as CALENDAR_STATES  # noqa: E402
from isms_tui.changes import CHANGE_ANSWERS, CHANGE_TOPICS  # noqa: E402
from isms_tui.documents import DOC_KINDS, DOCUMENT_STATES, PROBLEMS  # noqa: E402
from isms_tui.documents import FILTERS as DOC_FILTERS  # noqa: E402
from isms_tui.exports.preaudit_sheet import PACK_COLS, SAMPLING_COLS  # noqa: E402
from isms_tui.findings import CHECK_RESULTS, GRADES, SOURCES  # noqa: E402
from isms_tui.findings import FIELDS as FINDING_FIELDS  # noqa: E402
from isms_tui.findings import STATES as FINDING_STATES  # noqa: E402
from isms_tui.internal_audit import RESULTS as AUDIT_RESULTS  # noqa: E402
from isms_tui.preaudit import GROUPS as PRE_GROUPS  # noqa: E402
from isms_tui.preaudit import MONTHS, ROW_STATES, SAMPLING_PRIORITY, SAMPLING_STATES  # noqa: E402
from isms_tui.screens.audit import AUDIT_FIELDS  # noqa: E402
from isms_tui.soa_decisions import SOA_REASONS  # noqa: E402
from isms_tui.workshop import PARKED_STATES  # noqa: E402


def _expand(key: str) -> list[str]:
    """Turn an f-string key into the concrete keys it can produce."""
    subs = {
        "status": [*STATUSES, "unanswered"], "kind": list(KINDS), "action_status": list(ACTION_STATUSES),
        "priority": ["1", "2", "3"], "filter": ["all", "unanswered", "gaps", "mandatory", "new2022", "reconfirm"],
        "plan.filter": ["open", "all", "late", "p1", "mine_empty"], "plan.sort": ["priority", "due", "owner", "status", "refs"],
        "gate.state": list(GATE_STATES), "status.short": [*STATUSES, "clear"],
        "risk.action": ["reduce", "share", "avoid"], "risk.band": list(BANDS), "risk.band_short": list(BANDS), "risk.treatment": list(TREATMENTS),
        "asset.category": list(CATEGORIES), "risk.method": list(METHODS), "xlsx.reason": ["risk_treatment", *SOA_REASONS],
        "soa.edit.applicable": ["auto", "yes", "no"],
        "asset.col": ["id", "category", "name", "owner", "cia", "risks"], "asset.f": list(CIA),
        "risk.col": ["id", "level", "treatment", "threat", "owner", "state"],
        "soa.col": ["control", "title", "applicable", "status", "risks"],
        "soa.filter": ["all", "excluded", "untraced", "conflicts"],
        "doc.issue": list(PROBLEMS), "doc.action": list(PROBLEMS), "doc.state": list(DOCUMENT_STATES),
        "doc.kind": list(DOC_KINDS), "doc.filter": list(DOC_FILTERS), "doc.f": ["location", "version"],
        "doc.col": ["state", "ref", "name", "owner", "approved", "review"],
        "ws.parked": list(PARKED_STATES), "ws.parked.col": ["state", "ref", "note", "owner", "due"],
        "finding.state": list(FINDING_STATES), "finding.grade": list(GRADES), "finding.source": list(SOURCES),
        "finding.check": list(CHECK_RESULTS), "findings.filter": ["open", "all", "major"],
        "findings.col": ["state", "grade", "ref", "description", "owner", "due"],
        "findings.f": [*FINDING_FIELDS, "no_check", "ref_hint"],
        "findings.d": ["correction", "root_cause", "action"],
        "change.topic": list(CHANGE_TOPICS), "change.answer": [*CHANGE_ANSWERS, "none"],
        "audit.result": [*AUDIT_RESULTS, "none"], "audit.result.short": [*AUDIT_RESULTS, "none"],
        "audit.finding": ["created", "updated", "removed"],
        "audit.indep": ["auditee", "action", "soa", "document", "risk"], "audit.f": list(AUDIT_FIELDS),
        "audit.col": ["no", "date", "state", "title", "scope", "lines", "warn"],
        "audit.cl": ["n", "result", "ref", "asks", "finding"],
        "calendar.activity": list(ACTIVITIES), "calendar.audit": list(AUDITS), "calendar.state": list(CALENDAR_STATES),
        "calendar.flag": list(FLAG_KINDS), "calendar.f": ["number", "body", "issued", "expires", "name", "every", "lead",
                                                         "last_done", "owner"],
        "calendar.col": ["state", "activity", "due", "last_done", "every", "owner"],
        "xlsx.ph": [n for n, _ in PACK_COLS], "xlsx.ps": [n for n, _ in SAMPLING_COLS],
        "pre.col": ["state", "ref", "title", "docs", "gaps", "record", "months", "oldest", "location"],
        "pre.group": list(PRE_GROUPS), "pre.state": list(ROW_STATES), "pre.months": list(MONTHS),
        "pre.sampling.state": list(SAMPLING_STATES), "pre.sampling.action": list(SAMPLING_PRIORITY),
        **{f"risk.scale.{s}": ["1", "2", "3"] for s in ("cia", "threat", "vulnerability", "likelihood")},
        **{f"risk.scale.{s}": ["1", "2", "3", "4", "5"] for s in ("impact5", "likelihood5")},
        "risk.scale": [f"{s}.{n}" for s in ("cia", "threat", "vulnerability", "likelihood") for n in (1, 2, 3)]
        + [f"{s}.{n}" for s in ("impact5", "likelihood5") for n in range(1, 6)],
    }
    if key.endswith("."):  # "status." + value
        key = key + "{x}"
    if "{" not in key:
        return [key]
    prefix = key.split("{")[0].rstrip(".")
    if prefix in ("binding", "xlsx.h", "home.col", "plan.col"):
        return []  # checked by the dedicated tests below
    assert prefix in subs, f"unknown dynamic key {key}"
    return [f"{prefix}.{v}" for v in subs[prefix]]


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in SRC.rglob("*.py"):
        for m in KEY_CALL.finditer(path.read_text(encoding="utf-8")):
            raw = m.group(1)
            if "." not in raw or ".." in raw:
                continue
            keys.update(_expand(raw))
    return keys


def test_every_used_key_exists():
    catalog = messages()
    missing = sorted(k for k in used_keys() if k not in catalog)
    assert missing == []
    assert len(used_keys()) > 100


def test_every_entry_has_both_languages_and_same_placeholders():
    fmt = string.Formatter()
    for key, entry in messages().items():
        assert set(entry) == {"ja", "en"}, key
        assert entry["ja"].strip() and entry["en"].strip(), key
        ph = [{f for _, f, _, _ in fmt.parse(entry[lang]) if f} for lang in ("ja", "en")]
        assert ph[0] == ph[1], key


def test_every_binding_has_an_id_and_a_translated_description():
    catalog = messages()
    for path in list((SRC / "screens").glob("*.py")) + [SRC / "app.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Binding":
                ids = [kw.value.value for kw in node.keywords if kw.arg == "id"]
                assert ids, f"{path.name}:{node.lineno} Binding without id"
                assert f"binding.{ids[0]}" in catalog, ids[0]


def test_table_and_sheet_headers_exist():
    catalog = messages()
    for h in ("refs", "title", "question", "status", "note", "evidence", "action", "weight", "mandatory", "new2022",
              "priority", "id", "owner", "due", "action_status", "progress", "control", "applicable", "justification",
              "impl_status", "evidence_ref", "ids2013", "bank", "section", "last_done", "na_justification",
              "answered_by", "updated", "phase", "step", "start", "end", "clauses_note"):
        assert f"xlsx.h.{h}" in catalog, h
    for h in ("org", "kind", "edition", "updated", "readiness", "coverage"):
        assert f"home.col.{h}" in catalog
    for h in ("priority", "refs", "action", "owner", "due", "status", "progress"):
        assert f"plan.col.{h}" in catalog


def test_no_hard_coded_japanese_outside_catalog_and_demo():
    """Japanese UI text in code would bypass the catalog (the demo's sample data and the
    language names in the language picker are data, not UI)."""
    allowed = {"demo.py", "messages.json"}
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name in allowed:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            if re.search(r"[ぁ-んァ-ン]", code) and "日本語" not in code:
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []


def test_default_lang_follows_locale(monkeypatch):
    from isms_tui.i18n import default_lang

    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert default_lang() == "ja"
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert default_lang() == "en"
    monkeypatch.setenv("LC_ALL", "ja_JP.UTF-8")
    assert default_lang() == "ja"



def test_every_error_and_issue_key_exists():
    """Errors and register issues carry a catalog key instead of calling t() directly."""
    catalog = messages()
    pattern = re.compile(r"""\b(?:ValidationError|UserError|ExportError|_issue)\(\s*["']([a-z0-9_.]+)["']""")
    keys = {m.group(1) for path in SRC.rglob("*.py") for m in pattern.finditer(path.read_text(encoding="utf-8"))}
    assert len(keys) > 30
    assert sorted(k for k in keys if k not in catalog) == []
