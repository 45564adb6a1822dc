"""The catalog reads of an import and the catalog screens, against rows the ORM wrote, run as
the repositories run them: IN lists filled by db.driver.select_in (an array on PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from db import models as m
from db import sql
from db.driver import read_quantity, select_in
from tests.integration.sql.rows import ShopRows, driver, fetch, run

DIGEST = "5d41402abc4b2a76b9719d911017c592"


def _categorise(rows: ShopRows) -> int:
    """Brie goes into a category and the oil gets an import digest; the deli's id."""
    with Session(rows.engine) as session:
        deli = m.Category(name="Deli")
        session.add(deli)
        session.flush()
        brie = session.get(m.Product, rows.brie)
        oil = session.get(m.Product, rows.oil)
        assert brie is not None
        assert oil is not None
        brie.category_id = deli.id
        oil.import_digest = DIGEST
        session.commit()
        return deli.id


def test_products_by_handle_reads_a_products_head_row(rows: ShopRows) -> None:
    _categorise(rows)

    with driver(rows) as d:
        found = select_in(d, sql.PRODUCTS_BY_HANDLE, "handles", ["oil", "brie", "oil", "nope"])

    heads = {row[1]: row for row in found}
    assert set(heads) == {"oil", "brie"}
    oil_id, _, name, category, tax, weighed, active, digest = heads["oil"]
    assert (oil_id, name, category, tax) == (rows.oil, "Olive Oil", "", "reduced")
    assert (bool(weighed), bool(active), digest) == (False, True, DIGEST)
    brie_id, _, name, category, _, weighed, _, digest = heads["brie"]
    assert (brie_id, name, category, bool(weighed), digest) == (
        rows.brie,
        "Brie",
        "Deli",
        True,
        None,
    )


def test_variants_of_products_reads_them_in_id_order(rows: ShopRows) -> None:
    with driver(rows) as d:
        found = select_in(d, sql.VARIANTS_OF_PRODUCTS, "ids", [rows.oil])

    models = {v.id: v for v in fetch(rows, m.Variant)}
    assert [row[1] for row in found] == [rows.variant, rows.untracked]
    for product_id, variant_id, sku, options, display, price, cost, active, tracked in found:
        variant = models[variant_id]
        assert (product_id, sku, options, display) == (
            variant.product_id,
            variant.sku,
            variant.options,
            variant.display_name,
        )
        assert (price, cost) == (variant.price_minor, variant.cost_minor)
        assert (bool(active), bool(tracked)) == (variant.active, variant.track_stock)
    assert [row[6] for row in found] == [700, None]
    assert [bool(row[8]) for row in found] == [True, False]


def test_barcodes_of_variants_reads_each_variants_codes(rows: ShopRows) -> None:
    with Session(rows.engine) as session:
        session.add(m.Barcode(code="3760000000019", variant_id=rows.variant))
        session.commit()

    with driver(rows) as d:
        found = select_in(d, sql.BARCODES_OF_VARIANTS, "ids", [rows.variant, rows.weighed])

    assert sorted(found) == [(rows.variant, "3760000000019"), (rows.variant, "5012345678900")]


def test_digests_by_handle_reads_what_the_last_import_stored(rows: ShopRows) -> None:
    _categorise(rows)

    with driver(rows) as d:
        found = dict(select_in(d, sql.DIGESTS_BY_HANDLE, "handles", ["oil", "brie", "nope"]))

    assert found == {"oil": DIGEST, "brie": None}


def test_code_owners_names_who_holds_a_code_as_barcode_or_sku(rows: ShopRows) -> None:
    # A barcode spelled like another product's SKU: both owners are named (ambiguous).
    with Session(rows.engine) as session:
        session.add(m.Barcode(code="OIL-5L", variant_id=rows.weighed))
        session.commit()

    with driver(rows) as d:
        found = select_in(d, sql.CODE_OWNERS, "codes", ["5012345678900", "BRIE", "OIL-5L", "NO"])

    assert sorted(found) == [
        ("5012345678900", "barcode", "oil", "OIL-750"),
        ("BRIE", "sku", "brie", "BRIE"),
        ("OIL-5L", "barcode", "brie", "BRIE"),
        ("OIL-5L", "sku", "oil", "OIL-5L"),
    ]


def test_tax_class_ids_reads_every_tax_class(rows: ShopRows) -> None:
    found = dict(run(rows, sql.TAX_CLASS_IDS, {}))

    assert found == {t.code: t.id for t in fetch(rows, m.TaxClass)}
    assert found["reduced"] == rows.tax_class


def test_category_ids_reads_the_categories_asked_for(rows: ShopRows) -> None:
    deli = _categorise(rows)

    with driver(rows) as d:
        found = dict(select_in(d, sql.CATEGORY_IDS, "names", ["Deli", "deli", "Bakery"]))

    assert found == {"Deli": deli}


def test_product_and_variant_ids_by_handle_and_sku(rows: ShopRows) -> None:
    with driver(rows) as d:
        products = dict(select_in(d, sql.PRODUCT_IDS, "handles", ["oil", "brie", "nope"]))
        variants = dict(select_in(d, sql.VARIANT_IDS, "codes", ["OIL-750", "BRIE", "NOPE"]))

    assert products == {"oil": rows.oil, "brie": rows.brie}
    assert variants == {"OIL-750": rows.variant, "BRIE": rows.weighed}


def test_balances_reads_scaled_quantities(rows: ShopRows) -> None:
    with driver(rows) as d:
        found = dict(select_in(d, sql.BALANCES, "ids", [rows.variant, rows.weighed]))

    levels = {v: read_quantity(q) for v, q in found.items()}
    assert levels == {rows.variant: Decimal("12"), rows.weighed: Decimal("3.250")}
    held = {b.variant_id: b.quantity for b in fetch(rows, m.StockBalance)}
    assert levels == {v: held[v] for v in levels}
