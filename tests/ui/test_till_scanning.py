"""Ringing items up: scans, quantity prefixes, unknown codes, search, keyboard-wedge bursts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.domain.barcode import make_ean13
from ui.common.dialogs import NumberDialog
from ui.till.screen import LeftPage


@pytest.fixture
def beeps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: calls.append(1)))
    return calls


def test_a_scan_adds_a_line_and_updates_the_total(cashier: Any, codes: Any) -> None:
    item = codes.packaged[0]
    cashier.scan(item.sku)
    assert cashier.lines() == [(item.sku, "1")]
    till = cashier.till
    assert till.cart_model.rowCount() == 1
    assert till.cart_model.index(0, 0).data() == item.name
    assert till.totals_panel.total_label.text() == till.formats.money(item.unit_price)
    assert till.scan_field.text() == ""
    assert till.scan_field.hasFocus()


def test_a_repeat_scan_increases_the_line(cashier: Any, codes: Any) -> None:
    item = codes.packaged[0]
    cashier.scan(item.sku)
    cashier.scan(item.sku)
    assert cashier.lines() == [(item.sku, "2")]


def test_unknown_code_warns_loudly_and_adds_nothing(
    cashier: Any, codes: Any, beeps: list[int]
) -> None:
    cashier.scan("123")
    till = cashier.till
    assert beeps == [1]
    assert till.banner.isVisible()
    assert till.banner.kind == "error"
    assert till.banner.text() == "No product has the barcode or SKU 123"
    assert cashier.lines() == []
    assert till.scan_field.text() == ""
    assert till.scan_field.hasFocus()
    # The next good scan clears the warning.
    cashier.scan(codes.packaged[0].sku)
    assert not till.banner.isVisible()


def test_quantity_prefix_sells_several(cashier: Any, codes: Any) -> None:
    first, second = codes.packaged[0], codes.packaged[1]
    cashier.scan(f"3*{first.sku}")
    cashier.scan(f"2x{second.sku}")
    assert cashier.lines() == [(first.sku, "3"), (second.sku, "2")]


def test_weighed_item_takes_kilograms(cashier: Any, codes: Any) -> None:
    item = codes.weighed[0]
    cashier.scan(f"0.250*{item.sku}")
    assert cashier.lines() == [(item.sku, "0.250")]
    assert cashier.till.cart_model.index(0, 1).data() == "0.250 kg"


def test_weighed_item_without_weight_asks_for_it(cashier: Any, codes: Any) -> None:
    item = codes.weighed[0]
    cashier.scan(item.sku)
    dialog = cashier.dialog(NumberDialog)
    cashier.type("0.4", dialog.field)
    cashier.key(Qt.Key.Key_Return, dialog.field)
    assert cashier.lines() == [(item.sku, "0.4")]


def test_a_fraction_of_a_counted_item_is_refused(
    cashier: Any, codes: Any, beeps: list[int]
) -> None:
    cashier.scan(f"0.5*{codes.packaged[0].sku}")
    assert cashier.lines() == []
    assert "sold by the unit" in cashier.till.banner.text()


def test_search_by_name_arrows_and_enter(qtbot: Any, cashier: Any, sqlite_shop: Any) -> None:
    results = sqlite_shop.sales().search("juice").items
    assert len(results) >= 2
    till = cashier.till
    cashier.type("juice")
    qtbot.waitUntil(lambda: till.search_popup.isVisible())
    assert [item.sku for item in till.search_popup.items] == [item.sku for item in results]
    cashier.key(Qt.Key.Key_Down)
    cashier.key(Qt.Key.Key_Down)
    cashier.key(Qt.Key.Key_Up)
    cashier.key(Qt.Key.Key_Return)
    assert cashier.lines() == [(results[1].sku, "1")]
    assert not till.search_popup.isVisible()
    assert till.scan_field.text() == ""


def test_search_enter_takes_the_first_result_and_esc_closes(
    qtbot: Any, cashier: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    cashier.type("pasta")
    qtbot.waitUntil(lambda: till.search_popup.isVisible())
    cashier.key(Qt.Key.Key_Escape)
    assert not till.search_popup.isVisible()
    assert till.scan_field.text() == "pasta"
    cashier.key(Qt.Key.Key_Return)  # Enter before the list is back: search now, take the top
    first = sqlite_shop.sales().search("pasta").items[0]
    assert cashier.lines() == [(first.sku, "1")]


def test_codes_do_not_trigger_a_search(qtbot: Any, cashier: Any, codes: Any) -> None:
    cashier.type(codes.packaged[0].sku)
    qtbot.wait(250)  # longer than the debounce: nothing must appear
    assert not cashier.till.search_popup.isVisible()


def test_line_keys_from_the_scan_field(cashier: Any, codes: Any) -> None:
    first, second = codes.packaged[0], codes.packaged[1]
    cashier.scan(first.sku)
    cashier.scan(second.sku)
    cashier.type("+")  # the last scanned line is selected
    cashier.type("+")
    cashier.type("-")
    assert cashier.lines() == [(first.sku, "1"), (second.sku, "2")]
    cashier.key(Qt.Key.Key_Up)
    cashier.key(Qt.Key.Key_Delete)
    assert cashier.lines() == [(second.sku, "2")]


def test_quantity_dialog_on_f4(cashier: Any, codes: Any) -> None:
    item = codes.packaged[0]
    cashier.scan(item.sku)
    cashier.key(Qt.Key.Key_F4)
    dialog = cashier.dialog(NumberDialog)
    dialog.field.selectAll()
    cashier.type("12", dialog.field)
    cashier.key(Qt.Key.Key_Return, dialog.field)
    assert cashier.lines() == [(item.sku, "12")]
    assert cashier.till.dialog is None


def ean_of(sqlite_shop: Any, item: Any) -> str:
    """A packaged demo item's EAN-13 (see app/services/demo.py), checked through the
    service so that a change in the demo data fails here, loudly."""
    code = make_ean13(f"50{int(item.sku[1:]):07d}000")
    assert sqlite_shop.sales().lookup(code).sku == item.sku
    return code


def test_wedge_burst_while_focus_is_on_the_cart_is_a_scan(
    qtbot: Any, cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    first, second = codes.packaged[0], codes.packaged[1]
    cashier.scan(first.sku)
    table = cashier.till.cart_view
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    barcode = ean_of(sqlite_shop, second)
    with qtbot.waitSignal(cashier.till.wedge.scanned, timeout=1000) as scanned:
        cashier.wedge_burst(barcode, table)
    assert scanned.args == [barcode]
    assert cashier.lines() == [(first.sku, "1"), (second.sku, "1")]


def test_slow_typing_on_the_cart_is_not_a_scan(qtbot: Any, cashier: Any, codes: Any) -> None:
    first, second = codes.packaged[0], codes.packaged[1]
    cashier.scan(first.sku)
    table = cashier.till.cart_view
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    with qtbot.assertNotEmitted(cashier.till.wedge.scanned):
        qtbot.keyClicks(table, second.sku, delay=80)
        qtbot.keyClick(table, Qt.Key.Key_Return, delay=80)
    assert cashier.lines() == [(first.sku, "1")]


def test_next_scan_after_a_sale_hides_the_receipt(qtbot: Any, cashier: Any, codes: Any) -> None:
    till = cashier.till
    cashier.scan(codes.packaged[0].sku)
    cashier.pay()
    with qtbot.waitSignal(till.sale_completed):
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert till.left_stack.currentIndex() == LeftPage.RECEIPT
    cashier.scan(codes.packaged[1].sku)
    assert till.left_stack.currentIndex() == LeftPage.CART
    assert cashier.lines() == [(codes.packaged[1].sku, "1")]
    assert Decimal(1) == till.cart.lines[0].quantity
