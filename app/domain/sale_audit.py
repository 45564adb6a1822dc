"""The sale tables checked against their journal entries, as the journal is walked.

Each ``sale`` entry is what was sold, as it was committed; the sale, line and payment rows are
what reports and receipts read. The audit walks the journal (in order) and the stored sales
(ordered by the journal entry each one names) side by side, like a merge: memory stays flat
whatever the number of sales. It names, by register and receipt number, a sale whose rows were
changed or deleted, a sale with no journal entry, and a gap or a repeat in a register's receipt
numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain.money import Money


@dataclass(frozen=True, slots=True)
class StoredLine:
    sku: str
    name: str
    quantity: Decimal
    unit_price: Money
    tax_rate: Decimal
    gross: Money


@dataclass(frozen=True, slots=True)
class StoredPayment:
    kind: str
    amount: Money
    reference: str


@dataclass(frozen=True, slots=True)
class StoredSale:
    """A sale as its rows hold it, with the journal entry it says it was committed with."""

    sale_id: str
    register: str
    receipt_no: int
    journal_seq: int
    journal_hash: str
    user_id: int
    approved_by: int | None
    completed_at: datetime
    currency: str
    total: Money
    tax: Money
    discount: Money
    rounding: Money
    lines: tuple[StoredLine, ...]
    payments: tuple[StoredPayment, ...]

    @property
    def label(self) -> str:
        return f"sale {self.register}/{self.receipt_no}"


def _number(text: Any) -> Decimal | None:
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def _time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def _items(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item if isinstance(item, Mapping) else {} for item in value]


def differences(sale: StoredSale, hash_: str, body: Mapping[str, Any]) -> list[str]:
    """What the sale's rows say differently from its journal entry: "what: table vs journal"."""
    data = body.get("data")
    data = data if isinstance(data, Mapping) else {}
    pairs: list[tuple[str, Any, Any]] = [
        ("sale id", sale.sale_id, data.get("sale_id")),
        ("register", sale.register, body.get("register")),
        ("receipt number", sale.receipt_no, data.get("receipt_no")),
        ("journal hash", sale.journal_hash, hash_),
        ("cashier (user id)", sale.user_id, body.get("user")),
        ("approved by (user id)", sale.approved_by, data.get("approved_by")),
        ("time", sale.completed_at, _time(body.get("at"))),
        ("currency", sale.currency, data.get("currency")),
        ("total", sale.total.amount, _number(data.get("total"))),
        ("tax", sale.tax.amount, _number(data.get("tax"))),
        ("discount", sale.discount.amount, _number(data.get("discount"))),
        ("cash rounding", sale.rounding.amount, _number(data.get("rounding"))),
    ]
    lines = _items(data.get("lines"))
    pairs.append(("number of lines", len(sale.lines), len(lines)))
    for number, (row, entry) in enumerate(zip(sale.lines, lines, strict=False), start=1):
        pairs += [
            (f"line {number} SKU", row.sku, entry.get("sku")),
            (f"line {number} name", row.name, entry.get("name")),
            (f"line {number} quantity", row.quantity, _number(entry.get("qty"))),
            (f"line {number} unit price", row.unit_price.amount, _number(entry.get("unit_price"))),
            (f"line {number} tax rate", row.tax_rate, _number(entry.get("tax_rate"))),
            (f"line {number} amount", row.gross.amount, _number(entry.get("gross"))),
        ]
    payments = _items(data.get("payments"))
    pairs.append(("number of payments", len(sale.payments), len(payments)))
    for number, (paid, entry) in enumerate(zip(sale.payments, payments, strict=False), start=1):
        pairs += [
            (f"payment {number} kind", paid.kind, entry.get("kind")),
            (f"payment {number} amount", paid.amount.amount, _number(entry.get("amount"))),
            (f"payment {number} reference", paid.reference, entry.get("reference")),
        ]
    return [
        f"{what} is {table} in the sale table but {journal} in the journal"
        for what, table, journal in pairs
        if table != journal
    ]


class SaleAudit:
    """An EntryAudit (app.domain.journal) over the stored sales, ordered by journal entry.

    ``counters`` are the registers' receipt counters (register code → last number issued):
    each must equal the last receipt number journaled for that register.
    """

    def __init__(self, sales: Iterable[StoredSale], counters: Mapping[str, int]) -> None:
        self._sales: Iterator[StoredSale] = iter(sales)
        self._next: StoredSale | None = next(self._sales, None)
        self._counters = dict(counters)
        self._last_receipt: dict[str, int] = {}
        self.checked = 0

    def _advance(self) -> None:
        self._next = next(self._sales, None)

    def _orphans_before(self, seq: int) -> list[str]:
        """Stored sales naming an entry before ``seq`` that was not theirs."""
        problems = []
        while self._next is not None and self._next.journal_seq < seq:
            problems.append(_orphan(self._next))
            self._advance()
        return problems

    def entry(self, seq: int, hash_: str, body: Mapping[str, Any]) -> list[str]:
        problems = self._orphans_before(seq)
        stored = self._next if self._next is not None and self._next.journal_seq == seq else None
        if body.get("kind") != "sale":
            if stored is not None:
                problems.append(_orphan(stored))
                self._advance()
            return problems
        data = body.get("data")
        data = data if isinstance(data, Mapping) else {}
        register = str(body.get("register", ""))
        receipt_no = data.get("receipt_no")
        label = f"sale {register}/{receipt_no}"
        problems += self._continuity(register, receipt_no, seq)
        if stored is None:
            problems.append(
                f"{label} (journal entry {seq}) is missing from the sale table: it was deleted"
            )
            return problems
        self._advance()
        self.checked += 1
        found = differences(stored, hash_, body)
        if found:
            problems.append(
                f"{stored.label} was changed in the sale table (journal entry {seq}): "
                + "; ".join(found[:3])
                + (f" (and {len(found) - 3} more)" if len(found) > 3 else "")
            )
        return problems

    def _continuity(self, register: str, receipt_no: Any, seq: int) -> list[str]:
        if not isinstance(receipt_no, int):
            return [f"journal entry {seq} is a sale with no receipt number"]
        last = self._last_receipt.get(register, 0)
        self._last_receipt[register] = max(last, receipt_no)
        if receipt_no == last + 1:
            return []
        if receipt_no <= last:
            return [
                f"register {register}: receipt {receipt_no} is journaled again (entry {seq}) "
                f"after receipt {last}"
            ]
        missing = f"{last + 1}" if receipt_no == last + 2 else f"{last + 1}–{receipt_no - 1}"
        return [
            f"register {register}: receipt {missing} is missing from the journal "
            f"(entry {seq} is receipt {receipt_no})"
        ]

    def finish(self) -> list[str]:
        problems = []
        while self._next is not None:
            problems.append(_orphan(self._next))
            self._advance()
        for register, counter in sorted(self._counters.items()):
            journaled = self._last_receipt.get(register, 0)
            if counter != journaled:
                problems.append(
                    f"register {register}: its receipt counter is at {counter} but the last "
                    f"receipt journaled is {journaled}"
                )
        for register in sorted(set(self._last_receipt) - set(self._counters)):
            problems.append(f"register {register} has journaled sales but no register row")
        return problems


def _orphan(sale: StoredSale) -> str:
    return (
        f"{sale.label} in the sale table has no journal entry of its own (it names entry "
        f"{sale.journal_seq}): it was added or changed by hand"
    )
