"""``demo``: seed a demo shop into an empty database."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ui.cli.wiring import Wiring


def register(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="make a demo shop to try Tillwright out (products, users, sales)",
        description="Fill a new, empty database with a demo shop: products with barcodes, "
        "three users (cashier PIN 1234, manager 4321, owner 9999) and, if asked, some sales. "
        "It is made whole or not at all.",
        epilog="example: %(prog)s --products 2000 --sales 300 --db ~/demo-shop.db",
    )
    demo.add_argument(
        "--products", type=int, metavar="N", help="how many products to make (default 2000)"
    )
    demo.add_argument(
        "--sales", type=int, default=0, metavar="N", help="how many sales to ring up (default 0)"
    )
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace, wiring: Wiring) -> int:
    sys.stdout.write(wiring.demo(args.db, args.register, args.products, args.sales) + "\n")
    return 0
