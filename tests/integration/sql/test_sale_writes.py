"""A sale's statements (stock, receipt number, the sale's rows, its clock, the draft and the
parked sales it takes) run through the Driver and read back through the models."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from db import models as m
from db import sql
from tests.integration.sql.rows import AT, LATER, SALE_ID, ShopRows, driver, fetch, one, run


def test_take_stock_lowers_a_balance_by_a_scaled_quantity(rows: ShopRows) -> None:
    with driver(rows) as d:
        taken = d.executemany(
            sql.TAKE_STOCK,
            [
                {
                    "variant": rows.weighed,
                    "quantity": d.quantity(Decimal("0.375")),
                    "below_zero": False,
                },
                {  # short, and selling below zero was not allowed
                    "variant": rows.variant,
                    "quantity": d.quantity(Decimal("13")),
                    "below_zero": False,
                },
                {
                    "variant": rows.untracked,
                    "quantity": d.quantity(Decimal("2")),
                    "below_zero": False,
                },
            ],
        )

    assert taken == 2
    levels = {b.variant_id: b.quantity for b in fetch(rows, m.StockBalance)}
    assert levels == {
        rows.variant: Decimal("12"),
        rows.weighed: Decimal("2.875"),
        rows.untracked: Decimal("-2"),
    }
    assert all(isinstance(q, Decimal) for q in levels.values())


def test_take_stock_goes_below_zero_when_allowed(rows: ShopRows) -> None:
    with driver(rows) as d:
        quantity = d.quantity(Decimal("13"))
        cursor = d.execute(
            sql.TAKE_STOCK, {"variant": rows.variant, "quantity": quantity, "below_zero": True}
        )
        assert cursor.rowcount == 1

    assert one(rows, m.StockBalance, rows.variant).quantity == Decimal("-1")


def test_insert_move_writes_a_move_read_back_exactly(rows: ShopRows) -> None:
    with driver(rows) as d:
        d.execute(
            sql.INSERT_MOVE,
            {
                "variant": rows.weighed,
                "delta": d.quantity(Decimal("-0.375")),
                "reason": "sale",
                "reference": SALE_ID,
                "at": d.time(AT),
                "user": rows.user,
            },
        )

    (move,) = fetch(rows, m.StockMove)
    assert move.variant_id == rows.weighed
    assert move.quantity == Decimal("-0.375")
    assert (move.reason, move.reference, move.user_id) == ("sale", SALE_ID, rows.user)
    assert move.occurred_at == AT
    assert move.occurred_at.tzinfo == UTC
    assert move.occurred_at.hour == 0  # 02:30 at +02:00 is 00:30 UTC


def test_next_receipt_counts_up_and_returns_the_number(rows: ShopRows) -> None:
    assert run(rows, sql.NEXT_RECEIPT, {"code": "T1"}) == [(42,)]
    assert run(rows, sql.NEXT_RECEIPT, {"code": "T1"}) == [(43,)]
    assert run(rows, sql.NEXT_RECEIPT, {"code": "T9"}) == []
    (register,) = fetch(rows, m.Register)
    assert register.last_receipt_no == 43


def _write_sale(rows: ShopRows) -> None:
    with driver(rows) as d:
        d.execute(
            sql.INSERT_SALE,
            {
                "id": SALE_ID,
                "register_code": "T1",
                "receipt_no": 42,
                "user_id": rows.user,
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
                    "variant_id": rows.weighed,
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
                    "variant_id": rows.variant,
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


def test_a_sale_written_by_the_driver_reads_back_through_the_models(rows: ShopRows) -> None:
    _write_sale(rows)

    (sale,) = fetch(rows, m.Sale)
    assert (sale.id, sale.register_id, sale.receipt_no) == (SALE_ID, rows.register, 42)
    assert (sale.user_id, sale.approved_by, sale.currency) == (rows.user, None, "EUR")
    assert sale.completed_at == AT
    assert sale.completed_at.tzinfo == UTC
    assert (sale.subtotal_minor, sale.discount_minor, sale.tax_minor) == (2224, 50, 113)
    assert (sale.total_minor, sale.rounding_minor) == (2174, 1)
    assert (sale.journal_seq, sale.journal_hash, sale.cashier_name) == (
        7,
        "ab" * 32,
        "Casey Cashier",
    )

    brie, oil = sorted(fetch(rows, m.SaleLine), key=lambda line: line.line_no)
    assert (brie.sale_id, brie.variant_id, brie.sku, brie.name) == (
        SALE_ID,
        rows.weighed,
        "BRIE",
        "Brie",
    )
    assert brie.quantity == Decimal("0.375")
    assert brie.tax_rate == Decimal("5.5")
    assert (brie.sold_by_weight, brie.price_overridden) == (True, False)
    assert (brie.unit_price_minor, brie.discount_minor) == (2450, 0)
    assert (brie.net_minor, brie.tax_minor, brie.gross_minor) == (871, 48, 919)
    assert (oil.quantity, oil.sold_by_weight, oil.price_overridden) == (Decimal(1), False, True)
    assert (oil.unit_price_minor, oil.discount_minor) == (1350, 45)
    assert (oil.net_minor, oil.tax_minor, oil.gross_minor) == (1237, 68, 1305)

    (band,) = fetch(rows, m.SaleTaxBand)
    assert (band.sale_id, band.rate, band.net_minor, band.tax_minor) == (
        SALE_ID,
        Decimal("5.5"),
        2108,
        116,
    )
    payments = sorted(fetch(rows, m.Payment), key=lambda p: p.position)
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
    ] == [
        (SALE_ID, 1, "card", 1000, 1000, 0, "AUTH42"),
        (SALE_ID, 2, "cash", 1175, 2000, 825, ""),
    ]


def _orm_sale(rows: ShopRows, sale_id: str, register: int, receipt_no: int, at: datetime) -> None:
    with Session(rows.engine) as session:
        session.add(
            m.Sale(
                id=sale_id,
                register_id=register,
                receipt_no=receipt_no,
                user_id=rows.user,
                approved_by=None,
                currency="EUR",
                completed_at=at,
                subtotal_minor=100,
                discount_minor=0,
                tax_minor=5,
                total_minor=100,
                rounding_minor=0,
                journal_seq=receipt_no,
                journal_hash="cd" * 32,
                cashier_name="Casey Cashier",
            )
        )
        session.commit()


def test_sale_exists_finds_a_sale_the_orm_wrote(rows: ShopRows) -> None:
    _orm_sale(rows, SALE_ID, rows.register, 1, AT)

    assert run(rows, sql.SALE_EXISTS, {"id": SALE_ID}) == [(1,)]
    assert run(rows, sql.SALE_EXISTS, {"id": "another"}) == []


def _sale_clock(rows: ShopRows, code: str) -> list[tuple[datetime | None, datetime | None]]:
    with driver(rows) as d:
        if d.postgres:
            # The session's zone is not UTC (+14:00): the clock must come back in UTC anyway.
            d.execute("SET LOCAL TIME ZONE 'Pacific/Kiritimati'", {})
        statement = sql.SALE_CLOCK.format(now=sql.DATABASE_NOW[d.dialect_name])
        found = d.execute(statement, {"code": code}).fetchall()
        return [(d.read_time(last), d.read_time(now)) for last, now in found]


def test_sale_clock_reads_the_last_sale_by_receipt_number_and_the_database_clock(
    rows: ShopRows,
) -> None:
    assert set(sql.DATABASE_NOW) == {"sqlite", "postgresql"}
    ((none_yet, database_now),) = _sale_clock(rows, "T1")
    assert none_yet is None
    assert database_now is not None
    assert abs(database_now - datetime.now(UTC)) < timedelta(minutes=1)  # UTC, not local

    with Session(rows.engine) as session:
        other = m.Register(code="T2", name="Back till", last_receipt_no=0)
        session.add(other)
        session.commit()
        other_id = other.id
    _orm_sale(rows, "sale-1", rows.register, 1, LATER)
    # Receipt 2 is dated earlier than receipt 1: the clock is the last receipt's, not the
    # latest time.
    _orm_sale(rows, "sale-2", rows.register, 2, AT)
    _orm_sale(rows, "sale-3", other_id, 3, LATER + timedelta(days=1))

    ((last, _),) = _sale_clock(rows, "T1")
    assert last == AT
    assert last is not None
    assert last.tzinfo == UTC
    assert _sale_clock(rows, "T9") == []


def _draft(code: str, user: int, total: int) -> m.SaleDraft:
    snapshot = {"cart": {"lines": [{"sku": "BRIE", "qty": "0.375"}]}, "note": "Łódź €"}
    return m.SaleDraft(
        register_code=code,
        user_id=user,
        saved_at=AT,
        snapshot=json.dumps(snapshot, ensure_ascii=False),
        total_minor=total,
    )


def test_drop_draft_deletes_only_the_registers_draft(rows: ShopRows) -> None:
    with Session(rows.engine) as session:
        session.add_all([_draft("T1", rows.user, 919), _draft("T2", rows.user, 1299)])
        session.commit()

    with driver(rows) as d:
        assert d.execute(sql.DROP_DRAFT, {"code": "T1"}).rowcount == 1
        assert d.execute(sql.DROP_DRAFT, {"code": "T1"}).rowcount == 0

    (left,) = fetch(rows, m.SaleDraft)
    assert (left.register_code, left.user_id, left.total_minor) == ("T2", rows.user, 1299)
    assert left.saved_at == AT
    assert json.loads(left.snapshot)["note"] == "Łódź €"


def test_take_parked_hands_a_parked_sale_out_once(rows: ShopRows) -> None:
    snapshot = json.dumps({"lines": [{"sku": "OIL-750", "qty": "2"}], "label": "Table 4 — €"})
    with Session(rows.engine) as session:
        parked = [
            m.ParkedSale(
                register_code="T1",
                user_id=rows.user,
                label=label,
                parked_at=AT,
                snapshot=snapshot,
                total_minor=2598,
            )
            for label in ("Table 4", "Table 5")
        ]
        session.add_all(parked)
        session.commit()
        first, second = parked[0].id, parked[1].id

    assert run(rows, sql.TAKE_PARKED, {"id": first}) == [(snapshot,)]
    assert run(rows, sql.TAKE_PARKED, {"id": first}) == []

    (left,) = fetch(rows, m.ParkedSale)
    assert (left.id, left.label, left.total_minor, left.snapshot) == (
        second,
        "Table 5",
        2598,
        snapshot,
    )
    assert left.parked_at == AT
