"""Paying: from PAY to the receipt, and what the till says when a sale cannot be saved.

PAY checks first what would make the sale fail after a tender is taken: approvals for
changed prices and discounts, and stock the shop is short of (a manager approves selling
below zero, or the cashier removes the item, by the shop's setting). A zero-total sale asks
before it completes. The sale is then written off the UI thread; if that still fails on
stock (another till sold the last units meanwhile), the cashier is told which item, how many
are left, what to do, and what happens to the tenders already taken.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING
from uuid import uuid4

from app.domain.cart import BelowZero
from app.domain.money import Money
from app.domain.tender import Payment, Tender, cash_over_due_limit
from app.domain.users import Permission
from app.dto.sales import CompleteSale, SaleReceipt
from app.errors import EnvironmentProblem, InsufficientStock, UserError
from app.services.sale_records import draft_of
from app.services.sales import commands_from_cart
from ui.common.dialogs import ConfirmDialog, TextDialog
from ui.common.i18n import tr
from ui.till.payment import PaymentPanel, give_back
from ui.till.receipt_view import receipt_number
from ui.till.view import LeftPage, Mode

if TYPE_CHECKING:
    from ui.till.controller import TillController

log = logging.getLogger(__name__)

SALE_NOT_COMPLETED = "Unexpected error — the sale was not completed; see the log"
VOID_REASON_NEEDED = "Give a reason: payments were taken for this sale"


class PaymentFlow:
    def __init__(self, till: TillController) -> None:
        self.till = till
        self.completing = False
        self.sale_id: str | None = None
        self.last_receipt: SaleReceipt | None = None
        self._pending: CompleteSale | None = None
        self._stock_approval = ""  # the shortage a manager may approve, after a refusal
        panel = self.panel
        panel.settled.connect(self.submit)
        panel.retry_requested.connect(self._retry)
        panel.cancel_requested.connect(self.cancel)
        panel.tendered.connect(lambda: self.till.drafts.now())
        till.screen.card_action.triggered.connect(panel.take_card)
        till.screen.pay_action.triggered.connect(self.pay)

    @property
    def panel(self) -> PaymentPanel:
        return self.till.screen.payment_panel

    @property
    def has_tenders(self) -> bool:
        return self.panel.has_tenders

    @property
    def payment(self) -> Payment | None:
        return self.panel.payment

    # Starting --------------------------------------------------------------------------
    def pay(self) -> None:
        till = self.till
        if till.mode is Mode.PAYMENT:
            if not self.completing:
                self.panel.enter()
            return
        session, cart = till.session, till.cart
        if session is None or cart is None or till.busy:
            return
        if cart.is_empty:
            till.screen.banner.show_error(tr("Nothing to pay yet: scan an item first"))
            return
        missing = self._missing_authority()
        if missing is not None:
            till.with_permission(
                missing,
                tr("This sale has a changed price or a discount: a manager must approve it."),
                self.pay,
            )
            return
        below_zero_by = till.approver if Permission.SELL_BELOW_ZERO in till.granted else None
        refusal = session.sales.stock_refusal(cart, session.operator, below_zero_by)
        if refusal is not None:
            if session.settings.below_zero is BelowZero.MANAGER:
                till.with_permission(Permission.SELL_BELOW_ZERO, refusal, self.pay)
            else:
                till.screen.banner.show_error(refusal)
            return
        total = cart.totals().total
        if total.is_zero():
            dialog = ConfirmDialog(
                till.screen,
                tr("This sale costs nothing"),
                tr("The total is {total}. Complete the sale with no payment?").format(
                    total=till.fmt().money(total)
                ),
                tr("Complete  ⏎"),
            )
            till.open_dialog(dialog, lambda: self._start(self._payment_for(total)))
            return
        self._start(self._payment_for(total))

    def resume(
        self, tenders: Sequence[Tender], rounding: Money | None, sale_id: str | None
    ) -> None:
        """Back into payment with the tenders a till had taken before it stopped."""
        cart = self.till.cart
        assert cart is not None
        self._start(self._payment_for(cart.totals().total, tenders, rounding), sale_id, False)
        if self.panel.is_settled:
            self.panel.show_failure(
                tr("This sale was paid before the till stopped: Enter saves it.")
            )

    def _payment_for(
        self, total: Money, tenders: Sequence[Tender] = (), rounding: Money | None = None
    ) -> Payment:
        session = self.till.session
        assert session is not None
        settings = session.settings
        limit = cash_over_due_limit(settings.currency, settings.cash_over_due_limit)
        return Payment(total, settings.cash_increment, list(tenders), rounding, limit)

    def _start(self, payment: Payment, sale_id: str | None = None, submit: bool = True) -> None:
        till, screen = self.till, self.till.screen
        till.reset_scan_field()
        screen.banner.clear_message()
        self.sale_id = sale_id or str(uuid4())  # once per payment: a retry must reuse it
        self._pending = None
        self._stock_approval = ""
        till.mode = Mode.PAYMENT
        screen.scan_field.setEnabled(False)
        screen.show_page(LeftPage.PAYMENT)
        self.panel.start(payment, till.fmt())
        till.update_actions()
        till.drafts.now()
        if submit and self.panel.is_settled:  # a sale that costs nothing: no tender to take
            self.submit()

    def _missing_authority(self) -> Permission | None:
        till = self.till
        assert till.session is not None
        assert till.cart is not None
        needed = []
        if till.cart.needs_price_authority:
            needed.append(Permission.OVERRIDE_PRICE)
        if till.cart.needs_discount_authority:
            needed.append(Permission.GIVE_DISCOUNT)
        for permission in needed:
            if not till.session.operator.can(permission) and not (
                till.approver is not None and till.approver.can(permission)
            ):
                return permission
        return None

    # Completing ----------------------------------------------------------------------
    def submit(self) -> None:
        """Write the settled sale off the UI thread; a retry sends the very same command."""
        till = self.till
        session, cart, payment = till.session, till.cart, self.payment
        if self.completing or session is None or cart is None or payment is None:
            return
        if not payment.is_settled or self.sale_id is None:
            return
        if self._pending is None:
            assert payment.rounding is not None
            self._pending = CompleteSale(
                sale_id=self.sale_id,
                register_code=session.register_code,
                lines=commands_from_cart(cart),
                tenders=tuple(payment.tenders),
                rounding=payment.rounding,
                order_discount=cart.order_discount,
                sell_below_zero=Permission.SELL_BELOW_ZERO in till.granted,
            )
        command, operator, approver = self._pending, session.operator, till.approver
        till.drafts.hold()  # the sale's own transaction drops the draft
        self.completing = True
        self.panel.set_submitting()
        till.update_actions()
        till.runner.submit(
            lambda: session.sales.complete(command, operator, approver),
            self._done,
            self._not_done,
        )

    def _retry(self) -> None:
        if not self._stock_approval:
            self.submit()
            return
        self.till.with_permission(
            Permission.SELL_BELOW_ZERO, self._stock_approval, self._submit_below_zero
        )

    def _submit_below_zero(self) -> None:
        """The same sale again, now with a manager's approval to sell below zero."""
        if self._pending is not None:
            self._pending = replace(self._pending, sell_below_zero=True)
        self._stock_approval = ""
        self.submit()

    def _done(self, receipt: SaleReceipt) -> None:
        till, screen = self.till, self.till.screen
        self.completing = False
        self._pending = None
        self.sale_id = None
        self.panel.stop()
        till.mode = Mode.SALE
        screen.scan_field.setEnabled(True)
        self.last_receipt = receipt
        till.drafts.dropped()
        till.new_sale()
        screen.receipt_view.show_receipt(receipt, till.fmt())
        screen.show_page(LeftPage.RECEIPT)
        screen.banner.show_success(
            tr("Sale complete — receipt {number}").format(number=receipt_number(receipt))
        )
        till.focus_scan_field()
        screen.sale_completed.emit(receipt)

    def _not_done(self, error: Exception) -> None:
        till = self.till
        self.completing = False
        till.drafts.release()
        payment = self.payment
        taken = give_back(payment.tenders, till.fmt()) if payment and payment.tenders else ""
        if isinstance(error, InsufficientStock):
            message = error.message
            self._stock_approval = message if error.approvable else ""
            first = (
                tr("Enter: a manager approves it and the sale completes. ")
                if error.approvable
                else ""
            )
            advice = first + (
                tr("Esc: void the payment ({give_back}) and change the sale.").format(
                    give_back=taken
                )
                if taken
                else tr("Esc: back to the sale to change it.")
            )
        elif isinstance(error, UserError | EnvironmentProblem):
            message = error.message
            retry = tr("Enter: try again. ") if not isinstance(error, UserError) else ""
            advice = retry + tr("Esc: void the payment and change the sale.")
        else:
            log.exception("completing sale %s failed", self.sale_id, exc_info=error)
            message = tr(SALE_NOT_COMPLETED)
            advice = tr("Enter: try again. Esc: void the payment and change the sale.")
        if taken:
            advice += " " + tr("Until then the payment taken stays on this sale.")
        self.panel.show_failure(advice)
        till.screen.banner.show_error(message)
        till.update_actions()
        till.screen.sale_failed.emit(message)

    # Backing out ---------------------------------------------------------------------
    def cancel(self, tenders_taken: bool) -> None:
        till = self.till
        if self.completing or till.busy:
            return
        payment = self.payment
        if not tenders_taken or payment is None:
            self.leave(tr("Back to the sale: nothing was charged"))
            return
        dialog = TextDialog(
            till.screen,
            tr("Void the payments?"),
            tr("To go back to the sale, {give_back}. Why are they voided?").format(
                give_back=give_back(payment.tenders, till.fmt())
            ),
            required=tr(VOID_REASON_NEEDED),
            ok_text=tr("Void payments  ⏎"),
            max_length=200,
        )
        till.open_dialog(dialog, lambda: self._void_payments(dialog.text))

    def _void_payments(self, reason: str) -> None:
        till = self.till
        session, cart, payment = till.session, till.cart, self.payment
        if session is None or cart is None or payment is None:
            return
        voided = tuple(payment.tenders)
        draft = draft_of(cart, session.register_code)  # the sale as it is once they go
        operator, sales = session.operator, session.sales

        def failed(error: Exception) -> None:
            if till.cart is cart:
                cart.give_back_events(list(draft.events))
            till.write_failed(error)

        till.set_busy(True)
        till.runner.submit(
            lambda: sales.void_payments(draft, operator, voided, reason),
            lambda _none: self._payments_voided(),
            failed,
        )

    def _payments_voided(self) -> None:
        self.till.set_busy(False)
        self.leave(tr("Payments voided: the sale is open again"))

    def leave(self, message: str) -> None:
        """Back to the sale (no tenders left on it); ``message`` says why, if not empty."""
        till, screen = self.till, self.till.screen
        self.panel.stop()
        self._pending = None
        self.sale_id = None
        till.mode = Mode.SALE
        screen.scan_field.setEnabled(True)
        screen.show_page(LeftPage.CART)
        if message:
            screen.banner.show_info(message)
        till.update_actions()
        till.drafts.changed()
        till.focus_scan_field()
