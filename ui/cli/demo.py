"""``demo``: seed a demo shop into an empty database."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ui.cli.wiring import Wiring


def register(commands: Any) -> None:
    demo = commands.add_parser("demo", help="seed a demo shop")
    demo.add_argument("--products", type=int, help="how many products (default 2000)")
    demo.add_argument("--sales", type=int, default=0)
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace, wiring: Wiring) -> int:
    sys.stdout.write(wiring.demo(args.db, args.register, args.products, args.sales) + "\n")
    return 0
