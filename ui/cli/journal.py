"""``journal verify`` and ``journal key create|export|import``: the fiscal journal on the
command line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.domain.users import Permission
from ui.cli.terminal import Terminal, sign_in
from ui.cli.wiring import CliContext, Wiring

BROKEN = 4


def register(commands: Any) -> None:
    journal = commands.add_parser(
        "journal",
        help="check the fiscal journal: proof that no sale was changed or removed",
        description="Every sale is written to a fiscal journal where each entry seals the "
        "one before it, so a changed, inserted or removed entry shows.",
    )
    what = journal.add_subparsers(dest="what", required=True, title="commands", metavar="COMMAND")
    verify = what.add_parser(
        "verify",
        help="check every journal entry, the sale tables and the copies of the journal head "
        "(reads the database, never changes it)",
        description="Check every journal entry against the one before it, every sale in the "
        "sale tables against its entry, and the head against its copies kept outside the "
        "database. Exit code 0: the journal is whole; 4: it is not, and what is wrong is "
        "named. The database is only read, never created.",
        epilog="example: %(prog)s --db ~/shop/shop.db --anchor /mnt/till2/journal/SHOP.head",
    )
    verify.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="FILE",
        help="a copy of the journal head from another till's data directory (repeatable)",
    )
    verify.set_defaults(func=cmd_verify)
    key = what.add_parser(
        "key",
        help="the journal key kept in the OS keyring",
        description="Key the journal with a secret kept outside the database (HMAC-SHA-256), "
        "so that someone who can write the database cannot reseal a changed entry.",
    )
    key_what = key.add_subparsers(dest="key_what", required=True, title="commands")
    key_what.add_parser(
        "create",
        help="make the journal key and key every new entry with it (owner)",
        epilog="example: %(prog)s --db ~/shop/shop.db",
    ).set_defaults(func=cmd_key_create)
    key_what.add_parser(
        "export",
        help="print the key, for another till sharing this database (owner)",
        epilog="example: %(prog)s > journal-key.txt  (keep the file safe, then delete it)",
    ).set_defaults(func=cmd_key_export)
    key_what.add_parser(
        "import",
        help="keep the key printed by `journal key export` on another till (owner)",
        epilog="example: %(prog)s --db postgresql://till@shop-server/shop",
    ).set_defaults(func=cmd_key_import)


def cmd_verify(args: argparse.Namespace, wiring: Wiring) -> int:
    context = wiring.context(args.db, access="read")
    try:
        result = context.journal.verify(args.anchor)
    finally:
        context.close()
    anchors = (
        f"head kept in {len(result.anchors)} place(s): {', '.join(result.anchors)}"
        if result.anchors
        else "no copy of the head outside the database"
    )
    summary = (
        f"{result.entries} entries, head #{result.head_seq} {result.head_hash}; "
        f"{result.keying}; {anchors}; {result.checked} sales match the sale tables"
    )
    if result.ok:
        sys.stdout.write(f"Journal OK: {summary}\n")
        return 0
    state = "UNANCHORED" if result.unanchored and len(result.problems) == 1 else "BROKEN"
    where = f" at entry {result.bad_seq}" if result.bad_seq is not None else ""
    sys.stderr.write(f"Journal {state}{where}: {summary}\n")
    for problem in result.problems:
        sys.stderr.write(f"  - {problem}\n")
    if result.more_problems:
        sys.stderr.write(f"  … and {result.more_problems} more\n")
    return BROKEN


def _owner(context: CliContext) -> int:
    """The owner at the terminal, signed in by user name and PIN; the service checks the role."""
    return sign_in(context, Terminal(), Permission.MANAGE_SETTINGS, "The journal key").user_id


def cmd_key_create(args: argparse.Namespace, wiring: Wiring) -> int:
    context = wiring.context(args.db, args.register)
    try:
        done = context.journal.create_key(_owner(context), context.register_code)
    finally:
        context.close()
    if done.warning:
        sys.stderr.write(done.warning + "\n")
    sys.stdout.write(
        f"Journal keyed from entry {done.from_seq} with key {done.key_id}, kept in "
        f"{done.store}. Other tills sharing this database need it too: run "
        "`main.py journal key export` here and `main.py journal key import` there.\n"
    )
    return 0


def cmd_key_export(args: argparse.Namespace, wiring: Wiring) -> int:
    context = wiring.context(args.db)
    try:
        key = context.journal.export_key(_owner(context))
    finally:
        context.close()
    sys.stdout.write(key + "\n")
    return 0


def cmd_key_import(args: argparse.Namespace, wiring: Wiring) -> int:
    context = wiring.context(args.db)
    try:
        owner = _owner(context)
        key_id = context.journal.import_key(owner, Terminal().secret("Journal key"))
    finally:
        context.close()
    sys.stdout.write(f"Journal key {key_id} kept on this computer.\n")
    return 0
