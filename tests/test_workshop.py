"""Workshops in the core: participants, sessions, who decided, parked items, the summary, the
migration that brings them, and the read-only follower (no Textual here)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from isms_tui.model import Assessment, ValidationError
from isms_tui.service import Workspace
from isms_tui.storage import SCHEMA_VERSION, LockedError
from isms_tui.workshop import (
    CONSENSUS,
    Workshop,
    parse_participants,
    parse_timebox,
)


def test_parse_participants_reads_names_and_roles():
    assert parse_participants("Tanaka (IT); Suzuki (HR), Sato") == [("Tanaka", "IT"), ("Suzuki", "HR"), ("Sato", "")]
    assert parse_participants("\u7530\u4e2d\uff08\u60c5\u5831\u30b7\u30b9\u30c6\u30e0\uff09\u3001\u4f50\u85e4") == [
        ("\u7530\u4e2d", "\u60c5\u5831\u30b7\u30b9\u30c6\u30e0"), ("\u4f50\u85e4", "")]
    assert parse_participants(" , ;") == []


def test_parse_timebox_one_for_all_or_one_each():
    agenda = ["b/one", "b/two", "b/three"]
    assert parse_timebox("30", agenda) == {"b/one": 30, "b/two": 30, "b/three": 30}
    assert parse_timebox("30, 20", agenda) == {"b/one": 30, "b/two": 20}
    assert parse_timebox("", agenda) == {}
    for bad in ("half an hour", "0", "-5", "601"):
        with pytest.raises(ValidationError):
            parse_timebox(bad, agenda)


def test_remaining_time_counts_down_and_goes_negative():
    start = datetime(2026, 12, 1, 9, 0, tzinfo=datetime.now().astimezone().tzinfo)
    w = Workshop(agenda=["b/one", "b/two"], timebox={"b/one": 30}, section_started={"b/one": start.isoformat()})
    assert w.remaining("b/one", start + timedelta(minutes=10)) == 20
    assert w.remaining("b/one", start + timedelta(minutes=30)) == 0
    assert w.remaining("b/one", start + timedelta(minutes=41)) == -11
    assert w.remaining("b/two", start) is None  # no time box


def _start(s, *people: tuple[str, str]):
    ids = [s.add_participant(n, r).id for n, r in people]
    return s.start_workshop(title="Gap session 1", agenda=["sample/basics"], timebox={"sample/basics": 45},
                            participants=ids), ids


def test_answers_record_who_decided_and_the_history_keeps_every_change(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        s.set_status("s-scope-1", "partial")  # before the workshop: nobody named
        w, (tanaka, suzuki) = _start(s, ("Tanaka", "IT"), ("Suzuki", "HR"))
        assert s.add_participant("Tanaka", "IT").id == tanaka  # the same person is not added twice
        assert s.next_speaker().speaker == tanaka
        s.set_status("s-backup-1", "implemented")
        assert s.next_speaker().speaker == suzuki
        assert s.next_speaker().speaker == CONSENSUS
        s.set_status("s-scope-1", "implemented")
        assert s.next_speaker().speaker == tanaka  # round again
        s.set_fields("s-scope-1", note="only a note: no new history entry")
    ws = workspace.workshop_data(sample_id)
    assert [(e.item_id, e.before, e.after, e.by, e.workshop) for e in ws.history] == [
        ("s-scope-1", None, "partial", "", ""),
        ("s-backup-1", None, "implemented", tanaka, w.id),
        ("s-scope-1", "partial", "implemented", CONSENSUS, w.id),
    ]
    view = workspace.view(sample_id)
    assert view.decided_by("s-backup-1", "en") == "Tanaka (IT)"
    assert view.decided_by("s-scope-1", "ja") == "\u5408\u610f" and view.decided_by("s-scope-1", "en") == "Consensus"
    assert view.answers["s-scope-1"].workshop == w.id


def test_one_session_at_a_time_and_checked_input(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        with pytest.raises(ValidationError, match="Not a section"):
            s.start_workshop(agenda=["sample/nope"])
        with pytest.raises(ValidationError, match="No such participant"):
            s.start_workshop(agenda=["sample/basics"], participants=["zzzz"])
        with pytest.raises(ValidationError, match="No workshop"):
            s.next_speaker()
        _start(s, ("Tanaka", "IT"))
        with pytest.raises(ValidationError, match="running"):
            s.start_workshop(agenda=["sample/records"])
        ended = s.end_workshop()
        assert ended.ended is not None and s.active_workshop is None
        s.start_workshop(agenda=["sample/records"])  # the next session
    assert len(workspace.workshop_data(sample_id).workshops) == 2


def test_parked_item_is_a_plan_action_until_resolved(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        w, _ = _start(s, ("Tanaka", "IT"))
        with pytest.raises(ValidationError):
            s.park("s-cloud-1", "   ")  # what is open must be said
        with pytest.raises(ValidationError):
            s.park("s-cloud-1", "ask IT", due="next week")
        p = s.park("s-cloud-1", "Ask IT which cloud services hold customer data", owner="Tanaka", due="2027-01-15")
        assert p.workshop == w.id
        action = s.view().action(f"parked:{p.id}")
        assert action is not None and action.owner == "Tanaka" and str(action.due) == "2027-01-15"
        assert "Ask IT which cloud" in action.title("en") and action.refs == s.item("s-cloud-1").shown_refs
        s.edit_action(f"parked:{p.id}", status="in_progress")  # the plan edits it like any action
        with pytest.raises(ValidationError, match="how it was settled"):
            s.update_parked(p.id, state="resolved")
        s.update_parked(p.id, state="resolved", resolution="IT listed them: M365 and kintone")
        assert s.view().action(f"parked:{p.id}") is None
    parked = workspace.workshop_data(sample_id).parked[p.id]
    assert parked.state == "resolved" and parked.resolution.startswith("IT listed")


def test_summary_of_a_session(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "implemented")
        s.set_status("s-review-1", "partial")
        w, (tanaka,) = _start(s, ("Tanaka", "IT"))
        s.set_speaker(tanaka)
        s.set_status("s-scope-1", "implemented")  # answered for the first time
        s.set_status("s-backup-1", "unknown")
        s.set_status("s-backup-1", "not_implemented")  # changed twice: implemented -> not implemented
        s.set_status("s-review-1", "implemented")
        s.set_status("s-review-1", "partial")  # changed back: left out
        s.park("s-cloud-1", "Find the contract")
        summary = s.view().workshop_summary(w.id)
    assert [(c.item.id, c.before, c.after) for c in summary.answered] == [("s-scope-1", None, "implemented")]
    assert [(c.item.id, c.before, c.after, c.by) for c in summary.changed] == [
        ("s-backup-1", "implemented", "not_implemented", tanaka)]
    assert [p.note for p in summary.parked] == ["Find the contract"]
    assert [a.id for a in summary.new_actions] == ["question:s-backup-1"]  # a gap this session found
    assert [p.name for p in summary.participants] == ["Tanaka"]
    assert [(a.key, a.answered, a.total, a.timebox) for a in summary.agenda] == [("sample/basics", 2, 3, 45)]  # s-cloud-1 is parked, not answered


def test_contradictions_among_the_items_a_session_touched(tmp_path):
    ws = Workspace(tmp_path / "data")
    aid = ws.create(Assessment(organization="Link KK", edition="2022"))
    view = ws.view(aid)
    a_id, others = next((k, v) for k, v in view.links.items() if v)
    with ws.open(aid) as s:
        w = s.start_workshop(agenda=[])
        s.set_status(a_id, "implemented")
        s.set_status(others[0], "not_implemented")
        summary = s.view().workshop_summary(w.id)
    assert [(c.implemented.id, c.not_implemented.id) for c in summary.contradictions] == [(a_id, others[0])]


def test_time_box_starts_when_the_room_reaches_the_section(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        w, _ = _start(s, ("Tanaka", "IT"))
        assert w.remaining("sample/basics") is None  # not reached yet
        s.reach_section("sample", "records")  # not on the agenda: nothing starts
        w = s.reach_section("sample", "basics")
        first = w.section_started["sample/basics"]
        assert s.reach_section("sample", "basics").section_started["sample/basics"] == first  # once
        assert 44 <= w.remaining("sample/basics") <= 45


def test_version_3_file_migrates_participants_to_records(workspace: Workspace, sample_id: str):
    """Schema 4: the header's list of names becomes participant records (name and role), the
    workshop tables are added, answers are kept; a read does not write the file."""
    path = workspace.store.file_path(sample_id)
    with workspace.open(sample_id) as s:
        s.set_status("s-backup-1", "partial")
    data = json.loads(path.read_text(encoding="utf-8"))
    for table in ("participants", "workshops", "history", "parked"):
        data.pop(table, None)
    for doc in data["answers"].values():
        doc.pop("decided_by", None)
        doc.pop("workshop", None)
    data["meta"]["1"]["schema_version"] = 3
    data["meta"]["1"]["participants"] = ["\u5c71\u7530(\u4ee3\u8868)", "Sato"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = path.read_bytes()
    people = workspace.workshop_data(sample_id).participants
    assert sorted((p.name, p.role) for p in people.values()) == [("Sato", ""), ("\u5c71\u7530", "\u4ee3\u8868")]
    assert path.read_bytes() == before  # read-only: migrated in memory, file untouched
    with workspace.open(sample_id) as s:
        assert s.answers["s-backup-1"].status == "partial" and s.answers["s-backup-1"].decided_by == ""
        assert len(s.workshop.participants) == 2
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["meta"]["1"]["schema_version"] == SCHEMA_VERSION >= 4
    assert "participants" not in data["meta"]["1"] and len(data["participants"]) == 2
    assert data["history"] == {} and data["parked"] == {} and data["workshops"] == {}


def test_a_damaged_workshop_row_marks_the_file_damaged(workspace: Workspace, sample_id: str):
    from isms_tui.storage import CorruptFileError

    path = workspace.store.file_path(sample_id)
    with workspace.open(sample_id) as s:
        s.park("s-cloud-1", "ask IT")
    data = json.loads(path.read_text(encoding="utf-8"))
    next(iter(data["parked"].values()))["due"] = "soon"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CorruptFileError, match="parked"):
        workspace.load(sample_id)


def test_duplicate_and_transition_keep_the_people(workspace: Workspace, sample_id: str):
    with workspace.open(sample_id) as s:
        s.add_participant("Tanaka", "IT")
    copy = workspace.duplicate(sample_id)
    assert [p.label() for p in workspace.workshop_data(copy).participants.values()] == ["Tanaka (IT)"]


def test_create_with_participants(workspace: Workspace):
    aid = workspace.create(Assessment(organization="New KK", banks=["sample"]),
                           participants=["Tanaka (IT), Suzuki"])
    assert [p.label() for p in workspace.workshop_data(aid).participants.values()] == ["Tanaka (IT)", "Suzuki"]


def test_follower_reads_what_the_writer_does_and_never_writes(workspace: Workspace, sample_id: str):
    path = workspace.store.file_path(sample_id)
    follower = workspace.follow(sample_id)
    first = follower.poll()
    assert first is not None and first.item_id is None  # nobody is writing
    assert follower.poll() is None  # nothing changed
    with workspace.open(sample_id) as s:
        with pytest.raises(LockedError):
            workspace.open(sample_id)  # the follower is never a second writer
        _, (tanaka,) = _start(s, ("Tanaka", "IT"))
        s.set_speaker(tanaka)
        s.show_position("s-backup-1")
        s.set_status("s-backup-1", "partial")
        state = follower.poll()
        assert state is not None and state.item_id == "s-backup-1" and state.speaker == "Tanaka (IT)"
        assert state.view.status("s-backup-1") == "partial"
        stamp = path.stat().st_mtime_ns
        assert follower.poll() is None and path.stat().st_mtime_ns == stamp
    state = follower.poll()  # the writer closed: its position file is gone
    assert state is not None and state.item_id is None


def test_the_workbook_says_who_decided(workspace: Workspace, sample_id: str, tmp_path):
    from openpyxl import load_workbook

    from isms_tui.exports.xlsx import export_assessment

    with workspace.open(sample_id) as s:
        _, (tanaka,) = _start(s, ("Tanaka", "IT"))
        s.set_speaker(tanaka)
        s.set_status("s-backup-1", "partial")
        s.set_speaker(CONSENSUS)
        s.set_status("s-scope-1", "implemented")
    path = export_assessment(workspace, sample_id, tmp_path / "out.xlsx", lang="en")
    ws = load_workbook(path)["Answers"]
    header = [c.value for c in ws[1]]
    col = header.index("Answered / decided by")
    by_item = {row[0].value: row[col].value for row in ws.iter_rows(min_row=2)}
    assert by_item["s-backup-1"] == "Tanaka (IT)" and by_item["s-scope-1"] == "Consensus"
    summary = load_workbook(path)["Summary"]
    assert any(c.value == "Tanaka (IT)" for row in summary.iter_rows() for c in row)  # the participants
