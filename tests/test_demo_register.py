"""The demo company's risk register, reviewed as an auditor would: complete, consistent with the
answers and the SoA, nothing copied, every accepted risk with a reason and an approver."""

from __future__ import annotations

import re

import pytest

from isms_tui.demo import DEMO, EXCLUSIONS, create_demo, demo_data, demo_register
from isms_tui.risk import risk_action_id
from isms_tui.service import Workspace

KANA = re.compile(r"[ぁ-んァ-ン]")


@pytest.fixture(scope="module")
def views(tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("demo"))
    return {lang: ws.view(create_demo(ws, lang)) for lang in ("ja", "en")}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_register_is_complete_and_passes_the_register_gate(views, lang):
    view = views[lang]
    reg = view.risk_register
    assert 14 <= len(reg.assets) <= 18 and 22 <= len(reg.rows) <= 28
    assert reg.criteria.approved and reg.criteria.approved_by in DEMO[lang]["owners"]
    assert [i.message("en") for row in reg.rows for i in row.rating.issues] == []
    assert reg.uncovered_assets == [] and reg.open_approvals == [] and view.soa_conflicts == []
    by = {r.ref.id: r for r in view.gate.requirements}
    assert all(by[c].state == "met" and by[c].basis == "register" for c in ("6.1.2", "6.1.3", "8.2", "8.3"))
    # a register worth reviewing: several bands before treatment, every treatment kind used
    assert reg.band_counts()["unacceptable"] >= 10 and reg.band_counts()["acceptable"] >= 5
    assert {row.risk.treatment for row in reg.rows} == {"reduce", "accept", "avoid", "share"}
    assert any(row.rating.needs_acceptance for row in reg.rows)  # a residual accepted under control


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_demo_register_has_no_copied_risks_and_every_acceptance_is_justified(views, lang):
    reg = views[lang].risk_register
    pairs = [(tuple(r.risk.asset_ids), r.risk.threat_id) for r in reg.rows]
    assert len(set(pairs)) == len(pairs)
    for field in ("vulnerability", "plan"):
        texts = [getattr(r.risk, field) for r in reg.rows if getattr(r.risk, field)]
        assert len(set(texts)) == len(texts), field
    accepted = [r for r in reg.rows if r.risk.treatment == "accept" or r.rating.needs_acceptance]
    reasons = [r.risk.accepted.reason for r in accepted if r.risk.accepted]
    assert len(reasons) == len(accepted) == len(set(reasons))
    for r in accepted:
        assert r.risk.accepted.by in DEMO[lang]["owners"] and r.risk.accepted.until > views[lang].today.isoformat()
    for r in reg.rows:
        assert r.risk.owner in DEMO[lang]["owners"] and r.risk.vulnerability
        assert r.risk.treatment == "accept" or r.risk.due
        text = r.risk.vulnerability + r.risk.plan + (r.risk.accepted.reason if r.risk.accepted else "")
        assert bool(KANA.search(text)) == (lang == "ja"), r.risk.label
    for a in reg.assets:
        assert a.owner in DEMO[lang]["owners"] and a.last_reviewed and a.department
        if lang == "en":
            assert not KANA.search(a.name + a.location + a.users + a.department), a.label
        else:
            assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", a.name), a.label


def test_demo_register_matches_the_soa_and_the_plan(views):
    view = views["ja"]
    reg = view.risk_register
    used = {c for r in reg.rows for c in r.risk.existing_controls + r.risk.planned_controls}
    assert not used & EXCLUSIONS  # never uses a control the company excludes
    soa = {row.ref.id: row for row in view.soa}
    for row in reg.rows:
        for c in row.risk.planned_controls:
            assert soa[c].applicable and row.risk in soa[c].risks and "risk_treatment" in soa[c].reasons
    actions = {a.id: a for a in view.plan}
    for row in reg.rows:
        if row.risk.treatment in ("reduce", "share", "avoid"):
            act = actions[risk_action_id(row.risk.id)]
            assert act.owner == row.risk.owner and act.due is not None
    assert sum(1 for a in view.plan if a.source.kind == "risk" and a.action_status != "todo") == 3


def test_demo_register_is_the_same_in_both_languages(views):
    ja, en = (views[lang].risk_register for lang in ("ja", "en"))
    shape = [[(r.risk.threat_id, r.rating.level, r.rating.retained_level, r.risk.treatment,
               tuple(r.risk.planned_controls)) for r in reg.rows] for reg in (ja, en)]
    assert shape[0] == shape[1]


def test_demo_register_rebuilds_from_the_demo_answers(tmp_path):
    ws = Workspace(tmp_path)
    assessment, answers, _ = demo_data(ws, "en")
    data, edits = demo_register(ws, assessment, answers, "en")
    assert data.exists and len(edits) == 3 and all(e.action_id.startswith("risk:") for e in edits)
