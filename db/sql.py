"""Every hand-written statement on the hot paths, in one place.

A scan and a sale are a handful of short statements each; SQLAlchemy's per-execution work cost
more than SQLite took to run them (``main.py bench``), so these run as plain SQL with ``:name``
parameters on the driver's cursor (:mod:`db.driver`). They live here, and only here, so the
repositories, the catalog reader and the bench's floors run the very same text, and
tests/integration/test_sql.py reads each one's rows back through the models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.domain.cart import CartItem
from app.domain.money import Currency, Money
from db.driver import read_quantity, read_rate

# Catalog reads -------------------------------------------------------------------------

ITEM_COLUMNS = """v.id, v.sku, v.display_name, v.price_minor, t.rate, p.sold_by_weight,
v.options, CASE WHEN v.track_stock THEN sb.quantity END
FROM variant v
JOIN product p ON p.id = v.product_id
JOIN tax_class t ON t.id = p.tax_class_id
LEFT JOIN stock_balance sb ON sb.variant_id = v.id"""
"""What the till shows of an item: id, SKU, name, price, tax rate, weighed, options, and the
stock on hand (NULL when it is not tracked), as app.domain.cart.CartItem holds them."""


def item_from_row(row: Sequence[Any], currency: Currency) -> CartItem:
    """A row of ITEM_COLUMNS as the cart's item."""
    on_hand = row[7]
    return CartItem(
        row[0],
        row[1],
        row[2],
        Money.from_minor(row[3], currency),
        read_rate(row[4]),
        bool(row[5]),
        row[6] or "",
        None if on_hand is None else read_quantity(on_hand),
    )


# One round trip for both cases: a barcode wins over a SKU that happens to look the same.
BY_CODE = (
    f"SELECT {ITEM_COLUMNS} WHERE v.id = COALESCE("
    "(SELECT b.variant_id FROM barcode b WHERE b.code = :code), "
    "(SELECT s.id FROM variant s WHERE s.sku = :code)) AND v.active AND p.active"
)

ITEMS_FOR_SALE = f"SELECT {ITEM_COLUMNS} WHERE v.id IN {{ids}} AND v.active AND p.active"
"""The catalog rows a sale re-reads; ``{ids}`` is filled with :func:`db.driver.in_list`."""

MIN_TRIGRAM = 3
"""Shorter search terms cannot use the trigram index."""


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_statement(terms: Sequence[str], limit: int, sqlite: bool) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of a name search (the bench runs it raw as its floor).

    SQLite matches terms of three letters or more on the FTS5 trigram index and shorter ones
    with LIKE; PostgreSQL uses LIKE throughout, which pg_trgm indexes."""
    params: dict[str, Any] = {"limit": limit, "starts": _like_escape(terms[0]) + "%"}
    long_terms = [t for t in terms if len(t) >= MIN_TRIGRAM]
    filters: list[str] = []
    for index, term in enumerate(terms):
        if sqlite and term in long_terms:
            continue  # matched by the FTS index below
        params[f"t{index}"] = "%" + _like_escape(term) + "%"
        filters.append(f"v.search_text LIKE :t{index} ESCAPE '\\'")
    where = " AND ".join(["v.active", "p.active", *filters])
    order = "ORDER BY (v.search_text LIKE :starts ESCAPE '\\') DESC, v.display_name, v.id"
    if sqlite and long_terms:
        params["match"] = " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
        text = (
            f"SELECT {ITEM_COLUMNS} JOIN variant_search f ON f.rowid = v.id "
            f"WHERE variant_search MATCH :match AND {where} {order} LIMIT :limit"
        )
    else:
        text = f"SELECT {ITEM_COLUMNS} WHERE {where} {order} LIMIT :limit"
    return text, params


# Stock, receipt numbers, sales, journal --------------------------------------------------

TAKE_STOCK = (
    "UPDATE stock_balance SET quantity = quantity - :quantity WHERE variant_id = :variant "
    "AND (:below_zero OR quantity >= :quantity "
    "OR NOT (SELECT track_stock FROM variant WHERE id = :variant))"
)
"""Take one line's quantity; refused (no row matched) when a tracked item is short, unless
``:below_zero`` (the shop allows it, or a manager approved it for this sale)."""

INSERT_MOVE = (
    "INSERT INTO stock_move (variant_id, quantity, reason, reference, occurred_at, user_id) "
    "VALUES (:variant, :delta, :reason, :reference, :at, :user)"
)

NEXT_RECEIPT = (
    "UPDATE register SET last_receipt_no = last_receipt_no + 1 WHERE code = :code "
    "RETURNING last_receipt_no"
)

INSERT_SALE = (
    "INSERT INTO sale (id, register_id, receipt_no, user_id, approved_by, currency, "
    "completed_at, subtotal_minor, discount_minor, tax_minor, total_minor, rounding_minor, "
    "journal_seq, journal_hash, cashier_name) VALUES (:id, "
    "(SELECT id FROM register WHERE code = :register_code), :receipt_no, :user_id, "
    ":approved_by, :currency, :completed_at, :subtotal, :discount, :tax, :total, :rounding, "
    ":journal_seq, :journal_hash, :cashier)"
)

INSERT_LINE = (
    "INSERT INTO sale_line (sale_id, line_no, variant_id, sku, name, quantity, sold_by_weight, "
    "unit_price_minor, price_overridden, tax_rate, discount_minor, net_minor, tax_minor, "
    "gross_minor) VALUES (:sale_id, :line_no, :variant_id, :sku, :name, :quantity, :weighed, "
    ":unit_price, :overridden, :rate, :discount, :net, :tax, :gross)"
)

INSERT_BAND = (
    "INSERT INTO sale_tax_band (sale_id, rate, net_minor, tax_minor) "
    "VALUES (:sale_id, :rate, :net, :tax)"
)

INSERT_PAYMENT = (
    "INSERT INTO payment (sale_id, position, kind, amount_minor, tendered_minor, change_minor, "
    "reference) VALUES (:sale_id, :position, :kind, :amount, :tendered, :change, :reference)"
)

SALE_EXISTS = "SELECT 1 FROM sale WHERE id = :id"

SALE_CLOCK = (
    "SELECT (SELECT s.completed_at FROM sale s WHERE s.register_id = r.id "
    "ORDER BY s.receipt_no DESC LIMIT 1), {now} FROM register r WHERE r.code = :code"
)
"""The register's last sale time and the database's clock (naive UTC, like stored times);
``{now}`` is filled with DATABASE_NOW for the dialect."""

DATABASE_NOW = {
    "sqlite": "CURRENT_TIMESTAMP",
    "postgresql": "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')",
}

JOURNAL_HEAD = "SELECT seq, hash, shop_id, key_id FROM journal_head WHERE id = 1"

DROP_DRAFT = "DELETE FROM sale_draft WHERE register_code = :code"
"""The register's draft of the sale in progress goes with the sale that completes it."""

INSERT_ENTRY = (
    "INSERT INTO journal_entry (seq, kind, body, prev_hash, hash) "
    "VALUES (:seq, :kind, :body, :prev_hash, :hash)"
)

MOVE_HEAD = "UPDATE journal_head SET seq = :seq, hash = :hash WHERE id = 1"

KEY_HEAD = "UPDATE journal_head SET key_id = :key_id WHERE id = 1"

ENTRY_HASH = "SELECT hash FROM journal_entry WHERE seq = :seq"

READ_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
"""PostgreSQL: what journal verification starts with, so its streams agree with each other."""

# One statement: two tills recalling the same parked sale cannot both get it.
TAKE_PARKED = "DELETE FROM parked_sale WHERE id = :id RETURNING snapshot"
