"""Products being assembled from rows, the checks across the whole file, and the result.

A product never half-imports: if any row of a product is bad, the whole product (every
variant) is left out and each bad row is reported; its good rows are counted as dropped with
it. SKUs, barcodes and handles must be unique in the whole file, and no barcode may equal
another variant's SKU (the till's lookup could not tell which is meant): a clash drops every
product involved, because the file does not say which one is right.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Final

from app.domain.barcode import normalise_code
from app.domain.catalog import ProductDraft, VariantDraft
from app.formats.products.records import RowProblem

# A clash on more rows than this is reported once, on its first row, naming the first few.
_LISTED_ROWS: Final = 5


@dataclass(frozen=True, slots=True)
class ParsedCatalog:
    """What a product file holds: the good products, and the problems that kept others out."""

    format: str
    """ "shopify", "woocommerce" or "generic"."""
    products: tuple[ProductDraft, ...]
    """Products with no bad row, in the order they first appear; variants in row order."""
    problems: tuple[RowProblem, ...]
    """Every problem found, by row; a product with any of them is not in ``products``."""
    rows_read: int
    """Data rows below the header, not counting rows whose cells are all empty."""
    rows_of: Mapping[str, tuple[int, ...]]
    """Handle of each product in ``products`` -> the rows it was read from (a Shopify row
    that only adds an image is not among them), to name rows if saving it fails later."""
    warnings: tuple[RowProblem, ...] = ()
    """Things imported anyway that the owner should know about, by row."""
    bad_rows: frozenset[int] = frozenset()
    """Rows with at least one problem."""
    dropped_rows: frozenset[int] = frozenset()
    """Good rows left out because another row of the same product is bad."""
    notes: tuple[str, ...] = ()
    """About the whole file, e.g. "read as Windows-1252"."""
    skipped: tuple[str, ...] = ()
    """Handles of products not read because the caller said their rows are unchanged."""


@dataclass(slots=True)
class Variant:
    row: int
    sku: str | None
    price: Decimal | None
    sku_made: str = ""
    """How an SKU the file left empty was made, for a message about it."""
    cost: Decimal | None = None
    stock: Decimal | None = None
    barcodes: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()
    active: bool = True
    track_stock: bool | None = None


@dataclass(slots=True)
class Group:
    handle: str
    rows: set[int] = field(default_factory=set)
    name: str = ""
    tax_class: str = "standard"
    category: str = ""
    active: bool = True
    sold_by_weight: bool = False
    variants: list[Variant] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)

    def report(self, row: int, messages: Sequence[str]) -> None:
        if messages:
            self.problems.extend(RowProblem(row, m) for m in messages)
            self.bad_rows.add(row)

    def take(self, row: int) -> None:
        self.rows.add(row)


def rows_text(rows: Sequence[int]) -> str:
    listed = sorted(rows)
    shown = ", ".join(str(r) for r in listed[:_LISTED_ROWS])
    if len(listed) > _LISTED_ROWS:
        shown += f" and {len(listed) - _LISTED_ROWS} more"
    return f"row {shown}" if len(listed) == 1 else f"rows {shown}"


_Owner = tuple[Group, Variant]


def _clashes(
    owners: Mapping[str, list[_Owner]], pairwise: str, many: str, explain_made: bool = False
) -> None:
    """Report values held by several variants. Two: each row names the other. More: one
    problem on the first row names the first rows, and every row is marked bad."""
    for value, held in owners.items():
        if len(held) < 2:
            continue
        if len(held) == 2:
            for group, variant in held:
                other = next(v.row for _, v in held if v is not variant)
                made = (
                    f" ({variant.sku_made} because the SKU cell is empty)"
                    if explain_made and variant.sku_made
                    else ""
                )
                message = pairwise.format(value=value, made=made, rows=rows_text([other]))
                group.report(variant.row, [message])
            continue
        rows = [v.row for _, v in held]
        first_group, first = min(held, key=lambda owner: owner[1].row)
        first_group.report(first.row, [many.format(value=value, n=len(held), rows=rows_text(rows))])
        for group, variant in held:
            group.bad_rows.add(variant.row)


def check_across(groups: Sequence[Group]) -> None:
    """Unique SKUs, barcodes and handles in the whole file; no barcode equal to another
    variant's SKU."""
    by_sku: dict[str, list[_Owner]] = {}
    by_code: dict[str, list[_Owner]] = {}
    by_handle: dict[str, list[Group]] = {}
    for group in groups:
        by_handle.setdefault(group.handle, []).append(group)
        for variant in group.variants:
            if variant.sku is not None:
                by_sku.setdefault(variant.sku, []).append((group, variant))
            for code in variant.barcodes:
                by_code.setdefault(code, []).append((group, variant))
    _clashes(
        by_sku,
        "SKU {value!r}{made} is also on {rows}",
        "SKU {value!r} is on {n} rows ({rows}); a SKU can name one variant",
        explain_made=True,
    )
    _clashes(
        by_code,
        "Barcode {value} is also on {rows}; a barcode can name one item",
        "Barcode {value} is on {n} rows ({rows}); a barcode can name one item",
    )
    for handle, same in by_handle.items():
        if len(same) < 2:
            continue
        for group in same:
            others = [min(g.rows) for g in same if g is not group]
            group.report(
                min(group.rows),
                [f"Product handle {handle!r} is also used by the product on {rows_text(others)}"],
            )
    # The till looks a scanned code up as a barcode first, then as a SKU.
    as_sku = {normalise_code(sku): held[0] for sku, held in by_sku.items()}
    for code, held in by_code.items():
        sku_owner = as_sku.get(code)
        if sku_owner is None:
            continue
        sku_group, sku_variant = sku_owner
        for group, variant in held:
            if variant is sku_variant:
                continue  # a variant whose barcode is its own SKU is found either way
            group.report(
                variant.row,
                [
                    f"Barcode {code} is also the SKU of the variant on row {sku_variant.row}: "
                    "a scan could not tell which is meant"
                ],
            )
            sku_group.report(
                sku_variant.row,
                [
                    f"SKU {sku_variant.sku!r} is also a barcode of the variant on row "
                    f"{variant.row}: a scan could not tell which is meant"
                ],
            )


def finish(
    fmt: str,
    groups: Iterable[Group],
    loose: Sequence[RowProblem],
    warnings: Sequence[RowProblem],
    rows_read: int,
    notes: Sequence[str] = (),
    skipped: Sequence[str] = (),
) -> ParsedCatalog:
    kept = [g for g in groups if g.rows]
    for group in kept:
        group.variants.sort(key=lambda v: v.row)
        if not group.variants and not group.problems:
            group.report(min(group.rows), ["The product has no variant with a price"])
    check_across(kept)
    kept.sort(key=lambda g: min(g.rows))
    products: list[ProductDraft] = []
    rows_of: dict[str, tuple[int, ...]] = {}
    problems = list(loose)
    bad = {p.row for p in loose}
    dropped: set[int] = set()
    for group in kept:
        problems.extend(group.problems)
        bad |= group.bad_rows
        variants = [
            VariantDraft(
                sku=v.sku,
                price=v.price,
                options=v.options,
                cost=v.cost,
                barcodes=v.barcodes,
                active=v.active,
                stock=v.stock,
                track_stock=v.track_stock,
            )
            for v in group.variants
            if v.sku is not None and v.price is not None
        ]
        if group.bad_rows or len(variants) != len(group.variants):
            dropped |= group.rows
            continue
        products.append(
            ProductDraft(
                handle=group.handle,
                name=group.name,
                tax_class=group.tax_class,
                variants=tuple(variants),
                category=group.category,
                active=group.active,
                sold_by_weight=group.sold_by_weight,
            )
        )
        rows_of[group.handle] = tuple(sorted(group.rows))
    # One cell can fail two checks with the same words (a simple WooCommerce product's SKU is
    # also its handle): say it once. The stable sort keeps a row's problems in found order.
    problems = list(dict.fromkeys(problems))
    problems.sort(key=lambda p: p.row)
    return ParsedCatalog(
        format=fmt,
        products=tuple(products),
        problems=tuple(problems),
        rows_read=rows_read,
        rows_of=MappingProxyType(rows_of),
        warnings=tuple(sorted(dict.fromkeys(warnings), key=lambda p: p.row)),
        bad_rows=frozenset(bad),
        dropped_rows=frozenset(dropped - bad),
        notes=tuple(notes),
        skipped=tuple(skipped),
    )
