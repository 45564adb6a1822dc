"""Every hand-written statement on the hot paths, in one place.

A scan and a sale are a handful of short statements each; SQLAlchemy's per-execution work cost
more than SQLite took to run them (``main.py bench``), so these run as plain SQL with ``:name``
parameters on the driver's cursor (:mod:`db.driver`). They live here, and only here, so the
repositories, the catalog reader and the bench's floors run the very same text, and
tests/integration/sql/ reads each one's rows back through the models.
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

# Name search ----------------------------------------------------------------------------
#
# A term of three letters or more matches anywhere in the folded text (a substring: "rulee"
# finds "Crème Brûlée"); a shorter one matches the start of a word ("kg", "1", "xl"). Words
# are what spaces, brackets and commas separate ("Tee (m / navy)": tee, m, /, navy).
#
# Ranking: names that start with the first term, then names with a word that starts with it,
# then the rest, by name within each. Nothing is ranked beyond what is shown: the matches are
# taken straight from the index in its own order (rowid on SQLite's FTS5, heap order on
# PostgreSQL's GIN) and the scan stops at ``limit`` rows, so a word matching tens of
# thousands of items costs no more than a rare one. Names starting with the first term are a
# second, bounded read (SQLite: the search_text index in name order), made only when the
# matches fill the list: otherwise they are all among the matches already.
#
# SQLite's FTS5 trigram index holds the words as ``INDEXED_TEXT`` spells them, two spaces
# apart: "  kg" (a word starting with kg) and "  1" are then trigram phrases like any other,
# so every term of a query, short or long, is answered by the one index in one MATCH.

MIN_TRIGRAM = 3
"""Shorter search terms match the start of a word, longer ones anywhere."""

NAME_START_CANDIDATES = 2000
"""How many names starting with the first term SQLite reads, in name order, to find those
that match the other terms too: that read stays bounded whatever the catalog."""

_WORD_MARKS = " (),"
"""What a word follows: a space (or the start of the text), an option bracket or a comma."""

_WORDS = "' ' || replace(replace(replace({text}, '(', ' '), ')', ' '), ',', ' ')"
"""SQLite: the folded text as words after single spaces; " kg" is then a word starting kg."""

INDEXED_TEXT = "replace(" + _WORDS.format(text="{column}") + ", ' ', '  ')"
"""What the SQLite search index holds for a variant, as SQL over its folded ``search_text``
(``{column}``): the triggers and the migration that fill the index use it."""

SEARCH_FLOOR = (
    f"SELECT {ITEM_COLUMNS} JOIN variant_search ON variant_search.rowid = v.id "
    "WHERE variant_search MATCH :match AND v.active AND p.active "
    "ORDER BY variant_search.rowid LIMIT :limit"
)
"""The simplest raw FTS5 query for the same question (the bench's floor): ``limit`` active
items matching every term, in index order, unranked."""

_GATED_LIMIT = "CASE WHEN (SELECT count(*) FROM matches) >= :limit THEN :limit ELSE 0 END"
"""The name-start read's limit: none unless the matches filled the list. A LIMIT is worked
out once, before the scan it limits, so an unneeded read costs nothing."""


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _fts_term(term: str) -> str:
    return _phrase(term if len(term) >= MIN_TRIGRAM else "  " + term)


def search_match(terms: Sequence[str]) -> str:
    """The FTS5 MATCH expression for items matching every term (short ones at word starts)."""
    return " AND ".join(_fts_term(t) for t in terms)


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _sqlite_search(terms: Sequence[str], params: dict[str, Any]) -> tuple[str, str, str]:
    first = terms[0]
    params.update(
        match=search_match(terms),
        lo=first,
        hi=first[:-1] + chr(ord(first[-1]) + 1),
        candidates=NAME_START_CANDIDATES,
    )
    checks = []
    for index, term in enumerate(terms[1:], start=1):
        if len(term) >= MIN_TRIGRAM:
            params[f"r{index}"] = term
            checks.append(f"instr(c.search_text, :r{index}) > 0")
            continue
        # A word start, as _WORDS has them; plain instr() calls are cheaper than rebuilding
        # the text for each name read.
        starts = []
        for mark_index, mark in enumerate(_WORD_MARKS):
            params[f"r{index}_{mark_index}"] = mark + term
            starts.append(f"instr(' ' || c.search_text, :r{index}_{mark_index}) > 0")
        checks.append("(" + " OR ".join(starts) + ")")
    matches = (
        "SELECT variant_search.rowid AS id FROM variant_search "
        "JOIN variant v ON v.id = variant_search.rowid JOIN product p ON p.id = v.product_id "
        "WHERE variant_search MATCH :match AND v.active AND p.active "
        "ORDER BY variant_search.rowid LIMIT :limit"
    )
    starting = (
        "SELECT v.id AS id FROM (SELECT id, search_text FROM variant "
        "WHERE search_text >= :lo AND search_text < :hi ORDER BY search_text "
        "LIMIT :candidates) AS c CROSS JOIN variant v ON v.id = c.id "
        "JOIN product p ON p.id = v.product_id "
        f"WHERE {' AND '.join([*checks, 'v.active', 'p.active'])} LIMIT {_GATED_LIMIT}"
    )
    not_a_word_start = f"instr({_WORDS.format(text='v.search_text')}, :word) = 0"
    return matches, starting, not_a_word_start


def _postgres_search(terms: Sequence[str], params: dict[str, Any]) -> tuple[str, str, str]:
    def like(name: str, pattern: str) -> str:
        params[name] = pattern
        return f"v.search_text LIKE :{name} ESCAPE '\\'"

    def matched(index: int, term: str) -> str:
        escaped = _like_escape(term)
        if len(term) >= MIN_TRIGRAM:
            return like(f"t{index}", f"%{escaped}%")
        # A word start as SQLite's words have it; each pattern is one pg_trgm index read.
        starts = [f"{escaped}%", *(f"%{mark}{escaped}%" for mark in _WORD_MARKS)]
        return "(" + " OR ".join(like(f"t{index}_{i}", p) for i, p in enumerate(starts)) + ")"

    filters = [matched(index, term) for index, term in enumerate(terms)]
    live = ["v.active", "p.active"]
    matches = (
        "SELECT v.id AS id FROM variant v JOIN product p ON p.id = v.product_id "
        f"WHERE {' AND '.join([*filters, *live])} LIMIT :limit"
    )
    starting = (
        "SELECT v.id AS id FROM variant v JOIN product p ON p.id = v.product_id WHERE "
        f"{' AND '.join([like('starts', _like_escape(terms[0]) + '%'), *filters[1:], *live])} "
        f"LIMIT {_GATED_LIMIT}"
    )
    not_a_word_start = "position(:word in ' ' || translate(v.search_text, '(),', '   ')) = 0"
    return matches, starting, not_a_word_start


def search_statement(terms: Sequence[str], limit: int, sqlite: bool) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of a name search for ``terms`` (folded, at least one)."""
    first = terms[0]
    params: dict[str, Any] = {"limit": limit, "word": " " + first}
    matches, starting, not_a_word_start = (_sqlite_search if sqlite else _postgres_search)(
        terms, params
    )
    if sqlite:
        not_a_name_start = "NOT (v.search_text >= :lo AND v.search_text < :hi)"
    else:
        not_a_name_start = "v.search_text NOT LIKE :starts ESCAPE '\\'"
    text = (
        f"WITH matches AS MATERIALIZED ({matches}) "
        f"SELECT {ITEM_COLUMNS} JOIN (SELECT id FROM matches UNION SELECT id FROM ({starting}) "
        "AS s) AS hit ON hit.id = v.id "
        f"ORDER BY {not_a_name_start}, {not_a_word_start}, v.display_name, v.id LIMIT :limit"
    )
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
