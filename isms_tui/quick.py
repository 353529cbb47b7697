"""Line-mode quick assessment (questionary): for a terminal where the full TUI is not
wanted, or a first look in ten minutes. Walks the stage 1 blockers (or one bank), saves every
answer at once, and ends with readiness and the gate."""

from __future__ import annotations

import sys
from collections.abc import Callable

from .i18n import t
from .model import KINDS, Assessment, UserError
from .scoring import pct
from .service import Workspace

STATUS_ORDER = ("implemented", "partial", "not_implemented", "unknown")

Ask = Callable[[str, list[tuple[str, str]]], str | None]  # (message, [(label, value)]) -> value or None
AskText = Callable[[str], str | None]


def _questionary_asker() -> tuple[Ask, AskText]:
    import questionary

    def ask(message: str, choices: list[tuple[str, str]]) -> str | None:
        return questionary.select(message, choices=[questionary.Choice(title=label, value=value) for label, value in choices]).ask()

    def ask_text(message: str) -> str | None:
        return questionary.text(message).ask()

    return ask, ask_text


def quick(ws: Workspace, lang: str, assessment_id: str | None = None, *, scope: str = "gate",
          ask: Ask | None = None, ask_text: AskText | None = None, out=print) -> str:
    """Run the quick assessment; returns the assessment id. ``scope``: "gate" (the mandatory
    items) or a bank id."""
    if ask is None or ask_text is None:
        if not sys.stdin.isatty():
            raise UserError("wizard.needs_tty")
        ask, ask_text = _questionary_asker()
    if assessment_id is None:
        org = (ask_text(t("wizard.org", lang)) or "").strip()
        if not org:
            raise UserError("new.org_required")
        kind = ask(t("wizard.kind", lang), [(t(f"kind.{k}", lang), k) for k in KINDS]) or "initial"
        a = Assessment(organization=org, kind=kind, lang=lang)
        assessment_id = ws.create(a)
        out(t("wizard.created", lang, id=assessment_id))
    with ws.open(assessment_id) as s:
        items = [i for i in s.items if i.mandatory] if scope == "gate" else [i for i in s.items if i.bank_id == scope]
        if not items:
            raise UserError("wizard.no_items")
        choices = [(t(f"status.{st}", lang), st) for st in STATUS_ORDER] + [
            (t("wizard.skip", lang), "skip"), (t("wizard.stop", lang), "stop")]
        for n, item in enumerate(items, 1):
            out(f"\n[{n}/{len(items)}] {item.heading(lang)}")
            out(item.why[lang])
            answer = ask(item.question[lang], choices)
            if answer in (None, "stop"):
                break
            if answer != "skip":
                s.set_status(item.id, answer, answered_by="quick")
        view = s.view()
        out("")
        out(t("wizard.result", lang, readiness=pct(view.overall.readiness), coverage=pct(view.overall.coverage)))
        gate = view.gate
        out(t("gate.ready", lang) if gate.ready else t("gate.not_ready", lang, n=len(gate.blockers)))
        for req in gate.blockers:
            out(f"  - {req.ref.full(lang)}: {t('gate.state.' + req.state, lang)}")
    out(assessment_id)
    return assessment_id
