"""``isms-tui calendar`` and the calendar part of ``isms-tui report``: print, record, refuse a
bad date in one line with nothing changed."""

from __future__ import annotations

import json
from datetime import date, timedelta

from isms_tui import cli


def _run(capsys, d, *args):
    rc = cli.main(["--data-dir", str(d), *args])
    out = capsys.readouterr()
    return rc, out.out, out.err


def _day(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


def test_calendar_records_prints_and_refuses(tmp_path, capsys):
    d = tmp_path / "d"
    rc, out, _ = _run(capsys, d, "new", "--org", "Cal KK", "--lang", "en", "--target-date", _day(100))
    aid = out.split()[-1]
    rc, out, err = _run(capsys, d, "calendar", aid)
    assert rc == 0 and "Annual plan: Cal KK" in out and "Management review" in out, err
    # record the body, stage 2, an activity done and an own activity
    rc, out, err = _run(capsys, d, "calendar", aid, "--set", "body=JQA", "--set", f"stage2_planned={_day(190)}",
                        "--activity", "internal_audit", f"last_done={_day(-3)}", "owner=Sato",
                        "--add-activity", "BCP drill", "every=6")
    assert rc == 0, err
    rc, out, _ = _run(capsys, d, "calendar", aid, "--json")
    plan = json.loads(out)
    assert plan["certificate"]["body"] == "JQA"
    acts = {a["key"]: a for a in plan["activities"]}
    assert acts["internal_audit"]["state"] == "done" and acts["internal_audit"]["owner"] == "Sato"
    assert any(a["name"] == "BCP drill" and a["every_months"] == 6 for a in acts.values())
    assert plan["next_audit"] == {"kind": "stage1", "planned": _day(100), "done": None, "due_by": None,
                                  "target_date": True}
    before = (d / "assessments" / f"{aid}.json").read_bytes()
    # bad dates, a planned date in the past, an unknown activity: one line, exit 1, nothing written
    for args, words in ((["--set", "stage2_planned=2020-01-01"], "in the past"),
                        (["--set", "issued=2026-13-01"], "not a date"),
                        (["--set", "body=Other", "--activity", "training", "last_done=2031-01-01"], "future"),
                        (["--activity", "nope", "owner=x"], "No activity")):
        rc, out, err = _run(capsys, d, "calendar", aid, *args)
        assert rc == 1 and words in err and len(err.strip().splitlines()) == 1, (args, err)
    rc, _, err = _run(capsys, d, "--lang", "ja", "calendar", aid, "--set", "stage2_planned=2020-01-01")
    assert rc == 1 and "過去" in err
    rc, _, err = _run(capsys, d, "calendar", aid, "--activity", "training", "oops")
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert (d / "assessments" / f"{aid}.json").read_bytes() == before
    # setting the stage 1 date moves the assessment's target date (one source of truth)
    rc, _, err = _run(capsys, d, "calendar", aid, "--set", f"stage1_planned={_day(120)}")
    assert rc == 0, err
    rc, out, _ = _run(capsys, d, "report", aid, "--json")
    rep = json.loads(out)
    assert rep["target_date"] == _day(120) and rep["calendar"]["audits"][0]["planned"] == _day(120)


def test_report_lists_what_is_due_in_90_days_and_the_flags(tmp_path, capsys):
    d = tmp_path / "d"
    _, out, _ = _run(capsys, d, "new", "--org", "Due KK", "--lang", "en", "--target-date", _day(80))
    aid = out.split()[-1]
    _run(capsys, d, "calendar", aid, "--activity", "risk_review", f"last_done={_day(-400)}")
    rc, out, _ = _run(capsys, d, "report", aid)
    assert rc == 0
    assert "Due in the next 90 days or overdue" in out
    assert "Management review" in out and "Risk review" in out
    assert "Risk review: not done within 12 months" in out
    rep = json.loads(_run(capsys, d, "report", aid, "--json")[1])
    assert "risk_review" in rep["calendar"]["due_soon"]
    assert [f["kind"] for f in rep["calendar"]["flags"]] == ["lapsed"]
    rc, out, _ = _run(capsys, d, "--lang", "ja", "report", aid)
    assert "今後90日以内" in out and "リスクの見直し" in out
