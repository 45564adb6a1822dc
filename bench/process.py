"""Figures in fresh processes: cold starts, peak memory, the memory soak and the UI thread
while searching, each against a bare window (or a raw sqlite3 child) in the same run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    CART_LINES,
    CHILD_TIMEOUT_S,
    COLD_RUNS,
    FLOOR_WINDOW,
    MEMORY_LIMIT_MB,
    RATIO_TARGETS,
    ROOT,
    SIGNED_IN_MS,
    SOAK_EXACT_EVERY,
    SOAK_GROWTH_KB,
    SOAK_LINES,
    SOAK_WARMUP,
    UI_FRAME_MS,
    absolute_metric,
    child_env,
    connect,
    median,
    metric,
    p95,
    peak_mb,
    ratio_metric,
)
from bench.floor import FloorTill, RawConnection, floor_sale
from bench.ours import Ours
from bench.wiring import BenchWiring

MARKS = ("READY", "BACKEND", "SIGNED_IN", "SCANNED")


def run_child(mode: str, w: dict[str, Any]) -> dict[str, Any]:
    """Run ``main.py bench --child MODE WORKLOAD`` and return the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "bench", "--child", mode, w["workload"]],
        cwd=ROOT,
        env=child_env(Path(w["home"])),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S * (4 * COLD_RUNS + 2),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench child {mode} failed: {done.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def timed_process(
    argv: Sequence[str], stdin: str = "", until: str = "READY"
) -> tuple[dict[str, float], float]:
    """Start a process and time, from spawn, each marker line it prints (READY: the window
    is on screen and takes keys; BACKEND: the database is open and sign-in works; SIGNED_IN,
    SCANNED: a rehearsed cashier's sign-in and first scan). Returns those times (ms) and the
    child's peak RSS (MB); raises unless it said ``until`` and exited 0."""
    marks: dict[str, float] = {}
    lines: list[str] = []
    start = time.perf_counter_ns()
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watchdog = threading.Timer(CHILD_TIMEOUT_S, process.kill)
    watchdog.start()
    try:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(stdin)
        process.stdin.close()
        for line in process.stdout:
            word = line.strip()
            if word in MARKS:
                marks[word] = (time.perf_counter_ns() - start) / 1e6
            lines.append(word)
        # wait4, not wait: it also returns this child's rusage. Its ru_maxrss is at least
        # this small launcher's RSS at the fork (~10 MB), far below a Qt process's own.
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        watchdog.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or until not in marks:
        tail = " | ".join(lines[-4:])
        raise RuntimeError(f"{argv[1]} exited {process.returncode} without {until}: {tail}")
    return marks, usage.ru_maxrss / 1024


def cold_child(w: dict[str, Any]) -> dict[str, Any]:
    """Hidden mode, run from a small fresh process so forking is cheap and each child's peak
    RSS is its own: ``cold_runs`` timed starts of each kind, taking turns, after one discarded
    start each (the first pays for filling the page cache). "ours" starts to the sign-in
    window; "signed_in" also types the PIN and a scan (``run --rehearse``). ``cold_runs``
    is COLD_RUNS unless the caller asked for fewer."""
    till = [sys.executable, str(ROOT / "main.py"), "--db", w["url"], "run", "--exit-when-ready"]
    rehearsed = [
        sys.executable,
        str(ROOT / "main.py"),
        "--db",
        w["url"],
        "run",
        "--rehearse",
        w["username"],
        w["first_scan"],
    ]
    bare = [sys.executable, "-c", FLOOR_WINDOW]
    sides = ("floor", "ours", "signed_in")
    times: dict[str, list[float]] = {"ours": [], "floor": [], "backend": [], "signed_in": []}
    peaks = {"ours": 0.0, "floor": 0.0, "signed_in": 0.0}
    try:
        for run in range(w["cold_runs"] + 1):
            for side in sides if run % 2 else reversed(sides):
                if side == "signed_in":
                    marks, peak = timed_process(rehearsed, w["pin"] + "\n", until="SCANNED")
                    mark = marks["SCANNED"]
                else:
                    marks, peak = timed_process(till if side == "ours" else bare)
                    mark = marks["READY"]
                peaks[side] = max(peaks[side], peak)
                if run:
                    times[side].append(mark)
                    if side == "ours" and "BACKEND" in marks:
                        times["backend"].append(marks["BACKEND"])
    except RuntimeError as error:
        return {"times": times, "peaks": peaks, "error": str(error)}
    return {"times": times, "peaks": peaks, "error": None}


def measure_cold_start(w: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """(d) both ways: to the sign-in window (against the bare window, ≤ 2.5×) and to a
    signed-in till that took its first scan (absolute, reported against the bare window)."""
    child = run_child("cold", w)
    times, peaks = child["times"], child["peaks"]
    floor = median(times["floor"]) if times["floor"] else None
    extra = {
        "peak_mb_ours": peaks["ours"] or None,
        "peak_mb_floor": peaks["floor"] or None,
        "backend_ms": median(times["backend"]) if times.get("backend") else None,
    }
    signed = times["signed_in"]
    limit = f"≤ {SIGNED_IN_MS:g} ms"
    if child["error"]:
        target = f"≤ {RATIO_TARGETS['cold_start']:g}× floor"
        error = child["error"]
        return {
            "cold_start": metric(None, floor, "ms", target=target, ok=False, error=error, **extra),
            "cold_signed_in": metric(None, floor, "ms", target=limit, ok=False, error=error),
        }
    ours = median(times["ours"])
    mine = median(signed)
    return {
        "cold_start": ratio_metric("cold_start", ours, floor, "ms", **extra),
        "cold_signed_in": metric(
            mine,
            floor,
            "ms",
            target=limit,
            ok=mine <= SIGNED_IN_MS,
            p95_ours=p95(signed),
            peak_mb_ours=peaks["signed_in"] or None,
        ),
    }


def measure_memory(w: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """(e) the peak while scanning, searching and selling, and the 500-sale soak."""
    floor = float(run_child("memory-floor", w)["peak_mb"])
    ours = float(run_child("memory-ours", w)["peak_mb"])
    limit = f"< {MEMORY_LIMIT_MB:g} MB"
    results = {"memory": metric(ours, floor, "MB", target=limit, ok=ours < MEMORY_LIMIT_MB)}
    soak = run_child("memory-soak", w)
    slope = (soak["rss_kb_end"] - soak["rss_kb_warm"]) / (w["soak_sales"] - SOAK_WARMUP)
    results["memory_soak"] = metric(
        soak["peak_mb"],
        floor,
        "MB",
        target=f"{limit}, ≤ {SOAK_GROWTH_KB:g} KB/sale",
        ok=soak["peak_mb"] < MEMORY_LIMIT_MB and slope <= SOAK_GROWTH_KB,
        growth_kb_per_sale=slope,
        rss_mb_warm=soak["rss_kb_warm"] / 1024,
        rss_mb_end=soak["rss_kb_end"] / 1024,
        sales=soak["sales"],
    )
    return results


def measure_search_ui(w: dict[str, Any]) -> dict[str, Any]:
    child = run_child("search-ui", w)
    return absolute_metric(
        child["ours"], child["floor"], "ms", UI_FRAME_MS, on="max", queries=child["queries"]
    )


def _open_till(wiring: BenchWiring, w: dict[str, Any]) -> tuple[Any, Any, Ours]:
    """The till's own window over the built shop, signed in by key presses (real scrypt)."""
    from bench import cashier
    from ui.app import application
    from ui.window import TillWindow

    app = application()
    ours = Ours(wiring, w["url"], Path(w["home"]))
    window = TillWindow(ours.context)
    window.resize(1280, 800)
    window.show()
    cashier.sign_in(window, w["username"], w["pin"])
    return app, window, ours


def memory_child(wiring: BenchWiring, side: str, w: dict[str, Any]) -> dict[str, Any]:
    """Hidden mode: open a window (the till's own, signed in, or a bare one for the floor),
    do the scans, the searches and a sale, then report peak RSS: what the shop PC sees."""
    pick = w["sales"][-1]
    queries = [query for batch in w["searches"].values() for query, _, _ in batch]
    if side == "ours":
        _, window, ours = _open_till(wiring, w)
        cart = ours.sales.new_cart()
        for index, code in enumerate(w["scans"]):
            if index % CART_LINES == 0:
                cart = ours.sales.new_cart()
            ours.scan_into(cart, code)
        for query in queries:
            ours.sales.search(query)
        ours.complete(ours.sale_command([sku for _, sku in pick]))
        window.shutdown()
        ours.close()
    else:
        from PySide6.QtWidgets import QApplication, QWidget

        app = QApplication([])
        bare = QWidget()
        bare.show()
        app.processEvents()
        connection = connect(w["db"])
        for code in w["scans"]:
            connection.execute(w["by_code_sql"], {"code": code}).fetchone()
        for batch in w["searches"].values():
            for _, match, limit in batch:
                connection.execute(w["floor_search_sql"], {"match": match, "limit": limit})
        floor_sale(
            RawConnection(connection, postgres=False),
            str(uuid.uuid4()),
            [variant_id for variant_id, _ in pick],
            FloorTill.of(w, Path(w["home"]) / "floor-journal"),
        )
        connection.close()
    return {"peak_mb": peak_mb()}


def soak_child(wiring: BenchWiring, w: dict[str, Any]) -> dict[str, Any]:
    """Hidden mode: ``soak_sales`` cash sales of SOAK_LINES items, every one typed on the real
    till window (bench.cashier.ring_up: scans, F12, the cash typed and Enter, or every
    SOAK_EXACT_EVERY-th sale exact cash by Enter once the due has been read); the resident
    set after the warm-up and at the end, and the peak. Raises unless the till reported
    every sale written."""
    import gc

    from bench import cashier

    _, window, ours = _open_till(wiring, w)
    counter = cashier.Counter(window.till)
    codes = [sku for sale in w["sales"] for _, sku in sale]
    rss_warm = 0
    for number in range(1, w["soak_sales"] + 1):
        start = (number * SOAK_LINES) % (len(codes) - SOAK_LINES)
        exact = number % SOAK_EXACT_EVERY == 0
        cashier.ring_up(window, codes[start : start + SOAK_LINES], counter, exact=exact)
        if number in (SOAK_WARMUP, w["soak_sales"]):
            gc.collect()
            if number == SOAK_WARMUP:
                rss_warm = cashier.rss_kb()
    rss_end = cashier.rss_kb()
    window.shutdown()
    ours.close()
    if counter.completed != w["soak_sales"]:
        raise RuntimeError(f"{counter.completed} of {w['soak_sales']} soak sales were written")
    return {
        "rss_kb_warm": rss_warm,
        "rss_kb_end": rss_end,
        "peak_mb": peak_mb(),
        "sales": counter.completed,
    }


def search_ui_child(wiring: BenchWiring, w: dict[str, Any]) -> dict[str, Any]:
    """Hidden mode: every bench query typed into the real till's scan field, the event loop's
    longest stall meanwhile; the floor types the same into a bare line edit."""
    from app.domain.entry import looks_like_name, parse_entry
    from bench import cashier
    from ui.app import load_stylesheet

    # What the till searches for as it is typed (one- and two-letter words alone it leaves).
    queries = [
        query
        for batch in w["searches"].values()
        for query, _, _ in batch
        if parse_entry(query).code == query and looks_like_name(query)
    ]
    _, window, ours = _open_till(wiring, w)
    mine = cashier.till_search_stalls(window, queries, w["typing_gap_ms"])
    window.shutdown()
    ours.close()
    raw = cashier.bare_typing_stalls(load_stylesheet(), queries, w["typing_gap_ms"])
    return {"ours": mine, "floor": raw, "queries": dict(zip(queries, mine, strict=True))}


def child_main(wiring: BenchWiring, mode: str, workload_path: str) -> str:
    """Run one hidden child mode; returns the JSON line the parent reads."""
    w = json.loads(Path(workload_path).read_text(encoding="utf-8"))
    if mode == "cold":
        result = cold_child(w)
    elif mode in {"memory-ours", "memory-floor"}:
        result = memory_child(wiring, mode.removeprefix("memory-"), w)
    elif mode == "till-ui":
        from bench.till_ui import till_ui_child  # it imports this module for run_child

        result = till_ui_child(wiring, w)
    elif mode == "memory-soak":
        result = soak_child(wiring, w)
    elif mode == "search-ui":
        result = search_ui_child(wiring, w)
    else:
        raise SystemExit(f"unknown bench child mode {mode!r}")
    return json.dumps(result)
