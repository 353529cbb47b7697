"""Line-mode quick assessment (questionary): for a terminal where the full TUI is not
wanted, or a first look in ten minutes. Walks the stage 1 blockers (or one bank), saves every
answer at once, and ends with readiness and the gate."""

from __future__ import annotations

import sys
from collections.abc import Callable

from .i18n import LANGS, t
from .model import EDITIONS, KINDS, Assessment, UserError, ValidationError, default_banks, parse_date
from .scoring import pct
from .service import Workspace

LANG_NAMES = {"ja": "\u65e5\u672c\u8a9e", "en": "English"}  # each language in its own name, as the new-assessment form
STATUS_ORDER = ("implemented", "partial", "not_implemented", "unknown")

Ask = Callable[[str, list[tuple[str, str]]], str | None]  # (message, [(label, value)]) -> value or None
AskText = Callable[[str], str | None]
# (message, [(label, value, checked)]) -> the values chosen, or None when cancelled
AskMany = Callable[[str, list[tuple[str, str, bool]]], list[str] | None]


def _questionary_asker() -> tuple[Ask, AskText]:
    import questionary

    def ask(message: str, choices: list[tuple[str, str]]) -> str | None:
        return questionary.select(message, choices=[questionary.Choice(title=label, value=value) for label, value in choices]).ask()

    def ask_text(message: str) -> str | None:
        return questionary.text(message).ask()

    return ask, ask_text


def _questionary_many(lang: str) -> AskMany:
    import questionary

    def ask_many(message: str, choices: list[tuple[str, str, bool]]) -> list[str] | None:
        return questionary.checkbox(message, choices=[questionary.Choice(title=label, value=value, checked=on)
                                                      for label, value, on in choices],
                                    instruction=t("wizard.checkbox_hint", lang)).ask()

    return ask_many


def new_wizard(ws: Workspace, lang: str, *, ask: Ask | None = None, ask_text: AskText | None = None,
               ask_many: AskMany | None = None, out=print) -> str | None:
    """`isms-tui new` on a terminal without flags: organization, scope, kind, edition,
    language, target date and banks, asked one after the other (a bad date is asked again);
    the assessment is created through the same checks as the form in the TUI. Returns its
    id, or None when the user cancels (ctrl+c / esc) before it is created."""
    if ask is None or ask_text is None or ask_many is None:
        if not sys.stdin.isatty():
            raise UserError("wizard.needs_tty")
        ask, ask_text = _questionary_asker()
        ask_many = _questionary_many(lang)
    org = ask_text(t("new.org", lang))
    if org is None:
        return None
    if not org.strip():
        raise UserError("new.org_required")
    scope = ask_text(t("new.scope", lang))
    kind = ask(t("new.kind", lang), [(t(f"kind.{k}", lang), k) for k in KINDS])
    edition = ask(t("new.edition", lang), [(e, e) for e in EDITIONS])
    doc_lang = ask(t("new.lang", lang), [(LANG_NAMES[x], x) for x in LANGS])
    if None in (scope, kind, edition, doc_lang):
        return None
    while True:
        target = ask_text(t("new.target", lang))
        if target is None:
            return None
        try:
            parse_date(target.strip() or None, what="target date")
            break
        except ValidationError as exc:
            out(exc.message(lang))
    defaults = default_banks(edition, kind)
    banks = ask_many(t("new.banks", lang), [(f"{b.title.get(lang) or b.id} ({b.id})", b.id, b.id in defaults)
                                             for b in ws.bankset.banks.values()])
    if banks is None:
        return None
    if not banks:
        raise UserError("new.no_banks")
    a = Assessment(organization=org, scope=scope, kind=kind, edition=edition, lang=doc_lang,
                   target_date=target.strip() or None, banks=banks)
    aid = ws.create(a)
    out(t("wizard.created", lang, id=aid))
    return aid


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
