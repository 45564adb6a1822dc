"""Reading one cell: amounts, codes, names, flags, tax classes and dates.

Each reader raises ParseError with a message naming the column as the file spells it. The
common cases (a plain price, a plain EAN-13) take a fast path: a 100 000 row file is read in
seconds, and an unchanged re-import must cost little more than reading it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Final

from app.domain.barcode import gtin_check_digit, validate_barcode
from app.domain.catalog import CONTROL_CHARACTERS
from app.domain.money import KG_PLACES, quantize, to_decimal
from app.errors import ParseError

# Lengths the database columns hold (db/models.py): checked here so that a long value is a
# row problem the owner can fix instead of a failed write later.
MAX_NAME: Final = 200
MAX_SKU: Final = 64
MAX_HANDLE: Final = 255
MAX_CATEGORY: Final = 120
MAX_OPTIONS: Final = 255
PRICE_PLACES: Final = 2
# Far above any till price or stock count; it also keeps Decimal.quantize inside its
# precision, which would otherwise raise on a value like 1E+40.
_MAX_AMOUNT: Final = Decimal(10) ** 9

TAX_CODES: Final = ("standard", "reduced", "zero")

# Source tax class names (normalised by _tax_key) -> our codes. WooCommerce exports class
# slugs ("reduced-rate"); people typing a file write the display name ("Reduced rate").
_DEFAULT_TAX_CLASSES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "": "standard",
        "standard": "standard",
        "standard-rate": "standard",
        "reduced": "reduced",
        "reduced-rate": "reduced",
        "zero": "zero",
        "zero-rate": "zero",
    }
)

_TRUE: Final = frozenset({"true", "yes", "y", "1", "on", "active"})
_FALSE: Final = frozenset({"false", "no", "n", "0", "off", "inactive"})

# Amounts ---------------------------------------------------------------------------------

_PLAIN_PRICE: Final = re.compile(r"[0-9]{1,9}\.[0-9]{2}")
_PLAIN_INTEGER: Final = re.compile(r"-?[0-9]{1,9}")
# "2,49" from a European spreadsheet. One or two digits after the comma only: "1,500" could be
# a thousands separator, so it stays an error rather than a guess.
_DECIMAL_COMMA: Final = re.compile(r"[+-]?\d+,\d{1,2}")
_CENT: Final = Decimal("0.01")


def amount(raw: str, label: str, places: int, negative_ok: bool = False) -> Decimal:
    """A non-empty amount with at most ``places`` decimals."""
    number = raw
    if _DECIMAL_COMMA.fullmatch(raw.replace(" ", "")):
        number = raw.replace(",", ".")
    value = to_decimal(number, label)
    if value < 0 and not negative_ok:
        raise ParseError(f"{label} {raw!r} is negative")
    if abs(value) >= _MAX_AMOUNT:
        raise ParseError(f"{label} {raw!r} is too large")
    exact = quantize(value, places, ROUND_HALF_UP)
    if exact != value:
        raise ParseError(f"{label} {raw!r} has more than {places} decimals")
    return exact


def price(raw: str, label: str) -> Decimal:
    if _PLAIN_PRICE.fullmatch(raw):
        return Decimal(raw)
    if not raw:
        raise ParseError(f"{label} is empty: every variant needs one")
    return amount(raw, label, PRICE_PLACES)


def cost(raw: str, label: str) -> Decimal | None:
    if not raw:
        return None
    if _PLAIN_PRICE.fullmatch(raw):
        return Decimal(raw)
    return amount(raw, label, PRICE_PLACES)


def stock(raw: str, label: str) -> Decimal | None:
    # Stock may be negative (sold before it was counted) and has grams for weighed goods.
    if not raw:
        return None
    if _PLAIN_INTEGER.fullmatch(raw):
        return Decimal(raw)
    return amount(raw, label, KG_PLACES, negative_ok=True)


# Codes -----------------------------------------------------------------------------------

# "6.69859E+12": what Excel shows for a 13-digit code it took for a number. The digits after
# the sixth are gone, so nothing can be recovered: the owner has to export again.
_EXCEL_NUMBER: Final = re.compile(r"[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+")
_GTIN: Final = re.compile(r"[0-9]{8}|[0-9]{12,13}")
_BARCODE_SPLIT: Final = re.compile(r"[|;]")


def _excel_number(raw: str, label: str) -> ParseError:
    return ParseError(
        f"{label} {raw!r} was turned into a number by a spreadsheet (its last digits are "
        "lost): format the column as text in the spreadsheet and export again"
    )


def _apostrophe(raw: str, label: str, warnings: list[str]) -> str:
    # A leading apostrophe is Excel's "keep this as text" mark, sometimes exported with it.
    cleaned = raw[1:].strip()
    warnings.append(
        f"{label} {raw!r}: the leading apostrophe was removed (a spreadsheet's text mark)"
    )
    return cleaned


def code(raw: str, label: str, limit: int, warnings: list[str]) -> str:
    """A SKU or handle: kept as typed, but no invisible characters, no spreadsheet damage and
    not too long."""
    if raw.startswith("'"):
        raw = _apostrophe(raw, label, warnings)
        if not raw:
            raise ParseError(f"{label} is empty once its apostrophe is removed")
    if len(raw) > limit:
        raise ParseError(
            f"{label} {raw[:20]!r}… is {len(raw)} characters long; at most {limit} fit"
        )
    if not raw.isprintable():
        bad = next(c for c in raw if not c.isprintable())
        raise ParseError(
            f"{label} {raw!r} contains tabs, line breaks or invisible characters (U+{ord(bad):04X})"
        )
    if _EXCEL_NUMBER.fullmatch(raw):
        raise _excel_number(raw, label)
    return raw


def barcodes(raw: str, label: str, warnings: list[str]) -> tuple[str, ...]:
    """The barcodes of one cell ("|" or ";" between several), checked and in stored form."""
    if _GTIN.fullmatch(raw):
        # The common case: one GTIN. Same rule as app.domain.barcode.validate_barcode.
        if int(raw[-1]) != gtin_check_digit(raw[:-1]):
            return (validate_barcode(raw),)  # raises, naming the expected digit
        return ("0" + raw,) if len(raw) == 12 else (raw,)
    codes: list[str] = []
    for part in _BARCODE_SPLIT.split(raw):
        part = part.strip()
        if part.startswith("'"):
            part = _apostrophe(part, label, warnings)
        if not part:
            continue
        if _EXCEL_NUMBER.fullmatch(part):
            raise _excel_number(part, label)
        if CONTROL_CHARACTERS.search(part):
            bad = CONTROL_CHARACTERS.search(part)
            assert bad is not None
            raise ParseError(
                f"{label} {part!r} contains the control character U+{ord(bad.group()):04X}"
            )
        stored = validate_barcode(part)
        if stored not in codes:
            codes.append(stored)
    return tuple(codes)


# Text ------------------------------------------------------------------------------------

# Tabs and line breaks inside a name are folded to spaces; every other control character is
# refused: ESC or BEL in a name would reach the receipt printer as a command.
_TEXT_CONTROLS: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text(raw: str, label: str, limit: int) -> str:
    found = _TEXT_CONTROLS.search(raw)
    if found is not None:
        raise ParseError(
            f"{label} {raw[:30]!r} contains the control character U+{ord(found.group()):04X}; "
            "it would reach the receipt printer as a command"
        )
    value = " ".join(raw.split())
    if len(value) > limit:
        raise ParseError(
            f"{label} {value[:30]!r}… is {len(value)} characters long; at most {limit} fit"
        )
    return value


def name(raw: str, label: str) -> str:
    value = text(raw, label, MAX_NAME)
    if not value:
        raise ParseError(f"{label} is empty: the product needs a name")
    return value


def flag(raw: str, label: str, default: bool) -> bool:
    key = raw.casefold()
    if not key:
        return default
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ParseError(f"{label} {raw!r} should be TRUE or FALSE")


_DATE: Final = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?"
)


def moment(raw: str, label: str, end_of_day: bool) -> datetime | None:
    """A shop-local date (and time) as WooCommerce writes it: 2024-05-31 or
    2024-05-31 23:59:59. A date alone means the day's start, or its end for ``end_of_day``."""
    if not raw:
        return None
    found = _DATE.fullmatch(raw)
    try:
        if found is None:
            raise ValueError
        year, month, day, hour, minute, second = found.groups()
        if hour is None:
            clock = (23, 59, 59) if end_of_day else (0, 0, 0)
        else:
            clock = (int(hour), int(minute), int(second or 0))
        return datetime(int(year), int(month), int(day), *clock)
    except ValueError:
        raise ParseError(f"{label} {raw!r} is not a date like 2024-05-31") from None


# Tax classes -----------------------------------------------------------------------------


def _tax_key(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().casefold())


class TaxClasses:
    def __init__(self, extra: Mapping[str, str] | None) -> None:
        self._map = dict(_DEFAULT_TAX_CLASSES)
        self._known = set(TAX_CODES)
        for source, code_ in (extra or {}).items():
            self._map[_tax_key(source)] = code_
            self._known.add(code_)

    def code(self, raw: str, label: str) -> str:
        key = _tax_key(raw)
        if key in self._map:
            return self._map[key]
        for known in sorted(self._known):
            if _tax_key(known) == key:
                return known
        names = ", ".join(sorted(self._known))
        raise ParseError(f"{label} {raw!r} is not a tax class this shop knows ({names})")


# Made-up SKUs and options ------------------------------------------------------------------


def digest(value: str) -> str:
    return hashlib.blake2s(value.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()


def slug(value: str) -> str:
    plain = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", "-", plain).strip("-")


def make_sku(handle: str, option_values: Sequence[str]) -> str:
    """The SKU given to a Shopify variant whose SKU cell is empty (see the package notes)."""
    words = [slug(w) or digest(w) for w in (handle, *option_values)]
    sku = "-".join(words)
    if len(sku) > MAX_SKU:
        sku = f"{sku[:55].rstrip('-')}-{digest(sku)}"
    return sku


def options_fit(options: tuple[tuple[str, str], ...]) -> None:
    shown = " / ".join(f"{n}: {v}" for n, v in options)
    if len(shown) > MAX_OPTIONS:
        raise ParseError(
            f"The option names and values {shown[:30]!r}… are {len(shown)} characters long; "
            f"at most {MAX_OPTIONS} fit"
        )
