"""The bench's floor sale (bench/floor.py) does the work SaleService.complete does, on SQLite
and PostgreSQL: the same rows for the same items, a journal entry `journal verify` accepts
against the sale tables, the register's draft dropped, the head copy written as db/anchor.py
writes it. Its speed is the bench's business; what it writes is checked here."""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import main
from app.domain.journal import parse_body
from bench.common import connect
from bench.floor import FloorTill, RawConnection, SaleSql, floor_sale
from bench.ours import Ours
from db import models as m
from db.anchor import parse_anchor
from tests.conftest import make_shop, user_id

ITEMS = 6


def _raw(url: str) -> RawConnection:
    """A bare driver connection to the test's database, as the bench opens its floor's."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        connection: sqlite3.Connection | psycopg.Connection[Any] = connect(parsed.database)
        return RawConnection(connection, postgres=False)
    plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return RawConnection(psycopg.connect(plain), postgres=True)


def _items(session: Session) -> list[tuple[int, str]]:
    """Packaged demo items of more than one tax rate, sold one of each."""
    rows = session.execute(
        select(m.Variant.id, m.Variant.sku)
        .join(m.Product, m.Product.id == m.Variant.product_id)
        .where(m.Variant.sku.like("G%"), m.Product.sold_by_weight.is_(False))
        .order_by(m.Variant.id)
        .limit(ITEMS)
    ).all()
    assert len(rows) == ITEMS
    return [(variant_id, sku) for variant_id, sku in rows]


def _leave_a_draft(session: Session, register: str, user_id: int) -> None:
    session.add(
        m.SaleDraft(
            register_code=register,
            user_id=user_id,
            saved_at=datetime.now(UTC),
            snapshot=json.dumps({"cart": {"lines": []}}),
            total_minor=0,
        )
    )
    session.commit()


def _sale_rows(session: Session, sale_id: str) -> dict[str, Any]:
    """A sale's rows with what differs between any two sales (ids, numbers, times) left out."""
    sale = session.get(m.Sale, sale_id)
    assert sale is not None
    lines = session.scalars(
        select(m.SaleLine).where(m.SaleLine.sale_id == sale_id).order_by(m.SaleLine.line_no)
    )
    bands = session.scalars(
        select(m.SaleTaxBand).where(m.SaleTaxBand.sale_id == sale_id).order_by(m.SaleTaxBand.rate)
    )
    payments = session.scalars(
        select(m.Payment).where(m.Payment.sale_id == sale_id).order_by(m.Payment.position)
    )
    moves = session.scalars(
        select(m.StockMove).where(m.StockMove.reference == sale_id).order_by(m.StockMove.id)
    )
    entry = session.get(m.JournalEntry, sale.journal_seq)
    assert entry is not None
    body = parse_body(entry.body)
    assert body["at"] == sale.completed_at.isoformat()
    assert body["data"]["sale_id"] == sale_id
    assert body["data"]["receipt_no"] == sale.receipt_no
    for varying in ("seq", "at"):
        body.pop(varying)
    for varying in ("sale_id", "receipt_no"):
        body["data"].pop(varying)
    return {
        "sale": (
            sale.register_id,
            sale.user_id,
            sale.approved_by,
            sale.currency,
            sale.subtotal_minor,
            sale.discount_minor,
            sale.tax_minor,
            sale.total_minor,
            sale.rounding_minor,
            sale.cashier_name,
            sale.journal_hash == entry.hash,
        ),
        "lines": [
            (
                ln.line_no,
                ln.variant_id,
                ln.sku,
                ln.name,
                ln.quantity,
                ln.sold_by_weight,
                ln.unit_price_minor,
                ln.price_overridden,
                ln.tax_rate,
                ln.discount_minor,
                ln.net_minor,
                ln.tax_minor,
                ln.gross_minor,
            )
            for ln in lines
        ],
        "bands": [(b.rate, b.net_minor, b.tax_minor) for b in bands],
        "payments": [
            (p.position, p.kind, p.amount_minor, p.tendered_minor, p.change_minor, p.reference)
            for p in payments
        ],
        "moves": [(mv.variant_id, mv.quantity, mv.reason, mv.user_id) for mv in moves],
        "journal": (entry.kind, body),
    }


@pytest.mark.parametrize("prices_include_tax", [True, False], ids=["tax-included", "tax-added"])
def test_the_floor_sale_writes_what_the_service_writes(
    db_url: str, home: Path, tmp_path: Path, prices_include_tax: bool
) -> None:
    shop = make_shop(db_url, home)
    included = "true" if prices_include_tax else "false"
    shop.shop.update(user_id(shop, "owner"), {"shop.prices_include_tax": included})
    shop.close()
    ours = Ours(main.Wiring(), db_url, home)
    engine = ours.context.engines.write
    register = ours.context.register_code
    operator = ours.operator
    till = FloorTill(
        operator.user_id,
        operator.display_name,
        register,
        sql=SaleSql.of(engine.dialect.name),
        anchors=tmp_path / "floor-journal",
        **ours.shop_terms(),
    )
    assert ours.sales.settings.prices_include_tax is prices_include_tax
    raw = _raw(db_url)
    try:
        with Session(engine) as session:
            items = _items(session)
            before = {b.variant_id: b.quantity for b in session.scalars(select(m.StockBalance))}
            _leave_a_draft(session, register, operator.user_id)
        floor_id = str(uuid.uuid4())
        floor_receipt = floor_sale(raw, floor_id, [v for v, _ in items], till)
        with Session(engine) as session:
            assert session.get(m.SaleDraft, register) is None  # dropped with the sale
            _leave_a_draft(session, register, operator.user_id)
        command = ours.sale_command([sku for _, sku in items])
        receipt = ours.sales.complete(command, operator)
        with Session(engine) as session:
            assert session.get(m.SaleDraft, register) is None
            floor_rows = _sale_rows(session, floor_id)
            our_rows = _sale_rows(session, command.sale_id)
            after = {b.variant_id: b.quantity for b in session.scalars(select(m.StockBalance))}
            head = session.get(m.JournalHead, 1)
            assert head is not None
            floor_entry = session.scalar(select(m.Sale.journal_seq).where(m.Sale.id == floor_id))

        assert receipt.receipt_no == floor_receipt + 1
        assert floor_rows == our_rows
        assert len(floor_rows["lines"]) == ITEMS
        assert len({line[8] for line in floor_rows["lines"]}) > 1  # more than one tax rate
        for variant_id, _ in items:
            assert after[variant_id] == before[variant_id] - 2
        # The floor's head copy, in its own folder, names the entry it wrote.
        anchor_file = tmp_path / "floor-journal" / f"{head.shop_id}.head"
        anchor = parse_anchor(anchor_file.read_text(encoding="ascii"), str(anchor_file))
        assert (anchor.shop_id, anchor.seq) == (head.shop_id, floor_entry)
        result = ours.context.journal.verify([str(anchor_file)])
        assert result.ok, result
    finally:
        raw.connection.close()
        ours.close()
