"""Dashboard: overall readiness and coverage, the stage 1 gate and its blockers, a bar per
theme / domain / clause / step (select one to jump there), and the top priorities."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ..report import contradiction_line, register_disagreement_line
from ..scoring import pct
from ..service import Session
from ..text import display_width, truncate
from .base import Export, IsmsScreen, JumpToSection, ShowPlan, ShowQuestionnaire
from .common import bar, bar_style, retranslate_bindings, score_line
from .footer import IsmsFooter
from .guidance import wrap_lines


class DashboardScreen(IsmsScreen):
    BINDINGS = [
        Binding("q", "questionnaire", "Questions", id="questionnaire"),
        Binding("a", "plan", "Plan", id="plan"),
        Binding("x", "export", "Excel", id="export"),
        Binding("c", "changes", "Changes", id="changes"),
        Binding("v", "app.compare", "Compare", id="compare"),
        Binding("escape", "back", "Back", id="back"),
    ]

    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="dash-top"):
            yield Static(id="dash-overall", classes="card")
            yield Static(id="dash-gate", classes="card", markup=False)
        with Horizontal(id="dash-body"):
            yield OptionList(id="dash-bars")
            with VerticalScroll(id="dash-side"):
                yield Static(id="dash-priorities", markup=False)
        yield IsmsFooter()

    def on_mount(self) -> None:
        retranslate_bindings(self, self.lang)  # the data loads on resume (also sent on push)

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def on_resize(self) -> None:
        if self.is_mounted and self.app.screen is self:
            self.refresh_data()  # the bars, titles and lists follow the width and height

    def relabel(self) -> None:
        retranslate_bindings(self, self.lang)
        self.refresh_data()

    def refresh_data(self) -> None:
        lang = self.lang
        view = self.session.view()
        report = view.report
        o = report.overall
        overall = Text()
        labels = (self.tr("dash.readiness"), self.tr("dash.coverage"))
        bar_w = max(6, min(24, self.app.size.width // 2 - 4 - max(map(display_width, labels)) - 7))
        overall.append(labels[0] + "  ", style="bold")
        overall.append_text(bar(o.readiness, bar_w, style=bar_style(o.readiness)))
        overall.append(f" {pct(o.readiness)}\n", style="bold")
        overall.append(labels[1] + "  ")
        overall.append_text(bar(o.coverage, bar_w, style="on blue"))
        overall.append(f" {pct(o.coverage)}\n")
        overall.append(self.tr("dash.counts", answered=o.answered, total=o.total, unknown=o.unknown, na=o.not_applicable, gaps=o.gaps))
        if report.overdue:
            overall.append("\n" + self.tr("dash.overdue", n=len(report.overdue)), style="bold yellow")
        if view.reconfirm_items:  # a next cycle: last cycle's answers nobody has re-confirmed yet
            overall.append("\n" + self.tr("dash.reconfirm", n=len(view.reconfirm_items)), style="bold yellow")
        if view.open_changes:  # the audit asks what changed: c answers
            overall.append("\n" + self.tr("dash.changes_open", n=len(view.open_changes)), style="bold yellow")
        late = view.annual_plan.overdue if view.calendar_data.exists else []
        if late:  # the annual plan's overdue activities (F12), once the company keeps one
            line = self.tr("dash.calendar_overdue", n=len(late), names=", ".join(r.activity.title(lang) for r in late))
            overall.append("\n" + truncate(line, max(20, self.app.size.width // 2 - 4)), style="bold red")
        self.query_one("#dash-overall", Static).update(overall)

        gate = view.gate
        g = Text()
        height, width = self.app.size.height, self.app.size.width
        inner = max(24, width // 2 - 4)  # the gate card text width
        # contradictions and register disagreements listed one by one (their counts always
        # show; the text report and the workbook list them all): none on a short screen
        listed = 2 if height >= 45 else 1 if height >= 30 else 0
        if gate.ready:
            g.append(self.tr("gate.ready"), style="bold green")
        else:
            g.append(self.tr("gate.not_ready", n=len(gate.blockers)), style="bold red")
            # the room it has: every blocker on a tall screen, full titles on a wide one
            # (on a short screen each count line below takes a blocker's place)
            extra = bool(view.document_issues) + bool(view.findings)
            shown = len(gate.blockers) if height >= 45 else 6 if height >= 30 else {0: 3, 1: 2}.get(extra, 0)
            for req in gate.blockers[:shown]:
                head, state = f"- {req.ref.label(lang)} ", f" ({self.tr('gate.state.' + req.state)})"
                title_w = max(4, inner - display_width(head) - display_width(state))
                g.append(f"\n{head}{truncate(req.ref.title(lang), title_w)}{state}")
            if len(gate.blockers) > shown:
                g.append("\n" + self.tr("dash.more", n=len(gate.blockers) - shown))
            if view.document_issues:  # why: the documents the stage 1 auditor cannot see yet (F10)
                g.append("\n" + self.tr("dash.documents", n=len(view.document_issues)), style="bold yellow")
        if view.findings:  # the findings register: an open major blocks the certification decision
            if view.certification_blockers:
                g.append("\n" + self.tr("findings.blocked", n=len(view.certification_blockers),
                                         labels=", ".join(r.finding.label for r in view.certification_blockers)),
                         style="bold red")
            else:
                g.append("\n" + self.tr("dash.findings_open", n=len(view.open_findings)),
                         style="bold yellow" if view.open_findings else "")
        if view.contradictions:
            g.append("\n" + self.tr("dash.contradictions", n=len(view.contradictions)), style="bold yellow")
            for c in view.contradictions[:listed]:
                g.append("\n- " + contradiction_line(view, c, lang, short=True))
        if view.register_disagreements:
            g.append("\n" + self.tr("dash.register_disagreements", n=len(view.register_disagreements)),
                     style="bold yellow")
            for ref, item, status in view.register_disagreements[:listed]:
                g.append("\n- " + register_disagreement_line(view, ref, item, status, lang, short=True))
        # broken by the Japanese line-breaking rules; the cards as tall as their lines, within
        # half the screen (12 rows on 24: the English counts wrap to 5 lines at 80 columns)
        g = wrap_lines(g, inner)
        self.query_one("#dash-top").styles.max_height = max(12, height // 2 - 1)
        self.query_one("#dash-gate", Static).update(g)

        ol = self.query_one("#dash-bars", OptionList)
        keep = ol.highlighted
        avail = max(40, (self.app.size.width * 2) // 3 - 6)
        bar_w = max(8, min(24, avail // 4))
        label_w = max(12, avail - bar_w - 14)
        options: list[Option] = []
        for bank in self.session.banks:
            bs = report.banks[bank.id]
            options.append(Option(score_line(bank.title[lang], bs.readiness, bs.coverage, label_width=label_w, bar_width=bar_w),
                                  id=f"bank:{bank.id}", disabled=True))
            for sec in bank.sections:
                if sec.parent:  # 2013 objectives roll up into their domain
                    continue
                s = report.sections[(bank.id, sec.id)]
                options.append(Option(score_line("  " + sec.title[lang], s.readiness, s.coverage, label_width=label_w, bar_width=bar_w),
                                      id=f"{bank.id}:{sec.id}"))
        ol.set_options(options)
        if keep is not None and keep < len(options):
            ol.highlighted = keep

        plan = view.plan
        p = Text(self.tr("dash.priorities") + "\n", style="bold")
        for act in plan[:max(8, self.app.size.height - 22)]:  # whole, wrapped: the panel scrolls
            p.append(f"[{self.tr('priority.' + str(act.priority))}] ", style="bold red" if act.priority == 1 else "")
            p.append(f"{act.ref_label(lang)} {act.first_line(lang)}\n")
        if not plan:
            p.append(self.tr("dash.no_actions"))
        self.query_one("#dash-priorities", Static).update(p)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        bank_id, _, section_id = (event.option.id or "").partition(":")
        if bank_id != "bank":
            self.request(JumpToSection(bank_id, section_id))

    def action_questionnaire(self) -> None:
        self.request(ShowQuestionnaire())

    def action_plan(self) -> None:
        self.request(ShowPlan())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "changes":  # the change questions of a next cycle
            return bool(self.session.changes.records)
        return True

    async def action_changes(self) -> None:
        await self.run_action("app.changes")  # the dashboard refreshes when the dialog closes (on_screen_resume)

    def action_export(self) -> None:
        self.request(Export())

    def action_back(self) -> None:
        self.app.pop_screen()

