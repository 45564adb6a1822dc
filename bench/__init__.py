"""``main.py bench``: Tillwright's own figures against a floor, same data, same run.

For each catalog size a demo shop is built in a temporary SQLite file through the real
services, then measured; every figure has a floor done the cheapest way possible on the same
file in the same run, so the ratio says how much our layers cost, not how fast this machine
is:

(a) scan: a scanned code to a priced cart line (lookup, add, totals) vs the same SELECT in
    raw sqlite3;
(b) search: name search, top 50, by kind of query (words, two-letter words, short words only,
    common words) vs the simplest raw FTS5 query for the same matches (target: the absolute
    p95); and the longest UI-thread stall while a name is typed into the real till window vs
    the same typing into a bare line edit;
(c) sale: completing a 20-line card sale with a durable commit vs the same work done raw
    (bench/floor.py: db/sql.py's statements in the service's order in one ``BEGIN
    IMMEDIATE`` ... ``COMMIT``, then the head copy; its docstring lists what it does and does
    not do), and once on PostgreSQL against raw psycopg;
(d) cold start: a fresh ``main.py run`` (offscreen) to the sign-in window, and to a signed-in
    till that took its first scan (PIN typed, real scrypt), vs a bare PySide6 window in a
    fresh process;
(e) memory: peak RSS of a signed-in till doing (a)-(c), and of a 500-sale soak typed on the
    till window as a cashier does (bench/cashier.py: scans, F12, the cash and Enter, every
    tenth sale exact cash by Enter once the due has been on screen), growth per sale after
    warm-up, vs a raw sqlite3 child; targets absolute;
(f) a scan in the real till (bench/till_ui.py): key Enter → the cart row painted, with 1, 20
    and 200 lines already in the cart, vs a bare QTableView with the same style sheet
    appending one row after the same lookup, in the same child process;
(g)-(i) product import (bench/imports.py): a first import and an unchanged re-import of a
    file of as many variants as the catalog size, and the till's sales during an import.

Only this package and the child processes it starts are involved: nothing is timed in tests.
``main.py bench --child MODE WORKLOAD.json`` is the hidden mode the children run in; the
bench imports only the standard library at module level, so the memory floor is Python's and
sqlite3's alone. main.py hands the bench its wiring (how to build the till's context): the
bench never imports main.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import (
    COLD_RUNS,
    PG_PRODUCTS,
    SEARCH_CLASSES,
    SOAK_SALES,
    TYPING_GAP_MS,
    connect,
)
from bench.floor import RawConnection
from bench.imports import import_table, measure_imports
from bench.ours import Ours, workload
from bench.postgres import measure_postgres_sale
from bench.process import (
    child_main,
    measure_cold_start,
    measure_memory,
    measure_search_ui,
)
from bench.table import table
from bench.till import measure_sale, measure_scan, measure_search
from bench.till_ui import measure_till_ui
from bench.wiring import BenchWiring

__all__ = ["BenchWiring", "child_main", "run_bench"]


def bench_size(
    wiring: BenchWiring,
    size: int,
    tmp: Path,
    progress: Callable[[str], None],
    plan: dict[str, int],
) -> tuple[dict[str, Any], float]:
    db_path = str(tmp / "shop.db")
    url = f"sqlite:///{db_path}"
    progress(f"building a {size}-product shop")
    start = time.perf_counter()
    # The real PIN policy: sign-ins in the cold start and the soak hash as a shop's do.
    context = wiring.context(url, home=tmp, access="create")
    wiring.seed_demo(context, size)
    context.close()
    build_s = time.perf_counter() - start
    progress(f"built in {build_s:.1f} s; measuring")

    ours = Ours(wiring, url, tmp)
    floor = connect(db_path)
    try:
        w = workload(ours, db_path, tmp, size, plan)
        results = {"scan": measure_scan(ours, floor, w)}
        for name in SEARCH_CLASSES:
            results[name] = measure_search(ours, floor, w, name)
        results["sale"] = measure_sale(
            ours, RawConnection(floor, postgres=False), w, tmp / "floor-journal"
        )
    finally:
        floor.close()
        ours.close()
    progress("the till window while searching")
    results["search_ui"] = measure_search_ui(w)
    progress("cold starts")
    results.update(measure_cold_start(w))
    progress("peak memory and the soak")
    results.update(measure_memory(w))
    progress("scans in the real till")
    results.update(measure_till_ui(w))
    return results, build_s


def run_bench(
    wiring: BenchWiring,
    products: int = 100_000,
    compare: int = 10_000,
    *,
    cold_runs: int = COLD_RUNS,
    soak_sales: int = SOAK_SALES,
    postgres_products: int = PG_PRODUCTS,
    typing_gap_ms: int = TYPING_GAP_MS,
) -> dict[str, Any]:
    """Build shops of ``compare`` (if 0 < compare < products) and ``products`` products and
    measure each, then the sale on PostgreSQL (``postgres_products``; 0 skips it); returns
    the results by size and a Markdown table of them."""
    sizes = [compare, products] if 0 < compare < products else [products]
    plan = {"cold_runs": cold_runs, "soak_sales": soak_sales, "typing_gap_ms": typing_gap_ms}

    def progress(message: str) -> None:
        sys.stderr.write(f"bench: {message}\n")
        sys.stderr.flush()

    results: dict[int, dict[str, dict[str, Any]]] = {}
    imports: dict[int, dict[str, dict[str, Any]]] = {}
    builds: dict[int, float] = {}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="tillwright-bench-") as tmp:
            results[size], builds[size] = bench_size(wiring, size, Path(tmp), progress, plan)
        with tempfile.TemporaryDirectory(prefix="tillwright-bench-import-") as tmp:
            imports[size] = measure_imports(wiring, size, Path(tmp), progress)
    extra: dict[str, dict[str, Any]] = {}
    if postgres_products:
        with tempfile.TemporaryDirectory(prefix="tillwright-bench-pg-") as tmp:
            extra["sale_postgres"] = measure_postgres_sale(
                wiring, Path(tmp), progress, postgres_products
            )
    return {
        "products": products,
        "compare": compare if len(sizes) == 2 else 0,
        "results": results,
        "postgres": extra,
        "imports": imports,
        "build_seconds": builds,
        "table": table(results, builds, extra) + "\n\n" + import_table(imports),
    }
