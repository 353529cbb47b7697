"""The bundled demo: a fictional 30-person company half-way through its preparation, so a
newcomer sees scores, a gap list and an export at once."""

from __future__ import annotations

import random
from datetime import date, timedelta

from .model import ActionEdit, Answer, Assessment, question_action_id
from .service import Workspace

DEMO = {
    "ja": {
        "org": "株式会社さくらデザイン(デモ)",
        "scope": "本社(東京都渋谷区)におけるWebサイト制作・運用サービスの提供。従業員30名、クラウド中心(Google Workspace、kintone)。",
        "participants": ["代表取締役 山田", "総務 佐藤(ISMS事務局)", "制作部長 鈴木"],
        "owners": ["総務 佐藤", "制作部 鈴木", "情シス 高橋", "代表 山田"],
        "notes": {
            "implemented": "規程と記録を確認済み。",
            "partial": "規程はあるが、記録が一部の部署でしか残っていない。",
            "not_implemented": "まだ手を付けていない。次回の事務局会議で担当を決める。",
            "unknown": "担当者に確認中。",
        },
        "na": "該当する設備・業務がないため(在宅・クラウド中心で自社サーバーなし)。",
    },
    "en": {
        "org": "Sakura Design Co., Ltd. (demo)",
        "scope": "Design and operation of client websites from the Tokyo head office. 30 staff, cloud-first (Google Workspace, kintone).",
        "participants": ["CEO Yamada", "Office manager Sato (ISMS lead)", "Head of production Suzuki"],
        "owners": ["Sato (office)", "Suzuki (production)", "Takahashi (IT)", "Yamada (CEO)"],
        "notes": {
            "implemented": "Policy and records checked.",
            "partial": "The rule exists, but only some teams keep records.",
            "not_implemented": "Not started yet; owner to be named at the next ISMS meeting.",
            "unknown": "Asking the person in charge.",
        },
        "na": "Not relevant: no such facility or activity (remote and cloud-first, no own servers).",
    },
}


def demo_data(ws: Workspace, lang: str, today: date | None = None) -> tuple[Assessment, list[Answer], list[ActionEdit]]:
    today = today or date.today()
    d = DEMO[lang if lang in DEMO else "en"]
    assessment = Assessment(
        organization=d["org"], scope=d["scope"], kind="initial", edition="2022", lang=lang,
        target_date=(today + timedelta(days=150)).isoformat(), participants=d["participants"],
    )
    rng = random.Random(30)
    answers: list[Answer] = []
    edits: list[ActionEdit] = []
    for bank in ws.banks_for(assessment):
        # The company has worked through the early steps and most of Annex A, not the audit yet.
        answered_share = {"process-certification-audit": 0.15, "process-acquisition": 0.7}.get(bank.id, 0.65)
        for item in bank.items:
            if rng.random() > answered_share:
                continue
            status = rng.choices(["implemented", "partial", "not_implemented", "unknown", "not_applicable"],
                                 weights=[45, 25, 18, 6, 6])[0]
            if status == "not_applicable" and not item.na_allowed:
                status = "partial"
            a = Answer(item.id, status=status, answered_by=d["owners"][1])
            if status == "not_applicable":
                a.na_justification = d["na"]
            else:
                a.note = d["notes"][status] if rng.random() < 0.5 else ""
                if status != "implemented":
                    a.owner = rng.choice(d["owners"])
            if item.every_months and status == "implemented":
                a.last_done = (today - timedelta(days=rng.randint(30, 420))).isoformat()
            answers.append(a)
            if status in ("partial", "not_implemented") and rng.random() < 0.3:
                edits.append(ActionEdit(question_action_id(item.id), owner=rng.choice(d["owners"]),
                                        status=rng.choice(["todo", "in_progress"]),
                                        due=(today + timedelta(days=rng.randint(-20, 90))).isoformat()))
    return assessment, answers, edits


def create_demo(ws: Workspace, lang: str) -> str:
    assessment, answers, edits = demo_data(ws, lang)
    return ws.create(assessment, answers, edits)
