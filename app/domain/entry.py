"""What the cashier typed in the scan field: a quantity prefix, a code, or a product name.

``3*5012345678900`` (or ``3x``) sells three; ``0.250*PLU00033`` sells 250 g of a weighed item.
Text with letters that does not look like a code is a name to search for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MIN_SEARCH_LENGTH = 3

_QUANTITY_PREFIX = re.compile(r"^\s*(\d{1,4}(?:[.,]\d{1,3})?)\s*[*xX×]\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class ScanEntry:
    """A code or name with the quantity typed before it (None: the default, one)."""

    code: str
    quantity: Decimal | None = None


def parse_entry(text: str) -> ScanEntry:
    """Split an optional ``N*`` / ``Nx`` quantity prefix from the rest of the entry."""
    match = _QUANTITY_PREFIX.match(text)
    if match is None:
        return ScanEntry(text.strip())
    try:
        quantity = Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        return ScanEntry(text.strip())
    return ScanEntry(match.group(2), quantity)


def looks_like_name(text: str) -> bool:
    """True for words to search by ("apple juice", "rice"), false for codes ("G000001",
    "5012345678900", "PLU00033"): a code has digits and no spaces."""
    text = text.strip()
    if len(text) < MIN_SEARCH_LENGTH or not any(c.isalpha() for c in text):
        return False
    return any(c.isspace() for c in text) or not any(c.isdigit() for c in text)


def parse_decimal(text: str) -> Decimal | None:
    """A number typed at the till: digits with ``.`` or ``,`` as the decimal mark (nobody
    types thousands separators at a till). None when it is not a number."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not cleaned or not re.fullmatch(r"\d*\.?\d*", cleaned) or cleaned == ".":
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None
