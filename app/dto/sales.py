"""Sales as the till asks for them and as they are stored: commands, receipts, parked carts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from app.domain.cart import CartItem
from app.domain.money import Money
from app.domain.pricing import Discount
from app.domain.tender import Tender


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
