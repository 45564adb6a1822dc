"""The raw sqlite3 floor of a sale: what SaleService.complete writes, in as few statements."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import QTY_ONE, RATE_SCALE, now_text

_ITEMS_SQL = (
    "SELECT v.id, v.sku, v.display_name, v.price_minor, t.rate, p.sold_by_weight "
    "FROM variant v JOIN product p ON p.id = v.product_id "
    "JOIN tax_class t ON t.id = p.tax_class_id "
    "WHERE v.id IN ({marks}) AND v.active AND p.active"
)
_STOCK_SQL = (
    "UPDATE stock_balance SET quantity = quantity - :qty WHERE variant_id = :id "
    "AND (quantity - :qty >= 0 OR (SELECT track_stock FROM variant WHERE id = :id) = 0)"
)
_MOVE_SQL = (
    "INSERT INTO stock_move (variant_id, quantity, reason, reference, occurred_at, user_id) "
    "VALUES (?, ?, 'sale', ?, ?, ?)"
)
_SALE_SQL = (
    "INSERT INTO sale (id, register_id, receipt_no, user_id, approved_by, currency, "
    "completed_at, subtotal_minor, discount_minor, tax_minor, total_minor, rounding_minor, "
    "journal_seq, journal_hash, cashier_name) "
    "VALUES (?, ?, ?, ?, NULL, ?, ?, ?, 0, ?, ?, 0, ?, ?, ?)"
)
_LINE_SQL = (
    "INSERT INTO sale_line (sale_id, line_no, variant_id, sku, name, quantity, sold_by_weight, "
    "unit_price_minor, price_overridden, tax_rate, discount_minor, net_minor, tax_minor, "
    "gross_minor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 0, ?, ?, ?)"
)


def floor_sale(
    connection: sqlite3.Connection,
    sale_id: str,
    variant_ids: Sequence[int],
    user_id: int,
    register_code: str,
    cashier: str,
    currency: str,
) -> int:
    """Write what SaleService.complete writes for a card sale of one of each item, in one
    transaction and as few statements as raw sqlite3 allows, then the journal head file.
    Returns the receipt number."""
    now = now_text()
    connection.execute("BEGIN IMMEDIATE")
    try:
        if connection.execute("SELECT 1 FROM sale WHERE id = ?", (sale_id,)).fetchone():
            raise RuntimeError(f"sale {sale_id} exists")
        marks = ",".join("?" * len(variant_ids))
        items = {
            row[0]: row
            for row in connection.execute(_ITEMS_SQL.format(marks=marks), list(variant_ids))
        }
        register_id, receipt_no = connection.execute(
            "UPDATE register SET last_receipt_no = last_receipt_no + 1 WHERE code = ? "
            "RETURNING id, last_receipt_no",
            (register_code,),
        ).fetchone()
        # As SaleService does: one executemany of conditional UPDATEs, checked by rowcount,
        # then one executemany of moves.
        taken = connection.executemany(
            _STOCK_SQL, [{"qty": QTY_ONE, "id": variant_id} for variant_id in variant_ids]
        ).rowcount
        if taken != len(variant_ids):
            raise RuntimeError("not enough stock")
        connection.executemany(
            _MOVE_SQL, [(variant_id, -QTY_ONE, sale_id, now, user_id) for variant_id in variant_ids]
        )
        lines: list[tuple[Any, ...]] = []
        bands: dict[int, list[int]] = {}
        journal_lines: list[dict[str, Any]] = []
        for number, variant_id in enumerate(variant_ids, start=1):
            _, sku, name, gross, rate, weighed = items[variant_id]
            # Prices include tax: tax = gross × r / (100 + r), rounded half up, in integers.
            denominator = 100 * RATE_SCALE + rate
            tax = (2 * gross * rate + denominator) // (2 * denominator)
            lines.append(
                (
                    sale_id,
                    number,
                    variant_id,
                    sku,
                    name,
                    QTY_ONE,
                    weighed,
                    gross,
                    rate,
                    gross - tax,
                    tax,
                    gross,
                )
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
        total = sum(line[-1] for line in lines)
        total_tax = sum(line[-2] for line in lines)
        seq, previous = connection.execute(
            "SELECT seq, hash FROM journal_head WHERE id = 1"
        ).fetchone()
        seq += 1
        body = {
            "seq": seq,
            "kind": "sale",
            "register": register_code,
            "user": user_id,
            "at": now,
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
        connection.execute(
            "INSERT INTO journal_entry (seq, kind, body, prev_hash, hash) VALUES (?, ?, ?, ?, ?)",
            (seq, "sale", text, previous, digest),
        )
        connection.execute("UPDATE journal_head SET seq = ?, hash = ? WHERE id = 1", (seq, digest))
        connection.execute(
            _SALE_SQL,
            (
                sale_id,
                register_id,
                receipt_no,
                user_id,
                currency,
                now,
                total,
                total_tax,
                total,
                seq,
                digest,
                cashier,
            ),
        )
        connection.executemany(_LINE_SQL, lines)
        connection.executemany(
            "INSERT INTO sale_tax_band (sale_id, rate, net_minor, tax_minor) VALUES (?, ?, ?, ?)",
            [(sale_id, rate, net, tax) for rate, (net, tax) in sorted(bands.items())],
        )
        connection.execute(
            "INSERT INTO payment (sale_id, position, kind, amount_minor, tendered_minor, "
            "change_minor, reference) VALUES (?, 1, 'card', ?, ?, 0, 'AUTH01')",
            (sale_id, total, total),
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    # The journal head kept outside the database, as db/anchor.py writes it after a commit.
    head_file = Path(connection.execute("PRAGMA database_list").fetchone()[2] + ".floor-head")
    temporary = head_file.with_suffix(".tmp")
    with open(temporary, "w", encoding="ascii") as handle:
        handle.write(f"{seq} {digest}\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, head_file)
    return int(receipt_no)
