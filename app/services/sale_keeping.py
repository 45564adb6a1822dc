"""The sale in progress, kept in the database: the draft a till rewrites as it sells, parking
and recall (a manager's approval checked again), voids of tenders and of whole sales, and the
journal entries for what a cashier did to a sale before it completed.

Part of :class:`app.services.sales.SaleService`; kept apart because it is a different job from
ringing up and completing.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.cart import Cart
from app.domain.money import Money
from app.domain.tender import Tender
from app.domain.users import Operator, Permission, is_locked
from app.dto.sales import OpenSale, ParkedSaleSummary, SaleDraft
from app.dto.shop import ShopSettings
from app.errors import NotFound, PermissionDenied, UserError
from app.ports.storage import UnitOfWork, UnitOfWorkFactory
from app.ports.system import Clock
from app.services.sale_records import draft_json, event_body, tender_from, tender_json, void_body


class SaleKeeping:
    """Needs the sale service's unit of work factory, clock and settings."""

    _uow_factory: UnitOfWorkFactory
    _clock: Clock
    settings: ShopSettings

    # The sale in progress, kept in the database ------------------------------------------
    def save_draft(self, draft: SaleDraft, operator: Operator) -> None:
        """Write the register's draft (an empty one drops it) and journal the events the
        cart recorded since the last write, in one transaction. Runs on the database
        worker, coalesced by the till; never on the scan path."""
        with self._uow_factory() as uow:
            self._journal_events(uow, draft, operator)
            self._write_draft(uow, draft, operator)
            uow.commit()

    def void_payments(
        self, draft: SaleDraft, operator: Operator, voided: Sequence[Tender], reason: str
    ) -> None:
        """Tenders taken are given back (cash handed back, card reversed on the terminal) to
        change the sale: journaled with the reason; ``draft`` is the sale without them."""
        reason = _required_reason(reason)
        currency = self.settings.currency
        with self._uow_factory() as uow:
            self._journal_events(uow, draft, operator)
            uow.journal.append(
                "payment.voided",
                draft.register_code,
                operator.user_id,
                self._clock.now(),
                {
                    "sale_id": draft.sale_id,
                    "reason": reason,
                    "total": str(Money.from_minor(draft.total_minor, currency).amount),
                    "payments": [tender_json(t) for t in voided],
                    "approver": draft.cart.get("approved_by"),
                },
            )
            self._write_draft(uow, draft, operator)
            uow.commit()

    def void(self, draft: SaleDraft, operator: Operator, reason: str = "") -> None:
        """Throw the sale in progress away: journaled, with every line and any tender taken
        (then a reason is required)."""
        reason = reason.strip()[:200]
        if draft.tenders:
            reason = _required_reason(reason)
        with self._uow_factory() as uow:
            self._journal_events(uow, draft, operator)
            uow.journal.append(
                "sale.voided",
                draft.register_code,
                operator.user_id,
                self._clock.now(),
                void_body(draft, reason, self.settings.currency),
            )
            uow.parked.drop_draft(draft.register_code)
            uow.commit()

    def open_draft(self, register_code: str) -> OpenSale | None:
        """The sale that was in progress on this register when its till stopped, if any."""
        with self._uow_factory() as uow:
            found = uow.parked.draft(register_code)
            if found is None:
                return None
            data = found.snapshot
            cart = Cart.from_snapshot(data["cart"])
            approver, lapsed = self._approver_still(uow, cart)
        currency = self.settings.currency
        rounding = data.get("rounding")
        return OpenSale(
            cart,
            approver,
            lapsed,
            tuple(tender_from(t, currency) for t in data.get("tenders", ())),
            None if rounding is None else Money.of(rounding, currency),
            data.get("sale_id"),
            found.saved_by,
            found.saved_at,
        )

    def _journal_events(self, uow: UnitOfWork, draft: SaleDraft, operator: Operator) -> None:
        now = self._clock.now()
        for event in draft.events:
            user = event.user_id if event.user_id is not None else operator.user_id
            uow.journal.append(event.kind, draft.register_code, user, now, event_body(event))

    def _write_draft(self, uow: UnitOfWork, draft: SaleDraft, operator: Operator) -> None:
        if draft.is_empty:
            uow.parked.drop_draft(draft.register_code)
            return
        uow.parked.save_draft(
            draft.register_code,
            operator.user_id,
            self._clock.now(),
            draft_json(draft),
            draft.total_minor,
        )

    def _approver_still(self, uow: UnitOfWork, cart: Cart) -> tuple[Operator | None, bool]:
        """The manager who approved this cart, if they still may: (approver, lapsed)."""
        if cart.approved_by is None:
            return None, False
        now = self._clock.now()
        for user in uow.users.approvers():
            if user.user_id == cart.approved_by and not is_locked(user.locked_until, now):
                return Operator(user.user_id, user.username, user.display_name, user.role), False
        cart.approved_by = None
        return None, True

    # Parking ------------------------------------------------------------------------
    def park(self, draft: SaleDraft, operator: Operator, label: str = "") -> int:
        """Put the sale aside under a label (its approval kept); the register's draft goes."""
        require(operator, None, Permission.PARK_SALE, "Parking a sale")
        if not draft.lines:
            raise UserError("There is nothing to park")
        if draft.tenders:
            raise UserError("Payments were taken: complete the sale, or void them first")
        label = label.strip()[:40] or f"{draft.lines} item(s)"
        with self._uow_factory() as uow:
            self._journal_events(uow, draft, operator)
            parked_id = uow.parked.add(
                draft.register_code,
                operator.user_id,
                label,
                self._clock.now(),
                draft.cart,
                draft.total_minor,
            )
            uow.parked.drop_draft(draft.register_code)
            uow.changed("parked", draft.register_code)
            uow.commit()
        return parked_id

    def parked(self, register_code: str) -> list[ParkedSaleSummary]:
        with self._uow_factory() as uow:
            return uow.parked.summaries(register_code)

    def recall(self, parked_id: int, operator: Operator) -> OpenSale:
        """Take a parked sale back; a manager's approval stored with it is checked again."""
        require(operator, None, Permission.PARK_SALE, "Recalling a sale")
        with self._uow_factory() as uow:
            snapshot = uow.parked.take(parked_id)
            if snapshot is None:
                raise NotFound("That parked sale has already been recalled")
            cart = Cart.from_snapshot(snapshot)
            approver, lapsed = self._approver_still(uow, cart)
            uow.changed("parked")
            uow.commit()
        return OpenSale(cart, approver, lapsed)


def require(
    operator: Operator, approver: Operator | None, permission: Permission, what: str
) -> int | None:
    """Check a permission in the service, not only in the UI. Returns the approver's id when
    a manager's approval was needed and given."""
    if operator.can(permission):
        return None
    if approver is not None and approver.can(permission):
        return approver.user_id
    raise PermissionDenied(f"{what} needs a manager's approval")


def _required_reason(reason: str) -> str:
    reason = reason.strip()[:200]
    if not reason:
        raise UserError("Give a reason: payments were taken for this sale")
    return reason
