"""A completed sale as fixed-width receipt text, for the screen and the thermal printer."""

from __future__ import annotations

from app.documents.formatter import Formatter
from app.domain.tender import TenderKind
from app.dto.sales import SaleReceipt

RECEIPT_WIDTH = 42


def _row(left: str, right: str, width: int) -> str:
    room = width - len(right) - 1
    if len(left) > room:
        left = left[: max(room - 1, 0)] + "…"
    return f"{left:<{room}} {right}"


def render_receipt(
    receipt: SaleReceipt, fmt: Formatter, width: int = RECEIPT_WIDTH, duplicate: bool = False
) -> str:
    """Render the receipt as lines of at most ``width`` characters."""
    shop = fmt.settings
    money = fmt.plain

    out: list[str] = []
    out.append(shop.name.center(width).rstrip())
    for address_line in shop.address.splitlines():
        out.append(address_line.center(width).rstrip())
    if shop.tax_id:
        out.append(f"VAT {shop.tax_id}".center(width).rstrip())
    if duplicate:
        out.append("*** DUPLICATE ***".center(width).rstrip())
    out.append("-" * width)
    out.append(
        _row(
            f"Receipt {receipt.register_code}-{receipt.receipt_no:06d}",
            fmt.time(receipt.completed_at),
            width,
        )
    )
    out.append(f"Served by {receipt.cashier}")
    out.append("-" * width)
    rates = {band.rate: chr(ord("A") + i) for i, band in enumerate(receipt.bands)}
    for line in receipt.lines:
        out.append(
            _row(line.name, f"{money(line.gross + line.discount)} {rates[line.tax_rate]}", width)
        )
        if line.quantity != 1 or line.sold_by_weight:
            qty = fmt.quantity(line.quantity, line.sold_by_weight)
            unit = "/kg" if line.sold_by_weight else ""
            out.append(f"  {qty} x {money(line.unit_price)}{unit}")
        if not line.discount.is_zero():
            out.append(_row("  Discount", f"-{money(line.discount)}", width))
    out.append("-" * width)
    if not receipt.discount.is_zero():
        out.append(_row("Subtotal", money(receipt.subtotal), width))
        out.append(_row("Discounts", f"-{money(receipt.discount)}", width))
    out.append(_row(f"TOTAL {receipt.total.currency.code}", money(receipt.total), width))
    if not receipt.rounding.is_zero():
        out.append(_row("Cash rounding", money(receipt.rounding), width))
        out.append(_row("To pay", money(receipt.amount_paid), width))
    for payment in receipt.payments:
        if payment.kind is TenderKind.CASH:
            out.append(_row("Cash", money(payment.tendered), width))
        else:
            ref = f" ({payment.reference})" if payment.reference else ""
            out.append(_row(f"Card{ref}", money(payment.amount), width))
    if not receipt.change.is_zero():
        out.append(_row("Change", money(receipt.change), width))
    out.append("-" * width)
    label = "Incl. tax" if shop.prices_include_tax else "Tax"
    for band in receipt.bands:
        out.append(
            _row(
                f"{rates[band.rate]} {label} {fmt.rate(band.rate)} on {money(band.net)}",
                money(band.tax),
                width,
            )
        )
    out.append("-" * width)
    out.append(f"Journal #{receipt.journal_seq} {receipt.journal_hash[:16]}")
    out.append("Thank you!".center(width).rstrip())
    return "\n".join(out)
