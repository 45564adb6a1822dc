"""Ringing up: what one entry in the scan field does, completing a sale in one transaction,
and the sale in progress kept in the database (its draft, parking, recall, voids)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.domain.barcode import normalise_code
from app.domain.cart import BelowZero, Cart, CartItem, check_quantity
from app.domain.entry import BadQuantity, looks_like_name, parse_entry
from app.domain.money import Money
from app.domain.pricing import LineInput, Totals, price, round_cash
from app.domain.tender import Tender, TenderKind, check_card_reference
from app.domain.text import search_terms
from app.domain.timecheck import check_sale_time
from app.domain.users import Operator, Permission
from app.dto.sales import (
    Added,
    CompleteSale,
    ConfirmQuantity,
    EntryOutcome,
    EntryRefused,
    ItemWanted,
    ReceiptLine,
    ReceiptTaxBand,
    SaleLineCommand,
    SaleReceipt,
    SearchResult,
    SearchWanted,
    WeightWanted,
)
from app.dto.shop import ShopSettings
from app.errors import (
    DuplicateSale,
    InsufficientStock,
    NotFound,
    SaleNotPayable,
    StockShort,
    UserError,
)
from app.ports.storage import CatalogReader, UnitOfWork, UnitOfWorkFactory
from app.ports.system import Clock
from app.services.sale_keeping import SaleKeeping, require

log = logging.getLogger(__name__)

SEARCH_LIMIT = 50
MAX_LINES = 500


@dataclass(frozen=True, slots=True)
class _Checked:
    items: dict[int, CartItem]
    totals: Totals
    approved_by: int | None


class SaleService(SaleKeeping):
    """The till's use cases: one entry in the scan field, one sale completed, and (from
    :class:`SaleKeeping`) the sale in progress kept in the database."""

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

    # The scan field: one call per Enter ------------------------------------------------
    def enter(self, cart: Cart, text: str, *, search: bool = True) -> EntryOutcome:
        """Everything an Enter in the scan field does: read the quantity prefix, look the
        code up (one lookup), and add the item, or say that a name search, a weight or a
        confirmation is wanted, or why nothing was added. ``search=False`` for a scanner
        burst, which is never a name."""
        try:
            entry = parse_entry(text)
        except BadQuantity as error:
            return EntryRefused(error.message)
        if not entry.code:
            if entry.quantity is not None:
                return ItemWanted(entry.quantity)
            return EntryRefused("Scan or type a barcode or SKU")
        quantity = entry.quantity
        item = self._catalog.item_by_code(normalise_code(entry.code))
        if item is None and entry.whole:
            # "2x4-PLANK": the x was part of the code. Only a miss costs this second lookup.
            item, quantity = self._catalog.item_by_code(normalise_code(entry.whole)), None
        if item is None:
            if search and looks_like_name(entry.code):
                return SearchWanted(entry.code, entry.quantity)
            return EntryRefused(f"No product has the barcode or SKU {entry.code}")
        return self.add(cart, item, quantity)

    def add(
        self, cart: Cart, item: CartItem, quantity: Decimal | None, *, confirmed: bool = False
    ) -> EntryOutcome:
        """Add an item found by code or picked from a search (None: one, or ask a weight)."""
        if quantity is None and item.sold_by_weight:
            return WeightWanted(item)
        quantity = Decimal(1) if quantity is None else quantity
        if not confirmed and self.needs_confirmation(quantity):
            return ConfirmQuantity(item, quantity, self.settings.confirm_quantity_above)
        lines_before = len(cart.lines)
        try:
            line = cart.add(item, quantity)
        except UserError as error:
            return EntryRefused(error.message)
        return Added(line, len(cart.lines) > lines_before, cart.stock_note(line))

    def needs_confirmation(self, quantity: Decimal) -> bool:
        """More on one line than the shop's limit: the cashier confirms it first."""
        return quantity > self.settings.confirm_quantity_above

    def stock_refusal(
        self, cart: Cart, operator: Operator, approver: Operator | None
    ) -> str | None:
        """Why this cart cannot go to payment as it stands, by the shelf stock seen at its
        scans (the sale's own transaction checks again): None when it can. ``approver`` is a
        manager who approved selling below zero for this sale, if one did."""
        short = cart.short_lines()
        if not short or self._below_zero_allowed(operator, approver)[0]:
            return None
        line, note = short[0]
        return _shortage_message(line.item.name, note.left, note.wanted, self.settings.below_zero)

    def _below_zero_allowed(
        self, operator: Operator, approver: Operator | None
    ) -> tuple[bool, int | None]:
        """(may this sale take stock below zero, the approver's id if that took approval)."""
        policy = self.settings.below_zero
        if policy is BelowZero.ALLOW:
            return True, None
        if policy is BelowZero.MANAGER:
            if operator.can(Permission.SELL_BELOW_ZERO):
                return True, None
            if approver is not None and approver.can(Permission.SELL_BELOW_ZERO):
                return True, approver.user_id
        return False, None

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
                below_zero, below_zero_by = self._below_zero_allowed(
                    operator, approver if command.sell_below_zero else None
                )
                uow.stock.take(
                    [(line.variant_id, line.quantity) for line in command.lines],
                    "sale",
                    command.sale_id,
                    now,
                    operator.user_id,
                    below_zero=below_zero,
                )
                sold_below = self._sold_below_zero(uow, command, below_zero)
                approved_by = checked.approved_by or (below_zero_by if sold_below else None)
                checked = replace(checked, approved_by=approved_by)
                draft = _receipt(command, checked, receipt_no, now, operator)
                seq, hash_ = uow.journal.append(
                    "sale",
                    command.register_code,
                    operator.user_id,
                    now,
                    _journal_body(draft, checked.approved_by, sold_below),
                )
                receipt = replace(draft, journal_seq=seq, journal_hash=hash_)
                uow.sales.add(
                    receipt,
                    operator.user_id,
                    checked.approved_by,
                    [ln.variant_id for ln in command.lines],
                    [ln.price_overridden for ln in command.lines],
                )
                uow.parked.drop_draft(command.register_code)
                uow.changed("sale", command.sale_id)
                uow.changed("stock")
                uow.commit()
        except StockShort as short:
            raise self._stock_short(short.lines) from None
        except DuplicateSale:
            # Another attempt with the same id committed between our check and our insert.
            with self._uow_factory() as uow:
                existing = uow.sales.receipt(command.sale_id)
            if existing is None:  # pragma: no cover - the database just said it exists
                raise
            return _replayed(existing)
        log.info("sale %s committed as %s/%d", command.sale_id, command.register_code, receipt_no)
        return receipt

    def _sold_below_zero(
        self, uow: UnitOfWork, command: CompleteSale, allowed: bool
    ) -> list[tuple[str, Decimal]]:
        """Which items a sale the shop lets below zero only with a manager took below zero,
        for its journal entry (one read, only for such sales)."""
        if not allowed or self.settings.below_zero is not BelowZero.MANAGER:
            return []
        return uow.stock.below_zero([line.variant_id for line in command.lines])

    def _stock_short(self, lines: Sequence[tuple[int, Decimal]]) -> InsufficientStock:
        """The refusal after a stock take fell short, read in a fresh transaction."""
        with self._uow_factory() as uow:
            found = uow.stock.shortage(lines)
        policy = self.settings.below_zero
        if found is None:
            return InsufficientStock("Another till sold the last units just now: check the stock")
        name, held, wanted = found
        return InsufficientStock(
            _shortage_message(name, max(held, Decimal(0)), wanted, policy),
            approvable=policy is BelowZero.MANAGER,
        )

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


def _shortage_message(name: str, left: Decimal, wanted: Decimal, policy: BelowZero) -> str:
    """Which item, how many left, and what the cashier can do about it."""
    shortage = (
        f"Not enough {name} in stock: {left.normalize():f} left, {wanted.normalize():f} wanted."
    )
    if policy is BelowZero.MANAGER:
        return shortage + " A manager can approve selling it below zero; or remove it."
    return shortage + " Remove it or lower the quantity."


def _journal_body(
    receipt: SaleReceipt, approved_by: int | None, below_zero: Sequence[tuple[str, Decimal]] = ()
) -> dict[str, Any]:
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
        # Only when a manager let it sell stock the shop did not hold: keeps old bodies as
        # they were hashed.
        **(
            {"below_zero": [{"name": n, "left": f"{q.normalize():f}"} for n, q in below_zero]}
            if below_zero
            else {}
        ),
    }
