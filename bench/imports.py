"""Product import figures, each against a raw ``sqlite3`` floor in the same run.

(g) first import: a Shopify file of N variants into an empty shop through the real service
    (read, check, write in bounded transactions), against raw sqlite3 reading the same bytes
    with ``csv`` and writing the same rows (product, variant, barcode, stock balance, stock
    move) with one executemany per table in one transaction, on an identical empty shop.
(h) unchanged re-import: the same file again, against raw sqlite3 reading the file and the
    catalog (one SELECT) and comparing them field by field; it must write nothing (SQLite's
    data_version, seen from another connection, does not move).
(i) a till selling during an import: the import runs as ``main.py import products`` in a
    child process while this process completes five-line card sales on the same file;
    the sale latency p99 against the same sales with no import running. No sale may fail.

The longest write transaction of (g) is reported too: the import keeps each one short so a
till waiting to write gets in (target ≤ 200 ms).
"""

from __future__ import annotations

import csv
import io
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROOT, SEED, child_env, connect, median, metric, now_text, p95
from bench.ours import Ours
from bench.wiring import BenchWiring

FIRST_TARGET = 2.5
AGAIN_TARGET = 3.0
TRANSACTION_LIMIT_S = 0.2
SALE_LINES = 5
IDLE_SALES = 30
LABELS = {
    "first": "(g) product import, first (variants)",
    "longest": "(g) its longest write transaction",
    "again": "(h) product import, unchanged again (variants)",
    "during": "(i) 5-line sale while an import runs, p99",
}
_SIZES = ("S", "M", "L", "XL")
HEADER = (
    "Handle",
    "Title",
    "Option1 Name",
    "Option1 Value",
    "Variant SKU",
    "Variant Price",
    "Variant Barcode",
    "Variant Inventory Tracker",
    "Variant Inventory Qty",
    "Variant Inventory Policy",
    "Variant Taxable",
    "Type",
    "Status",
    "Cost per item",
)


def shopify_file(variants: int, seed: int = SEED) -> bytes:
    """A Shopify product export of ``variants`` variants (products of one to four sizes)."""
    from app.domain.barcode import make_ean13

    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    made = product = 0
    while made < variants:
        product += 1
        for i in range(min(rng.choice((1, 1, 2, 4)), variants - made)):
            made += 1
            first = i == 0
            writer.writerow(
                (
                    f"item-{product}",
                    f"Item {product} {rng.choice(('blue', 'green', 'oak', 'linen'))}"
                    if first
                    else "",
                    "Size" if first else "",
                    _SIZES[i],
                    f"IMP{made:07d}",
                    f"{rng.randint(100, 9999) / 100:.2f}",
                    make_ean13(f"21{made:010d}"),
                    "shopify",
                    str(rng.randint(0, 50)),
                    "deny",
                    "TRUE",
                    "Homeware" if first else "",
                    "active" if first else "",
                    f"{rng.randint(50, 500) / 100:.2f}",
                )
            )
    return out.getvalue().encode()


def _empty_shop(wiring: BenchWiring, home: Path, name: str) -> str:
    """A demo shop with its staff and tax classes and no products yet."""
    from app.domain.users import PinPolicy

    url = f"sqlite:///{home / name}"
    context = wiring.context(url, home=home, pin_policy=PinPolicy(scrypt_log2_n=8), access="create")
    wiring.seed_demo(context, 0)
    context.close()
    return url


def _manager(context: Any) -> int:
    """The demo manager's id: who imports (the demo PINs are in the README)."""
    from app.services.demo import DEMO_USERS

    username, _, _, pin = next(user for user in DEMO_USERS if user[0] == "manager")
    return int(context.auth.login(username, pin).user_id)


def floor_first(path: str, data: bytes) -> float:
    """Raw sqlite3: read the file, write the rows the import writes, one transaction."""
    from app.domain.text import fold

    start = time.perf_counter()
    rows = list(csv.reader(io.StringIO(data.decode())))
    col = {name: i for i, name in enumerate(rows[0])}
    connection = connect(path)
    try:
        now = now_text()
        tax = connection.execute("SELECT id FROM tax_class WHERE code = 'standard'").fetchone()[0]
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO category (name) VALUES ('Homeware')")
        category = connection.execute("SELECT id FROM category").fetchone()[0]
        titles: dict[str, str] = {}
        products = []
        for row in rows[1:]:
            handle = row[col["Handle"]]
            if handle not in titles:
                titles[handle] = row[col["Title"]]
                products.append((handle, titles[handle], category, tax, 0, 1, now, now))
        connection.executemany(
            "INSERT INTO product (handle, name, category_id, tax_class_id, sold_by_weight, "
            "active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            products,
        )
        product_ids = dict(connection.execute("SELECT handle, id FROM product"))
        variants = []
        for row in rows[1:]:
            handle, sku, size = (
                row[col["Handle"]],
                row[col["Variant SKU"]],
                row[col["Option1 Value"]],
            )
            name = f"{titles[handle]} ({size})"
            variants.append(
                (
                    product_ids[handle],
                    sku,
                    f"Size: {size}",
                    name,
                    fold(f"{name} {sku}"),
                    int(row[col["Variant Price"]].replace(".", "")),
                    int(row[col["Cost per item"]].replace(".", "")),
                )
            )
        connection.executemany(
            "INSERT INTO variant (product_id, sku, options, display_name, search_text, "
            "price_minor, cost_minor, active, track_stock) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1)",
            variants,
        )
        variant_ids = dict(connection.execute("SELECT sku, id FROM variant"))
        by_row = [(variant_ids[r[col["Variant SKU"]]], r) for r in rows[1:]]
        connection.executemany(
            "INSERT INTO barcode (code, variant_id) VALUES (?, ?)",
            [(r[col["Variant Barcode"]], vid) for vid, r in by_row],
        )
        counts = [(vid, int(r[col["Variant Inventory Qty"]]) * 1000) for vid, r in by_row]
        connection.executemany(
            "INSERT INTO stock_balance (variant_id, quantity) VALUES (?, ?)", counts
        )
        connection.executemany(
            "INSERT INTO stock_move (variant_id, quantity, reason, reference, occurred_at) "
            "VALUES (?, ?, 'count', 'import', ?)",
            [(vid, q, now) for vid, q in counts if q],
        )
        connection.execute("COMMIT")
    finally:
        connection.close()
    return time.perf_counter() - start


def floor_again(path: str, data: bytes) -> float:
    """Raw sqlite3: read the file and the catalog, compare every variant's fields."""
    start = time.perf_counter()
    rows = list(csv.reader(io.StringIO(data.decode())))
    col = {name: i for i, name in enumerate(rows[0])}
    connection = connect(path)
    try:
        stored = {
            sku: (name, price, cost, code)
            for sku, name, price, cost, code in connection.execute(
                "SELECT v.sku, p.name, v.price_minor, v.cost_minor, b.code FROM variant v "
                "JOIN product p ON p.id = v.product_id LEFT JOIN barcode b ON b.variant_id = v.id"
            )
        }
    finally:
        connection.close()
    titles: dict[str, str] = {}
    differ = 0
    for row in rows[1:]:
        handle = row[col["Handle"]]
        titles.setdefault(handle, row[col["Title"]])
        found = stored.get(row[col["Variant SKU"]])
        if found != (
            titles[handle],
            int(row[col["Variant Price"]].replace(".", "")),
            int(row[col["Cost per item"]].replace(".", "")),
            row[col["Variant Barcode"]],
        ):
            differ += 1
    if differ:
        raise RuntimeError(f"the re-import floor found {differ} rows that differ")
    return time.perf_counter() - start


def measure_imports(
    wiring: BenchWiring, variants: int, tmp: Path, progress: Callable[[str], None]
) -> dict[str, dict[str, Any]]:
    """Figures (g), (h) and (i) for a file of ``variants`` variants."""
    from app.domain.users import PinPolicy

    data = shopify_file(variants)
    file = tmp / "products.csv"
    file.write_bytes(data)
    progress(f"importing {variants} variants")
    url = _empty_shop(wiring, tmp, "import.db")
    floor_url = _empty_shop(wiring, tmp, "import-floor.db")
    context = wiring.context(url, home=tmp, pin_policy=PinPolicy(scrypt_log2_n=8), migrate=False)
    try:
        start = time.perf_counter()
        manager = _manager(context)
        first = context.catalog.import_csv(data, manager, source=file.name)
        ours_first = time.perf_counter() - start
        if not first.ok or first.created == 0:
            raise RuntimeError(f"the bench's import was refused: {first.problems[:3]}")
        # Any commit by another connection moves data_version: the re-import must not.
        watch = sqlite3.connect(url.removeprefix("sqlite:///"))
        before = watch.execute("PRAGMA data_version").fetchone()
        start = time.perf_counter()
        again = context.catalog.import_csv(data, manager, source=file.name)
        ours_again = time.perf_counter() - start
        wrote = watch.execute("PRAGMA data_version").fetchone() != before
        watch.close()
    finally:
        context.close()
    raw_first = floor_first(floor_url.removeprefix("sqlite:///"), data)
    raw_again = floor_again(floor_url.removeprefix("sqlite:///"), data)
    longest = first.longest_batch_s
    results = {
        "first": metric(
            ours_first,
            raw_first,
            "s",
            target=f"≤ {FIRST_TARGET:g}× floor",
            ok=ours_first <= FIRST_TARGET * raw_first,
            variants=variants,
            batches=first.batches,
        ),
        "longest": metric(
            longest * 1000,
            None,
            "ms",
            target=f"≤ {TRANSACTION_LIMIT_S * 1000:.0f} ms",
            ok=longest <= TRANSACTION_LIMIT_S,
            batches=first.batches,
        ),
        "again": metric(
            ours_again,
            raw_again,
            "s",
            target=f"≤ {AGAIN_TARGET:g}× floor, writes nothing",
            ok=ours_again <= AGAIN_TARGET * raw_again and not wrote and again.batches == 0,
            variants=variants,
            wrote=wrote,
            first_over_again=ours_first / ours_again,
        ),
    }
    progress("selling during an import")
    results["during"] = _sales_during_import(wiring, data, tmp)
    return results


def _sales_during_import(wiring: BenchWiring, data: bytes, tmp: Path) -> dict[str, Any]:
    """Card sales of demo items, first with nothing else running, then while a child process
    imports the file into the same database."""
    from app.domain.users import PinPolicy

    home = tmp / "selling"
    home.mkdir()
    url = f"sqlite:///{home / 'shop.db'}"
    context = wiring.context(url, home=home, pin_policy=PinPolicy(scrypt_log2_n=8), access="create")
    wiring.seed_demo(context, 300)
    context.close()
    raw = connect(str(home / "shop.db"))
    raw.execute("UPDATE stock_balance SET quantity = 1000000000")
    skus = [s for (s,) in raw.execute("SELECT sku FROM variant WHERE sku LIKE 'G%'")]
    raw.close()
    (home / "products.csv").write_bytes(data)
    ours = Ours(wiring, url, home)
    rng = random.Random(SEED)
    failures: list[str] = []

    def sale() -> float:
        command = ours.sale_command(rng.sample(skus, SALE_LINES))
        start = time.perf_counter()
        try:
            ours.complete(command)
        except Exception as error:  # a failed sale is what this figure counts
            failures.append(str(error))
        return (time.perf_counter() - start) * 1000

    try:
        idle = [sale() for _ in range(IDLE_SALES)]
        child = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "main.py"),
                "--db",
                url,
                "import",
                "products",
                str(home / "products.csv"),
            ],
            cwd=ROOT,
            env=child_env(home),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert child.stdin is not None
        child.stdin.write("manager\n4321\n")  # who imports: the demo shop's manager
        child.stdin.close()
        busy: list[float] = []
        while child.poll() is None:
            busy.append(sale())
        if child.returncode != 0:
            raise RuntimeError(f"the import child exited with {child.returncode}")
    finally:
        ours.close()
    ours_p99 = _p99(busy) if busy else None
    return metric(
        ours_p99,
        _p99(idle),
        "ms",
        target="no failed sale",
        ok=not failures and bool(busy),
        samples=len(busy),
        failed=len(failures),
        median_during=median(busy) if busy else None,
        p95_during=p95(busy) if busy else None,
        max_during=max(busy) if busy else None,
        error=failures[0] if failures else None,
    )


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return float(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def import_table(imports: dict[int, dict[str, dict[str, Any]]]) -> str:
    """The import rows of the README's table."""
    rows = [
        "| metric | variants | ours | floor | ratio | target | ok |",
        "|---|---:|---:|---:|---:|---|:-:|",
    ]
    notes = []
    for size, figures in imports.items():
        for name in ("first", "longest", "again", "during"):
            r = figures[name]
            ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}×"
            ok = "yes" if r["ok"] else "**no**"
            if r.get("error"):
                ok += f" ({str(r['error'])[:120]})"
            rows.append(
                f"| {LABELS[name]} | {size:,} | {_number(r['ours'], r['unit'])} | "
                f"{_number(r['floor'], r['unit'])} | {ratio} | {r['target']} | {ok} |"
            )
        first, again, during = figures["first"], figures["again"], figures["during"]
        notes.append(
            f"- Import of {size:,} variants: {first['batches']} write transactions; "
            f"the unchanged re-import is {again['first_over_again']:.1f}× faster than the first "
            f"and wrote {'something' if again['wrote'] else 'nothing'}; "
            f"{during['samples']} sales during the import, {during['failed']} failed, "
            f"median {_number(during['median_during'], 'ms')}, "
            f"max {_number(during['max_during'], 'ms')} (floor: the same sales, nothing importing)"
        )
    return "\n".join([*rows, "", *notes])
