"""``db upgrade``: bring the database schema up to date."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ui.cli.wiring import Wiring


def register(commands: Any) -> None:
    db = commands.add_parser("db", help="database maintenance")
    what = db.add_subparsers(dest="what", required=True)
    what.add_parser("upgrade", help="run migrations").set_defaults(func=cmd_upgrade)


def cmd_upgrade(args: argparse.Namespace, wiring: Wiring) -> int:
    wiring.upgrade(args.db)
    sys.stdout.write("Database schema is up to date\n")
    return 0
