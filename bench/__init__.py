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
    queries; the target is absolute;
(f)-(h) product import (bench/imports.py): a first import and an unchanged re-import of a
    file of as many variants as the catalog size, and the till's sales during an import.

Only this module and the child processes it starts are involved: nothing is timed in tests.
``main.py bench --child cold|memory-ours|memory-floor WORKLOAD.json`` is the hidden mode
the children of (d) and (e) run in; the bench imports only the standard library at module
level, so the memory floor is Python's and sqlite3's alone. main.py hands the bench its wiring
(how to build the till's context): the bench never imports main.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import connect
from bench.imports import import_table, measure_imports
from bench.ours import Ours, workload
from bench.process import child_main, measure_cold_start, measure_memory
from bench.table import table
from bench.till import measure_sale, measure_scan, measure_search
from bench.wiring import BenchWiring

__all__ = ["BenchWiring", "child_main", "run_bench"]


def bench_size(
    wiring: BenchWiring, size: int, tmp: Path, progress: Callable[[str], None]
) -> tuple[dict[str, Any], float]:
    from app.domain.users import PinPolicy

    db_path = str(tmp / "shop.db")
    url = f"sqlite:///{db_path}"
    progress(f"building a {size}-product shop")
    start = time.perf_counter()
    context = wiring.context(url, home=tmp, pin_policy=PinPolicy(scrypt_log2_n=8))
    wiring.seed_demo(context, size)
    context.close()
    build_s = time.perf_counter() - start
    progress(f"built in {build_s:.1f} s; measuring")

    ours = Ours(wiring, url, tmp)
    floor = connect(db_path)
    try:
        w = workload(ours, db_path, tmp, size)
        results = {
            "scan": measure_scan(ours, floor, w),
            "search": measure_search(ours, floor, w),
            "sale": measure_sale(ours, floor, w),
        }
    finally:
        floor.close()
        ours.close()
    progress("cold starts")
    results["cold_start"] = measure_cold_start(w)
    progress("peak memory")
    results["memory"] = measure_memory(w)
    return results, build_s


def run_bench(
    wiring: BenchWiring, products: int = 100_000, compare: int = 10_000
) -> dict[str, Any]:
    """Build shops of ``compare`` (if 0 < compare < products) and ``products`` products and
    measure each; returns the results by size and a Markdown table of them."""
    sizes = [compare, products] if 0 < compare < products else [products]

    def progress(message: str) -> None:
        sys.stderr.write(f"bench: {message}\n")
        sys.stderr.flush()

    results: dict[int, dict[str, dict[str, Any]]] = {}
    imports: dict[int, dict[str, dict[str, Any]]] = {}
    builds: dict[int, float] = {}
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="tillwright-bench-") as tmp:
            results[size], builds[size] = bench_size(wiring, size, Path(tmp), progress)
        with tempfile.TemporaryDirectory(prefix="tillwright-bench-import-") as tmp:
            imports[size] = measure_imports(wiring, size, Path(tmp), progress)
    return {
        "products": products,
        "compare": compare if len(sizes) == 2 else 0,
        "results": results,
        "imports": imports,
        "build_seconds": builds,
        "table": table(results, builds) + "\n\n" + import_table(imports),
    }
