"""What the till does to cart lines: select, more or less, remove, quantity, price, discounts.

Each change tells the cart model which row changed, so the table repaints that row only. What
the journal must show (a line removed, a quantity lowered, a price changed, a discount) the
cart records itself, with the cashier and the approving manager (app.domain.cart).

A discount can be typed before its key: ``10%`` then F7 (or F8 for the whole sale) gives it
without the dialog; ``2.50`` then F7 takes 2.50 off.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from babel.numbers import get_currency_symbol
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

from app.domain.cart import Cart, CartLine
from app.domain.entry import parse_discount
from app.domain.money import Money
from app.domain.pricing import Discount
from app.domain.users import Permission
from app.errors import UserError
from ui.common.dialogs import ConfirmDialog, NumberDialog
from ui.common.i18n import tr
from ui.till.dialogs import DiscountDialog
from ui.till.view import Mode

if TYPE_CHECKING:
    from ui.till.controller import TillController

DISCOUNT_NEEDS_APPROVAL = "A discount needs a manager's approval."


class LineActions:
    def __init__(self, till: TillController) -> None:
        self.till = till
        screen = till.screen
        screen.minus_button.clicked.connect(lambda: self.change_quantity_by(-1))
        screen.plus_button.clicked.connect(lambda: self.change_quantity_by(1))
        screen.remove_button.clicked.connect(self.remove_line)
        screen.quantity_action.triggered.connect(self.ask_quantity)
        screen.price_action.triggered.connect(self.ask_price)
        screen.line_discount_action.triggered.connect(self.ask_line_discount)
        screen.order_discount_action.triggered.connect(self.ask_order_discount)

    def key(self, event: QKeyEvent) -> bool:
        """Delete, + and - act on the selected line (from the table or an empty scan field)."""
        if event.key() == Qt.Key.Key_Delete:
            self.remove_line()
            return True
        if event.text() == "+":
            self.change_quantity_by(1)
            return True
        if event.text() == "-":
            self.change_quantity_by(-1)
            return True
        return False

    # Selection -----------------------------------------------------------------------
    def current_line(self) -> CartLine | None:
        """The selected line, else the last one (the item just scanned)."""
        cart = self.till.cart
        if cart is None or cart.is_empty:
            return None
        rows = self.till.screen.cart_view.selectionModel().selectedRows()
        row = rows[0].row() if rows else len(cart.lines) - 1
        return self.till.screen.cart_model.line_at(row)

    def move_selection(self, delta: int) -> None:
        line = self.current_line()
        if line is None:
            return
        model = self.till.screen.cart_model
        row = model.row_of(line.line_id) + delta
        self.till.screen.select_row(max(0, min(model.rowCount() - 1, row)))

    def _allowed(self) -> CartLine | None:
        till = self.till
        if till.mode is not Mode.SALE or till.busy or till.cart is None:
            return None
        return self.current_line()

    # Changes -------------------------------------------------------------------------
    def apply(self, change: Callable[[Cart], object], line: CartLine | None) -> None:
        """Change the cart; a cashier's mistake is shown, not raised."""
        till, cart = self.till, self.till.cart
        if cart is None:
            return
        try:
            change(cart)
        except UserError as error:
            till.screen.banner.show_error(error.message)
            return
        select = None
        if line is not None:
            model = till.screen.cart_model
            select = cart.row_of(line.line_id)
            model.changed(select)
            model.stock_changed(line.item.variant_id)
        till.lines_changed(select=select)

    def change_quantity_by(self, delta: int) -> None:
        line = self._allowed()
        if line is None:
            return
        if line.item.sold_by_weight:
            self.till.screen.banner.show_info(tr("Use Quantity (F4) to change a weight"))
            return
        quantity = line.quantity + delta
        if quantity <= 0:
            self.till.screen.banner.show_info(tr("Press Delete to remove the line"))
            return
        self._set_quantity(line, quantity)

    def _set_quantity(self, line: CartLine, quantity: Decimal) -> None:
        till = self.till
        assert till.session is not None
        change = self._quantity_change(line, quantity)
        if not till.session.sales.needs_confirmation(quantity):
            change()
            return
        amount = till.fmt().quantity(quantity, line.item.sold_by_weight)
        dialog = ConfirmDialog(
            till.screen,
            tr("Sell {amount}?").format(amount=amount),
            tr("{amount} × {name} is a lot for one line. Is that right?").format(
                amount=amount, name=line.item.name
            ),
            tr("Yes, {amount}  ⏎").format(amount=amount),
        )
        till.open_dialog(dialog, change)

    def _quantity_change(self, line: CartLine, quantity: Decimal) -> Callable[[], None]:
        return lambda: self.apply(lambda cart: cart.set_quantity(line.line_id, quantity), line)

    def remove_line(self) -> None:
        till, line = self.till, self._allowed()
        if line is None or till.cart is None:
            return
        model = till.screen.cart_model
        row = model.row_of(line.line_id)
        till.cart.remove(line.line_id)
        model.removed(row)
        model.stock_changed(line.item.variant_id)
        till.lines_changed(select=min(row, model.rowCount() - 1) if model.rowCount() else None)
        till.screen.banner.show_info(tr("Removed {name}").format(name=line.item.name))

    # Dialogs -------------------------------------------------------------------------
    def ask_quantity(self) -> None:
        till, line = self.till, self._allowed()
        if line is None:
            return
        by_weight = line.item.sold_by_weight
        dialog = NumberDialog(
            till.screen,
            tr("Weight") if by_weight else tr("Quantity"),
            (tr("{name}: weight in kg") if by_weight else tr("{name}: how many?")).format(
                name=line.item.name
            ),
            initial=str(line.quantity),
            decimals=by_weight,
        )

        def accepted() -> None:
            if dialog.value is not None:
                self._set_quantity(line, dialog.value)

        till.open_dialog(dialog, accepted)

    def ask_price(self) -> None:
        till, line = self.till, self._allowed()
        if line is None:
            return

        def ask() -> None:
            dialog = NumberDialog(
                till.screen,
                tr("Change price"),
                tr("{name}: new unit price (shelf price {price})").format(
                    name=line.item.name, price=till.fmt().money(line.item.unit_price)
                ),
                initial=str(line.unit_price.amount),
            )

            def accepted() -> None:
                value = dialog.value
                if value is not None and till.cart is not None:
                    price = Money.of(value, till.cart.currency)
                    self.apply(lambda cart: cart.override_price(line.line_id, price), line)

            till.open_dialog(dialog, accepted)

        till.with_permission(
            Permission.OVERRIDE_PRICE, tr("Changing a price needs a manager's approval."), ask
        )

    def ask_line_discount(self) -> None:
        line = self._allowed()
        if line is None:
            return

        def give(discount: Discount | None) -> None:
            self.apply(lambda cart: cart.set_line_discount(line.line_id, discount), line)

        self._discount(tr("Discount on {name}").format(name=line.item.name), give)

    def ask_order_discount(self) -> None:
        if self._allowed() is None:
            return

        def give(discount: Discount | None) -> None:
            self.apply(lambda cart: cart.set_order_discount(discount), None)

        self._discount(tr("Discount on the whole sale"), give)

    def _discount(self, title: str, give: Callable[[Discount | None], None]) -> None:
        """A discount typed in the scan field before the key, else asked for in a dialog;
        either way after a manager's approval if the cashier needs one."""
        till = self.till
        typed = till.screen.scan_field.text().strip()
        if typed:
            try:
                discount = parse_discount(typed)
            except UserError as error:
                till.reject(error.message)
                return
            till.reset_scan_field()
            till.with_permission(
                Permission.GIVE_DISCOUNT, tr(DISCOUNT_NEEDS_APPROVAL), lambda: give(discount)
            )
            return

        def ask() -> None:
            settings = till.fmt().settings
            symbol = get_currency_symbol(settings.currency.code, locale=settings.locale)
            dialog = DiscountDialog(till.screen, title, symbol)
            till.open_dialog(dialog, lambda: give(dialog.discount))

        till.with_permission(Permission.GIVE_DISCOUNT, tr(DISCOUNT_NEEDS_APPROVAL), ask)
