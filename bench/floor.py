"""The raw floor of a sale: what SaleService.complete writes, with db/sql.py's own statements
run straight on the driver (sqlite3 takes their ``:name`` parameters as they are; psycopg gets
them as ``%(name)s``), in one transaction and nothing else."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import QTY_ONE, RATE_SCALE, now_text
from db import sql
from db.driver import in_list, pyformat


class RawConnection:
    """A DB-API connection (sqlite3 in autocommit mode, or psycopg) running db/sql.py text."""

    def __init__(self, connection: Any, postgres: bool) -> None:
        self.connection = connection
        self.postgres = postgres
        self._cursor = connection.cursor()

    def execute(self, statement: str, params: Mapping[str, Any]) -> Any:
        self._cursor.execute(pyformat(statement) if self.postgres else statement, params)
        return self._cursor

    def executemany(self, statement: str, rows: Iterable[Mapping[str, Any]]) -> int:
        self._cursor.executemany(pyformat(statement) if self.postgres else statement, list(rows))
        return int(self._cursor.rowcount)

    def begin(self) -> None:
        if not self.postgres:  # psycopg opens its transaction with the first statement
            self._cursor.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self.postgres:
            self.connection.commit()
        else:
            self._cursor.execute("COMMIT")

    def rollback(self) -> None:
        if self.postgres:
            self.connection.rollback()
        else:
            self._cursor.execute("ROLLBACK")

    def now(self) -> Any:
        # As the models' UTCDateTime binds it: naive UTC, text on SQLite.
        return datetime.now(UTC).replace(tzinfo=None) if self.postgres else now_text()


def floor_sale(
    raw: RawConnection,
    sale_id: str,
    variant_ids: Sequence[int],
    user_id: int,
    register_code: str,
    cashier: str,
    currency: str,
    head_file: Path,
) -> int:
    """Write what SaleService.complete writes for a card sale of one of each item, in one
    transaction, then the journal head file. Returns the receipt number."""
    now = raw.now()
    raw.begin()
    try:
        if raw.execute(sql.SALE_EXISTS, {"id": sale_id}).fetchone():
            raise RuntimeError(f"sale {sale_id} exists")
        ids, id_params = in_list("v", variant_ids)
        items = {row[0]: row for row in raw.execute(sql.ITEMS_FOR_SALE.format(ids=ids), id_params)}
        (receipt_no,) = raw.execute(sql.NEXT_RECEIPT, {"code": register_code}).fetchone()
        taken = raw.executemany(
            sql.TAKE_STOCK,
            [{"quantity": QTY_ONE, "variant": v, "below_zero": False} for v in variant_ids],
        )
        if taken != len(variant_ids):
            raise RuntimeError("not enough stock")
        raw.executemany(
            sql.INSERT_MOVE,
            [
                {
                    "variant": v,
                    "delta": -QTY_ONE,
                    "reason": "sale",
                    "reference": sale_id,
                    "at": now,
                    "user": user_id,
                }
                for v in variant_ids
            ],
        )
        lines: list[dict[str, Any]] = []
        bands: dict[int, list[int]] = {}
        journal_lines: list[dict[str, Any]] = []
        for number, variant_id in enumerate(variant_ids, start=1):
            _, sku, name, gross, rate, weighed, *_ = items[variant_id]
            # Prices include tax: tax = gross × r / (100 + r), rounded half up, in integers.
            denominator = 100 * RATE_SCALE + rate
            tax = (2 * gross * rate + denominator) // (2 * denominator)
            lines.append(
                {
                    "sale_id": sale_id,
                    "line_no": number,
                    "variant_id": variant_id,
                    "sku": sku,
                    "name": name,
                    "quantity": QTY_ONE,
                    "weighed": weighed,
                    "unit_price": gross,
                    "overridden": False,
                    "rate": rate,
                    "discount": 0,
                    "net": gross - tax,
                    "tax": tax,
                    "gross": gross,
                }
            )
            band = bands.setdefault(rate, [0, 0])
            band[0] += gross - tax
            band[1] += tax
            journal_lines.append(
                {
                    "sku": sku,
                    "name": name,
                    "qty": "1",
                    "unit_price": f"{gross / 100:.2f}",
                    "tax_rate": str(rate / RATE_SCALE),
                    "gross": f"{gross / 100:.2f}",
                }
            )
        total = sum(line["gross"] for line in lines)
        total_tax = sum(line["tax"] for line in lines)
        lock = " FOR UPDATE" if raw.postgres else ""  # as JournalRepository takes the head
        seq, previous, *_ = raw.execute(sql.JOURNAL_HEAD + lock, {}).fetchone()
        seq += 1
        body = {
            "seq": seq,
            "kind": "sale",
            "register": register_code,
            "user": user_id,
            "at": str(now),
            "data": {
                "sale_id": sale_id,
                "receipt_no": receipt_no,
                "currency": currency,
                "total": f"{total / 100:.2f}",
                "tax": f"{total_tax / 100:.2f}",
                "discount": "0.00",
                "rounding": "0.00",
                "approved_by": None,
                "lines": journal_lines,
                "payments": [
                    {"kind": "card", "amount": f"{total / 100:.2f}", "reference": "AUTH01"}
                ],
            },
        }
        text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(bytes.fromhex(previous) + text.encode()).hexdigest()
        raw.execute(
            sql.INSERT_ENTRY,
            {"seq": seq, "kind": "sale", "body": text, "prev_hash": previous, "hash": digest},
        )
        raw.execute(sql.MOVE_HEAD, {"seq": seq, "hash": digest})
        raw.execute(
            sql.INSERT_SALE,
            {
                "id": sale_id,
                "register_code": register_code,
                "receipt_no": receipt_no,
                "user_id": user_id,
                "approved_by": None,
                "currency": currency,
                "completed_at": now,
                "subtotal": total,
                "discount": 0,
                "tax": total_tax,
                "total": total,
                "rounding": 0,
                "journal_seq": seq,
                "journal_hash": digest,
                "cashier": cashier,
            },
        )
        raw.executemany(sql.INSERT_LINE, lines)
        raw.executemany(
            sql.INSERT_BAND,
            [
                {"sale_id": sale_id, "rate": rate, "net": net, "tax": tax}
                for rate, (net, tax) in sorted(bands.items())
            ],
        )
        raw.execute(
            sql.INSERT_PAYMENT,
            {
                "sale_id": sale_id,
                "position": 1,
                "kind": "card",
                "amount": total,
                "tendered": total,
                "change": 0,
                "reference": "AUTH01",
            },
        )
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    # The journal head kept outside the database, as db/anchor.py writes it after a commit.
    temporary = head_file.with_suffix(".tmp")
    with open(temporary, "w", encoding="ascii") as handle:
        handle.write(f"{seq} {digest}\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, head_file)
    return int(receipt_no)
