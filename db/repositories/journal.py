"""The fiscal journal: append one chained entry, read the chain and the sales back to verify.

The database itself keeps the journal append-only (triggers, migration 0002_journal); this
repository is the only writer. An entry that already sits after the head was not written by a
till (a row inserted by hand): the append is refused with JournalBroken, and logged, instead of
failing every sale with the driver's raw IntegrityError.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable, Iterator, Mapping
from datetime import datetime
from itertools import groupby
from operator import attrgetter
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app.domain.journal import (
    KEY_FIELD,
    JournalHead,
    JournalRecord,
    canonical_json,
    chain_hash,
    journal_key_id,
)
from app.domain.money import Currency, Money
from app.domain.sale_audit import StoredLine, StoredPayment, StoredSale
from app.errors import JournalBroken, JournalKeyMissing
from app.ports.system import JournalKeys
from db import models as m
from db import sql
from db.driver import driver_for

log = logging.getLogger(__name__)

STREAM_ROWS = 1000
"""Rows fetched at a time when verification streams the journal and the sale tables."""

_SALE = m.table(m.Sale)
_LINE = m.table(m.SaleLine)
_PAYMENT = m.table(m.Payment)
_REGISTER = m.table(m.Register)


class JournalRepository:
    def __init__(self, session: Session, keys: JournalKeys | None = None) -> None:
        self._s = session
        self._keys = keys
        self.last: JournalHead | None = None
        """The head this unit of work moved the journal to (the anchor is told on commit)."""

    def append(
        self,
        kind: str,
        register_code: str,
        user_id: int | None,
        at: datetime,
        data: Mapping[str, Any],
    ) -> tuple[int, str]:
        driver = driver_for(self._s)
        # FOR UPDATE serialises tills on PostgreSQL; SQLite's BEGIN IMMEDIATE already has.
        lock = " FOR UPDATE" if driver.postgres else ""
        head_seq, head_hash, shop_id, key_id = driver.execute(
            sql.JOURNAL_HEAD + lock, {}
        ).fetchone()
        seq = head_seq + 1
        body: dict[str, Any] = {
            "seq": seq,
            "kind": kind,
            "register": register_code,
            "user": user_id,
            "at": at.isoformat(),
            "data": dict(data),
        }
        key = self._key(shop_id, key_id)
        if key_id is not None:
            body[KEY_FIELD] = key_id
        text = canonical_json(body)
        digest = chain_hash(head_hash, text, key)
        try:
            driver.execute(
                sql.INSERT_ENTRY,
                {"seq": seq, "kind": kind, "body": text, "prev_hash": head_hash, "hash": digest},
            )
        except driver.integrity_error as error:
            log.error(
                "journal entry %d already exists after the head (entry %d): a row was added "
                "by hand; refusing to append (%s)",
                seq,
                head_seq,
                error,
            )
            raise JournalBroken(
                f"The fiscal journal has been tampered with: an entry {seq} already follows "
                f"the last one a till wrote ({head_seq}). Nothing was saved and selling is "
                "stopped. Run `main.py journal verify` and call whoever looks after your "
                "tills; do not delete anything."
            ) from None
        driver.execute(sql.MOVE_HEAD, {"seq": seq, "hash": digest})
        self.last = JournalHead(shop_id, seq, digest, key_id)
        return seq, digest

    def _key(self, shop_id: str, key_id: str | None) -> bytes | None:
        if key_id is None:
            return None
        key = self._keys.key(shop_id) if self._keys is not None else None
        if key is None or journal_key_id(key) != key_id:
            raise JournalKeyMissing(
                f"This shop's journal is keyed (key {key_id}) but this computer's keyring "
                "does not hold that key, so nothing can be journaled here. Import the key "
                "from the till where it was made: `main.py journal key export` there, "
                "`main.py journal key import` here."
            )
        return key

    def head(self) -> JournalHead | None:
        row = driver_for(self._s).execute(sql.JOURNAL_HEAD, {}).fetchone()
        return None if row is None else JournalHead(row[2], row[0], row[1], row[3])

    def entry_hash(self, seq: int) -> str | None:
        row = driver_for(self._s).execute(sql.ENTRY_HASH, {"seq": seq}).fetchone()
        return None if row is None else str(row[0])

    def enable_key(self, key_id: str) -> None:
        driver_for(self._s).execute(sql.KEY_HEAD, {"key_id": key_id})

    def snapshot(self) -> None:
        # PostgreSQL: one snapshot for every stream verification opens, or a sale committed
        # between two of them would look deleted. SQLite's write transaction already is one.
        driver = driver_for(self._s)
        if driver.postgres:
            driver.execute(sql.READ_SNAPSHOT, {})

    def records(self) -> Generator[JournalRecord]:
        entry = m.table(m.JournalEntry)
        result = self._s.connection().execute(
            select(entry.c.seq, entry.c.kind, entry.c.body, entry.c.prev_hash, entry.c.hash)
            .order_by(entry.c.seq)
            .execution_options(yield_per=STREAM_ROWS)
        )
        with result:  # closed even when the reader stops early (a server-side cursor)
            for row in result:
                yield JournalRecord(row.seq, row.kind, row.body, row.prev_hash, row.hash)

    def stored_sales(self) -> Generator[StoredSale]:
        """Three streams (sales, lines, payments) in the same order, merged per sale."""
        connection = self._s.connection()
        order = (_SALE.c.journal_seq, _SALE.c.id)
        sales = connection.execute(
            select(_SALE, _REGISTER.c.code.label("register_code"))
            .join(_REGISTER, _REGISTER.c.id == _SALE.c.register_id)
            .order_by(*order)
            .execution_options(yield_per=STREAM_ROWS)
        )
        lines = connection.execute(
            select(_LINE, _SALE.c.journal_seq.label("sale_seq"))
            .join(_SALE, _SALE.c.id == _LINE.c.sale_id)
            .order_by(*order, _LINE.c.line_no)
            .execution_options(yield_per=STREAM_ROWS)
        )
        payments = connection.execute(
            select(_PAYMENT, _SALE.c.journal_seq.label("sale_seq"))
            .join(_SALE, _SALE.c.id == _PAYMENT.c.sale_id)
            .order_by(*order, _PAYMENT.c.position)
            .execution_options(yield_per=STREAM_ROWS)
        )
        with sales, lines, payments:  # closed even when the reader stops early
            yield from _merged(sales, _Groups(lines), _Groups(payments))

    def receipt_counters(self) -> dict[str, int]:
        rows = self._s.connection().execute(select(_REGISTER.c.code, _REGISTER.c.last_receipt_no))
        return {code: number for code, number in rows}


def _merged(
    sales: Iterable[Row[Any]], line_groups: _Groups, payment_groups: _Groups
) -> Iterator[StoredSale]:
    """Each sale row with its lines and payments, as the audit compares them."""
    for sale in sales:
        currency = Currency.of(sale.currency)

        def money(minor: int, currency: Currency = currency) -> Money:
            return Money.from_minor(minor, currency)

        yield StoredSale(
            sale_id=sale.id,
            register=sale.register_code,
            receipt_no=sale.receipt_no,
            journal_seq=sale.journal_seq,
            journal_hash=sale.journal_hash,
            user_id=sale.user_id,
            approved_by=sale.approved_by,
            completed_at=sale.completed_at,
            currency=sale.currency,
            total=money(sale.total_minor),
            tax=money(sale.tax_minor),
            discount=money(sale.discount_minor),
            rounding=money(sale.rounding_minor),
            lines=tuple(
                StoredLine(
                    ln.sku,
                    ln.name,
                    ln.quantity,
                    money(ln.unit_price_minor),
                    ln.tax_rate,
                    money(ln.gross_minor),
                )
                for ln in line_groups.of(sale.id)
            ),
            payments=tuple(
                StoredPayment(p.kind, money(p.amount_minor), p.reference)
                for p in payment_groups.of(sale.id)
            ),
        )


class _Groups:
    """Rows of a stream ordered like the sales, handed out one sale's worth at a time."""

    def __init__(self, rows: Iterable[Row[Any]]) -> None:
        self._groups = groupby(rows, key=attrgetter("sale_id"))
        self._current: tuple[str, Iterator[Row[Any]]] | None = next(self._groups, None)

    def of(self, sale_id: str) -> list[Row[Any]]:
        # Both streams are ordered by (journal_seq, sale id): this sale's rows, if it has any,
        # are the next group.
        if self._current is None or self._current[0] != sale_id:
            return []
        rows = list(self._current[1])
        self._current = next(self._groups, None)
        return rows
