"""Figures (d) and (e) in fresh processes: cold start and peak memory, against a bare window."""

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
    child_env,
    connect,
    median,
    metric,
    peak_mb,
    ratio_metric,
)
from bench.floor import floor_sale
from bench.ours import Ours
from bench.wiring import BenchWiring


def run_child(mode: str, w: dict[str, Any]) -> dict[str, Any]:
    """Run ``main.py bench --child MODE WORKLOAD`` and return the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "bench", "--child", mode, w["workload"]],
        cwd=ROOT,
        env=child_env(Path(w["home"])),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S * (2 * COLD_RUNS + 2),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench child {mode} failed: {done.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def timed_process(argv: Sequence[str]) -> tuple[dict[str, float], float]:
    """Start a process and time, from spawn, each marker line it prints (READY: the window
    is on screen and takes keys; BACKEND: the database is open and sign-in works). Returns
    those times (ms) and the child's peak RSS (MB); raises unless it said READY and exited 0.
    """
    marks: dict[str, float] = {}
    lines: list[str] = []
    start = time.perf_counter_ns()
    process = subprocess.Popen(
        argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    watchdog = threading.Timer(CHILD_TIMEOUT_S, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            word = line.strip()
            if word in ("READY", "BACKEND"):
                marks[word] = (time.perf_counter_ns() - start) / 1e6
            lines.append(word)
        # wait4, not wait: it also returns this child's rusage. Its ru_maxrss is at least
        # this small launcher's RSS at the fork (~10 MB), far below a Qt process's own.
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        watchdog.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or "READY" not in marks:
        tail = " | ".join(lines[-4:])
        raise RuntimeError(f"{argv[1]} exited {process.returncode} without READY: {tail}")
    return marks, usage.ru_maxrss / 1024


def cold_child(w: dict[str, Any]) -> dict[str, Any]:
    """Hidden mode, run from a small fresh process so forking is cheap and each child's peak
    RSS is its own: COLD_RUNS timed starts each, alternating which goes first, after one
    discarded start each (the first pays for filling the page cache)."""
    till = [sys.executable, str(ROOT / "main.py"), "--db", w["url"], "run", "--exit-when-ready"]
    bare = [sys.executable, "-c", FLOOR_WINDOW]
    times: dict[str, list[float]] = {"ours": [], "floor": [], "backend": []}
    peaks = {"ours": 0.0, "floor": 0.0}
    try:
        for run in range(COLD_RUNS + 1):
            for side in ("ours", "floor") if run % 2 else ("floor", "ours"):
                marks, peak = timed_process(till if side == "ours" else bare)
                peaks[side] = max(peaks[side], peak)
                if run:
                    times[side].append(marks["READY"])
                    if side == "ours" and "BACKEND" in marks:
                        times["backend"].append(marks["BACKEND"])
    except RuntimeError as error:
        return {"times": times, "peaks": peaks, "error": str(error)}
    return {"times": times, "peaks": peaks, "error": None}


def measure_cold_start(w: dict[str, Any]) -> dict[str, Any]:
    child = run_child("cold", w)
    times, peaks = child["times"], child["peaks"]
    ours = median(times["ours"]) if len(times["ours"]) == COLD_RUNS else None
    floor = median(times["floor"]) if times["floor"] else None
    extra = {
        "peak_mb_ours": peaks["ours"] or None,
        "peak_mb_floor": peaks["floor"] or None,
        "backend_ms": median(times["backend"]) if times.get("backend") else None,
    }
    if child["error"]:
        target = f"≤ {RATIO_TARGETS['cold_start']:g}× floor"
        return metric(None, floor, "ms", target=target, ok=False, error=child["error"], **extra)
    return ratio_metric("cold_start", ours, floor, "ms", **extra)


def measure_memory(w: dict[str, Any]) -> dict[str, Any]:
    ours = float(run_child("memory-ours", w)["peak_mb"])
    floor = float(run_child("memory-floor", w)["peak_mb"])
    limit = f"< {MEMORY_LIMIT_MB:g} MB"
    return metric(ours, floor, "MB", target=limit, ok=ours < MEMORY_LIMIT_MB)


def memory_child(wiring: BenchWiring, side: str, w: dict[str, Any]) -> dict[str, Any]:
    """Hidden mode: open a window (the till's own, or a bare one for the floor), do the scans,
    the searches and a sale, then report peak RSS: what the shop PC sees while selling."""
    pick = w["sales"][-1]
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([])
    if side == "ours":
        from ui.window import TillWindow

        ours = Ours(wiring, w["url"], Path(w["home"]))
        window = TillWindow(ours.context)
        window.show()
        deadline = time.monotonic() + CHILD_TIMEOUT_S
        while getattr(window, "till", None) is None and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        cart = ours.sales.new_cart()
        for index, code in enumerate(w["scans"]):
            if index % CART_LINES == 0:
                cart = ours.sales.new_cart()
            ours.scan_into(cart, code)
        for query in w["queries"]:
            ours.sales.search(query)
        ours.complete(ours.sale_command([sku for _, sku in pick]))
        window.shutdown()
        ours.close()
    else:
        bare = QWidget()
        bare.show()
        app.processEvents()
        connection = connect(w["db"])
        for code in w["scans"]:
            connection.execute(w["by_code_sql"], {"code": code}).fetchone()
        for sql, params in w["searches"]:
            connection.execute(sql, params).fetchall()
        ids = [variant_id for variant_id, _ in pick]
        floor_sale(
            connection,
            str(uuid.uuid4()),
            ids,
            w["user_id"],
            w["register"],
            w["cashier"],
            w["currency"],
        )
        connection.close()
    return {"peak_mb": peak_mb()}


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
    else:
        raise SystemExit(f"unknown bench child mode {mode!r}")
    return json.dumps(result)
