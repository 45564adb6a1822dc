"""``bench``: our figures against raw sqlite3 and a bare window, measured in the same run."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ui.cli.wiring import Wiring


def register(commands: Any) -> None:
    bench = commands.add_parser(
        "bench",
        help="measure how fast Tillwright runs on this computer (takes minutes)",
        description="Build demo shops in a temporary folder and measure scanning, searching, "
        "selling, start-up and memory, each against the fastest plain way of doing the same "
        "work on this computer. Your shop's database is not touched.",
        epilog="example: %(prog)s --products 10000 --compare 0",
    )
    bench.add_argument(
        "--products", type=int, default=100_000, metavar="N", help="catalog size (default 100000)"
    )
    bench.add_argument(
        "--compare",
        type=int,
        default=10_000,
        metavar="N",
        help="a smaller catalog to show what grows with size (default 10000; 0 to skip)",
    )
    bench.add_argument(
        "--postgres-products",
        type=int,
        default=None,
        help="the catalog of the PostgreSQL sale (0 to skip it)",
    )
    bench.add_argument("--soak-sales", type=int, default=None, help="sales in the memory soak")
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    # The bench's own child processes: main.py bench --child MODE WORKLOAD.json
    bench.add_argument("--child", nargs=2, metavar=("MODE", "WORKLOAD"), help=argparse.SUPPRESS)
    bench.set_defaults(func=cmd_bench)


def cmd_bench(args: argparse.Namespace, wiring: Wiring) -> int:
    if args.child:
        sys.stdout.write(wiring.bench_child(*args.child) + "\n")
        return 0
    options = {
        name: value
        for name, value in (
            ("postgres_products", args.postgres_products),
            ("soak_sales", args.soak_sales),
        )
        if value is not None
    }
    result = wiring.bench(args.products, args.compare, **options)
    sys.stdout.write((json.dumps(result, indent=2) if args.json else result["table"]) + "\n")
    return 0
