"""``run``: open the till window."""

from __future__ import annotations

import argparse
from typing import Any

from ui.cli.wiring import Wiring


def register(commands: Any) -> None:
    run = commands.add_parser(
        "run",
        help="open the till window (the default; what `make run` does)",
        description="Open the till window: a cashier signs in with user name and PIN and "
        "rings up sales. On the first run with no --db, a demo shop is made to try it out.",
        epilog="example: %(prog)s --register T2",
    )
    run.add_argument("--exit-when-ready", action="store_true", help=argparse.SUPPRESS)
    run.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace, wiring: Wiring) -> int:
    return wiring.run_till(args.db, args.register, args.exit_when_ready)
