"""``db upgrade``: bring the database schema up to date."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ui.cli.wiring import Wiring


def register(commands: Any) -> None:
    db = commands.add_parser(
        "db",
        help="update the shop's database after installing a new version of Tillwright",
        description="Database upkeep. The till updates its database itself when it starts; "
        "this is for a database the till has not opened since Tillwright was updated.",
    )
    what = db.add_subparsers(dest="what", required=True, title="commands", metavar="COMMAND")
    what.add_parser(
        "upgrade",
        help="bring the database's tables up to date (a new database is created)",
        description="Bring the database's tables up to this version of Tillwright. Safe to "
        "run twice; tills starting together on PostgreSQL take turns.",
        epilog="example: %(prog)s --db ~/shop/shop.db",
    ).set_defaults(func=cmd_upgrade)


def cmd_upgrade(args: argparse.Namespace, wiring: Wiring) -> int:
    wiring.upgrade(args.db)
    sys.stdout.write("Database schema is up to date\n")
    return 0
