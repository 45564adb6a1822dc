"""The schema as typed SQLAlchemy models; Alembic migrations in db/migrations build it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.types import QUANTITY, RATE, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def table(model: type[Base]) -> Table:
    """A model's Table, for the Core statements on the hot paths."""
    return cast(Table, model.__table__)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # SQLAlchemy reads this class attribute; it is never mutated.
    type_annotation_map = {datetime: UTCDateTime(), int: Integer, str: String}  # noqa: RUF012


class ShopSetting(Base):
    __tablename__ = "shop_setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class TaxClass(Base):
    __tablename__ = "tax_class"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    rate: Mapped[Decimal] = mapped_column(RATE)


class Category(Base):
    __tablename__ = "category"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Product(Base):
    __tablename__ = "product"
    id: Mapped[int] = mapped_column(primary_key=True)
    handle: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    tax_class_id: Mapped[int] = mapped_column(ForeignKey("tax_class.id"))
    sold_by_weight: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    import_digest: Mapped[str | None] = mapped_column(String(32))
    """Digest of the file rows the product was last imported from; cleared by other writes."""


# Names and codes (product, variant, barcode, category) refuse control characters in the
# database itself: db/migrations/versions/0002_import.py.


class Variant(Base):
    __tablename__ = "variant"
    __table_args__ = (Index("ix_variant_product", "product_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    options: Mapped[str] = mapped_column(String(255), default="")
    """Option values as "Size: M / Colour: Red"; empty for a product without variants."""
    display_name: Mapped[str] = mapped_column(String(460))
    """Product name plus option values, what the till and the receipt show."""
    search_text: Mapped[str] = mapped_column(Text)
    """Folded (lower-case, unaccented) name, options and SKU, what name search matches."""
    price_minor: Mapped[int] = mapped_column(BigInteger)
    cost_minor: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    track_stock: Mapped[bool] = mapped_column(Boolean, default=True)


class Barcode(Base):
    __tablename__ = "barcode"
    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variant.id", ondelete="CASCADE"), index=True
    )


class StockBalance(Base):
    __tablename__ = "stock_balance"
    variant_id: Mapped[int] = mapped_column(
        ForeignKey("variant.id", ondelete="CASCADE"), primary_key=True
    )
    quantity: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))


class StockMove(Base):
    __tablename__ = "stock_move"
    __table_args__ = (Index("ix_stock_move_variant", "variant_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variant.id"))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    """Signed change: negative for a sale, positive for a receipt or a count that found more."""
    reason: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(64), default="")
    occurred_at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class Register(Base):
    __tablename__ = "register"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    last_receipt_no: Mapped[int] = mapped_column(Integer, default=0)
    """The gapless receipt counter: incremented inside each sale's transaction."""


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Sale(Base):
    __tablename__ = "sale"
    __table_args__ = (
        UniqueConstraint("register_id", "receipt_no", name="uq_sale_register_receipt"),
        Index("ix_sale_completed_at", "completed_at"),
    )
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    """Made by the till before it asks to complete, so a retry finds the same sale."""
    register_id: Mapped[int] = mapped_column(ForeignKey("register.id"))
    receipt_no: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    currency: Mapped[str] = mapped_column(String(3))
    completed_at: Mapped[datetime]
    subtotal_minor: Mapped[int] = mapped_column(BigInteger)
    discount_minor: Mapped[int] = mapped_column(BigInteger)
    tax_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    rounding_minor: Mapped[int] = mapped_column(BigInteger)
    journal_seq: Mapped[int]
    journal_hash: Mapped[str] = mapped_column(String(64))
    cashier_name: Mapped[str] = mapped_column(String(80))


class SaleLine(Base):
    __tablename__ = "sale_line"
    __table_args__ = (UniqueConstraint("sale_id", "line_no", name="uq_sale_line_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sale.id"))
    line_no: Mapped[int]
    variant_id: Mapped[int | None] = mapped_column(ForeignKey("variant.id", ondelete="SET NULL"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(460))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    sold_by_weight: Mapped[bool] = mapped_column(Boolean)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    price_overridden: Mapped[bool] = mapped_column(Boolean)
    tax_rate: Mapped[Decimal] = mapped_column(RATE)
    discount_minor: Mapped[int] = mapped_column(BigInteger)
    net_minor: Mapped[int] = mapped_column(BigInteger)
    tax_minor: Mapped[int] = mapped_column(BigInteger)
    gross_minor: Mapped[int] = mapped_column(BigInteger)


class SaleTaxBand(Base):
    __tablename__ = "sale_tax_band"
    sale_id: Mapped[str] = mapped_column(ForeignKey("sale.id"), primary_key=True)
    rate: Mapped[Decimal] = mapped_column(RATE, primary_key=True)
    net_minor: Mapped[int] = mapped_column(BigInteger)
    tax_minor: Mapped[int] = mapped_column(BigInteger)


class Payment(Base):
    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
        Index("ix_payment_sale", "sale_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sale.id"))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    tendered_minor: Mapped[int] = mapped_column(BigInteger)
    change_minor: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(64), default="")
    """The terminal's approval code. Card numbers are never stored."""


class JournalEntry(Base):
    __tablename__ = "journal_entry"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    """The canonical JSON that was hashed, stored verbatim."""
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class JournalHead(Base):
    __tablename__ = "journal_head"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    shop_id: Mapped[str] = mapped_column(String(36))
    """Which shop this database is: random, made by the migration; names the anchors."""
    key_id: Mapped[str | None] = mapped_column(String(16))
    """The journal key new entries are keyed with; NULL until the shop has one."""


class ParkedSale(Base):
    __tablename__ = "parked_sale"
    id: Mapped[int] = mapped_column(primary_key=True)
    register_code: Mapped[str] = mapped_column(String(16), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    label: Mapped[str] = mapped_column(String(40))
    parked_at: Mapped[datetime]
    snapshot: Mapped[str] = mapped_column(Text)
    total_minor: Mapped[int] = mapped_column(BigInteger)


# Each journal entry backs at most one sale (journal verify walks sales in this order).
Index("ux_sale_journal_seq", Sale.journal_seq, unique=True)


class SaleDraft(Base):
    """The sale in progress on a register, kept so that a till that dies loses nothing: one
    row per register, rewritten by the database worker as the cart changes, deleted in the
    transaction that completes, parks or voids the sale."""

    __tablename__ = "sale_draft"
    register_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    saved_at: Mapped[datetime]
    snapshot: Mapped[str] = mapped_column(Text)
    """The cart, its tenders and the sale id, as JSON (app.services.sales)."""
    total_minor: Mapped[int] = mapped_column(BigInteger)


class ApprovalThrottle(Base):
    """Wrong manager PINs in a row per register; approvals there pause after too many."""

    __tablename__ = "approval_throttle"
    register_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    paused_until: Mapped[datetime | None]
