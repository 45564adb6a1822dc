"""The command line: one module per command group, each handed main.py's wiring.

``main.py`` builds the wiring (how to open the shop's database and services) and calls
:func:`run`; nothing here imports the database layer or Qt, so ``main.py import …`` starts
quickly and the layers stay apart.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from app.errors import TillwrightError
from ui.cli import bench, catalog, database, demo, journal, setup, till, users
from ui.cli.wiring import Wiring

log = logging.getLogger("tillwright")

GROUPS = (till, setup, users, demo, catalog, journal, database, bench)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="tillwright", description="Tillwright: the point of sale for a small shop."
    )
    top.add_argument(
        "--db", help="database URL (default: SQLite file in the data directory; env TILLWRIGHT_DB)"
    )
    top.add_argument("--register", help="this till's register code (env TILLWRIGHT_REGISTER)")
    top.add_argument("-v", "--verbose", action="store_true")
    commands = top.add_subparsers(dest="command")
    for group in GROUPS:
        group.register(commands)
    return top


def run(argv: Sequence[str] | None, wiring: Wiring) -> int:
    """Parse ``argv`` (default: the process's), run the command; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    if args.command is None:
        args = parser().parse_args([*argv, "run"])
    wiring.setup_logging(args.verbose)
    try:
        return int(args.func(args, wiring))
    except TillwrightError as error:
        log.warning("%s failed: %s", args.command, error)
        sys.stderr.write(f"tillwright: {error}\n")
        return 2
