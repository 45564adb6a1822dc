"""The sale tables against the journal: app.domain.sale_audit through verify_chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain.journal import GENESIS_HASH, JournalRecord, canonical_json, chain_hash, verify_chain
from app.domain.money import Currency, Money
from app.domain.sale_audit import SaleAudit, StoredLine, StoredPayment, StoredSale

EUR = Currency.of("EUR")
AT = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


def eur(text: str) -> Money:
    return Money.of(text, EUR)


def stored(register: str, receipt_no: int, seq: int, total: str = "3.50") -> StoredSale:
    return StoredSale(
        sale_id=f"sale-{register}-{receipt_no}",
        register=register,
        receipt_no=receipt_no,
        journal_seq=seq,
        journal_hash="",  # filled in once the chain is built
        user_id=1,
        approved_by=None,
        completed_at=AT,
        currency="EUR",
        total=eur(total),
        tax=eur("0.58"),
        discount=eur("0.00"),
        rounding=eur("0.00"),
        lines=(StoredLine("G1", "Tea", Decimal("1.000"), eur(total), Decimal("20"), eur(total)),),
        payments=(StoredPayment("cash", eur(total), ""),),
    )


def entry_body(sale: StoredSale) -> dict[str, Any]:
    """The body the sale service journals for this sale."""
    return {
        "kind": "sale",
        "register": sale.register,
        "user": sale.user_id,
        "at": sale.completed_at.isoformat(),
        "data": {
            "sale_id": sale.sale_id,
            "receipt_no": sale.receipt_no,
            "currency": sale.currency,
            "total": str(sale.total.amount),
            "tax": str(sale.tax.amount),
            "discount": str(sale.discount.amount),
            "rounding": str(sale.rounding.amount),
            "approved_by": sale.approved_by,
            "lines": [
                {
                    "sku": ln.sku,
                    "name": ln.name,
                    "qty": "1",  # as the cart wrote it: the table keeps three decimals
                    "unit_price": str(ln.unit_price.amount),
                    "tax_rate": "20.0",
                    "gross": str(ln.gross.amount),
                }
                for ln in sale.lines
            ],
            "payments": [
                {"kind": p.kind, "amount": str(p.amount.amount), "reference": p.reference}
                for p in sale.payments
            ],
        },
    }


def journal(
    bodies: list[dict[str, Any]],
) -> tuple[list[JournalRecord], list[str]]:
    records, previous = [], GENESIS_HASH
    for seq, body in enumerate(bodies, start=1):
        text = canonical_json({**body, "seq": seq})
        digest = chain_hash(previous, text)
        records.append(JournalRecord(seq, body["kind"], text, previous, digest))
        previous = digest
    return records, [r.hash for r in records]


def shop(
    sales: list[StoredSale], extra: dict[int, dict[str, Any]] | None = None
) -> tuple[list[JournalRecord], list[StoredSale]]:
    """A journal with each sale at its seq (other seqs hold ``extra`` entries), and the sales
    as the tables would hold them (with their entry's hash)."""
    by_seq = {s.journal_seq: entry_body(s) for s in sales} | (extra or {})
    records, hashes = journal([by_seq[seq] for seq in sorted(by_seq)])
    return records, [replace(s, journal_hash=hashes[s.journal_seq - 1]) for s in sales]


def audit(
    records: list[JournalRecord], sales: list[StoredSale], counters: dict[str, int]
) -> list[str]:
    result = verify_chain(records, audit=SaleAudit(iter(sales), counters))
    return list(result.problems)


LOCKED = {"kind": "user.locked", "register": "", "user": 2, "at": AT.isoformat(), "data": {}}
SALES = [stored("T1", 1, 1), stored("T2", 1, 2), stored("T1", 2, 4), stored("T1", 3, 5)]


def test_matching_tables_pass_and_every_sale_is_counted() -> None:
    records, sales = shop(SALES, {3: LOCKED})
    result = verify_chain(records, audit=SaleAudit(iter(sales), {"T1": 3, "T2": 1}))
    assert result.ok, result.problems
    assert result.checked == 4


def test_a_changed_total_is_named_by_register_and_receipt_number() -> None:
    records, sales = shop(SALES, {3: LOCKED})
    sales[2] = replace(sales[2], total=eur("0.50"))
    problems = audit(records, sales, {"T1": 3, "T2": 1})
    assert problems == [
        "sale T1/2 was changed in the sale table (journal entry 4): total is 0.50 in the sale "
        "table but 3.50 in the journal"
    ]


def test_changed_lines_and_payments_are_named() -> None:
    records, sales = shop(SALES, {3: LOCKED})
    line = replace(sales[0].lines[0], quantity=Decimal("2"))
    sales[0] = replace(sales[0], lines=(line, line))
    sales[1] = replace(sales[1], payments=(StoredPayment("card", eur("3.50"), "A1"),))
    problems = audit(records, sales, {"T1": 3, "T2": 1})
    assert "sale T1/1" in problems[0]
    assert "line 1 quantity is 2 in the sale table but 1 in the journal" in problems[0]
    assert "number of lines is 2 in the sale table but 1 in the journal" in problems[0]
    assert "sale T2/1" in problems[1]
    assert "payment 1 kind is card in the sale table but cash in the journal" in problems[1]


def test_a_deleted_sale_is_named() -> None:
    records, sales = shop(SALES, {3: LOCKED})
    del sales[2]
    problems = audit(records, sales, {"T1": 3, "T2": 1})
    assert problems == [
        "sale T1/2 (journal entry 4) is missing from the sale table: it was deleted"
    ]


def test_a_sale_added_by_hand_is_named() -> None:
    records, sales = shop(SALES, {3: LOCKED})
    forged = replace(stored("T2", 2, 3), journal_hash=records[2].hash)  # the lock entry
    problems = audit(records, [*sales[:2], forged, *sales[2:]], {"T1": 3, "T2": 1})
    assert problems == [
        "sale T2/2 in the sale table has no journal entry of its own (it names entry 3): it "
        "was added or changed by hand"
    ]
    beyond = replace(stored("T2", 2, 9), journal_hash="f" * 64)
    assert "names entry 9" in audit(records, [*sales, beyond], {"T1": 3, "T2": 1})[0]


def test_a_gap_or_a_repeat_in_a_registers_numbers_is_named() -> None:
    gap = [stored("T1", 1, 1), stored("T1", 3, 2)]
    records, sales = shop(gap)
    assert audit(records, sales, {"T1": 3}) == [
        "register T1: receipt 2 is missing from the journal (entry 2 is receipt 3)"
    ]
    repeat = [stored("T1", 1, 1), stored("T1", 2, 2), stored("T1", 2, 3)]
    records, sales = shop(repeat)
    sales[2] = replace(sales[2], sale_id="another")
    problems = audit(records, sales, {"T1": 2})
    assert "register T1: receipt 2 is journaled again (entry 3) after receipt 2" in problems


def test_a_receipt_counter_moved_back_is_named() -> None:
    records, sales = shop(SALES, {3: LOCKED})
    assert audit(records, sales, {"T1": 1, "T2": 1}) == [
        "register T1: its receipt counter is at 1 but the last receipt journaled is 3"
    ]


def test_the_audit_walks_the_sales_lazily() -> None:
    records, sales = shop(SALES, {3: LOCKED})
    pulled: list[int] = []

    def stream():  # type: ignore[no-untyped-def]
        for sale in sales:
            pulled.append(sale.journal_seq)
            yield sale

    sale_audit = SaleAudit(stream(), {"T1": 3, "T2": 1})
    assert pulled == [1]  # only the first, to know where the merge starts
    sale_audit.entry(1, records[0].hash, {**entry_body(sales[0]), "seq": 1})
    assert pulled == [1, 2]
