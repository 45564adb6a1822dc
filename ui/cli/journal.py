"""``journal verify``: check the fiscal journal's hash chain and its head outside the database."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ui.cli.wiring import Wiring

BROKEN = 4


def register(commands: Any) -> None:
    journal = commands.add_parser("journal", help="the fiscal journal")
    what = journal.add_subparsers(dest="what", required=True)
    what.add_parser("verify", help="check the hash chain").set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace, wiring: Wiring) -> int:
    context = wiring.context(args.db)
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
