"""``import products``: read a product CSV into the catalog."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.domain.users import Permission
from app.errors import UserError
from ui.cli.progress import TerminalProgress
from ui.cli.terminal import Terminal, sign_in
from ui.cli.wiring import Wiring

PRODUCTS_HELP = """\
Bring products into the catalog from a CSV file: a Shopify or WooCommerce product export,
or a spreadsheet saved as CSV with one row per product or variant. A row with a mistake is
named with its row number and reason and left out; the good rows are imported in one go;
importing the same file again changes nothing. Exit code 3 when rows were left out.

A spreadsheet's columns are found by name: {fields}.
When yours are named differently, say which column holds which field with --map."""


def products_help() -> str:
    from app.formats.products import GENERIC_FIELDS

    return PRODUCTS_HELP.format(fields=", ".join(GENERIC_FIELDS))


PRODUCTS_EXAMPLES = """\
examples:
  %(prog)s products_export.csv
      a Shopify or WooCommerce export (recognised by its columns)
  %(prog)s stock-list.csv --map name=Description --map sku="Item code" --map price=RRP
      a spreadsheet whose columns have names of its own"""


def register(commands: Any) -> None:
    imp = commands.add_parser(
        "import",
        help="bring your products in from a CSV file (Shopify, WooCommerce, a spreadsheet)",
        description="Bring data into the shop from files.",
    )
    what = imp.add_subparsers(dest="what", required=True, title="commands", metavar="COMMAND")
    products = what.add_parser(
        "products",
        help="import a product CSV (asks a manager's or the owner's PIN)",
        describe=products_help,
        epilog=PRODUCTS_EXAMPLES,
    )
    products.add_argument("file", metavar="FILE", help="the CSV file")
    products.add_argument(
        "--format",
        default="auto",
        choices=["auto", "shopify", "woocommerce", "generic"],
        help="what kind of file it is (default: recognised by its columns)",
    )
    products.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN",
        help="which column of a spreadsheet (generic CSV) holds a field; once per field",
    )
    products.add_argument(
        "--set-stock",
        action="store_true",
        help="take every variant's stock from the file, as a stock count (without it, stock "
        "is taken only for variants the import creates)",
    )
    products.set_defaults(func=cmd_import_products)


def column_mapping(pairs: list[str] | None, format: str) -> dict[str, str] | None:
    """The ``--map FIELD=COLUMN`` options as a mapping; a mistake is named, with the fields."""
    if not pairs:
        return None
    from app.formats.products import GENERIC_FIELDS

    fields = f"The fields are: {', '.join(GENERIC_FIELDS)}"
    if format not in ("auto", "generic"):
        raise UserError(
            f"--map is for spreadsheets (generic CSV), not for --format {format}: "
            "leave out --map, or use --format generic"
        )
    mapping: dict[str, str] = {}
    for pair in pairs:
        field, equals, column = (part.strip() for part in pair.partition("="))
        if not equals or not field or not column:
            raise UserError(
                f'--map {pair!r} should be FIELD=COLUMN, for example --map sku="Item code". '
                f"{fields}"
            )
        if field not in GENERIC_FIELDS:
            raise UserError(f"--map {pair!r}: {field!r} is not a product field. {fields}")
        if field in mapping:
            raise UserError(
                f"--map gives {field!r} twice ({mapping[field]!r} and {column!r}): "
                "give each field once"
            )
        mapping[field] = column
    return mapping


def cmd_import_products(args: argparse.Namespace, wiring: Wiring) -> int:
    path = Path(args.file)
    mapping = column_mapping(args.map, args.format)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UserError(f"Cannot read {path}: {error.strerror}") from None
    if mapping:
        from app.formats.products import check_mapping

        check_mapping(raw, mapping)  # named before anyone is asked for a PIN
    context = wiring.context(args.db)
    progress = TerminalProgress(sys.stderr)
    try:
        operator = sign_in(context, Terminal(), Permission.MANAGE_CATALOG, "Importing products")
        report = context.catalog.import_csv(
            raw,
            operator.user_id,
            format=args.format,
            mapping=mapping,
            set_stock=args.set_stock,
            source=path.name,
            progress=progress,
        )
    except KeyboardInterrupt:
        progress.close()
        sys.stderr.write(
            "tillwright: import stopped; the products written so far stay, and running the "
            "import again finishes it\n"
        )
        return 130
    finally:
        progress.close()
        context.close()
    sys.stdout.write(report.summary() + "\n")
    for problem in report.problems:
        sys.stderr.write(f"  row {problem.row}: {problem.message}\n")
    for warning in report.warnings:
        sys.stderr.write(f"  row {warning.row}: warning: {warning.message}\n")
    return 0 if report.ok else 3
