"""Shared set-up for the Pilot and snapshot tests: a data folder with the sample bank and a
deterministic assessment (fixed timestamps, dates far from today)."""

from __future__ import annotations

import shutil
from pathlib import Path

from isms_tui.model import ActionEdit, Answer, Assessment
from isms_tui.service import Workspace

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STAMP = "2026-05-01T09:00:00+00:00"


def make_data_dir(root: Path, *, with_assessment: bool = True) -> tuple[Path, str | None]:
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
    ws.create(a, answers, edits)
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
