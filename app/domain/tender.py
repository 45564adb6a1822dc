"""Tenders: cash with change and cash rounding, card on an external terminal, split payments.

Cash rounding applies only when cash settles the balance: the remaining amount is rounded to
the configured increment (0.01, 0.05, 0.10…) and the difference becomes its own receipt line.
A card tender records the amount and the terminal's approval reference, never a card number.

Cash handed over is capped: more than the cash due plus the largest banknote in current issue
(:data:`LARGEST_NOTE`; a shop may set its own margin) is a typing slip, "1250" for "12.50",
and is refused before it becomes change to count out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from app.domain.money import Currency, Money
from app.domain.pricing import round_cash
from app.errors import SaleNotPayable, UserError

LARGEST_NOTE: dict[str, Decimal] = {
    code: Decimal(value)
    for code, value in {
        # The largest note in current issue. EUR: 200, not 500 (no longer issued since 2019,
        # and refused by most shops); a shop that takes them sets sales.cash_over_due_limit.
        "EUR": 200,
        "USD": 100,
        "GBP": 50,
        "CHF": 1000,
        "JPY": 10000,
        "CAD": 100,
        "AUD": 100,
        "NZD": 100,
        "SEK": 1000,
        "NOK": 1000,
        "DKK": 1000,
        "ISK": 10000,
        "PLN": 500,
        "CZK": 5000,
        "HUF": 20000,
        "RON": 500,
        "INR": 500,
        "CNY": 100,
        "HKD": 1000,
        "MXN": 1000,
        "BRL": 200,
        "ZAR": 200,
    }.items()
}
"""By ISO 4217 code. A currency not listed has no cap unless the shop sets one."""

MAX_REFERENCE_DIGITS = 12
PAN_LENGTHS = range(13, 20)
"""Card numbers (PANs) are 13 to 19 digits long, the last one a Luhn check digit."""


class TenderKind(StrEnum):
    CASH = "cash"
    CARD = "card"


@dataclass(frozen=True, slots=True)
class Tender:
    """One payment applied to a sale. For cash, ``tendered - amount == change``."""

    kind: TenderKind
    amount: Money
    tendered: Money
    change: Money
    reference: str = ""


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check every card number passes."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _digits(text: str) -> tuple[str, list[str]]:
    """Every digit of ``text`` in order, and the runs of digits that only letters break.

    Spaces (any number), dots, slashes, dashes, tabs and commas do not break a run: a card
    number typed in groups is still one number. Unicode digits count as their values.
    """
    every: list[str] = []
    runs: list[str] = []
    run: list[str] = []
    for char in text:
        if char.isdecimal():
            every.append(str(int(char)))
            run.append(every[-1])
        elif char.isalpha() and run:
            runs.append("".join(run))
            run = []
    if run:
        runs.append("".join(run))
    return "".join(every), runs


def cash_over_due_limit(currency: Currency, configured: Decimal | None) -> Decimal | None:
    """How much more than the cash due a customer may hand over: the shop's setting, else
    the currency's largest note; None: no cap."""
    return configured if configured is not None else LARGEST_NOTE.get(currency.code)


def check_card_reference(reference: str) -> str:
    """An approval reference is short text; anything that could hold a card number is refused.

    Approval codes are about six characters and retrieval reference numbers twelve digits,
    while card numbers are 13–19. So a run of more than 12 digits (whatever but letters lies
    between them) is refused, and so is any 13–19 digit stretch of ALL the reference's digits
    (letters between them too) that passes the Luhn check: a card number hidden among letters.
    """
    reference = reference.strip()
    if len(reference) > 64:
        raise UserError("The approval reference is longer than 64 characters")
    every, runs = _digits(reference)
    if any(len(run) > MAX_REFERENCE_DIGITS for run in runs) or any(
        luhn_valid(every[start : start + length])
        for length in PAN_LENGTHS
        for start in range(len(every) - length + 1)
    ):
        raise UserError("That looks like a card number. Enter only the terminal's approval code")
    return reference


@dataclass
class Payment:
    """Tenders taken against a total. ``remaining`` reaches zero when the sale is paid.

    ``max_over_due`` caps cash handed over at the cash due plus that much (None: no cap)."""

    total: Money
    cash_increment: Decimal
    tenders: list[Tender] = field(default_factory=list)
    rounding: Money | None = None
    max_over_due: Decimal | None = None

    def __post_init__(self) -> None:
        if self.rounding is None:
            self.rounding = Money.zero(self.total.currency)
        if self.paid > self.due:
            raise SaleNotPayable("The payments taken are more than the sale's total")

    @property
    def due(self) -> Money:
        """The total plus any cash rounding already applied."""
        assert self.rounding is not None
        return self.total + self.rounding

    @property
    def paid(self) -> Money:
        return sum((t.amount for t in self.tenders), Money.zero(self.total.currency))

    @property
    def remaining(self) -> Money:
        return self.due - self.paid

    @property
    def change(self) -> Money:
        return sum((t.change for t in self.tenders), Money.zero(self.total.currency))

    @property
    def is_settled(self) -> bool:
        return self.remaining.is_zero()

    def cash_due(self) -> Money:
        """What the customer must hand over to settle the rest in cash."""
        return round_cash(self.remaining, self.cash_increment)

    def take_cash(self, tendered: Money) -> Tender:
        if tendered.is_negative() or tendered.is_zero():
            raise UserError("Enter the cash amount the customer handed over")
        if self.is_settled:
            raise SaleNotPayable("This sale is already paid")
        rounded_due = self.cash_due()
        if self.max_over_due is not None and tendered.amount > rounded_due.amount + (
            self.max_over_due
        ):
            code = tendered.currency.code
            raise UserError(
                f"{code} {tendered.amount} is more than the {rounded_due.amount} due plus "
                f"{self.max_over_due.normalize():f}: check the amount typed"
            )
        if self.remaining <= tendered < rounded_due:
            # Less than the rounded amount but not a partial payment either: the customer
            # owes the rounded figure, since the difference cannot be paid in coins.
            raise UserError(f"Cash due is {rounded_due.amount} (rounded to {self.cash_increment})")
        if tendered >= rounded_due:
            assert self.rounding is not None
            self.rounding = self.rounding + (rounded_due - self.remaining)
            tender = Tender(TenderKind.CASH, rounded_due, tendered, tendered - rounded_due)
        else:
            zero = Money.zero(tendered.currency)
            tender = Tender(TenderKind.CASH, tendered, tendered, zero)
        self.tenders.append(tender)
        return tender

    def take_card(self, amount: Money, reference: str) -> Tender:
        if amount.is_negative() or amount.is_zero():
            raise UserError("A card payment must be more than zero")
        if amount > self.remaining:
            raise UserError(
                f"The card amount {amount.amount} is more than the {self.remaining.amount} due"
            )
        zero = Money.zero(amount.currency)
        tender = Tender(TenderKind.CARD, amount, amount, zero, check_card_reference(reference))
        self.tenders.append(tender)
        return tender
