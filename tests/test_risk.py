"""The risk model (isms_tui/risk.py): level computations, acceptance rules, validation and the
shipped threat catalog and starter lists. Pure core, no Textual, no storage."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isms_tui.model import ValidationError
from isms_tui.risk import (
    BANDS,
    CATEGORIES,
    DEFAULT_TABLE,
    Asset,
    Register,
    Risk,
    RiskCriteria,
    RiskData,
    build_acceptance,
    build_asset,
    build_risk,
    check_criteria,
    default_criteria,
    edit_criteria,
    normalize_control,
    parse_controls,
    rate,
    starter_assets,
    suggest_vulnerability,
    threats,
)

TODAY = date(2027, 1, 15)
lvl3 = st.integers(1, 3)
lvl5 = st.integers(1, 5)
STATUS = st.sampled_from(["implemented", "partial", "not_implemented", "unknown", "not_applicable", None])


def _asset(c=1, i=1, a=1, **kw) -> Asset:
    return Asset(name=kw.pop("name", "Customer list"), category="information", owner="Sato",
                 confidentiality=c, integrity=i, availability=a, **kw)


def _risk(asset: Asset, **kw) -> Risk:
    return Risk(asset_ids=[asset.id], owner=kw.pop("owner", "Sato"), threat_id=kw.pop("threat_id", "T01"), **kw)


def _none(_c):
    return None


# -- level computations -------------------------------------------------------------------
@given(c=lvl3, i=lvl3, a=lvl3, threat=lvl3, vuln=lvl3)
def test_ipa_level_is_importance_times_the_table(c, i, a, threat, vuln):
    crit = default_criteria()
    asset = _asset(c, i, a)
    r = rate(_risk(asset, threat_level=threat, vulnerability_level=vuln), crit, {asset.id: asset}, _none, TODAY)
    assert r.importance == max(c, i, a)
    assert r.likelihood == DEFAULT_TABLE[threat - 1][vuln - 1]
    assert r.level == max(c, i, a) * r.likelihood
    assert 1 <= r.level <= 9 and r.level in crit.levels
    assert r.band == crit.band(r.level)


@given(c=lvl3, i=lvl3, a=lvl3, threat=lvl3, vuln=lvl3, bump=st.sampled_from(["c", "threat", "vuln"]))
def test_ipa_level_never_falls_when_an_input_rises(c, i, a, threat, vuln, bump):
    crit = default_criteria()

    def level(c, threat, vuln):
        asset = _asset(c, i, a)
        return rate(_risk(asset, threat_level=threat, vulnerability_level=vuln), crit, {asset.id: asset}, _none, TODAY).level

    before = level(c, threat, vuln)
    after = level(min(3, c + (bump == "c")), min(3, threat + (bump == "threat")), min(3, vuln + (bump == "vuln")))
    assert after >= before


@given(impact=lvl5, likelihood=lvl5)
def test_5x5_level_is_impact_times_likelihood(impact, likelihood):
    crit = default_criteria("5x5")
    asset = _asset(3, 3, 3)
    r = rate(_risk(asset, impact=impact, likelihood=likelihood), crit, {asset.id: asset}, _none, TODAY)
    assert r.level == impact * likelihood and 1 <= r.level <= 25 and r.level in crit.levels


@given(method=st.sampled_from(["ipa3", "5x5"]), data=st.data())
def test_bands_are_ordered_for_any_valid_cutoffs(method, data):
    top = 9 if method == "ipa3" else 25
    acc = data.draw(st.integers(1, top - 1))
    tol = data.draw(st.integers(acc, top))
    crit = check_criteria(RiskCriteria(method=method, acceptable_max=acc, tolerable_max=tol))
    ranks = [BANDS.index(crit.band(level)) for level in range(1, top + 1)]
    assert ranks == sorted(ranks)
    assert crit.band(1) == "acceptable" and crit.band(acc) == "acceptable"
    assert crit.band(top) == ("tolerable" if tol == top else "unacceptable")


@given(acc=st.integers(-3, 30), tol=st.integers(-3, 30))
def test_cutoffs_outside_the_scale_or_reversed_are_refused(acc, tol):
    ok = 1 <= acc <= 8 and acc <= tol <= 9
    if ok:
        check_criteria(RiskCriteria(acceptable_max=acc, tolerable_max=tol))
    else:
        with pytest.raises(ValidationError) as exc:
            check_criteria(RiskCriteria(acceptable_max=acc, tolerable_max=tol))
        assert exc.value.key in ("error.risk.out_of_scale", "error.risk.cutoffs_order")


def test_conversion_table_must_not_fall_when_threat_or_vulnerability_rises():
    with pytest.raises(ValidationError) as exc:
        check_criteria(RiskCriteria(table=[[1, 1, 2], [1, 2, 3], [2, 1, 3]]))
    assert exc.value.key == "error.risk.table_order"
    with pytest.raises(ValidationError) as exc:
        check_criteria(RiskCriteria(table=[[1, 1], [1, 2]]))
    assert exc.value.key == "error.risk.table_shape"


def test_changing_the_method_resets_the_cutoffs_to_that_methods_defaults():
    c = edit_criteria(default_criteria(), {"method": "5x5"})
    assert (c.method, c.acceptable_max, c.tolerable_max, c.max_level) == ("5x5", 4, 12, 25)
    assert edit_criteria(default_criteria(), {"acceptable_max": "3"}).acceptable_max == 3
    with pytest.raises(ValidationError):
        edit_criteria(default_criteria(), {"approved_by": "me"})  # approval is not an edit


# -- the vulnerability suggestion ---------------------------------------------------------
def test_vulnerability_suggestion_from_control_statuses():
    assert suggest_vulnerability(["implemented"]) == 1
    assert suggest_vulnerability(["partial"]) == 2
    assert suggest_vulnerability(["not_implemented"]) == 3
    assert suggest_vulnerability(["unknown"]) == 3
    assert suggest_vulnerability([None]) == 3
    assert suggest_vulnerability([]) == 3
    assert suggest_vulnerability(["implemented", "not_implemented"]) == 2
    assert suggest_vulnerability(["implemented", "implemented"]) == 1


@given(statuses=st.lists(STATUS, max_size=6))
def test_vulnerability_suggestion_is_on_the_scale_and_1_only_when_all_implemented(statuses):
    v = suggest_vulnerability(statuses)
    assert v in (1, 2, 3)
    assert (v == 1) == (bool(statuses) and all(s == "implemented" for s in statuses))


def test_the_suggestion_follows_the_answers_and_an_override_wins():
    crit = default_criteria()
    asset = _asset(3, 2, 2)
    risk = _risk(asset, threat_level=3, existing_controls=["8.7", "8.13"])
    status = {"8.7": "implemented", "8.13": "partial"}
    r = rate(risk, crit, {asset.id: asset}, status.get, TODAY)
    assert (r.vulnerability_suggested, r.vulnerability, r.likelihood, r.level) == (2, 2, 3, 9)
    status["8.13"] = "implemented"
    r = rate(risk, crit, {asset.id: asset}, status.get, TODAY)
    assert (r.vulnerability, r.likelihood, r.level) == (1, 1, 3)
    risk.vulnerability_level = 3
    r = rate(risk, crit, {asset.id: asset}, status.get, TODAY)
    assert (r.vulnerability_suggested, r.vulnerability, r.level) == (1, 3, 9)


# -- treatment and acceptance rules -------------------------------------------------------
ACCEPTANCE = {"by": "CEO Yamada", "on": "2027-01-10", "reason": "Cost of a second line exceeds the loss", "until": "2027-12-31"}


@settings(max_examples=300)
@given(c=lvl3, threat=lvl3, vuln=lvl3, treatment=st.sampled_from([None, "reduce", "accept", "avoid", "share"]),
       res_vuln=st.one_of(st.none(), lvl3), planned=st.booleans(),
       acceptance=st.sampled_from([None, "valid", "expired"]))
def test_acceptance_and_treatment_rules(c, threat, vuln, treatment, res_vuln, planned, acceptance):
    crit = default_criteria()
    asset = _asset(c)
    acc = None
    if acceptance:
        acc = dict(ACCEPTANCE, until="2026-12-31" if acceptance == "expired" else "2027-12-31", on="2026-01-01")
    risk = _risk(asset, threat_level=threat, vulnerability_level=vuln, treatment=treatment,
                 residual_vulnerability=res_vuln, planned_controls=["8.7"] if planned else [], acceptance=acc)
    r = rate(risk, crit, {asset.id: asset}, _none, TODAY)
    keys = {i.key.rsplit(".", 1)[1] for i in r.issues}
    assert r.rated
    if r.band == "acceptable":
        assert keys == set()  # within the criteria: nothing to do
        return
    # the retained level is what stays after the treatment
    if treatment == "avoid":
        assert r.retained_level is None and r.avoided
    elif treatment in ("reduce", "share"):
        assert r.retained_level == r.residual_level
    else:
        assert r.retained_level == r.level
    assert ("no_treatment" in keys) == (treatment is None)
    assert ("no_planned_controls" in keys) == (treatment == "reduce" and not planned)
    assert ("no_residual" in keys) == (treatment in ("reduce", "share") and res_vuln is None)
    assert ("unacceptable_retained" in keys) == (treatment is not None and r.retained_band == "unacceptable")
    needs = treatment is not None and r.retained_band == "tolerable"
    assert ("acceptance_missing" in keys) == (needs and acceptance is None)
    assert ("acceptance_expired" in keys) == (needs and acceptance == "expired")
    # a risk is done exactly when its treatment is complete and what remains is acceptable
    # or accepted by someone named, with a reason and a date, still valid
    done = treatment is not None and not (treatment == "reduce" and not planned) and not (
        treatment in ("reduce", "share") and res_vuln is None) and r.retained_band != "unacceptable" and not (
        needs and acceptance != "valid")
    assert r.ok == done


@given(by=st.sampled_from(["", "   ", "\x07\x1b", "\u3000"]))
def test_acceptance_without_an_approver_is_refused(by):
    with pytest.raises(ValidationError) as exc:
        build_acceptance(dict(ACCEPTANCE, by=by), TODAY)
    assert exc.value.key == "error.risk.acceptance_no_approver"
    assert "approved" in exc.value.message("en") and exc.value.message("ja")


def test_acceptance_needs_a_reason_and_an_end_after_its_start():
    with pytest.raises(ValidationError) as exc:
        build_acceptance(dict(ACCEPTANCE, reason=" "), TODAY)
    assert exc.value.key == "error.risk.acceptance_no_reason"
    with pytest.raises(ValidationError) as exc:
        build_acceptance(dict(ACCEPTANCE, until=""), TODAY)
    assert exc.value.key == "error.risk.acceptance_no_until"
    with pytest.raises(ValidationError) as exc:
        build_acceptance(dict(ACCEPTANCE, until="2026-01-01"), TODAY)
    assert exc.value.key == "error.risk.acceptance_until_before"
    a = build_acceptance({k: v for k, v in ACCEPTANCE.items() if k != "on"}, TODAY)
    assert a is not None and a.on == TODAY.isoformat()


# -- validation of what the user types ----------------------------------------------------
@given(value=st.one_of(st.integers(-100, 100).filter(lambda n: not 1 <= n <= 3), st.sampled_from(["x", "2.5", "4 "])))
def test_a_level_outside_the_scale_is_refused_with_the_scale(value):
    asset = _asset()
    with pytest.raises(ValidationError) as exc:
        build_risk({"asset_ids": [asset.id], "owner": "Sato", "threat_id": "T01", "threat_level": value}, None,
                   criteria=default_criteria(), assets={asset.id: asset}, edition="2022", today=TODAY)
    assert exc.value.key == "error.risk.out_of_scale"
    assert "1" in exc.value.message("en") and "3" in exc.value.message("en")
    with pytest.raises(ValidationError) as exc:
        build_asset({"name": "x", "category": "information", "owner": "o", "integrity": value})
    assert exc.value.key == "error.risk.out_of_scale"


def test_5x5_scales_accept_up_to_5_and_ipa_scales_only_3():
    asset = _asset()
    kw = {"criteria": default_criteria("5x5"), "assets": {asset.id: asset}, "edition": "2022", "today": TODAY}
    r = build_risk({"asset_ids": asset.id, "owner": "Sato", "threat_id": "T03", "impact": "5", "likelihood": 4}, None, **kw)
    assert (r.impact, r.likelihood, r.criteria_version) == (5, 4, 1)
    with pytest.raises(ValidationError):
        build_risk({"likelihood": 6}, r, **kw)
    with pytest.raises(ValidationError):
        build_risk({"vulnerability_level": 4}, r, **kw)


def test_a_risk_needs_assets_an_owner_and_a_threat():
    asset = _asset()
    kw = {"criteria": default_criteria(), "assets": {asset.id: asset}, "edition": "2022", "today": TODAY}
    cases = [
        ({"owner": "Sato", "threat_id": "T01"}, "error.risk.no_asset"),
        ({"asset_ids": ["nope"], "owner": "Sato", "threat_id": "T01"}, "error.risk.unknown_asset"),
        ({"asset_ids": [asset.id], "threat_id": "T01"}, "error.risk.owner_required"),
        ({"asset_ids": [asset.id], "owner": "Sato"}, "error.risk.threat_required"),
        ({"asset_ids": [asset.id], "owner": "Sato", "threat_id": "T99"}, "error.risk.unknown_threat"),
        ({"asset_ids": [asset.id], "owner": "Sato", "threat": "x", "planned_controls": "9.9"}, "error.risk.unknown_control"),
        ({"asset_ids": [asset.id], "owner": "Sato", "threat": "x", "treatment": "ignore"}, "error.bad_choice"),
        ({"asset_ids": [asset.id], "owner": "Sato", "threat": "x", "colour": "red"}, "error.unknown_field"),
    ]
    for fields, key in cases:
        with pytest.raises(ValidationError) as exc:
            build_risk(fields, None, **kw)
        assert exc.value.key == key, fields


def test_residual_cannot_be_worse_than_the_current_level():
    asset = _asset(3, 3, 3)
    kw = {"criteria": default_criteria(), "assets": {asset.id: asset}, "edition": "2022", "today": TODAY}
    r = build_risk({"asset_ids": [asset.id], "owner": "Sato", "threat_id": "T01", "threat_level": 2,
                    "vulnerability_level": 1, "treatment": "reduce"}, None, **kw)
    assert rate(r, kw["criteria"], kw["assets"], _none, TODAY).level == 3
    with pytest.raises(ValidationError) as exc:
        build_risk({"residual_vulnerability": 3}, r, **kw)
    assert exc.value.key == "error.risk.residual_above_level"


def test_control_ids_are_normalised_per_edition():
    assert normalize_control("A.5.15", "2022") == "5.15" and normalize_control(" 8.7", "2022") == "8.7"
    assert normalize_control("9.1.1", "2013") == "A.9.1.1" and normalize_control("a.9.1.1", "2013") == "A.9.1.1"
    assert parse_controls("8.13, 5.15、A.5.15", "2022") == ["5.15", "8.13"]
    with pytest.raises(ValidationError):
        normalize_control("5.15", "2013")


def test_assets_are_cleaned_and_importance_is_the_highest_rating():
    a = build_asset({"name": " 顧客台帳\x1b[31m ", "category": "information", "owner": "Sato", "confidentiality": "3",
                     "integrity": 1, "availability": 2, "personal_data": "yes", "last_reviewed": "2027-01-05"})
    assert (a.name, a.importance, a.personal_data, a.last_reviewed) == ("顧客台帳[31m", 3, True, "2027-01-05")
    for fields, key in [({"category": "information", "owner": "o"}, "error.asset.name_required"),
                        ({"name": "n", "category": "cloud", "owner": "o"}, "error.bad_choice"),
                        ({"name": "n", "category": "paper"}, "error.asset.owner_required")]:
        with pytest.raises(ValidationError) as exc:
            build_asset(fields)
        assert exc.value.key == key


# -- the register ----------------------------------------------------------------------------
def test_register_counts_coverage_and_gate_issues():
    crit = default_criteria()
    a1, a2 = _asset(3, name="Customer list", no=1), _asset(1, name="Brochure", no=2)
    r1 = _risk(a1, threat_level=2, vulnerability_level=3, treatment="reduce", planned_controls=["8.7"],
               residual_vulnerability=2, no=1)  # 3 x table[1][2] = 9; residual 3 x table[1][1] = 6
    data = RiskData([crit], {a1.id: a1, a2.id: a2}, {r1.id: r1})
    reg = Register(data, _none, TODAY)
    assert reg.counts() == {9: 1} and reg.counts(after=True) == {6: 1}
    assert [a.name for a in reg.uncovered_assets] == ["Brochure"]
    assert [i.key for i in reg.criteria_issues()] == ["risk.issue.criteria_unapproved"]
    assert "risk.issue.asset_uncovered" in [i.key for i in reg.assessment_issues()]
    assert [i.key for i in reg.treatment_issues()] == ["risk.issue.unacceptable_retained"]
    assert reg.heat_map()[2][2] == 1 and reg.heat_map(after=True)[2][1] == 1
    crit.approved_by, crit.approved_on = "CEO", "2027-01-05"
    assert Register(data, _none, TODAY).criteria_issues() == [] and Register(data, _none, TODAY).open_approvals == []
    assert [i.key for i in Register(RiskData(), _none, TODAY).criteria_issues()] == ["risk.issue.criteria_missing"]


def test_a_damaged_row_reads_as_skipped_and_bad_levels_as_unrated():
    a = _asset(2)
    tables = {"assets": {"1": a.to_doc(), "2": {"bogus": 1}},
              "risks": {"1": _risk(a, threat_level=7).to_doc()}, "risk_criteria": {"1": {"method": 3, "x": 1}}}
    data = RiskData.from_tables(tables)
    assert list(data.assets) == [a.id] and len(data.risks) == 1
    reg = Register(data, _none, TODAY)
    assert not reg.rows[0].rating.rated


# -- shipped data ---------------------------------------------------------------------------
def test_threat_catalog_is_bilingual_and_names_known_controls():
    cat = threats()
    assert len(cat) >= 20
    for th in cat.values():
        assert th.title["ja"] and th.title["en"] and th.description["ja"] and th.description["en"]
        assert th.controls and set(th.categories) <= set(CATEGORIES)
        assert th.controls_for("2013")  # every threat has predecessors to offer in a 2013 assessment


def test_every_category_has_a_bilingual_starter_list():
    lists = starter_assets()
    assert set(lists) == set(CATEGORIES)
    for cat, entries in lists.items():
        assert len(entries) >= 3
        for e in entries:
            a = build_asset(e.fields("ja") | {"owner": "Sato"})
            assert a.category == cat and a.name == e.name["ja"] and e.name["en"]
