"""Catalog values: a product with its variants, as a file or a screen describes it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from app.errors import ParseError

# C0 controls, DEL and C1 controls. ESC, BEL and friends would reach the receipt printer as
# commands; NUL ends a string in some drivers. The database refuses them too (migration 0002).
CONTROL_CHARACTERS: Final = re.compile("[\x00-\x1f\x7f-\x9f]")


def refuse_controls(value: str, label: str) -> None:
    """Raise ParseError if ``value`` holds a control character, naming where it is."""
    found = CONTROL_CHARACTERS.search(value)
    if found is not None:
        char = found.group()
        raise ParseError(
            f"{label} {value[:30]!r} contains the control character U+{ord(char):04X} at "
            f"position {found.start() + 1}; it would reach the receipt printer as a command"
        )


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
    """A counted stock level, or None when the source gives none."""
    track_stock: bool | None = None
    """Whether sales are refused below zero: True or False when the source says so (a
    Shopify inventory policy), None to follow the stock count (tracked once counted)."""


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


def options_text(options: tuple[tuple[str, str], ...]) -> str:
    """Option names and values as stored and shown: "Size: M / Colour: Red"."""
    return " / ".join(f"{name}: {value}" for name, value in options)


def display_name(product_name: str, options: tuple[tuple[str, str], ...]) -> str:
    """What the till and the receipt show: the product's name and the option values."""
    values = " / ".join(value for _, value in options)
    return f"{product_name} ({values})" if values else product_name


def refuse_controls_in(draft: ProductDraft) -> None:
    """Raise ParseError if any name or code of the product holds a control character."""
    refuse_controls(draft.handle, "Handle")
    refuse_controls(draft.name, "Name")
    refuse_controls(draft.category, "Category")
    for variant in draft.variants:
        refuse_controls(variant.sku, "SKU")
        for code in variant.barcodes:
            refuse_controls(code, "Barcode")
        for name, value in variant.options:
            refuse_controls(name, "Option name")
            refuse_controls(value, "Option value")
