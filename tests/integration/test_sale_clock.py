"""A sale dated before the register's last one, or ahead of the database's clock, is refused
with advice to check the clock, and nothing of it is written (SaleService, a fake clock)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.domain.money import Money
from app.domain.tender import Tender, TenderKind
from app.errors import ClockWrong, UserError
from app.services.sales import SaleService
from tests.integration.helpers import cash_sale, packaged


class FakeClock:
    """A clock the test sets; it starts at the real time (the database's clock is real)."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def now(self) -> datetime:
        return self.moment


def sale_count(shop) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with shop.engines.write.connect() as connection:
        sales = connection.execute(text("SELECT COUNT(*) FROM sale")).scalar_one()
        counter = connection.execute(
            text("SELECT last_receipt_no FROM register WHERE code = 'T1'")
        ).scalar_one()
    return sales, counter


def test_a_clock_gone_back_or_running_ahead_is_refused_with_advice(shop):
    clock = FakeClock()
    sales = SaleService(shop.uow_factory, shop.reader, clock, shop.shop.settings())
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    cart.add(sales.lookup(packaged(sales, 2)))
    sales.complete(cash_sale(sales, cart), cashier)

    clock.moment -= timedelta(minutes=3)  # within the tolerance: tills' clocks drift
    sales.complete(cash_sale(sales, cart), cashier)

    clock.moment -= timedelta(hours=2)
    with pytest.raises(ClockWrong, match="before this register's last sale") as back:
        sales.complete(cash_sale(sales, cart), cashier)
    assert "Check the computer's date, time and time zone" in back.value.message

    clock.moment = datetime.now(UTC) + timedelta(days=1)
    with pytest.raises(ClockWrong, match="ahead of the database's clock"):
        sales.complete(cash_sale(sales, cart), cashier)
    assert sale_count(shop) == (2, 2)  # nothing written, no receipt number used

    clock.moment = datetime.now(UTC)
    assert sales.complete(cash_sale(sales, cart), cashier).receipt_no == 3


def test_a_card_number_in_any_tenders_reference_is_refused(shop):
    sales = shop.sales()
    cashier = shop.auth.login("cashier", "1234")
    cart = sales.new_cart()
    cart.add(sales.lookup(packaged(sales, 6)))
    command = cash_sale(sales, cart)
    (cash,) = command.tenders
    sneaky = replace(cash, reference="4111.1111.1111.1111")
    with pytest.raises(UserError, match="looks like a card number"):
        sales.complete(replace(command, tenders=(sneaky,)), cashier)
    total = cart.totals().total
    card = Tender(
        TenderKind.CARD, total, total, Money.zero(total.currency), "ok 4111a1111b1111c1111"
    )
    with pytest.raises(UserError, match="looks like a card number"):
        sales.complete(
            replace(command, tenders=(card,), rounding=Money.zero(total.currency)), cashier
        )
    assert sale_count(shop) == (0, 0)
