"""``run``: open the till window."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ui.cli.wiring import Wiring


def register(commands: Any) -> None:
    run = commands.add_parser("run", help="open the till (the default)")
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
        args.db, args.register, args.exit_when_ready or rehearse is not None, rehearse
    )
