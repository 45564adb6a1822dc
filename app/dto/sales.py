"""Sales as the till asks for them and as they are stored: what one entry in the scan field
did, commands, receipts, parked carts and the draft of the sale in progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.domain.cart import Cart, CartEvent, CartItem, CartLine, StockNote
from app.domain.money import Money
from app.domain.pricing import Discount
from app.domain.tender import Tender
from app.domain.users import Operator

# What one Enter in the scan field did (SaleService.enter) ---------------------------------


@dataclass(frozen=True, slots=True)
class Added:
    """A line was added (``new_line``) or a repeat scan increased it. ``stock`` is set when
    the cart now sells more of the item than was on hand."""

    line: CartLine
    new_line: bool
    stock: StockNote | None = None


@dataclass(frozen=True, slots=True)
class SearchWanted:
    """No code matched and the text reads as a name: show the search results for it."""

    query: str
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class WeightWanted:
    """A weighed item was scanned without a weight: ask for it."""

    item: CartItem


@dataclass(frozen=True, slots=True)
class ConfirmQuantity:
    """More than the shop's limit on one line: ask before adding."""

    item: CartItem
    quantity: Decimal
    limit: Decimal


@dataclass(frozen=True, slots=True)
class ItemWanted:
    """Only a quantity was typed ("3*"): the item comes next."""

    quantity: Decimal


@dataclass(frozen=True, slots=True)
class EntryRefused:
    """Nothing was added; ``message`` says what was wrong."""

    message: str


EntryOutcome = Added | SearchWanted | WeightWanted | ConfirmQuantity | ItemWanted | EntryRefused


@dataclass(frozen=True, slots=True)
class SaleLineCommand:
    """A cart line as the till asks for it to be sold."""

    variant_id: int
    quantity: Decimal
    unit_price: Money
    price_overridden: bool = False
    discount: Discount | None = None


@dataclass(frozen=True, slots=True)
class CompleteSale:
    """Everything needed to write a sale. ``sale_id`` is made by the till so that a retry of
    the same command is recognised and yields the same sale."""

    sale_id: str
    register_code: str
    lines: tuple[SaleLineCommand, ...]
    tenders: tuple[Tender, ...]
    rounding: Money
    order_discount: Discount | None = None
    sell_below_zero: bool = False
    """A manager approved, for this sale, selling stock the shop does not hold (by the
    shop's setting it then goes through; the approver is the one given to complete)."""


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    name: str
    sku: str
    quantity: Decimal
    unit_price: Money
    tax_rate: Decimal
    discount: Money
    tax: Money
    gross: Money
    sold_by_weight: bool = False


@dataclass(frozen=True, slots=True)
class ReceiptTaxBand:
    rate: Decimal
    net: Money
    tax: Money


@dataclass(frozen=True, slots=True)
class SaleReceipt:
    """A completed sale, as printed and as shown on screen."""

    sale_id: str
    register_code: str
    receipt_no: int
    completed_at: datetime
    cashier: str
    lines: tuple[ReceiptLine, ...]
    subtotal: Money
    discount: Money
    tax: Money
    total: Money
    rounding: Money
    bands: tuple[ReceiptTaxBand, ...]
    payments: tuple[Tender, ...]
    journal_seq: int
    journal_hash: str
    already_existed: bool = False

    @property
    def change(self) -> Money:
        return sum((p.change for p in self.payments), Money.zero(self.total.currency))

    @property
    def amount_paid(self) -> Money:
        return self.total + self.rounding


@dataclass(frozen=True, slots=True)
class ParkedSaleSummary:
    parked_id: int
    label: str
    parked_at: datetime
    parked_by: str
    lines: int
    total: Money


@dataclass(frozen=True, slots=True)
class SearchResult:
    items: tuple[CartItem, ...]
    query: str
    terms: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class SaleDraft:
    """The sale in progress as the till hands it to be written off the UI thread: frozen
    copies of the cart, its tenders and the journal events recorded since the last write."""

    register_code: str
    cart: dict[str, Any]
    total_minor: int
    lines: int
    tenders: tuple[Tender, ...] = ()
    rounding: Money | None = None
    sale_id: str | None = None
    events: tuple[CartEvent, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.tenders


@dataclass(frozen=True, slots=True)
class OpenSale:
    """A sale taken up again: recalled from park, or the draft a till left when it stopped.

    ``approver`` is the manager whose approval was stored with it, checked again now;
    ``approval_lapsed`` says one was stored but no longer holds (asked for again at PAY)."""

    cart: Cart
    approver: Operator | None = None
    approval_lapsed: bool = False
    tenders: tuple[Tender, ...] = ()
    rounding: Money | None = None
    sale_id: str | None = None
    saved_by: str = ""
    saved_at: datetime | None = None
