"""The bundled demo: a fictional 30-person company half-way through its preparation, so a
newcomer sees scores, a gap list and an export at once.

The answers are drawn at random (with a fixed seed) except where an auditor would look twice:
the company excludes only the Annex A controls it can justify (:data:`EXCLUSIONS`, never one of
:data:`isms_tui.soa.CHALLENGED_EXCLUSIONS`), marks a conditional item "not applicable" only
when its condition holds for the company, and leaves the audit steps it has not reached yet
unanswered.

The company keeps a documents & records register (:func:`demo_documents`): most documents
approved, the internal audit report and the management review minutes not written yet, the
objectives still a draft and the document control rules past their review date, so the stage 1
gate shows what the documents still lack.

The company keeps a risk register (:func:`demo_register`, data in ``demo_register.toml``):
16 assets, 26 risks, approved criteria, every treatment owned and dated and every accepted
risk approved with its reason. The answers to the questions about the controls its risks name
follow the register's ``[controls]`` table, so the suggested vulnerabilities are the ones the
register was written for.
"""

from __future__ import annotations

import contextlib
import random
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from pathlib import Path

from .annual_plan import ACTIVITIES, Activity, CalendarData, CertificateRecord, new_custom_key
from .banks import Item
from .documents import DocumentRegister, build_entry
from .findings import FindingsData, build_finding, finding_action_id
from .internal_audit import RESULT_GRADE, AuditData, AuditLine, build_audit, checklist_items
from .model import ActionEdit, Answer, Assessment, question_action_id
from .preaudit import SamplingData, build_sampling
from .refs import CONTROL, Ref
from .risk import RiskData, build_asset, build_risk, check_criteria, default_criteria, risk_action_id
from .service import Workspace
from .soa import CHALLENGED_EXCLUSIONS
from .soa_decisions import SoaDecision
from .view import AssessmentView
from .workshop import (
    CONSENSUS,
    AnswerEvent,
    ParkedItem,
    Participant,
    Workshop,
    WorkshopData,
    parse_participants,
    section_key,
)

DEMO = {
    "ja": {
        "org": "株式会社さくらデザイン(デモ)",
        "scope": "本社(東京都渋谷区)におけるWebサイト制作・運用サービスの提供。従業員30名、クラウド中心(Google Workspace、kintone)。",
        "participants": ["山田(代表取締役)", "佐藤(総務・ISMS事務局)", "鈴木(制作部長)", "高橋(情報システム担当)"],
        "owners": ["総務 佐藤", "制作部 鈴木", "情シス 高橋", "代表 山田"],
        "notes": {
            "implemented": "規程と記録を確認済み。",
            "partial": "規程はあるが、記録が一部の部署でしか残っていない。",
            "not_implemented": "まだ手を付けていない。次回の事務局会議で担当を決める。",
            "unknown": "担当者に確認中。",
        },
        "exclusions": {
            "8.30": "Webサイトとシステムの開発はすべて制作部の社員が社内で行っており、外部の会社やフリーランスへの開発委託はない"
                    "(委託を始める前にこの管理策を適用し直すことを外部委託規程に定めている)。",
            "7.6": "サーバー室や書庫などの特別な区画はない。サーバーはすべてクラウドサービスで、事務所は一つの執務エリアとして"
                   "7.1〜7.3の管理策で保護している。",
        },
        "conditional_na": {
            "aud-pre_assessment-2": "予備審査は受けないと決めたため(ISMS委員会の議事録に記録)。",
        },
        "decided": {
            "aud-pre_assessment-1": "準備の進み具合を確認し、予備審査は受けないと決定(ISMS委員会 議事録)。",
        },
        "evidence": "{example}(共有ドライブ「ISMS/記録」に保管)",
        "workshop": {
            "title": "第2回 ギャップ分析ワークショップ(計画・人的管理策・支援)",
            "parked": {
                "cl-6.1.1-1": ("リスクアセスメントに使った課題(4.1)と利害関係者の要求(4.2)がどれか、その場で示せなかった。"
                               "代表と一覧にしてから回答する。", 0),
                "a22-6.2-1": ("就業規則に情報セキュリティ規程の順守義務が書かれているか不明。社会保険労務士に確認する。", 3),
                "cl-7.2-1": ("内部監査員の力量の証拠(研修の修了証)がどこにあるか分からない。", None,
                             "修了証は共有ドライブ「ISMS/記録/教育」にあった。次回のセッションで7.2を回答する。"),
            },
        },
        # The first internal audit (clauses 7 and 9, Annex A 5, 8): what it found. Owner: index
        # into owners; days after the audit for due, closed and checked.
        "audit": {
            "auditor": "鈴木(制作部長・内部監査員)",
            # The audit programme of the cycle (days from today; the first one is the audit that
            # raised the findings below). Its auditor owns risk R-07 (A.5.18), in that audit's
            # scope: the tool flags it; the next audits are given to an outside auditor.
            "programme": [
                {"title": "第1回 アクセス管理・バックアップ・文書管理", "scope": "箇条7.5, A.5.15, A.5.18, A.6.3, A.8.13",
                 "days": -35, "auditees": "高橋(情報システム担当), 佐藤(総務・ISMS事務局)"},
                {"title": "第2回 マネジメントシステム(箇条4〜10)", "scope": "箇条4, 箇条5, 箇条6, 箇条8, 箇条9, 箇条10",
                 "days": 30, "lead": "中村(社外の内部監査員)", "auditees": "山田(代表取締役), 佐藤(総務・ISMS事務局)"},
                {"title": "第3回 附属書A 人的・物理的・技術的管理策", "scope": "A.6, A.7, A.8", "days": 75,
                 "lead": "中村(社外の内部監査員)", "auditees": "高橋(情報システム担当), 鈴木(制作部長)"},
            ],
            "checked": "確認した記録: {example}",
            "findings": [
                {"grade": "minor", "ref": "A.5.18",
                 "description": "3月に退職した制作部の2名のGoogle Workspaceアカウントが監査日まで有効のままだった。"
                                "退職時チェックリストにクラウドサービスのアカウント削除の手順がない。",
                 "correction": "監査当日に2名のアカウントを停止し、共有ドライブのファイルの所有者を移した。",
                 "root_cause": "退職時チェックリストがクラウド移行前に作られ、情報システムの作業が入っていない。",
                 "action": "退職時チェックリストにGoogle Workspaceとkintoneのアカウント削除(退職日から1営業日以内)を追加し、"
                           "毎月、人事の在籍者一覧とアカウント一覧を突き合わせる。",
                 "owner": 2, "due": 55, "progress": "チェックリスト改訂版を作成済み。月次の突合は来月から。"},
                {"grade": "observation", "ref": "7.5.3",
                 "description": "共有ドライブに情報セキュリティ基本方針が2版(v0.9とv1.0)あり、社員がどちらが最新か答えられなかった。"},
                {"grade": "ofi", "ref": "A.6.3",
                 "description": "eラーニングの受講記録を毎回手作業で集めている。受講管理の機能で自動で出力できる。"},
                {"grade": "minor", "ref": "A.8.13",
                 "description": "バックアップからの復元を試した記録がない。手順書はバックアップの取り方だけを定めている。",
                 "correction": "監査の2日後、情報システム担当と制作データ1案件分の復元テストを行い、記録した。",
                 "root_cause": "バックアップ手順書に、復元できることを確かめる手順と記録の様式がなかった。",
                 "action": "バックアップ手順書に四半期ごとの復元テストと記録の様式を追加する(v1.2)。",
                 "owner": 2, "due": 14, "closed": 12,
                 "evidence": "バックアップ手順書 v1.2、復元テスト記録(共有ドライブ「ISMS/記録/バックアップ」)",
                 "checked": 33, "check_by": "佐藤(ISMS事務局)",
                 "check_note": "2回目の復元テストが手順どおり実施され、記録が残っていることを確認した。"},
            ],
        },
        # Last year's cycle: the company's first self-assessment, a year ago (isms_tui.compare
        # compares today's assessment with it).
        "previous": {
            "org": "(前年度)株式会社さくらデザイン(デモ)",
            "worse_note": "規程どおりに運用されていることを記録で確認した。",
            "progress": "担当を決めたが、まだ手を付けられていない。",
            "finding": {
                "grade": "minor", "ref": "A.5.18", "source": "incident",
                "raised_by": "佐藤(総務・ISMS事務局)",
                "description": "退職した営業担当のkintoneアカウントが、退職から2か月間有効のまま残っていた"
                               "(ログイン履歴の定期確認で発覚。不正なログインはなかった)。",
                "correction": "発覚当日にアカウントを削除し、ログイン履歴を確認した。",
                "root_cause": "退職の連絡が情報システム担当に届く手順がなかった。",
                "action": "退職時は総務から情報システム担当にメールで連絡することにした。",
                "evidence": "総務から情報システム担当への連絡メール(退職者1名分)",
            },
        },
        # The SoA decisions the company has written so far: (why, how implemented / document, owner index)
        "soa": {
            "5.1": ("取引先から情報管理の体制を求められており、全社の方針と個別のルールがすべての管理策の前提になるため採用。",
                    "情報セキュリティ基本方針(2027年1月 社長承認予定)、ISMS規程集 第1章(作成中)", 0),
            "5.9": ("リスクアセスメントの出発点。顧客から預かる制作データと利用しているクラウドサービスの所在を把握するため採用。",
                    "情報資産台帳(kintone アプリ「資産台帳」)", 2),
            "5.15": ("顧客データを担当の制作メンバーだけが扱えるようにするため(リスク R-03 顧客データの漏えい)。",
                     "アクセス管理規程、Google Workspace 共有ドライブの権限一覧", 2),
            "5.23": ("業務のほぼすべてをクラウド(Google Workspace、kintone)で行っているため(リスク R-07 クラウドの設定ミス)。",
                     "クラウドサービス利用規程、クラウドサービス一覧", 2),
            "5.24": ("顧客との契約で、情報漏えい時は72時間以内に報告する義務があるため。",
                     "インシデント対応手順書 v1.1", 0),
            "5.34": ("顧客サイトの問い合わせフォームで個人情報を扱うため(個人情報保護法)。",
                     "個人情報保護方針、個人情報取扱規程", 0),
            "6.3": ("全従業員が顧客データを扱うため、入社時と年1回の教育で規程を周知する。",
                    "教育計画書(2027年度)、eラーニング受講記録", 0),
            "7.7": ("来客のある執務エリアで顧客の資料を扱うため(リスク R-09 のぞき見・置き忘れ)。",
                    "クリアデスク・クリアスクリーン規程", 0),
            "8.1": ("全員がノートPCを持ち出して客先でも作業するため(リスク R-02 PCの紛失・盗難)。",
                    "PC利用規程、MDMによるディスク暗号化の設定", 2),
            "8.7": ("社員PCとメールが主な攻撃経路であるため(リスク R-01 マルウェア感染)。",
                    "全PCにEDRを導入(管理画面で稼働を確認)、PC利用規程 第5条", 2),
            "8.13": ("制作データを失うと顧客への納品が止まるため(リスク R-05 データの消失)。",
                     "バックアップ手順書(Google Vault と社内NAS)", 2),
            "8.30": (None, "外部委託規程 第3条(開発委託を始める前に本管理策を再評価)", 0),
            "7.6": (None, "物理的セキュリティ規程 第2条(執務エリアの定義)", 0),
        },
    },
    "en": {
        "org": "Sakura Design Co., Ltd. (demo)",
        "scope": "Design and operation of client websites from the Tokyo head office. 30 staff, cloud-first (Google Workspace, kintone).",
        "participants": ["Yamada (CEO)", "Sato (Office manager / ISMS lead)", "Suzuki (Head of production)", "Takahashi (IT)"],
        "owners": ["Sato (office)", "Suzuki (production)", "Takahashi (IT)", "Yamada (CEO)"],
        "notes": {
            "implemented": "Policy and records checked.",
            "partial": "The rule exists, but only some teams keep records.",
            "not_implemented": "Not started yet; owner to be named at the next ISMS meeting.",
            "unknown": "Asking the person in charge.",
        },
        "exclusions": {
            "8.30": "All website and system development is done in-house by the production team; no development is "
                    "commissioned from other companies or freelancers (the outsourcing rule says to adopt this control "
                    "before any such contract).",
            "7.6": "There is no server room, records room or other special area: all servers are cloud services and the "
                   "office is a single work area protected under controls 7.1 to 7.3.",
        },
        "conditional_na": {
            "aud-pre_assessment-2": "We decided not to have a pre-assessment (recorded in the ISMS committee minutes).",
        },
        "decided": {
            "aud-pre_assessment-1": "Reviewed our readiness and decided not to have a pre-assessment (ISMS committee minutes).",
        },
        "evidence": "{example} (shared drive, ISMS/Records)",
        "workshop": {
            "title": "Gap workshop 2 (planning, people controls, support)",
            "parked": {
                "cl-6.1.1-1": ("Nobody could show which issues (4.1) and requirements of interested parties (4.2) the risk "
                               "assessment used: list them with the CEO, then answer.", 0),
                "a22-6.2-1": ("Unclear whether the work rules oblige staff to follow the security rules: ask the labour "
                              "and social security consultant to check.", 3),
                "cl-7.2-1": ("Where is the evidence of the internal auditor's competence (the course certificate)?", None,
                             "The certificate is on the shared drive under ISMS/Records/Training; answer 7.2 at the next session."),
            },
        },
        "audit": {
            "auditor": "Suzuki (Head of production, internal auditor)",
            "programme": [
                {"title": "1st: access, backups, document control", "scope": "clause 7.5, A.5.15, A.5.18, A.6.3, A.8.13",
                 "days": -35, "auditees": "Takahashi (IT), Sato (Office manager / ISMS lead)"},
                {"title": "2nd: the management system (clauses 4-10)",
                 "scope": "clause 4, clause 5, clause 6, clause 8, clause 9, clause 10",
                 "days": 30, "lead": "Nakamura (external internal auditor)", "auditees": "Yamada (CEO), Sato (Office manager / ISMS lead)"},
                {"title": "3rd: Annex A people, physical and technological controls", "scope": "A.6, A.7, A.8",
                 "days": 75, "lead": "Nakamura (external internal auditor)",
                 "auditees": "Takahashi (IT), Suzuki (Head of production)"},
            ],
            "checked": "Record seen: {example}",
            "findings": [
                {"grade": "minor", "ref": "A.5.18",
                 "description": "Two production staff who left in March still had active Google Workspace accounts on the "
                                "day of the audit. The leaver checklist has no step for removing cloud accounts.",
                 "correction": "Both accounts suspended on the day of the audit; their shared drive files moved to their manager.",
                 "root_cause": "The leaver checklist was written before the move to the cloud and has no IT step.",
                 "action": "Add removal of Google Workspace and kintone accounts (within one working day of leaving) to "
                           "the leaver checklist; compare HR's staff list with the account list every month.",
                 "owner": 2, "due": 55, "progress": "Revised checklist drafted; the monthly comparison starts next month."},
                {"grade": "observation", "ref": "7.5.3",
                 "description": "Two versions of the information security policy (v0.9 and v1.0) are on the shared drive; "
                                "staff could not say which one is current."},
                {"grade": "ofi", "ref": "A.6.3",
                 "description": "E-learning completion records are collected by hand each time; the course platform can "
                                "export them."},
                {"grade": "minor", "ref": "A.8.13",
                 "description": "No record that a restore from backup was ever tested; the procedure only says how to "
                                "take backups.",
                 "correction": "Two days after the audit IT restored one client project folder as a test and recorded it.",
                 "root_cause": "The backup procedure had no step to prove restores work and no form to record them.",
                 "action": "Add a quarterly restore test and its record form to the backup procedure (v1.2).",
                 "owner": 2, "due": 14, "closed": 12,
                 "evidence": "Backup procedure v1.2; restore test records (shared drive, ISMS/Records/Backup)",
                 "checked": 33, "check_by": "Sato (ISMS lead)",
                 "check_note": "The second restore test ran as the procedure says and was recorded."},
            ],
        },
        "previous": {
            "org": "(Last year) Sakura Design Co., Ltd. (demo)",
            "worse_note": "Checked in the records: run as the rule says.",
            "progress": "Owner named; not started yet.",
            "finding": {
                "grade": "minor", "ref": "A.5.18", "source": "incident",
                "raised_by": "Sato (Office manager / ISMS lead)",
                "description": "A sales employee's kintone account stayed active for two months after they left "
                               "(found in the regular login history check; no unauthorised login).",
                "correction": "Account deleted the day it was found; its login history checked.",
                "root_cause": "No step told IT when someone leaves.",
                "action": "The office e-mails IT whenever someone leaves.",
                "evidence": "E-mail from the office to IT (one leaver)",
            },
        },
        "soa": {
            "5.1": ("Clients require us to show how we protect their information; the policy and topic rules underpin "
                    "every other control.", "Information security policy (to be approved by the CEO in January 2027); "
                    "ISMS rules, chapter 1 (in progress)", 0),
            "5.9": ("The risk assessment starts from it: we must know where client production data and our cloud "
                    "services are.", "Information asset register (kintone app \"Asset register\")", 2),
            "5.15": ("Only the production staff on a project may handle the client's data (risk R-03, leak of client data).",
                     "Access control rule; Google Workspace shared drive permission list", 2),
            "5.23": ("Almost all our work runs on cloud services (Google Workspace, kintone) (risk R-07, cloud misconfiguration).",
                     "Cloud service rule; list of cloud services", 2),
            "5.24": ("Client contracts oblige us to report a data leak within 72 hours.",
                     "Incident response procedure v1.1", 0),
            "5.34": ("Client website contact forms collect personal data (Act on the Protection of Personal Information).",
                     "Privacy policy; personal data handling rule", 0),
            "6.3": ("Every employee handles client data, so the rules are taught at joining and once a year.",
                    "Training plan FY2027; e-learning completion records", 0),
            "7.7": ("Client material is handled in an office area that visitors pass through (risk R-09, overlooking "
                    "and papers left out).", "Clear desk and clear screen rule", 0),
            "8.1": ("Everyone takes a laptop out and works at client sites (risk R-02, lost or stolen laptop).",
                    "Laptop rule; disk encryption enforced by MDM", 2),
            "8.7": ("Staff laptops and e-mail are the main way attacks come in (risk R-01, malware infection).",
                    "EDR on every laptop (checked in its console); laptop rule, section 5", 2),
            "8.13": ("Losing production data would stop deliveries to clients (risk R-05, data loss).",
                     "Backup procedure (Google Vault and the office NAS)", 2),
            "8.30": (None, "Outsourcing rule, section 3 (re-assess this control before any development contract)", 0),
            "7.6": (None, "Physical security rule, section 2 (definition of the office area)", 0),
        },
    },
}

# The controls the demo company excludes (the reasons are in DEMO[lang]["exclusions"]).
EXCLUSIONS = frozenset(DEMO["en"]["exclusions"])
# The audit steps the company has not reached: it is preparing for stage 1.
NOT_REACHED = frozenset({"aud.stage2", "aud.corrective_action", "aud.decision", "aud.certification"})
STATUSES = ["implemented", "partial", "not_implemented", "unknown"]


def excluded_by_demo(item: Item) -> bool:
    """True when every control the item tests is one the demo company excludes."""
    return bool(item.controls) and all(c in EXCLUSIONS and c not in CHALLENGED_EXCLUSIONS for c in item.controls)


def demo_data(ws: Workspace, lang: str, today: date | None = None) -> tuple[Assessment, list[Answer], list[ActionEdit]]:
    today = today or date.today()
    d = DEMO[lang if lang in DEMO else "en"]
    assessment = Assessment(
        organization=d["org"], scope=d["scope"], kind="initial", edition="2022", lang=lang,
        target_date=(today + timedelta(days=150)).isoformat(),
    )
    rng = random.Random(30)
    kept = random.Random(31)  # evidence notes: drawn apart so the answers stay as they were
    lead = d["owners"][0]
    answers: list[Answer] = []
    edits: list[ActionEdit] = []
    for bank in ws.banks_for(assessment):
        # The company has worked through the early steps and most of Annex A, not the audit yet.
        answered_share = {"process-certification-audit": 0.4, "process-acquisition": 0.7}.get(bank.id, 0.65)
        for item in bank.items:
            if excluded_by_demo(item):
                reason = d["exclusions"][item.controls[0]]
                answers.append(Answer(item.id, status="not_applicable", na_justification=reason, answered_by=lead))
                continue
            if item.id in d["conditional_na"] and item.na_allowed:
                answers.append(Answer(item.id, status="not_applicable", na_justification=d["conditional_na"][item.id],
                                      answered_by=lead))
                continue
            if item.id in d["decided"]:
                answers.append(Answer(item.id, status="implemented", note=d["decided"][item.id], answered_by=lead))
                continue
            if item.section_id in NOT_REACHED or item.na_condition or rng.random() > answered_share:
                continue
            status = rng.choices(STATUSES, weights=[45, 25, 18, 6])[0]
            a = Answer(item.id, status=status, answered_by=lead)
            a.note = d["notes"][status] if rng.random() < 0.5 else ""
            if status in ("implemented", "partial") and item.evidence[lang] and kept.random() < 0.7:
                a.evidence = d["evidence"].format(example=item.evidence[lang][0])
            if status != "implemented":
                a.owner = rng.choice(d["owners"])
            if item.every_months and status == "implemented":
                a.last_done = (today - timedelta(days=rng.randint(30, 420))).isoformat()
            answers.append(a)
            if status in ("partial", "not_implemented") and rng.random() < 0.3:
                edits.append(ActionEdit(question_action_id(item.id), owner=rng.choice(d["owners"]),
                                        status=rng.choice(["todo", "in_progress"]),
                                        due=(today + timedelta(days=rng.randint(-20, 90))).isoformat()))
    _follow_register(ws, assessment, answers, d, today)
    return assessment, answers, edits


# -- the risk register --------------------------------------------------------------------
# Who is who in the register: index into DEMO[lang]["owners"].
DEMO_PEOPLE = {"office": 0, "production": 1, "it": 2, "ceo": 3}


@cache
def _register_source() -> dict:
    with open(Path(__file__).with_name("demo_register.toml"), "rb") as fh:
        return tomllib.load(fh)


def _follow_register(ws: Workspace, assessment: Assessment, answers: list[Answer], d: dict, today: date) -> None:
    """Answer every question about a control the register names as the register's
    ``[controls]`` table says (the demo's answers and register agree)."""
    forced: dict[str, str] = _register_source()["controls"]
    by_id = {a.item_id: a for a in answers}
    for bank in ws.banks_for(assessment):
        for item in bank.items:
            hit = {forced[c] for c in item.controls if c in forced}
            if not hit or excluded_by_demo(item):
                continue
            status = hit.pop() if len(hit) == 1 else "partial"
            a = by_id.get(item.id)
            if a is None:
                a = by_id[item.id] = Answer(item.id, answered_by=d["owners"][0])
                answers.append(a)
            if a.status == "not_applicable":
                continue
            a.status = status
            a.note = d["notes"][status]
            a.owner = "" if status == "implemented" else (a.owner or d["owners"][2])
            if item.every_months and status == "implemented" and not a.last_done:
                a.last_done = (today - timedelta(days=60)).isoformat()


def demo_register(ws: Workspace, assessment: Assessment, answers: list[Answer], lang: str,
                  today: date | None = None) -> tuple[RiskData, list[ActionEdit]]:
    """The demo company's criteria, asset ledger and risk register, built and checked by the
    same rules as what a user types (and the plan edits of three treatments under way)."""
    today = today or date.today()
    lang = lang if lang in DEMO else "en"
    src = _register_source()
    people = DEMO[lang]["owners"]

    def who(key: str) -> str:
        return people[DEMO_PEOPLE[key]]

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    view = AssessmentView(assessment, ws.banks_for(assessment), {a.item_id: a for a in answers}, {}, today=today)
    criteria = default_criteria(cycle=str(today.year))
    criteria.approved_by = who(src["criteria"]["approved_by"])
    criteria.approved_on = day(-src["criteria"]["approved_days_ago"])
    criteria = check_criteria(criteria)
    data = RiskData([criteria])
    keys: dict[str, str] = {}
    for n, a in enumerate(src["assets"], start=1):
        asset = build_asset({
            "name": a["name"][lang], "category": a["category"], "owner": who(a["owner"]),
            "department": a["department"][lang], "location": a["location"][lang], "users": a["users"][lang],
            "personal_data": a["personal"], "confidentiality": a["c"], "integrity": a["i"], "availability": a["a"],
            "last_reviewed": day(-a["reviewed_days_ago"]),
        })
        asset.no = n
        data.assets[asset.id] = asset
        keys[a["key"]] = asset.id
    edits: list[ActionEdit] = []
    for n, r in enumerate(src["risks"], start=1):
        fields: dict[str, object] = {
            "asset_ids": [keys[k] for k in r["assets"]], "owner": who(r["owner"]), "threat_id": r["threat"],
            "threat_level": r["threat_level"], "vulnerability": r["vulnerability"][lang],
            "existing_controls": r["existing"], "treatment": r["treatment"], "planned_controls": r.get("planned", []),
            "plan": r.get("plan", {}).get(lang, ""), "residual_vulnerability": r.get("residual_vulnerability"),
        }
        if "due_days" in r:
            fields["due"] = day(r["due_days"])
        if "acceptance" in r:
            acc = r["acceptance"]
            fields["acceptance"] = {"by": who(acc["by"]), "reason": acc["reason"][lang],
                                    "on": day(-acc["on_days_ago"]), "until": day(acc["until_days"])}
        risk = build_risk(fields, None, criteria=criteria, assets=data.assets, edition=assessment.edition,
                          today=today, control_status=view.control_status.get)
        risk.no = n
        data.risks[risk.id] = risk
        if n in (1, 5):
            edits.append(ActionEdit(risk_action_id(risk.id), status="in_progress"))
        elif n == 9:
            edits.append(ActionEdit(risk_action_id(risk.id), status="done"))
    return data, edits


def demo_soa(lang: str) -> list[SoaDecision]:
    """The Statement of Applicability decisions the demo company has written so far: its two
    exclusions with the documents behind them and a dozen controls it has justified; the rest
    is still to write (the SoA sheet says so)."""
    d = DEMO[lang if lang in DEMO else "en"]
    out = []
    for cid, (why, how, owner) in d["soa"].items():
        excluded = cid in EXCLUSIONS
        out.append(SoaDecision(Ref(CONTROL, cid).key, applicable=False if excluded else True,
                               reasons=[] if excluded else list(DEMO_SOA_REASONS.get(cid, ())),
                               justification=d["exclusions"][cid] if excluded else why,
                               implementation=how, owner=d["owners"][owner]))
    # reasons chosen before the justification is written (the SoA sheet still flags the text)
    out += [SoaDecision(Ref(CONTROL, cid).key, reasons=list(reasons))
            for cid, reasons in DEMO_SOA_REASONS.items() if cid not in d["soa"]]
    return out


# Reasons besides risk treatment the demo company gave (client contracts with NDAs and breach
# notice clauses, the personal information protection act, the group's baseline of rules).
DEMO_SOA_REASONS = {
    "5.1": ("contract", "baseline"), "5.9": ("baseline",), "5.24": ("contract",), "5.34": ("legal", "contract"),
    "6.3": ("business",), "5.31": ("legal",), "5.32": ("legal",), "5.33": ("legal",), "6.2": ("legal", "contract"),
    "6.6": ("contract",),
}


# -- the last workshop session ----------------------------------------------------------------
# Two weeks ago, 13:00 to 15:00 with the four participants: planning (clause 6), the people
# controls and support (clause 7), each with a time box.
DEMO_AGENDA = (("clauses-2022", "clause-6", 30), ("annex-a-2022", "people", 45), ("clauses-2022", "clause-7", 30))
# Answers the room changed: what they said before the session (the rest it answered for the
# first time). Two turned out to be gaps, one was confirmed.
DEMO_CHANGED = {"cl-6.1.3-2": "implemented", "a22-6.3-2": "implemented", "a22-6.1-1": "unknown"}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def demo_workshop(ws: Workspace, assessment: Assessment, answers: list[Answer], lang: str,
                  today: date | None = None) -> WorkshopData:
    """The demo company's participants and one past workshop session of two hours: its agenda
    with time boxes, who decided each answer it gave or changed (consistent with the demo's
    answers, which record the session), and three parked items: two open with an owner and a
    date (plan actions), one resolved."""
    today = today or date.today()
    d = DEMO[lang if lang in DEMO else "en"]
    data = WorkshopData()
    people = []
    for entry in d["participants"]:
        for name, role in parse_participants(entry):
            p = Participant(name, role, created=_stamp(datetime.combine(today - timedelta(days=60), time(9, 0)).astimezone()))
            data.participants[p.id] = p
            people.append(p)
    start = datetime.combine(today - timedelta(days=14), time(13, 0)).astimezone()
    banks = {b.id: b for b in ws.banks_for(assessment)}
    agenda = [(b, s, m) for b, s, m in DEMO_AGENDA if b in banks and banks[b].section(s)]
    w = Workshop(title=d["workshop"]["title"], agenda=[section_key(b, s) for b, s, _ in agenda],
                 timebox={section_key(b, s): m for b, s, m in agenda}, participants=[p.id for p in people],
                 started=_stamp(start), ended=_stamp(start + timedelta(hours=2)))
    by_id = {a.item_id: a for a in answers}
    # who speaks for what: the ISMS lead on planning, the CEO and the office on people, IT on support
    voices = {"clause-6": [CONSENSUS, people[1].id, people[0].id], "people": [people[1].id, CONSENSUS, people[0].id],
              "clause-7": [people[3].id, CONSENSUS, people[2].id]}
    minute = 2
    for bank_id, section_id, box in agenda:
        w.section_started[section_key(bank_id, section_id)] = _stamp(start + timedelta(minutes=minute))
        n = 0
        for item_id in banks[bank_id].section_item_ids(section_id):
            a = by_id.get(item_id)
            if a is None or a.status is None:
                continue
            at = _stamp(start + timedelta(minutes=minute + 3 + 4 * n))
            before = DEMO_CHANGED.get(item_id)
            if before is not None:  # answered outside a workshop a month before
                data.history.append(AnswerEvent(item_id, None, before, at=_stamp(start - timedelta(days=30))))
            by = voices[section_id][n % len(voices[section_id])]
            data.history.append(AnswerEvent(item_id, before, a.status, by=by, workshop=w.id, at=at))
            a.decided_by, a.workshop, a.updated = by, w.id, at
            n += 1
        minute += box + 5
    data.workshops[w.id] = w
    owners = d["owners"]
    on_agenda = {i for b, s, _ in agenda for i in banks[b].section_item_ids(s)}
    for n, (item_id, (note, owner, *resolution)) in enumerate(d["workshop"]["parked"].items()):
        if item_id not in on_agenda:
            continue
        made = _stamp(start + timedelta(minutes=20 + 35 * n))
        p = ParkedItem(item_id, note, owner=owners[owner] if owner is not None else owners[0],
                       due=(today + timedelta(days=10 + 11 * n)).isoformat() if not resolution else None,
                       state="resolved" if resolution else "open", resolution=resolution[0] if resolution else "",
                       workshop=w.id, created=made, updated=made if not resolution else _stamp(start + timedelta(days=3)))
        data.parked[p.id] = p
    return data


# -- the documents & records register ------------------------------------------------------------
# (catalogue id, name ja, name en, location ja, location en, version, owner key, state, approved
# days ago, next review in days). Most are approved; the internal audit and the management review
# have not happened yet (missing), the objectives are still a draft, the document control rules
# are past their review date, and the logs of 8.15 are not kept yet. "custom" rows carry refs.
DEMO_DOCUMENTS = [
    ("scope", "ISMS適用範囲書", "ISMS scope statement", "共有ドライブ ISMS/01_方針/ISMS適用範囲書.docx",
     "Shared drive ISMS/01_policy/ISMS scope.docx", "1.1", "office", "approved", 45, 320),
    ("policy", "情報セキュリティ基本方針", "Information security policy", "共有ドライブ ISMS/01_方針/基本方針.pdf",
     "Shared drive ISMS/01_policy/Security policy.pdf", "2.0", "ceo", "approved", 45, 320),
    ("risk_method", "リスクアセスメント手順書(リスク評価基準を含む)", "Risk assessment procedure (with the criteria)",
     "共有ドライブ ISMS/02_リスク/リスクアセスメント手順書.docx", "Shared drive ISMS/02_risk/Risk assessment procedure.docx",
     "1.0", "office", "approved", 60, 300),
    ("risk_treatment_process", "リスクアセスメント手順書 第4章(リスク対応)", "Risk assessment procedure, chapter 4 (treatment)",
     "共有ドライブ ISMS/02_リスク/リスクアセスメント手順書.docx", "Shared drive ISMS/02_risk/Risk assessment procedure.docx",
     "1.0", "office", "approved", 60, 300),
    ("soa", "適用宣言書", "Statement of Applicability", "isms-tui の Excel 出力(適用宣言書シート)",
     "isms-tui Excel export (SoA sheet)", "0.9", "office", "approved", 20, 180),
    ("risk_treatment_plan", "リスク対応計画書", "Risk treatment plan", "isms-tui の Excel 出力(リスク対応計画シート)",
     "isms-tui Excel export (treatment plan sheet)", "1.0", "it", "approved", 30, 180),
    ("objectives", "2027年度 情報セキュリティ目的・実施計画", "Security objectives and plan for this year",
     "共有ドライブ ISMS/01_方針/目的と計画.xlsx", "Shared drive ISMS/01_policy/Objectives.xlsx", "0.3", "office", "draft",
     None, None),
    ("competence", "教育受講記録・力量管理表", "Training records and skills matrix", "kintone アプリ「教育記録」",
     "kintone app \"Training records\"", "", "office", "approved", 30, 335),
    ("determined_necessary", "文書管理規程・文書一覧表", "Document control rules and document list",
     "共有ドライブ ISMS/00_文書管理/文書管理規程.docx", "Shared drive ISMS/00_document_control/Document control.docx",
     "1.0", "office", "approved", 400, -35),
    ("operational", "ISMS委員会 議事録(月次)", "ISMS committee minutes (monthly)", "共有ドライブ ISMS/03_運用/委員会議事録/",
     "Shared drive ISMS/03_operation/Committee minutes/", "", "office", "approved", 10, 355),
    ("risk_assessment_results", "リスクアセスメント結果(情報資産管理台帳・リスク台帳)",
     "Risk assessment results (asset and risk registers)", "isms-tui の Excel 出力(リスクアセスメントシート)",
     "isms-tui Excel export (risk register sheet)", "1.0", "it", "approved", 30, 335),
    ("risk_treatment_results", "リスク対応の実施状況", "Risk treatment progress", "isms-tui の対応計画",
     "isms-tui action plan", "", "it", "approved", 15, 90),
    ("monitoring", "セキュリティ指標 月次報告", "Monthly security metrics", "共有ドライブ ISMS/04_評価/月次報告/",
     "Shared drive ISMS/04_evaluation/Monthly reports/", "", "it", "approved", 5, 25),
    ("audit_programme", "内部監査計画書", "Internal audit plan", "共有ドライブ ISMS/04_評価/内部監査/内部監査計画書.docx",
     "Shared drive ISMS/04_evaluation/Internal audit/Audit plan.docx", "1.0", "office", "approved", 25, 340),
    ("audit_results", "内部監査報告書", "Internal audit report", "", "", "", "office", "missing", None, None),
    ("management_review", "マネジメントレビュー議事録", "Management review minutes", "", "", "", "ceo", "missing",
     None, None),
    ("nonconformities", "不適合・是正処置報告書", "Nonconformity and corrective action reports",
     "kintone アプリ「是正処置」", "kintone app \"Corrective actions\"", "", "office", "approved", 40, 325),
    ("corrective_action_results", "是正処置の有効性確認記録", "Corrective action effectiveness checks",
     "kintone アプリ「是正処置」", "kintone app \"Corrective actions\"", "", "office", "approved", 40, 325),
    ("topic_policies", "ISMS規程集", "ISMS rule book", "共有ドライブ ISMS/01_方針/規程集/",
     "Shared drive ISMS/01_policy/Rules/", "1.2", "office", "approved", 45, 320),
    ("asset_inventory", "情報資産管理台帳", "Information asset register", "kintone アプリ「資産台帳」",
     "kintone app \"Asset register\"", "", "it", "approved", 30, 335),
    ("acceptable_use", "PC・スマートフォン利用規程", "Laptop and phone rules", "ISMS規程集 第3章",
     "ISMS rule book, chapter 3", "1.1", "it", "approved", 45, 320),
    ("access_control", "アクセス管理規程", "Access control rules", "ISMS規程集 第4章", "ISMS rule book, chapter 4",
     "1.0", "it", "approved", 45, 320),
    ("incident_procedure", "インシデント対応手順書", "Incident response procedure",
     "共有ドライブ ISMS/03_運用/インシデント対応手順書.pdf", "Shared drive ISMS/03_operation/Incident procedure.pdf",
     "1.1", "office", "approved", 45, 320),
    ("awareness", "情報セキュリティ教育 受講記録", "Security awareness attendance", "eラーニングの受講履歴(管理画面)",
     "E-learning completion report (admin console)", "", "office", "approved", 30, 335),
    ("confidentiality", "秘密保持誓約書(全従業員分)", "Signed confidentiality pledges (all staff)", "総務キャビネット 2段目",
     "Office cabinet, second shelf", "", "office", "approved", 90, 275),
    ("backup", "バックアップ・リストア試験記録", "Backup and restore test log", "共有ドライブ ISMS/03_運用/バックアップ記録.xlsx",
     "Shared drive ISMS/03_operation/Backup log.xlsx", "", "it", "approved", 20, 70),
    ("logs", "ログ確認記録", "Log review records", "", "", "", "it", "missing", None, None),
    ("custom:control:5.23", "クラウドサービス利用規程・クラウドサービス一覧", "Cloud service rules and cloud service list",
     "ISMS規程集 第6章", "ISMS rule book, chapter 6", "1.0", "it", "approved", 45, 320),
]


def demo_documents(lang: str, today: date | None = None) -> DocumentRegister:
    """The demo company's documents & records register, built by the same rules as what a
    user types (two mandatory records missing, one draft, one past its review)."""
    today = today or date.today()
    lang = lang if lang in DEMO else "en"
    people = DEMO[lang]["owners"]
    reg = DocumentRegister()
    for cid, ja, en, loc_ja, loc_en, version, owner, state, approved, review in DEMO_DOCUMENTS:
        fields: dict[str, object] = {"name": ja if lang == "ja" else en, "location": loc_ja if lang == "ja" else loc_en,
                                     "version": version, "owner": people[DEMO_PEOPLE[owner]], "state": state}
        if cid.startswith("custom:"):
            fields |= {"catalog_id": "custom", "refs": [cid.partition(":")[2]], "kind": "document"}
        else:
            fields["catalog_id"] = cid
        if approved is not None:
            fields |= {"approved_by": people[DEMO_PEOPLE["ceo"]], "approved_on": (today - timedelta(days=approved)).isoformat()}
        if review is not None:
            fields["next_review"] = (today + timedelta(days=review)).isoformat()
        entry = build_entry(fields)  # the views list them in the catalogue's order
        reg.entries[entry.id] = entry
    return reg


# -- the first internal audit ------------------------------------------------------------------
DEMO_AUDIT_DAYS_AGO = 35  # five weeks ago


def demo_findings(assessment: Assessment, lang: str, today: date | None = None) -> tuple[FindingsData, list[ActionEdit]]:
    """What the company's first internal audit (five weeks ago) found: a minor nonconformity
    whose corrective action is in progress, an observation, an opportunity for improvement,
    and a minor nonconformity closed and verified effective. The corrective action in
    progress carries its plan edit (status and progress)."""
    today = today or date.today()
    d = DEMO[lang if lang in DEMO else "en"]
    audit = today - timedelta(days=DEMO_AUDIT_DAYS_AGO)
    stamp = _stamp(datetime.combine(audit, time(17, 0)).astimezone())
    data, edits = FindingsData(), []
    for n, src in enumerate(d["audit"]["findings"], start=1):
        def day(key: str, src: dict = src) -> str | None:
            return (audit + timedelta(days=src[key])).isoformat() if key in src else None

        values = {"grade": src["grade"], "ref": src["ref"], "description": src["description"], "source": "internal_audit",
                  "raised_on": audit.isoformat(), "raised_by": d["audit"]["auditor"]}
        values |= {k: src[k] for k in ("correction", "root_cause", "action") if k in src}
        if "owner" in src:
            values["owner"] = d["owners"][src["owner"]]
        values |= {"due": day("due"), "closed_on": day("closed"), "closure_evidence": src.get("evidence", "")}
        if "checked" in src:
            values |= {"check_on": day("checked"), "check_by": src["check_by"], "check_result": "effective",
                       "check_note": src["check_note"]}
        f = build_finding(values, None, edition=assessment.edition, today=today)
        f.no, f.created, f.updated = n, stamp, stamp
        data.findings[f.id] = f
        if "progress" in src:
            edits.append(ActionEdit(finding_action_id(f.id), status="in_progress", progress=src["progress"]))
    return data, edits


def demo_audits(ws: Workspace, assessment: Assessment, findings: FindingsData, lang: str,
                today: date | None = None) -> AuditData:
    """The audit programme of the cycle: the first audit (five weeks ago) done with every line
    of its checklist recorded and the findings it raised linked to it (its auditor owns a risk
    in its scope: an independence problem), a second and a third one later by an outside
    auditor. Clause 7 and the organizational theme are only
    partly audited, so the programme's coverage warning has something to show."""
    today = today or date.today()
    d = DEMO[lang if lang in DEMO else "en"]
    data = AuditData()
    done = today - timedelta(days=DEMO_AUDIT_DAYS_AGO)
    stamp = _stamp(datetime.combine(done, time(17, 0)).astimezone())
    for n, src in enumerate(d["audit"]["programme"], start=1):
        day = (today + timedelta(days=src["days"])).isoformat()
        audit = build_audit({"title": src["title"], "scope": src["scope"], "planned": day,
                             "done_on": day if src["days"] < 0 else None, "lead": src.get("lead", d["audit"]["auditor"]),
                             "auditees": src["auditees"]}, None, edition=assessment.edition)
        audit.no, audit.created, audit.updated = n, stamp, stamp
        data.audits[audit.id] = audit
    first = next(iter(data.audits.values()))
    items = [i for b in ws.banks_for(assessment) for i in b.items]
    raised = {f.ref: f for f in findings.findings.values()}
    for item, ref in checklist_items(items, first.scope_refs):
        f = raised.pop(ref.key, None)
        if f is not None and f.grade in RESULT_GRADE:
            line = AuditLine(first.id, item.id, f.grade, note=f.description, finding=f.id, updated=stamp)
        else:
            example = item.evidence[lang][0] if item.evidence[lang] else ""
            line = AuditLine(first.id, item.id, "conforming", note=f.description if f is not None else "",
                             evidence=d["audit"]["checked"].format(example=example) if example else "", updated=stamp)
        data.lines[line.key] = line
    for f in findings.findings.values():
        f.audit = first.id
    return data


# -- last year's cycle ----------------------------------------------------------------------------
DEMO_PREVIOUS_DAYS = 365
# What the company had not reached a year ago: nobody answered these sections then.
PREVIOUS_NOT_REACHED = frozenset({"clause-9", "clause-10", "acq.internal_audit", "acq.management_review",
                                  "acq.monitoring", "aud.common_findings"})
# Where an answer was better a year ago than it is now (one each: the first gap found there).
PREVIOUS_WORSE_IN = (("annex-a-2022", "people"), ("annex-a-2022", "technological"), ("clauses-2022", "clause-5"))


def previous_worse(ws: Workspace, assessment: Assessment, answers: list[Answer]) -> list[str]:
    """The items whose answer was implemented a year ago and is partial or not implemented
    now (things that slipped): one per section of :data:`PREVIOUS_WORSE_IN`, never a
    recurring activity (its date decides it)."""
    by_id = {a.item_id: a for a in answers}
    out = []
    for bank in ws.banks_for(assessment):
        for bank_id, section_id in PREVIOUS_WORSE_IN:
            if bank.id != bank_id:
                continue
            hit = next((i.id for i in bank.items if i.section_id == section_id and not i.every_months
                        and i.id in by_id and by_id[i.id].status in ("partial", "not_implemented")), None)
            if hit:
                out.append(hit)
    return out


def demo_previous(ws: Workspace, assessment: Assessment, answers: list[Answer], lang: str,
                  today: date | None = None) -> tuple[Assessment, list[Answer], list[ActionEdit], FindingsData]:
    """Last year's cycle of the demo company, built from today's answers: a year ago fewer
    questions were answered (none in the sections of :data:`PREVIOUS_NOT_REACHED`) and many
    were answered lower, except a few (:func:`previous_worse`) that were implemented then and
    have slipped since. Its open actions had owners and dates that have long passed, and an
    incident raised a finding on the same requirement as one the internal audit found again
    this year (leavers' accounts, A.5.18)."""
    today = today or date.today()
    lang = lang if lang in DEMO else "en"
    d = DEMO[lang]
    p = d["previous"]
    then = today - timedelta(days=DEMO_PREVIOUS_DAYS)
    stamp = _stamp(datetime.combine(then, time(10, 0)).astimezone())
    target = date.fromisoformat(assessment.target_date) - timedelta(days=DEMO_PREVIOUS_DAYS) if assessment.target_date else None
    prev = Assessment(organization=p["org"], scope=assessment.scope, kind=assessment.kind, edition=assessment.edition,
                      lang=lang, banks=list(assessment.banks), target_date=target, created=stamp, updated=stamp)
    items = {i.id: i for b in ws.banks_for(prev) for i in b.items}
    worse = set(previous_worse(ws, assessment, answers))
    rng = random.Random(29)
    out: list[Answer] = []
    for a in answers:
        item = items.get(a.item_id)
        if item is None or a.status is None:
            continue
        if a.item_id in worse:
            out.append(Answer(a.item_id, status="implemented", note=p["worse_note"], answered_by=d["owners"][0],
                              created=stamp, updated=stamp))
            continue
        if a.status == "not_applicable":
            out.append(Answer(a.item_id, status=a.status, na_justification=a.na_justification,
                              answered_by=a.answered_by, created=stamp, updated=stamp))
            continue
        if item.section_id in PREVIOUS_NOT_REACHED or rng.random() < 0.25:
            continue  # not answered a year ago
        status = a.status
        if status == "implemented":
            status = rng.choices(["implemented", "partial", "not_implemented"], weights=[60, 28, 12])[0]
        elif status == "partial":
            status = rng.choices(["partial", "not_implemented"], weights=[55, 45])[0]
        out.append(Answer(a.item_id, status=status, note=d["notes"][status], answered_by=d["owners"][0],
                          owner="" if status == "implemented" else (a.owner or d["owners"][2]),
                          last_done=a.last_done if status == "implemented" else None, created=stamp, updated=stamp))
    # the actions the company planned a year ago and has not finished: still open today
    edits = []
    for a in out:
        if a.status in ("partial", "not_implemented") and len(edits) < 8 and rng.random() < 0.4:
            edits.append(ActionEdit(question_action_id(a.item_id), owner=rng.choice(d["owners"]),
                                    due=(then + timedelta(days=rng.randint(60, 200))).isoformat(),
                                    status=rng.choice(["todo", "in_progress"]), progress=p["progress"], updated=stamp))
    f = p["finding"]
    raised = then + timedelta(days=40)
    finding = build_finding({"grade": f["grade"], "ref": f["ref"], "source": f["source"], "description": f["description"],
                             "raised_on": raised.isoformat(), "raised_by": f["raised_by"], "correction": f["correction"],
                             "root_cause": f["root_cause"], "action": f["action"], "owner": d["owners"][2],
                             "due": (raised + timedelta(days=14)).isoformat(),
                             "closed_on": (raised + timedelta(days=5)).isoformat(), "closure_evidence": f["evidence"]},
                            None, edition=prev.edition, today=today)
    finding.no, finding.created, finding.updated = 1, stamp, stamp
    return prev, out, edits, FindingsData({finding.id: finding})


# -- the annual plan towards the initial certification ------------------------------------------
DEMO_CALENDAR = {
    "ja": {"body": "さくら認証機構株式会社(架空)", "bcp": "事業継続(BCP)訓練"},
    "en": {"body": "Sakura Certification Ltd. (fictional)", "bcp": "Business continuity drill"},
}
DEMO_STAGE2_DAYS = 28  # stage 2 four weeks after stage 1


def demo_calendar(assessment: Assessment, lang: str, today: date | None = None) -> CalendarData:
    """The company's plan towards its stage 1 (the target date) and stage 2 audits: the body
    chosen, the internal audit done five weeks ago (as the findings say), the risk review done
    this cycle, the training and the supplier review dated by the answers to their recurring
    questions, the management review and a continuity drill still to do before the audit, and
    the policy review overdue (last done thirteen months ago: the one red line)."""
    today = today or date.today()
    d = DEMO_CALENDAR[lang if lang in DEMO_CALENDAR else "en"]
    owners = DEMO[lang if lang in DEMO else "en"]["owners"]
    target = date.fromisoformat(assessment.target_date) if assessment.target_date else today + timedelta(days=150)
    cert = CertificateRecord(body=d["body"], dates={"stage2_planned": (target + timedelta(days=DEMO_STAGE2_DAYS)).isoformat()})
    data = CalendarData(cert)

    def put(key: str, owner: str, days_ago: int | None, **extra: object) -> None:
        every, lead = ACTIVITIES.get(key, (12, 45))
        a = Activity(key, every=every, lead=lead, owner=owners[DEMO_PEOPLE[owner]],
                     last_done=(today - timedelta(days=days_ago)).isoformat() if days_ago is not None else None, **extra)
        data.activities[a.key] = a

    put("internal_audit", "production", DEMO_AUDIT_DAYS_AGO)
    put("risk_review", "it", 60)
    put("policy_review", "office", 400)  # overdue: a year and a month ago
    put("training", "office", None)  # last done: as answered in the questionnaire
    put("supplier_review", "it", None)
    put("management_review", "ceo", None)
    put(new_custom_key(), "office", None, name=d["bcp"])
    return data


# -- the stage 2 sampling list ------------------------------------------------------------------
# (record type, months held, oldest record: days ago, location ja, en, note ja, en); months
# "not_applicable" carries its reason in the note's place. The ISMS has run about five months:
# most records go back that far or further, log reviews and restore tests started late.
DEMO_SAMPLING = [
    ("access_reviews", "3_6", 150, "共有ドライブ ISMS/04_記録/アクセス権見直し", "Shared drive ISMS/04_records/Access reviews",
     "四半期ごと。直近は先月末に実施", "Quarterly; the last one at the end of last month"),
    ("joiners_leavers", "over_6", 400, "総務の入退社チェックリスト(紙、キャビネット)", "Office joiner/leaver checklists (paper, cabinet)",
     "", ""),
    ("change_records", "not_applicable", None, "", "",
     "自社で開発・運用するシステムはなく、業務システムはすべてクラウドサービスです。設定変更は情シスの作業記録に残しています。",
     "We run no systems of our own: every business system is a cloud service; setting changes are in the IT work log."),
    ("training_awareness", "3_6", 140, "eラーニングの受講履歴(管理画面)", "E-learning completion report (admin console)",
     "新入社員2名は入社月に受講済み", "Both new starters trained in their first month"),
    ("incident_records", "over_6", 300, "インシデント管理表(共有ドライブ)", "Incident log (shared drive)",
     "軽微な誤送信2件を含む", "Includes two minor misdirected emails"),
    ("supplier_reviews", "3_6", 120, "委託先評価シート(共有ドライブ ISMS/04_記録)", "Supplier assessment sheets (shared drive ISMS/04_records)",
     "", ""),
    ("backup_restore_tests", "under_3", 50, "共有ドライブ ISMS/03_運用/バックアップ記録.xlsx", "Shared drive ISMS/03_operation/Backup log.xlsx",
     "復元テストは7週間前に初回を実施。次回は来月", "First restore test seven weeks ago; the next one is next month"),
    ("log_reviews", "under_3", 40, "情シスの作業記録(チケット)", "IT work log (tickets)",
     "月1回の確認を始めたばかり", "Monthly reviews only just started"),
    ("vulnerability_patches", "over_6", 240, "端末管理ツールのパッチ適用レポート", "Device management patch report",
     "", ""),
    ("asset_inventory_reviews", "3_6", 160, "資産目録(共有ドライブ ISMS/02_リスク)", "Asset inventory (shared drive ISMS/02_risk)",
     "", ""),
    ("monitoring_results", "3_6", 130, "月次ISMS報告(経営会議資料)", "Monthly ISMS report (management meeting pack)", "", ""),
    ("internal_audit_reports", "3_6", 100, "共有ドライブ ISMS/05_監査", "Shared drive ISMS/05_audit",
     "監査プログラムは3か月前に承認。初回の内部監査は5週間前", "Programme approved three months ago; first audit five weeks ago"),
    ("corrective_actions", "3_6", 95, "是正処置一覧(isms-tui)", "Corrective action log (isms-tui)", "", ""),
]


def demo_sampling(lang: str, today: date | None = None) -> SamplingData:
    """What the demo company holds of each record type the stage 2 auditor samples (most
    three to six months or more, two under three months, one not applicable with its reason;
    the management review is not held yet), checked like what a user types."""
    today = today or date.today()
    ja = lang == "ja"
    data = SamplingData()
    for rid, months, days, loc_ja, loc_en, note_ja, note_en in DEMO_SAMPLING:
        fields: dict[str, object] = {"months": months, "location": loc_ja if ja else loc_en}
        if months == "not_applicable":
            fields["reason"] = note_ja if ja else note_en
        else:
            fields["note"] = note_ja if ja else note_en
        if days is not None:
            fields["oldest"] = (today - timedelta(days=days)).isoformat()
        entry = build_sampling(rid, fields, today=today)
        data.entries[rid] = entry
    return data


def create_demo(ws: Workspace, lang: str) -> str:
    """The demo assessment, linked to last year's cycle of the same company (stored first, as
    its own assessment): ``source = {"previous_cycle": <its id>}``. Returns today's id."""
    assessment, answers, edits = demo_data(ws, lang)
    prev, prev_answers, prev_edits, prev_findings = demo_previous(ws, assessment, answers, lang)
    prev_id = ws.create(prev, prev_answers, prev_edits, findings=prev_findings)
    assessment.source = {"previous_cycle": prev_id}
    risk, risk_edits = demo_register(ws, assessment, answers, lang)
    workshop = demo_workshop(ws, assessment, answers, lang)
    findings, finding_edits = demo_findings(assessment, lang)
    audits = demo_audits(ws, assessment, findings, lang)
    try:
        return ws.create(assessment, answers, edits + risk_edits + finding_edits, risk=risk, soa=demo_soa(lang),
                         workshop=workshop, documents=demo_documents(lang), findings=findings,
                         audits=audits, calendar=demo_calendar(assessment, lang), sampling=demo_sampling(lang))
    except Exception:
        with contextlib.suppress(Exception):  # no half demo left behind (best effort: the disk may be full)
            ws.delete(prev_id)
        raise
