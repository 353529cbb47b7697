"""`make serve`: the TUI in a browser through textual-serve, for a consultant running a
workshop remotely. Listens on 127.0.0.1 only; put it behind your own tunnel or proxy."""

from __future__ import annotations

import argparse
import shlex
import sys


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m isms_tui.serve")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("app_args", nargs="*", help="arguments passed to isms-tui (e.g. --lang en)")
    args = ap.parse_args(argv)
    try:
        from textual_serve.server import Server
    except ImportError:
        print("isms-tui: textual-serve is not installed (pip install 'isms-tui[serve]')", file=sys.stderr)
        return 1
    command = " ".join([shlex.quote(sys.executable), "-m", "isms_tui", *map(shlex.quote, args.app_args)])
    Server(command, host=args.host, port=args.port, title="isms-tui").serve()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
