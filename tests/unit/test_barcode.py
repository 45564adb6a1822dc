"""Unit and property tests for app.domain.barcode: GTIN check digits and normalisation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.barcode import (
    MAX_CODE_LENGTH,
    gtin_check_digit,
    make_ean13,
    normalise_code,
    validate_barcode,
)
from app.errors import ParseError

PROPERTY = settings(deadline=None, max_examples=200)

digit_strings = st.text(alphabet="0123456789", min_size=1, max_size=20)


# Check digits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("400638133393", 1),  # EAN-13
        ("9638507", 4),  # EAN-8
        ("03600029145", 2),  # UPC-A
        ("000000000000", 0),
    ],
)
def test_gtin_check_digit(body: str, check: int) -> None:
    assert gtin_check_digit(body) == check


# validate_barcode ---------------------------------------------------------------------


def test_a_valid_ean13_is_accepted_unchanged() -> None:
    assert validate_barcode("4006381333931") == "4006381333931"


def test_an_ean13_with_a_wrong_check_digit_names_the_expected_digit() -> None:
    with pytest.raises(ParseError, match=r"EAN-13 .*wrong check digit \(expected 1\)"):
        validate_barcode("4006381333932")


def test_a_valid_ean8_is_accepted_unchanged() -> None:
    assert validate_barcode("96385074") == "96385074"


def test_an_ean8_with_a_wrong_check_digit_is_rejected() -> None:
    with pytest.raises(ParseError, match=r"EAN-8 .*\(expected 4\)"):
        validate_barcode("96385075")


def test_upc_a_is_widened_to_ean13() -> None:
    assert validate_barcode("036000291452") == "0036000291452"
    assert validate_barcode("0036000291452") == "0036000291452"


def test_a_upc_a_with_a_wrong_check_digit_is_rejected() -> None:
    with pytest.raises(ParseError, match=r"UPC-A .*\(expected 2\)"):
        validate_barcode("036000291453")


@pytest.mark.parametrize(
    "code",
    ["ABC-123", "SKU_0001", "12345", "123456789", "4006381333931X", "café-42", "A" * 48],
)
def test_internal_codes_are_accepted_as_typed(code: str) -> None:
    assert validate_barcode(code) == code


def test_surrounding_white_space_is_trimmed() -> None:
    assert validate_barcode("  4006381333931\r\n") == "4006381333931"
    assert validate_barcode("\tABC-123 ") == "ABC-123"


@pytest.mark.parametrize(
    "code",
    ["ABC 123", "ABC\t123", "ABC\x00123", "AB\x07C", "12\u00a034", "AB\u200bC", "A\nB"],
)
def test_inner_white_space_and_control_characters_are_rejected(code: str) -> None:
    with pytest.raises(ParseError, match="spaces or control characters"):
        validate_barcode(code)


@pytest.mark.parametrize("code", ["", "   ", "\n"])
def test_an_empty_code_is_rejected(code: str) -> None:
    with pytest.raises(ParseError, match="empty"):
        validate_barcode(code)


def test_a_code_longer_than_the_limit_is_rejected() -> None:
    with pytest.raises(ParseError, match=f"longer than {MAX_CODE_LENGTH}"):
        validate_barcode("A" * (MAX_CODE_LENGTH + 1))


@pytest.mark.parametrize("code", ["1234567\u00b2", "\u00b9" * 13, "00000000000\u2463"])
def test_digit_like_symbols_that_are_not_decimal_digits_are_a_parse_error_or_accepted(
    code: str,
) -> None:
    # Superscripts and circled digits pass str.isdigit() but are not numbers int() can read.
    try:
        result = validate_barcode(code)
    except ParseError:
        return
    assert result == code


# normalise_code -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (" 036000291452 ", "0036000291452"),
        ("4006381333931", "4006381333931"),
        ("96385074", "96385074"),
        ("ABC-123", "ABC-123"),
        ("ABCDEFGHIJKL", "ABCDEFGHIJKL"),
    ],
)
def test_normalise_code(raw: str, stored: str) -> None:
    assert normalise_code(raw) == stored


# make_ean13 ---------------------------------------------------------------------------


def test_make_ean13_appends_the_check_digit() -> None:
    assert make_ean13("400638133393") == "4006381333931"


@pytest.mark.parametrize("body", ["", "40063813339", "4006381333931", "40063813339A"])
def test_make_ean13_needs_exactly_twelve_digits(body: str) -> None:
    with pytest.raises(ValueError, match="12 digits"):
        make_ean13(body)


# Properties ---------------------------------------------------------------------------

bodies12 = st.text(alphabet="0123456789", min_size=12, max_size=12)


@PROPERTY
@given(body=bodies12)
def test_make_ean13_always_validates(body: str) -> None:
    code = make_ean13(body)
    assert len(code) == 13
    assert code.startswith(body)
    assert validate_barcode(code) == code


@PROPERTY
@given(body=bodies12, wrong=st.integers(min_value=1, max_value=9))
def test_any_other_check_digit_is_rejected_naming_the_right_one(body: str, wrong: int) -> None:
    right = gtin_check_digit(body)
    bad = body + str((right + wrong) % 10)
    with pytest.raises(ParseError, match=rf"\(expected {right}\)"):
        validate_barcode(bad)


@PROPERTY
@given(body=st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_a_valid_upc_a_is_stored_as_the_equivalent_valid_ean13(body: str) -> None:
    upc = body + str(gtin_check_digit(body))
    stored = validate_barcode(upc)
    assert stored == "0" + upc
    assert validate_barcode(stored) == stored
    assert make_ean13(stored[:12]) == stored


@PROPERTY
@given(body=digit_strings)
def test_leading_zeros_do_not_change_the_check_digit(body: str) -> None:
    assert gtin_check_digit("0" + body) == gtin_check_digit(body)


@PROPERTY
@given(raw=st.text(max_size=60))
def test_validate_barcode_returns_a_stored_form_or_raises_parse_error(raw: str) -> None:
    try:
        stored = validate_barcode(raw)
    except ParseError:
        return
    assert stored == normalise_code(stored)
    assert stored
    assert len(stored) <= MAX_CODE_LENGTH + 1
    assert not any(c.isspace() for c in stored)


@PROPERTY
@given(raw=st.text(max_size=60))
def test_normalise_code_is_idempotent(raw: str) -> None:
    once = normalise_code(raw)
    assert normalise_code(once) == once
