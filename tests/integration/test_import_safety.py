"""Product imports that must never corrupt the catalog or the stock, on SQLite and PostgreSQL:
real exported files through `main.py import products` and through the service."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

import main
from app.domain.cart import Cart
from app.domain.catalog import ProductDraft, VariantDraft
from app.errors import InsufficientStock, UserError
from app.services.catalog import CatalogService
from app.services.product_import import ProductImporter
from db import models as m
from db.repositories.catalog import SqlCatalogSnapshots
from tests.conftest import FAST_PINS, user_id
from tests.integration.helpers import card_sale

FIXTURES = Path(__file__).parent.parent / "fixtures" / "csv"


@pytest.fixture
def empty_shop(db_url, home):
    """The demo shop's staff, tax classes and register T1, but no products."""
    context = main.build_context(db_url, home=home, pin_policy=FAST_PINS)
    main.seed_demo(context, 0)
    yield context
    context.close()


def _cli(context, home, path, *extra):
    return subprocess.run(
        [
            sys.executable,
            "main.py",
            "--db",
            context.engines.url,
            "import",
            "products",
            str(path),
            *extra,
        ],
        input="manager\n4321\n",  # who imports: the demo shop's manager
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"TILLWRIGHT_HOME": str(home), "PATH": "/usr/bin:/bin"},
    )


def _scalar(context, statement):
    with context.engines.write.connect() as connection:
        return connection.execute(statement).scalar_one()


def _sell(context, *codes: str):
    """Ring up one of each code with a card, as the till does; returns the receipt."""
    till = main.build_context(context.engines.url, home=context.home, migrate=False)
    try:
        sales = till.sales()
        cart = Cart(sales.settings.currency, sales.settings.prices_include_tax)
        for code in codes:
            cart.add(sales.lookup(code))
        cashier = context.auth.login("cashier", "1234")
        return sales.complete(card_sale(sales, cart), cashier)
    finally:
        till.close()


def _moves(context, sku: str) -> list[tuple[Decimal, str, str]]:
    with context.engines.write.connect() as connection:
        rows = connection.execute(
            select(m.StockMove.quantity, m.StockMove.reason, m.StockMove.reference)
            .join(m.Variant, m.Variant.id == m.StockMove.variant_id)
            .where(m.Variant.sku == sku)
            .order_by(m.StockMove.id)
        )
        return [tuple(row) for row in rows]


def _level(context, sku: str) -> Decimal:
    with context.engines.write.connect() as connection:
        variant_id = connection.execute(
            select(m.Variant.id).where(m.Variant.sku == sku)
        ).scalar_one()
    return context.catalog.stock_level(variant_id)


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now


# 1. Untracked Shopify variants are sellable at the till ----------------------------------------


def test_untracked_and_continue_variants_sell_and_deny_ones_are_tracked(empty_shop, home):
    result = _cli(empty_shop, home, FIXTURES / "shopify_inventory.csv")
    assert result.returncode == 0, result.stderr

    # No tracker, and "continue", both with a count of 0: the till sells them.
    receipt = _sell(empty_shop, "5000000000111", "5000000000128")
    assert receipt.receipt_no == 1
    _sell(empty_shop, "5000000000135")
    assert _level(empty_shop, "ENAMEL-MUG") == 4
    with pytest.raises(InsufficientStock):
        _sell(empty_shop, *["5000000000135"] * 5)


# 2. Sale dates ---------------------------------------------------------------------------------


def test_an_imported_sale_price_follows_its_dates(empty_shop):
    catalog = CatalogService(
        empty_shop.uow_factory,
        FixedClock(datetime(2026, 12, 1, 11, 0, tzinfo=UTC)),
        SqlCatalogSnapshots(empty_shop.engines.read),
    )
    report = catalog.import_csv(
        (FIXTURES / "woocommerce_sale_dates.csv").read_bytes(), user_id(empty_shop, "manager")
    )

    assert report.ok, report.problems
    sales = empty_shop.sales()
    prices = {
        sku: str(sales.lookup(sku).unit_price.amount) for sku in ("JAM-OLD", "JAM-NEXT", "JAM-NOW")
    }
    assert prices == {"JAM-OLD": "3.00", "JAM-NEXT": "3.20", "JAM-NOW": "2.80"}
    assert [w.row for w in report.warnings] == [3]


# 3. Re-importing after sales never puts stock back ---------------------------------------------


def test_reimporting_after_sales_keeps_the_stock_and_set_stock_counts_it(
    empty_shop, home, tmp_path
):
    fixture = FIXTURES / "shopify_current.csv"
    assert _cli(empty_shop, home, fixture).returncode == 0
    _sell(empty_shop, "5000000000012", "5000000000012", "5000000000012")
    assert _level(empty_shop, "TEE-S-RED") == 7

    again = _cli(empty_shop, home, fixture)
    assert again.returncode == 0, again.stderr
    assert _level(empty_shop, "TEE-S-RED") == 7
    # A changed price is taken, the file's old stock count is not.
    repriced = tmp_path / "repriced.csv"
    repriced.write_text(fixture.read_text().replace("19.99", "18.49"))
    assert _cli(empty_shop, home, repriced).returncode == 0
    assert _level(empty_shop, "TEE-S-RED") == 7
    assert str(empty_shop.sales().lookup("TEE-S-RED").unit_price.amount) == "18.49"

    counted = _cli(empty_shop, home, repriced, "--set-stock")
    assert counted.returncode == 0, counted.stderr
    assert "stock counted for" in counted.stdout
    assert _level(empty_shop, "TEE-S-RED") == 10
    moves = _moves(empty_shop, "TEE-S-RED")
    assert [(q, r) for q, r, _ in moves] == [
        (Decimal(10), "count"),
        (Decimal(-3), "sale"),
        (Decimal(3), "count"),
    ]
    assert moves[-1][2].startswith("import ") and moves[-1][2].endswith("repriced.csv")
    # The balance is the sum of its moves: nothing overwrote it.
    assert sum(q for q, _, _ in moves) == _level(empty_shop, "TEE-S-RED")


def test_a_variant_added_later_takes_its_stock_from_the_file(empty_shop, home, tmp_path):
    base = (FIXTURES / "shopify_barcodes_before.csv").read_text()
    first = tmp_path / "first.csv"
    first.write_text(base)
    assert _cli(empty_shop, home, first).returncode == 0
    _sell(empty_shop, "LIN-S")
    lines = base.splitlines()
    added = tmp_path / "added.csv"
    added.write_text(
        "\n".join(
            [
                *lines,
                lines[2]
                .replace("LIN-M", "LIN-L")
                .replace(",M,", ",L,")
                .replace("5000000000227", ""),
            ]
        )
        + "\n"
    )

    result = _cli(empty_shop, home, added)

    assert result.returncode == 0, result.stderr
    assert "0 products created, 1 updated" in result.stdout
    assert _level(empty_shop, "LIN-S") == 9
    assert _level(empty_shop, "LIN-L") == 10


# 4. Barcodes swapped and moved in one file -----------------------------------------------------


def test_barcodes_swapped_between_variants_and_moved_between_products(empty_shop, home):
    assert _cli(empty_shop, home, FIXTURES / "shopify_barcodes_before.csv").returncode == 0

    result = _cli(empty_shop, home, FIXTURES / "shopify_barcodes_after.csv")

    assert result.returncode == 0, result.stderr
    assert "0 products created, 3 updated" in result.stdout
    sales = empty_shop.sales()
    assert sales.lookup("5000000000227").sku == "LIN-S"
    assert sales.lookup("5000000000210").sku == "LIN-M"
    assert sales.lookup("5000000000234").sku == "TOTE-XL"
    assert _scalar(empty_shop, select(func.count()).select_from(m.Barcode)) == 3


# 5. A barcode equal to a SKU, against the database ---------------------------------------------


def test_codes_that_a_scan_could_confuse_are_refused_against_the_database(
    empty_shop, home, tmp_path
):
    assert _cli(empty_shop, home, FIXTURES / "shopify_current.csv").returncode == 0
    header = (FIXTURES / "shopify_current.csv").read_text().splitlines()[0]
    clash = tmp_path / "clash.csv"
    clash.write_text(
        "Handle,Title,Variant SKU,Variant Barcode,Variant Price\n"
        "scarf,Scarf,5000000000012,,9.00\n"
        "belt,Belt,BELT-1,TEE-M-RED,12.00\n"
        "cap,Cap,CAP-1,,7.00\n"
    )
    assert header

    result = _cli(empty_shop, home, clash)

    assert result.returncode == 3
    assert "row 2: product scarf: SKU 5000000000012 is also a barcode of TEE-S-RED" in result.stderr
    assert "row 3: product belt: barcode TEE-M-RED is the SKU of TEE-M-RED" in result.stderr
    assert "1 products created" in result.stdout


# 6. Spreadsheet damage -------------------------------------------------------------------------


def test_spreadsheet_damage_is_refused_or_cleaned(empty_shop, home):
    result = _cli(empty_shop, home, FIXTURES / "shopify_excel_damage.csv")

    assert result.returncode == 3
    assert "row 2: SKU '6.69859E+12' was turned into a number by a spreadsheet" in result.stderr
    assert 'row 4: warning: SKU "\'3212483": the leading apostrophe was removed' in result.stderr
    sales = empty_shop.sales()
    assert sales.lookup("3212483").name == "Mustard"
    assert sales.lookup("5000000000425").sku == "3212483"
    assert (
        _scalar(
            empty_shop, select(func.count()).select_from(m.Variant).where(m.Variant.sku.like("'%"))
        )
        == 0
    )


# 7. Long cells and stray quotes ----------------------------------------------------------------


def test_a_long_cell_is_read_and_a_stray_quote_stops_the_import(empty_shop, home):
    long = _cli(empty_shop, home, FIXTURES / "woocommerce_long_cell.csv")
    assert long.returncode == 3
    assert "2 products created" in long.stdout
    assert "row 3: Name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… is 131100 characters long" in long.stderr

    stray = _cli(empty_shop, home, FIXTURES / "shopify_stray_quote.csv")
    assert stray.returncode == 2
    assert "Row 3: a quote mark" in stray.stderr and "Traceback" not in stray.stderr
    assert _scalar(empty_shop, select(func.count()).select_from(m.Product)) == 2


# 8. Control characters, in the file and in the database itself ---------------------------------


def test_control_characters_are_row_errors(empty_shop, home):
    result = _cli(empty_shop, home, FIXTURES / "shopify_control_chars.csv")

    assert result.returncode == 3
    assert result.stdout.startswith("shopify file, 5 rows: 1 products created")
    for row, code in ((2, "U+0007"), (3, "U+001B"), (4, "U+0000"), (5, "U+009B")):
        assert f"row {row}: " in result.stderr and code in result.stderr


_ONE_VARIANT = "WHERE id = (SELECT min(id) FROM variant)"


@pytest.mark.parametrize(
    ("statement", "bad"),
    [
        ("UPDATE product SET name = :bad WHERE handle = 'canvas-bag'", "Bell\x07"),
        ("UPDATE product SET handle = :bad WHERE handle = 'canvas-bag'", "esc\x1b[2J"),
        (f"UPDATE variant SET sku = :bad {_ONE_VARIANT}", "C1\x9b"),
        (f"UPDATE variant SET display_name = :bad {_ONE_VARIANT}", "tab\there"),
        ("UPDATE barcode SET code = :bad WHERE code = '5000000000012'", "zero\x00"),
        ("INSERT INTO category (name) VALUES (:bad)", "Line\nbreak"),
    ],
)
def test_the_database_refuses_control_characters_from_any_writer(empty_shop, home, statement, bad):
    assert _cli(empty_shop, home, FIXTURES / "shopify_current.csv").returncode == 0
    # SQLite's triggers, PostgreSQL's CHECK constraints (and its own refusal of NUL).
    refused = r"control character in a \w+ name or code|_printable|cannot contain NUL"
    with empty_shop.engines.write.connect() as connection, pytest.raises(DBAPIError, match=refused):
        connection.execute(text(statement), {"bad": bad})


def test_saving_a_product_with_a_control_character_is_a_clear_error(empty_shop):
    draft = ProductDraft("bell", "Bell\x07", "standard", (VariantDraft("BELL-1", Decimal("1.00")),))
    with pytest.raises(UserError, match="U\\+0007"):
        empty_shop.catalog.save_products([draft], user_id(empty_shop, "manager"))


# 9. Windows-1252 -------------------------------------------------------------------------------


def test_a_windows_1252_file_imports_with_a_note(empty_shop, home):
    result = _cli(empty_shop, home, FIXTURES / "shopify_cp1252.csv")

    assert result.returncode == 0, result.stderr
    assert "read as Windows-1252" in result.stdout
    assert empty_shop.sales().lookup("CREME-1").name == "Crème brûlée dish – €5 off"


# 10. Translated WooCommerce headers ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["es", "fr", "de", "it", "pt"])
def test_translated_woocommerce_exports_import(sqlite_url, home, lang):
    context = main.build_context(sqlite_url, home=home, pin_policy=FAST_PINS)
    try:
        main.seed_demo(context, 0)
        report = context.catalog.import_csv(
            (FIXTURES / f"woocommerce_{lang}.csv").read_bytes(), user_id(context, "manager")
        )
        assert report.ok and report.created == 2, report.problems
        assert str(context.sales().lookup("5000000001026").unit_price.amount) == "15.00"
    finally:
        context.close()


# 11 and 12. Counting rejected rows; warnings do not fail the import ----------------------------


def test_the_summary_counts_rejected_rows(empty_shop, home):
    result = _cli(empty_shop, home, FIXTURES / "shopify_rejected_rows.csv")

    assert result.returncode == 3
    assert (
        "11 rows rejected (9 with problems, 2 dropped with them: a product imports whole or not "
        "at all)" in result.stdout
    )
    assert result.stderr.count("JACKET") == 1


def test_warnings_do_not_fail_the_import(empty_shop, home):
    result = _cli(empty_shop, home, FIXTURES / "woocommerce_warnings.csv")

    assert result.returncode == 0, result.stderr
    assert "3 products created" in result.stdout and "4 warnings" in result.stdout
    assert "row 3: warning: not imported: a grouped product" in result.stderr
    assert "row 6: warning: the row has 30 cells" in result.stderr


# 13. Progress on the terminal; an unchanged re-import writes nothing ---------------------------


class _WriteWatch:
    """Notices any write to the catalog or the stock by anyone else (signing in to import
    counts an attempt on the user's row, which is not the import's): SQLite rewrites a changed
    row in place, so every row's content is kept; on PostgreSQL every written row gets a new
    xmin."""

    _TABLES = ("product", "variant", "barcode", "stock_balance", "stock_move")

    def __init__(self, context) -> None:
        self._context = context
        self.before = self._mark()

    def _mark(self) -> object:
        with self._context.engines.read.connect() as connection:
            if self._context.engines.is_sqlite:
                return [
                    connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1").all()
                    for table in self._TABLES
                ]
            rows = connection.execute(
                text(
                    "SELECT 'p', xmin::text FROM product UNION ALL SELECT 'v', xmin::text "
                    "FROM variant UNION ALL SELECT 'b', xmin::text FROM barcode UNION ALL "
                    "SELECT 's', xmin::text FROM stock_balance UNION ALL "
                    "SELECT 'm', xmin::text FROM stock_move ORDER BY 1, 2"
                )
            ).all()
        return [tuple(r) for r in rows]

    def wrote(self) -> bool:
        return self._mark() != self.before


def test_progress_is_shown_and_an_unchanged_reimport_writes_nothing(empty_shop, home, tmp_path):
    rows = ["Handle,Title,Variant SKU,Variant Price,Variant Inventory Qty"]
    rows += [f"item-{i},Item {i},SKU-{i:05d},{i % 90 + 1}.25,{i % 7}" for i in range(3000)]
    big = tmp_path / "big.csv"
    big.write_text("\n".join(rows) + "\n")

    first = _cli(empty_shop, home, big)

    assert first.returncode == 0, first.stderr
    assert "3000 products created" in first.stdout
    assert "rows/s" in first.stderr and "left" in first.stderr
    watch = _WriteWatch(empty_shop)
    again = _cli(empty_shop, home, big)
    assert again.returncode == 0, again.stderr
    assert "0 products created, 0 updated, 3000 unchanged" in again.stdout
    assert not watch.wrote()
    # The watch does see a write.
    _sell(empty_shop, "SKU-00001")
    assert watch.wrote()


# Bounded transactions: a crash part-way leaves whole products, and a re-run converges ----------


def test_a_crash_between_batches_leaves_whole_products_and_a_rerun_converges(empty_shop, tmp_path):
    rows = [
        "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Inventory Qty"
    ]
    for p in range(120):
        for size in ("S", "M", "L", "XL", "XXL"):
            rows.append(f"tee-{p},Tee {p},Size,{size},T{p}-{size},9.99,4")
    data = ("\n".join(rows) + "\n").encode()
    writes = 0
    real = empty_shop.uow_factory

    class Crash(Exception):
        pass

    def crashing():
        uow = real()
        original = uow.commit

        def commit():
            nonlocal writes
            writes += 1
            if writes == 4:
                raise Crash
            original()

        uow.commit = commit
        return uow

    # The smallest batches the importer makes: many transactions.
    crashy = ProductImporter(
        crashing, SqlCatalogSnapshots(empty_shop.engines.read), main.SystemClock(), target_batch_s=0
    )
    with pytest.raises(Crash):
        crashy.run(data, user_id(empty_shop, "manager"))
    with empty_shop.engines.write.connect() as connection:
        per_product = (
            connection.execute(
                select(func.count()).select_from(m.Variant).group_by(m.Variant.product_id)
            )
            .scalars()
            .all()
        )
    assert per_product and set(per_product) == {5}  # never half a product
    assert len(per_product) < 120

    report = empty_shop.catalog.import_csv(data, user_id(empty_shop, "manager"))

    assert report.created + report.unchanged == 120 and report.ok
    assert report.unchanged == len(per_product)
    assert _scalar(empty_shop, select(func.count()).select_from(m.Variant)) == 600
    # Every variant counted once, whichever run created it.
    assert _scalar(empty_shop, select(func.count()).select_from(m.StockMove)) == 600
    again = empty_shop.catalog.import_csv(data, user_id(empty_shop, "manager"))
    assert (again.unchanged, again.batches) == (120, 0)


# 14. PostgreSQL: a file over 65 535 variants ---------------------------------------------------


@pytest.mark.postgres
def test_postgresql_imports_a_file_over_65535_variants(postgres_url, home, tmp_path):
    context = main.build_context(postgres_url, home=home, pin_policy=FAST_PINS)
    try:
        main.seed_demo(context, 0)
        rows = ["Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price"]
        for p in range(16_500):
            for size in ("S", "M", "L", "XL"):
                rows.append(f"p{p},Product {p},Size,{size},P{p}-{size},4.50")
        data = ("\n".join(rows) + "\n").encode()

        report = context.catalog.import_csv(data, user_id(context, "manager"))

        assert report.ok and report.created == 16_500, report.problems[:3]
        assert _scalar(context, select(func.count()).select_from(m.Variant)) == 66_000
        again = context.catalog.import_csv(data, user_id(context, "manager"))
        assert (again.unchanged, again.batches) == (16_500, 0)
    finally:
        context.close()
