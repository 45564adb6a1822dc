"""Every hand-written statement in db/sql.py, checked through the models on both databases.

Writes go through db.driver.Driver with realistic values and are read back with the ORM,
column by column (scaled decimals, UTC times, booleans); reads run against rows the ORM
wrote. A statement added to db/sql.py without a test here fails the last test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.domain.money import Currency, Money
from db import models as m
from db import sql
from db.driver import driver_for, in_list
from db.engine import make_engines
from db.migrate import upgrade

EUR = Currency.of("EUR")
# A moment given in another zone, on the night the clocks change: stored as UTC.
AT = datetime(2026, 3, 29, 2, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
SALE_ID = "6f1f0c2e-8a51-4f7e-9a55-3c8e1d2b7a90"


@dataclass
class Shop:
    engine: Engine
    variant: int
    weighed: int
    untracked: int
    user: int
    register: int


@pytest.fixture
def shop(db_url: str) -> Iterator[Shop]:
    """Catalog, user and register rows written through the ORM."""
    engines = make_engines(db_url)
    upgrade(engines.write)
    with Session(engines.write) as session:
        reduced = m.TaxClass(code="reduced", name="Reduced", rate=Decimal("5.5"))
        session.add(reduced)
        session.flush()
        rows = []
        for handle, name, weighed in (("oil", "Olive Oil", False), ("brie", "Brie", True)):
            product = m.Product(
                handle=handle,
                name=name,
                tax_class_id=reduced.id,
                sold_by_weight=weighed,
                active=True,
                created_at=AT,
                updated_at=AT,
            )
            session.add(product)
            session.flush()
            rows.append(product)
        oil, brie = rows
        variants = [
            m.Variant(
                product_id=oil.id,
                sku="OIL-750",
                options="Size: 750 ml",
                display_name="Olive Oil (750 ml)",
                search_text="olive oil (750 ml) oil-750",
                price_minor=1299,
                cost_minor=700,
                active=True,
                track_stock=True,
            ),
            m.Variant(
                product_id=brie.id,
                sku="BRIE",
                options="",
                display_name="Brie",
                search_text="brie brie",
                price_minor=2450,
                cost_minor=None,
                active=True,
                track_stock=True,
            ),
            m.Variant(
                product_id=oil.id,
                sku="OIL-5L",
                options="Size: 5 l",
                display_name="Olive Oil (5 l)",
                search_text="olive oil (5 l) oil-5l",
                price_minor=5900,
                cost_minor=None,
                active=True,
                track_stock=False,
            ),
        ]
        session.add_all(variants)
        session.flush()
        session.add(m.Barcode(code="5012345678900", variant_id=variants[0].id))
        for variant, quantity in zip(variants, ("12", "3.250", "0"), strict=True):
            session.add(m.StockBalance(variant_id=variant.id, quantity=Decimal(quantity)))
        user = m.User(
            username="casey",
            display_name="Casey Cashier",
            role="cashier",
            pin_hash="scrypt$8$8$1$c2FsdA$ZGlnZXN0",
            failed_attempts=0,
            locked_until=None,
            active=True,
        )
        register = m.Register(code="T1", name="Front till", last_receipt_no=41)
        session.add_all([user, register])
        session.flush()
        found = Shop(
            engines.write, variants[0].id, variants[1].id, variants[2].id, user.id, register.id
        )
        session.commit()
    yield found
    engines.dispose()


def run(shop: Shop, statement: str, params: dict[str, object]) -> list[tuple[object, ...]]:
    """One statement through the Driver in its own committed transaction; the rows it gave."""
    with Session(shop.engine) as session:
        cursor = driver_for(session).execute(statement, params)
        rows = [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        session.commit()
    return rows


def run_many(shop: Shop, statement: str, rows: list[dict[str, object]]) -> int:
    with Session(shop.engine) as session:
        affected = driver_for(session).executemany(statement, rows)
        session.commit()
    return affected


def fetch(shop: Shop, model: type[m.Base]) -> list[m.Base]:
    with Session(shop.engine) as session:
        return list(session.scalars(select(model)))


def test_by_code_reads_an_item_by_barcode_or_sku(shop: Shop) -> None:
    by_barcode = run(shop, sql.BY_CODE, {"code": "5012345678900"})
    by_sku = run(shop, sql.BY_CODE, {"code": "BRIE"})
    untracked = run(shop, sql.BY_CODE, {"code": "OIL-5L"})

    item = sql.item_from_row(by_barcode[0], EUR)
    assert (item.variant_id, item.sku, item.name) == (shop.variant, "OIL-750", "Olive Oil (750 ml)")
    assert item.unit_price == Money.of("12.99", EUR)
    assert item.tax_rate == Decimal("5.5")
    assert item.sold_by_weight is False
    assert item.options == "Size: 750 ml"
    assert item.on_hand == Decimal("12")
    brie = sql.item_from_row(by_sku[0], EUR)
    assert (brie.sold_by_weight, brie.on_hand) == (True, Decimal("3.250"))
    assert sql.item_from_row(untracked[0], EUR).on_hand is None  # not tracked: no count
    assert run(shop, sql.BY_CODE, {"code": "NOPE"}) == []


def test_items_for_sale_reads_the_active_items_asked_for(shop: Shop) -> None:
    ids, params = in_list("v", [shop.variant, shop.weighed, 999_999])

    rows = run(shop, sql.ITEMS_FOR_SALE.format(ids=ids), params)

    items = {row[0]: sql.item_from_row(row, EUR) for row in rows}
    assert set(items) == {shop.variant, shop.weighed}
    assert items[shop.weighed].unit_price == Money.of("24.50", EUR)


def test_the_search_statement_reads_rows_the_orm_wrote(shop: Shop) -> None:
    sqlite = shop.engine.dialect.name == "sqlite"

    for terms, expected in (
        (["oil"], ["Olive Oil (5 l)", "Olive Oil (750 ml)"]),
        (["olive", "750"], ["Olive Oil (750 ml)"]),
        (["5", "l"], ["Olive Oil (5 l)"]),
        (["bri"], ["Brie"]),
    ):
        statement, params = sql.search_statement(terms, 50, sqlite)
        rows = run(shop, statement, params)
        assert [sql.item_from_row(row, EUR).name for row in rows] == expected, terms


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_search_floor_reads_the_same_matches_on_sqlite(shop: Shop) -> None:
    def skus(terms: list[str]) -> list[object]:
        params = {"match": sql.search_match(terms), "limit": 50}
        return sorted(row[1] for row in run(shop, sql.SEARCH_FLOOR, params))

    assert skus(["oil"]) == ["OIL-5L", "OIL-750"]
    assert skus(["olive", "l"]) == ["OIL-5L"]  # "l" starts a word of one name only
    assert skus(["live", "ml"]) == ["OIL-750"]


def test_take_stock_lowers_a_balance_by_a_scaled_quantity(shop: Shop) -> None:
    with Session(shop.engine) as session:
        d = driver_for(session)
        taken = d.executemany(
            sql.TAKE_STOCK,
            [
                {
                    "variant": shop.weighed,
                    "quantity": d.quantity(Decimal("0.375")),
                    "below_zero": False,
                },
                {  # short, and selling below zero was not allowed
                    "variant": shop.variant,
                    "quantity": d.quantity(Decimal("13")),
                    "below_zero": False,
                },
                {
                    "variant": shop.untracked,
                    "quantity": d.quantity(Decimal("2")),
                    "below_zero": False,
                },
            ],
        )
        session.commit()

    assert taken == 2
    levels = {b.variant_id: b.quantity for b in fetch(shop, m.StockBalance)}
    assert levels == {
        shop.variant: Decimal("12"),
        shop.weighed: Decimal("2.875"),
        shop.untracked: Decimal("-2"),
    }
    assert all(isinstance(q, Decimal) for q in levels.values())


def test_insert_move_writes_a_move_read_back_exactly(shop: Shop) -> None:
    with Session(shop.engine) as session:
        d = driver_for(session)
        d.execute(
            sql.INSERT_MOVE,
            {
                "variant": shop.weighed,
                "delta": d.quantity(Decimal("-0.375")),
                "reason": "sale",
                "reference": SALE_ID,
                "at": d.time(AT),
                "user": shop.user,
            },
        )
        session.commit()

    (move,) = fetch(shop, m.StockMove)
    assert isinstance(move, m.StockMove)
    assert move.variant_id == shop.weighed
    assert move.quantity == Decimal("-0.375")
    assert (move.reason, move.reference, move.user_id) == ("sale", SALE_ID, shop.user)
    assert move.occurred_at == AT
    assert move.occurred_at.tzinfo == UTC
    assert move.occurred_at.hour == 0  # 02:30 at +02:00 is 00:30 UTC


def test_next_receipt_counts_up_and_returns_the_number(shop: Shop) -> None:
    assert run(shop, sql.NEXT_RECEIPT, {"code": "T1"}) == [(42,)]
    assert run(shop, sql.NEXT_RECEIPT, {"code": "T1"}) == [(43,)]
    assert run(shop, sql.NEXT_RECEIPT, {"code": "T9"}) == []
    (register,) = fetch(shop, m.Register)
    assert isinstance(register, m.Register)
    assert register.last_receipt_no == 43


def _write_sale(shop: Shop) -> None:
    with Session(shop.engine) as session:
        d = driver_for(session)
        d.execute(
            sql.INSERT_SALE,
            {
                "id": SALE_ID,
                "register_code": "T1",
                "receipt_no": 42,
                "user_id": shop.user,
                "approved_by": None,
                "currency": "EUR",
                "completed_at": d.time(AT),
                "subtotal": 2224,
                "discount": 50,
                "tax": 113,
                "total": 2174,
                "rounding": 1,
                "journal_seq": 7,
                "journal_hash": "ab" * 32,
                "cashier": "Casey Cashier",
            },
        )
        d.executemany(
            sql.INSERT_LINE,
            [
                {
                    "sale_id": SALE_ID,
                    "line_no": 1,
                    "variant_id": shop.weighed,
                    "sku": "BRIE",
                    "name": "Brie",
                    "quantity": d.quantity(Decimal("0.375")),
                    "weighed": True,
                    "unit_price": 2450,
                    "overridden": False,
                    "rate": d.rate(Decimal("5.5")),
                    "discount": 0,
                    "net": 871,
                    "tax": 48,
                    "gross": 919,
                },
                {
                    "sale_id": SALE_ID,
                    "line_no": 2,
                    "variant_id": shop.variant,
                    "sku": "OIL-750",
                    "name": "Olive Oil (750 ml)",
                    "quantity": d.quantity(Decimal("1")),
                    "weighed": False,
                    "unit_price": 1350,
                    "overridden": True,
                    "rate": d.rate(Decimal("5.5")),
                    "discount": 45,
                    "net": 1237,
                    "tax": 68,
                    "gross": 1305,
                },
            ],
        )
        d.executemany(
            sql.INSERT_BAND,
            [{"sale_id": SALE_ID, "rate": d.rate(Decimal("5.5")), "net": 2108, "tax": 116}],
        )
        d.executemany(
            sql.INSERT_PAYMENT,
            [
                {
                    "sale_id": SALE_ID,
                    "position": 1,
                    "kind": "card",
                    "amount": 1000,
                    "tendered": 1000,
                    "change": 0,
                    "reference": "AUTH42",
                },
                {
                    "sale_id": SALE_ID,
                    "position": 2,
                    "kind": "cash",
                    "amount": 1175,
                    "tendered": 2000,
                    "change": 825,
                    "reference": "",
                },
            ],
        )
        session.commit()


def test_a_sale_written_by_the_driver_reads_back_through_the_models(shop: Shop) -> None:
    _write_sale(shop)

    (sale,) = fetch(shop, m.Sale)
    assert isinstance(sale, m.Sale)
    assert (sale.id, sale.register_id, sale.receipt_no) == (SALE_ID, shop.register, 42)
    assert (sale.user_id, sale.approved_by, sale.currency) == (shop.user, None, "EUR")
    assert sale.completed_at == AT
    assert sale.completed_at.tzinfo == UTC
    assert (sale.subtotal_minor, sale.discount_minor, sale.tax_minor) == (2224, 50, 113)
    assert (sale.total_minor, sale.rounding_minor) == (2174, 1)
    assert (sale.journal_seq, sale.journal_hash, sale.cashier_name) == (
        7,
        "ab" * 32,
        "Casey Cashier",
    )

    lines = sorted(fetch(shop, m.SaleLine), key=lambda line: line.line_no)  # type: ignore[attr-defined]
    brie, oil = lines
    assert isinstance(brie, m.SaleLine)
    assert isinstance(oil, m.SaleLine)
    assert (brie.sale_id, brie.variant_id, brie.sku, brie.name) == (
        SALE_ID,
        shop.weighed,
        "BRIE",
        "Brie",
    )
    assert brie.quantity == Decimal("0.375")
    assert brie.tax_rate == Decimal("5.5")
    assert (brie.sold_by_weight, brie.price_overridden) == (True, False)
    assert (brie.unit_price_minor, brie.discount_minor) == (2450, 0)
    assert (brie.net_minor, brie.tax_minor, brie.gross_minor) == (871, 48, 919)
    assert (oil.quantity, oil.sold_by_weight, oil.price_overridden) == (Decimal(1), False, True)
    assert (oil.unit_price_minor, oil.discount_minor, oil.gross_minor) == (1350, 45, 1305)

    (band,) = fetch(shop, m.SaleTaxBand)
    assert isinstance(band, m.SaleTaxBand)
    assert (band.sale_id, band.rate, band.net_minor, band.tax_minor) == (
        SALE_ID,
        Decimal("5.5"),
        2108,
        116,
    )
    payments = sorted(fetch(shop, m.Payment), key=lambda p: p.position)  # type: ignore[attr-defined]
    assert [
        (
            p.sale_id,
            p.position,
            p.kind,
            p.amount_minor,
            p.tendered_minor,
            p.change_minor,
            p.reference,
        )
        for p in payments
        if isinstance(p, m.Payment)
    ] == [
        (SALE_ID, 1, "card", 1000, 1000, 0, "AUTH42"),
        (SALE_ID, 2, "cash", 1175, 2000, 825, ""),
    ]


def test_sale_exists_finds_a_sale_the_orm_wrote(shop: Shop) -> None:
    with Session(shop.engine) as session:
        session.add(
            m.Sale(
                id=SALE_ID,
                register_id=shop.register,
                receipt_no=1,
                user_id=shop.user,
                approved_by=None,
                currency="EUR",
                completed_at=AT,
                subtotal_minor=100,
                discount_minor=0,
                tax_minor=5,
                total_minor=100,
                rounding_minor=0,
                journal_seq=1,
                journal_hash="cd" * 32,
                cashier_name="Casey Cashier",
            )
        )
        session.commit()

    assert run(shop, sql.SALE_EXISTS, {"id": SALE_ID}) == [(1,)]
    assert run(shop, sql.SALE_EXISTS, {"id": "another"}) == []


def test_the_journal_statements_append_and_move_the_head(shop: Shop) -> None:
    # The migration writes the genesis head; the ORM moves it to entry 6 first.
    with Session(shop.engine) as session:
        head = session.get(m.JournalHead, 1)
        assert head is not None
        head.seq, head.hash = 6, "06" * 32
        session.commit()

    assert run(shop, sql.JOURNAL_HEAD, {}) == [(6, "06" * 32)]
    body = '{"data":{"note":"Łódź €"},"kind":"sale","seq":7}'
    run(
        shop,
        sql.INSERT_ENTRY,
        {"seq": 7, "kind": "sale", "body": body, "prev_hash": "06" * 32, "hash": "07" * 32},
    )
    run(shop, sql.MOVE_HEAD, {"seq": 7, "hash": "07" * 32})

    (entry,) = fetch(shop, m.JournalEntry)
    assert isinstance(entry, m.JournalEntry)
    assert (entry.seq, entry.kind, entry.body) == (7, "sale", body)
    assert (entry.prev_hash, entry.hash) == ("06" * 32, "07" * 32)
    (head_row,) = fetch(shop, m.JournalHead)
    assert isinstance(head_row, m.JournalHead)
    assert (head_row.id, head_row.seq, head_row.hash) == (1, 7, "07" * 32)


TESTED = {
    "BY_CODE",
    "ITEMS_FOR_SALE",
    "SEARCH_FLOOR",
    "TAKE_STOCK",
    "INSERT_MOVE",
    "NEXT_RECEIPT",
    "INSERT_SALE",
    "INSERT_LINE",
    "INSERT_BAND",
    "INSERT_PAYMENT",
    "SALE_EXISTS",
    "JOURNAL_HEAD",
    "INSERT_ENTRY",
    "MOVE_HEAD",
}


def test_every_statement_in_db_sql_is_tested_here() -> None:
    statements = {
        name
        for name, value in vars(sql).items()
        if name.isupper()
        and isinstance(value, str)
        and value.lstrip().split(" ", 1)[0] in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH"}
    }
    assert statements == TESTED
