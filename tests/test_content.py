"""Quality gate for the shipped question banks (the product's value).

Coverage of every control, clause and step; both languages; no duplicated text; no
placeholder words; minimum substance; the reference catalog is complete."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from isms_tui.banks import TEXT_FIELDS, builtin_banks
from isms_tui.catalog import catalog

BANKS = builtin_banks()
ALL_ITEMS = [i for b in BANKS.banks.values() for i in b.items]
PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX|lorem ipsum|placeholder)\b|\.\.\.$|^…$", re.I)
MIN = {"question": (25, 40), "why": (40, 80), "auditor_asks": (40, 80), "action": (40, 80)}
CLAUSES = ["4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1.1", "6.1.2", "6.1.3", "6.2", "6.3", "7.1", "7.2",
           "7.3", "7.4", "7.5.1", "7.5.2", "7.5.3", "8.1", "8.2", "8.3", "9.1", "9.2.1", "9.2.2", "9.3.1", "9.3.2",
           "9.3.3", "10.1", "10.2"]
NEW_2022 = {"5.7", "5.23", "5.30", "7.4", "8.9", "8.10", "8.11", "8.12", "8.16", "8.23", "8.28"}
MANDATORY_CLAUSES = {"4.3", "5.2", "6.1.2", "6.1.3", "6.2", "7.2", "7.5.1", "8.1", "8.2", "8.3", "9.1", "9.2.2", "9.3.3", "10.2"}


def test_builtin_banks_load_cleanly():
    assert [str(p) for p in BANKS.problems] == []
    assert set(BANKS.banks) == {"annex-a-2022", "annex-a-2013", "clauses-2022", "process-acquisition",
                                "process-certification-audit", "process-maintenance"}


def test_catalog_is_complete():
    cat = catalog()
    assert len(cat.controls_2022) == 93
    assert Counter(c.group for c in cat.controls_2022.values()) == {
        "organizational": 37, "people": 8, "physical": 14, "technological": 34}
    assert {c.id for c in cat.controls_2022.values() if c.new_in_2022} == NEW_2022
    assert len(cat.controls_2013) == 114 and len(cat.objectives_2013) == 35 and len(cat.domains_2013) == 14
    for table in (cat.controls_2022, cat.controls_2013, cat.objectives_2013, cat.clauses):
        for e in table.values():
            assert e.title["ja"] and e.title["en"], e.id
    assert [c for c in cat.clauses if c.count(".") >= 1 and c not in ("6.1", "7.5", "9.2", "9.3")] == CLAUSES
    assert sum(len(p.steps) for p in cat.phases) == 27


def test_mapping_covers_both_editions():
    cat = catalog()
    assert set(cat.mapping) == set(cat.controls_2022)
    mapped_2013 = {old for olds in cat.mapping.values() for old in olds}
    assert mapped_2013 == set(cat.controls_2013)
    assert {k for k, v in cat.mapping.items() if not v} == NEW_2022


def test_every_2022_control_has_an_item_in_theme_order():
    bank = BANKS.banks["annex-a-2022"]
    covered = Counter(c for i in bank.items for c in i.controls)
    assert set(covered) == set(catalog().controls_2022)
    # sections per theme, items in control order within a theme
    assert [s.id for s in bank.sections] == ["organizational", "people", "physical", "technological"]
    order = [catalog().controls_2022[i.controls[0]].order for i in bank.items]
    assert order == sorted(order)
    for item in bank.items:
        assert catalog().controls_2022[item.controls[0]].group == item.section_id
    # separate parts an auditor checks separately have more than one item
    for cid in ("5.15", "5.16", "5.17", "5.18", "5.19", "5.20", "5.24", "8.13", "8.15"):
        assert covered[cid] >= 2, cid
    assert {c for i in bank.items if i.new_in_2022 for c in i.controls} == NEW_2022


def test_every_2013_control_has_an_item_under_its_objective():
    bank = BANKS.banks["annex-a-2013"]
    cat = catalog()
    assert {c for i in bank.items for c in i.controls_2013} == set(cat.controls_2013)
    domains = [s for s in bank.sections if s.parent is None]
    assert [s.id for s in domains] == sorted(cat.domains_2013, key=lambda d: int(d.split(".")[1]))
    objectives = [s for s in bank.sections if s.parent]
    assert {s.id for s in objectives} == set(cat.objectives_2013)
    for item in bank.items:
        assert cat.controls_2013[item.controls_2013[0]].group == item.section_id


def test_every_clause_has_an_item_and_the_rules_hold():
    bank = BANKS.banks["clauses-2022"]
    covered = {c for i in bank.items for c in i.clauses}
    assert set(CLAUSES) <= covered
    assert all(not i.na_allowed for i in bank.items)
    mandatory = {c for i in bank.items if i.mandatory for c in i.clauses}
    assert MANDATORY_CLAUSES <= mandatory
    assert all(i.weight == 3 for i in bank.items if i.mandatory)
    # Amd 1:2024: climate change in 4.1 and 4.2
    for clause in ("4.1", "4.2"):
        assert any(("気候" in i.question["ja"] and "climate" in i.question["en"].lower())
                   for i in bank.items if clause in i.clauses), clause


def test_process_steps_have_two_to_six_items_linked_to_clauses():
    cat = catalog()
    for phase, bank_id in (("acquisition", "process-acquisition"), ("certification_audit", "process-certification-audit"),
                           ("maintenance_renewal", "process-maintenance")):
        bank = BANKS.banks[bank_id]
        steps = next(p for p in cat.phases if p.id == phase).steps
        assert [s.step for s in bank.sections if s.step] == [s.id for s in steps]
        for step in steps:
            items = [i for i in bank.items if step.id in i.steps]
            assert 2 <= len(items) <= 6, (step.id, len(items))
            if step.id not in ("aud.choose_cb", "aud.pre_assessment", "aud.apply", "aud.decision", "aud.certification"):
                assert any(i.clauses for i in items), step.id
    findings = [i for i in BANKS.banks["process-certification-audit"].items if i.section_id == "aud.common_findings"]
    assert len(findings) >= 5


def test_yearly_maintenance_steps_ask_for_the_date_last_done():
    bank = BANKS.banks["process-maintenance"]
    for step in ("mnt.training", "mnt.internal_audit", "mnt.management_review", "mnt.laws", "mnt.assets", "mnt.risk"):
        assert any(i.every_months == 12 for i in bank.items if step in i.steps), step


def test_stage1_blockers_are_marked_in_the_audit_bank():
    bank = BANKS.banks["process-certification-audit"]
    stage1 = [i for i in bank.items if "aud.stage1" in i.steps and i.mandatory]
    clauses = {c for i in stage1 for c in i.clauses}
    assert {"9.2.2", "9.3.3"} <= clauses


@pytest.mark.parametrize("field", [*TEXT_FIELDS, "evidence"])
def test_no_two_items_share_text(field):
    for lang in ("ja", "en"):
        seen: dict[str, str] = {}
        for item in ALL_ITEMS:
            value = getattr(item, field)[lang]
            key = "\n".join(value) if isinstance(value, tuple) else value
            assert key not in seen, f"{item.id} and {seen.get(key)} share {field}.{lang}"
            seen[key] = item.id


def test_text_quality():
    problems = []
    for item in ALL_ITEMS:
        for field, (ja_min, en_min) in MIN.items():
            text = getattr(item, field)
            if len(text["ja"]) < ja_min:
                problems.append(f"{item.id} {field}.ja too short")
            if len(text["en"]) < en_min:
                problems.append(f"{item.id} {field}.en too short")
        ev = item.evidence
        if not (2 <= len(ev["ja"]) <= 5) or len(ev["ja"]) != len(ev["en"]):
            problems.append(f"{item.id} evidence count")
        for field in (*TEXT_FIELDS, "evidence"):
            for lang in ("ja", "en"):
                value = getattr(item, field)[lang]
                for v in (value if isinstance(value, tuple) else (value,)):
                    if PLACEHOLDER.search(v):
                        problems.append(f"{item.id} {field}.{lang} placeholder: {v[:40]}")
        if not re.search(r"[ぁ-んァ-ン一-龥]", item.question["ja"]):
            problems.append(f"{item.id} question.ja is not Japanese")
        if re.search(r"[ぁ-んァ-ン]", item.question["en"]):
            problems.append(f"{item.id} question.en contains kana")
        if not re.search(r"(か[。??]|か$|ください。)", item.question["ja"].rstrip()):
            problems.append(f"{item.id} question.ja does not read as a question")
        if "?" not in item.question["en"]:
            problems.append(f"{item.id} question.en is not a question")
        if item.every_months and not re.search(r"(いつ|最後|最終|直近|過去1年|1年以内|12か月|年1回|年に1回|last|past year|most recent|when|once a year)", item.question["ja"] + item.question["en"], re.I):
            problems.append(f"{item.id} recurring item does not ask when it was last done")
    assert problems == []


def test_annex_items_are_never_mandatory_and_allow_na():
    for bank_id in ("annex-a-2022", "annex-a-2013"):
        for item in BANKS.banks[bank_id].items:
            assert not item.mandatory and item.na_allowed, item.id


def test_item_ids_follow_the_bank_prefix():
    prefix = {"annex-a-2022": "a22-", "annex-a-2013": "a13-", "clauses-2022": "cl-", "process-acquisition": "acq-",
              "process-certification-audit": "aud-", "process-maintenance": "mnt-"}
    for bank_id, p in prefix.items():
        assert all(i.id.startswith(p) for i in BANKS.banks[bank_id].items), bank_id


# --- answers that fit the question -----------------------------------------------------------

# Items that apply only in some situations: "not applicable" is accepted, with the condition
# shown to the user. The set may grow; it must never shrink silently.
CONDITIONAL = {
    "acq-internal_audit-3",      # the first internal audit found no nonconformities
    "aud-pre_assessment-2",      # no pre-assessment, or it raised nothing
    "aud-stage1-4",              # the stage 1 report raised nothing to address
    "aud-corrective_action-1",   # stage 2 raised no findings at all
    "aud-corrective_action-2",   # stage 2 raised no nonconformities
    "aud-corrective_action-3",
    "aud-corrective_action-4",
    "mnt-objectives-3",          # every objective was met
    "mnt-management_review-3",   # not a recertification year
}


def test_conditional_items_say_when_they_do_not_apply():
    with_condition = {i.id for i in ALL_ITEMS if i.na_condition}
    assert with_condition == CONDITIONAL
    for item in ALL_ITEMS:
        if item.na_condition:
            ja, en = item.na_condition["ja"], item.na_condition["en"]
            assert item.na_allowed, item.id
            assert ja.endswith("該当しません。") and en.startswith("Does not apply") and en.endswith("."), item.id
            assert "\n" not in ja + en and not re.search(r"[ぁ-んァ-ン]", en), item.id


def test_process_items_allow_na_only_with_a_condition():
    for bank in BANKS.banks.values():
        if bank.kind in ("process", "clauses_2022"):
            for item in bank.items:
                assert item.na_allowed == bool(item.na_condition), item.id


def test_step_title_reads_kitei_sakusei():
    cat = catalog()
    assert cat.steps["acq.documents"].title["ja"] == "規程作成"
    titles = [s.title["ja"] for b in BANKS.banks.values() for s in b.sections] + [
        e.title["ja"] for e in cat.steps.values()]
    assert "規程作成" in titles and not [t for t in titles if "規定作成" in t]


def test_reviewed_items_accept_what_auditors_accept():
    items = BANKS.items
    # a device-management tool is one way to comply, not the only one
    for iid in ("a22-8.1-1", "a13-a.6.2.1-2"):
        q = items[iid].question
        assert "MDM" in q["ja"] and "台帳" in q["ja"] and "register" in q["en"], iid
    # objectives: measurable and reachable, never "zero incidents" as the example to follow
    for item in ALL_ITEMS:
        if "6.2" in item.clauses:
            text = item.question["ja"] + item.question["en"]
            assert not re.search(r"ゼロ|0件|no serious incidents|no misdirected", text), item.id
    # a three-year internal audit programme is common practice, not a requirement
    assert not re.search(r"3年間|three-year", items["mnt-internal_audit-2"].question["ja"] + items["mnt-internal_audit-2"].question["en"])
    # quiz results never block stage 1; the stage 1 record of competence is 7.2
    for item in ALL_ITEMS:
        if item.mandatory:
            assert not re.search(r"理解度テスト|quiz", item.question["ja"] + item.question["en"], re.I), item.id
    assert not items["acq-training-1"].mandatory and "7.2" not in items["acq-training-1"].clauses
    assert any(i.mandatory and "7.2" in i.clauses for i in BANKS.banks["process-acquisition"].items)
    # 7.5.1 asks what documented information is needed and where it is, not for a register of everything
    q = items["cl-7.5.1-1"].question
    assert "一覧" not in q["ja"] and "list" not in q["en"]
    # the pre-assessment decision applies to everyone; closing its points applies only after one
    assert not items["aud-pre_assessment-1"].na_allowed and items["aud-pre_assessment-2"].na_allowed


def test_the_source_guides_advice_is_asked():
    items = BANKS.items
    kickoff = items["acq-start-1"]
    assert "キックオフ" in kickoff.question["ja"] and "kick-off" in kickoff.question["en"] and "5.1" in kickoff.clauses
    own = items["acq-start-2"]
    assert "すべてお任せ" in own.question["ja"] and "do everything" in own.question["en"]
    speak = items["aud-stage2-5"]
    assert "発言" in speak.question["ja"] and "speaks only when the auditor" in speak.question["en"]
    acq = BANKS.banks["process-acquisition"]
    assert acq.sections[0].id == "acq.start" and acq.sections[0].step is None
    assert acq.section("acq.start").item_ids == ["acq-start-1", "acq-start-2"]


# --- Statement of Applicability: exclusions an auditor challenges ----------------------------

MUST_CHALLENGE = {"5.1", "5.15", "5.24", "5.33", "6.3", "7.3", "8.7", "8.13"}


def test_challenged_exclusions_are_known_controls_with_reasons():
    from isms_tui.soa import CHALLENGED_EXCLUSIONS, exclusion_challenge

    cat = catalog()
    assert MUST_CHALLENGE <= set(CHALLENGED_EXCLUSIONS)
    for cid, reason in CHALLENGED_EXCLUSIONS.items():
        assert cid in cat.controls_2022, cid
        assert set(reason) == {"ja", "en"} and reason["ja"].strip() and reason["en"].strip(), cid
        assert "\n" not in reason["ja"] + reason["en"] and not re.search(r"[ぁ-んァ-ン]", reason["en"]), cid
    assert len({r["en"] for r in CHALLENGED_EXCLUSIONS.values()}) == len(CHALLENGED_EXCLUSIONS)
    assert exclusion_challenge("8.7", "ja") == CHALLENGED_EXCLUSIONS["8.7"]["ja"]
    assert exclusion_challenge("8.30", "en") is None


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_excludes_only_what_an_auditor_accepts(workspace, lang):
    from isms_tui.demo import demo_data
    from isms_tui.soa import CHALLENGED_EXCLUSIONS, challenged_controls

    assessment, answers, _ = demo_data(workspace, lang)
    items = {i.id: i for b in workspace.banks_for(assessment) for i in b.items}
    na = {a.item_id: a for a in answers if a.status == "not_applicable"}
    for iid, a in na.items():
        item = items[iid]
        assert item.na_allowed and a.na_justification.strip(), iid
        assert challenged_controls(item) == (), iid
        assert not set(item.controls) & set(CHALLENGED_EXCLUSIONS), iid
        if item.bank_id.startswith("process-"):
            assert item.na_condition, iid  # a process item is "not applicable" only under its condition
    # deterministic, plausible exclusions, each with its own reason
    assert {i for i in na if items[i].controls} == {"a22-8.30-1", "a22-7.6-1"}
    reasons = [na[i].na_justification for i in ("a22-8.30-1", "a22-7.6-1")]
    assert len(set(reasons)) == 2
    assert [a.item_id for a in demo_data(workspace, lang)[1] if a.status == "not_applicable"] == list(na)
