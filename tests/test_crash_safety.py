"""Crash injection: writers killed with SIGKILL during opens and saves never leave an unreadable
file and never lose a value whose save had returned.

Four assessments on two built-in banks (165 items), some at schema 0 so that opening them
migrates. Each round a writer process re-opens one of them again and again (lock, backup,
migration) and between opens sets and clears statuses, notes and other fields, edits action-plan
rows and the assessment header. It prints ``begin <op>`` before each save and ``ack <seq>`` only
after the save returned, and ``open k`` / ``opened k`` around each open. Then it is killed:

- from outside, once it has reported N acks (N random, 0 included) or its k-th ``open``;
- from inside, at the e-th file-system call (before or after it) of a chosen open or save, so
  that kills land inside the lock, the backup, the migration and the save's
  temp-write/fsync/replace whatever the machine's speed.

After every kill the WHOLE stored state of every assessment (every field of every answer and
action-plan edit, the header, the raw schema version) is compared with the acknowledged model:
each field holds the last acknowledged value or, for the one save or open that was in flight,
its new value, never anything else. The count of acks in a round is whatever the machine
managed; the test asserts conditions, never counts that depend on speed. ``make test`` runs
60 kills, ``make soak`` 1,000 and writes the counts to ``bench/soak.json``.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from isms_tui.model import ActionEdit, Answer, Assessment, question_action_id
from isms_tui.service import Workspace
from isms_tui.storage import SCHEMA_VERSION, atomic_write_bytes, encode
from tests.conftest import ROOT

BANKS = ["clauses-2022", "annex-a-2022"]  # built in: 36 + 129 items, with and without N/A
ROUND_TIMEOUT = 300  # a hang guard only: every wait below is for a condition, not a time

# One process imports the core and parses the banks once, then forks a writer per round (a new
# interpreter per round would spend ~0.7 s on imports and bank parsing before its first save).
# The writer is killed by its pid, which stays reserved until the test sends "reap".
ZYGOTE = r'''
import fcntl, json, os, random, signal, sys, time, traceback

from isms_tui.model import ACTION_STATUSES, ValidationError, question_action_id
from isms_tui.service import Workspace

ROOT = sys.argv[1]
_write = os.write
KINDS = ["status", "clear_status", "note", "clear_fields", "fields", "action", "action_partial", "meta"]


def out(line):
    _write(1, (line + "\n").encode("utf-8"))


class Killer:
    """Counts file-system calls in a window (an open or a save); dies at the chosen one."""

    def __init__(self):
        self.counting, self.n, self.at = False, 0, None

    def arm(self, at):
        self.counting, self.n, self.at = True, 0, at

    def tick(self):
        if self.counting:
            self.n += 1
            if self.at is not None and self.n >= self.at:
                os.kill(os.getpid(), signal.SIGKILL)

    def disarm(self):
        if self.counting and self.at is not None:
            os.kill(os.getpid(), signal.SIGKILL)  # the chosen call lies past the window: die at its end
        self.counting = False
        return self.n


def install(killer):
    def wrap(fn):
        def wrapper(*a, **k):
            killer.tick()
            try:
                return fn(*a, **k)
            finally:
                killer.tick()
        return wrapper

    for name in ("open", "close", "write", "fsync", "fdatasync", "replace", "rename", "link", "unlink",
                 "remove", "mkdir", "rmdir", "chmod", "fchmod", "ftruncate"):
        if hasattr(os, name):
            setattr(os, name, wrap(getattr(os, name)))
    for name in ("flock", "lockf"):
        setattr(fcntl, name, wrap(getattr(fcntl, name)))


def choose(rng, s, seq, rnd):
    kind = KINDS[seq - 1] if seq <= len(KINDS) else rng.choice(KINDS)
    hot = s.items[:4] + s.items[-4:]  # half the ops hit a few items again and again
    item = rng.choice(hot) if rng.random() < 0.5 else rng.choice(s.items)
    tag = f"{rnd}.{seq}"

    def day():
        return f"20{rng.randint(26, 29)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

    op = {"seq": seq, "name": kind, "iid": item.id}
    if kind == "status":
        st = rng.choice(["implemented", "partial", "not_implemented", "unknown"] + ["not_applicable"] * 2 * item.na_allowed)
        args = {"status": st}
        if st == "not_applicable":
            args["na_justification"] = f"対象外の理由 {tag}"
        return op | {"kind": "status", "args": args}
    if kind == "clear_status":
        return op | {"kind": "status", "args": {"status": None}}
    if kind == "note":
        return op | {"kind": "fields", "args": {"note": rng.choice([f"メモ {tag}\n二行目", f"note {tag}"])}}
    if kind == "clear_fields":
        args = {"note": "", "evidence": "", "owner": "", "due": None, "last_done": None}
        a = s.answer(item.id)
        if not (a and a.status == "not_applicable"):
            args["na_justification"] = ""
        return op | {"kind": "fields", "args": args}
    if kind == "fields":
        args = {"evidence": f"証跡 {tag}", "owner": f"担当 {tag}", "due": day(), "last_done": rng.choice([None, day()])}
        return op | {"kind": "fields", "args": args}
    if kind == "action":
        args = {"owner": f"責任者 {tag}", "due": day(), "status": rng.choice(ACTION_STATUSES), "progress": f"進捗 {tag}\n次の一手"}
        return op | {"kind": "action", "args": args}
    if kind == "action_partial":
        pool = {"owner": rng.choice(["", f"責任者 {tag}"]), "due": rng.choice([None, day()]),
                "progress": rng.choice(["", f"進捗 {tag}"]), "status": rng.choice(ACTION_STATUSES)}
        return op | {"kind": "action", "args": {k: pool[k] for k in rng.sample(sorted(pool), rng.randint(1, 3))}}
    args = {"scope": f"適用範囲 {tag}", "certification_date": rng.choice([None, day()]), "target_date": rng.choice([None, day()])}
    return op | {"kind": "meta", "iid": "", "args": args}


def apply(s, op):
    kind, iid, args = op["kind"], op["iid"], op["args"]
    if kind == "status":
        s.set_status(iid, args["status"], na_justification=args.get("na_justification"))
    elif kind == "fields":
        s.set_fields(iid, **args)
    elif kind == "action":
        s.edit_action(question_action_id(iid), **args)
    else:
        s.update_assessment(**args)


def writer(cfg):
    killer = Killer()
    install(killer)
    rng = random.Random(cfg["seed"])
    target = cfg.get("target") or ["", 0, None]
    out(f"child {os.getpid()}")
    ws, seq, k = None, 0, 0
    stop = time.monotonic() + 600  # never outlive a test that died
    while seq < 50_000 and time.monotonic() < stop:
        k += 1
        out(f"open {k}")
        killer.arm(target[2] if target[:2] == ["open", k] else None)
        if ws is None:
            ws = Workspace(ROOT)
        s = ws.open(cfg["aid"])
        out(f"opened {k} {killer.disarm()}")
        for _ in range(rng.randint(1, 8)):
            seq += 1
            op = choose(rng, s, seq, cfg["round"])
            out("begin " + json.dumps(op, ensure_ascii=False))
            killer.arm(target[2] if target[:2] == ["op", seq] else None)
            try:
                apply(s, op)
            except ValidationError:
                killer.disarm()
                out(f"skip {seq}")
                continue
            out(f"ack {seq} {killer.disarm()}")
        s.close()
    out("limit")


Workspace(ROOT).bankset  # parse the banks here once; the forked writers inherit them
out("ready")
while True:
    line = sys.stdin.readline()
    if not line:
        break
    cfg = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            writer(cfg)
        except BaseException:
            out("error " + json.dumps(traceback.format_exc()))
            code = 3
        os._exit(code)
    sys.stdin.readline()  # "reap": the test has killed the writer, or lets it kill itself
    _, status = os.waitpid(pid, 0)
    out(f"reaped {pid} {status}")
'''

ANSWER_DEFAULTS = {k: v for k, v in Answer("x").to_doc().items() if k not in ("item_id", "created", "updated")}
EDIT_DEFAULTS = {k: v for k, v in ActionEdit("question:x").to_doc().items() if k not in ("action_id", "source", "updated")}
DEFAULTS = {"answers": ANSWER_DEFAULTS, "actions": EDIT_DEFAULTS}
Key = tuple[str, str, str]  # (table, item id or "" for the header, field)


def default(key: Key):
    return DEFAULTS.get(key[0], {}).get(key[2])


def normalize(data: dict) -> tuple[dict[Key, object], int]:
    """The stored state as {(table, item, field): value} (timestamps left out) and the number
    of duplicate records. A missing answer or edit reads as its defaults, like the app does."""
    state: dict[Key, object] = {}
    meta = next(iter(data["meta"].values()))
    for k, v in meta.items():
        if k not in ("created", "updated"):
            state[("meta", "", k)] = v
    state.setdefault(("meta", "", "schema_version"), None)
    dups = 0
    for table in ("answers", "actions"):
        seen = set()
        for doc in data.get(table, {}).values():
            # answers are keyed by item id; plan edits by action id ("question:<item id>")
            iid = doc["item_id"] if table == "answers" else doc["action_id"].removeprefix("question:")
            dups += iid in seen
            seen.add(iid)
            for k, v in doc.items():
                if k not in ("item_id", "action_id", "source", "created", "updated"):
                    state[(table, iid, k)] = v
    return state, dups


def apply_op(state: dict, op: dict) -> dict:
    """What an operation does to the stored state, modelled independently of the service."""
    new = dict(state)
    kind, iid, args = op["kind"], op["iid"], op["args"]
    if kind == "open":  # opening an older file migrates it
        new[("meta", "", "schema_version")] = SCHEMA_VERSION
    elif kind == "meta":
        new.update({("meta", "", k): v for k, v in args.items()})
        new[("meta", "", "schema_version")] = SCHEMA_VERSION
    elif kind == "action":
        new.update({("actions", iid, k): v for k, v in args.items()})
    else:
        if kind == "status":
            new[("answers", iid, "status")] = args["status"]
            if args["status"] == "not_applicable":
                new[("answers", iid, "na_justification")] = args["na_justification"]
        else:
            new.update({("answers", iid, k): v for k, v in args.items()})
        fields = {k: new.get(("answers", iid, k), v) for k, v in ANSWER_DEFAULTS.items()}
        if Answer(iid, **fields).is_empty:  # a cleared answer is removed: every field reads as default
            new.update({("answers", iid, k): v for k, v in ANSWER_DEFAULTS.items()})
    return new


def _dump(v) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False)


@dataclass
class Model:
    """What was acknowledged for one assessment, and every value each field ever held."""

    acked: dict
    history: dict = field(default_factory=dict)

    def __post_init__(self):
        for k, v in self.acked.items():
            self.history.setdefault(k, {_dump(default(k))}).add(_dump(v))

    def update(self, state: dict) -> None:
        """Make ``state`` the acknowledged one; keep the values that changed in the history."""
        for k in state.keys() | self.acked.keys():
            v = state.get(k, default(k))
            if v != self.acked.get(k, default(k)):
                self.history.setdefault(k, {_dump(default(k))}).add(_dump(v))
        self.acked = state


@dataclass
class Result:
    kills: int = 0
    files: int = 0  # assessment files under test
    file_checks: int = 0  # assessment files and backups read back after the kills
    unreadable: int = 0
    lost: int = 0  # a field went back to a value older than the last acknowledged one
    foreign: int = 0  # a field holds a value that was never acknowledged nor in flight
    writer_errors: int = 0
    acks: int = 0
    acks_by_op: Counter = field(default_factory=Counter)
    kills_by_mode: Counter = field(default_factory=Counter)
    kills_in_open: int = 0
    kills_in_migrating_open: int = 0
    kills_in_save: int = 0
    in_flight_landed: int = 0
    opens: int = 0
    migrations_done: int = 0
    downgrades: int = 0
    seconds: float = 0.0
    problems: list = field(default_factory=list)

    def summary(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "problems"}
        d.update(acks_by_op=dict(self.acks_by_op), kills_by_mode=dict(self.kills_by_mode))
        return d

    def problem(self, text: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(text)


class Lines:
    """Lines from the zygote's stdout, waiting for each with select (hang guard only)."""

    def __init__(self, fd: int):
        self.fd, self.buf = fd, b""

    def next(self, deadline: float) -> str:
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise AssertionError(f"the writer said nothing for {ROUND_TIMEOUT} s (hung?)")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise AssertionError("the writer process ended unexpectedly")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode("utf-8")


def make_files(ws: Workspace, rng: random.Random) -> list[str]:
    """Four assessments: full and empty at the current schema, one schema-0 file that already
    holds answers (a version mark only) and one true schema-0 file (no answer tables)."""
    items = [i for b in BANKS for i in ws.bankset.banks[b].items]
    assert len(items) >= 50
    aids = []
    for n, (aid, full, old, bare) in enumerate([("crash-full", True, False, False), ("crash-old", True, True, False),
                                                ("crash-bare", False, True, True), ("crash-empty", False, False, False)]):
        a = Assessment(organization=f"クラッシュ試験 {n}", banks=BANKS, id=aid, scope="初期範囲",
                       target_date="2027-06-01")
        answers, edits = [], []
        for i in items if full else []:
            st = rng.choice([None, "implemented", "partial", "not_implemented", "unknown"] + ["not_applicable"] * i.na_allowed)
            answers.append(Answer(i.id, status=st, note=f"初期メモ {i.id}", evidence=rng.choice(["", "規程"]),
                                  owner=rng.choice(["", "総務"]), due=rng.choice([None, "2027-03-31"]),
                                  na_justification="対象外" if st == "not_applicable" else ""))
            if rng.random() < 0.3:
                edits.append(ActionEdit(question_action_id(i.id), owner="情報システム", due="2027-01-31", status="in_progress", progress="着手"))
        ws.create(a, answers, edits)
        if old:
            downgrade(ws.store.file_path(aid), drop_tables=bare)
        aids.append(aid)
    return aids


def downgrade(path: Path, drop_tables: bool) -> None:
    """Rewrite a file as an older isms-tui wrote it: no schema mark (and no answer tables)."""
    data = json.loads(path.read_bytes())
    next(iter(data["meta"].values())).pop("schema_version", None)
    if drop_tables:
        data.pop("answers", None)
        data.pop("actions", None)
    atomic_write_bytes(path, encode(data))


class Harness:
    def __init__(self, ws: Workspace, aids: list[str], seed: int):
        self.ws, self.aids = ws, aids
        self.rng = random.Random(seed)  # plans the rounds
        self.jitter = random.Random(seed + 1)  # picks files, downgrades and outside-kill delays
        self.res = Result(files=len(aids))
        self.models = {aid: Model(self.read(aid)[0]) for aid in aids}
        self.max_events = {"open": 40, "op": 20}  # learned from the writers' reports
        self.damaged: set[str] = set()  # files found unreadable (counted; never rewritten here)
        self.live = 0  # the writer of the current round until it is reaped (its pid cannot be reused before)

    def read(self, aid: str) -> tuple[dict, int]:
        return normalize(json.loads(self.ws.store.file_path(aid).read_bytes()))

    # -- one round -----------------------------------------------------------------------------
    def plan(self, rnd: int) -> tuple[str, dict]:
        r = self.rng
        if rnd == 1:  # deterministic floor for the whole run: 10 acks (every kind of op) on a schema-0 file
            return "acks", {"n": 10, "aid": self.aids[1]}
        if rnd == 2:  # a kill inside an open that migrates
            return "self-open", {"target": ["open", 1, r.randint(1, 30)], "aid": self.aids[2]}
        if rnd == 3:  # a kill inside a save
            return "self-op", {"target": ["op", 3, r.randint(1, 12)], "aid": self.aids[0]}
        x = r.random()
        if x < 0.35:
            return "acks", {"n": r.randint(0, 20)}
        if x < 0.5:
            return "open", {"k": r.choice([1, 1, 2, 3])}
        if x < 0.75:
            return "self-open", {"target": ["open", r.choice([1, 1, 2, 3]), r.randint(1, self.max_events["open"] + 1)]}
        return "self-op", {"target": ["op", r.randint(1, 16), r.randint(1, self.max_events["op"] + 1)]}

    def round(self, rnd: int, zygote: subprocess.Popen, lines: Lines) -> None:
        mode, p = self.plan(rnd)
        aid = p.get("aid") or self.jitter.choice(self.aids)
        model = self.models[aid]
        odds = 0.5 if mode in ("open", "self-open") else 0.1  # kills in migrating opens
        if (rnd > 3 and aid not in self.damaged and model.acked[("meta", "", "schema_version")] == SCHEMA_VERSION
                and self.jitter.random() < odds):
            downgrade(self.ws.store.file_path(aid), drop_tables=aid == "crash-bare")  # the others keep their answers
            model.update(self.read(aid)[0])
            self.res.downgrades += 1
        cfg = {"aid": aid, "seed": self.rng.randrange(2**32), "round": rnd, "target": p.get("target")}
        zygote.stdin.write(json.dumps(cfg) + "\n")
        zygote.stdin.flush()
        deadline = time.monotonic() + ROUND_TIMEOUT
        pending: dict | None = None  # the save or the migrating open in flight
        in_open = False
        acks = opens = 0
        child = 0
        ended = False  # the writer stopped by itself (error or limit)
        reaped: int | None = None
        killed = mode.startswith("self")
        if killed:
            zygote.stdin.write("reap\n")
            zygote.stdin.flush()
        while reaped is None:
            if not killed and not ended and child and (
                    (mode == "acks" and acks >= p["n"]) or (mode == "open" and in_open and opens >= p["k"])):
                time.sleep(self.jitter.uniform(0, 0.005))  # vary where the kill lands; nothing is asserted on it
                os.kill(child, signal.SIGKILL)
                killed = True
                zygote.stdin.write("reap\n")
                zygote.stdin.flush()
            word, _, rest = lines.next(deadline).partition(" ")
            if word == "child":
                child = self.live = int(rest)
            elif word == "open":
                opens, in_open = int(rest), True
                self.res.opens += 1
                if model.acked[("meta", "", "schema_version")] != SCHEMA_VERSION:
                    pending = {"kind": "open", "iid": "", "args": {}}
            elif word == "opened":
                in_open = False
                if pending:
                    self.res.migrations_done += 1
                    model.update(apply_op(model.acked, pending))
                    pending = None
                self.max_events["open"] = max(self.max_events["open"], int(rest.split()[1]))
            elif word == "begin":
                pending = json.loads(rest)
            elif word == "ack":
                seq, n = map(int, rest.split())
                assert pending and pending["seq"] == seq, (pending, seq)
                model.update(apply_op(model.acked, pending))
                self.res.acks += 1
                self.res.acks_by_op[pending["name"]] += 1
                self.max_events["op"] = max(self.max_events["op"], n)
                pending = None
                acks += 1
            elif word == "skip":
                pending = None
            elif word in ("error", "limit"):
                ended = True
                self.res.writer_errors += 1
                self.res.problem(f"round {rnd}: writer {word}: {json.loads(rest) if rest else ''}")
                if not killed:
                    killed = True
                    zygote.stdin.write("reap\n")
                    zygote.stdin.flush()
            elif word == "reaped":
                reaped = int(rest.split()[1])
                self.live = 0
        if not ended and not (os.WIFSIGNALED(reaped) and os.WTERMSIG(reaped) == signal.SIGKILL):
            self.res.writer_errors += 1
            self.res.problem(f"round {rnd}: writer ended with status {reaped}, not by SIGKILL")
        self.res.kills += 1
        self.res.kills_by_mode[mode] += 1
        if in_open:
            self.res.kills_in_open += 1
            self.res.kills_in_migrating_open += pending is not None
        elif pending is not None:
            self.res.kills_in_save += 1
        self.check(rnd, aid, pending)

    # -- after the kill ---------------------------------------------------------------------------
    def check(self, rnd: int, current: str, pending: dict | None) -> None:
        for aid in self.aids:
            self.res.file_checks += 1
            model = self.models[aid]
            old = model.acked
            new = apply_op(old, pending) if aid == current and pending else old
            try:
                stored, dups = self.read(aid)
                self.ws.load(aid)  # and readable through the app's own door
            except Exception as exc:  # any failure to read is what we count
                self.res.unreadable += 1
                self.res.problem(f"round {rnd}: {aid} unreadable: {exc!r}")
                self.damaged.add(aid)
                continue
            self.damaged.discard(aid)
            if dups:
                self.res.foreign += dups
                self.res.problem(f"round {rnd}: {aid}: {dups} duplicate records")
            for key in old.keys() | new.keys() | stored.keys():
                got = stored.get(key, default(key))
                want_old, want_new = old.get(key, default(key)), new.get(key, default(key))
                if got == want_old or got == want_new:
                    continue
                if _dump(got) in model.history.get(key, {_dump(default(key))}):
                    self.res.lost += 1
                    what = "lost"
                else:
                    self.res.foreign += 1
                    what = "foreign"
                self.res.problem(f"round {rnd}: {aid} {key}: {what} {got!r}, acked {want_old!r}, in flight {want_new!r}")
            if new is not old and all(stored.get(k, default(k)) == new.get(k, default(k)) for k in new.keys() | old.keys()
                                      if old.get(k, default(k)) != new.get(k, default(k))):
                self.res.in_flight_landed += 1
            model.update(stored)
        for backup in sorted((self.ws.store.backups_dir / current).glob("*.json")):
            self.res.file_checks += 1
            try:
                normalize(json.loads(backup.read_bytes()))
            except Exception as exc:
                self.res.unreadable += 1
                self.res.problem(f"round {rnd}: backup {backup} unreadable: {exc!r}")

    def run(self, kills: int) -> Result:
        t0 = time.monotonic()
        errlog = self.ws.root.parent / f"{self.ws.root.name}-writer-stderr.txt"
        with open(errlog, "w") as err:
            zygote = subprocess.Popen([sys.executable, "-c", ZYGOTE, str(self.ws.root)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=err, text=True,
                                      env=os.environ | {"PYTHONPATH": str(ROOT)})
        lines = Lines(zygote.stdout.fileno())
        try:
            first = lines.next(time.monotonic() + ROUND_TIMEOUT)
            assert first == "ready", (first, errlog.read_text())
            for rnd in range(1, kills + 1):
                self.round(rnd, zygote, lines)
        finally:
            if self.live:  # the test failed while a writer was running: stop it
                os.kill(self.live, signal.SIGKILL)
            zygote.stdin.close()
            try:
                zygote.wait(timeout=30)
            except subprocess.TimeoutExpired:
                zygote.kill()
                zygote.wait()
        self.res.seconds = round(time.monotonic() - t0, 1)
        return self.res


def run_kills(workspace: Workspace, aid: str | None = None, kills: int = 60, seed: int = 1234) -> dict:
    """Run the crash injection in ``workspace`` (which gets four assessments of its own; ``aid``,
    if given, is worked on too). Returns the counts; ``bench/run.py`` uses them as well."""
    aids = make_files(workspace, random.Random(seed))
    if aid is not None:
        aids.append(aid)
    res = Harness(workspace, aids, seed).run(kills)
    out = res.summary()
    # Reported, not asserted here: temp files the killed writers left (issue 10, break 7).
    out["temp_files_left"] = {"assessments": len(list(workspace.store.assessments_dir.glob(".*.tmp"))),
                              "backups": len(list(workspace.store.backups_dir.glob("*/.*.tmp")))}
    out["problems"] = res.problems
    return out


def assert_sound(result: dict) -> None:
    bad = {k: result[k] for k in ("unreadable", "lost", "foreign", "writer_errors")}
    assert bad == {"unreadable": 0, "lost": 0, "foreign": 0, "writer_errors": 0}, result["problems"]
    # Conditions that hold whatever the machine's speed (rounds 1-3 are planned to make them so).
    assert result["acks"] >= 10
    assert set(result["acks_by_op"]) >= {"status", "clear_status", "note", "clear_fields", "fields", "action",
                                         "action_partial", "meta"}, result["acks_by_op"]
    assert result["migrations_done"] >= 1 and result["kills_in_open"] >= 1 and result["kills_in_migrating_open"] >= 1
    assert result["kills_in_save"] >= 1


def assert_clean_afterwards(workspace: Workspace) -> None:
    """Temp files of the killed writers go at the next start once old; every file opens again."""
    folder = workspace.store.assessments_dir
    old = time.time() - 3600
    for p in folder.glob(".*.tmp"):
        os.utime(p, (old, old))
    ws = Workspace(workspace.root)
    assert not sorted(p.name for p in folder.glob(".*.tmp"))
    for aid in ws.store.ids():
        with ws.open(aid) as s:
            assert s.items and s.assessment.id == aid


def test_sigkill_during_opens_and_saves(workspace: Workspace):
    result = run_kills(workspace, kills=60)
    print(f"\ncrash injection: {result}")
    assert result["kills"] == 60 and result["files"] == 4
    assert_sound(result)
    assert_clean_afterwards(workspace)


def test_model_notices_a_lost_and_a_foreign_value(workspace: Workspace):
    """The checker itself can fail: a value rolled back behind its back, or one never written."""
    h = Harness(workspace, make_files(workspace, random.Random(5)), seed=5)
    aid = h.aids[0]
    path = workspace.store.file_path(aid)
    before = path.read_bytes()
    with workspace.open(aid) as s:
        iid = s.items[0].id
        s.set_fields(iid, note="acknowledged")
    h.models[aid].update(apply_op(h.models[aid].acked, {"kind": "fields", "iid": iid, "args": {"note": "acknowledged"}}))
    h.check(1, aid, None)
    assert (h.res.lost, h.res.foreign, h.res.unreadable) == (0, 0, 0), h.res.problems
    atomic_write_bytes(path, before)  # the acknowledged note goes back to its older value
    h.check(2, aid, None)
    assert h.res.lost == 1 and h.res.foreign == 0, h.res.problems
    data = json.loads(before)
    next(iter(data["answers"].values()))["owner"] = "nobody wrote this"
    atomic_write_bytes(path, encode(data))
    h.check(3, aid, None)
    assert h.res.foreign == 1, h.res.problems
    path.write_bytes(before[: len(before) // 2])
    h.check(4, aid, None)
    assert h.res.unreadable == 1


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("ISMS_SOAK"), reason="soak test: run with `make soak` (1,000 kills)")
def test_sigkill_soak(workspace: Workspace, tmp_path: Path):
    kills = int(os.environ.get("ISMS_SOAK_KILLS", "1000"))
    result = run_kills(workspace, kills=kills, seed=99)
    result["items_per_file"] = sum(len(workspace.bankset.banks[b].items) for b in BANKS)
    result["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"\nSOAK kills={result['kills']} files={result['files']} file_checks={result['file_checks']} "
          f"unreadable={result['unreadable']} lost={result['lost']} foreign={result['foreign']}\n{result}")
    Path(os.environ.get("ISMS_SOAK_OUT", tmp_path / "soak.json")).write_text(
        json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert_sound(result)
    assert_clean_afterwards(workspace)
