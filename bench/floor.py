"""The raw floor of a sale: the work SaleService.complete does for a card sale, done the
cheapest way, with db/sql.py's own statements (read from it at run time: :class:`SaleSql`)
run straight on the driver: sqlite3, or psycopg with the parameters as ``%(name)s``.

:func:`floor_sale` does, in the service's order (app/services/sales.py and the repositories
it calls in db/repositories):

1. ``BEGIN IMMEDIATE`` on SQLite, as db/engine.py begins every write (psycopg opens its
   transaction with the first statement);
2. ``SALE_EXISTS``: the idempotency check a retried sale answers from;
3. ``ITEMS_FOR_SALE``: the catalog rows the sale re-reads (name, SKU, price, rate, weighed);
4. ``SALE_CLOCK`` with the dialect's ``DATABASE_NOW``: the register's last sale time and the
   database's clock, and the same two comparisons app.domain.timecheck makes (a till clock
   gone back, or ahead of the database's);
5. ``NEXT_RECEIPT``: the gapless receipt number;
6. ``TAKE_STOCK``: one executemany, quantities merged per variant and taken in variant order
   (as StockRepository.take does against deadlocks), ``:below_zero`` false, every row matched;
7. ``INSERT_MOVE``: one stock move per line, in line order;
8. the journal append as JournalRepository.append makes it: ``JOURNAL_HEAD`` (``FOR UPDATE``
   on PostgreSQL) read with its shop id and key id, the body the service journals (seq, kind,
   register, user, ISO time, and the sale id, receipt number, currency, total, tax,
   discount, rounding, approver, lines and payments), canonical JSON, the SHA-256 chain,
   ``INSERT_ENTRY`` and ``MOVE_HEAD`` (the database's append-only triggers check both);
9. ``INSERT_SALE``, ``INSERT_LINE``, ``INSERT_BAND``, ``INSERT_PAYMENT``;
10. ``DROP_DRAFT``: the register's draft goes with the sale that completes it;
11. ``COMMIT``;
12. the head copy kept outside the database, written as db/anchor.py writes it: an exclusive
    ``flock``, the current copy read and compared, a unique temporary file, ``fsync``,
    ``os.replace`` and an ``fsync`` of the directory, in a directory of the floor's own.

What it does not do, and the service does: check the operator's permissions and approvals,
price overrides, discounts, cash rounding and the tenders (this sale is one of each item at
its shelf price, paid by card: there is nothing to check); price with Money and Decimal (the
floor's integer arithmetic rounds the same way, half up per line); key the journal (a shop
whose head has a key id is refused: HMAC needs the OS keyring); read the items sold below
zero (only a sale a manager let go below zero does); say which item was short (it raises);
build the receipt, announce the change feed, write the log line.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

CLOCK_TOLERANCE = timedelta(minutes=5)  # app.domain.timecheck's

SALE_STATEMENTS = (
    "SALE_EXISTS",
    "ITEMS_FOR_SALE",
    "SALE_CLOCK",
    "NEXT_RECEIPT",
    "TAKE_STOCK",
    "INSERT_MOVE",
    "JOURNAL_HEAD",
    "INSERT_ENTRY",
    "MOVE_HEAD",
    "INSERT_SALE",
    "INSERT_LINE",
    "INSERT_BAND",
    "INSERT_PAYMENT",
    "DROP_DRAFT",
)
"""The db/sql.py statements SaleService.complete runs, by name."""


@dataclass(frozen=True, slots=True)
class SaleSql:
    """db/sql.py's sale statements as one driver takes them (``%(name)s`` for psycopg), and
    the scales the stored numbers have (db/types.py). Read from db/sql.py in the bench's own
    process and handed to its children in the workload: a floor child never imports db/sql.py,
    which would load SQLAlchemy (through db.driver) into the raw floor's memory."""

    text: dict[str, str]
    quantity_digits: int
    rate_digits: int

    @classmethod
    def of(cls, dialect: str) -> SaleSql:
        """The statements for ``dialect`` ("sqlite" or "postgresql"), as db/sql.py holds
        them now."""
        from db import sql
        from db.driver import pyformat
        from db.types import QUANTITY, RATE

        texts = {name: getattr(sql, name) for name in SALE_STATEMENTS}
        texts["SALE_CLOCK"] = texts["SALE_CLOCK"].format(now=sql.DATABASE_NOW[dialect])
        if dialect == "postgresql":
            texts = {name: pyformat(text) for name, text in texts.items()}
        return cls(texts, QUANTITY.scale, RATE.scale)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SaleSql:
        return cls(dict(data["text"]), data["quantity_digits"], data["rate_digits"])

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "quantity_digits": self.quantity_digits,
            "rate_digits": self.rate_digits,
        }


class RawConnection:
    """A DB-API connection (sqlite3 in autocommit mode, or psycopg) running statements given
    in its own parameter style (SaleSql)."""

    def __init__(self, connection: Any, postgres: bool) -> None:
        self.connection = connection
        self.postgres = postgres
        self.dialect = "postgresql" if postgres else "sqlite"
        self._cursor = connection.cursor()

    def execute(self, statement: str, params: Mapping[str, Any]) -> Any:
        self._cursor.execute(statement, params)
        return self._cursor

    def executemany(self, statement: str, rows: Iterable[Mapping[str, Any]]) -> int:
        self._cursor.executemany(statement, list(rows))
        return int(self._cursor.rowcount)

    def in_list(self, name: str, values: Iterable[Any]) -> tuple[str, dict[str, Any]]:
        """``(:name0, :name1, …)`` (``%(name0)s`` for psycopg) and its parameters."""
        params = {f"{name}{i}": value for i, value in enumerate(values)}
        style = "%({})s" if self.postgres else ":{}"
        return "(" + ", ".join(style.format(key) for key in params) + ")", params

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

    def bind_time(self, moment: datetime) -> Any:
        """A time as the models' UTCDateTime binds it: naive UTC, as text on SQLite."""
        naive = moment.astimezone(UTC).replace(tzinfo=None)
        return naive if self.postgres else naive.isoformat(" ", "microseconds")

    def read_time(self, stored: Any) -> datetime | None:
        """A stored naive UTC time (text on SQLite), made aware."""
        if stored is None:
            return None
        moment = stored if isinstance(stored, datetime) else datetime.fromisoformat(stored)
        return moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class FloorTill:
    """Who sells where, as the floor needs it (the bench's workload has it all)."""

    user_id: int
    cashier: str
    register: str
    currency: str
    minor_units: int
    prices_include_tax: bool
    sql: SaleSql
    anchors: Path
    """The floor's own directory for its copy of the journal head."""

    @classmethod
    def of(cls, w: Mapping[str, Any], anchors: Path) -> FloorTill:
        return cls(
            w["user_id"],
            w["cashier"],
            w["register"],
            w["currency"],
            w["minor_units"],
            w["prices_include_tax"],
            SaleSql.from_json(w["sale_sql"]),
            anchors,
        )


def floor_sale(
    raw: RawConnection, sale_id: str, variant_ids: Sequence[int], till: FloorTill
) -> int:
    """Write what SaleService.complete writes for a card sale of one of each item, in one
    transaction, then the head copy (the module's docstring says exactly what is done).
    Returns the receipt number."""
    text = till.sql.text
    one = 10**till.sql.quantity_digits  # a quantity of 1, as stored
    now = datetime.now(UTC)
    moment = raw.bind_time(now)
    raw.begin()
    try:
        if raw.execute(text["SALE_EXISTS"], {"id": sale_id}).fetchone():
            raise RuntimeError(f"sale {sale_id} exists")
        ids, id_params = raw.in_list("v", set(variant_ids))
        items = {
            row[0]: row for row in raw.execute(text["ITEMS_FOR_SALE"].format(ids=ids), id_params)
        }
        last_at, database_now = raw.execute(text["SALE_CLOCK"], {"code": till.register}).fetchone()
        _check_clock(now, raw.read_time(last_at), raw.read_time(database_now))
        (receipt_no,) = raw.execute(text["NEXT_RECEIPT"], {"code": till.register}).fetchone()
        merged: dict[int, int] = {}
        for variant_id in variant_ids:
            merged[variant_id] = merged.get(variant_id, 0) + one
        taken = raw.executemany(
            text["TAKE_STOCK"],
            [{"variant": v, "quantity": merged[v], "below_zero": False} for v in sorted(merged)],
        )
        if taken != len(merged):
            raise RuntimeError("not enough stock")
        raw.executemany(
            text["INSERT_MOVE"],
            [
                {
                    "variant": v,
                    "delta": -one,
                    "reason": "sale",
                    "reference": sale_id,
                    "at": moment,
                    "user": till.user_id,
                }
                for v in variant_ids
            ],
        )
        lines, bands, journal_lines = _priced(sale_id, variant_ids, items, till)
        subtotal = sum(line["unit_price"] for line in lines)  # one of each: the extended sum
        total = sum(line["gross"] for line in lines)
        total_tax = sum(line["tax"] for line in lines)
        lock = " FOR UPDATE" if raw.postgres else ""  # as JournalRepository takes the head
        head_seq, previous, shop_id, key_id = raw.execute(
            text["JOURNAL_HEAD"] + lock, {}
        ).fetchone()
        if key_id is not None:
            raise RuntimeError("the floor does not key the journal (HMAC needs the keyring)")
        seq = head_seq + 1

        def amount(minor: int) -> str:
            return _amount(minor, till.minor_units)

        body = {
            "seq": seq,
            "kind": "sale",
            "register": till.register,
            "user": till.user_id,
            "at": now.isoformat(),
            "data": {
                "sale_id": sale_id,
                "receipt_no": receipt_no,
                "currency": till.currency,
                "total": amount(total),
                "tax": amount(total_tax),
                "discount": amount(0),
                "rounding": amount(0),
                "approved_by": None,
                "lines": journal_lines,
                "payments": [{"kind": "card", "amount": amount(total), "reference": "AUTH01"}],
            },
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(bytes.fromhex(previous) + canonical.encode()).hexdigest()
        raw.execute(
            text["INSERT_ENTRY"],
            {"seq": seq, "kind": "sale", "body": canonical, "prev_hash": previous, "hash": digest},
        )
        raw.execute(text["MOVE_HEAD"], {"seq": seq, "hash": digest})
        raw.execute(
            text["INSERT_SALE"],
            {
                "id": sale_id,
                "register_code": till.register,
                "receipt_no": receipt_no,
                "user_id": till.user_id,
                "approved_by": None,
                "currency": till.currency,
                "completed_at": moment,
                "subtotal": subtotal,
                "discount": 0,
                "tax": total_tax,
                "total": total,
                "rounding": 0,
                "journal_seq": seq,
                "journal_hash": digest,
                "cashier": till.cashier,
            },
        )
        raw.executemany(text["INSERT_LINE"], lines)
        raw.executemany(
            text["INSERT_BAND"],
            [
                {"sale_id": sale_id, "rate": rate, "net": net, "tax": tax}
                for rate, (net, tax) in sorted(bands.items())
            ],
        )
        raw.executemany(
            text["INSERT_PAYMENT"],
            [
                {
                    "sale_id": sale_id,
                    "position": 1,
                    "kind": "card",
                    "amount": total,
                    "tendered": total,
                    "change": 0,
                    "reference": "AUTH01",
                }
            ],
        )
        raw.execute(text["DROP_DRAFT"], {"code": till.register})
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    write_anchor(till.anchors, shop_id, seq, digest)
    return int(receipt_no)


def _check_clock(now: datetime, last_at: datetime | None, database_now: datetime | None) -> None:
    if last_at is not None and now < last_at - CLOCK_TOLERANCE:
        raise RuntimeError("the clock is before the register's last sale")
    if database_now is None or now > database_now + CLOCK_TOLERANCE:
        raise RuntimeError("the clock is ahead of the database's")


def _priced(
    sale_id: str, variant_ids: Sequence[int], items: Mapping[int, Any], till: FloorTill
) -> tuple[list[dict[str, Any]], dict[int, list[int]], list[dict[str, str]]]:
    """The sale's lines, tax bands and journal lines, in integers: one of each item at its
    shelf price, tax per line rounded half up."""
    lines: list[dict[str, Any]] = []
    bands: dict[int, list[int]] = {}
    journal_lines: list[dict[str, str]] = []
    for number, variant_id in enumerate(variant_ids, start=1):
        _, sku, name, price, rate, weighed, *_ = items[variant_id]
        # Tax included: tax = gross × r / (100 + r); else tax = net × r / 100. Half up, in
        # integers (the rate is stored × 10^rate_digits).
        hundred = 100 * 10**till.sql.rate_digits
        denominator = hundred + rate if till.prices_include_tax else hundred
        tax = (2 * price * rate + denominator) // (2 * denominator)
        net = price - tax if till.prices_include_tax else price
        gross = net + tax
        lines.append(
            {
                "sale_id": sale_id,
                "line_no": number,
                "variant_id": variant_id,
                "sku": sku,
                "name": name,
                "quantity": 10**till.sql.quantity_digits,
                "weighed": weighed,
                "unit_price": price,
                "overridden": False,
                "rate": rate,
                "discount": 0,
                "net": net,
                "tax": tax,
                "gross": gross,
            }
        )
        band = bands.setdefault(rate, [0, 0])
        band[0] += net
        band[1] += tax
        journal_lines.append(
            {
                "sku": sku,
                "name": name,
                "qty": "1",
                "unit_price": _amount(price, till.minor_units),
                "tax_rate": str(Decimal(rate).scaleb(-till.sql.rate_digits)),
                "gross": _amount(gross, till.minor_units),
            }
        )
    return lines, bands, journal_lines


def _amount(minor: int, minor_units: int) -> str:
    """Minor units as the journal writes money: ``str`` of the Decimal, e.g. "12.90"."""
    return str(Decimal(minor).scaleb(-minor_units))


def write_anchor(directory: Path, shop_id: str, seq: int, digest: str) -> None:
    """The head copy, ``<shop id>.head`` holding ``shop seq hash``, as db/anchor.py writes it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{shop_id}.head"
    with open(directory / f"{shop_id}.lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            with contextlib.suppress(FileNotFoundError):
                if int(path.read_text(encoding="ascii").split()[1]) >= seq:
                    return  # a later head is already kept
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write(f"{shop_id} {seq} {digest}\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
            folder = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
