"""How sales in progress are written down: the draft's JSON, tenders, and journal bodies for
what a cashier did to a sale (events, voids) — the sale service's bookkeeping, kept apart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.domain.cart import Cart, CartEvent
from app.domain.money import Currency, Money
from app.domain.tender import Tender, TenderKind
from app.dto.sales import SaleDraft


def draft_of(
    cart: Cart,
    register_code: str,
    tenders: Sequence[Tender] = (),
    rounding: Money | None = None,
    sale_id: str | None = None,
) -> SaleDraft:
    """Freeze the cart for a write off the UI thread; takes the cart's pending events."""
    return SaleDraft(
        register_code=register_code,
        cart=cart.to_snapshot(),
        total_minor=cart.totals().total.minor,
        lines=len(cart.lines),
        tenders=tuple(tenders),
        rounding=rounding,
        sale_id=sale_id,
        events=tuple(cart.take_events()),
    )


def tender_json(tender: Tender) -> dict[str, str]:
    return {
        "kind": tender.kind.value,
        "amount": str(tender.amount.amount),
        "tendered": str(tender.tendered.amount),
        "change": str(tender.change.amount),
        "reference": tender.reference,
    }


def tender_from(data: Mapping[str, str], currency: Currency) -> Tender:
    return Tender(
        TenderKind(data["kind"]),
        Money.of(data["amount"], currency),
        Money.of(data["tendered"], currency),
        Money.of(data["change"], currency),
        str(data.get("reference", "")),
    )


def draft_json(draft: SaleDraft) -> dict[str, Any]:
    """What the draft row stores: the cart, the tenders taken and the sale id."""
    return {
        "cart": draft.cart,
        "tenders": [tender_json(t) for t in draft.tenders],
        "rounding": None if draft.rounding is None else str(draft.rounding.amount),
        "sale_id": draft.sale_id,
    }


def event_body(event: CartEvent) -> dict[str, Any]:
    return {**event.data, "approver": event.approver_id}


def void_body(draft: SaleDraft, reason: str, currency: Currency) -> dict[str, Any]:
    """A voided sale as the journal keeps it: every line, the total and any tender taken."""
    return {
        "sale_id": draft.sale_id,
        "reason": reason,
        "approver": draft.cart.get("approved_by"),
        "total": str(Money.from_minor(draft.total_minor, currency).amount),
        "lines": [
            {
                "sku": line["sku"],
                "name": line["name"],
                "qty": line["quantity"],
                "unit_price": line["unit_price"],
            }
            for line in draft.cart["lines"]
        ],
        "payments": [tender_json(t) for t in draft.tenders],
    }
