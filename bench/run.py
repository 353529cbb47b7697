"""`make bench`: measured speed and reliability, written to BENCHMARKS.md.

Every figure is reported against a baseline measured in the same run (a ratio), with the
absolute numbers (median and spread of several runs) for context. Nothing here is a test
assertion: goals are compared and reported, not enforced.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from isms_tui.model import Answer, Assessment  # noqa: E402
from isms_tui.service import Workspace  # noqa: E402
from isms_tui.storage import atomic_write_bytes, encode  # noqa: E402


def med(xs):
    return statistics.median(xs)


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def spread(xs):
    return f"{min(xs):.1f}–{max(xs):.1f}"


# --- cold start --------------------------------------------------------------------------
START_SCRIPT = r"""
import asyncio, sys, time, os
t0 = float(os.environ["BENCH_T0"])
kind = sys.argv[1]
if kind == "baseline":
    from bench.minimal_app import Minimal
    app = Minimal()
else:
    from isms_tui.app import IsmsApp
    app = IsmsApp(sys.argv[2], lang="ja")
async def main():
    async with app.run_test(size=(100, 30)) as pilot:
        if kind != "baseline":
            from isms_tui.screens.home import HomeScreen
            while not isinstance(app.screen, HomeScreen) or not app.screen.is_mounted:
                await pilot.pause(0.005)
        await pilot.pause()
        print(time.time() - t0)
asyncio.run(main())
"""


def cold_start(data_dir: Path, runs: int) -> dict:
    """Start-up as a user sees it from the second start on: with the bytecode cached (a shell
    that sets PYTHONDONTWRITEBYTECODE would otherwise compile the app's sources on every run
    while Textual's, installed by pip, are compiled once)."""
    import compileall

    compileall.compile_dir(ROOT / "isms_tui", quiet=1)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": str(ROOT)}
    out = {"baseline": [], "app": []}
    for _ in range(runs):
        for kind in ("baseline", "app"):
            e = env | {"BENCH_T0": repr(time.time())}
            r = subprocess.run([sys.executable, "-c", START_SCRIPT, kind, str(data_dir)], capture_output=True, text=True, env=e)
            out[kind].append(float(r.stdout.strip().splitlines()[-1]) * 1000)
    return out


# --- saving ------------------------------------------------------------------------------
def fill_store(ws: Workspace, n: int, answers_each: int = 300) -> None:
    items = [i for b in ws.bankset.banks.values() for i in b.items][:answers_each]
    statuses = ["implemented", "partial", "not_implemented", "unknown"]
    for k in range(n):
        a = Assessment(organization=f"Filler {k}", banks=["annex-a-2022", "clauses-2022", "process-acquisition"])
        ws.create(a, [Answer(i.id, status=statuses[j % 4], note=f"note {j} 備考") for j, i in enumerate(items)])


def interleaved_save_latency(pairs: list[tuple[Workspace, str]], n: int) -> list[list[float]]:
    """Saves alternate between the workspaces so that disk noise hits each the same way."""
    sessions = [ws.open(aid) for ws, aid in pairs]
    out: list[list[float]] = [[] for _ in pairs]
    try:
        items = [[i.id for i in s.items] for s in sessions]
        for k in range(n):
            for j, s in enumerate(sessions):
                t = time.perf_counter()
                s.set_status(items[j][k % len(items[j])], ["implemented", "partial"][k % 2])
                out[j].append((time.perf_counter() - t) * 1000)
    finally:
        for s in sessions:
            s.close()
    return out


def raw_write_latency(path: Path, data: bytes, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        atomic_write_bytes(path, data)
        times.append((time.perf_counter() - t) * 1000)
    return times


# --- keypress -> next item painted ---------------------------------------------------------
def make_big_custom_bank(folder: Path, n: int) -> None:
    lines = ['id = "bench-extra"', 'kind = "custom"', 'title.ja = "追加"', 'title.en = "Extra"', "",
             "[[sections]]", 'id = "x"', 'title.ja = "追加"', 'title.en = "Extra"', ""]
    for k in range(n):
        lines += [
            "[[items]]", f'id = "bench-{k}"', 'section = "x"', 'refs.controls = ["8.13"]', "weight = 2",
            "mandatory = false", "na_allowed = true",
            f'question.ja = "追加の確認項目 {k} はできていますか。"', f'question.en = "Is extra check {k} in place?"',
            f'why.ja = "理由 {k}"', f'why.en = "Reason {k}"', f'auditor_asks.ja = "記録 {k}"', f'auditor_asks.en = "Records {k}"',
            f'evidence.ja = ["記録{k}", "画面{k}"]', f'evidence.en = ["Record {k}", "Screen {k}"]',
            f'action.ja = "対応 {k}"', f'action.en = "Act {k}"', "",
        ]
    (folder / "bench-extra.toml").write_text("\n".join(lines), encoding="utf-8")


def _instrument(cls, action: str, sink: list[float]):
    """Time from the key's action starting to the end of the refresh that paints it."""
    orig = getattr(cls, action)

    def timed(self, *a):
        t0 = time.perf_counter()
        orig(self, *a)
        self.app.call_after_refresh(lambda: sink.append((time.perf_counter() - t0) * 1000))

    setattr(cls, action, timed)
    return orig


async def _keypress(data_dir: Path, aid: str, presses: int) -> tuple[list[float], list[float]]:
    from isms_tui.app import IsmsApp
    from isms_tui.screens.questionnaire import QuestionnaireScreen

    app = IsmsApp(data_dir, lang="ja", open_id=aid)
    inapp: list[float] = []
    roundtrip = []
    orig = _instrument(QuestionnaireScreen, "action_next", inapp)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause(0.5)
            for _ in range(presses):
                t = time.perf_counter()
                await pilot.press("n")
                await pilot.pause()
                roundtrip.append((time.perf_counter() - t) * 1000)
    finally:
        QuestionnaireScreen.action_next = orig
    return inapp, roundtrip


async def _keypress_baseline(presses: int) -> tuple[list[float], list[float]]:
    from textual.app import App
    from textual.widgets import Footer, Header, Static

    class Minimal(App):
        BINDINGS = [("n", "next", "Next")]
        n = 0

        def compose(self):
            yield Header()
            yield Static("0", id="s")
            yield Footer()

        def action_next(self):
            self.n += 1
            self.query_one("#s", Static).update(f"item {self.n}")

    app = Minimal()
    inapp: list[float] = []
    roundtrip = []
    _instrument(Minimal, "action_next", inapp)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for _ in range(presses):
            t = time.perf_counter()
            await pilot.press("n")
            await pilot.pause()
            roundtrip.append((time.perf_counter() - t) * 1000)
    return inapp, roundtrip


# --- command palette: typing never waits for the search ------------------------------------
PALETTE_QUERIES = ("Leadership", "training", "risk assessment")


async def _palette(app, ready, queries) -> tuple[list[float], list[float]]:
    """Type each query into the command palette one key at a time. Per key: time from the key
    reaching the app's driver to the palette's input showing it (a blocked event loop delays
    it). Per query: time from the last key to the results list being filled."""
    from textual import events
    from textual.command import CommandInput, CommandList, CommandPalette

    keys: list[float] = []
    results: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        while not ready(app):
            await pilot.pause(0.01)
        for query in queries:
            await pilot.press("ctrl+p")
            while not isinstance(app.screen, CommandPalette) or not app.screen.is_mounted:
                await pilot.pause(0.01)
            palette = app.screen
            field = palette.query_one(CommandInput)
            hits = palette.query_one(CommandList)
            searches: dict[str, object] = {}
            gather = palette._gather_commands

            def recorded(value: str, gather=gather, searches=searches):
                searches[value] = worker = gather(value)
                return worker

            palette._gather_commands = recorded
            for k, ch in enumerate(query):
                t = time.perf_counter()
                app._driver.send_message(events.Key("space" if ch == " " else ch, ch))
                while field.value != query[: k + 1]:
                    await asyncio.sleep(0.001)
                keys.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            while query not in searches or not searches[query].is_finished:
                await asyncio.sleep(0.001)
            results.append((time.perf_counter() - t) * 1000)
            assert hits.option_count, f"no palette hits for {query!r}"
            await pilot.press("escape")
            while isinstance(app.screen, CommandPalette):
                await pilot.pause(0.01)
    return keys, results


def palette_latency(data_dir: Path, aid: str) -> tuple[list[float], list[float]]:
    from isms_tui.app import IsmsApp
    from isms_tui.screens.questionnaire import QuestionnaireScreen

    app = IsmsApp(data_dir, lang="en", open_id=aid)
    return asyncio.run(_palette(app, lambda a: isinstance(a.screen, QuestionnaireScreen) and a.screen.is_mounted,
                                PALETTE_QUERIES))


def palette_baseline() -> tuple[list[float], list[float]]:
    from bench.minimal_app import Minimal

    return asyncio.run(_palette(Minimal(), lambda a: a.screen.is_mounted, ("Quit", "Keys", "Screenshot")))


# --- export ------------------------------------------------------------------------------
def full_assessment(ws: Workspace) -> str:
    a = Assessment(organization="ベンチ株式会社", kind="initial", edition="2022", lang="ja", target_date="2027-06-01")
    ws.create(a)
    with ws.open(a.id) as s:
        for n, item in enumerate(s.items):
            s.set_status(item.id, ["implemented", "partial", "not_implemented", "unknown"][n % 4])
            s.set_fields(item.id, note=f"メモ {n}: 規程あり、記録は一部", evidence=f"共有ドライブ/ISMS/{n}.pdf", owner="佐藤")
    return a.id


def export_times(ws: Workspace, aid: str, runs: int, out: Path) -> dict:
    from isms_tui.exports.xlsx import export_assessment

    res = {"ja": [], "en": []}
    for _ in range(runs):
        for lang in ("ja", "en"):
            t = time.perf_counter()
            export_assessment(ws, aid, out / f"b_{lang}.xlsx", lang=lang)
            res[lang].append((time.perf_counter() - t) * 1000)
    return res


def with_long_note(ws: Workspace, aid: str, chars: int = 32_000) -> str:
    """A copy of the full assessment where one answer carries a note of ``chars`` characters
    (Japanese and English mixed, with line breaks): the export measures row heights on a
    capped prefix, so the note must not slow it down."""
    copy = ws.duplicate(aid, organization="ベンチ株式会社 (long note)")
    chunk = "規程はあるが記録が一部の部署にしかない。The rule exists but records are kept by some teams only.\n"
    with ws.open(copy) as s:
        s.set_fields(s.items[0].id, note=(chunk * (chars // len(chunk) + 1))[:chars])
    return copy


def export_baseline(cells: int, runs: int, out: Path) -> list[float]:
    import xlsxwriter

    times = []
    for _ in range(runs):
        t = time.perf_counter()
        wb = xlsxwriter.Workbook(str(out / "base.xlsx"))
        ws = wb.add_worksheet()
        for k in range(cells):
            ws.write_string(k // 10, k % 10, f"cell {k} セル")
        wb.close()
        times.append((time.perf_counter() - t) * 1000)
    return times


def count_cells(path: Path) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    return sum(1 for s in wb.worksheets for row in s.iter_rows() for c in row if c.value is not None)


# --- home screen with many assessments ------------------------------------------------------
HOME_SCRIPT = r"""
import asyncio, sys, time
from isms_tui.app import IsmsApp
from isms_tui.screens.home import HomeScreen
app = IsmsApp(sys.argv[1], lang="ja")
async def main():
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        while not isinstance(app.screen, HomeScreen) or not app.screen.is_mounted:
            await pilot.pause(0.01)
        t = time.perf_counter(); app.screen.reload(); await pilot.pause()
        print((time.perf_counter() - t) * 1000)
asyncio.run(main())
"""

MEM_SCRIPT = r"""
import asyncio, sys
kind = sys.argv[1]
if kind == "baseline":
    from bench.minimal_app import Minimal
    app = Minimal()
else:
    from isms_tui.app import IsmsApp
    app = IsmsApp(sys.argv[2], lang="ja", open_id=sys.argv[3])
async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        if kind != "baseline":
            for k in ("n", "n", "d", "escape", "a", "escape"):
                await pilot.press(k); await pilot.pause()
asyncio.run(main())
# VmHWM: this process's own peak (ru_maxrss would carry the forking parent's peak over exec)
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(int(hwm.split()[1]) / 1024)
"""


def run_py(script: str, *args: str) -> float:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(r.stderr[-2000:])
    return float(r.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer runs, 100 kills instead of 1,000")
    ap.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    ap.add_argument("--only", choices=["export"], help="run one case and print it (BENCHMARKS.md is left as it is)")
    args = ap.parse_args()
    if args.only == "export":
        return export_only(3 if args.quick else 7)
    runs = 3 if args.quick else 7
    tmp = Path(tempfile.mkdtemp(prefix="isms-bench-"))
    rows: list[tuple[str, str, str, str, str]] = []  # what, measured, baseline, ratio, goal
    notes: list[str] = []
    try:
        print("cold start…", flush=True)
        empty = tmp / "empty"
        Workspace(empty)
        cs = cold_start(empty, runs)
        r = med(cs["app"]) / med(cs["baseline"])
        rows.append(("Cold start to interactive home (ms)", f"{med(cs['app']):.0f} ({spread(cs['app'])})",
                     f"{med(cs['baseline']):.0f} ({spread(cs['baseline'])}) minimal Textual app", f"{r:.2f}×", ok(r <= 1.3, "≤ 1.3×")))

        print("saves…", flush=True)
        one = tmp / "one"
        ws1 = Workspace(one)
        fill_store(ws1, 1)
        aid1 = ws1.store.ids()[0]
        mid = tmp / "mid"
        ws300 = Workspace(mid)
        fill_store(ws300, 300)
        many = tmp / "many"
        ws500 = Workspace(many)
        fill_store(ws500, 500)
        aid500 = ws500.store.ids()[0]
        s1, s300, s500 = interleaved_save_latency([(ws1, aid1), (ws300, ws300.store.ids()[0]), (ws500, aid500)], 400)
        shutil.rmtree(mid)
        raw = raw_write_latency(tmp / "raw.json", encode(ws1.store.read(aid1)), 400)
        rows.append(("Answer saved durably, 1 stored assessment (ms)", f"median {med(s1):.2f}, p95 {p95(s1):.2f}",
                     f"median {med(raw):.2f} bare temp+fsync+replace of the same file", f"{med(s1) / med(raw):.2f}×",
                     ok(med(s1) <= 10, "≤ 10 ms median")))
        rows.append(("Answer saved durably, 300 stored × 300 answers (ms)", f"median {med(s300):.2f}, p95 {p95(s300):.2f}",
                     f"median {med(s1):.2f} with 1 stored", f"{med(s300) / med(s1):.2f}×", ok(med(s300) <= 10, "≤ 10 ms median")))
        r = med(s500) / med(s1)
        rows.append(("Answer saved durably, 500 stored × 300 answers (ms)", f"median {med(s500):.2f}, p95 {p95(s500):.2f}",
                     f"median {med(s1):.2f} with 1 stored", f"{r:.2f}×", ok(r <= 1.2 and med(s500) <= 10, "≤ 10 ms, ≤ 1.2×")))

        print("home with 500…", flush=True)
        Workspace(many).summaries()  # first listing builds the index cache, like any first start
        h500 = [run_py(HOME_SCRIPT, str(many)) for _ in range(runs)]
        h0 = [run_py(HOME_SCRIPT, str(empty)) for _ in range(runs)]
        r = med(h500) / med(h0)
        rows.append(("Home screen list refresh, 500 stored vs none (ms)", f"{med(h500):.1f} ({spread(h500)})",
                     f"{med(h0):.1f} ({spread(h0)}) with none", f"{r:.2f}×", ok(r <= 1.5, "≤ 1.5×")))
        cold_idx = tmp / "many_noindex"
        shutil.copytree(many, cold_idx)
        (cold_idx / "index.json").unlink()
        t = time.perf_counter()
        Workspace(cold_idx).summaries()
        notes.append(f"Listing 500 assessments with no index cache (first start after an upgrade): "
                     f"{(time.perf_counter() - t) * 1000:.0f} ms; afterwards the cache keyed by size and mtime is used.")

        print("keypress…", flush=True)
        kp_dir = tmp / "kp"
        (kp_dir / "banks").mkdir(parents=True)
        make_big_custom_bank(kp_dir / "banks", 60)
        wsk = Workspace(kp_dir)
        all_banks = list(wsk.bankset.banks)
        a = Assessment(organization="Keys KK", banks=all_banks)
        wsk.create(a)
        n_items = sum(len(b.items) for b in wsk.banks_for(a))
        kp, kp_rt = asyncio.run(_keypress(kp_dir, a.id, 60))
        kb, kb_rt = asyncio.run(_keypress_baseline(60))
        rows.append((f"Keypress → next item painted, {n_items} items (ms, action start to end of refresh)",
                     f"median {med(kp):.1f}, p95 {p95(kp):.1f}",
                     f"median {med(kb):.1f} minimal app updating a Static", f"{med(kp) / med(kb):.2f}×", ok(med(kp) <= 50, "≤ 50 ms")))
        notes.append(f"Keypress round trip through Pilot (press + wait for idle, which includes Pilot's own waits): "
                     f"median {med(kp_rt):.0f} ms vs {med(kb_rt):.0f} ms for the minimal app.")

        print("palette…", flush=True)
        pk, pr = palette_latency(kp_dir, a.id)
        bk, bres = palette_baseline()
        rows.append((f"Command palette, key → shown in the search field while searching {n_items} items (ms; "
                     f"{', '.join(repr(q) for q in PALETTE_QUERIES)} typed key by key)",
                     f"max {max(pk):.0f}, p95 {p95(pk):.0f}, median {med(pk):.0f}",
                     f"max {max(bk):.0f}, p95 {p95(bk):.0f} minimal app's palette (system commands only)",
                     f"{p95(pk) / p95(bk):.2f}× (p95)", ok(max(pk) <= 100, "every key ≤ 100 ms")))
        notes.append(f"Command palette, last key → results listed: {', '.join(f'{x:.0f}' for x in pr)} ms for "
                     f"{', '.join(repr(q) for q in PALETTE_QUERIES)} (minimal app: {', '.join(f'{x:.0f}' for x in bres)} ms).")

        print("export…", flush=True)
        rows += export_rows(tmp, runs)

        print("memory…", flush=True)
        m_app = run_py(MEM_SCRIPT, "app", str(kp_dir), a.id)
        m_base = run_py(MEM_SCRIPT, "baseline", "x", "x")
        rows.append((f"Peak memory, app with {n_items}-item assessment open (MiB)", f"{m_app:.0f}", f"{m_base:.0f} minimal Textual app",
                     f"{m_app / m_base:.2f}×", "reported"))

        print("crash injection…", flush=True)
        kills = 100 if args.quick else 1000
        soak = crash_injection(tmp, kills)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    write_report(Path(args.out), rows, notes, soak, runs)
    print(Path(args.out).read_text(encoding="utf-8"))
    return 0


def export_rows(tmp: Path, runs: int) -> list[tuple[str, str, str, str, str]]:
    rows = []
    wse = Workspace(tmp / "exp")
    aide = full_assessment(wse)
    ex = export_times(wse, aide, runs, tmp)
    cells = count_cells(tmp / "b_ja.xlsx")
    base = export_baseline(cells, runs, tmp)
    for lang in ("ja", "en"):
        rows.append((f"Full export, fully answered 2022 assessment, {lang} (ms)", f"{med(ex[lang]):.0f} ({spread(ex[lang])})",
                     f"{med(base):.0f} plain xlsxwriter, same {cells} cells", f"{med(ex[lang]) / med(base):.2f}×",
                     ok(med(ex[lang]) <= 1000, "≤ 1 s")))
    long = export_times(wse, with_long_note(wse, aide), runs, tmp)
    for lang in ("ja", "en"):
        r = med(long[lang]) / med(ex[lang])
        rows.append((f"Full export with one 32,000-character note, {lang} (ms)", f"{med(long[lang]):.0f} ({spread(long[lang])})",
                     f"{med(ex[lang]):.0f} the same assessment without it", f"{r:.2f}×",
                     ok(med(long[lang]) <= 1000, "≤ 1 s")))
    return rows


def export_only(runs: int) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="isms-bench-"))
    try:
        for what, measured, baseline, ratio, goal in export_rows(tmp, runs):
            print(f"{what}: {measured} | baseline {baseline} | {ratio} | {goal}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def ok(cond: bool, goal: str) -> str:
    return f"{goal}: {'met' if cond else 'MISSED'}"


def crash_injection(tmp: Path, kills: int) -> dict:
    from tests.test_crash_safety import run_kills

    d = tmp / "soak"
    (d / "banks").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "sample_bank.toml", d / "banks")
    ws = Workspace(d)
    a = Assessment(organization="Soak KK", banks=["sample"])
    ws.create(a)
    t = time.perf_counter()
    res = run_kills(ws, a.id, kills=kills, seed=7)
    res["seconds"] = round(time.perf_counter() - t)
    return res


# Each promise of the README and each break of the reliability review (issue 10), with the
# test that reproduces it; the figures are what those tests and `make soak` measure.
RELIABILITY = [
    ("Two writers on one assessment", "second refused with a message, nothing lost",
     "tests/test_storage.py::test_second_writer_*, tests/test_tui.py::test_locked_*"),
    ("Failed write (full disk: fsync raising ENOSPC in-process, RLIMIT_FSIZE=0 in a child CLI)",
     "previous file intact, 0 temp files left, one line naming the file and the cause; TUI shows it in red",
     "tests/test_storage.py::test_full_disk_at_*, tests/test_cli.py::test_writes_on_a_full_disk_are_one_line"),
    ("Trash and backup names within one clock tick (8 parallel restores of a damaged file; delete, restore, delete; "
     "3 backups in one tick; no hard links)", "every file kept under its own name (hard link or O_EXCL): 0 overwritten",
     "tests/test_cli.py::test_parallel_restores_*, tests/test_storage.py::test_*_names_never_overwrite_*, "
     "test_without_hard_links_names_stay_unique"),
    ("Start-up cleanup while a writer saves (all-digit ids, other processes starting)",
     "a temp file is removed only when its writer is gone (lock free, pid dead): 0 live temp files removed; ids never all digits",
     "tests/test_storage.py::test_start_up_keeps_a_live_writers_temp_file, test_generated_ids_never_read_as_numbers"),
    ("Restore on a full disk; restore of a healthy file", "file kept and listed as damaged; healthy file refused "
     "without --force; the message says what moved where", "tests/test_storage.py::test_restore_*, tests/test_cli.py::test_restore_on_a_full_disk_*"),
    ("One bad value in a file (15 cases: bogus status, non-text note, bad dates, null stamps, bad risk rows…)",
     "that file listed as damaged with its backup and `restore`; the others list, open and export; 0 files rewritten",
     "tests/test_storage.py::test_a_bad_value_marks_only_that_file_damaged, test_a_bad_risk_row_*"),
    ("Damaged index.json entries (8 cases); a file changed with the same size and mtime", "entries rebuilt; "
     "the cache key (size, mtime, ctime, inode) notices the change", "tests/test_storage.py::test_damaged_index_*, test_index_notices_*"),
    ("Kill during export or during the backup at open", "leftover temp files of ours removed at the next start "
     "(only ours, only when their writer is gone); no ZipFile traceback", "tests/test_storage.py::test_kill_during_*, "
     "tests/test_cli.py::test_export_cleans_only_our_dead_temp_files_*"),
    ("Permissions under umask 000; a data folder others can write (1777, 0777, group 0770)", "error.log and files 0600 "
     "from creation, new parents 0700; such a folder refused and left unchanged",
     "tests/test_cli.py::test_error_log_is_private_*, tests/test_storage.py::test_new_data_folder_*, test_a_data_folder_others_*"),
    ("Undecodable arguments; a lock that is a folder; backups/ID that is a file", "one line, exit 2 (usage) or 1 (data), "
     "never 'internal error'", "tests/test_cli.py::test_undecodable_argument_*, tests/test_storage.py::test_lock_folder_*"),
    ("Read-only data folder", "list and export work; 5 kinds of write refused with one line; 0 files changed",
     "tests/test_storage.py::test_read_only_data_folder_*"),
    ("Unexpected error in the TUI; full disk at open", "a one-line message; the traceback without local variables in "
     "error.log (0600); no answer or note ever printed", "tests/test_tui.py (crash and full-disk cases)"),
    ("A custom bank that fails to load; bank text with markup", "its path:line: message shown on the home row and on "
     "open; bank text shown literally in the palette", "tests/test_tui.py (bank problem and palette markup cases)"),
    ("Command palette with every bank loaded; a 10 MB note", "typing never waits for the search (see the palette "
     "row above); the note is kept intact, shown cut with a mark and edited on request",
     "bench/run.py palette case; tests/test_tui.py (long note case)"),
    ("Tests on a busy machine", "conditions are awaited, never time; `make test` three times in a row, each from a "
     "fresh clone (new .venv), with two `python -c 'while 1: pass'` running throughout (load 3.9-4.0 on 2 cores): "
     "3 of 3 passed, 505 passed 1 skipped each, in 13.8, 10.3 and 10.8 min (2026-12-01, commit 455b940; "
     "script: make test in a loop after git clone)", "tests/test_tui.py, tests/test_crash_safety.py"),
    ("Fuzzing (hypothesis): bank loader on mutated bank files; export of random unicode notes",
     "no traceback; every note read back literally", "tests/test_fuzz.py"),
    ("Hostile text (formula prefixes, links, markup brackets, escape sequences, 100 KB notes, emoji, combining marks)",
     "stored cleaned, shown as typed, exported as literal strings", "tests/test_xlsx.py, tests/test_fuzz.py, tests/test_tui.py"),
]


def reliability_lines(soak: dict) -> list[str]:
    rows = [
        "## Reliability",
        "",
        "| check | result | where |",
        "|---|---|---|",
        f"| Crash injection: {soak['kills']:,} SIGKILLs during opens (lock, backup, migration) and saves on "
        f"{soak.get('files', 1)} assessments of {soak.get('items_per_file', '?')} items: statuses and notes set and "
        "cleared, plan and header edits; after each kill every stored field compared with what was acknowledged "
        f"| kills {soak['kills']:,} ({soak.get('kills_in_open', '?')} in an open, {soak.get('kills_in_migrating_open', '?')} "
        f"of them migrating; {soak.get('kills_in_save', '?')} in a save); files {soak.get('files', 1)}, "
        f"{soak.get('file_checks', '?'):,} reads, {soak['unreadable']} unreadable; {soak.get('acks', '?'):,} "
        f"acknowledged saves, {soak['lost']} lost, {soak.get('foreign', 0)} foreign ({soak['seconds']} s, "
        f"{soak.get('date', '')}) | `make soak` (bench/soak.json); 60 kills in every `make test` |",
    ]
    rows += [f"| {a} | {b} | {c} |" for a, b, c in RELIABILITY]
    return rows + [""]


def write_report(path: Path, rows, notes, soak, runs) -> None:
    import textual

    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo", encoding="utf-8") if Path("/proc/cpuinfo").exists() else open(os.devnull) as fh:
        model = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    lines = [
        "# Benchmarks and reliability report",
        "",
        f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {model}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, Textual {textual.__version__}, {platform.system()} {platform.release()}.",
        f"Each figure: median of {runs} runs (or of every operation for per-operation figures), range in brackets, "
        "and the ratio to a baseline measured in the same run. Goals are reported, not asserted in tests.",
        "",
        "| measure | isms-tui | baseline | ratio | goal |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows]
    lines += ["", *[f"- {n}" for n in notes], ""]
    lines += [
        *reliability_lines(soak),
    ]
    analysis = Path(__file__).with_name("analysis.md")
    if analysis.exists():
        lines += [analysis.read_text(encoding="utf-8")]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
