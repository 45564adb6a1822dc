"""Repositories: translate between the app's DTOs and the tables, inside one Session.

Writes on the sale path use Core statements (one executemany per table) rather than ORM
unit-of-work flushes: a 20-line sale is then a handful of round trips, which is what keeps
completion close to raw sqlite3 in ``main.py bench``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from app.domain.cart import CartItem
from app.domain.catalog import ProductDraft, VariantDraft
from app.domain.journal import JournalRecord, canonical_json, chain_hash
from app.domain.money import Currency, Money
from app.domain.tender import Tender, TenderKind
from app.domain.text import fold
from app.domain.users import Role
from app.dto.catalog import TaxClassData, UpsertOutcome
from app.dto.sales import ParkedSaleSummary, ReceiptLine, ReceiptTaxBand, SaleReceipt
from app.errors import DuplicateSale, InsufficientStock, NotFound, UserError
from db import models as m
from db.driver import driver_for, in_list, read_rate


def options_text(options: Sequence[tuple[str, str]]) -> str:
    return " / ".join(f"{name}: {value}" for name, value in options)


def display_name(product_name: str, options: Sequence[tuple[str, str]]) -> str:
    values = " / ".join(value for _, value in options)
    return f"{product_name} ({values})" if values else product_name


_VARIANT = m.table(m.Variant)


class CatalogRepository:
    def __init__(self, session: Session, currency: Currency) -> None:
        self._s = session
        self._currency = currency

    def items_for_sale(self, variant_ids: Sequence[int]) -> dict[int, CartItem]:
        ids, params = in_list("v", set(variant_ids))
        rows = driver_for(self._s).execute(
            "SELECT v.id, v.sku, v.display_name, v.price_minor, t.rate, p.sold_by_weight "
            "FROM variant v JOIN product p ON p.id = v.product_id "
            f"JOIN tax_class t ON t.id = p.tax_class_id WHERE v.id IN {ids} "
            "AND v.active AND p.active",
            params,
        )
        return {
            variant_id: CartItem(
                variant_id,
                sku,
                name,
                Money.from_minor(price, self._currency),
                read_rate(rate),
                bool(weighed),
            )
            for variant_id, sku, name, price, rate, weighed in rows.fetchall()
        }

    def tax_classes(self) -> list[TaxClassData]:
        rows = self._s.scalars(select(m.TaxClass).order_by(m.TaxClass.rate.desc()))
        return [TaxClassData(t.code, t.name, t.rate) for t in rows]

    def save_tax_class(self, tax_class: TaxClassData) -> None:
        row = self._s.scalar(select(m.TaxClass).where(m.TaxClass.code == tax_class.code))
        if row is None:
            self._s.add(m.TaxClass(code=tax_class.code, name=tax_class.name, rate=tax_class.rate))
        else:
            row.name, row.rate = tax_class.name, tax_class.rate
        self._s.flush()

    def barcode_owners(self, codes: Sequence[str]) -> dict[str, str]:
        rows = self._s.execute(
            select(m.Barcode.code, m.Product.handle)
            .join(m.Variant, m.Variant.id == m.Barcode.variant_id)
            .join(m.Product, m.Product.id == m.Variant.product_id)
            .where(m.Barcode.code.in_(set(codes)))
        )
        return {row.code: row.handle for row in rows}

    def sku_owners(self, skus: Sequence[str]) -> dict[str, str]:
        rows = self._s.execute(
            select(m.Variant.sku, m.Product.handle)
            .join(m.Product, m.Product.id == m.Variant.product_id)
            .where(m.Variant.sku.in_(set(skus)))
        )
        return {row.sku: row.handle for row in rows}

    def _category_id(self, name: str) -> int | None:
        name = name.strip()
        if not name:
            return None
        found = self._s.scalar(select(m.Category.id).where(m.Category.name == name))
        if found is not None:
            return found
        category = m.Category(name=name)
        self._s.add(category)
        self._s.flush()
        return category.id

    def upsert_products(
        self, drafts: Sequence[ProductDraft], at: datetime
    ) -> tuple[UpsertOutcome, dict[str, int]]:
        """Create or update many products; new ones are written with one statement per table
        (an import of 100 000 products takes seconds, not minutes)."""
        existing = set(
            self._s.scalars(
                select(m.Product.handle).where(m.Product.handle.in_({d.handle for d in drafts}))
            )
        )
        fresh = [d for d in drafts if d.handle not in existing]
        ids = self._create(fresh, at) if fresh else {}
        created, updated, unchanged = len(fresh), 0, 0
        for draft in drafts:
            if draft.handle in existing:
                outcome, variant_ids = self._upsert_one(draft, at)
                ids.update(variant_ids)
                updated += outcome.updated
                unchanged += outcome.unchanged
        return UpsertOutcome(created, updated, unchanged), ids

    def _create(self, drafts: Sequence[ProductDraft], at: datetime) -> dict[str, int]:
        taxes = {
            row.code: row.id for row in self._s.execute(select(m.TaxClass.code, m.TaxClass.id))
        }
        categories = {name: self._category_id(name) for name in {d.category for d in drafts}}
        for draft in drafts:
            if draft.tax_class not in taxes:
                raise UserError(f"Unknown tax class {draft.tax_class!r}")
        product_ids = self._s.scalars(
            insert(m.Product).returning(m.Product.id, sort_by_parameter_order=True),
            [
                {
                    "handle": d.handle,
                    "name": d.name,
                    "category_id": categories[d.category],
                    "tax_class_id": taxes[d.tax_class],
                    "sold_by_weight": d.sold_by_weight,
                    "active": d.active,
                    "created_at": at,
                    "updated_at": at,
                }
                for d in drafts
            ],
        ).all()
        variants = [
            (pid, d, v) for pid, d in zip(product_ids, drafts, strict=True) for v in d.variants
        ]
        variant_ids = self._s.scalars(
            insert(m.Variant).returning(m.Variant.id, sort_by_parameter_order=True),
            [self._variant_row(pid, d.name, v) for pid, d, v in variants],
        ).all()
        ids = {v.sku: vid for (_, _, v), vid in zip(variants, variant_ids, strict=True)}
        codes = [{"code": c, "variant_id": ids[v.sku]} for _, _, v in variants for c in v.barcodes]
        if codes:
            self._s.execute(insert(m.Barcode), codes)
        # Every variant has a balance row from birth, so a sale's stock UPDATE always finds one.
        self._s.execute(
            insert(m.StockBalance),
            [{"variant_id": vid, "quantity": Decimal(0)} for vid in variant_ids],
        )
        return ids

    def _variant_row(self, product_id: int, product_name: str, vd: VariantDraft) -> dict[str, Any]:
        name = display_name(product_name, vd.options)
        return {
            "product_id": product_id,
            "sku": vd.sku,
            "options": options_text(vd.options),
            "display_name": name,
            "search_text": fold(f"{name} {vd.sku}"),
            "price_minor": Money.of(vd.price, self._currency).minor,
            "cost_minor": None if vd.cost is None else Money.of(vd.cost, self._currency).minor,
            "active": vd.active,
            "track_stock": vd.stock is not None,
        }

    def _upsert_one(
        self, draft: ProductDraft, at: datetime
    ) -> tuple[UpsertOutcome, dict[str, int]]:
        """Create or update by handle. Variants are matched by SKU; a variant missing from the
        draft is deactivated, never deleted, because past sales point at it."""
        tax_id = self._s.scalar(select(m.TaxClass.id).where(m.TaxClass.code == draft.tax_class))
        if tax_id is None:
            raise UserError(f"Unknown tax class {draft.tax_class!r}")
        category_id = self._category_id(draft.category)
        product = self._s.scalar(select(m.Product).where(m.Product.handle == draft.handle))
        created = product is None
        changed = False
        if product is None:
            product = m.Product(handle=draft.handle, created_at=at, updated_at=at)
            self._s.add(product)
        wanted = {
            "name": draft.name,
            "category_id": category_id,
            "tax_class_id": tax_id,
            "sold_by_weight": draft.sold_by_weight,
            "active": draft.active,
        }
        for key, value in wanted.items():
            if getattr(product, key) != value:
                setattr(product, key, value)
                changed = True
        self._s.flush()
        existing = {
            v.sku: v
            for v in self._s.scalars(select(m.Variant).where(m.Variant.product_id == product.id))
        }
        ids: dict[str, int] = {}
        for vd in draft.variants:
            variant = existing.pop(vd.sku, None)
            is_new = variant is None
            if variant is None:
                variant = m.Variant(product_id=product.id, sku=vd.sku, track_stock=False)
                self._s.add(variant)
                changed = True
            changed |= self._apply_variant(variant, draft.name, vd)
            self._s.flush()
            if is_new:
                self._s.add(m.StockBalance(variant_id=variant.id, quantity=Decimal(0)))
            ids[vd.sku] = variant.id
            changed |= self._sync_barcodes(variant.id, vd.barcodes)
        for leftover in existing.values():
            if leftover.active:
                leftover.active = False
                changed = True
        if changed and not created:
            product.updated_at = at
        self._s.flush()
        if created:
            return UpsertOutcome(created=1), ids
        return (UpsertOutcome(updated=1) if changed else UpsertOutcome(unchanged=1)), ids

    def _apply_variant(self, variant: m.Variant, product_name: str, vd: VariantDraft) -> bool:
        wanted = self._variant_row(variant.product_id, product_name, vd)
        if vd.stock is None:
            del wanted["track_stock"]  # only a stock count switches tracking on
        changed = False
        for key, value in wanted.items():
            if getattr(variant, key, None) != value:
                setattr(variant, key, value)
                changed = True
        return changed

    def _sync_barcodes(self, variant_id: int, codes: Sequence[str]) -> bool:
        current = set(
            self._s.scalars(select(m.Barcode.code).where(m.Barcode.variant_id == variant_id))
        )
        wanted = set(codes)
        if current == wanted:
            return False
        for code in current - wanted:
            self._s.execute(delete(m.Barcode).where(m.Barcode.code == code))
        new = wanted - current
        if new:
            self._s.execute(
                insert(m.Barcode), [{"code": c, "variant_id": variant_id} for c in sorted(new)]
            )
        return True


# Hot-path statements are built once on the tables, with bound parameters, and run on the
# Session's connection: rebuilding ORM statements per sale line cost more than SQLite took to
# run them (main.py bench).
_BALANCE = m.table(m.StockBalance)
_LEVELS = (
    select(_BALANCE.c.variant_id, _BALANCE.c.quantity, _VARIANT.c.display_name)
    .join(_VARIANT, _VARIANT.c.id == _BALANCE.c.variant_id)
    .where(_VARIANT.c.track_stock)
    .where(_BALANCE.c.variant_id.in_(bindparam("variants", expanding=True)))
)
# One conditional UPDATE per line: under concurrency the second till re-checks the row it
# waited for, sees the first till's decrement, and matches nothing.
_TAKE_STOCK = (
    "UPDATE stock_balance SET quantity = quantity - :quantity WHERE variant_id = :variant "
    "AND (quantity >= :quantity OR NOT (SELECT track_stock FROM variant WHERE id = :variant))"
)
_INSERT_MOVE = (
    "INSERT INTO stock_move (variant_id, quantity, reason, reference, occurred_at, user_id) "
    "VALUES (:variant, :delta, :reason, :reference, :at, :user)"
)


class StockRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def take(
        self,
        lines: Sequence[tuple[int, Decimal]],
        reason: str,
        reference: str,
        at: datetime,
        user_id: int | None,
    ) -> None:
        driver = driver_for(self._s)
        quantities = [(variant, driver.quantity(quantity)) for variant, quantity in lines]
        taken = driver.executemany(
            _TAKE_STOCK, [{"variant": v, "quantity": q} for v, q in quantities]
        )
        if taken != len(lines):
            # A tracked item is short. This sale cannot commit, so undo it now and read the
            # levels as every till sees them, to name the item for the cashier.
            self._s.rollback()
            raise self._shortage(lines)
        moment = driver.time(at)
        driver.executemany(
            _INSERT_MOVE,
            [
                {
                    "variant": v,
                    "delta": -q if q is not None else None,
                    "reason": reason,
                    "reference": reference,
                    "at": moment,
                    "user": user_id,
                }
                for v, q in quantities
            ],
        )

    def _shortage(self, lines: Sequence[tuple[int, Decimal]]) -> InsufficientStock:
        wanted: dict[int, Decimal] = {}
        for variant_id, quantity in lines:
            wanted[variant_id] = wanted.get(variant_id, Decimal(0)) + quantity
        rows = self._s.execute(_LEVELS, {"variants": list(wanted)}).all()
        for variant_id, held, name in rows:
            if held < wanted[variant_id]:
                return InsufficientStock(
                    f"Not enough {name} in stock: {max(held, Decimal(0)).normalize():f} "
                    f"left, {wanted[variant_id].normalize():f} wanted"
                )
        missing = set(wanted) - {row[0] for row in rows}
        if missing:
            return InsufficientStock(f"Item {min(missing)} has no stock record")
        return InsufficientStock("Another till sold the last units just now: check the stock")

    def count(
        self, levels: Mapping[int, Decimal], reference: str, at: datetime, user_id: int | None
    ) -> set[int]:
        """Set stock to counted levels: one "count" move per variant whose level differs.
        Returns the variant ids that changed. Batched: a 100 000 item import stays fast."""
        if not levels:
            return set()
        current = {
            row.variant_id: row.quantity
            for row in self._s.execute(
                select(m.StockBalance.variant_id, m.StockBalance.quantity).where(
                    m.StockBalance.variant_id.in_(list(levels))
                )
            )
        }
        deltas = {vid: level - current.get(vid, Decimal(0)) for vid, level in levels.items()}
        deltas = {vid: delta for vid, delta in deltas.items() if delta != 0}
        if not deltas:
            return set()
        self._s.execute(
            insert(m.StockMove),
            [
                {
                    "variant_id": vid,
                    "quantity": delta,
                    "reason": "count",
                    "reference": reference,
                    "occurred_at": at,
                    "user_id": user_id,
                }
                for vid, delta in deltas.items()
            ],
        )
        self._s.execute(delete(m.StockBalance).where(m.StockBalance.variant_id.in_(list(deltas))))
        self._s.execute(
            insert(m.StockBalance), [{"variant_id": vid, "quantity": levels[vid]} for vid in deltas]
        )
        return set(deltas)

    def level(self, variant_id: int) -> Decimal:
        found = self._s.scalar(
            select(m.StockBalance.quantity).where(m.StockBalance.variant_id == variant_id)
        )
        return found if found is not None else Decimal(0)


_REGISTER = m.table(m.Register)
_NEXT_RECEIPT = (
    "UPDATE register SET last_receipt_no = last_receipt_no + 1 WHERE code = :code "
    "RETURNING last_receipt_no"
)


class RegisterRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def ensure(self, code: str, name: str) -> None:
        if self._s.scalar(select(m.Register.id).where(m.Register.code == code)) is None:
            self._s.add(m.Register(code=code, name=name, last_receipt_no=0))
            self._s.flush()

    def next_receipt_no(self, code: str) -> int:
        # The UPDATE takes the row lock: tills sharing a register queue here, and a rolled-back
        # sale gives its number back, so numbers stay gapless.
        row = driver_for(self._s).execute(_NEXT_RECEIPT, {"code": code}).fetchone()
        number = None if row is None else row[0]
        if number is None:
            raise NotFound(f"There is no register {code!r}; set it up first")
        return int(number)


_SALE = m.table(m.Sale)
_SALE_LINE = m.table(m.SaleLine)
_SALE_BAND = m.table(m.SaleTaxBand)
_PAYMENT = m.table(m.Payment)
_INSERT_SALE = (
    "INSERT INTO sale (id, register_id, receipt_no, user_id, approved_by, currency, "
    "completed_at, subtotal_minor, discount_minor, tax_minor, total_minor, rounding_minor, "
    "journal_seq, journal_hash, cashier_name) VALUES (:id, "
    "(SELECT id FROM register WHERE code = :register_code), :receipt_no, :user_id, "
    ":approved_by, :currency, :completed_at, :subtotal, :discount, :tax, :total, :rounding, "
    ":journal_seq, :journal_hash, :cashier)"
)
_INSERT_LINE = (
    "INSERT INTO sale_line (sale_id, line_no, variant_id, sku, name, quantity, sold_by_weight, "
    "unit_price_minor, price_overridden, tax_rate, discount_minor, net_minor, tax_minor, "
    "gross_minor) VALUES (:sale_id, :line_no, :variant_id, :sku, :name, :quantity, :weighed, "
    ":unit_price, :overridden, :rate, :discount, :net, :tax, :gross)"
)
_INSERT_BAND = (
    "INSERT INTO sale_tax_band (sale_id, rate, net_minor, tax_minor) "
    "VALUES (:sale_id, :rate, :net, :tax)"
)
_INSERT_PAYMENT = (
    "INSERT INTO payment (sale_id, position, kind, amount_minor, tendered_minor, change_minor, "
    "reference) VALUES (:sale_id, :position, :kind, :amount, :tendered, :change, :reference)"
)
_SALE_EXISTS = "SELECT 1 FROM sale WHERE id = :id"
_SALE_BY_ID = (
    select(_SALE, _REGISTER.c.code.label("register_code"))
    .join(_REGISTER, _REGISTER.c.id == _SALE.c.register_id)
    .where(_SALE.c.id == bindparam("sale_id"))
)


class SaleRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def receipt(self, sale_id: str) -> SaleReceipt | None:
        # Every sale asks this first (idempotency); a new sale answers from the primary key.
        if driver_for(self._s).execute(_SALE_EXISTS, {"id": sale_id}).fetchone() is None:
            return None
        connection = self._s.connection()
        sale = connection.execute(_SALE_BY_ID, {"sale_id": sale_id}).one_or_none()
        if sale is None:
            return None
        currency = Currency.of(sale.currency)

        def money(minor: int) -> Money:
            return Money.from_minor(minor, currency)

        lines = connection.execute(
            select(_SALE_LINE).where(_SALE_LINE.c.sale_id == sale_id).order_by(_SALE_LINE.c.line_no)
        )
        bands = connection.execute(
            select(_SALE_BAND).where(_SALE_BAND.c.sale_id == sale_id).order_by(_SALE_BAND.c.rate)
        )
        payments = connection.execute(
            select(_PAYMENT).where(_PAYMENT.c.sale_id == sale_id).order_by(_PAYMENT.c.position)
        )
        return SaleReceipt(
            sale_id=sale.id,
            register_code=sale.register_code,
            receipt_no=sale.receipt_no,
            completed_at=sale.completed_at,
            cashier=sale.cashier_name,
            lines=tuple(
                ReceiptLine(
                    ln.name,
                    ln.sku,
                    ln.quantity,
                    money(ln.unit_price_minor),
                    ln.tax_rate,
                    money(ln.discount_minor),
                    money(ln.tax_minor),
                    money(ln.gross_minor),
                    ln.sold_by_weight,
                )
                for ln in lines
            ),
            subtotal=money(sale.subtotal_minor),
            discount=money(sale.discount_minor),
            tax=money(sale.tax_minor),
            total=money(sale.total_minor),
            rounding=money(sale.rounding_minor),
            bands=tuple(
                ReceiptTaxBand(b.rate, money(b.net_minor), money(b.tax_minor)) for b in bands
            ),
            payments=tuple(
                Tender(
                    TenderKind(p.kind),
                    money(p.amount_minor),
                    money(p.tendered_minor),
                    money(p.change_minor),
                    p.reference,
                )
                for p in payments
            ),
            journal_seq=sale.journal_seq,
            journal_hash=sale.journal_hash,
        )

    def add(
        self,
        receipt: SaleReceipt,
        user_id: int,
        approved_by: int | None,
        variant_ids: Sequence[int],
        overridden: Sequence[bool],
    ) -> None:
        driver = driver_for(self._s)
        sale_id = receipt.sale_id
        try:
            driver.execute(
                _INSERT_SALE,
                {
                    "id": sale_id,
                    "register_code": receipt.register_code,
                    "receipt_no": receipt.receipt_no,
                    "user_id": user_id,
                    "approved_by": approved_by,
                    "currency": receipt.total.currency.code,
                    "completed_at": driver.time(receipt.completed_at),
                    "subtotal": receipt.subtotal.minor,
                    "discount": receipt.discount.minor,
                    "tax": receipt.tax.minor,
                    "total": receipt.total.minor,
                    "rounding": receipt.rounding.minor,
                    "journal_seq": receipt.journal_seq,
                    "journal_hash": receipt.journal_hash,
                    "cashier": receipt.cashier,
                },
            )
        except driver.integrity_error as error:
            # Only the primary key can clash here: the same sale committed by another attempt.
            # The unit of work rolls this transaction back and the service re-reads that sale.
            raise DuplicateSale(sale_id) from error
        driver.executemany(
            _INSERT_LINE,
            [
                {
                    "sale_id": sale_id,
                    "line_no": number,
                    "variant_id": variant_id,
                    "sku": ln.sku,
                    "name": ln.name,
                    "quantity": driver.quantity(ln.quantity),
                    "weighed": ln.sold_by_weight,
                    "unit_price": ln.unit_price.minor,
                    "overridden": was_overridden,
                    "rate": driver.rate(ln.tax_rate),
                    "discount": ln.discount.minor,
                    "net": ln.gross.minor - ln.tax.minor,
                    "tax": ln.tax.minor,
                    "gross": ln.gross.minor,
                }
                for number, (ln, variant_id, was_overridden) in enumerate(
                    zip(receipt.lines, variant_ids, overridden, strict=True), start=1
                )
            ],
        )
        driver.executemany(
            _INSERT_BAND,
            [
                {
                    "sale_id": sale_id,
                    "rate": driver.rate(b.rate),
                    "net": b.net.minor,
                    "tax": b.tax.minor,
                }
                for b in receipt.bands
            ],
        )
        if receipt.payments:
            driver.executemany(
                _INSERT_PAYMENT,
                [
                    {
                        "sale_id": sale_id,
                        "position": i,
                        "kind": p.kind.value,
                        "amount": p.amount.minor,
                        "tendered": p.tendered.minor,
                        "change": p.change.minor,
                        "reference": p.reference,
                    }
                    for i, p in enumerate(receipt.payments, start=1)
                ],
            )


_JOURNAL_HEAD = "SELECT seq, hash FROM journal_head WHERE id = 1"
_INSERT_ENTRY = (
    "INSERT INTO journal_entry (seq, kind, body, prev_hash, hash) "
    "VALUES (:seq, :kind, :body, :prev_hash, :hash)"
)
_MOVE_HEAD = "UPDATE journal_head SET seq = :seq, hash = :hash WHERE id = 1"


class JournalRepository:
    def __init__(self, session: Session) -> None:
        self._s = session
        self.last: tuple[int, str] | None = None

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
        head_seq, head_hash = driver.execute(_JOURNAL_HEAD + lock, {}).fetchone()
        seq = head_seq + 1
        body = {
            "seq": seq,
            "kind": kind,
            "register": register_code,
            "user": user_id,
            "at": at.isoformat(),
            "data": dict(data),
        }
        digest = chain_hash(head_hash, body)
        driver.execute(
            _INSERT_ENTRY,
            {
                "seq": seq,
                "kind": kind,
                "body": canonical_json(body),
                "prev_hash": head_hash,
                "hash": digest,
            },
        )
        driver.execute(_MOVE_HEAD, {"seq": seq, "hash": digest})
        self.last = (seq, digest)
        return seq, digest

    def records(self) -> Iterator[JournalRecord]:
        result = self._s.execute(
            select(
                m.JournalEntry.seq,
                m.JournalEntry.body,
                m.JournalEntry.prev_hash,
                m.JournalEntry.hash,
            )
            .order_by(m.JournalEntry.seq)
            .execution_options(yield_per=1000)
        )
        for row in result:
            yield JournalRecord(row.seq, json.loads(row.body), row.prev_hash, row.hash)


class UserRow:
    """A user as the auth service reads it (satisfies app.ports.UserRecord)."""

    def __init__(self, user: m.User) -> None:
        self.user_id = user.id
        self.username = user.username
        self.display_name = user.display_name
        self.role = Role(user.role)
        self.pin_hash = user.pin_hash
        self.failed_attempts = user.failed_attempts
        self.locked_until = user.locked_until
        self.active = user.active


class UserRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def by_username(self, username: str) -> UserRow | None:
        user = self._s.scalar(select(m.User).where(m.User.username == username))
        return None if user is None else UserRow(user)

    def add(self, username: str, display_name: str, role: Role, pin_hash: str) -> int:
        user = m.User(
            username=username,
            display_name=display_name,
            role=role.value,
            pin_hash=pin_hash,
            failed_attempts=0,
            active=True,
        )
        self._s.add(user)
        self._s.flush()
        return user.id

    def set_failures(
        self, user_id: int, failed_attempts: int, locked_until: datetime | None
    ) -> None:
        self._s.execute(
            update(m.User)
            .where(m.User.id == user_id)
            .values(failed_attempts=failed_attempts, locked_until=locked_until)
        )


class SettingsRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def all(self) -> dict[str, str]:
        return {row.key: row.value for row in self._s.scalars(select(m.ShopSetting))}

    def set(self, key: str, value: str) -> None:
        row = self._s.get(m.ShopSetting, key)
        if row is None:
            self._s.add(m.ShopSetting(key=key, value=value))
        else:
            row.value = value
        self._s.flush()


class ParkedRepository:
    def __init__(self, session: Session, currency: Currency) -> None:
        self._s = session
        self._currency = currency

    def add(
        self,
        register_code: str,
        user_id: int,
        label: str,
        at: datetime,
        snapshot: Mapping[str, Any],
        total_minor: int,
    ) -> int:
        parked = m.ParkedSale(
            register_code=register_code,
            user_id=user_id,
            label=label,
            parked_at=at,
            snapshot=json.dumps(snapshot),
            total_minor=total_minor,
        )
        self._s.add(parked)
        self._s.flush()
        return parked.id

    def summaries(self, register_code: str) -> list[ParkedSaleSummary]:
        rows = self._s.execute(
            select(m.ParkedSale, m.User.display_name)
            .join(m.User, m.User.id == m.ParkedSale.user_id)
            .where(m.ParkedSale.register_code == register_code)
            .order_by(m.ParkedSale.parked_at)
        )
        return [
            ParkedSaleSummary(
                p.id,
                p.label,
                p.parked_at,
                name,
                len(json.loads(p.snapshot)["lines"]),
                Money.from_minor(p.total_minor, self._currency),
            )
            for p, name in rows
        ]

    def take(self, parked_id: int) -> dict[str, Any] | None:
        parked = self._s.get(m.ParkedSale, parked_id)
        if parked is None:
            return None
        snapshot: dict[str, Any] = json.loads(parked.snapshot)
        self._s.delete(parked)
        self._s.flush()
        return snapshot
