"""Helpers shared by integration tests: ring up a sale the way the till does."""

from __future__ import annotations

import uuid

from app.domain.cart import Cart
from app.domain.money import Money
from app.domain.tender import Payment, Tender, TenderKind
from app.dto.sales import CompleteSale
from app.errors import NotFound
from app.services.sales import SaleService, commands_from_cart


def cash_sale(
    sales: SaleService,
    cart: Cart,
    handed: str | None = None,
    sale_id: str | None = None,
    register: str = "T1",
) -> CompleteSale:
    """The command the till sends after the customer pays ``handed`` in cash (exact if None)."""
    payment = Payment(cart.totals().total, sales.settings.cash_increment)
    due = payment.cash_due()
    tender = payment.take_cash(Money.of(handed, due.currency) if handed else due)
    assert payment.is_settled
    assert payment.rounding is not None
    return CompleteSale(
        sale_id or str(uuid.uuid4()),
        register,
        commands_from_cart(cart),
        (tender,),
        payment.rounding,
        cart.order_discount,
    )


def card_sale(
    sales: SaleService, cart: Cart, reference: str = "AUTH42", register: str = "T1"
) -> CompleteSale:
    total = cart.totals().total
    zero = Money.zero(total.currency)
    return CompleteSale(
        str(uuid.uuid4()),
        register,
        commands_from_cart(cart),
        (Tender(TenderKind.CARD, total, total, zero, reference),),
        zero,
        cart.order_discount,
    )


def packaged(sales: SaleService, n: int) -> str:
    """The SKU of the n-th packaged demo item that exists (demo numbers mix kinds)."""
    for number in range(n, n + 200):
        code = f"G{number:06d}"
        try:
            sales.lookup(code)
        except NotFound:  # that number is an apparel or weighed item
            continue
        return code
    raise AssertionError("no packaged item in the demo shop")


def tamper(engines, *statements, **params) -> None:  # type: ignore[no-untyped-def]
    """Run ``statements`` (with ``params``) as someone who owns the database would to rewrite
    the journal: the append-only triggers are dropped (SQLite) or switched off (PostgreSQL)
    first."""
    from sqlalchemy import text

    with engines.write.begin() as connection:
        if engines.is_sqlite:
            names = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('journal_entry', 'journal_head')"
            ).scalars()
            for name in list(names):
                connection.exec_driver_sql(f"DROP TRIGGER {name}")
        else:
            for table in ("journal_entry", "journal_head"):
                connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for statement in statements:
            connection.execute(text(statement), params)
        if not engines.is_sqlite:
            for table in ("journal_entry", "journal_head"):
                connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
