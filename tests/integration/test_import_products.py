"""`main.py import products FILE` against real databases: good rows land, bad rows are named."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

import main
from db import models as m
from tests.conftest import FAST_PINS

FIXTURES = Path(__file__).parent.parent / "fixtures" / "csv"


# Who signs in at the import's prompts (stdin is not a terminal: one answer per line).
MANAGER_SIGNS_IN = "manager\n4321\n"


@pytest.fixture
def empty_shop(db_url, home):
    """A shop set up with the demo's settings, tax classes and users, but no products."""
    from app.services.demo import seed_demo_shop

    context = main.build_context(db_url, home=home, pin_policy=FAST_PINS)
    seed_demo_shop(context.setup, context.users, context.catalog, 0)
    yield context
    context.close()


def _import(context, home, path, *extra):
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
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"TILLWRIGHT_HOME": str(home), "PATH": "/usr/bin:/bin"},
        input=MANAGER_SIGNS_IN,
    )


@contextmanager
def _reopened(context, home):
    """A second context on the same database, as the till would open it after the import."""
    fresh = main.build_context(context.engines.url, home=home, migrate=False)
    try:
        yield fresh.sales()
    finally:
        fresh.close()


def _products(context) -> int:
    with context.engines.write.connect() as connection:
        return connection.execute(select(func.count()).select_from(m.Product)).scalar_one()


@pytest.mark.parametrize(
    "fixture", ["shopify_current.csv", "shopify_legacy.csv", "woocommerce.csv"]
)
def test_importing_the_same_file_twice_changes_nothing_the_second_time(empty_shop, home, fixture):
    first = _import(empty_shop, home, FIXTURES / fixture)
    assert "created" in first.stdout, first.stderr
    products = _products(empty_shop)
    assert products > 0
    with empty_shop.engines.write.connect() as connection:
        moves = connection.execute(select(func.count()).select_from(m.StockMove)).scalar_one()

    again = _import(empty_shop, home, FIXTURES / fixture)
    assert " 0 products created, 0 updated" in again.stdout, again.stdout
    assert _products(empty_shop) == products
    with empty_shop.engines.write.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(m.StockMove)).scalar_one() == moves
        )


def test_imported_products_can_be_scanned_and_found(empty_shop, home):
    _import(empty_shop, home, FIXTURES / "shopify_current.csv")
    with _reopened(empty_shop, home) as sales:
        item = sales.lookup("5000000000012")
        assert item.sku == "TEE-S-RED"
        assert item.name == "Classic Tee (S / Red)"
        assert item.tax_rate == 20
        assert "Classic Tee (M / Red)" in [i.name for i in sales.search("classic tee").items]


def test_bad_rows_are_named_and_good_rows_still_import(empty_shop, home, tmp_path):
    bad = tmp_path / "mixed.csv"
    bad.write_text(
        "Handle,Title,Variant SKU,Variant Barcode,Variant Price,Variant Taxable\n"
        "good-one,Good One,G-1,4006381333931,2.50,TRUE\n"
        "bad-price,Bad Price,B-1,,abc,TRUE\n"
        "bad-code,Bad Code,B-2,4006381333932,1.00,TRUE\n"
        "good-two,Good Two,G-2,,3.00,FALSE\n",
        encoding="utf-8",
    )
    result = _import(empty_shop, home, bad)
    assert result.returncode == 3
    assert "row 3:" in result.stderr and "abc" in result.stderr
    assert "row 4:" in result.stderr and "check digit" in result.stderr
    assert "2 products created" in result.stdout
    assert _products(empty_shop) == 2


def test_a_barcode_owned_by_another_product_rejects_only_that_product(empty_shop, home, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text(
        "Handle,Title,Variant SKU,Variant Barcode,Variant Price\njam,Jam,J-1,4006381333931,2.50\n",
        encoding="utf-8",
    )
    second = tmp_path / "second.csv"
    second.write_text(
        "Handle,Title,Variant SKU,Variant Barcode,Variant Price\n"
        "marmalade,Marmalade,M-1,4006381333931,2.70\n"
        "honey,Honey,H-1,,4.10\n",
        encoding="utf-8",
    )
    _import(empty_shop, home, first)
    result = _import(empty_shop, home, second)
    assert "row 2: product marmalade: barcode 4006381333931 already belongs to jam" in result.stderr
    assert _products(empty_shop) == 2  # jam and honey


def test_a_generic_csv_imports_through_a_column_mapping(empty_shop, home):
    result = _import(
        empty_shop,
        home,
        FIXTURES / "generic_mapped.csv",
        "--format",
        "generic",
        "--map",
        "sku=Artikelnummer",
        "--map",
        "name=Bezeichnung",
        "--map",
        "price=Preis",
        "--map",
        "barcode=EAN",
        "--map",
        "category=Warengruppe",
        "--map",
        "tax_class=MwSt",
        "--map",
        "sold_by_weight=Waage",
        "--map",
        "stock=Bestand",
        "--map",
        "cost=Einkaufspreis",
        "--map",
        "active=Aktiv",
    )
    # The file's own tax names (7%, 19%) are not this shop's classes: named, not guessed.
    assert result.returncode == 3
    assert "tax class" in result.stderr


def test_a_missing_file_is_a_clear_error(empty_shop, home, tmp_path):
    missing = _import(empty_shop, home, tmp_path / "nope.csv")
    assert missing.returncode == 2 and "Cannot read" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_generic_csv_with_shop_tax_codes_imports_weighed_goods(empty_shop, home, tmp_path):
    path = tmp_path / "till.csv"
    path.write_text(
        "code;label;price;ean;vat;scale;qty\n"
        "APL;Äpfel Braeburn;2,49;4006381333931;reduced;1;12,5\n"
        "BAG;Stofftasche;1.50;;standard;0;100\n",
        encoding="utf-8",
    )
    result = _import(
        empty_shop,
        home,
        path,
        "--format",
        "generic",
        "--map",
        "sku=code",
        "--map",
        "name=label",
        "--map",
        "price=price",
        "--map",
        "barcode=ean",
        "--map",
        "tax_class=vat",
        "--map",
        "sold_by_weight=scale",
        "--map",
        "stock=qty",
    )
    assert result.returncode == 0, result.stderr
    with _reopened(empty_shop, home) as sales:
        apples = sales.lookup("4006381333931")
        assert apples.sold_by_weight
        assert str(apples.unit_price.amount) == "2.49"
        assert [i.sku for i in sales.search("apfel").items] == ["APL"]
    assert empty_shop.catalog.stock_level(apples.variant_id) == Decimal("12.5")
