"""isms-tui: ISO/IEC 27001 readiness self-assessment in the terminal.

The package root and every module outside ``isms_tui.screens`` and ``isms_tui.app`` form the
core, which never imports Textual (checked by import-linter in ``make test``).
"""

__version__ = "0.1.0"
