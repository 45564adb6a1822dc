"""Ringing items up: scans, quantity prefixes, unknown codes, search, keyboard-wedge bursts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.domain.barcode import make_ean13
from ui.common.dialogs import ConfirmDialog, NumberDialog
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


def test_search_esc_closes_and_enter_shows_the_results_before_adding(
    qtbot: Any, cashier: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    cashier.type("pasta")
    qtbot.waitUntil(lambda: till.search_popup.isVisible())
    cashier.key(Qt.Key.Key_Escape)
    assert not till.search_popup.isVisible()
    assert till.scan_field.text() == "pasta"
    cashier.key(Qt.Key.Key_Return)  # the list is not on screen: Enter shows it, adds nothing
    assert cashier.lines() == []
    qtbot.waitUntil(lambda: till.search_popup.isVisible())
    cashier.key(Qt.Key.Key_Return)  # now the cashier sees what Enter takes
    first = sqlite_shop.sales().search("pasta").items[0]
    assert cashier.lines() == [(first.sku, "1")]


def test_enter_typed_before_the_results_arrive_does_not_add_the_top_hit_unseen(
    qtbot: Any, cashier: Any, sqlite_shop: Any
) -> None:
    till = cashier.till
    cashier.type("juice")
    cashier.key(Qt.Key.Key_Return)  # at once: faster than the search can answer
    assert cashier.lines() == []
    qtbot.waitUntil(lambda: till.search_popup.isVisible())
    assert till.search_popup.query == "juice"
    cashier.key(Qt.Key.Key_Down)
    cashier.key(Qt.Key.Key_Return)
    second = sqlite_shop.sales().search("juice").items[1]
    assert cashier.lines() == [(second.sku, "1")]


def test_results_tell_same_named_items_apart_by_sku_options_price_and_stock(
    qtbot: Any, cashier: Any, sqlite_shop: Any
) -> None:
    from ui.till.search_popup import DETAIL_ROLE, PRICE_ROLE

    sales = sqlite_shop.sales()
    apparel = next(
        item
        for n in range(1, 61)
        for item in sales.search(f"A{n:06d}").items
        if item.options and item.on_hand is not None
    )
    word = apparel.name.split()[-1].lower()
    till = cashier.till
    cashier.type(word)
    qtbot.waitUntil(lambda: till.search_popup.isVisible())
    rows = [till.search_popup.list.item(i) for i in range(till.search_popup.list.count())]
    details = [str(row.data(DETAIL_ROLE)) for row in rows]
    [detail] = [d for d in details if apparel.sku in d]
    assert apparel.options in detail
    assert "in stock" in detail or "out of stock" in detail
    index = [item.sku for item in till.search_popup.items].index(apparel.sku)
    assert rows[index].data(PRICE_ROLE) == till.formats.money(apparel.unit_price)


def test_searches_run_off_the_ui_thread_and_a_stale_answer_is_dropped(
    qtbot: Any, cashier: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    till = cashier.till
    sales = till.session.sales
    real_search = sales.search
    release = threading.Event()
    threads: list[bool] = []

    def slow_search(query: str) -> Any:
        threads.append(threading.current_thread() is threading.main_thread())
        if query == "pasta":
            release.wait(5)  # the first answer comes late, after the cashier typed on
        return real_search(query)

    monkeypatch.setattr(sales, "search", slow_search)
    cashier.type("pasta")
    qtbot.waitUntil(lambda: len(threads) == 1)
    cashier.type(" zzqx")  # no product matches: the popup must say so, not show pasta
    qtbot.waitUntil(lambda: len(threads) == 2)
    qtbot.waitUntil(lambda: till.search_popup.isVisible())
    release.set()
    cashier.wait_idle()
    qtbot.wait(50)
    assert till.search_popup.query == "pasta zzqx"
    assert till.search_popup.items == []
    assert threads == [False, False]  # never on the UI thread


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1*{code}", "returns are not possible at the till yet"),
        ("0*{code}", "0 sells nothing"),
        ("abc*{code}", "“abc” is not a quantity"),
        ("99999*{code}", "99999 is more than the till takes on one line"),
    ],
)
def test_a_bad_quantity_is_refused_saying_what_is_wrong_with_it(
    cashier: Any, codes: Any, beeps: list[int], typed: str, message: str
) -> None:
    cashier.scan(typed.format(code=codes.packaged[0].sku))
    till = cashier.till
    assert cashier.lines() == []
    assert till.banner.kind == "error"
    assert message in till.banner.text()
    assert "No product has the barcode" not in till.banner.text()
    assert beeps == [1]


def test_a_quantity_above_the_limit_asks_for_confirmation(cashier: Any, codes: Any) -> None:
    item = codes.packaged[0]
    cashier.scan(f"150*{item.sku}")
    dialog = cashier.dialog(ConfirmDialog)
    assert "150" in dialog.windowTitle()
    assert cashier.lines() == []
    cashier.key(Qt.Key.Key_Escape, dialog)
    assert cashier.lines() == []
    cashier.scan(f"150*{item.sku}")
    dialog = cashier.dialog(ConfirmDialog)
    cashier.key(Qt.Key.Key_Return, dialog)
    assert cashier.lines() == [(item.sku, "150")]
    cashier.scan(f"99*{codes.packaged[1].sku}")  # at the limit: no question
    assert cashier.till.dialog is None
    assert cashier.lines()[-1] == (codes.packaged[1].sku, "99")


def test_a_large_quantity_typed_in_the_quantity_dialog_asks_too(cashier: Any, codes: Any) -> None:
    item = codes.packaged[0]
    cashier.scan(item.sku)
    cashier.key(Qt.Key.Key_F4)
    dialog = cashier.dialog(NumberDialog)
    dialog.field.selectAll()
    cashier.type("120", dialog.field)
    cashier.key(Qt.Key.Key_Return, dialog.field)
    confirm = cashier.dialog(ConfirmDialog)
    assert cashier.lines() == [(item.sku, "1")]
    cashier.key(Qt.Key.Key_Return, confirm)
    assert cashier.lines() == [(item.sku, "120")]


def test_an_item_out_of_stock_is_flagged_on_its_line_when_scanned(
    cashier: Any, codes: Any, sqlite_shop: Any
) -> None:
    from sqlalchemy import text

    item, other = codes.packaged[2], codes.packaged[3]
    with sqlite_shop.engines.write.begin() as connection:
        for variant_id, left in ((item.variant_id, 0), (other.variant_id, 2)):
            connection.execute(
                text("UPDATE stock_balance SET quantity = :q WHERE variant_id = :v"),
                {"q": left * 1000, "v": variant_id},
            )
    till = cashier.till
    cashier.scan(item.sku)
    assert cashier.lines() == [(item.sku, "1")]  # flagged, not refused
    model = till.cart_model
    assert "out of stock: 0 left" in model.index(0, 0).data()
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert "out of stock" in till.banner.text()
    cashier.scan(f"2*{other.sku}")
    assert model.index(1, 0).data(Qt.ItemDataRole.ForegroundRole) is None  # 2 of 2: fine
    cashier.keypad(Qt.Key.Key_Plus)  # a third: more than the shop holds
    assert "only 2 in stock" in model.index(1, 0).data()
    assert model.index(1, 0).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_codes_do_not_trigger_a_search(qtbot: Any, cashier: Any, codes: Any) -> None:
    cashier.type(codes.packaged[0].sku)
    qtbot.wait(250)  # longer than the debounce: nothing must appear
    assert not cashier.till.search_popup.isVisible()


def test_line_keys_from_the_scan_field(cashier: Any, codes: Any) -> None:
    first, second = codes.packaged[0], codes.packaged[1]
    cashier.scan(first.sku)
    cashier.scan(second.sku)
    cashier.keypad(Qt.Key.Key_Plus)  # the last scanned line is selected
    cashier.keypad(Qt.Key.Key_Plus)
    cashier.keypad(Qt.Key.Key_Minus)
    assert cashier.lines() == [(first.sku, "1"), (second.sku, "2")]
    assert cashier.till.scan_field.text() == ""
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
    cashier.type("50", cashier.amount_field)
    with qtbot.waitSignal(till.sale_completed):
        cashier.key(Qt.Key.Key_Return, cashier.amount_field)
    assert till.left_stack.currentIndex() == LeftPage.RECEIPT
    cashier.scan(codes.packaged[1].sku)
    assert till.left_stack.currentIndex() == LeftPage.CART
    assert cashier.lines() == [(codes.packaged[1].sku, "1")]
    assert Decimal(1) == till.cart.lines[0].quantity


def test_a_scan_inserts_one_row_and_a_repeat_changes_only_its_row(cashier: Any, codes: Any) -> None:
    model = cashier.till.cart_model
    for item in codes.packaged[:5]:
        cashier.scan(item.sku)
    resets: list[int] = []
    inserted: list[tuple[int, int]] = []
    changed: set[int] = set()
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.dataChanged.connect(
        lambda top, bottom, _roles=(): changed.update(range(top.row(), bottom.row() + 1))
    )
    cashier.scan(codes.packaged[5].sku)
    assert inserted == [(5, 5)]
    assert changed == set()
    cashier.scan(codes.packaged[5].sku)  # the same item again: its line goes to 2
    cashier.scan(codes.packaged[2].sku)
    assert inserted == [(5, 5)]
    assert changed == {2, 5}
    assert resets == []
    assert model.index(5, 1).data() == "2"
