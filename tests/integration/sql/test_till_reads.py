"""The till's reads (a scan, a sale's re-read, name search) against rows the ORM wrote."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from app.domain.money import Money
from db import models as m
from db import sql
from db.driver import in_list
from tests.integration.sql.rows import EUR, ShopRows, one, run


def test_by_code_reads_an_item_by_barcode_or_sku(rows: ShopRows) -> None:
    by_barcode = run(rows, sql.BY_CODE, {"code": "5012345678900"})
    by_sku = run(rows, sql.BY_CODE, {"code": "BRIE"})
    untracked = run(rows, sql.BY_CODE, {"code": "OIL-5L"})

    item = sql.item_from_row(by_barcode[0], EUR)
    assert (item.variant_id, item.sku, item.name) == (rows.variant, "OIL-750", "Olive Oil (750 ml)")
    assert item.unit_price == Money.of("12.99", EUR)
    assert item.tax_rate == Decimal("5.5")
    assert item.sold_by_weight is False
    assert item.options == "Size: 750 ml"
    assert item.on_hand == Decimal("12")
    brie = sql.item_from_row(by_sku[0], EUR)
    assert (brie.sold_by_weight, brie.on_hand) == (True, Decimal("3.250"))
    assert brie.options == ""
    assert sql.item_from_row(untracked[0], EUR).on_hand is None  # not tracked: no count
    assert run(rows, sql.BY_CODE, {"code": "NOPE"}) == []


def test_a_barcode_wins_over_a_sku_spelled_the_same(rows: ShopRows) -> None:
    with Session(rows.engine) as session:
        session.add(m.Barcode(code="BRIE", variant_id=rows.untracked))
        session.commit()

    (row,) = run(rows, sql.BY_CODE, {"code": "BRIE"})

    assert row[0] == rows.untracked


def test_by_code_leaves_out_what_is_no_longer_sold(rows: ShopRows) -> None:
    with Session(rows.engine) as session:
        variant = session.get(m.Variant, rows.weighed)
        product = session.get(m.Product, rows.oil)
        assert variant is not None
        assert product is not None
        variant.active = False  # Brie's only variant
        product.active = False  # every oil
        session.commit()

    for code in ("BRIE", "OIL-750", "5012345678900", "OIL-5L"):
        assert run(rows, sql.BY_CODE, {"code": code}) == [], code


def test_item_columns_are_what_the_models_hold(rows: ShopRows) -> None:
    (row,) = run(rows, f"SELECT {sql.ITEM_COLUMNS} WHERE v.id = :id", {"id": rows.variant})

    variant = one(rows, m.Variant, rows.variant)
    tax = one(rows, m.TaxClass, rows.tax_class)
    balance = one(rows, m.StockBalance, rows.variant)
    item = sql.item_from_row(row, EUR)
    assert item.variant_id == variant.id
    assert item.sku == variant.sku
    assert item.name == variant.display_name
    assert item.unit_price.minor == variant.price_minor
    assert item.tax_rate == tax.rate
    assert item.sold_by_weight is one(rows, m.Product, rows.oil).sold_by_weight
    assert item.options == variant.options
    assert item.on_hand == balance.quantity


def test_items_for_sale_reads_the_active_items_asked_for(rows: ShopRows) -> None:
    ids, params = in_list("v", [rows.variant, rows.weighed, 999_999])

    found = run(rows, sql.ITEMS_FOR_SALE.format(ids=ids), params)

    items = {row[0]: sql.item_from_row(row, EUR) for row in found}
    assert set(items) == {rows.variant, rows.weighed}
    assert items[rows.weighed].unit_price == Money.of("24.50", EUR)
    assert items[rows.weighed].on_hand == Decimal("3.250")


def test_the_search_statement_reads_rows_the_orm_wrote(rows: ShopRows) -> None:
    sqlite = not rows.postgres

    for terms, expected in (
        (["oil"], ["Olive Oil (5 l)", "Olive Oil (750 ml)"]),
        (["olive", "750"], ["Olive Oil (750 ml)"]),
        (["5", "l"], ["Olive Oil (5 l)"]),
        (["bri"], ["Brie"]),
        (["ml"], ["Olive Oil (750 ml)"]),
        (["zzz"], []),
    ):
        statement, params = sql.search_statement(terms, 50, sqlite)
        found = run(rows, statement, params)
        assert [sql.item_from_row(row, EUR).name for row in found] == expected, terms


def test_the_search_statement_ranks_names_starting_with_the_first_term(rows: ShopRows) -> None:
    # "oil" starts "Oil Can", is a word of "Olive Oil (…)" and only inside "Boiler Foil".
    with Session(rows.engine) as session:
        for sku, name, text in (
            ("FOIL", "Boiler Foil", "boiler foil foil"),
            ("CAN", "Oil Can", "oil can can"),
        ):
            session.add(
                m.Variant(
                    product_id=rows.oil,
                    sku=sku,
                    options="",
                    display_name=name,
                    search_text=text,
                    price_minor=100,
                    cost_minor=None,
                    active=True,
                    track_stock=False,
                )
            )
        session.commit()

    statement, params = sql.search_statement(["oil"], 50, not rows.postgres)
    names = [sql.item_from_row(row, EUR).name for row in run(rows, statement, params)]

    assert names == ["Oil Can", "Olive Oil (5 l)", "Olive Oil (750 ml)", "Boiler Foil"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_search_floor_reads_the_same_matches_on_sqlite(rows: ShopRows) -> None:
    def skus(terms: list[str]) -> list[object]:
        params = {"match": sql.search_match(terms), "limit": 50}
        return sorted(row[1] for row in run(rows, sql.SEARCH_FLOOR, params))

    assert skus(["oil"]) == ["OIL-5L", "OIL-750"]
    assert skus(["olive", "l"]) == ["OIL-5L"]  # "l" starts a word of one name only
    assert skus(["live", "ml"]) == ["OIL-750"]
    assert sql.search_match(["l", 'say "hi"']) == '"  l" AND "say ""hi"""'


def test_indexed_text_spells_each_word_two_spaces_apart(rows: ShopRows) -> None:
    expression = sql.INDEXED_TEXT.format(column="search_text")

    (row,) = run(rows, f"SELECT {expression} FROM variant WHERE id = :id", {"id": rows.variant})

    # "olive oil (750 ml) oil-750": brackets are word marks; every word follows two spaces.
    assert row[0] == "  olive  oil    750  ml    oil-750"
