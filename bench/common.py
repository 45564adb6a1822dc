"""What every figure shares: workload sizes, the floor connection, statistics and metric rows."""

from __future__ import annotations

import os
import resource
import sqlite3
import statistics
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

SCANS = 2000
SKU_SHARE = 0.2  # some cashiers type SKUs; the lookup tries barcode first, then SKU
CART_LINES = 20  # a fresh cart every 20 scans, so totals() prices a realistic cart
QUERIES = ("choc", "apple juice", "merino", "tea", "olive oil", "socks navy", "brie")
# What else a cashier types: two-letter words, queries of short words only, and words that
# match hundreds to tens of thousands of items (the demo's brands, varieties and sizes).
SEARCH_CLASSES = {
    "search": QUERIES,
    "search_short": ("xl", "ml", "kg", "oa", "ch", "zq"),
    "search_all_short": ("1 kg", "1 l", "m xl", "s m l", "5 l", "xl oa"),
    "search_common": (
        "organic",
        "sparkling",
        "juice",
        "500 g",
        "oak",
        "lodz",
        "pack of 3",
        "sparkling mineral water 1.5 l",
    ),
}
SEARCH_P95_MS = 15.0  # every query the till can send, at 300 000 products
SEARCH_REPEATS = 7
UI_FRAME_MS = 16.0  # one frame at 60 Hz: the longest the UI thread may stall for a search
TYPING_GAP_MS = 70  # a quick typist
SALES = 50
SALE_LINES = 20
COLD_RUNS = 5
SIGNED_IN_MS = 800.0  # spawn to a signed-in till that has taken its first scan
SOAK_SALES = 500
SOAK_WARMUP = 50
SOAK_LINES = 3
SOAK_EXACT_EVERY = 10  # every tenth soak sale is paid exact cash (Enter once the due is read)
SOAK_GROWTH_KB = 10.0  # per sale, after the warm-up
PG_PRODUCTS = 2000  # the PostgreSQL sale's catalog (the sale does not grow with it)
CHILD_TIMEOUT_S = 180
MEMORY_LIMIT_MB = 300.0
SEED = 20240611

METRICS = (
    "scan",
    "search",
    "search_short",
    "search_all_short",
    "search_common",
    "search_ui",
    "sale",
    "cold_start",
    "cold_signed_in",
    "memory",
    "memory_soak",
    "till_scan_1",
    "till_scan_20",
    "till_scan_200",
)
LABELS = {
    "scan": "(a) scan → priced cart line, median",
    "search": "(b) name search, top 50, median",
    "search_short": "(b) name search, two-letter words, median",
    "search_all_short": "(b) name search, short words only (`1 kg`), median",
    "search_common": "(b) name search, common words (hundreds to tens of thousands of hits)",
    "search_ui": "(b) longest UI-thread stall while typing a name in the till, median",
    "sale": "(c) 20-line sale, durable commit, median",
    "sale_postgres": "(c) 20-line sale on PostgreSQL, median",
    "cold_start": "(d) cold start → ready till window, median",
    "cold_signed_in": "(d) cold start → signed in (real PIN hashing), first scan taken, median",
    "memory": "(e) peak memory (RSS), window open, scans + searches + sale",
    "memory_soak": "(e) peak memory (RSS), signed in, 500 sales by key presses",
    "till_scan_1": "(f) scan in the real till, Enter → row painted, 1 line in the cart, median",
    "till_scan_20": "(f) scan in the real till, Enter → row painted, 20 lines, median",
    "till_scan_200": "(f) scan in the real till, Enter → row painted, 200 lines, median",
}
RATIO_TARGETS = {"scan": 5.0, "sale": 2.0, "sale_postgres": 2.0, "cold_start": 2.5}

# The floor's pragmas are db/engine.py's, so both sides pay for the same durability.
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)

FLOOR_WINDOW = (
    "from PySide6.QtWidgets import QApplication, QWidget\n"
    "app = QApplication([])\n"
    "w = QWidget()\n"
    "w.show()\n"
    "app.processEvents()\n"
    "print('READY')\n"
)


def connect(path: str) -> sqlite3.Connection:
    """A raw connection set up exactly as db/engine.py sets up SQLAlchemy's."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        connection.execute(pragma)
    return connection


def median(samples: Sequence[float]) -> float:
    return float(statistics.median(samples))


def p95(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return float(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))])


def now_text() -> str:
    # How SQLAlchemy's SQLite DateTime stores naive UTC.
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def metric(
    ours: float | None, floor: float | None, unit: str, *, target: str, ok: bool, **extra: Any
) -> dict[str, Any]:
    ratio = None if not ours or not floor else ours / floor
    return {
        "ours": ours,
        "floor": floor,
        "ratio": ratio,
        "target": target,
        "unit": unit,
        "ok": ok,
        **extra,
    }


def sampled_metric(
    name: str, mine: Sequence[float], raw: Sequence[float], unit: str, **extra: Any
) -> dict[str, Any]:
    """A ratio metric from paired samples: medians compared, p95s and the count kept."""
    return ratio_metric(
        name,
        median(mine),
        median(raw),
        unit,
        p95_ours=p95(mine),
        p95_floor=p95(raw),
        samples=len(mine),
        **extra,
    )


def absolute_metric(
    mine: Sequence[float],
    raw: Sequence[float],
    unit: str,
    limit: float,
    *,
    on: str = "p95",
    **extra: Any,
) -> dict[str, Any]:
    """Paired samples whose target is absolute (``on`` the p95, or the max): the floor and the
    ratio are reported beside it."""
    judged = p95(mine) if on == "p95" else max(mine)
    return metric(
        median(mine),
        median(raw),
        unit,
        target=f"{on} ≤ {limit:g} {unit}",
        ok=judged <= limit,
        p95_ours=p95(mine),
        p95_floor=p95(raw),
        max_ours=max(mine),
        samples=len(mine),
        **extra,
    )


def ratio_metric(
    name: str, ours: float | None, floor: float | None, unit: str, **extra: Any
) -> dict[str, Any]:
    limit = RATIO_TARGETS[name]
    ok = bool(ours and floor and ours / floor <= limit)
    return metric(ours, floor, unit, target=f"≤ {limit:g}× floor", ok=ok, **extra)


def child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["TILLWRIGHT_HOME"] = str(home)
    for name in ("TILLWRIGHT_DB", "TILLWRIGHT_REGISTER"):
        env.pop(name, None)
    # An installed till runs from compiled bytecode (pip compiles it); a development shell
    # may forbid writing it, which would make every start recompile our modules. Children
    # keep theirs in the bench's temporary folder, filled by the discarded first start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    return env


def peak_mb() -> float:
    """This process's peak RSS in MB. VmHWM, not ru_maxrss: after fork+exec, ru_maxrss still
    counts the parent's resident set at the fork, which would bill a child for the bench."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)
