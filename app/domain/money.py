"""Money and quantities over ``Decimal``.

Floats are refused everywhere: a float that reaches a till is a rounding bug waiting to
happen. All rounding goes through :func:`quantize`, which always names its rounding mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from app.errors import ParseError

# ISO 4217 minor units for the currencies a small shop is likely to trade in; anything
# else defaults to 2, which is right for the overwhelming majority of currencies.
_MINOR_UNITS: Final[dict[str, int]] = {
    "BHD": 3,
    "CLP": 0,
    "HUF": 2,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "OMR": 3,
    "TND": 3,
    "VND": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
}

KG_PLACES: Final = 3
"""Weighed goods are sold by the kilogram to three decimals (grams)."""


def quantize(value: Decimal, places: int, rounding: str) -> Decimal:
    """Round ``value`` to ``places`` decimals with an explicit rounding mode."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def to_decimal(value: object, what: str = "amount") -> Decimal:
    """Turn user or file text (or an int/Decimal) into a finite ``Decimal``.

    Raises ParseError naming ``what`` for floats, NaN, infinity and unreadable text.
    """
    if isinstance(value, float):
        raise TypeError(f"{what}: floats are not accepted for money or quantities")
    if isinstance(value, bool):
        raise TypeError(f"{what}: a boolean is not a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ParseError(f"{what} {value!r} is not a number") from None
    else:
        raise TypeError(f"{what}: cannot read a number from {type(value).__name__}")
    if not result.is_finite():
        raise ParseError(f"{what} {value!r} is not a finite number")
    return result


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency and the number of decimals its smallest coin has."""

    code: str
    minor_units: int

    @classmethod
    def of(cls, code: str) -> Currency:
        code = code.strip().upper()
        if len(code) != 3 or not code.isalpha():
            raise ParseError(f"currency code {code!r} is not a three-letter ISO 4217 code")
        return cls(code, _MINOR_UNITS.get(code, 2))


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency, always held at that currency's minor units."""

    amount: Decimal
    currency: Currency

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money needs a Decimal amount, not {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise ValueError("Money cannot be NaN or infinite")
        exact = quantize(self.amount, self.currency.minor_units, ROUND_HALF_UP)
        if exact != self.amount:
            raise ValueError(f"{self.amount} has more decimals than {self.currency.code} allows")
        # Normalise the exponent so 5 and 5.00 print and hash the same.
        object.__setattr__(self, "amount", exact)

    # Construction -------------------------------------------------------------------
    @classmethod
    def of(cls, value: object, currency: Currency) -> Money:
        """Exact money from text, int or Decimal; more decimals than the currency has is an
        error, never a silent rounding."""
        amount = to_decimal(value)
        places = currency.minor_units
        if quantize(amount, places, ROUND_HALF_UP) != amount:
            raise ParseError(f"{value} has more than {places} decimals for {currency.code}")
        return cls(quantize(amount, places, ROUND_HALF_UP), currency)

    @classmethod
    def rounded(cls, value: Decimal, currency: Currency, rounding: str = ROUND_HALF_UP) -> Money:
        """Money from an exact intermediate result, rounded with the given mode."""
        return cls(quantize(value, currency.minor_units, rounding), currency)

    @classmethod
    def zero(cls, currency: Currency) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor(cls, minor: int, currency: Currency) -> Money:
        return cls._exact(Decimal(minor).scaleb(-currency.minor_units), currency)

    @classmethod
    def _exact(cls, amount: Decimal, currency: Currency) -> Money:
        """Build without re-checking: only for amounts already at the currency's exponent
        (from minor units, or a sum or difference of such amounts). This is the hot path of
        every scan, so it skips the quantize in __post_init__."""
        money = object.__new__(cls)
        object.__setattr__(money, "amount", amount)
        object.__setattr__(money, "currency", currency)
        return money

    @property
    def minor(self) -> int:
        """The amount in integer minor units (cents), as stored in the database."""
        return int(self.amount.scaleb(self.currency.minor_units))

    # Arithmetic ---------------------------------------------------------------------
    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency.code} and {other.currency.code}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money._exact(self.amount + other.amount, self.currency)

    def __radd__(self, other: object) -> Money:
        # sum() starts from 0; accept exactly that so sum(moneys) works.
        if other == 0 and not isinstance(other, float):
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money._exact(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money._exact(-self.amount, self.currency)

    def times(self, factor: Decimal | int, rounding: str = ROUND_HALF_UP) -> Money:
        """Multiply by a quantity or rate and round to minor units with ``rounding``."""
        if isinstance(factor, float):
            raise TypeError("floats are not accepted as a money factor")
        return Money.rounded(self.amount * Decimal(factor), self.currency, rounding)

    def percent(self, percent: Decimal, rounding: str = ROUND_DOWN) -> Money:
        """``percent`` % of this amount; discounts round down by default."""
        return self.times(percent / Decimal(100), rounding)

    def _cmp(self, other: Money) -> tuple[Decimal, Decimal]:
        self._same(other)
        return self.amount, other.amount

    def __lt__(self, other: Money) -> bool:
        a, b = self._cmp(other)
        return a < b

    def __le__(self, other: Money) -> bool:
        a, b = self._cmp(other)
        return a <= b

    def __gt__(self, other: Money) -> bool:
        a, b = self._cmp(other)
        return a > b

    def __ge__(self, other: Money) -> bool:
        a, b = self._cmp(other)
        return a >= b

    def is_zero(self) -> bool:
        return self.amount == 0

    def is_negative(self) -> bool:
        return self.amount < 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency.code}"


def allocate(total: Money, weights: list[Money]) -> list[Money]:
    """Split ``total`` over ``weights`` proportionally, exactly, by largest remainder.

    The parts always sum to ``total``; each part is at most its weight when the total is
    at most the sum of weights (so an order discount never pushes a line below zero).
    """
    currency = total.currency
    parts = allocate_minor(total.minor, [w.minor for w in weights])
    return [Money.from_minor(p, currency) for p in parts]


def allocate_minor(total: int, weights: list[int]) -> list[int]:
    """:func:`allocate` on integer minor units."""
    if not weights:
        return []
    weight_sum = sum(weights)
    if weight_sum == 0:
        return [total] + [0] * (len(weights) - 1)
    # Floor, not truncation: a negative total must still hand out a non-negative leftover.
    parts = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(parts)
    # Hand the leftover cents to the largest remainders, earliest line first on ties.
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        parts[i] += 1
    return parts
