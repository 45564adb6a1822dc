"""Catalog values: a product with its variants, as a file or a screen describes it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class VariantDraft:
    """One variant as an import file or the catalog screen describes it."""

    sku: str
    price: Decimal
    options: tuple[tuple[str, str], ...] = ()
    cost: Decimal | None = None
    barcodes: tuple[str, ...] = ()
    active: bool = True
    stock: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ProductDraft:
    """A product with its variants, ready to be created or updated by its handle."""

    handle: str
    name: str
    tax_class: str
    variants: tuple[VariantDraft, ...]
    category: str = ""
    active: bool = True
    sold_by_weight: bool = False
