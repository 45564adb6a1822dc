"""Putting a sale aside and throwing it away: park (F9), recall (F10), void (F3), and what
signing out or closing the window does with a sale in progress.

A sale in progress is never left silently: leaving asks to park or void it, and a sale with a
tender already taken (a card approved) can only be completed, or voided with a reason. Every
void is journaled, with its lines and tenders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.dto.sales import OpenSale, ParkedSaleSummary, SaleDraft
from app.services.sale_records import draft_of
from ui.common.dialogs import ChoiceDialog, ConfirmDialog, TextDialog
from ui.common.i18n import tr
from ui.till.dialogs import ParkedDialog
from ui.till.payment import give_back
from ui.till.payment_flow import VOID_REASON_NEEDED
from ui.till.view import Mode

if TYPE_CHECKING:
    from ui.till.controller import TillController


def _nothing() -> None:
    return None


class Parking:
    def __init__(self, till: TillController) -> None:
        self.till = till
        till.screen.park_action.triggered.connect(self.park)
        till.screen.recall_action.triggered.connect(self.recall)
        till.screen.void_action.triggered.connect(self.void)

    def _draft(self) -> SaleDraft:
        """The sale as it is now, tenders included, taking the cart's pending events."""
        till = self.till
        assert till.session is not None
        assert till.cart is not None
        payment = till.payment.payment
        return draft_of(
            till.cart,
            till.session.register_code,
            tuple(payment.tenders) if payment is not None else (),
            payment.rounding if payment is not None else None,
            till.payment.sale_id,
        )

    def _write(
        self,
        write: Callable[[SaleDraft], object],
        done: Callable[[], None],
    ) -> None:
        """Run ``write(draft)`` on the database worker; the sale is then gone from the till."""
        till = self.till
        draft, cart = self._draft(), till.cart

        def failed(error: Exception) -> None:
            if till.cart is cart and cart is not None:
                cart.give_back_events(list(draft.events))
            till.write_failed(error)

        def written(_result: object) -> None:
            till.set_busy(False)
            if till.mode is Mode.PAYMENT:
                till.payment.leave(message="")
            till.drafts.dropped()
            till.new_sale()
            done()

        till.set_busy(True)
        till.runner.submit(lambda: write(draft), written, failed)

    # Parking -----------------------------------------------------------------------
    def park(self) -> None:
        till = self.till
        if till.cart is None or till.mode is not Mode.SALE or till.busy:
            return
        if till.cart.is_empty:
            till.screen.banner.show_error(tr("There is nothing to park"))
            return
        dialog = TextDialog(
            till.screen,
            tr("Park the sale"),
            tr("A label to find it again (optional), e.g. the customer's name."),
        )
        till.open_dialog(dialog, lambda: self._park(dialog.text))

    def _park(self, label: str, then: Callable[[], None] = _nothing) -> None:
        session = self.till.session
        assert session is not None
        sales, operator = session.sales, session.operator

        def parked() -> None:
            self.till.screen.banner.show_success(tr("Sale parked. Recall it with F10."))
            then()

        self._write(lambda draft: sales.park(draft, operator, label), parked)

    def recall(self) -> None:
        till = self.till
        session = till.session
        if session is None or till.cart is None or till.mode is not Mode.SALE or till.busy:
            return
        if not till.cart.is_empty:
            till.screen.banner.show_error(
                tr("Finish, park or void this sale before recalling another")
            )
            return
        till.set_busy(True)
        sales, register = session.sales, session.register_code
        till.runner.submit(lambda: sales.parked(register), self._choose, till.write_failed)

    def _choose(self, parked: list[ParkedSaleSummary]) -> None:
        till = self.till
        till.set_busy(False)
        if not parked or till.formats is None:
            till.screen.banner.show_info(tr("No sales are parked on this register"))
            return
        dialog = ParkedDialog(till.screen, parked, till.formats)
        till.open_dialog(dialog, lambda: self._recall(dialog.chosen))

    def _recall(self, parked_id: int | None) -> None:
        till = self.till
        session = till.session
        if parked_id is None or session is None:
            return
        sales, operator = session.sales, session.operator

        def recalled(found: OpenSale) -> None:
            till.set_busy(False)
            till.new_sale(found.cart, found.approver)
            message = tr("Sale recalled")
            if found.approval_lapsed:
                message += ". " + tr("Its manager's approval no longer holds: it is asked again.")
            till.screen.banner.show_success(message)

        till.set_busy(True)
        till.runner.submit(lambda: sales.recall(parked_id, operator), recalled, till.write_failed)

    # Voiding -----------------------------------------------------------------------
    def void(self) -> None:
        till = self.till
        cart = till.cart
        if cart is None or cart.is_empty or till.mode is not Mode.SALE or till.busy:
            return
        dialog = ConfirmDialog(
            till.screen,
            tr("Void this sale?"),
            tr("All {count} line(s) will be removed.").format(count=len(cart.lines)),
            tr("Void sale  ⏎"),
        )
        till.open_dialog(dialog, lambda: self._void(""))

    def _void(self, reason: str, then: Callable[[], None] = _nothing) -> None:
        session = self.till.session
        assert session is not None
        sales, operator = session.sales, session.operator

        def voided() -> None:
            self.till.screen.banner.show_info(tr("Sale voided"))
            then()

        self._write(lambda draft: sales.void(draft, operator, reason), voided)

    def _ask_void_reason(self, then: Callable[[], None]) -> None:
        till = self.till
        payment = till.payment.payment
        assert payment is not None
        dialog = TextDialog(
            till.screen,
            tr("Void the sale?"),
            tr("Payments were taken: {give_back}. Why is the sale voided?").format(
                give_back=give_back(payment.tenders, till.fmt())
            ),
            required=tr(VOID_REASON_NEEDED),
            ok_text=tr("Void sale  ⏎"),
            max_length=200,
        )
        till.open_dialog(dialog, lambda: self._void(dialog.text, then))

    # Leaving -----------------------------------------------------------------------
    def leave(self, then: Callable[[], None]) -> None:
        """Sign-out or closing: ``then`` once no sale is in progress, after asking what to
        do with one."""
        till = self.till
        if till.busy or till.payment.completing:
            till.screen.banner.show_error(tr("Wait until the sale is saved"))
            return
        if till.dialog is not None:
            return  # finish the question on screen first
        if till.session is None or not till.sale_in_progress:
            then()
            return
        cart = till.cart
        assert cart is not None
        if till.payment.has_tenders:
            payment = till.payment.payment
            assert payment is not None
            dialog = ChoiceDialog(
                till.screen,
                tr("Payments were taken"),
                tr(
                    "This sale has payments taken ({what}): complete it, or void it with a reason."
                ).format(what=give_back(payment.tenders, till.fmt())),
                [("void", tr("Void the sale…"))],
                cancel_text=tr("Back to the sale  Esc"),
            )
            till.open_dialog(dialog, lambda: self._ask_void_reason(then))
            return
        total = till.fmt().money(cart.totals().total)
        dialog = ChoiceDialog(
            till.screen,
            tr("A sale is in progress"),
            tr("{count} line(s), {total}. Park it to finish later, or void it?").format(
                count=len(cart.lines), total=total
            ),
            [("park", tr("Park it  ⏎")), ("void", tr("Void it"))],
            cancel_text=tr("Back to the sale  Esc"),
        )

        def chosen() -> None:
            if dialog.chosen == "park":
                self._park("", then)
            else:
                self._void("", then)

        till.open_dialog(dialog, chosen)
