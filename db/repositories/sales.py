"""Completed sales and the per-register receipt counter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, insert, select, update
from sqlalchemy.orm import Session

from app.domain.money import Currency, Money
from app.domain.tender import Tender, TenderKind
from app.dto.sales import ReceiptLine, ReceiptTaxBand, SaleReceipt
from app.errors import DuplicateSale, NotFound
from db import models as m
from db import sql
from db.driver import driver_for

_REGISTER = m.table(m.Register)
_THROTTLE = m.table(m.ApprovalThrottle)


class RegisterRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def ensure(self, code: str, name: str) -> None:
        if self._s.scalar(select(m.Register.id).where(m.Register.code == code)) is None:
            self._s.add(m.Register(code=code, name=name, last_receipt_no=0))
            self._s.flush()

    def next_receipt_no(self, code: str) -> int:
        # The UPDATE takes the row lock: tills sharing a register queue here, and a rolled-back
        # sale gives its number back, so numbers stay gapless.
        row = driver_for(self._s).execute(sql.NEXT_RECEIPT, {"code": code}).fetchone()
        number = None if row is None else row[0]
        if number is None:
            raise NotFound(f"There is no register {code!r}; set it up first")
        return int(number)

    def sale_clock(self, code: str) -> tuple[datetime | None, datetime]:
        driver = driver_for(self._s)
        statement = sql.SALE_CLOCK.format(now=sql.DATABASE_NOW[driver.dialect_name])
        row = driver.execute(statement, {"code": code}).fetchone()
        if row is None:
            raise NotFound(f"There is no register {code!r}; set it up first")
        database_now = driver.read_time(row[1])
        assert database_now is not None  # CURRENT_TIMESTAMP is never NULL
        return driver.read_time(row[0]), database_now

    def approval_throttle(self, code: str) -> tuple[int, datetime | None]:
        row = self._s.execute(
            select(_THROTTLE.c.failures, _THROTTLE.c.paused_until).where(
                _THROTTLE.c.register_code == code
            )
        ).first()
        return (0, None) if row is None else (row.failures, row.paused_until)

    def set_approval_throttle(
        self, code: str, failures: int, paused_until: datetime | None
    ) -> None:
        values = {"failures": failures, "paused_until": paused_until}
        changed = cast(
            CursorResult[Any],
            self._s.execute(
                update(_THROTTLE).where(_THROTTLE.c.register_code == code).values(**values)
            ),
        )
        if changed.rowcount == 0:
            self._s.execute(insert(_THROTTLE).values(register_code=code, **values))


_SALE = m.table(m.Sale)
_SALE_LINE = m.table(m.SaleLine)
_SALE_BAND = m.table(m.SaleTaxBand)
_PAYMENT = m.table(m.Payment)
_SALE_BY_ID = (
    select(_SALE, _REGISTER.c.code.label("register_code"))
    .join(_REGISTER, _REGISTER.c.id == _SALE.c.register_id)
    .where(_SALE.c.id == bindparam("sale_id"))
)


class SaleRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def receipt(self, sale_id: str) -> SaleReceipt | None:
        # Every sale asks this first (idempotency); a new sale answers from the primary key.
        if driver_for(self._s).execute(sql.SALE_EXISTS, {"id": sale_id}).fetchone() is None:
            return None
        connection = self._s.connection()
        sale = connection.execute(_SALE_BY_ID, {"sale_id": sale_id}).one_or_none()
        if sale is None:
            return None
        currency = Currency.of(sale.currency)

        def money(minor: int) -> Money:
            return Money.from_minor(minor, currency)

        lines = connection.execute(
            select(_SALE_LINE).where(_SALE_LINE.c.sale_id == sale_id).order_by(_SALE_LINE.c.line_no)
        )
        bands = connection.execute(
            select(_SALE_BAND).where(_SALE_BAND.c.sale_id == sale_id).order_by(_SALE_BAND.c.rate)
        )
        payments = connection.execute(
            select(_PAYMENT).where(_PAYMENT.c.sale_id == sale_id).order_by(_PAYMENT.c.position)
        )
        return SaleReceipt(
            sale_id=sale.id,
            register_code=sale.register_code,
            receipt_no=sale.receipt_no,
            completed_at=sale.completed_at,
            cashier=sale.cashier_name,
            lines=tuple(
                ReceiptLine(
                    ln.name,
                    ln.sku,
                    ln.quantity,
                    money(ln.unit_price_minor),
                    ln.tax_rate,
                    money(ln.discount_minor),
                    money(ln.tax_minor),
                    money(ln.gross_minor),
                    ln.sold_by_weight,
                )
                for ln in lines
            ),
            subtotal=money(sale.subtotal_minor),
            discount=money(sale.discount_minor),
            tax=money(sale.tax_minor),
            total=money(sale.total_minor),
            rounding=money(sale.rounding_minor),
            bands=tuple(
                ReceiptTaxBand(b.rate, money(b.net_minor), money(b.tax_minor)) for b in bands
            ),
            payments=tuple(
                Tender(
                    TenderKind(p.kind),
                    money(p.amount_minor),
                    money(p.tendered_minor),
                    money(p.change_minor),
                    p.reference,
                )
                for p in payments
            ),
            journal_seq=sale.journal_seq,
            journal_hash=sale.journal_hash,
        )

    def add(
        self,
        receipt: SaleReceipt,
        user_id: int,
        approved_by: int | None,
        variant_ids: Sequence[int],
        overridden: Sequence[bool],
    ) -> None:
        driver = driver_for(self._s)
        sale_id = receipt.sale_id
        try:
            driver.execute(
                sql.INSERT_SALE,
                {
                    "id": sale_id,
                    "register_code": receipt.register_code,
                    "receipt_no": receipt.receipt_no,
                    "user_id": user_id,
                    "approved_by": approved_by,
                    "currency": receipt.total.currency.code,
                    "completed_at": driver.time(receipt.completed_at),
                    "subtotal": receipt.subtotal.minor,
                    "discount": receipt.discount.minor,
                    "tax": receipt.tax.minor,
                    "total": receipt.total.minor,
                    "rounding": receipt.rounding.minor,
                    "journal_seq": receipt.journal_seq,
                    "journal_hash": receipt.journal_hash,
                    "cashier": receipt.cashier,
                },
            )
        except driver.integrity_error as error:
            # Only the primary key can clash here: the same sale committed by another attempt.
            # The unit of work rolls this transaction back and the service re-reads that sale.
            raise DuplicateSale(sale_id) from error
        driver.executemany(
            sql.INSERT_LINE,
            [
                {
                    "sale_id": sale_id,
                    "line_no": number,
                    "variant_id": variant_id,
                    "sku": ln.sku,
                    "name": ln.name,
                    "quantity": driver.quantity(ln.quantity),
                    "weighed": ln.sold_by_weight,
                    "unit_price": ln.unit_price.minor,
                    "overridden": was_overridden,
                    "rate": driver.rate(ln.tax_rate),
                    "discount": ln.discount.minor,
                    "net": ln.gross.minor - ln.tax.minor,
                    "tax": ln.tax.minor,
                    "gross": ln.gross.minor,
                }
                for number, (ln, variant_id, was_overridden) in enumerate(
                    zip(receipt.lines, variant_ids, overridden, strict=True), start=1
                )
            ],
        )
        driver.executemany(
            sql.INSERT_BAND,
            [
                {
                    "sale_id": sale_id,
                    "rate": driver.rate(b.rate),
                    "net": b.net.minor,
                    "tax": b.tax.minor,
                }
                for b in receipt.bands
            ],
        )
        if receipt.payments:
            driver.executemany(
                sql.INSERT_PAYMENT,
                [
                    {
                        "sale_id": sale_id,
                        "position": i,
                        "kind": p.kind.value,
                        "amount": p.amount.minor,
                        "tendered": p.tendered.minor,
                        "change": p.change.minor,
                        "reference": p.reference,
                    }
                    for i, p in enumerate(receipt.payments, start=1)
                ],
            )
