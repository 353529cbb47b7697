"""The command line (a stable interface: users and scripts depend on it).

Errors are one line on stderr: exit 2 for usage, 1 for data. No traceback reaches a user;
an unexpected error is logged to ``DATA_DIR/error.log``.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .banks import check_paths
from .documents import DOC_KINDS, DOCUMENT_STATES
from .findings import GRADES, SOURCES
from .i18n import LANGS, default_lang, t
from .internal_audit import RESULTS as AUDIT_RESULTS
from .model import EDITIONS, KINDS, STATUSES, Assessment, UserError
from .paths import resolve_data_dir
from .preaudit import MONTHS
from .scoring import pct
from .service import StorageError
from .soa_decisions import control_ref, reasons_text


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="isms-tui", description="ISO/IEC 27001 readiness self-assessment (TUI and CLI).")
    p.add_argument("--version", action="version", version=f"isms-tui {__version__}")
    p.add_argument("--data-dir", help="data folder (default: $ISMS_TUI_DATA_DIR or the platform's user data folder)")
    p.add_argument("--lang", choices=LANGS, help="language (default: from the locale)")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    n = sub.add_parser("new", help="create an assessment and print its id")
    n.add_argument("--org", help="organization name (without flags on a terminal: a short wizard, then the TUI)")
    n.add_argument("--scope", help="ISMS scope")
    n.add_argument("--kind", choices=KINDS, help="default: initial")
    n.add_argument("--edition", choices=EDITIONS, help="default: 2022")
    n.add_argument("--lang", dest="sub_lang", choices=LANGS)
    n.add_argument("--target-date", help="target audit date, YYYY-MM-DD")
    n.add_argument("--certification-date", help="date of the current certificate (renewals), YYYY-MM-DD")
    n.add_argument("--bank", action="append", dest="banks", help="bank id to include (repeat; default by kind)")

    ls = sub.add_parser("list", help="list stored assessments")
    ls.add_argument("--json", action="store_true")

    o = sub.add_parser("open", help="open an assessment in the TUI at its first unanswered item "
                                    "(when it is being edited elsewhere: offers to follow it read-only)")
    o.add_argument("id")

    fo = sub.add_parser("follow", help="follow an assessment someone else is editing, read only (never takes its lock)")
    fo.add_argument("id")

    b = sub.add_parser("banks", help="list or check question banks")
    bsub = b.add_subparsers(dest="banks_command", parser_class=_Parser, required=True)
    bsub.add_parser("list", help="list installed banks with their counts")
    bc = bsub.add_parser("check", help="check bank files or folders")
    bc.add_argument("paths", nargs="+")

    e = sub.add_parser("export", help="write the Excel workbook")
    e.add_argument("id")
    e.add_argument("--xlsx", help="output path (default: organization and date in the current folder)")
    e.add_argument("--lang", dest="sub_lang", choices=LANGS)

    tr = sub.add_parser("transition", help="create a 2022 assessment from a 2013 one")
    tr.add_argument("id")

    nc = sub.add_parser("next-cycle", help="start the next cycle from an assessment (which is not changed): answers "
                                           "carry over to re-confirm, with open actions and findings and the registers; "
                                           "prints the new id")
    nc.add_argument("id")
    nc.add_argument("--target-date", help="the next audit date, YYYY-MM-DD")
    nc.add_argument("--organization", help="the organization's name, when it changed")
    nc.add_argument("--kind", choices=KINDS, help="default: renewal once certified, else the previous kind")

    r = sub.add_parser("restore", help="replace a damaged assessment file by its last good backup")
    r.add_argument("id")
    r.add_argument("--force", action="store_true", help="restore even when the file is not damaged (it goes to the trash)")

    d = sub.add_parser("delete", help="move an assessment to the trash folder")
    d.add_argument("id")

    sv = sub.add_parser("serve", help="serve the TUI in a browser (textual-serve) on 127.0.0.1, without authentication")
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--public-url", help="the address browsers open, when a proxy or tunnel serves it elsewhere "
                                         "(e.g. https://workshop.example.com; default: http://HOST:PORT)")

    rp = sub.add_parser("report", help="readiness, the stage 1 gate, contradictions and the plan (text or --json)")
    rp.add_argument("id")
    rp.add_argument("--json", action="store_true", help="stable JSON (fields documented in the README)")
    rp.add_argument("--lang", dest="sub_lang", choices=LANGS)

    cp = sub.add_parser("compare", help="this cycle against the previous ones: readiness per section, answers that "
                                        "got worse, actions carried over, findings that recurred (text or --json)")
    cp.add_argument("id")
    cp.add_argument("--json", action="store_true", help="stable JSON (fields documented in the README)")
    cp.add_argument("--lang", dest="sub_lang", choices=LANGS)

    mi = sub.add_parser("minutes", help="the minutes of a workshop session (Markdown to stdout, or -o PATH; --format xlsx)")
    mi.add_argument("id")
    mi.add_argument("--session", help="session id (default: the most recent session)")
    mi.add_argument("--format", choices=("md", "xlsx"), default="md", help="default: md")
    mi.add_argument("-o", "--output", help="file to write (default: Markdown to stdout; xlsx: organization, "
                                           "session date and id in the current folder)")
    mi.add_argument("--lang", dest="sub_lang", choices=LANGS, help="default: the assessment's language")

    an = sub.add_parser("answer", help="set one answer (same checks, lock and save as the TUI)")
    an.add_argument("id")
    an.add_argument("item", help="question id, e.g. cl-4.3-1")
    an.add_argument("status", choices=(*STATUSES, "unanswered"), help="the answer; 'unanswered' clears it")
    an.add_argument("--note")
    an.add_argument("--evidence")
    an.add_argument("--na-justification", help="why the item does not apply (required with not_applicable)")
    an.add_argument("--last-done", help="date a recurring activity was last done, YYYY-MM-DD")

    so = sub.add_parser("soa", help="show the Statement of Applicability, or record the decision for one control")
    so.add_argument("id")
    so.add_argument("control", nargs="?", help="Annex A control of the assessment's edition, e.g. 5.15 or A.5.15")
    so.add_argument("--applicable", choices=("yes", "no", "auto"), help="'auto' follows the answers again")
    so.add_argument("--reasons", help="why it is included besides risk treatment: legal, contract, business, baseline "
                                      "(comma separated; '' clears)")
    so.add_argument("--justification", help="why it is included or excluded, in the company's words")
    so.add_argument("--implementation", help="how it is implemented, or the document that says so")
    so.add_argument("--owner")

    fl = sub.add_parser("findings", help="list the findings register (open majors block the certification decision)")
    fl.add_argument("id")
    fl.add_argument("--json", action="store_true")
    fl.add_argument("--lang", dest="sub_lang", choices=LANGS)

    fa = sub.add_parser("finding", help="record one finding of an audit or an incident, or delete one with KEY --delete "
                                        "(same checks, lock and save as the TUI)")
    fa.add_argument("id")
    fa.add_argument("key", nargs="?", help="with --delete: the finding (F-03 or its id)")
    fa.add_argument("--delete", action="store_true", help="delete finding KEY and its corrective action in the plan")
    fa.add_argument("--grade", choices=GRADES, help="major, minor, observation or ofi (opportunity for improvement)")
    fa.add_argument("--ref", help="the requirement: a clause (9.2, 'clause 6.1.2') or an Annex A control (A.5.15)")
    fa.add_argument("--description", help="what was found")
    fa.add_argument("--source", choices=SOURCES, help="default: internal_audit")
    fa.add_argument("--raised-on", help="YYYY-MM-DD (default: today)")
    fa.add_argument("--raised-by", help="the auditor")
    fa.add_argument("--correction")
    fa.add_argument("--root-cause")
    fa.add_argument("--action", help="the corrective action (a plan action while the finding is not closed)")
    fa.add_argument("--owner")
    fa.add_argument("--due", help="YYYY-MM-DD")

    au = sub.add_parser("audits", help="the internal audit programme: audits, independence and coverage warnings")
    au.add_argument("id")
    au.add_argument("--json", action="store_true")
    au.add_argument("--lang", dest="sub_lang", choices=LANGS)

    ad = sub.add_parser("audit", help="plan or change an internal audit, show its checklist, or record a line's result "
                                      "(same checks, lock and save as the TUI)")
    ad.add_argument("id")
    ad.add_argument("key", nargs="?", help="the audit (IA-01 or its id); without it, a new audit is planned")
    ad.add_argument("--title")
    ad.add_argument("--planned", help="YYYY-MM-DD")
    ad.add_argument("--done", dest="done_on", help="the date the audit was done, YYYY-MM-DD ('' clears)")
    ad.add_argument("--scope", help="clauses, Annex A themes or controls, e.g. 'clause 9, A.5, A.8.15'")
    ad.add_argument("--lead", help="the lead auditor")
    ad.add_argument("--auditors", help="the other auditors, comma separated")
    ad.add_argument("--auditees", help="the auditees / process owners of the audited areas, comma separated")
    ad.add_argument("--checklist", action="store_true", help="print the audit's checklist (numbered lines)")
    ad.add_argument("--line", type=int, help="the checklist line to record (its number in --checklist)")
    ad.add_argument("--result", choices=(*AUDIT_RESULTS, "none"), help="the auditor's result; 'none': not audited yet")
    ad.add_argument("--note", help="the auditor's note (a finding's description)")
    ad.add_argument("--evidence", help="the evidence seen")
    ad.add_argument("--json", action="store_true", help="with --checklist: JSON")
    ad.add_argument("--lang", dest="sub_lang", choices=LANGS)


    ca = sub.add_parser("calendar", help="print the annual plan (certificate, audit dates, yearly activities laid back "
                                         "from the next audit), or record them (same checks, lock and save as the TUI)")
    ca.add_argument("id")
    ca.add_argument("--json", action="store_true")
    ca.add_argument("--lang", dest="sub_lang", choices=LANGS)
    ca.add_argument("--set", dest="cal_set", action="append", metavar="FIELD=VALUE",
                    help="the certificate: number, body, issued, expires, or an audit's date: "
                         "stage1|stage2|surveillance_1|surveillance_2|recertification + _planned|_done "
                         "(e.g. --set surveillance_1_done=2026-03-02); an empty value clears")
    ca.add_argument("--activity", dest="cal_activity", action="append", nargs="+", metavar="ARG",
                    help="an activity (training, supplier_review, risk_review, policy_review, internal_audit, "
                         "management_review, or your own activity's name) then FIELD=VALUE: last_done, owner, "
                         "every (months), lead (days before the audit), e.g. --activity internal_audit last_done=2026-11-20")
    ca.add_argument("--add-activity", dest="cal_add", action="append", nargs="+", metavar="ARG",
                    help="add your own activity: its name then FIELD=VALUE as for --activity")
    ca.add_argument("--remove-activity", dest="cal_remove", action="append", metavar="NAME",
                    help="remove one of your own activities")


    pa = sub.add_parser("preaudit", help="the stage 1 checklist and the stage 2 sampling list (text or --json)")
    pa.add_argument("id")
    pa.add_argument("--json", action="store_true")
    pa.add_argument("--lang", dest="sub_lang", choices=LANGS)

    dl = sub.add_parser("documents", help="list the documents & records register with the state of each entry")
    dl.add_argument("id")
    dl.add_argument("--json", action="store_true")
    dl.add_argument("--lang", dest="sub_lang", choices=LANGS)

    do = sub.add_parser("document", help="record one entry of the documents & records register "
                                         "(same checks, lock and save as the TUI)")
    do.add_argument("id")
    do.add_argument("entry", nargs="?", help="the entry: its id, its catalogue id (e.g. scope, policy; added when not "
                                             "listed yet) or its name")
    do.add_argument("--add", metavar="NAME", help="add the company's own document with this name (needs --refs)")
    do.add_argument("--remove", action="store_true", help="remove the entry from the register")
    do.add_argument("--state", choices=DOCUMENT_STATES)
    do.add_argument("--kind", choices=DOC_KINDS)
    do.add_argument("--name", help="the name your company uses ('' for the catalogue's)")
    do.add_argument("--refs", help="requirements: clauses and Annex A controls, e.g. '7.5.1, A.5.10'")
    do.add_argument("--location", help="a path, a URL, or a binder and shelf")
    do.add_argument("--version")
    do.add_argument("--owner")
    do.add_argument("--approved-by")
    do.add_argument("--approved-on", help="YYYY-MM-DD")
    do.add_argument("--next-review", help="YYYY-MM-DD")
    do.add_argument("--note")

    sa = sub.add_parser("sampling", help="show the stage 2 sampling list, or record what you hold of one record type")
    sa.add_argument("id")
    sa.add_argument("record_type", nargs="?", help="e.g. access_reviews, change_records (see the list)")
    sa.add_argument("--months", choices=MONTHS, help="months of records held (default: from --oldest)")
    sa.add_argument("--location", help="where the records are")
    sa.add_argument("--oldest", help="date of the oldest record held, YYYY-MM-DD")
    sa.add_argument("--reason", help="why the record type does not apply (with --months not_applicable)")
    sa.add_argument("--note")
    sa.add_argument("--lang", dest="sub_lang", choices=LANGS)

    sub.add_parser("demo", help="create the demo assessment (a fictional 30-person company) and print its id")

    q = sub.add_parser("quick", help="line-mode quick assessment of the stage 1 blockers (or one bank)")
    q.add_argument("id", nargs="?", help="an existing assessment (default: create one)")
    q.add_argument("--bank", default="gate", help="bank id to walk instead of the stage 1 blockers")
    return p


def _out(text: str = "") -> None:
    print(text, flush=True)


def _workspace(args):
    from .service import Workspace

    return Workspace(resolve_data_dir(args.data_dir))


def cmd_banks(args, lang: str) -> int:
    from .banks import all_banks
    from .paths import builtin_banks_dir

    if args.banks_command == "check":
        problems = check_paths(args.paths)
        for prob in problems:
            _out(str(prob))
        if problems:
            return 1
        _out("ok")
        return 0
    data_dir = resolve_data_dir(args.data_dir)
    bankset = all_banks(data_dir / "banks")
    _out(t("cli.banks_header", lang))
    for bank in bankset.banks.values():
        # what the bank covers: controls (Annex A banks), clauses, or process steps
        primary = {"annex_a_2022": "controls", "annex_a_2013": "controls_2013", "clauses_2022": "clauses", "process": "steps"}
        field = primary.get(bank.kind)
        controls = {c for i in bank.items for c in (getattr(i, field) if field else i.refs)}
        origin = t("cli.builtin", lang) if bank.builtin else t("cli.custom", lang)
        _out(
            f"{bank.id:<30} {bank.kind:<14} v{bank.version:<3} {len(bank.sections):>4} {len(bank.items):>5} "
            f"{len(controls):>5}  {origin}  {bank.title[lang]}"
        )
    from .catalog import catalog

    cat = catalog()
    _out(t("cli.mapping_line", lang, n22=len(cat.mapping), n13=len(cat.controls_2013)))
    _out(t("cli.banks_dirs", lang, builtin=builtin_banks_dir(), custom=data_dir / "banks"))
    for prob in bankset.problems:
        print(str(prob), file=sys.stderr)
    return 0


def cmd_new(args, lang: str) -> int:
    ws = _workspace(args)
    given = {k: v for k, v in (("scope", args.scope), ("kind", args.kind), ("edition", args.edition),
                               ("lang", args.sub_lang), ("target_date", args.target_date),
                               ("certification_date", args.certification_date), ("banks", args.banks))
             if v is not None}  # the rest: the Assessment's own defaults
    if args.org is None:
        if given:
            raise UsageError(t("cli.new_needs_org", lang))
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError(t("cli.new_needs_flags", lang))
        from .quick import new_wizard

        aid = new_wizard(ws, lang)
        if aid is None:
            return 1
        _out(aid)
        return cmd_tui(args, lang, open_id=aid)
    a = Assessment(organization=args.org, **({"lang": lang} | given))
    ws.create(a)
    _out(a.id)
    return 0


def cmd_list(args, lang: str) -> int:
    ws = _workspace(args)
    rows = ws.summaries()
    if args.json:
        _out(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=1))
        return 0
    if not rows:
        _out(t("cli.no_assessments", lang))
        return 0
    _out(t("cli.list_header", lang))
    for r in rows:
        if r.error:
            label = t("cli.damaged", lang) if r.damaged else t("cli.unreadable", lang)
            _out(f"{r.id}  {label}: {r.message(lang)}")
            continue
        kind = t(f"kind.{r.kind}", lang)
        _out(f"{r.id}  {r.organization}  {kind}  {r.edition}  {r.updated[:16].replace('T', ' ')}  {pct(r.readiness)}  {pct(r.coverage)}")
    return 0


def cmd_export(args, lang: str) -> int:
    from .exports.xlsx import default_filename, export_assessment

    ws = _workspace(args)
    assessment, _, _ = ws.load(args.id)
    out_lang = args.sub_lang or args.lang or assessment.lang
    path = Path(args.xlsx) if args.xlsx else Path.cwd() / default_filename(assessment)
    written = export_assessment(ws, args.id, path, lang=out_lang)
    _out(str(written))
    return 0


def cmd_transition(args, lang: str) -> int:
    from .transition import transition

    ws = _workspace(args)
    result = transition(ws, args.id)
    for line in result.report_lines(lang):
        _out(line)
    _out(result.new_id)
    return 0


def cmd_next_cycle(args, lang: str) -> int:
    from .next_cycle import next_cycle

    ws = _workspace(args)
    _out(next_cycle(ws, args.id, target_date=args.target_date, organization=args.organization, kind=args.kind).new_id)
    return 0


def cmd_restore(args, lang: str) -> int:
    ws = _workspace(args)
    backup, moved = ws.restore(args.id, force=args.force)
    if moved is None:
        _out(t("cli.restored_missing", lang, id=args.id, backup=backup))
    else:
        _out(t("cli.restored", lang, id=args.id, backup=backup, trash=moved))
    return 0


def cmd_delete(args, lang: str) -> int:
    ws = _workspace(args)
    where = ws.delete(args.id)
    _out(t("cli.deleted", lang, id=args.id, path=where))
    return 0


def cmd_report(args, lang: str) -> int:
    from .report import report_json, report_text

    ws = _workspace(args)
    view = ws.view(args.id)
    out_lang = args.sub_lang or args.lang or view.assessment.lang
    if args.json:
        _out(json.dumps(report_json(view, out_lang), ensure_ascii=False, indent=1))
    else:
        for line in report_text(view, out_lang):
            _out(line)
    return 0


def cmd_compare(args, lang: str) -> int:
    from .compare import comparison_json, comparison_text

    ws = _workspace(args)
    cmp = ws.compare(args.id)
    out_lang = args.sub_lang or args.lang or cmp.current.assessment.lang
    if args.json:
        _out(json.dumps(comparison_json(cmp, out_lang), ensure_ascii=False, indent=1))
    else:
        for line in comparison_text(cmp, out_lang):
            _out(line)
    return 0


def cmd_minutes(args, lang: str) -> int:
    from .exports.minutes import minutes_bytes, minutes_filename, minutes_markdown, resolve_session

    ws = _workspace(args)
    view = ws.view(args.id)
    wid = resolve_session(view, args.session)
    out_lang = args.sub_lang or view.assessment.lang
    if args.format == "md" and not args.output:
        sys.stdout.write(minutes_markdown(view, wid, out_lang))
        sys.stdout.flush()
        return 0
    path = Path(args.output).expanduser() if args.output else Path.cwd() / minutes_filename(view, wid, args.format)
    _out(str(ws.write_file(path, minutes_bytes(view, wid, args.format, out_lang))))
    return 0


def cmd_answer(args, lang: str) -> int:
    ws = _workspace(args)
    status = None if args.status == "unanswered" else args.status
    fields = {k: v for k, v in (("note", args.note), ("evidence", args.evidence), ("last_done", args.last_done),
                                ("na_justification", args.na_justification)) if v is not None}
    with ws.open(args.id) as s:
        s.save_answer(args.item, status, answered_by="cli", **fields)
    _out(t("cli.answered", lang, item=args.item, status=t(f"status.{status or 'unanswered'}", lang)))
    return 0


def cmd_soa(args, lang: str) -> int:
    """Without options: the SoA rows (one control per line, or the one asked for); with options:
    the decision for one control, saved through the same checks, lock and save as the TUI."""
    ws = _workspace(args)
    fields = {k: getattr(args, k) for k in ("reasons", "justification", "implementation", "owner")
              if getattr(args, k) is not None}
    if args.applicable is not None:
        fields["applicable"] = {"yes": True, "no": False, "auto": None}[args.applicable]
    if fields and not args.control:
        raise UsageError(t("cli.soa_needs_control", lang))
    if fields:
        with ws.open(args.id) as s:
            s.set_soa_decision(args.control, **fields)
    view = ws.view(args.id)
    rows = view.soa
    if args.control:
        key = control_ref(args.control, view.assessment.edition).key
        rows = [r for r in rows if r.ref.key == key]
    for row in rows:
        reasons = reasons_text(row.reasons, [r.label for r in row.risks], lang).replace("\n", "; ") or "-"
        _out("\t".join((row.ref.label(lang), t("xlsx.yes" if row.applicable else "xlsx.no", lang), reasons,
                        t(f"status.{row.status or 'unanswered'}", lang), row.justification.replace("\n", " ") or "-")))
    if fields:
        _out(t("cli.soa_saved", lang, control=rows[0].ref.label(lang)))
    return 0


def cmd_findings(args, lang: str) -> int:
    from .report import finding_json, findings_text

    ws = _workspace(args)
    view = ws.view(args.id)
    out_lang = args.sub_lang or args.lang or view.assessment.lang
    if args.json:
        _out(json.dumps({"findings": [finding_json(r, out_lang) for r in view.findings],
                         "certification_blockers": [r.finding.label for r in view.certification_blockers]},
                        ensure_ascii=False, indent=1))
        return 0
    if not view.findings:
        _out(t("cli.findings_none", out_lang))
        return 0
    for line in findings_text(view, out_lang)[1:]:
        _out(line.removeprefix("  "))
    return 0


def cmd_finding(args, lang: str) -> int:
    ws = _workspace(args)
    if args.delete or args.key:
        if not (args.delete and args.key):
            raise UsageError(t("cli.finding_delete_usage", lang))
        with ws.open(args.id) as s:
            f = s.remove_finding(args.key)
        _out(t("cli.finding_deleted", lang, label=f.label, ref=f.requirement.full(lang)))
        return 0
    if not (args.grade and args.ref and args.description):
        raise UsageError(t("cli.finding_need", lang))
    values = {k: getattr(args, k) for k in ("grade", "ref", "description", "source", "raised_on", "raised_by",
                                            "correction", "root_cause", "action", "owner", "due")
              if getattr(args, k) is not None}
    with ws.open(args.id) as s:
        f = s.add_finding(**values)
    _out(t("cli.finding_added", lang, label=f.label, ref=f.requirement.full(lang)))
    return 0


def cmd_audits(args, lang: str) -> int:
    from .audit_report import programme_json, programme_text

    view = _workspace(args).view(args.id)
    out_lang = args.sub_lang or args.lang or view.assessment.lang
    if args.json:
        _out(json.dumps(programme_json(view, out_lang), ensure_ascii=False, indent=1))
        return 0
    for line in programme_text(view, out_lang):
        _out(line)
    return 0


AUDIT_ARGS = ("title", "planned", "done_on", "scope", "lead", "auditors", "auditees")


def cmd_audit(args, lang: str) -> int:
    from .audit_report import audit_line, checklist_text, line_json, result_label

    ws = _workspace(args)
    values = {k: getattr(args, k) for k in AUDIT_ARGS if getattr(args, k) is not None}
    recording = args.line is not None or any(v is not None for v in (args.result, args.note, args.evidence))
    if recording and (args.line is None or not args.key):
        raise UsageError(t("cli.audit_line_usage", lang))
    if recording and values:
        raise UsageError(t("cli.audit_one_thing", lang))
    if not args.key and not values:
        raise UsageError(t("cli.audit_usage", lang))
    out_lang = args.sub_lang or args.lang
    with ws.open(args.id) as s:
        out_lang = out_lang or s.assessment.lang
        if not args.key:
            audit = s.add_audit(**values)
            _out(t("cli.audit_added", out_lang, label=audit.label, title=audit.title))
        elif values:
            audit = s.update_audit(args.key, **values)
            _out(t("cli.audit_saved", out_lang, label=audit.label))
        elif recording:
            result = None if args.result is None else ("" if args.result == "none" else args.result)
            line, finding, what = s.record_audit_line(args.key, args.line, result=result, note=args.note,
                                                      evidence=args.evidence)
            audit = s.audits.audits[line.audit]
            _out(t("cli.audit_line_saved", out_lang, label=audit.label, n=args.line,
                   result=result_label(line.result, out_lang)))
            if what:
                label = finding.label if finding is not None else ""
                _out(t(f"audit.finding.{what}", out_lang, label=label or "-"))
        else:
            audit = s.get_audit(args.key)
        view = s.view()
    row = view.audit_programme.row(audit.id)
    assert row is not None
    if args.checklist:
        if args.json:
            _out(json.dumps({"audit": audit.label, "lines": [line_json(view, ln, out_lang) for ln in row.lines],
                             "independence": [p.message(out_lang) for p in row.problems]}, ensure_ascii=False, indent=1))
            return 0
        else:
            for text in checklist_text(view, row, out_lang):
                _out(text)
    elif not (values or recording):
        _out(audit_line(row, out_lang))
    for p in row.problems:
        _out("! " + p.message(out_lang))
    return 0


def _pairs(raw: list[str], lang: str) -> dict[str, str]:
    out = {}
    for item in raw:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise UsageError(t("error.calendar.bad_pair", lang, value=item[:40], example="last_done=2026-11-20"))
        out[name.strip()] = value.strip()
    return out


def cmd_calendar(args, lang: str) -> int:
    """Print the annual plan, or record the certificate and the activities. Every change is
    checked before anything is written: a bad date or a planned date in the past changes
    nothing."""
    from datetime import date

    from .annual_plan import Activity, activity_changes, certificate_changes, new_custom_key
    from .calendar_report import calendar_json, calendar_text

    ws = _workspace(args)
    cert = _pairs(args.cal_set or [], lang)
    acts = [(a[0], _pairs(a[1:], lang)) for a in args.cal_activity or []]
    adds = [(a[0], _pairs(a[1:], lang)) for a in args.cal_add or []]
    removes = args.cal_remove or []
    if cert or acts or adds or removes:
        with ws.open(args.id) as s:
            today = date.today()
            if cert:  # everything checked first, then written
                certificate_changes(cert, s.calendar, s.assessment, today)
            for key, values in acts:
                activity_changes(values, s.calendar.find(key), today)
            for name, values in adds:
                activity_changes(values, Activity(new_custom_key(), name=name), today)
            for key in removes:
                s.calendar.find(key)
            if cert:
                s.set_certificate(today, **cert)
            for key, values in acts:
                s.update_activity(key, today, **values)
            for name, values in adds:
                s.add_activity(name, today, **values)
            for key in removes:
                s.remove_activity(key)
        _out(t("cli.calendar_saved", lang, id=args.id))
    view = ws.view(args.id)
    out_lang = args.sub_lang or args.lang or view.assessment.lang
    if args.json:
        _out(json.dumps(calendar_json(view.annual_plan, out_lang), ensure_ascii=False, indent=1))
    else:
        for line in calendar_text(view.annual_plan, view.assessment.organization, out_lang):
            _out(line)
    return 0


def cmd_preaudit(args, lang: str) -> int:
    from .preaudit_report import preaudit_json, preaudit_text

    view = _workspace(args).view(args.id)
    out_lang = args.sub_lang or args.lang or view.assessment.lang
    if args.json:
        _out(json.dumps(preaudit_json(view, out_lang), ensure_ascii=False, indent=1))
        return 0
    for line in preaudit_text(view, out_lang):
        _out(line)
    return 0


def cmd_documents(args, lang: str) -> int:
    from .preaudit_report import document_line, documents_json

    view = _workspace(args).view(args.id)
    out_lang = args.sub_lang or args.lang or view.assessment.lang
    if args.json:
        _out(json.dumps(documents_json(view, out_lang), ensure_ascii=False, indent=1))
        return 0
    if not view.documents:
        _out(t("cli.documents_none", out_lang))
        return 0
    for row in view.documents:
        _out(document_line(row, out_lang))
    return 0


_DOCUMENT_ARGS = ("state", "kind", "name", "refs", "location", "version", "owner", "approved_by", "approved_on",
                  "next_review", "note")


def cmd_document(args, lang: str) -> int:
    """Add, change or remove one register entry through the session (the TUI's checks)."""
    fields = {k: getattr(args, k) for k in _DOCUMENT_ARGS if getattr(args, k) is not None}
    if args.add is not None and args.entry:
        raise UsageError(t("cli.document_add_and_entry", lang, entry=args.entry))
    if args.add is None and not args.entry:
        raise UsageError(t("cli.document_needs_entry", lang))
    ws = _workspace(args)
    with ws.open(args.id) as s:
        if args.add is not None:
            entry = s.add_document(**fields | {"name": args.add})
        else:
            entry = s.find_document(args.entry)
            if args.remove:
                if entry is None:
                    raise UserError("error.doc.unknown", id=args.entry)
                s.remove_document(entry.id)
                _out(t("cli.document_removed", lang, name=entry.display_name(lang)))
                return 0
            if entry is None:  # a catalogue document the register does not list yet
                entry = s.add_document(**fields | {"catalog_id": args.entry})
            else:
                entry = s.update_document(entry.id, **fields)
        row = next(r for r in s.view().documents if r.entry.id == entry.id)
    _out(t("cli.document_saved", lang, name=row.name(lang), state=t(f"doc.state.{row.state}", lang)))
    if row.warning:
        print(f"isms-tui: {t(row.warning, lang, path=entry.location)}", file=sys.stderr)
    return 0


def cmd_sampling(args, lang: str) -> int:
    from .preaudit_report import sampling_line

    ws = _workspace(args)
    fields = {k: getattr(args, k) for k in ("months", "location", "oldest", "reason", "note")
              if getattr(args, k) is not None}
    if fields and not args.record_type:
        raise UsageError(t("cli.sampling_needs_type", lang))
    if args.record_type:
        with ws.open(args.id) as s:
            s.set_sampling(args.record_type, **fields)
            row = next(r for r in s.view().sampling if r.record.id == args.record_type)
        out_lang = args.sub_lang or args.lang or lang
        _out(t("cli.sampling_saved", out_lang, name=row.record.title[out_lang],
               state=t(f"pre.sampling.state.{row.state}", out_lang)))
        if row.action is not None:
            _out(f"  > {row.action.first_line(out_lang)}")
        return 0
    view = ws.view(args.id)
    out_lang = args.sub_lang or args.lang or view.assessment.lang
    for row in view.sampling:
        _out(sampling_line(row, out_lang))
    return 0


def cmd_demo(args, lang: str) -> int:
    from .demo import create_demo

    ws = _workspace(args)
    _out(create_demo(ws, lang))
    return 0


def cmd_quick(args, lang: str) -> int:
    from .quick import quick

    quick(_workspace(args), lang, args.id, scope=args.bank)
    return 0


def is_loopback_host(host: str) -> bool:
    """Whether listening on ``host`` keeps the server on this machine: 127.0.0.0/8, ::1
    (also IPv4-mapped, and in brackets) or the name localhost. Any other name or address,
    including 0.0.0.0 and "" (every interface), is reachable from elsewhere."""
    import ipaddress

    name = host.strip().rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        ip = ipaddress.ip_address(name.removeprefix("[").removesuffix("]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def serve_public_url(host: str, port: int, public_url: str | None, lang: str) -> str:
    """The address the served page links its scripts and websocket to (textual-serve writes it
    into the page): the one given, else http://HOST:PORT with an IPv6 address in brackets."""
    if public_url:
        if not public_url.startswith(("http://", "https://")):
            raise UsageError(t("cli.bad_public_url", lang))
        return public_url.rstrip("/")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def cmd_serve(args, lang: str) -> int:
    import importlib.util

    url = serve_public_url(args.host, args.port, args.public_url, lang)
    if importlib.util.find_spec("textual_serve") is None:
        raise UserError("cli.serve_missing")
    if not is_loopback_host(args.host):
        print(f"isms-tui: {t('cli.serve_no_auth', lang, host=args.host, port=args.port)}", file=sys.stderr, flush=True)
    from .app import serve_app

    app_args = ["--lang", lang] + (["--data-dir", args.data_dir] if args.data_dir else [])
    return serve_app(app_args, host=args.host, port=args.port, public_url=url)


def cmd_tui(args, lang: str, open_id: str | None = None) -> int:
    if open_id is not None:
        from .service import LockedError

        ws = _workspace(args)
        ws.check(open_id)  # unknown, corrupt or future files: a one-line error, not a TUI
        try:
            with ws.open(open_id):  # refused here when another isms-tui holds it
                pass
        except LockedError:
            return offer_follow(args, lang, ws, open_id)
    from .app import run_app

    return run_app(resolve_data_dir(args.data_dir), lang=lang, open_id=open_id)


def offer_follow(args, lang: str, ws, assessment_id: str) -> int:
    """``open`` on an assessment another process is editing: on a terminal, ask whether to
    follow it read-only (yes by default); without one, say so and how (exit 1)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(f"isms-tui: {t('cli.follow_hint', lang, id=assessment_id)}", file=sys.stderr)
        return 1
    import questionary

    from .text import clean

    org = clean(ws.load(assessment_id)[0].organization, multiline=False)
    if not questionary.confirm(t("cli.follow_offer", lang, id=assessment_id, org=org), default=True).ask():
        print(f"isms-tui: {t('storage.locked', lang, id=assessment_id)}", file=sys.stderr)
        return 1
    return cmd_follow(args, lang, assessment_id)


def cmd_follow(args, lang: str, assessment_id: str | None = None) -> int:
    """The TUI on the read-only follow view (never takes the lock: the writer keeps writing)."""
    assessment_id = assessment_id or args.id
    _workspace(args).check(assessment_id)  # unknown, corrupt or future files: one line, no TUI
    from .app import run_app

    return run_app(resolve_data_dir(args.data_dir), lang=lang, follow_id=assessment_id)


def _log_error(args) -> Path | None:
    """Append the traceback (no local variables: no user data) to DATA_DIR/error.log."""
    from .service import log_error

    def text() -> str:
        return f"--- {datetime.now(UTC).isoformat()} isms-tui {__version__}\n" + traceback.format_exc()

    return log_error(resolve_data_dir(getattr(args, "data_dir", None)), text)


# Arguments that are text to store (not paths, which may be any bytes the file system allows).
_TEXT_ARGS = ("org", "scope", "target_date", "certification_date", "banks", "id", "bank", "host", "public_url",
              "session", "ref", "description", "raised_on", "raised_by", "correction", "root_cause", "action", "owner",
              "due", "key", "title", "planned", "done_on", "lead", "auditors", "auditees", "note", "evidence",
              "cal_set", "cal_remove", "entry", "add", "name", "refs", "location", "version",
              "approved_by", "approved_on", "next_review", "record_type", "oldest", "reason")


def _check_text_args(args, lang: str) -> None:
    """Refuse an argument the terminal passed as bytes that are not UTF-8 (exit 2)."""
    for name in _TEXT_ARGS:
        value = getattr(args, name, None)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    raise UsageError(t("cli.bad_text", lang, name="--" + name.replace("_", "-"))) from None


def main(argv: list[str] | None = None) -> int:
    lang = default_lang()
    args = argparse.Namespace(data_dir=None)
    try:
        args = build_parser().parse_args(argv)
        lang = args.lang or lang
        _check_text_args(args, lang)
        cmd = args.command
        if cmd is None:
            return cmd_tui(args, lang)
        if cmd == "open":
            return cmd_tui(args, lang, open_id=args.id)
        handler = {
            "new": cmd_new, "list": cmd_list, "banks": cmd_banks, "export": cmd_export,
            "transition": cmd_transition, "restore": cmd_restore, "delete": cmd_delete, "demo": cmd_demo,
            "quick": cmd_quick, "serve": cmd_serve, "report": cmd_report, "answer": cmd_answer,
            "minutes": cmd_minutes, "compare": cmd_compare, "findings": cmd_findings, "finding": cmd_finding,
            "soa": cmd_soa, "follow": cmd_follow, "next-cycle": cmd_next_cycle,
            "audits": cmd_audits, "audit": cmd_audit, "calendar": cmd_calendar,
            "preaudit": cmd_preaudit, "documents": cmd_documents, "document": cmd_document, "sampling": cmd_sampling,
        }[cmd]
        return handler(args, lang)
    except UsageError as exc:
        print(f"isms-tui: {exc} (see isms-tui --help)", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"isms-tui: {exc.localized(lang)}", file=sys.stderr)
        return 1
    except UserError as exc:
        print(f"isms-tui: {exc.message(lang)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
    except OSError as exc:  # a file problem no layer above named: the file and the cause, one line
        where = exc.filename if exc.filename is not None else "isms-tui"
        print(f"isms-tui: {t('cli.os_error', lang, path=where, reason=exc.strerror or type(exc).__name__)}", file=sys.stderr)
        return 1
    except Exception as exc:  # last resort: one line for the user, the traceback in the log
        log = _log_error(args)
        where = f" (details in {log})" if log else ""
        print(f"isms-tui: internal error: {type(exc).__name__}: {exc}{where}", file=sys.stderr)
        return 1
