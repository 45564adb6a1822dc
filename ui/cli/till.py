"""``run``: open the till window."""

from __future__ import annotations

import argparse
from typing import Any

from ui.cli.wiring import Wiring


def register(commands: Any) -> None:
    run = commands.add_parser("run", help="open the till (the default)")
    run.add_argument(
        "--demo",
        action="store_true",
        help="open the demo shop, in its own folder of the data directory, seeded on first run",
    )
    run.add_argument("--exit-when-ready", action="store_true", help=argparse.SUPPRESS)
    run.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace, wiring: Wiring) -> int:
    return wiring.run_till(args.db, args.register, args.exit_when_ready, args.demo)
