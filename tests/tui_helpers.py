"""Shared set-up for the Pilot and snapshot tests: a data folder with the sample bank and a
deterministic assessment (fixed timestamps, dates far from today)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from isms_tui.model import ActionEdit, Answer, Assessment
from isms_tui.service import Workspace

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STAMP = "2026-05-01T09:00:00+00:00"
CONDITION_TIMEOUT = 120  # a safety net against hangs, never a speed expectation


async def wait_until(pilot, condition, what: str = "condition") -> None:
    """Wait for a condition, however long the machine takes to get there."""
    deadline = time.monotonic() + CONDITION_TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        await pilot.pause(0.01)


def make_data_dir(root: Path, *, with_assessment: bool = True, workshop: bool = False) -> tuple[Path, str | None]:
    d = root / "data"
    (d / "banks").mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURES / "sample_bank.toml", d / "banks" / "sample_bank.toml")
    if not with_assessment:
        return d, None
    ws = Workspace(d)
    a = Assessment(organization="Sample KK [bold]株式会社[/x]", scope="HQ", banks=["sample"], target_date="2099-06-01",
                   id="snap0001", created=STAMP, updated=STAMP)
    answers = [
        Answer("s-scope-1", status="implemented", note="承認済み [b]v2[/b]", created=STAMP, updated=STAMP),
        Answer("s-backup-1", status="partial", note="NASあり、復元テスト未実施", owner="IT 佐藤", created=STAMP, updated=STAMP),
        Answer("s-review-1", status="implemented", last_done="2099-01-10", created=STAMP, updated=STAMP),
    ]
    edits = [ActionEdit("question:s-backup-1", owner="IT 佐藤", due="2099-03-31", status="in_progress", progress="NAS購入済み", updated=STAMP)]
    data = workshop_data(answers) if workshop else None
    ws.create(a, answers, edits, workshop=data)
    return d, a.id


def add_register(data_dir: Path, assessment_id: str) -> None:
    """A small deterministic risk register for the snapshots of the asset ledger and the risk
    register: approved criteria, five assets (Japanese and English names, one with
    markup-like text that must show literally, one with no risk) and five risks across the
    bands (9 and 6 reduced to 3, 4 accepted with a full record, 4 with no treatment yet, 3
    acceptable). Every date is fixed (approval and acceptance in the past, until and due in
    2099), so nothing on those screens changes from one day to the next."""
    with Workspace(data_dir).open(assessment_id) as s:
        s.approve_criteria("代表取締役 山田", on="2026-04-01")
        customers = s.add_asset(name="顧客名簿(営業)", category="information", owner="営業部長 田中",
                                department="営業部", personal_data=True,
                                confidentiality=3, integrity=2, availability=2, last_reviewed="2026-04-01")
        nas = s.add_asset(name="[b]NAS[/b] backup server", category="system", owner="IT 佐藤",
                          location="Server room", confidentiality=2, integrity=3, availability=3,
                          last_reviewed="2026-04-01")
        laptops = s.add_asset(name="Sales laptops (12)", category="device", owner="Sales manager",
                              confidentiality=2, integrity=1, availability=2, last_reviewed="2026-04-01")
        contracts = s.add_asset(name="紙の契約書(キャビネット保管)", category="paper", owner="総務部 鈴木",
                                confidentiality=2, integrity=2, availability=1, last_reviewed="2026-04-01")
        s.add_asset(name="Microsoft 365 メール", category="cloud_service", owner="IT 佐藤",
                    confidentiality=3, integrity=2, availability=3, last_reviewed="2026-04-01")
        # importance 3 x likelihood(threat 3, vulnerability 2 suggested from 8.13 partial) 3 = 9; residual 3 x 1 = 3
        s.add_risk(asset_ids=[customers.id], owner="営業部長 田中", threat_id="T01", threat_level=3,
                   existing_controls="8.13", treatment="reduce", planned_controls="8.7 8.8",
                   plan="EDR を全端末に導入", due="2099-03-31", residual_vulnerability=1)
        # 3 x likelihood(threat 2, vulnerability 2) 2 = 6; residual 3 x 1 = 3
        s.add_risk(asset_ids=[nas.id], owner="IT 佐藤", threat_id="T08", threat_level=2, vulnerability_level=2,
                   existing_controls="8.13", treatment="reduce", planned_controls="8.14",
                   plan="Second NAS off site", due="2099-06-30", residual_vulnerability=1)
        # 2 x likelihood(2, 2) 2 = 4: accepted under control, with a full record
        s.add_risk(asset_ids=[laptops.id], owner="Sales manager", threat_id="T06", threat_level=2,
                   vulnerability_level=2, treatment="accept",
                   acceptance={"by": "CEO Yamada", "on": "2026-04-15",
                               "reason": "Disks are encrypted; the rest waits for the 2099 refresh",
                               "until": "2099-12-31"})
        # 2 x likelihood(1, 3) 2 = 4: no treatment chosen yet (shown as open)
        s.add_risk(asset_ids=[contracts.id], owner="総務部 鈴木", threat_id="T07", threat_level=1,
                   vulnerability_level=3)
        # 3 x likelihood(1, 1) 1 = 3: acceptable; the user's own threat text, markup-like
        s.add_risk(asset_ids=[customers.id], owner="営業部長 田中", threat="USBメモリでの持ち出し [red]x[/red]",
                   threat_level=1, vulnerability_level=1)


def add_workshop(data_dir: Path, assessment_id: str, *, start: bool = True) -> None:
    """Participants (Japanese and English names, one with markup-like text) and, with
    ``start``, a running session on the sample bank's two sections (a 45-minute time box on
    the first), a speaker, and two parked items (one resolved). Nothing shown depends on the
    clock: the time box starts when the questionnaire shows its section."""
    with Workspace(data_dir).open(assessment_id) as s:
        tanaka = s.add_participant("田中", "情報システム")
        suzuki = s.add_participant("Suzuki [b]HR[/b]", "人事")
        s.add_participant("山田", "代表取締役")
        if not start:
            return
        s.start_workshop(title="第1回 ギャップ評価 / Gap session 1", agenda=["sample/basics", "sample/records"],
                         timebox={"sample/basics": 45}, participants=[tanaka.id, suzuki.id])
        s.set_speaker(tanaka.id)
        s.park("s-cloud-1", "クラウドサービスの利用一覧を情報システムに確認する", owner="田中", due="2099-02-01")
        done = s.park("s-visitor-1", "Visitor log: is the paper book kept? [red]x[/red]", owner="Suzuki")
        s.update_parked(done.id, state="resolved", resolution="受付の紙台帳を1年保管している")

SESSION_ID = "e0000001"


def workshop_data(answers: list[Answer]):
    """One finished two-hour session on the sample assessment, every id and time fixed: two
    participants (one with markup-like text), two answers given and one changed (partial now:
    a new gap), three parked items (one open without owner and date, one open with both, one
    resolved), hostile text in a note."""
    from isms_tui.workshop import CONSENSUS, AnswerEvent, ParkedItem, Participant, Workshop, WorkshopData

    tanaka = Participant("田中", "情報システム", id="e0000101", created=STAMP)
    suzuki = Participant("Suzuki [b]HR[/b]", "総務", id="e0000102", created=STAMP)
    w = Workshop(title="第1回 ギャップ分析 [b]x[/b]", agenda=["sample/basics", "sample/records"],
                 timebox={"sample/basics": 45}, participants=[tanaka.id, suzuki.id],
                 section_started={"sample/basics": "2026-05-01T01:02:00+00:00", "sample/records": "2026-05-01T02:00:00+00:00"},
                 started="2026-05-01T01:00:00+00:00", ended="2026-05-01T03:00:00+00:00", id=SESSION_ID)
    history = [
        AnswerEvent("s-backup-1", None, "implemented", at="2026-04-01T00:00:00+00:00", id="e0000201"),
        AnswerEvent("s-scope-1", None, "implemented", by=tanaka.id, workshop=w.id, at="2026-05-01T01:10:00+00:00", id="e0000202"),
        AnswerEvent("s-backup-1", "implemented", "partial", by=CONSENSUS, workshop=w.id, at="2026-05-01T01:30:00+00:00", id="e0000203"),
        AnswerEvent("s-review-1", None, "implemented", by=suzuki.id, workshop=w.id, at="2026-05-01T02:10:00+00:00", id="e0000204"),
    ]
    for a in answers:
        last = [e for e in history if e.item_id == a.item_id][-1:]
        if last and last[0].workshop:
            a.decided_by, a.workshop = last[0].by, last[0].workshop
    parked = [
        ParkedItem("s-cloud-1", "クラウドの契約書を探す | =cmd\n# x", workshop=w.id, id="e0000301",
                   created="2026-05-01T01:40:00+00:00", updated="2026-05-01T01:40:00+00:00"),
        ParkedItem("s-visitor-1", "Visitor log: ask reception [b]who[/b]", owner="Suzuki", due="2099-05-15",
                   workshop=w.id, id="e0000302", created="2026-05-01T02:20:00+00:00", updated="2026-05-01T02:20:00+00:00"),
        ParkedItem("s-cloud-1", "Which region holds the data?", owner="田中", state="resolved",
                   resolution="Tokyo region (contract p.3)", workshop=w.id, id="e0000303",
                   created="2026-05-01T01:50:00+00:00", updated="2026-05-01T02:50:00+00:00"),
    ]
    return WorkshopData(participants={p.id: p for p in (tanaka, suzuki)}, workshops={w.id: w},
                        history=history, parked={p.id: p for p in parked})


def add_documents(data_dir: Path, assessment_id: str) -> None:
    """A small deterministic documents & records register for the snapshots: the catalogue
    seeded, a few entries approved (reviews in 2099), one draft, one out of date (its review
    date passed in 2026), a custom entry with markup-like text that must show literally and a
    name long enough to be cut."""
    with Workspace(data_dir).open(assessment_id) as s:
        s.seed_documents()
        by = {e.catalog_id: e for e in s.documents.entries.values()}
        s.update_document(by["scope"].id, name="ISMS適用範囲書", state="approved", approved_by="代表 山田",
                          approved_on="2026-02-01", next_review="2099-02-01", owner="総務 佐藤", version="1.1",
                          location="共有ドライブ ISMS/01_方針/適用範囲書.docx")
        s.update_document(by["policy"].id, name="Information security policy [b]v2[/b]", state="approved",
                          approved_by="CEO Yamada", approved_on="2026-02-01", next_review="2099-02-01", owner="Sato")
        s.update_document(by["objectives"].id, state="draft", owner="総務 佐藤")
        s.update_document(by["determined_necessary"].id, state="approved", approved_by="CEO", approved_on="2025-03-01",
                          next_review="2026-03-01", owner="Sato")
        s.add_document(name="来客受付簿(紙・受付カウンターに常備、毎月総務が回収して保管) [red]x[/red]", kind="record",
                       refs="A.7.2", owner="総務 鈴木")


def add_findings(data_dir: Path, assessment_id: str) -> None:
    """A small findings register with every date fixed: an open major of the stage 1 audit
    (markup-like text that must show literally), a minor with its corrective action planned
    (owner and due date), an observation and a minor closed and verified."""
    with Workspace(data_dir).open(assessment_id) as s:
        s.add_finding(grade="major", ref="A.5.15", source="stage1", raised_on="2026-04-20", raised_by="審査員 [b]K[/b]",
                      description="退職者のクラウドアカウントが3件残っていた [red]x[/red]")
        s.add_finding(grade="minor", ref="9.2", raised_on="2026-04-10", raised_by="Internal auditor Sato",
                      description="No audit programme for the year; audits are planned ad hoc",
                      root_cause="Nobody owns the programme", action="年間の内部監査プログラムを作成し、ISMS委員会で承認する",
                      owner="総務 佐藤", due="2099-05-31")
        s.add_finding(grade="observation", ref="clause 7.5.3", raised_on="2026-04-10",
                      description="Two versions of the access rule on the shared drive")
        s.add_finding(grade="minor", ref="A.8.13", raised_on="2026-03-01", description="バックアップの復元テストの記録がない",
                      correction="復元テストを実施", action="四半期ごとの復元テストを手順書に追加", owner="IT 佐藤",
                      due="2026-03-31", closure_evidence="復元テスト記録 2026-03", closed_on="2026-03-25",
                      check_by="代表 山田", check_on="2026-04-25", check_result="effective")


def add_audits(data_dir: Path, assessment_id: str) -> None:
    """A small internal audit programme with every date fixed: the first audit done with its
    two checklist lines recorded (one conforming, one major: finding F-01), the second planned
    with its lead auditor owning the backup action in its scope (an independence problem)."""
    with Workspace(data_dir).open(assessment_id) as s:
        s.add_audit(title="第1回 内部監査 [b]2026[/b]", planned="2026-04-10", done_on="2026-04-10",
                    scope="clause 4, A.8", lead="Internal auditor Tanaka", auditees="IT 佐藤")
        s.record_audit_line("IA-01", 1, result="conforming", evidence="適用範囲文書 v2")
        s.record_audit_line("IA-01", 2, result="major", note="バックアップの復元テストの記録がない [red]x[/red]")
        s.add_audit(title="Second audit: management review and physical", planned="2099-05-01",
                    scope="clause 9, A.5, A.7, A.8.13", lead="佐藤", auditors="Yamada", auditees="代表 山田")


def add_calendar(data_dir: Path, assessment_id: str) -> None:
    """A certification calendar whose states do not move with the calendar: the body and the
    stage 2 date, the internal audit done in 2098 (done for the 2099 target audit), the risk
    review last done in 2000 (overdue, its frequency lapsed), an own activity with markup-like
    text. Stored as rows (the service refuses a done date in the future, the snapshots need a
    fixed one)."""
    from isms_tui.annual_plan import Activity, CertificateRecord

    with Workspace(data_dir).open(assessment_id) as s:
        s.file.put_certificate(CertificateRecord("IS 000123", "審査機構 [b]JQA[/b]", None,
                                                 {"stage2_planned": "2099-09-01"}))
        s.file.put_activity(Activity("internal_audit", 12, 60, "2098-11-20", "監査 鈴木"))
        s.file.put_activity(Activity("risk_review", 12, 90, "2000-01-10", "IT 佐藤"))
        s.file.put_activity(Activity("c-abcd1234", 6, 45, None, "総務", name="BCP訓練 [red]x[/red]"))


def add_sampling(data_dir: Path, assessment_id: str) -> None:
    """A small deterministic stage 2 sampling list (every date fixed): a record type with
    three to six months, one under three months (a plan action), one not applicable with its
    reason and a location with markup-like text that must show literally."""
    from datetime import date

    with Workspace(data_dir).open(assessment_id) as s:
        today = date(2099, 3, 1)
        s.set_sampling("access_reviews", months="3_6", oldest="2098-10-01", location="共有ドライブ ISMS/04_記録",
                       note="四半期ごと", today=today)
        s.set_sampling("change_records", months="not_applicable", reason="All systems are SaaS [b]only[/b]", today=today)
        s.set_sampling("log_reviews", months="under_3", oldest="2099-01-15", location="Ticket system [red]x[/red]",
                       today=today)
