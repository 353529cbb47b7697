"""Where things live: the data folder (assessments, backups, trash, custom banks) and the
built-in question banks."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "isms-tui"
ENV_DATA_DIR = "ISMS_TUI_DATA_DIR"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` wins, then ``$ISMS_TUI_DATA_DIR``, then the platform default."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    return default_data_dir()


def builtin_banks_dir() -> Path:
    """The question banks shipped with the package.

    A wheel carries them inside the package (``isms_tui/question_banks``); a source checkout or
    an editable install reads the repository's ``question_banks/`` folder.
    """
    here = Path(__file__).resolve().parent
    packaged = here / "question_banks"
    if packaged.is_dir():
        return packaged
    return here.parent / "question_banks"


def reference_dir() -> Path:
    return builtin_banks_dir() / "reference"
