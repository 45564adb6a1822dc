"""The sale in progress kept in the database, so that a till that dies loses nothing.

The cart is frozen on the UI thread (a few hundred lines are microseconds to copy) and written
by the database worker, never on the scan path: writes are coalesced to one every
:data:`DRAFT_INTERVAL_MS` while items are scanned, one at once on every change of tender,
and none while the sale itself is being written (its transaction drops the draft). The
journal events the cart recorded go in the same transaction as the draft. When a register's
till next signs in, the draft it finds is restored, with its tenders and its approval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from app.domain.cart import Cart
from app.dto.sales import OpenSale, SaleDraft
from app.services.sale_records import draft_of
from ui.common.failures import describe_failure
from ui.common.i18n import tr

if TYPE_CHECKING:
    from ui.till.controller import TillController

log = logging.getLogger(__name__)

DRAFT_INTERVAL_MS = 300
RETRY_MS = 2000


class DraftKeeper(QObject):
    def __init__(self, till: TillController) -> None:
        super().__init__(till)
        self.till = till
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DRAFT_INTERVAL_MS)
        self._timer.timeout.connect(self._write)
        self._dirty = False
        self._urgent = False  # asked for at once while a write was in flight
        self._writing = False
        self._held = False
        self._stored = False  # this register has a draft row, as far as this till knows
        self.restoring = False  # looking for a draft at sign-in: scans wait for the answer
        self._waiting: list[Callable[[], None]] = []

    def changed(self) -> None:
        """The cart changed: write it within the interval."""
        if self._held or self.till.session is None:
            return
        self._dirty = True
        if not self._writing and not self._timer.isActive():
            self._timer.start(DRAFT_INTERVAL_MS)

    def now(self) -> None:
        """Write at once (a tender was taken, payment started)."""
        if self._held or self.till.session is None:
            return
        self._dirty = True
        self._urgent = self._writing
        self._timer.stop()
        self._write()

    def flush(self) -> None:
        """The window is closing: write what is pending even behind a write in flight (the
        runner finishes its queue before the process ends, in order)."""
        if self._held or self.till.session is None or not self._dirty:
            return
        self._timer.stop()
        self._write(force=True)

    def hold(self) -> None:
        """The sale is being written: whatever is pending goes first, then nothing more."""
        if self._dirty:
            self.now()
        self._held = True
        self._timer.stop()

    def release(self) -> None:
        """The sale was not written after all: its draft stays, and is kept up again."""
        self._held = False

    def dropped(self) -> None:
        """The sale's own transaction (completed, parked, voided) dropped the draft."""
        self._held = False
        self._dirty = False
        self._stored = False
        self._timer.stop()

    def stop(self) -> None:
        self._timer.stop()
        self._dirty = False

    def _write(self, *, force: bool = False) -> None:
        till = self.till
        session, cart = till.session, till.cart
        if not self._dirty or (self._writing and not force) or session is None or cart is None:
            return  # a write in flight re-arms the timer when it is done
        payment = till.payment.payment
        tenders = tuple(payment.tenders) if payment is not None else ()
        if cart.is_empty and not tenders and not self._stored:
            self._dirty = False  # nothing kept, nothing to keep
            return
        draft = draft_of(
            cart,
            session.register_code,
            tenders,
            payment.rounding if payment is not None else None,
            till.payment.sale_id if payment is not None else None,
        )
        self._dirty = False
        self._writing = True
        sales, operator = session.sales, session.operator
        till.runner.submit(
            lambda: sales.save_draft(draft, operator),
            lambda _none: self._written(draft),
            lambda error: self._failed(cart, draft, error),
        )

    def _written(self, draft: SaleDraft) -> None:
        self._writing = False
        self._stored = not draft.is_empty
        self.till.screen.draft_saved.emit()
        if self._dirty and not self._held:
            if self._urgent:
                self._urgent = False
                self._write()
            else:
                self._timer.start(DRAFT_INTERVAL_MS)

    def _failed(self, cart: Cart, draft: SaleDraft, error: Exception) -> None:
        self._writing = False
        log.warning("the sale in progress could not be kept: %s", describe_failure(error))
        if draft.events:
            if self.till.cart is cart:
                cart.give_back_events(list(draft.events))
            else:  # pragma: no cover - the sale was completed meanwhile
                log.error("journal events of a finished sale were not written: %s", draft.events)
        self._dirty = True
        if not self._held:
            self._timer.start(RETRY_MS)

    # Restoring -------------------------------------------------------------------------
    def restore(self) -> None:
        """At sign-in: the sale this register's till had open when it stopped, if any."""
        till = self.till
        session = till.session
        assert session is not None
        sales, register = session.sales, session.register_code
        self.restoring = True
        till.runner.submit(lambda: sales.open_draft(register), self._found, self._not_found)

    def after_restore(self, then: Callable[[], None]) -> None:
        """Run ``then`` (a scan that came in meanwhile) once the draft is restored."""
        self._waiting.append(then)

    def _restored(self) -> None:
        self.restoring = False
        waiting, self._waiting = self._waiting, []
        for then in waiting:
            then()

    def _found(self, found: OpenSale | None) -> None:
        try:
            self._take_up(found)
        finally:
            self._restored()

    def _take_up(self, found: OpenSale | None) -> None:
        till = self.till
        if found is None or till.session is None:
            return  # none, or signed out meanwhile: it is found at the next sign-in
        self._stored = True
        till.new_sale(found.cart, found.approver)
        when = till.fmt().time(found.saved_at) if found.saved_at is not None else ""
        message = tr("The sale {who} had open at {when} is back: the till stopped.").format(
            who=found.saved_by, when=when
        )
        if found.approval_lapsed:
            message += " " + tr("Its manager's approval no longer holds: it is asked again.")
        if found.tenders:
            till.payment.resume(found.tenders, found.rounding, found.sale_id)
        till.screen.banner.show_info(message)

    def _not_found(self, error: Exception) -> None:
        self._restored()
        self.till.screen.banner.show_error(
            tr("Could not look for a sale left open: {why}").format(why=describe_failure(error))
        )
