"""Typed references: a clause is never shown with a control's title (clause 6.2 is not
control A.6.2), and every reference is written the way practitioners write it."""

from __future__ import annotations

import pytest

from isms_tui.banks import builtin_banks
from isms_tui.catalog import catalog
from isms_tui.refs import CLAUSE, CONTROL, CONTROL_2013, STEP, Ref


def _table(ref: Ref):
    cat = catalog()
    return {CLAUSE: cat.clauses, CONTROL: cat.controls_2022, CONTROL_2013: cat.controls_2013, STEP: cat.steps}[ref.type]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_ref_of_every_item_shows_the_title_of_its_own_type(lang):
    checked = 0
    for bank in builtin_banks().banks.values():
        for item in bank.items:
            assert item.typed_refs, item.id
            for ref in item.typed_refs:
                assert ref.known(), f"{item.id}: unknown {ref.key}"
                assert ref.title(lang) == _table(ref)[ref.id].title[lang], (item.id, ref)
                checked += 1
            first = item.shown_refs[0]
            if first.type != STEP:
                assert item.title(lang) == _table(first)[first.id].title[lang], item.id
                assert item.heading(lang).startswith(first.label(lang)), item.id
    assert checked > 400


def test_colliding_numbers_get_their_own_titles_and_labels():
    cat = catalog()
    clause, control = Ref(CLAUSE, "6.2"), Ref(CONTROL, "6.2")
    assert clause.title("en") == cat.clauses["6.2"].title["en"]
    assert control.title("en") == "Terms and conditions of employment"
    assert clause.title("en") != control.title("en")
    assert clause.label("ja") == "箇条6.2" and clause.label("en") == "Clause 6.2"
    assert control.label("ja") == control.label("en") == "A.6.2"
    assert Ref(CONTROL_2013, "A.6.1.2").label("en") == "A.6.1.2 (2013)"
    assert Ref.parse(clause.key) == clause


@pytest.mark.parametrize("clause", ["5.1", "5.2", "5.3", "6.1", "6.2", "6.3", "7.1", "7.2", "7.3", "7.4", "7.5", "8.1", "8.2", "8.3"])
def test_clause_items_never_show_a_control_title(clause):
    cat = catalog()
    items = [i for b in builtin_banks().banks.values() for i in b.items if i.clauses == (clause,) and not i.controls]
    for item in items:
        for lang in ("ja", "en"):
            assert item.title(lang) == cat.clauses[clause].title[lang]
            if clause in cat.controls_2022:
                assert item.title(lang) != cat.controls_2022[clause].title[lang]
            assert item.ref_label(lang) == ("箇条" if lang == "ja" else "Clause ") + clause


def test_mandatory_flag_always_names_a_gate_requirement_and_the_clauses_bank_covers_all():
    gate_clauses = set(catalog().mandatory_clauses())
    assert len(gate_clauses) == 14
    banks = builtin_banks().banks
    for bank in banks.values():
        for item in bank.items:
            if item.mandatory:
                assert set(item.clauses) & gate_clauses, f"{item.id}: mandatory but names no gate clause"
    covered = {c for i in banks["clauses-2022"].items if i.mandatory for c in i.clauses}
    assert gate_clauses <= covered
