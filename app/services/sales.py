"""Ringing up: look items up, complete a sale in one transaction, park and recall carts."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from app.domain.barcode import normalise_code
from app.domain.cart import Cart, CartItem, check_quantity
from app.domain.money import Money
from app.domain.pricing import LineInput, Totals, price, round_cash
from app.domain.tender import Tender, TenderKind, check_card_reference
from app.domain.text import search_terms
from app.domain.timecheck import check_sale_time
from app.domain.users import Operator, Permission
from app.dto.sales import (
    CompleteSale,
    ParkedSaleSummary,
    ReceiptLine,
    ReceiptTaxBand,
    SaleLineCommand,
    SaleReceipt,
    SearchResult,
)
from app.dto.shop import ShopSettings
from app.errors import (
    DuplicateSale,
    NotFound,
    PermissionDenied,
    SaleNotPayable,
    StockShort,
    UserError,
)
from app.ports.storage import CatalogReader, UnitOfWorkFactory
from app.ports.system import Clock

log = logging.getLogger(__name__)

SEARCH_LIMIT = 50
MAX_LINES = 500


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


@dataclass(frozen=True, slots=True)
class _Checked:
    items: dict[int, CartItem]
    totals: Totals
    approved_by: int | None


class SaleService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        catalog: CatalogReader,
        clock: Clock,
        settings: ShopSettings,
    ) -> None:
        self._uow_factory = uow_factory
        self._catalog = catalog
        self._clock = clock
        self.settings = settings

    # Lookup (read path, called on every scan) ---------------------------------------
    def lookup(self, code: str) -> CartItem:
        code = code.strip()
        if not code:
            raise NotFound("Scan or type a barcode or SKU")
        item = self._catalog.item_by_code(normalise_code(code))
        if item is None:
            raise NotFound(f"No product has the barcode or SKU {code}")
        return item

    def search(self, query: str) -> SearchResult:
        terms = search_terms(query)
        if not terms:
            return SearchResult((), query, ())
        return SearchResult(tuple(self._catalog.search(terms, SEARCH_LIMIT)), query, tuple(terms))

    def new_cart(self) -> Cart:
        return Cart(self.settings.currency, self.settings.prices_include_tax)

    # Completion -----------------------------------------------------------------------
    def complete(
        self, command: CompleteSale, operator: Operator, approver: Operator | None = None
    ) -> SaleReceipt:
        """Write the sale, its lines, payments, stock moves, receipt number and journal entry
        in ONE transaction. The same ``sale_id`` twice yields the first sale, unchanged."""
        require(operator, None, Permission.SELL, "Selling")
        if not command.lines:
            raise SaleNotPayable("The sale has no lines")
        if len(command.lines) > MAX_LINES:
            raise SaleNotPayable(f"A sale may have at most {MAX_LINES} lines")
        try:
            with self._uow_factory() as uow:
                existing = uow.sales.receipt(command.sale_id)
                if existing is not None:
                    return _replayed(existing)
                checked = self._check(
                    command,
                    operator,
                    approver,
                    uow.catalog.items_for_sale([ln.variant_id for ln in command.lines]),
                )
                now = self._clock.now()
                # A clock gone back, or running ahead of the database's: refuse, with advice.
                check_sale_time(now, *uow.registers.sale_clock(command.register_code))
                receipt_no = uow.registers.next_receipt_no(command.register_code)
                uow.stock.take(
                    [(line.variant_id, line.quantity) for line in command.lines],
                    "sale",
                    command.sale_id,
                    now,
                    operator.user_id,
                )
                draft = _receipt(command, checked, receipt_no, now, operator)
                seq, hash_ = uow.journal.append(
                    "sale",
                    command.register_code,
                    operator.user_id,
                    now,
                    _journal_body(draft, checked.approved_by),
                )
                receipt = replace(draft, journal_seq=seq, journal_hash=hash_)
                uow.sales.add(
                    receipt,
                    operator.user_id,
                    checked.approved_by,
                    [ln.variant_id for ln in command.lines],
                    [ln.price_overridden for ln in command.lines],
                )
                uow.changed("sale", command.sale_id)
                uow.changed("stock")
                uow.commit()
        except StockShort as short:
            with self._uow_factory() as uow:
                raise uow.stock.shortage(short.lines) from None
        except DuplicateSale:
            # Another attempt with the same id committed between our check and our insert.
            with self._uow_factory() as uow:
                existing = uow.sales.receipt(command.sale_id)
            if existing is None:  # pragma: no cover - the database just said it exists
                raise
            return _replayed(existing)
        log.info("sale %s committed as %s/%d", command.sale_id, command.register_code, receipt_no)
        return receipt

    def _check(
        self,
        command: CompleteSale,
        operator: Operator,
        approver: Operator | None,
        items: dict[int, CartItem],
    ) -> _Checked:
        currency = self.settings.currency
        approved_by: int | None = None
        inputs: list[LineInput] = []
        for number, line in enumerate(command.lines, start=1):
            item = items.get(line.variant_id)
            if item is None:
                raise NotFound(f"Line {number}: the item is no longer in the catalog")
            check_quantity(line.quantity, item.sold_by_weight)
            unit_price = item.unit_price
            if line.price_overridden:
                approved_by = (
                    require(operator, approver, Permission.OVERRIDE_PRICE, "Changing a price")
                    or approved_by
                )
                unit_price = line.unit_price
                if unit_price.is_negative():
                    raise UserError(f"Line {number}: a price cannot be negative")
            if line.discount is not None:
                approved_by = (
                    require(operator, approver, Permission.GIVE_DISCOUNT, "A discount")
                    or approved_by
                )
            inputs.append(LineInput(unit_price, line.quantity, item.tax_rate, line.discount))
        if command.order_discount is not None:
            approved_by = (
                require(operator, approver, Permission.GIVE_DISCOUNT, "A discount") or approved_by
            )
        totals = price(
            inputs,
            currency,
            prices_include_tax=self.settings.prices_include_tax,
            order_discount=command.order_discount,
        )
        self._check_tenders(command.tenders, command.rounding, totals.total)
        return _Checked(items, totals, approved_by)

    def _check_tenders(self, tenders: Sequence[Tender], rounding: Money, total: Money) -> None:
        if not tenders and not total.is_zero():
            raise SaleNotPayable("The sale has no payment")
        paid = sum((t.amount for t in tenders), Money.zero(total.currency))
        has_cash = any(t.kind is TenderKind.CASH for t in tenders)
        if not rounding.is_zero():
            increment = self.settings.cash_increment
            card_paid = sum(
                (t.amount for t in tenders if t.kind is TenderKind.CARD), Money.zero(total.currency)
            )
            cash_part = total + rounding - card_paid
            if (
                not has_cash
                or abs(rounding.amount) >= increment
                or round_cash(cash_part, increment) != cash_part
            ):
                raise SaleNotPayable("The cash rounding does not match the shop's setting")
        if paid != total + rounding:
            raise SaleNotPayable(
                f"Payments of {paid.amount} do not match the {(total + rounding).amount} due; "
                "prices may have changed: review the sale"
            )
        for t in tenders:
            if t.amount.is_negative() or t.change.is_negative():
                raise SaleNotPayable("A payment cannot be negative")
            if t.kind is TenderKind.CASH and t.tendered - t.amount != t.change:
                raise SaleNotPayable("Cash handed over, amount and change do not add up")
            if t.kind is TenderKind.CARD and (not t.change.is_zero() or t.tendered != t.amount):
                raise SaleNotPayable("A card payment gives no change")
            check_card_reference(t.reference)  # any tender: no card number is ever stored

    # Parking ------------------------------------------------------------------------
    def park(self, cart: Cart, operator: Operator, register_code: str, label: str = "") -> int:
        require(operator, None, Permission.PARK_SALE, "Parking a sale")
        if cart.is_empty:
            raise UserError("There is nothing to park")
        label = label.strip()[:40] or f"{len(cart.lines)} item(s)"
        with self._uow_factory() as uow:
            parked_id = uow.parked.add(
                register_code,
                operator.user_id,
                label,
                self._clock.now(),
                cart.to_snapshot(),
                cart.totals().total.minor,
            )
            uow.changed("parked", register_code)
            uow.commit()
        return parked_id

    def parked(self, register_code: str) -> list[ParkedSaleSummary]:
        with self._uow_factory() as uow:
            return uow.parked.summaries(register_code)

    def recall(self, parked_id: int, operator: Operator) -> Cart:
        require(operator, None, Permission.PARK_SALE, "Recalling a sale")
        with self._uow_factory() as uow:
            snapshot = uow.parked.take(parked_id)
            uow.changed("parked")
            uow.commit()
        if snapshot is None:
            raise NotFound("That parked sale has already been recalled")
        return Cart.from_snapshot(snapshot)


def commands_from_cart(cart: Cart) -> tuple[SaleLineCommand, ...]:
    return tuple(
        SaleLineCommand(
            ln.item.variant_id, ln.quantity, ln.unit_price, ln.price_overridden, ln.discount
        )
        for ln in cart.lines
    )


def _replayed(existing: SaleReceipt) -> SaleReceipt:
    return replace(existing, already_existed=True)


def _receipt(
    command: CompleteSale,
    checked: _Checked,
    receipt_no: int,
    at: datetime,
    operator: Operator,
) -> SaleReceipt:
    """The receipt as it will be stored; the journal fields are filled in once appended."""
    totals = checked.totals
    lines = tuple(
        ReceiptLine(
            name=checked.items[cmd.variant_id].name,
            sku=checked.items[cmd.variant_id].sku,
            quantity=cmd.quantity,
            unit_price=cmd.unit_price
            if cmd.price_overridden
            else checked.items[cmd.variant_id].unit_price,
            tax_rate=amounts.tax_rate,
            discount=amounts.line_discount + amounts.order_discount,
            tax=amounts.tax,
            gross=amounts.gross,
            sold_by_weight=checked.items[cmd.variant_id].sold_by_weight,
        )
        for cmd, amounts in zip(command.lines, totals.lines, strict=True)
    )
    return SaleReceipt(
        sale_id=command.sale_id,
        register_code=command.register_code,
        receipt_no=receipt_no,
        completed_at=at,
        cashier=operator.display_name,
        lines=lines,
        subtotal=totals.subtotal,
        discount=totals.discount,
        tax=totals.tax,
        total=totals.total,
        rounding=command.rounding,
        bands=tuple(ReceiptTaxBand(b.rate, b.net, b.tax) for b in totals.bands),
        payments=command.tenders,
        journal_seq=0,
        journal_hash="",
    )


def _journal_body(receipt: SaleReceipt, approved_by: int | None) -> dict[str, Any]:
    def amount(m: Money) -> str:
        return str(m.amount)

    return {
        "sale_id": receipt.sale_id,
        "receipt_no": receipt.receipt_no,
        "currency": receipt.total.currency.code,
        "total": amount(receipt.total),
        "tax": amount(receipt.tax),
        "discount": amount(receipt.discount),
        "rounding": amount(receipt.rounding),
        "approved_by": approved_by,
        "lines": [
            {
                "sku": ln.sku,
                "name": ln.name,
                "qty": str(ln.quantity),
                "unit_price": amount(ln.unit_price),
                "tax_rate": str(ln.tax_rate),
                "gross": amount(ln.gross),
            }
            for ln in receipt.lines
        ],
        "payments": [
            {"kind": p.kind.value, "amount": amount(p.amount), "reference": p.reference}
            for p in receipt.payments
        ],
    }
