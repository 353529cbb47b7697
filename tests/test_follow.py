"""The read-only follow view: a second window, terminal or browser tab watches the facilitator
(the writer) and never becomes a second writer."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Button, Static

from isms_tui import cli
from isms_tui.app import IsmsApp
from isms_tui.i18n import t
from isms_tui.model import Answer, Assessment
from isms_tui.screens import follow as follow_module
from isms_tui.screens.dialogs import ConfirmScreen
from isms_tui.screens.follow import FollowScreen
from isms_tui.screens.home import HomeScreen
from isms_tui.screens.questionnaire import QuestionnaireScreen
from isms_tui.service import Workspace
from isms_tui.workshop import CONSENSUS, AnswerEvent, Participant, Workshop, WorkshopData, section_key
from tests.conftest import run_cli
from tests.tui_helpers import STAMP, make_data_dir, wait_until


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def following(app) -> bool:
    return isinstance(app.screen, FollowScreen) and app.screen.is_mounted and app.screen.state is not None


# -- a deterministic workshop for the snapshots ---------------------------------------------------
def make_workshop_data_dir(root: Path) -> tuple[Path, str]:
    """The sample bank and an assessment in a workshop: three participants, a session on
    both sections with a 30-minute time box on the first (reached at STAMP), three answer
    changes by name and by consensus. Every stamp and id is fixed."""
    data, _ = make_data_dir(root, with_assessment=False)
    tanaka = Participant("田中", "IT", id="p-tanaka", created=STAMP)
    suzuki = Participant("Suzuki", "HR", id="p-suzuki", created=STAMP)
    yamada = Participant("山田 [b]社長[/b]", "", id="p-yamada", created=STAMP)
    agenda = [section_key("sample", "basics"), section_key("sample", "records")]
    session = Workshop(title="第1回 ギャップ分析 [x]", agenda=agenda, timebox={agenda[0]: 30},
                       participants=[tanaka.id, suzuki.id, yamada.id], speaker=tanaka.id,
                       section_started={agenda[0]: STAMP}, started=STAMP, id="w-1")
    history = [
        AnswerEvent("s-scope-1", None, "implemented", by=CONSENSUS, workshop="w-1", at="2026-05-01T09:02:00+00:00", id="e1"),
        AnswerEvent("s-backup-1", None, "unknown", by=tanaka.id, workshop="w-1", at="2026-05-01T09:05:00+00:00", id="e2"),
        AnswerEvent("s-backup-1", "unknown", "partial", by=suzuki.id, workshop="w-1", at="2026-05-01T09:08:00+00:00", id="e3"),
    ]
    wd = WorkshopData(participants={p.id: p for p in (tanaka, suzuki, yamada)}, workshops={"w-1": session},
                      history=history)
    answers = [
        Answer("s-scope-1", status="implemented", decided_by=CONSENSUS, workshop="w-1", created=STAMP, updated=STAMP),
        Answer("s-backup-1", status="partial", decided_by=suzuki.id, workshop="w-1", created=STAMP, updated=STAMP),
    ]
    a = Assessment(organization="Sample KK [bold]株式会社[/x]", scope="HQ", banks=["sample"], target_date="2099-06-01",
                   id="snap0002", created=STAMP, updated=STAMP)
    Workspace(data).create(a, answers, workshop=wd)
    return data, a.id


# -- the follow view ------------------------------------------------------------------------------
@pytest.mark.asyncio
async def test_follow_view_tracks_the_writer_and_never_locks(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    ws = Workspace(data)
    app = IsmsApp(data, lang="en", follow_id=aid)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: following(app), "the follow view")
        assert t("follow.banner", "en", org="Sample KK [bold]株式会社[/x]") in text_of(app, "#follow-banner")
        assert t("follow.nobody", "en") in text_of(app, "#follow-note")  # nobody writes yet
        with ws.open(aid) as writer:  # the follower holds no lock: the writer opens and saves
            writer.show_position("s-cloud-1")
            writer.set_status("s-cloud-1", "not_implemented")
            cloud = writer.item("s-cloud-1")
            await wait_until(pilot, lambda: cloud.title("en") in text_of(app, "#follow-item")
                             and t("status.not_implemented", "en") in text_of(app, "#follow-item"),
                             "the writer's item and its new status")
            assert not app.screen.query_one("#follow-note").display
            assert cloud.question["en"].split()[0] in text_of(app, "#follow-item")
            assert t("follow.item_pos", "en", n=3, total=5) in text_of(app, "#follow-progress")
            history = text_of(app, "#follow-history")  # two columns: the question, its change below
            assert cloud.ref_label("en") in history
            assert t("follow.change_status", "en", before=t("status.unanswered", "en"),
                     after=t("status.not_implemented", "en")) in history

            # the writer moves on: the follower goes with it; a change of answer shows
            writer.show_position("s-review-1")
            review = writer.item("s-review-1")
            await wait_until(pilot, lambda: review.title("en") in text_of(app, "#follow-item"), "the next item")
            writer.set_status("s-review-1", "partial")
            await wait_until(pilot, lambda: t("status.partial", "en") in text_of(app, "#follow-item"), "the new answer")
            assert app.session is None  # the follow view never opened it for writing
        # the writer closed: said so, and the last item stays shown as stored
        await wait_until(pilot, lambda: app.screen.query_one("#follow-note").display
                         and t("follow.nobody", "en") in text_of(app, "#follow-note"), "nobody writing")
        assert review.title("en") in text_of(app, "#follow-item")
        await pilot.press("escape")  # started on the follow view: escape quits
        await wait_until(pilot, lambda: not app.is_running, "the app to quit")


@pytest.mark.asyncio
async def test_follow_view_says_a_damaged_file_and_keeps_watching(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    path = Workspace(data).file_path(aid)
    good = path.read_bytes()
    app = IsmsApp(data, lang="ja", follow_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: following(app), "the follow view")
        path.write_bytes(good[: len(good) // 2])  # damaged while followed
        note = app.screen.query_one("#follow-note")
        await wait_until(pilot, lambda: note.display and note.has_class("-error"), "the damage said")
        assert "\n" not in text_of(app, "#follow-note").strip()
        assert text_of(app, "#follow-note").startswith(t("follow.damaged", "ja", error="")[:10])
        path.write_bytes(good)  # put back (a restore): the view carries on
        await wait_until(pilot, lambda: not note.has_class("-error"), "the file readable again")
        assert path.read_bytes() == good  # the follower never wrote to it


@pytest.mark.asyncio
async def test_reread_key_reads_the_file_again(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    app = IsmsApp(data, lang="en", follow_id=aid)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: following(app), "the follow view")
        first = app.screen.state
        assert app.screen.follower.poll() is None  # nothing changed on disk
        await pilot.press("r")
        await wait_until(pilot, lambda: app.screen.state is not first, "a fresh read")


@pytest.mark.asyncio
async def test_home_offers_to_follow_a_locked_assessment(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    with Workspace(data).open(aid) as writer:
        writer.show_position("s-backup-1")
        app = IsmsApp(data, lang="ja")
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.rows, "the home list")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the offer")
            offer = str(app.screen.query_one(".dialog-text", Static).render())
            assert offer == t("follow.offer", "ja", org="Sample KK [bold]株式会社[/x]")
            assert app.screen.focused is app.screen.query_one("#yes", Button)
            await pilot.press("escape")  # no: back home, nothing opened
            await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), "home again")
            assert app.session is None
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "the offer again")
            await pilot.press("enter")  # yes
            await wait_until(pilot, lambda: following(app), "the follow view")
            backup = writer.item("s-backup-1")
            assert backup.title("ja") in text_of(app, "#follow-item")
            writer.set_status("s-backup-1", "implemented")  # the writer still writes
            await wait_until(pilot, lambda: t("status.implemented", "ja") in text_of(app, "#follow-item"), "the change")
            await pilot.press("escape")  # opened from home: back to it
            await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), "home after following")
            assert app.is_running and app.session is None


@pytest.mark.asyncio
async def test_questionnaire_tells_followers_where_it_is(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    follower = Workspace(data).follow(aid)
    app = IsmsApp(data, lang="en", open_id=aid)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, QuestionnaireScreen) and app.screen.is_mounted,
                         "the questionnaire")
        screen = app.screen
        assert follower.poll().item_id == screen.item.id
        await pilot.press("n")
        await wait_until(pilot, lambda: (s := follower.poll()) is not None and s.item_id == screen.item.id, "the next item")
        await pilot.press("p")
        await wait_until(pilot, lambda: (s := follower.poll()) is not None and s.item_id == screen.item.id, "back")
    assert follower.poll().item_id is None  # the writer closed


# -- the command line -----------------------------------------------------------------------------
def test_open_a_locked_assessment_without_a_terminal_says_how_to_follow(tmp_path: Path):
    data, aid = make_data_dir(tmp_path)
    with Workspace(data).open(aid):
        r = run_cli("--lang", "en", "open", aid, data_dir=data)
    assert r.returncode == 1
    assert r.stderr.strip() == f"isms-tui: {t('cli.follow_hint', 'en', id=aid)}"
    assert "follow " + aid in r.stderr and r.stdout == ""


def test_follow_an_unknown_assessment_is_one_line(tmp_path: Path):
    data, _ = make_data_dir(tmp_path)
    r = run_cli("--lang", "en", "follow", "nope", data_dir=data)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and r.stdout == ""


def test_follow_starts_the_tui_on_the_follow_view_without_the_lock(tmp_path: Path, monkeypatch):
    from isms_tui import app as app_module

    data, aid = make_data_dir(tmp_path)
    started = []

    def run_app(data_dir, *, lang, open_id=None, follow_id=None):
        with Workspace(data_dir).open(follow_id):  # nothing holds it: the writer can still open it
            pass
        started.append((lang, open_id, follow_id))
        return 0

    monkeypatch.setattr(app_module, "run_app", run_app)
    assert cli.main(["--data-dir", str(data), "--lang", "en", "follow", aid]) == 0
    assert started == [("en", None, aid)]


def test_open_a_locked_assessment_on_a_terminal_offers_to_follow(tmp_path: Path, monkeypatch):
    import questionary

    from isms_tui import app as app_module

    data, aid = make_data_dir(tmp_path)
    started, asked = [], []

    class Reply:
        def __init__(self, value):
            self.value = value

        def ask(self):
            return self.value

    def confirm(message, default):
        asked.append((message, default))
        return Reply(reply)

    monkeypatch.setattr(questionary, "confirm", confirm)
    monkeypatch.setattr(app_module, "run_app", lambda data_dir, **kw: started.append(kw) or 0)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    with Workspace(data).open(aid):
        reply = True
        assert cli.main(["--data-dir", str(data), "--lang", "en", "open", aid]) == 0
        assert started == [{"lang": "en", "follow_id": aid}]
        assert asked == [(t("cli.follow_offer", "en", id=aid, org="Sample KK [bold]株式会社[/x]"), True)]
        reply = False  # declined: the usual one line, nothing started
        assert cli.main(["--data-dir", str(data), "--lang", "en", "open", aid]) == 1
        assert len(started) == 1


# -- snapshots ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("lang", "size"), [("ja", (80, 24)), ("en", (120, 40))], ids=["ja-80x24", "en-120x40"])
def test_follow_snapshot(snap_compare, tmp_path: Path, monkeypatch, lang: str, size):
    data, aid = make_workshop_data_dir(tmp_path)
    # 12 minutes into the first section's 30-minute time box
    monkeypatch.setattr(follow_module, "now", lambda: datetime.fromisoformat(STAMP) + timedelta(minutes=12))
    writer = Workspace(data).open(aid)
    writer.show_position("s-backup-1")

    async def run_before(pilot) -> None:
        await wait_until(pilot, lambda: following(pilot.app), "the follow view")
        await pilot.pause()

    try:
        assert snap_compare(IsmsApp(data, lang=lang, follow_id=aid), terminal_size=size, run_before=run_before)
    finally:
        writer.close()
