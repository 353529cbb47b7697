"""isms-tui serve in a real browser: headless Chromium (the system's, found on PATH or through
$ISMS_TUI_CHROMIUM; never downloaded) opens the page like a participant would, and the app's
text reaches it.

The page draws the terminal on a canvas, so the page's DOM holds no text, and textual-serve's
textual.js keeps its xterm.js Terminal in a closure (no global, no screen-reader rows) so its
buffer cannot be read either. What the test reads instead is exactly what the page hands to
xterm.js: textual-serve sends the app's terminal output unchanged as the websocket's binary
frames (``AppService.on_data`` -> ``websocket.send_bytes``; textual.js calls
``terminal.write(bytes)`` for each one, and marks ``body.-first-byte`` when the terminal has
drawn, which hides the splash). The frames are decoded as UTF-8 and the terminal's escape
sequences removed; the screen's words stay in one piece between them.

On failure a screenshot of the page is saved next to the server's log in the test's tmp folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from isms_tui.i18n import t
from tests.conftest import ROOT, run_cli

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (it is in the test extra: make test installs it)")

TIMEOUT_MS = 90_000  # the first app start on a busy two-core machine; a condition, never a pause


def _chromium() -> str | None:
    given = os.environ.get("ISMS_TUI_CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium: none of chromium, chromium-browser, google-chrome on PATH and no executable "
           "$ISMS_TUI_CHROMIUM (.ci/run installs Debian's chromium)")

# CSI (colours, cursor moves, modes), OSC (titles, clipboard) and two-byte escapes
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]")


class Received:
    """The binary frames the page's websocket received: the terminal output it writes to xterm.js."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def add(self, payload: bytes | str) -> None:
        if isinstance(payload, bytes):  # text frames are textual-serve's own (pong, instance id)
            self.frames.append(payload)

    def mark(self) -> int:
        return len(self.frames)

    def text(self, since: int = 0) -> str:
        raw = b"".join(self.frames[since:]).decode("utf-8", "replace")
        return _ESCAPES.sub("", raw)


def _free_loopback_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp_path: Path, lang: str):
        self.data_dir = tmp_path / "data"
        demo = run_cli("--lang", lang, "demo", data_dir=self.data_dir)
        assert demo.returncode == 0, demo.stderr
        self.assessment_id = demo.stdout.strip().splitlines()[-1]
        self.lang = lang
        self.port = _free_loopback_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = tmp_path / "serve.log"
        env = os.environ.copy() | {"PYTHONPATH": str(ROOT), "LANG": "en_US.UTF-8"}
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "isms_tui", "--lang", lang, "--data-dir", str(self.data_dir),
                 "serve", "--port", str(self.port)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True)  # its own process group: the server and every app it starts

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    def wait_listening(self) -> None:
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"isms-tui serve exited ({self.proc.returncode}):\n{self.log()}"
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)  # polling the condition (the port accepts), not a pause that assumes speed
        pytest.fail(f"isms-tui serve did not listen on {self.port}:\n{self.log()}")

    def stop(self) -> None:
        """SIGTERM to the whole group (server and app processes), then SIGKILL whatever is left."""
        pgid = self.proc.pid
        try:
            os.killpg(pgid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=20)


@pytest.fixture(params=["en", "ja"])
def server(request, tmp_path):
    srv = Server(tmp_path, request.param)
    try:
        srv.wait_listening()
        yield srv
    finally:
        srv.stop()


def _wait_text(ws, received: Received, wanted: list[str], since: int = 0) -> None:
    """Until every string in ``wanted`` has reached the page (after frame ``since``)."""

    def done(_payload=None) -> bool:
        text = received.text(since)
        return all(w in text for w in wanted)

    if not done():
        # frames are only delivered inside a Playwright call, so none can slip in between
        ws.wait_for_event("framereceived", predicate=done, timeout=TIMEOUT_MS)


def _answer(server: Server) -> subprocess.CompletedProcess:
    return run_cli("--lang", "en", "answer", server.assessment_id, "cl-4.3-1", "implemented",
                   "--evidence", "scope v1.2", data_dir=server.data_dir)


def test_home_screen_and_an_opened_assessment_reach_the_browser(server: Server, tmp_path: Path):
    lang = server.lang
    report = json.loads(run_cli("report", server.assessment_id, "--json", data_dir=server.data_dir).stdout)
    org = report["organization"]
    received = Received()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            # listen from the socket's first frame: attached when the page opens it
            page.on("websocket", lambda ws: ws.on("framereceived", received.add))
            with page.expect_websocket(timeout=TIMEOUT_MS) as ws_info:
                page.goto(server.url, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
            ws = ws_info.value

            # the terminal has drawn (textual.js's own marker) and the splash is gone
            page.wait_for_selector("body.-first-byte", state="attached", timeout=TIMEOUT_MS)
            sync_api.expect(page.locator(".intro-dialog")).to_be_hidden(timeout=TIMEOUT_MS)
            # the home screen: its heading and the demo organisation in the list
            _wait_text(ws, received, [t("home.title", lang), org])

            # a participant clicks into the terminal and opens the (only, highlighted) assessment
            mark = received.mark()
            page.locator("#terminal").click()
            page.keyboard.press("Enter")
            filt = t("filter.all", lang)
            progress = t("q.progress", lang, answered=report["overall"]["answered"],
                         total=report["overall"]["total"], filter=filt)
            _wait_text(ws, received, [progress], since=mark)

            # this tab's app process is the one writer: another writer is refused meanwhile
            refused = _answer(server)
            assert refused.returncode == 1
            assert refused.stderr.strip() == f"isms-tui: {t('storage.locked', 'en', id=server.assessment_id)}"

            # closing the tab ends its app process, which lets go of the assessment
            page.close()
            deadline = time.monotonic() + TIMEOUT_MS / 1000
            while (r := _answer(server)).returncode != 0 and time.monotonic() < deadline:
                assert r.stderr.strip() == refused.stderr.strip(), r.stderr
            assert r.returncode == 0, r.stderr
        except Exception:
            if not page.is_closed():
                shot = tmp_path / "serve-failure.png"
                page.screenshot(path=str(shot))
                print(f"screenshot: {shot}\nserver log: {server.log_path}\n{server.log()}")
            print("text received:\n" + received.text()[-4000:])
            raise
        finally:
            browser.close()


@pytest.mark.parametrize("server", ["en"], indirect=True)
def test_a_second_tab_follows_an_assessment_another_process_edits(server: Server, tmp_path: Path):
    """While another process (the facilitator, here this test through the service) holds the
    assessment, a participant's tab that opens it is offered the read-only follow view, and
    after accepting sees the facilitator's item and answers as they change."""
    from isms_tui.service import Workspace

    ws = Workspace(server.data_dir)
    view = ws.view(server.assessment_id)
    org = view.assessment.organization
    item = next(i for i in view.items if view.status(i.id) is None)
    received = Received()
    with ws.open(server.assessment_id) as writer, sync_api.sync_playwright() as p:
        writer.show_position(item.id)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            page.on("websocket", lambda ws: ws.on("framereceived", received.add))
            with page.expect_websocket(timeout=TIMEOUT_MS) as ws_info:
                page.goto(server.url, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
            sock = ws_info.value
            page.wait_for_selector("body.-first-byte", state="attached", timeout=TIMEOUT_MS)
            _wait_text(sock, received, [t("home.title", "en"), org])

            # opening it: not the questionnaire and not only an error, but the offer
            mark = received.mark()
            page.locator("#terminal").click()
            page.keyboard.press("Enter")
            _wait_text(sock, received, ["read-only?"], since=mark)  # the offer's last words (it wraps)
            mark = received.mark()
            page.keyboard.press("Enter")  # yes is the default
            banner = t("follow.banner", "en", org=org).split(org)[0].strip()
            _wait_text(sock, received, [banner, item.title("en")], since=mark)
            page.screenshot(path=str(tmp_path / "follow-tab.png"))

            # the facilitator answers: the tab shows the change
            mark = received.mark()
            writer.set_status(item.id, "partial")
            change = t("follow.change_status", "en", before=t("status.unanswered", "en"), after=t("status.partial", "en"))
            _wait_text(sock, received, [change], since=mark)
            assert writer.answer(item.id).status == "partial"  # the tab never took the writer's place
        except Exception:
            if not page.is_closed():
                shot = tmp_path / "serve-failure.png"
                page.screenshot(path=str(shot))
                print(f"screenshot: {shot}\nserver log: {server.log_path}\n{server.log()}")
            print("text received:\n" + received.text()[-4000:])
            raise
        finally:
            browser.close()
