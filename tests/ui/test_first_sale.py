"""The issue's acceptance run: the demo cashier sells three items for cash and gets change."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from app.domain.barcode import make_ean13
from db import models as m


def test_the_demo_cashier_sells_three_items_for_cash_with_change(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    three = codes.packaged[:3]
    for item in three:
        # Scanned by their EAN-13, as a scanner would send them (demo SKU G000007 -> n = 7).
        cashier.scan(make_ean13(f"50{int(item.sku[1:]):07d}000"))
    assert [sku for sku, _ in cashier.lines()] == [item.sku for item in three]
    total = till.cart.totals().total
    cashier.pay()
    cashier.type("50", cashier.amount_field)
    with qtbot.waitSignal(till.sale_completed) as completed:
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)

    receipt = completed.args[0]
    assert receipt.total == total
    assert receipt.change.amount > 0
    assert till.receipt_view.change_label.text() == till.formats.money(receipt.change)
    with sqlite_shop.engines.write.connect() as connection:
        assert connection.execute(select(func.count()).select_from(m.SaleLine)).scalar_one() == 3
    assert sqlite_shop.journal.verify().ok
