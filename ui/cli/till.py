"""``run``: open the till window."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ui.cli.wiring import Wiring


def register(commands: Any) -> None:
    run = commands.add_parser(
        "run",
        help="open the till window (the default; `make run` opens the demo shop)",
        description="Open the till window: a cashier signs in with user name and PIN and "
        "rings up sales. On an empty database it first asks for your shop's details (or run "
        "`setup`); with --demo it opens a demo shop to try Tillwright out.",
        epilog="example: %(prog)s --register T2",
    )
    run.add_argument(
        "--demo",
        action="store_true",
        help="open the demo shop, in its own folder of the data directory, seeded on first run",
    )
    run.add_argument("--exit-when-ready", action="store_true", help=argparse.SUPPRESS)
    # The bench's cold start: sign in as USER (the PIN is read from standard input, never
    # from the command line) and scan CODE, then exit.
    run.add_argument("--rehearse", nargs=2, metavar=("USER", "CODE"), help=argparse.SUPPRESS)
    run.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace, wiring: Wiring) -> int:
    rehearse = None
    if args.rehearse:
        username, code = args.rehearse
        rehearse = (username, sys.stdin.readline().strip(), code)
    return wiring.run_till(
        args.db, args.register, args.exit_when_ready or rehearse is not None, args.demo, rehearse
    )
