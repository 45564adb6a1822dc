"""``journal verify``: check the fiscal journal's hash chain and its head outside the database."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ui.cli.wiring import Wiring

BROKEN = 4


def register(commands: Any) -> None:
    journal = commands.add_parser(
        "journal",
        help="check the fiscal journal: proof that no sale was changed or removed",
        description="Every sale is written to a fiscal journal where each entry seals the "
        "one before it, so a changed, inserted or removed entry shows.",
    )
    what = journal.add_subparsers(dest="what", required=True, title="commands", metavar="COMMAND")
    what.add_parser(
        "verify",
        help="check every journal entry (reads the database, never changes it)",
        description="Check every journal entry against the one before it and against the "
        "head kept outside the database. Exit code 0: the journal is whole; 4: it is not, "
        "and the first bad entry is named. The database is only read, never created.",
        epilog="example: %(prog)s --db ~/shop/shop.db",
    ).set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace, wiring: Wiring) -> int:
    context = wiring.context(args.db, access="read")
    try:
        result = context.journal.verify()
    finally:
        context.close()
    if result.ok:
        sys.stdout.write(
            f"Journal OK: {result.entries} entries, head #{result.head_seq} {result.head_hash}\n"
        )
        return 0
    sys.stderr.write(f"Journal BROKEN at entry {result.bad_seq}: {result.problem}\n")
    return BROKEN
