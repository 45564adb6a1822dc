"""The catalog writes of an import, each through Driver.bulk (one row at a time on SQLite,
arrays of up to BULK_ROWS rows through ``unnest`` on PostgreSQL) or an IN list, read back
through the models column by column."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from db import models as m
from db import sql
from db.driver import BULK_ROWS, in_clause, select_in
from tests.integration.sql.rows import AT, LATER, ShopRows, driver, fetch, one

OLD_DIGEST = "0" * 32
NEW_DIGEST = "9e107d9d372bb6826bd81d3542a419d6"


def test_insert_category_adds_the_new_names_and_keeps_the_old(rows: ShopRows) -> None:
    with Session(rows.engine) as session:
        deli = m.Category(name="Deli")
        session.add(deli)
        session.commit()
        deli_id = deli.id
    names = ["Deli", "Pâtisserie", *(f"Aisle {n:04d}" for n in range(BULK_ROWS + 1))]

    with driver(rows) as d:
        added = d.bulk(sql.INSERT_CATEGORY, ({"name": name} for name in names))

    assert added == len(names) - 1  # more rows than one PostgreSQL batch; Deli was there
    categories = {c.name: c.id for c in fetch(rows, m.Category)}
    assert set(categories) == set(names)
    assert categories["Deli"] == deli_id


def _product_row(handle: str, name: str, tax: int, **values: object) -> dict[str, object]:
    return {
        "handle": handle,
        "name": name,
        "category": None,
        "tax": tax,
        "weighed": False,
        "active": True,
        "digest": NEW_DIGEST,
        **values,
    }


def test_upsert_product_inserts_new_handles_and_updates_known_ones(rows: ShopRows) -> None:
    with Session(rows.engine) as session:
        tea = m.Category(name="Tea")
        session.add(tea)
        session.commit()
        tea_id = tea.id

    with driver(rows) as d:
        d.bulk(
            sql.UPSERT_PRODUCT,
            [
                _product_row(
                    "sencha", "Sencha Green Tea", rows.tax_class, category=tea_id, at=d.time(LATER)
                ),
                _product_row(
                    "oil",
                    "Extra Virgin Olive Oil",
                    rows.tax_class,
                    weighed=True,
                    active=False,
                    at=d.time(LATER),
                    digest=None,
                ),
            ],
        )
        ids = dict(select_in(d, sql.PRODUCT_IDS, "handles", ["sencha", "oil"]))

    assert ids["oil"] == rows.oil  # updated in place, by handle
    sencha = one(rows, m.Product, ids["sencha"])
    assert (sencha.handle, sencha.name, sencha.category_id, sencha.tax_class_id) == (
        "sencha",
        "Sencha Green Tea",
        tea_id,
        rows.tax_class,
    )
    assert (sencha.sold_by_weight, sencha.active, sencha.import_digest) == (False, True, NEW_DIGEST)
    assert sencha.created_at == sencha.updated_at == LATER
    oil = one(rows, m.Product, rows.oil)
    assert (oil.name, oil.category_id, oil.sold_by_weight, oil.active) == (
        "Extra Virgin Olive Oil",
        None,
        True,
        False,
    )
    assert oil.import_digest is None
    assert (oil.created_at, oil.updated_at) == (AT, LATER)  # created once, updated now
    assert oil.updated_at.tzinfo is not None


def test_set_digest_stores_each_products_digest(rows: ShopRows) -> None:
    with driver(rows) as d:
        d.bulk(
            sql.SET_DIGEST,
            [{"handle": "oil", "digest": NEW_DIGEST}, {"handle": "brie", "digest": OLD_DIGEST}],
        )

    assert one(rows, m.Product, rows.oil).import_digest == NEW_DIGEST
    assert one(rows, m.Product, rows.brie).import_digest == OLD_DIGEST


def _variant_row(product: int, sku: str, **values: object) -> dict[str, object]:
    return {
        "product": product,
        "sku": sku,
        "options": "",
        "display_name": sku,
        "search_text": sku.lower(),
        "price": 100,
        "cost": None,
        "active": True,
        "tracked": True,
        **values,
    }


def test_upsert_variant_inserts_new_skus_and_updates_known_ones(rows: ShopRows) -> None:
    with driver(rows) as d:
        d.bulk(
            sql.UPSERT_VARIANT,
            [
                _variant_row(
                    rows.brie,
                    "BRIE-HALF",
                    options="Size: ½ wheel",
                    display_name="Brie (½ wheel)",
                    search_text="brie (1/2 wheel) brie-half",
                    price=4900,
                    cost=3100,
                ),
                _variant_row(
                    rows.brie,  # a SKU keeps its product: this is ignored
                    "OIL-750",
                    options="Size: 0.75 l",
                    display_name="Olive Oil (0.75 l)",
                    search_text="olive oil (0.75 l) oil-750",
                    price=1399,
                    cost=None,
                    active=False,
                    tracked=False,
                ),
            ],
        )
        ids = dict(select_in(d, sql.VARIANT_IDS, "codes", ["BRIE-HALF", "OIL-750"]))

    assert ids["OIL-750"] == rows.variant
    half = one(rows, m.Variant, ids["BRIE-HALF"])
    assert (half.product_id, half.sku, half.options, half.display_name) == (
        rows.brie,
        "BRIE-HALF",
        "Size: ½ wheel",
        "Brie (½ wheel)",
    )
    assert (half.search_text, half.price_minor, half.cost_minor) == (
        "brie (1/2 wheel) brie-half",
        4900,
        3100,
    )
    assert (half.active, half.track_stock) == (True, True)
    oil = one(rows, m.Variant, rows.variant)
    assert (oil.product_id, oil.options, oil.display_name, oil.search_text) == (
        rows.oil,
        "Size: 0.75 l",
        "Olive Oil (0.75 l)",
        "olive oil (0.75 l) oil-750",
    )
    assert (oil.price_minor, oil.cost_minor, oil.active, oil.track_stock) == (
        1399,
        None,
        False,
        False,
    )


def test_new_balance_gives_a_new_variant_a_zero_balance_and_keeps_the_others(
    rows: ShopRows,
) -> None:
    with Session(rows.engine) as session:
        fresh = m.Variant(
            product_id=rows.brie,
            sku="BRIE-QUARTER",
            options="",
            display_name="Brie (¼ wheel)",
            search_text="brie (1/4 wheel) brie-quarter",
            price_minor=2600,
            cost_minor=None,
            active=True,
            track_stock=True,
        )
        session.add(fresh)
        session.commit()
        fresh_id = fresh.id

    with driver(rows) as d:
        added = d.bulk(sql.NEW_BALANCE, [{"variant": fresh_id}, {"variant": rows.variant}])

    assert added == 1
    levels = {b.variant_id: b.quantity for b in fetch(rows, m.StockBalance)}
    assert levels[fresh_id] == Decimal(0)
    assert levels[rows.variant] == Decimal(12)


def test_deactivate_variants_switches_off_the_ones_listed(rows: ShopRows) -> None:
    with driver(rows) as d:
        placeholders, params = in_clause(d, [rows.variant, rows.untracked])
        d.execute(sql.DEACTIVATE_VARIANTS.format(ids=placeholders), {**params, "off": False})

    active = {v.id: v.active for v in fetch(rows, m.Variant)}
    assert active == {rows.variant: False, rows.weighed: True, rows.untracked: False}


def test_release_barcodes_deletes_the_codes_listed(rows: ShopRows) -> None:
    with Session(rows.engine) as session:
        session.add(m.Barcode(code="3760000000019", variant_id=rows.weighed))
        session.commit()

    with driver(rows) as d:
        placeholders, params = in_clause(d, ["5012345678900", "0000000000000"])
        d.execute(sql.RELEASE_BARCODES.format(codes=placeholders), params)

    assert [(b.code, b.variant_id) for b in fetch(rows, m.Barcode)] == [
        ("3760000000019", rows.weighed)
    ]


def test_place_barcode_swaps_two_codes_and_adds_one_in_one_statement(rows: ShopRows) -> None:
    with Session(rows.engine) as session:
        session.add(m.Barcode(code="3760000000019", variant_id=rows.weighed))
        session.commit()

    with driver(rows) as d:
        d.bulk(
            sql.PLACE_BARCODE,
            [
                {"code": "5012345678900", "variant": rows.weighed},
                {"code": "3760000000019", "variant": rows.variant},
                {"code": "4006381333931", "variant": rows.untracked},
            ],
        )

    assert {b.code: b.variant_id for b in fetch(rows, m.Barcode)} == {
        "5012345678900": rows.weighed,
        "3760000000019": rows.variant,
        "4006381333931": rows.untracked,
    }


def test_move_balance_moves_balances_by_scaled_deltas(rows: ShopRows) -> None:
    with driver(rows) as d:
        moved = d.bulk(
            sql.MOVE_BALANCE,
            [
                {"variant": rows.variant, "delta": d.quantity(Decimal("-2"))},
                {"variant": rows.weighed, "delta": d.quantity(Decimal("0.750"))},
            ],
        )

    assert moved == 2
    levels = {b.variant_id: b.quantity for b in fetch(rows, m.StockBalance)}
    assert levels == {rows.variant: Decimal(10), rows.weighed: Decimal("4"), rows.untracked: 0}


def test_insert_moves_writes_count_moves_read_back_exactly(rows: ShopRows) -> None:
    with driver(rows) as d:
        d.bulk(
            sql.INSERT_MOVES,
            [
                {
                    "variant": rows.variant,
                    "delta": d.quantity(Decimal("-2")),
                    "reason": "count",
                    "reference": "import products.csv",
                    "at": d.time(AT),
                    "user": rows.user,
                },
                {
                    "variant": rows.weighed,
                    "delta": d.quantity(Decimal("0.750")),
                    "reason": "count",
                    "reference": "import products.csv",
                    "at": d.time(AT),
                    "user": None,
                },
            ],
        )

    moves = fetch(rows, m.StockMove)
    assert [(mv.variant_id, mv.quantity, mv.reason, mv.reference, mv.user_id) for mv in moves] == [
        (rows.variant, Decimal(-2), "count", "import products.csv", rows.user),
        (rows.weighed, Decimal("0.750"), "count", "import products.csv", None),
    ]
    assert all(mv.occurred_at == AT for mv in moves)
