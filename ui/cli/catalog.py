"""``import products``: read a product CSV into the catalog."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.domain.users import Permission
from app.errors import UserError
from ui.cli.terminal import Terminal, sign_in
from ui.cli.wiring import Wiring


def register(commands: Any) -> None:
    imp = commands.add_parser("import", help="import data")
    what = imp.add_subparsers(dest="what", required=True)
    products = what.add_parser(
        "products", help="import a product CSV (asks a manager's or the owner's PIN)"
    )
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
    products.set_defaults(func=cmd_import_products)


def cmd_import_products(args: argparse.Namespace, wiring: Wiring) -> int:
    path = Path(args.file)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UserError(f"Cannot read {path}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            f"{path} is not UTF-8 text (byte {error.start}); save it as CSV UTF-8 and retry"
        ) from None
    mapping = dict(pair.split("=", 1) for pair in args.map or [])
    context = wiring.context(args.db)
    try:
        operator = sign_in(context, Terminal(), Permission.MANAGE_CATALOG, "Importing products")
        report = context.catalog.import_csv(
            text, operator.user_id, format=args.format, mapping=mapping or None
        )
    finally:
        context.close()
    sys.stdout.write(report.summary() + "\n")
    for problem in report.problems:
        sys.stderr.write(f"  row {problem.row}: {problem.message}\n")
    return 0 if report.ok else 3
