"""Catalog data the services hand out and take in."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class TaxClassData:
    code: str
    name: str
    rate: Decimal


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class StoredVariant:
    """A variant as the catalog holds it, in the terms a product draft is compared in."""

    id: int
    sku: str
    options: str
    """As app.domain.catalog.options_text writes it."""
    display_name: str
    price_minor: int
    cost_minor: int | None
    active: bool
    track_stock: bool
    barcodes: frozenset[str]


@dataclass(frozen=True, slots=True)
class StoredProduct:
    id: int
    handle: str
    name: str
    category: str
    tax_class: str
    sold_by_weight: bool
    active: bool
    import_digest: str | None
    variants: tuple[StoredVariant, ...]


@dataclass(frozen=True, slots=True)
class CodeOwner:
    """Who holds a code in the catalog: as a barcode or as a SKU, of which variant."""

    code: str
    kind: str
    """ "barcode" or "sku"."""
    handle: str
    sku: str


@dataclass(frozen=True, slots=True)
class ProductRow:
    """A product to create (``id`` None) or to update, as the catalog stores it."""

    id: int | None
    handle: str
    name: str
    category: str
    tax_class: str
    sold_by_weight: bool
    active: bool
    import_digest: str | None


@dataclass(frozen=True, slots=True)
class VariantRow:
    """A variant to create (``id`` None) or to update, of the product ``handle``."""

    id: int | None
    handle: str
    sku: str
    options: str
    display_name: str
    search_text: str
    price_minor: int
    cost_minor: int | None
    active: bool
    track_stock: bool


@dataclass(frozen=True, slots=True)
class CatalogWrite:
    """Every row one batch of catalog changes writes, worked out against what is stored.

    ``barcodes`` maps each code to the SKU that must hold it (codes another variant of the
    batch held are moved); ``released`` codes are deleted; ``deactivated`` are variant ids of
    the batch's products that their drafts no longer list."""

    products: tuple[ProductRow, ...] = ()
    variants: tuple[VariantRow, ...] = ()
    barcodes: tuple[tuple[str, str], ...] = ()
    released: tuple[str, ...] = ()
    deactivated: tuple[int, ...] = ()
    digests: tuple[tuple[str, str], ...] = ()
    """(handle, digest) of products whose rows are written for their digest alone."""

    def __bool__(self) -> bool:
        return bool(
            self.products
            or self.variants
            or self.barcodes
            or self.released
            or self.deactivated
            or self.digests
        )
