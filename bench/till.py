"""Figures (a)-(c) in this process: scan, name search and a durable sale, against raw sqlite3."""

from __future__ import annotations

import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

from bench.common import (
    CART_LINES,
    SALES,
    SEARCH_P95_MS,
    SEARCH_REPEATS,
    absolute_metric,
    median,
    sampled_metric,
)
from bench.floor import FloorTill, RawConnection, floor_sale
from bench.ours import Ours


def measure_scan(ours: Ours, floor: sqlite3.Connection, w: dict[str, Any]) -> dict[str, Any]:
    """Each scan lands in a cart of up to CART_LINES lines (mean about half that), as at a
    till, so totals() reprices a realistic cart; the parts are timed too, to show where the
    time goes."""
    sql, cursor, clock = w["by_code_sql"], floor.cursor(), time.perf_counter_ns

    def floor_scan(code: str) -> float:
        start = clock()
        row = cursor.execute(sql, {"code": code}).fetchone()
        _ = (*row[:5], bool(row[5]), row[6], row[7])  # the floor's "item"
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
    return sampled_metric(
        "scan",
        mine,
        raw,
        "µs",
        parts_median_us={name: round(median(values), 1) for name, values in parts.items()},
    )


def measure_search(
    ours: Ours, floor: sqlite3.Connection, w: dict[str, Any], name: str
) -> dict[str, Any]:
    """One class of queries (SEARCH_CLASSES): ours through the service, the floor the raw FTS5
    query for the same matches; the target is the absolute p95."""
    clock = time.perf_counter_ns
    mine: list[float] = []
    raw: list[float] = []
    hits: dict[str, int] = {}
    slowest: dict[str, float] = {}
    floor_sql = w["floor_search_sql"]
    for repeat in range(SEARCH_REPEATS + 1):  # the first round warms up
        for query, match, limit in w["searches"][name]:
            # Taking turns to go first, as for scans.
            for side in ("ours", "floor") if repeat % 2 else ("floor", "ours"):
                start = clock()
                if side == "ours":
                    found = len(ours.sales.search(query).items)
                else:
                    rows = len(
                        floor.execute(floor_sql, {"match": match, "limit": limit}).fetchall()
                    )
                elapsed = (clock() - start) / 1e6
                if repeat:
                    (mine if side == "ours" else raw).append(elapsed)
                    if side == "ours":
                        slowest[query] = max(slowest.get(query, 0.0), elapsed)
            if found != rows:
                raise RuntimeError(f"search {query!r}: {found} rows ours, {rows} raw")
            hits[query] = rows
    return absolute_metric(mine, raw, "ms", SEARCH_P95_MS, hits=hits, slowest_ms=slowest)


def measure_sale(
    ours: Ours, floor: RawConnection, w: dict[str, Any], anchors: Path, name: str = "sale"
) -> dict[str, Any]:
    """Our 20-line card sale through the services against db/sql.py's statements run raw on
    the same database (SQLite or PostgreSQL) by bench.floor, which keeps its copy of the
    journal head in ``anchors``; alternating who goes first."""
    clock = time.perf_counter_ns
    till = FloorTill.of(w, anchors)
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
                floor_sale(floor, sale_id, floor_ids, till)
            elapsed = (clock() - start) / 1e6
            if run >= 2:
                (mine if side == "ours" else raw).append(elapsed)
    return sampled_metric(name, mine, raw, "ms")
