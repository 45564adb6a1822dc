"""The command line: one module per command group, each handed main.py's wiring.

``main.py`` builds the wiring (how to open the shop's database and services) and calls
:func:`run`; nothing here imports the database layer or Qt, so ``main.py import …`` starts
quickly and the layers stay apart.

The options every command shares (``--db``, ``--register``, ``-v``) are taken before or after
the command: every command's parser is a :class:`CommandParser`, which adds them (without
defaults, so that one given before the command is not undone by its absence after it).
A failure the user can act on is one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from app.errors import TillwrightError
from ui.cli import bench, catalog, database, demo, journal, setup, till, users
from ui.cli.wiring import Wiring

log = logging.getLogger("tillwright")

GROUPS = (till, setup, users, demo, catalog, journal, database, bench)
FAILED = 2
BUG = 1
INTERRUPTED = 130

SHARED_OPTIONS = "options every command takes (before or after the command)"
DESCRIPTION = """\
Tillwright is the till (point of sale) for your shop. With no command it opens the till
window. Run it from Tillwright's folder as `.venv/bin/python main.py COMMAND`."""
EPILOG = """\
examples:
  {prog}
      open the till
  {prog} demo --products 500 --db ~/demo-shop.db
      make a demo shop to try Tillwright out
  {prog} import products products_export.csv
      bring in the products of a Shopify or WooCommerce export, or of a spreadsheet
  {prog} journal verify
      check that no sale in the fiscal journal was changed or removed
  {prog} run --db postgresql://till@shop-server/shop --register T2
      the second till of a shop whose tills share one PostgreSQL database

Each command has its own help, e.g. {prog} import products --help

Exit codes: 0 done; 2 not done, the message says why; 3 some rows were not imported; 4 the
journal does not verify. The log is in the data folder: logs/tillwright.log."""


def program_name() -> str:
    """How the person started us, for the usage lines and examples."""
    started = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return ".venv/bin/python main.py" if started in {"", "main.py", "-c"} else started


def add_shared_options(parser: argparse.ArgumentParser, *, defaults: bool) -> None:
    """``--db``, ``--register`` and ``-v``; with ``defaults`` False they are left out of the
    result unless given, so a value given before the command stands."""

    def default(value: object) -> object:
        return value if defaults else argparse.SUPPRESS

    shared = parser.add_argument_group(SHARED_OPTIONS)
    shared.add_argument(
        "--db",
        metavar="DATABASE",
        default=default(None),
        help="the shop's database: a file (shop.db, ~/shop/shop.db) or, for tills that share "
        "one, postgresql://user@server/database. Default: tillwright.db in the data folder "
        "(~/.local/share/tillwright on Linux, or $TILLWRIGHT_HOME), or $TILLWRIGHT_DB",
    )
    shared.add_argument(
        "--register",
        metavar="CODE",
        default=default(None),
        help="which till this is, e.g. T2, when several tills share a database: each till "
        "numbers its own receipts (default T1, or $TILLWRIGHT_REGISTER)",
    )
    shared.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default(False),
        help="write more detail into the log",
    )


class HelpFormatter(argparse.HelpFormatter):
    """Wraps prose paragraphs to the terminal and keeps example lines as they are written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for paragraph in text.split("\n\n"):
            lines = paragraph.splitlines()
            if lines and (lines[0].startswith("example") or lines[0].startswith(" ")):
                paragraphs.append("\n".join(indent + line for line in lines))
            else:
                paragraphs.append(
                    textwrap.fill(
                        " ".join(paragraph.split()),
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                    )
                )
        return "\n\n".join(paragraphs)


class CommandParser(argparse.ArgumentParser):
    """A command's parser: shop-owner help (see HelpFormatter) and the shared options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # A description that needs a module the till must not load before its window (the
        # product import's field list) is made only when the help is shown.
        self.describe: Callable[[], str] | None = kwargs.pop("describe", None)
        kwargs.setdefault("formatter_class", HelpFormatter)
        # A command may define its own option of a shared name; its own then wins.
        kwargs.setdefault("conflict_handler", "resolve")
        super().__init__(*args, **kwargs)
        add_shared_options(self, defaults=False)

    def format_help(self) -> str:
        if self.describe is not None:
            self.description = self.describe()
        return super().format_help()


def parser() -> argparse.ArgumentParser:
    prog = program_name()
    top = argparse.ArgumentParser(
        prog=prog,
        description=DESCRIPTION,
        epilog=EPILOG.format(prog=prog),
        formatter_class=HelpFormatter,
    )
    add_shared_options(top, defaults=True)
    commands = top.add_subparsers(
        dest="command", title="commands", metavar="COMMAND", parser_class=CommandParser
    )
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
        return FAILED
    except KeyboardInterrupt:
        sys.stderr.write("tillwright: stopped\n")
        return INTERRUPTED
    except Exception as error:  # a bug: the traceback goes to the log, not the terminal
        log.exception("%s failed unexpectedly", args.command)
        sys.stderr.write(
            f"tillwright: unexpected error, a bug in Tillwright ({type(error).__name__}: "
            f"{error}); the details are in the log (logs/tillwright.log in the data folder)\n"
        )
        return BUG
