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
from db.driver import Bulk, read_quantity, read_rate

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
    "AND (quantity >= :quantity OR NOT (SELECT track_stock FROM variant WHERE id = :variant))"
)

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

JOURNAL_HEAD = "SELECT seq, hash FROM journal_head WHERE id = 1"

INSERT_ENTRY = (
    "INSERT INTO journal_entry (seq, kind, body, prev_hash, hash) "
    "VALUES (:seq, :kind, :body, :prev_hash, :hash)"
)

MOVE_HEAD = "UPDATE journal_head SET seq = :seq, hash = :hash WHERE id = 1"


# Catalog maintenance: the product import and the catalog screens ----------------------
# ``{handles}``, ``{ids}``, ``{codes}`` and ``{names}`` are IN lists of at most
# db.driver.IN_CHUNK keys (db.driver.select_in); the writes with one ``VALUES (…)`` group
# run through db.driver.Driver.bulk, many rows per statement on PostgreSQL.

PRODUCTS_BY_HANDLE = (
    "SELECT p.id, p.handle, p.name, COALESCE(c.name, ''), t.code, p.sold_by_weight, p.active, "
    "p.import_digest FROM product p JOIN tax_class t ON t.id = p.tax_class_id "
    "LEFT JOIN category c ON c.id = p.category_id WHERE p.handle IN {handles}"
)

VARIANTS_OF_PRODUCTS = (
    "SELECT v.product_id, v.id, v.sku, v.options, v.display_name, v.price_minor, v.cost_minor, "
    "v.active, v.track_stock FROM variant v WHERE v.product_id IN {ids} ORDER BY v.id"
)

BARCODES_OF_VARIANTS = "SELECT b.variant_id, b.code FROM barcode b WHERE b.variant_id IN {ids}"

DIGESTS_BY_HANDLE = "SELECT handle, import_digest FROM product WHERE handle IN {handles}"

CODE_OWNERS = (
    "SELECT b.code, 'barcode', p.handle, v.sku FROM barcode b "
    "JOIN variant v ON v.id = b.variant_id JOIN product p ON p.id = v.product_id "
    "WHERE b.code IN {codes} "
    "UNION ALL SELECT v.sku, 'sku', p.handle, v.sku FROM variant v "
    "JOIN product p ON p.id = v.product_id WHERE v.sku IN {codes}"
)

TAX_CLASS_IDS = "SELECT code, id FROM tax_class"

CATEGORY_IDS = "SELECT name, id FROM category WHERE name IN {names}"

INSERT_CATEGORY = Bulk(
    "INSERT INTO category (name) VALUES (:name) ON CONFLICT (name) DO NOTHING",
    "INSERT INTO category (name) SELECT unnest(:name::text[]) ON CONFLICT (name) DO NOTHING",
)

_PRODUCT_UPDATE = (
    "ON CONFLICT (handle) DO UPDATE SET name = excluded.name, "
    "category_id = excluded.category_id, tax_class_id = excluded.tax_class_id, "
    "sold_by_weight = excluded.sold_by_weight, active = excluded.active, "
    "updated_at = excluded.updated_at, import_digest = excluded.import_digest"
)
# By handle, so a batch that a crash cut short is simply written again.
UPSERT_PRODUCT = Bulk(
    "INSERT INTO product (handle, name, category_id, tax_class_id, sold_by_weight, active, "
    "created_at, updated_at, import_digest) VALUES (:handle, :name, :category, :tax, :weighed, "
    f":active, :at, :at, :digest) {_PRODUCT_UPDATE}",
    "INSERT INTO product (handle, name, category_id, tax_class_id, sold_by_weight, active, "
    "created_at, updated_at, import_digest) SELECT u.handle, u.name, u.category, u.tax, "
    "u.weighed, u.active, u.at, u.at, u.digest FROM unnest(:handle::text[], :name::text[], "
    ":category::bigint[], :tax::bigint[], :weighed::boolean[], :active::boolean[], "
    ":at::timestamp[], :digest::text[]) AS u(handle, name, category, tax, weighed, active, at, "
    f"digest) {_PRODUCT_UPDATE}",
)

PRODUCT_IDS = "SELECT handle, id FROM product WHERE handle IN {handles}"

SET_DIGEST = Bulk(
    "UPDATE product SET import_digest = :digest WHERE handle = :handle",
    "UPDATE product SET import_digest = u.digest FROM unnest(:handle::text[], :digest::text[]) "
    "AS u(handle, digest) WHERE product.handle = u.handle",
)

# A SKU keeps its product: moving one between products is refused before writing.
_VARIANT_UPDATE = (
    "ON CONFLICT (sku) DO UPDATE SET options = excluded.options, "
    "display_name = excluded.display_name, search_text = excluded.search_text, "
    "price_minor = excluded.price_minor, cost_minor = excluded.cost_minor, "
    "active = excluded.active, track_stock = excluded.track_stock"
)
UPSERT_VARIANT = Bulk(
    "INSERT INTO variant (product_id, sku, options, display_name, search_text, price_minor, "
    "cost_minor, active, track_stock) VALUES (:product, :sku, :options, :display_name, "
    f":search_text, :price, :cost, :active, :tracked) {_VARIANT_UPDATE}",
    "INSERT INTO variant (product_id, sku, options, display_name, search_text, price_minor, "
    "cost_minor, active, track_stock) SELECT * FROM unnest(:product::bigint[], :sku::text[], "
    ":options::text[], :display_name::text[], :search_text::text[], :price::bigint[], "
    f":cost::bigint[], :active::boolean[], :tracked::boolean[]) {_VARIANT_UPDATE}",
)

VARIANT_IDS = "SELECT sku, id FROM variant WHERE sku IN {codes}"

DEACTIVATE_VARIANTS = "UPDATE variant SET active = :off WHERE id IN {ids}"

RELEASE_BARCODES = "DELETE FROM barcode WHERE code IN {codes}"

# A code another variant of the same batch held moves to its new variant in place: a swap of
# two barcodes needs no ordering.
PLACE_BARCODE = Bulk(
    "INSERT INTO barcode (code, variant_id) VALUES (:code, :variant) "
    "ON CONFLICT (code) DO UPDATE SET variant_id = excluded.variant_id",
    "INSERT INTO barcode (code, variant_id) SELECT * FROM unnest(:code::text[], "
    ":variant::bigint[]) ON CONFLICT (code) DO UPDATE SET variant_id = excluded.variant_id",
)

# Every variant has a balance row from birth, so a sale's stock UPDATE always finds one.
NEW_BALANCE = Bulk(
    "INSERT INTO stock_balance (variant_id, quantity) VALUES (:variant, 0) "
    "ON CONFLICT (variant_id) DO NOTHING",
    "INSERT INTO stock_balance (variant_id, quantity) SELECT unnest(:variant::bigint[]), 0 "
    "ON CONFLICT (variant_id) DO NOTHING",
)

BALANCES = "SELECT variant_id, quantity FROM stock_balance WHERE variant_id IN {ids}"

# A count moves the balance by the difference it found, like any other move, so the balance
# stays the sum of its moves even if a till sold one in between.
MOVE_BALANCE = Bulk(
    "UPDATE stock_balance SET quantity = quantity + :delta WHERE variant_id = :variant",
    "UPDATE stock_balance SET quantity = stock_balance.quantity + u.delta "
    "FROM unnest(:variant::bigint[], :delta::bigint[]) AS u(variant, delta) "
    "WHERE stock_balance.variant_id = u.variant",
)

INSERT_MOVES = Bulk(
    INSERT_MOVE,
    "INSERT INTO stock_move (variant_id, quantity, reason, reference, occurred_at, user_id) "
    "SELECT * FROM unnest(:variant::bigint[], :delta::bigint[], :reason::text[], "
    ":reference::text[], :at::timestamp[], :user::bigint[])",
)
