"""What the cashier typed in the scan field: a quantity prefix, a code, or a product name.

``3*5012345678900`` (or ``3x``) sells three; ``0.250*PLU00033`` sells 250 g of a weighed item.
Text with letters that does not look like a code is a name to search for. Whatever stands
before a ``*`` is a quantity, so ``-1*code``, ``abc*code`` and ``99999*code`` are refused
with what is wrong with the quantity rather than looked up as codes. ``x`` is a separator only
after digits, and codes may hold an ``x`` (``2x4-PLANK``): :attr:`ScanEntry.whole` keeps the
text as typed for that case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app.domain.cart import MAX_QUANTITY
from app.domain.money import KG_PLACES
from app.domain.pricing import Discount, DiscountKind
from app.errors import UserError

MIN_SEARCH_LENGTH = 3

_STAR_PREFIX = re.compile(r"^\s*([^*×]*?)\s*[*×]\s*(.*?)\s*$")
_X_PREFIX = re.compile(r"^\s*([-+]?\d[\d.,]*)\s*[xX]\s*(.*?)\s*$")
_NUMBER = re.compile(r"[-+]?(\d+([.,]\d*)?|[.,]\d+)")


class BadQuantity(UserError):
    """The quantity typed before ``*`` cannot be sold: the message says why."""


@dataclass(frozen=True, slots=True)
class ScanEntry:
    """A code or name with the quantity typed before it (None: the default, one).

    ``whole`` is the text as typed when the prefix may also be part of a code (``2x4-PLANK``):
    a lookup of ``code`` that finds nothing tries ``whole`` before giving up."""

    code: str
    quantity: Decimal | None = None
    whole: str = ""


def check_quantity_text(text: str) -> Decimal:
    """A quantity typed at the till: a positive number of at most four digits and three
    decimals. Raises BadQuantity naming what is wrong."""
    shown = text.strip()
    if not shown:
        raise BadQuantity("Type the quantity before the *, e.g. 3*code")
    if not _NUMBER.fullmatch(shown):
        raise BadQuantity(f"“{shown}” is not a quantity: type a number before the *, e.g. 3*code")
    try:
        quantity = Decimal(shown.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise BadQuantity(f"“{shown}” is not a quantity") from None
    if quantity < 0:
        raise BadQuantity(
            f"{shown} cannot be sold: returns are not possible at the till yet. "
            "Type a quantity of 1 or more"
        )
    if quantity == 0:
        raise BadQuantity("A quantity of 0 sells nothing: type 1 or more before the *")
    if quantity > MAX_QUANTITY:
        raise BadQuantity(
            f"{shown} is more than the till takes on one line (at most {MAX_QUANTITY}): "
            "check the quantity"
        )
    exponent = quantity.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > KG_PLACES:
        raise BadQuantity(f"{shown} has too many decimals: weights take at most three (kg)")
    return quantity


def parse_entry(text: str) -> ScanEntry:
    """Split an optional ``N*`` / ``Nx`` quantity prefix from the rest of the entry.

    Raises BadQuantity when a ``*`` (or ``×``) follows something that is not a quantity the
    till can sell; a bad number before ``x`` is left to the code (it may be a code)."""
    star = _STAR_PREFIX.match(text)
    if star is not None:
        return ScanEntry(star.group(2), check_quantity_text(star.group(1)))
    by_x = _X_PREFIX.match(text)
    if by_x is not None:
        try:
            quantity = check_quantity_text(by_x.group(1))
        except BadQuantity:
            if by_x.group(1).startswith("-"):
                raise  # "-1x code" is a negative quantity, not a code
            return ScanEntry(text.strip())
        return ScanEntry(by_x.group(2), quantity, whole=text.strip())
    return ScanEntry(text.strip())


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


def parse_discount(text: str) -> Discount | None:
    """A discount typed at the till: ``10%`` is ten percent, ``2.50`` is 2.50 off.

    Returns None for ``0`` (no discount); raises UserError for anything else that is not a
    discount (a percent over 100 included)."""
    cleaned = text.strip()
    percent = cleaned.endswith("%")
    value = parse_decimal(cleaned.removesuffix("%").strip())
    if value is None:
        raise UserError(
            f"“{cleaned}” is not a discount: type 10% for ten percent or 2.50 for an amount"
        )
    if value == 0:
        return None
    return Discount(DiscountKind.PERCENT if percent else DiscountKind.AMOUNT, value)
