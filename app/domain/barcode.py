"""Barcode validation and normalisation: EAN-13, EAN-8, UPC-A and internal codes.

GTINs are stored and looked up in one form: UPC-A (12 digits) becomes EAN-13 with a leading
zero, so a product is found whichever way the scanner is set to send it.
"""

from __future__ import annotations

from app.errors import ParseError

_GTIN_LENGTHS = {8: "EAN-8", 12: "UPC-A", 13: "EAN-13"}
MAX_CODE_LENGTH = 48


def gtin_check_digit(body: str) -> int:
    """GS1 check digit for the digits before it: weights 3,1,3… from the right."""
    # The last digit weighs 3, the one before it 1, and so on (slices: an import checks
    # hundreds of thousands of codes).
    total = 3 * sum(map(int, body[-1::-2])) + sum(map(int, body[-2::-2]))
    return (10 - total % 10) % 10


def normalise_code(raw: str) -> str:
    """A scanned or typed code as it is stored: trimmed, UPC-A widened to EAN-13."""
    code = raw.strip()
    if len(code) == 12 and code.isascii() and code.isdigit():
        return "0" + code
    return code


def validate_barcode(raw: str) -> str:
    """Check a barcode for the catalog and return its stored form.

    An all-digit code of GTIN length must carry a correct check digit; any other printable
    code up to 48 characters is accepted as an internal code.
    """
    code = raw.strip()
    if not code:
        raise ParseError("The barcode is empty")
    if len(code) > MAX_CODE_LENGTH:
        raise ParseError(f"Barcode {code[:20]}… is longer than {MAX_CODE_LENGTH} characters")
    if not code.isprintable() or any(c.isspace() for c in code):
        raise ParseError(f"Barcode {code!r} contains spaces or control characters")
    kind = _GTIN_LENGTHS.get(len(code))
    if kind and code.isascii() and code.isdigit():
        expected = gtin_check_digit(code[:-1])
        if int(code[-1]) != expected:
            raise ParseError(f"{kind} barcode {code} has a wrong check digit (expected {expected})")
    return normalise_code(code)


def make_ean13(body12: str) -> str:
    """Complete 12 digits into an EAN-13 by appending the check digit."""
    if len(body12) != 12 or not body12.isdigit():
        raise ValueError("an EAN-13 body is exactly 12 digits")
    return body12 + str(gtin_check_digit(body12))
