"""isms-tui serve without a server: where it listens, what it warns about, what it hands textual-serve.

The served app in a real browser is tests/test_serve_browser.py.
"""

from __future__ import annotations

import pytest

from isms_tui import cli
from isms_tui.i18n import t


@pytest.mark.parametrize("host", [
    "127.0.0.1", "127.0.0.53", "127.255.255.254", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1",
    "localhost", "LOCALHOST", "localhost.", " 127.0.0.1 ",
])
def test_loopback_hosts(host):
    assert cli.is_loopback_host(host)


@pytest.mark.parametrize("host", [
    "0.0.0.0", "", "::", "[::]", "192.168.1.10", "10.0.0.1", "128.0.0.1", "::ffff:192.168.1.10", "fe80::1",
    "example.com", "workshop.local", "localhost.example.com", "127.0.0.1.example.com", "my-laptop",
])
def test_other_hosts_are_reachable_from_elsewhere(host):
    assert not cli.is_loopback_host(host)


@pytest.fixture
def served(monkeypatch):
    """cmd_serve's call to serve_app, recorded instead of starting a server."""
    import isms_tui.app

    calls: list[tuple[list[str], dict]] = []

    def fake_serve_app(app_args, **kwargs):
        calls.append((app_args, kwargs))
        return 0

    monkeypatch.setattr(isms_tui.app, "serve_app", fake_serve_app)
    return calls


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_binding_elsewhere_warns_no_authentication_in_the_users_language(served, capsys, lang):
    assert cli.main(["--lang", lang, "serve", "--host", "0.0.0.0", "--port", "8123"]) == 0
    err = capsys.readouterr().err
    assert err == f"isms-tui: {t('cli.serve_no_auth', lang, host='0.0.0.0', port=8123)}\n"
    # the README section the warning names exists under that title
    from tests.conftest import ROOT

    assert "## Serving a workshop in the browser\n" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Serving a workshop in the browser" in err
    assert served == [(["--lang", lang], {"host": "0.0.0.0", "port": 8123, "public_url": "http://0.0.0.0:8123"})]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_serves_without_a_warning(served, capsys, host, tmp_path):
    d = str(tmp_path / "d")
    assert cli.main(["--lang", "en", "--data-dir", d, "serve", "--host", host, "--port", "8124"]) == 0
    assert capsys.readouterr().err == ""
    url = "http://[::1]:8124" if host == "::1" else f"http://{host}:8124"
    assert served == [(["--lang", "en", "--data-dir", d], {"host": host, "port": 8124, "public_url": url})]


def test_default_is_loopback_port_8000(served, capsys):
    assert cli.main(["--lang", "en", "serve"]) == 0
    assert capsys.readouterr().err == ""
    assert served[0][1] == {"host": "127.0.0.1", "port": 8000, "public_url": "http://127.0.0.1:8000"}


def test_public_url_is_what_the_page_links_to(served, capsys):
    assert cli.main(["--lang", "en", "serve", "--public-url", "https://workshop.example.com/"]) == 0
    assert served[0][1]["public_url"] == "https://workshop.example.com"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_public_url_without_a_scheme_is_a_usage_error(served, capsys, lang):
    assert cli.main(["--lang", lang, "serve", "--public-url", "workshop.example.com"]) == 2
    err = capsys.readouterr().err
    assert t("cli.bad_public_url", lang) in err and len(err.strip().splitlines()) == 1
    assert served == []


def test_without_textual_serve_one_line_exit_1(served, capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "textual_serve" else real(name, *a))
    assert cli.main(["--lang", "en", "serve", "--host", "0.0.0.0"]) == 1
    assert capsys.readouterr().err == f"isms-tui: {t('cli.serve_missing', 'en')}\n"
    assert served == []


def test_serve_app_hands_textual_serve_the_command_and_the_public_url(monkeypatch):
    """The one place the real textual-serve Server is built, with a recorder in its place."""
    import sys

    import textual_serve.server  # in the test extra

    from isms_tui.app import serve_app

    made: list[tuple[str, dict]] = []

    class FakeServer:
        def __init__(self, command, **kwargs):
            made.append((command, kwargs))

        def serve(self):
            made.append(("served", {}))

    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    assert serve_app(["--lang", "en", "--data-dir", "/tmp/a b"], host="::1", port=9000,
                     public_url="http://[::1]:9000") == 0
    command, kwargs = made[0]
    assert command.endswith("-m isms_tui --lang en --data-dir '/tmp/a b'") and sys.executable in command
    assert kwargs == {"host": "::1", "port": 9000, "title": "isms-tui", "public_url": "http://[::1]:9000"}
    assert made[1] == ("served", {})
