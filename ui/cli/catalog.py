"""``import products``: read a product CSV into the catalog."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.errors import UserError
from app.formats.products import GENERIC_FIELDS
from ui.cli.progress import TerminalProgress
from ui.cli.wiring import Wiring


def register(commands: Any) -> None:
    imp = commands.add_parser("import", help="import data")
    what = imp.add_subparsers(dest="what", required=True)
    products = what.add_parser("products", help="import a product CSV")
    products.add_argument("file")
    products.add_argument(
        "--format", default="auto", choices=["auto", "shopify", "woocommerce", "generic"]
    )
    products.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN",
        help="generic CSV: which column holds a field (repeatable)",
    )
    products.add_argument(
        "--set-stock",
        action="store_true",
        help="take every variant's stock from the file, as a stock count (without it, stock "
        "is taken only for variants the import creates)",
    )
    products.set_defaults(func=cmd_import_products)


def _mapping(pairs: list[str] | None) -> dict[str, str] | None:
    mapping: dict[str, str] = {}
    for pair in pairs or []:
        field, sep, column = pair.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise UserError(
                f"--map needs FIELD=COLUMN, for example sku=Artikelnummer, not {pair!r}"
            )
        if field not in GENERIC_FIELDS:
            raise UserError(
                f"--map {field!r} is not a product field; fields: {', '.join(GENERIC_FIELDS)}"
            )
        mapping[field] = column
    return mapping or None


def cmd_import_products(args: argparse.Namespace, wiring: Wiring) -> int:
    path = Path(args.file)
    mapping = _mapping(args.map)
    if mapping is not None and args.format not in ("auto", "generic"):
        raise UserError("--map is for generic files: leave out --format or give --format generic")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UserError(f"Cannot read {path}: {error.strerror}") from None
    context = wiring.context(args.db)
    progress = TerminalProgress(sys.stderr)
    try:
        report = context.catalog.import_csv(
            raw,
            None,
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
