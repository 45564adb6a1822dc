"""``main.py bench``: Tillwright's own figures against a raw ``sqlite3`` floor, same data, same run.

For each catalog size a demo shop is built in a temporary SQLite file through the real
services, then measured five ways; every figure has a floor done the cheapest way possible on
the same file in the same run, so the ratio says how much our layers cost, not how fast this
machine is:

(a) scan: a scanned code to a priced cart line (lookup, add, totals) vs the same SELECT in
    raw sqlite3;
(b) search: name search, top 50, vs the same FTS5 trigram SQL in raw sqlite3;
(c) sale: completing a 20-line card sale with a durable commit vs the same rows written in one
    raw ``BEGIN IMMEDIATE`` ... ``COMMIT``;
(d) cold start: a fresh ``main.py run --exit-when-ready`` (offscreen) vs a bare PySide6
    window in a fresh process;
(e) peak memory: a child process doing (a)-(c) vs a raw sqlite3 child doing the same
    queries; the target is absolute.

Only this module and the child processes it starts are involved: nothing is timed in tests.
``python bench.py --child cold|memory-ours|memory-floor WORKLOAD.json`` is the hidden mode
the children of (d) and (e) run in; bench.py imports only the standard library at module level,
so the memory floor is Python's and sqlite3's alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent

SCANS = 2000
SKU_SHARE = 0.2  # some cashiers type SKUs; the lookup tries barcode first, then SKU
CART_LINES = 20  # a fresh cart every 20 scans, so totals() prices a realistic cart
QUERIES = ("choc", "apple juice", "merino", "tea", "olive oil", "socks navy", "brie")
SEARCH_REPEATS = 7
SALES = 50
SALE_LINES = 20
COLD_RUNS = 5
CHILD_TIMEOUT_S = 180
MEMORY_LIMIT_MB = 300.0
SEED = 20240611

METRICS = ("scan", "search", "sale", "cold_start", "memory")
LABELS = {
    "scan": "(a) scan → priced cart line, median",
    "search": "(b) name search, top 50, median",
    "sale": "(c) 20-line sale, durable commit, median",
    "cold_start": "(d) cold start → ready till window, median",
    "memory": "(e) peak memory (RSS), window open, scans + searches + sale",
}
RATIO_TARGETS = {"scan": 5.0, "search": 3.0, "sale": 2.0, "cold_start": 2.5}

# The floor's pragmas are db/engine.py's, so both sides pay for the same durability.
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
)
QTY_ONE = 1000  # QUANTITY is stored scaled by 10^3 (db/types.py)
RATE_SCALE = 10_000  # RATE is stored scaled by 10^4

FLOOR_WINDOW = (
    "from PySide6.QtWidgets import QApplication, QWidget\n"
    "app = QApplication([])\n"
    "w = QWidget()\n"
    "w.show()\n"
    "app.processEvents()\n"
    "print('READY')\n"
)

_ITEMS_SQL = (
    "SELECT v.id, v.sku, v.display_name, v.price_minor, t.rate, p.sold_by_weight "
    "FROM variant v JOIN product p ON p.id = v.product_id "
    "JOIN tax_class t ON t.id = p.tax_class_id "
    "WHERE v.id IN ({marks}) AND v.active AND p.active"
)
_STOCK_SQL = (
    "UPDATE stock_balance SET quantity = quantity - :qty WHERE variant_id = :id "
    "AND (quantity - :qty >= 0 OR (SELECT track_stock FROM variant WHERE id = :id) = 0)"
)
_MOVE_SQL = (
    "INSERT INTO stock_move (variant_id, quantity, reason, reference, occurred_at, user_id) "
    "VALUES (?, ?, 'sale', ?, ?, ?)"
)
_SALE_SQL = (
    "INSERT INTO sale (id, register_id, receipt_no, user_id, approved_by, currency, "
    "completed_at, subtotal_minor, discount_minor, tax_minor, total_minor, rounding_minor, "
    "journal_seq, journal_hash, cashier_name) "
    "VALUES (?, ?, ?, ?, NULL, ?, ?, ?, 0, ?, ?, 0, ?, ?, ?)"
)
_LINE_SQL = (
    "INSERT INTO sale_line (sale_id, line_no, variant_id, sku, name, quantity, sold_by_weight, "
    "unit_price_minor, price_overridden, tax_rate, discount_minor, net_minor, tax_minor, "
    "gross_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?, ?)"
)


# Small helpers ----------------------------------------------------------------------------


def _connect(path: str) -> sqlite3.Connection:
    """A raw connection set up exactly as db/engine.py sets up SQLAlchemy's."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        connection.execute(pragma)
    return connection


def _median(samples: Sequence[float]) -> float:
    return float(statistics.median(samples))


def _p95(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return float(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))])


def _now_text() -> str:
    # How SQLAlchemy's SQLite DateTime stores naive UTC.
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _metric(
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


def _sampled_metric(
    name: str, mine: Sequence[float], raw: Sequence[float], unit: str, **extra: Any
) -> dict[str, Any]:
    """A ratio metric from paired samples: medians compared, p95s and the count kept."""
    return _ratio_metric(
        name,
        _median(mine),
        _median(raw),
        unit,
        p95_ours=_p95(mine),
        p95_floor=_p95(raw),
        samples=len(mine),
        **extra,
    )


def _ratio_metric(
    name: str, ours: float | None, floor: float | None, unit: str, **extra: Any
) -> dict[str, Any]:
    limit = RATIO_TARGETS[name]
    ok = bool(ours and floor and ours / floor <= limit)
    return _metric(ours, floor, unit, target=f"≤ {limit:g}× floor", ok=ok, **extra)


# The raw sqlite3 floor of a sale ------------------------------------------------------------


def floor_sale(
    connection: sqlite3.Connection,
    sale_id: str,
    variant_ids: Sequence[int],
    user_id: int,
    register_code: str,
    cashier: str,
    currency: str,
) -> int:
    """Write what SaleService.complete writes for a card sale of one of each item, in one
    transaction and as few statements as raw sqlite3 allows, then the journal head file.
    Returns the receipt number."""
    now = _now_text()
    connection.execute("BEGIN IMMEDIATE")
    try:
        if connection.execute("SELECT 1 FROM sale WHERE id = ?", (sale_id,)).fetchone():
            raise RuntimeError(f"sale {sale_id} exists")
        marks = ",".join("?" * len(variant_ids))
        items = {
            row[0]: row
            for row in connection.execute(_ITEMS_SQL.format(marks=marks), list(variant_ids))
        }
        register_id, receipt_no = connection.execute(
            "UPDATE register SET last_receipt_no = last_receipt_no + 1 WHERE code = ? "
            "RETURNING id, last_receipt_no",
            (register_code,),
        ).fetchone()
        # As SaleService does: one executemany of conditional UPDATEs, checked by rowcount,
        # then one executemany of moves.
        taken = connection.executemany(
            _STOCK_SQL, [{"qty": QTY_ONE, "id": variant_id} for variant_id in variant_ids]
        ).rowcount
        if taken != len(variant_ids):
            raise RuntimeError("not enough stock")
        connection.executemany(
            _MOVE_SQL, [(variant_id, -QTY_ONE, sale_id, now, user_id) for variant_id in variant_ids]
        )
        lines: list[tuple[Any, ...]] = []
        bands: dict[int, list[int]] = {}
        journal_lines: list[dict[str, Any]] = []
        for number, variant_id in enumerate(variant_ids, start=1):
            _, sku, name, gross, rate, weighed = items[variant_id]
            # Prices include tax: tax = gross × r / (100 + r), rounded half up, in integers.
            denominator = 100 * RATE_SCALE + rate
            tax = (2 * gross * rate + denominator) // (2 * denominator)
            lines.append(
                (
                    sale_id,
                    number,
                    variant_id,
                    sku,
                    name,
                    QTY_ONE,
                    weighed,
                    gross,
                    rate,
                    gross - tax,
                    tax,
                    gross,
                )
            )
            band = bands.setdefault(rate, [0, 0])
            band[0] += gross - tax
            band[1] += tax
            journal_lines.append(
                {
                    "sku": sku,
                    "name": name,
                    "qty": "1",
                    "unit_price": f"{gross / 100:.2f}",
                    "tax_rate": str(rate / RATE_SCALE),
                    "gross": f"{gross / 100:.2f}",
                }
            )
        total = sum(line[-1] for line in lines)
        total_tax = sum(line[-2] for line in lines)
        seq, previous = connection.execute(
            "SELECT seq, hash FROM journal_head WHERE id = 1"
        ).fetchone()
        seq += 1
        body = {
            "seq": seq,
            "kind": "sale",
            "register": register_code,
            "user": user_id,
            "at": now,
            "data": {
                "sale_id": sale_id,
                "receipt_no": receipt_no,
                "currency": currency,
                "total": f"{total / 100:.2f}",
                "tax": f"{total_tax / 100:.2f}",
                "discount": "0.00",
                "rounding": "0.00",
                "approved_by": None,
                "lines": journal_lines,
                "payments": [
                    {"kind": "card", "amount": f"{total / 100:.2f}", "reference": "AUTH01"}
                ],
            },
        }
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(bytes.fromhex(previous) + text.encode()).hexdigest()
        connection.execute(
            "INSERT INTO journal_entry (seq, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?)",
            (seq, "sale", text, previous, digest),
        )
        connection.execute("UPDATE journal_head SET seq = ?, hash = ? WHERE id = 1", (seq, digest))
        connection.execute(
            _SALE_SQL,
            (
                sale_id,
                register_id,
                receipt_no,
                user_id,
                currency,
                now,
                total,
                total_tax,
                total,
                seq,
                digest,
                cashier,
            ),
        )
        connection.executemany(_LINE_SQL, lines)
        connection.executemany(
            "INSERT INTO sale_tax_band (sale_id, rate, net_minor, tax_minor) VALUES (?, ?, ?, ?)",
            [(sale_id, rate, net, tax) for rate, (net, tax) in sorted(bands.items())],
        )
        connection.execute(
            "INSERT INTO payment (sale_id, position, kind, amount_minor, tendered_minor, "
            "change_minor, reference) VALUES (?, 1, 'card', ?, ?, 0, 'AUTH01')",
            (sale_id, total, total),
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    # The journal head kept outside the database, as db/anchor.py writes it after a commit.
    head_file = Path(connection.execute("PRAGMA database_list").fetchone()[2] + ".floor-head")
    temporary = head_file.with_suffix(".tmp")
    with open(temporary, "w", encoding="ascii") as handle:
        handle.write(f"{seq} {digest}\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, head_file)
    return int(receipt_no)


# Our side ------------------------------------------------------------------------------------


class _Ours:
    """The till's own objects on a built shop: the services, a logged-in cashier."""

    def __init__(self, url: str, home: Path) -> None:
        import main
        from app.domain.users import PinPolicy
        from app.services.demo import DEMO_REGISTER, DEMO_USERS

        self.context = main.build_context(
            url, home=home, register_code=DEMO_REGISTER, pin_policy=PinPolicy(scrypt_log2_n=8)
        )
        self.sales = self.context.sales()
        username, _, _, pin = DEMO_USERS[0]
        self.operator = self.context.auth.login(username, pin)

    def scan_into(self, cart: Any, code: str) -> None:
        cart.add(self.sales.lookup(code))
        cart.totals()

    def sale_command(self, skus: Sequence[str]) -> Any:
        from app.domain.money import Money
        from app.domain.tender import Tender, TenderKind
        from app.dto.sales import CompleteSale
        from app.services.sales import commands_from_cart

        cart = self.sales.new_cart()
        for sku in skus:
            cart.add(self.sales.lookup(sku))
        total = cart.totals().total
        zero = Money.zero(total.currency)
        tender = Tender(TenderKind.CARD, total, total, zero, "AUTH01")
        return CompleteSale(
            str(uuid.uuid4()), self.context.register_code, commands_from_cart(cart), (tender,), zero
        )

    def complete(self, command: Any) -> None:
        self.sales.complete(command, self.operator)

    def close(self) -> None:
        self.context.close()


def _workload(ours: _Ours, db_path: str, tmp: Path, size: int) -> dict[str, Any]:
    """Inputs both sides share: scanned codes, search SQL, sale items (stock topped up)."""
    from app.domain.text import search_terms
    from app.services.demo import DEMO_USERS
    from app.services.sales import SEARCH_LIMIT
    from db.queries import BY_CODE

    rng = random.Random(SEED + size)
    raw = _connect(db_path)
    codes = [c for (c,) in raw.execute("SELECT code FROM barcode")]
    skus = [s for (s,) in raw.execute("SELECT sku FROM variant")]
    scans = [
        rng.choice(skus) if rng.random() < SKU_SHARE else rng.choice(codes) for _ in range(SCANS)
    ]
    packaged = raw.execute("SELECT id, sku FROM variant WHERE sku LIKE 'G%' ORDER BY id").fetchall()
    if len(packaged) < SALE_LINES:
        raise RuntimeError(f"a {size}-product shop has too few packaged items for a sale")
    # Random distinct packaged items per sale, the same draws for both sides; the last draw
    # is the memory children's sale. Stock is topped up so no sale is refused for lack of it
    # (demo stock is 20-200 and a small catalog would run out).
    sales = [rng.sample(packaged, SALE_LINES) for _ in range(2 * (SALES + 2) + 1)]
    del packaged  # the children must not carry the catalog's size in their workload
    raw.execute(
        "UPDATE stock_balance SET quantity = 1000000000 WHERE variant_id IN "
        "(SELECT id FROM variant WHERE sku LIKE 'G%')"
    )
    user_id, cashier = raw.execute(
        "SELECT id, display_name FROM app_user WHERE username = ?", (DEMO_USERS[0][0],)
    ).fetchone()
    raw.close()
    searches = []
    for query in QUERIES:
        terms = search_terms(query)
        # The reader's own statement, rendered with its :name parameters for sqlite3.
        searches.append(list(ours.context.reader.search_statement(terms, SEARCH_LIMIT)))
    workload = {
        "db": db_path,
        "url": ours.context.engines.url,
        "home": str(tmp),
        "by_code_sql": BY_CODE,
        "scans": scans,
        "queries": list(QUERIES),
        "searches": searches,
        "sales": sales,
        "user_id": user_id,
        "cashier": cashier,
        "register": ours.context.register_code,
        "currency": ours.sales.settings.currency.code,
    }
    workload["workload"] = str(tmp / "workload.json")
    Path(workload["workload"]).write_text(json.dumps(workload), encoding="utf-8")
    return workload


# The measurements ----------------------------------------------------------------------------


def _measure_scan(ours: _Ours, floor: sqlite3.Connection, w: dict[str, Any]) -> dict[str, Any]:
    """Each scan lands in a cart of up to CART_LINES lines (mean about half that), as at a
    till, so totals() reprices a realistic cart; the parts are timed too, to show where the
    time goes."""
    sql, cursor, clock = w["by_code_sql"], floor.cursor(), time.perf_counter_ns

    def floor_scan(code: str) -> float:
        start = clock()
        row = cursor.execute(sql, {"code": code}).fetchone()
        _ = (row[0], row[1], row[2], row[3], row[4], bool(row[5]))  # the floor's "item"
        return (clock() - start) / 1000

    mine: list[float] = []
    raw: list[float] = []
    parts: dict[str, list[float]] = {"lookup": [], "add": [], "totals": []}
    warmup = w["scans"][:200]
    cart = ours.sales.new_cart()
    for index, code in enumerate([*warmup, *w["scans"]]):
        if index % CART_LINES == 0:
            cart = ours.sales.new_cart()
        # Interleaved one by one, taking turns to go first: whoever reads a code second finds
        # its pages in the OS cache, and drift (WAL, checkpoints) hits both sides alike.
        floor_first = index % 2 == 1
        floor_us = floor_scan(code) if floor_first else 0.0
        start = clock()
        item = ours.sales.lookup(code)
        found = clock()
        cart.add(item)
        added = clock()
        cart.totals()
        middle = clock()
        if not floor_first:
            floor_us = floor_scan(code)
        if index >= len(warmup):
            mine.append((middle - start) / 1000)
            raw.append(floor_us)
            parts["lookup"].append((found - start) / 1000)
            parts["add"].append((added - found) / 1000)
            parts["totals"].append((middle - added) / 1000)
    return _sampled_metric(
        "scan",
        mine,
        raw,
        "µs",
        parts_median_us={name: round(_median(values), 1) for name, values in parts.items()},
    )


def _measure_search(ours: _Ours, floor: sqlite3.Connection, w: dict[str, Any]) -> dict[str, Any]:
    clock = time.perf_counter_ns
    mine: list[float] = []
    raw: list[float] = []
    hits: dict[str, int] = {}
    for repeat in range(SEARCH_REPEATS + 1):  # the first round warms up
        for query, (sql, params) in zip(w["queries"], w["searches"], strict=True):
            # Taking turns to go first, as for scans.
            for side in ("ours", "floor") if repeat % 2 else ("floor", "ours"):
                start = clock()
                if side == "ours":
                    found = len(ours.sales.search(query).items)
                else:
                    rows = len(floor.execute(sql, params).fetchall())
                elapsed = (clock() - start) / 1e6
                if repeat:
                    (mine if side == "ours" else raw).append(elapsed)
            if found != rows:
                raise RuntimeError(f"search {query!r}: {found} rows ours, {rows} raw")
            hits[query] = rows
    return _sampled_metric("search", mine, raw, "ms", hits=hits)


def _measure_sale(ours: _Ours, floor: sqlite3.Connection, w: dict[str, Any]) -> dict[str, Any]:
    clock = time.perf_counter_ns
    mine: list[float] = []
    raw: list[float] = []
    picks = w["sales"][:-1]
    for run in range(SALES + 2):  # two warm-up sales each
        command = ours.sale_command([sku for _, sku in picks[2 * run]])
        floor_ids = [variant_id for variant_id, _ in picks[2 * run + 1]]
        sale_id = str(uuid.uuid4())
        # Alternate who goes first: a WAL checkpoint then lands on both sides alike.
        first_ours = run % 2 == 0
        for side in ("ours", "floor") if first_ours else ("floor", "ours"):
            start = clock()
            if side == "ours":
                ours.complete(command)
            else:
                floor_sale(
                    floor,
                    sale_id,
                    floor_ids,
                    w["user_id"],
                    w["register"],
                    w["cashier"],
                    w["currency"],
                )
            elapsed = (clock() - start) / 1e6
            if run >= 2:
                (mine if side == "ours" else raw).append(elapsed)
    return _sampled_metric(
        "sale",
        mine,
        raw,
        "ms",
    )


def _child_env(home: Path) -> dict[str, str]:
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


def _peak_mb() -> float:
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


def _run_child(mode: str, w: dict[str, Any]) -> dict[str, Any]:
    """Run ``bench.py --child MODE WORKLOAD`` and return the JSON it prints last."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench.py"), "--child", mode, w["workload"]],
        cwd=ROOT,
        env=_child_env(Path(w["home"])),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S * (2 * COLD_RUNS + 2),
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench child {mode} failed: {done.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _timed_process(argv: Sequence[str]) -> tuple[dict[str, float], float]:
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


def _cold_child(w: dict[str, Any]) -> dict[str, Any]:
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
                marks, peak = _timed_process(till if side == "ours" else bare)
                peaks[side] = max(peaks[side], peak)
                if run:
                    times[side].append(marks["READY"])
                    if side == "ours" and "BACKEND" in marks:
                        times["backend"].append(marks["BACKEND"])
    except RuntimeError as error:
        return {"times": times, "peaks": peaks, "error": str(error)}
    return {"times": times, "peaks": peaks, "error": None}


def _measure_cold_start(w: dict[str, Any]) -> dict[str, Any]:
    child = _run_child("cold", w)
    times, peaks = child["times"], child["peaks"]
    ours = _median(times["ours"]) if len(times["ours"]) == COLD_RUNS else None
    floor = _median(times["floor"]) if times["floor"] else None
    extra = {
        "peak_mb_ours": peaks["ours"] or None,
        "peak_mb_floor": peaks["floor"] or None,
        "backend_ms": _median(times["backend"]) if times.get("backend") else None,
    }
    if child["error"]:
        target = f"≤ {RATIO_TARGETS['cold_start']:g}× floor"
        return _metric(None, floor, "ms", target=target, ok=False, error=child["error"], **extra)
    return _ratio_metric("cold_start", ours, floor, "ms", **extra)


def _measure_memory(w: dict[str, Any]) -> dict[str, Any]:
    ours = float(_run_child("memory-ours", w)["peak_mb"])
    floor = float(_run_child("memory-floor", w)["peak_mb"])
    limit = f"< {MEMORY_LIMIT_MB:g} MB"
    return _metric(ours, floor, "MB", target=limit, ok=ours < MEMORY_LIMIT_MB)


def _memory_child(side: str, w: dict[str, Any]) -> dict[str, Any]:
    """Hidden mode: open a window (the till's own, or a bare one for the floor), do the scans,
    the searches and a sale, then report peak RSS: what the shop PC sees while selling."""
    pick = w["sales"][-1]
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([])
    if side == "ours":
        from ui.window import TillWindow

        ours = _Ours(w["url"], Path(w["home"]))
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
        connection = _connect(w["db"])
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
    return {"peak_mb": _peak_mb()}


def _child_main(mode: str, workload_path: str) -> None:
    w = json.loads(Path(workload_path).read_text(encoding="utf-8"))
    if mode == "cold":
        result = _cold_child(w)
    elif mode in {"memory-ours", "memory-floor"}:
        result = _memory_child(mode.removeprefix("memory-"), w)
    else:
        raise SystemExit(f"unknown bench child mode {mode!r}")
    print(json.dumps(result))


# One catalog size, then all of them ----------------------------------------------------------


def _bench_size(
    size: int, tmp: Path, progress: Callable[[str], None]
) -> tuple[dict[str, Any], float]:
    import main
    from app.domain.users import PinPolicy

    db_path = str(tmp / "shop.db")
    url = f"sqlite:///{db_path}"
    progress(f"building a {size}-product shop")
    start = time.perf_counter()
    context = main.build_context(url, home=tmp, pin_policy=PinPolicy(scrypt_log2_n=8))
    main.seed_demo(context, size)
    context.close()
    build_s = time.perf_counter() - start
    progress(f"built in {build_s:.1f} s; measuring")

    ours = _Ours(url, tmp)
    floor = _connect(db_path)
    try:
        w = _workload(ours, db_path, tmp, size)
        results = {
            "scan": _measure_scan(ours, floor, w),
            "search": _measure_search(ours, floor, w),
            "sale": _measure_sale(ours, floor, w),
        }
    finally:
        floor.close()
        ours.close()
    progress("cold starts")
    results["cold_start"] = _measure_cold_start(w)
    progress("peak memory")
    results["memory"] = _measure_memory(w)
    return results, build_s


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "µs":
        return f"{value:.0f} µs"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.0f} ms"
    return f"{value:.0f} {unit}"


def _table(results: dict[int, dict[str, dict[str, Any]]], builds: dict[int, float]) -> str:
    rows = [
        "| metric | catalog size | ours | floor | ratio | target | ok |",
        "|---|---:|---:|---:|---:|---|:-:|",
    ]
    for name in METRICS:
        for size, metrics in results.items():
            r = metrics[name]
            ours = _number(r["ours"], r["unit"])
            if "p95_ours" in r:
                ours += f" (p95 {_number(r['p95_ours'], r['unit'])})"
            ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}×"
            ok = "yes" if r["ok"] else "**no**"
            if r.get("error"):
                ok += f" ({r['error'][:120]})"
            rows.append(
                f"| {LABELS[name]} | {size:,} | {ours} | "
                f"{_number(r['floor'], r['unit'])} | {ratio} | {r['target']} | {ok} |"
            )
    lines = ["\n".join(rows), ""]
    for size, seconds in builds.items():
        lines.append(f"- Catalog build ({size:,} products, through the services): {seconds:.1f} s")
    for size, metrics in results.items():
        parts = metrics["scan"].get("parts_median_us", {})
        if parts:
            lines.append(
                f"- Scan parts at {size:,} (medians): "
                + ", ".join(f"{name} {value:.0f} µs" for name, value in parts.items())
            )
        cold = metrics["cold_start"]
        if cold.get("backend_ms"):
            lines.append(
                f"- Cold start at {size:,}: window on screen and taking keys (READY) "
                f"{cold['ours']:.0f} ms; database open and sign-in possible (BACKEND) "
                f"{cold['backend_ms']:.0f} ms"
            )
        if cold.get("peak_mb_ours"):
            till = cold["peak_mb_ours"]
            verdict = "under" if till < MEMORY_LIMIT_MB else "**over**"
            lines.append(
                f"- Till process peak RSS (whole run), {size:,} products: {till:.0f} MB "
                f"({verdict} {MEMORY_LIMIT_MB:g} MB; bare PySide6 window "
                f"{cold['peak_mb_floor']:.0f} MB)"
            )
    sizes = list(results)
    if len(sizes) == 2:
        small, large = sizes
        growth = []
        for name in METRICS:
            a, b = results[small][name]["ours"], results[large][name]["ours"]
            growth.append(f"{name} {b / a:.2f}×" if a and b else f"{name} —")
        lines.append(
            f"- Ours at {large:,} ÷ ours at {small:,} products (only search should grow, "
            f"with its result set): " + ", ".join(growth)
        )
    return "\n".join(lines)


def run_bench(products: int = 100_000, compare: int = 10_000) -> dict[str, Any]:
    """Build shops of ``compare`` (if 0 < compare < products) and ``products`` products and
    measure each; returns the results by size and a Markdown table of them."""
    sizes = [compare, products] if 0 < compare < products else [products]

    def progress(message: str) -> None:
        print(f"bench: {message}", file=sys.stderr, flush=True)

    results: dict[int, dict[str, dict[str, Any]]] = {}
    builds: dict[int, float] = {}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="tillwright-bench-") as tmp:
            results[size], builds[size] = _bench_size(size, Path(tmp), progress)
    return {
        "products": products,
        "compare": compare if len(sizes) == 2 else 0,
        "results": results,
        "build_seconds": builds,
        "table": _table(results, builds),
    }


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child_main(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: main.py bench [--products N] [--compare N] [--json]")
