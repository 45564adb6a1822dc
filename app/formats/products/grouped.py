"""Shopify and generic files: one row per variant, rows grouped into products by handle.

Missing Shopify SKUs are made from the handle and the option values (cells.make_sku). A
Shopify variant is stock-tracked only when its inventory tracker is set and its policy is
"deny": with no tracker, or "continue", the till sells it whatever the count.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from app.errors import ParseError
from app.formats.products import cells as c
from app.formats.products.assemble import Group, Variant
from app.formats.products.headers import SHOPIFY, Col, Header, missing, picker
from app.formats.products.records import RowProblem

GENERIC_FIELDS: Final = (
    "handle",
    "name",
    "sku",
    "price",
    "barcode",
    "cost",
    "tax_class",
    "category",
    "active",
    "sold_by_weight",
    "stock",
    "option1_name",
    "option1_value",
    "option2_name",
    "option2_value",
    "option3_name",
    "option3_value",
)

# Positions in the list a row is picked into (GroupedColumns.pick).
HANDLE, NAME, SKU, PRICE, COST, BARCODE, STOCK, TRACKER, POLICY = range(9)
TAX, ACTIVE, CATEGORY, CATEGORY_FALLBACK, SOLD_BY_WEIGHT = range(9, 14)
OPTION_NAMES: Final = (14, 15, 16)
OPTION_VALUES: Final = (17, 18, 19)
_VARIANT_CELLS: Final = (SKU, PRICE, COST, BARCODE, STOCK, *OPTION_VALUES)

_SHOPIFY_STATUS: Final = {"active": True, "draft": False, "archived": False, "unlisted": True}
_DENY: Final = frozenset({"", "deny", "false", "no"})
_CONTINUE: Final = frozenset({"continue", "true", "yes"})


@dataclass(frozen=True, slots=True)
class GroupedColumns:
    shopify: bool
    cols: tuple[Col | None, ...]
    """In the order of the positions above."""
    pick: Callable[[list[str]], list[str]]
    labels: tuple[str, ...] = ()
    """The file's name of each column, or ours when the file lacks it."""

    def label(self, at: int) -> str:
        return self.labels[at]

    def has(self, at: int) -> bool:
        return self.cols[at] is not None


_FALLBACK_LABELS: Final = (
    "Handle",
    "Name",
    "SKU",
    "Price",
    "Cost",
    "Barcode",
    "Stock",
    "Variant Inventory Tracker",
    "Variant Inventory Policy",
    "tax_class",
    "active",
    "Category",
    "Product category",
    "sold_by_weight",
    "Option1 name",
    "Option2 name",
    "Option3 name",
    "Option1 value",
    "Option2 value",
    "Option3 value",
)


def _columns(shopify: bool, header: Header, cols: tuple[Col | None, ...]) -> GroupedColumns:
    labels = tuple(
        col.label if col is not None else fallback
        for col, fallback in zip(cols, _FALLBACK_LABELS, strict=True)
    )
    return GroupedColumns(shopify, cols, picker(header, cols), labels)


def shopify_columns(header: Header) -> GroupedColumns:
    s = SHOPIFY
    cols = (
        header.find(*s["handle"]),
        header.find(*s["name"]),
        header.find(*s["sku"]),
        header.find(*s["price"]),
        header.find(*s["cost"]),
        header.find(*s["barcode"]),
        header.find(*s["stock"]),
        header.find(*s["tracker"]),
        header.find(*s["policy"]),
        header.find(*s["tax"]),
        header.find(*s["active"]),
        # Type is the shop's own grouping; Product category is Shopify's long standard
        # taxonomy, used (its last step) only when Type is empty.
        header.find(*s["category"]),
        header.find(*s["category_fallback"]),
        None,
        *(header.find(f"Option{i} name") for i in (1, 2, 3)),
        *(header.find(f"Option{i} value") for i in (1, 2, 3)),
    )
    missing([("Title", cols[NAME]), ("Price (or Variant Price)", cols[PRICE])])
    return _columns(True, header, cols)


def generic_columns(header: Header, mapping: Mapping[str, str] | None) -> GroupedColumns:
    chosen = {f: f for f in GENERIC_FIELDS}
    for key, column in (mapping or {}).items():
        if key not in chosen:
            raise ValueError(f"unknown product field {key!r}; fields are {GENERIC_FIELDS}")
        chosen[key] = column
    found: dict[str, Col | None] = {}
    for key, column in chosen.items():
        found[key] = header.find(column)
        if found[key] is None and mapping is not None and key in mapping:
            raise ParseError(
                f"The file has no column {column!r} to read {key} from; its columns are "
                f"{', '.join(repr(label) for label in header.labels if label)}"
            )
    cols = (
        found["handle"],
        found["name"],
        found["sku"],
        found["price"],
        found["cost"],
        found["barcode"],
        found["stock"],
        None,
        None,
        found["tax_class"],
        found["active"],
        found["category"],
        None,
        found["sold_by_weight"],
        *(found[f"option{i}_name"] for i in (1, 2, 3)),
        *(found[f"option{i}_value"] for i in (1, 2, 3)),
    )
    missing([(chosen[k], found[k]) for k in ("name", "sku", "price")])
    return _columns(False, header, cols)


Rows = list[tuple[int, list[str]]]
"""A product's rows: spreadsheet row number and the picked cells."""


def group_rows(
    cols: GroupedColumns,
    records: Sequence[tuple[int, list[str]]],
    warnings: list[RowProblem],
) -> tuple[dict[str, Rows], list[RowProblem]]:
    """Rows by product handle (the SKU for a generic row without one), and the rows that
    name no product."""
    groups: dict[str, Rows] = {}
    loose: list[RowProblem] = []
    pick = cols.pick
    no_handle_column = cols.shopify and not cols.has(HANDLE)
    for row, raw_cells in records:
        cells = pick(raw_cells)
        handle_at = HANDLE if cells[HANDLE] or cols.shopify else SKU
        handle_raw = cells[handle_at]
        if no_handle_column:
            # Without a URL handle column Shopify makes each product's handle from its title.
            handle_at = NAME
            title = cells[NAME]
            handle_raw = (c.slug(title) or c.digest(title)) if title else ""
        if not handle_raw:
            if no_handle_column:
                message = f"{cols.label(NAME)} is empty: the product needs a name"
            elif cols.shopify:
                message = f"{cols.label(HANDLE)} is empty: every row needs its product's handle"
            else:
                message = f"{cols.label(SKU)} is empty: every variant needs one"
            loose.append(RowProblem(row, message))
            continue
        rows = groups.get(handle_raw)
        if rows is None:
            notes: list[str] = []
            try:
                c.code(handle_raw, cols.label(handle_at), c.MAX_HANDLE, notes)
            except ParseError as error:
                loose.append(RowProblem(row, error.message))
                continue
            # A generic row's handle is its SKU, which the variant warns about itself.
            if handle_at != SKU:
                warnings.extend(RowProblem(row, n) for n in notes)
            rows = groups[handle_raw] = []
        rows.append((row, cells))
    return groups, loose


def _first(records: Rows, at: int) -> tuple[int, str]:
    for row, cells in records:
        if cells[at]:
            return row, cells[at]
    return records[0][0], ""


def build(
    cols: GroupedColumns,
    handle_raw: str,
    records: Rows,
    taxes: c.TaxClasses,
    warnings: list[RowProblem],
) -> Group:
    """One product from its rows."""
    group = Group(c.code(handle_raw, "Handle", c.MAX_HANDLE, []))
    shopify = cols.shopify
    if shopify:
        # A Shopify row with neither variant data nor a title only adds an image: skip it.
        records = [
            (row, cells)
            for row, cells in records
            if cells[NAME] or any(cells[i] for i in _VARIANT_CELLS)
        ]
    if not records:
        return group
    group.rows.update(row for row, _ in records)

    name_row, name_raw = _first(records, NAME)
    try:
        group.name = c.name(name_raw, cols.label(NAME))
    except ParseError as error:
        group.report(name_row, [error.message])

    cat_row, cat_raw = _first(records, CATEGORY)
    cat_label = cols.label(CATEGORY)
    if not cat_raw and cols.has(CATEGORY_FALLBACK):
        cat_row, cat_raw = _first(records, CATEGORY_FALLBACK)
        cat_raw = cat_raw.rsplit(">", 1)[-1]
        cat_label = cols.label(CATEGORY_FALLBACK)
    if cat_raw:
        try:
            group.category = c.text(cat_raw, cat_label, c.MAX_CATEGORY)
        except ParseError as error:
            group.report(cat_row, [error.message])

    if shopify:
        status_row, status = _first(records, ACTIVE)
        if status and status.casefold() not in _SHOPIFY_STATUS:
            message = f"{cols.label(ACTIVE)} {status!r} should be active, draft or archived"
            group.report(status_row, [message])
        group.active = _SHOPIFY_STATUS.get(status.casefold(), True)
    else:
        if cols.has(TAX):
            tax_row, tax_raw = _first(records, TAX)
            try:
                group.tax_class = taxes.code(tax_raw, cols.label(TAX))
            except ParseError as error:
                group.report(tax_row, [error.message])
        if cols.has(SOLD_BY_WEIGHT):
            sbw_row, sbw_raw = _first(records, SOLD_BY_WEIGHT)
            try:
                group.sold_by_weight = c.flag(sbw_raw, cols.label(SOLD_BY_WEIGHT), False)
            except ParseError as error:
                group.report(sbw_row, [error.message])

    option_names: list[str] = []
    for at in OPTION_NAMES:
        option_row, option_raw = _first(records, at) if cols.has(at) else (0, "")
        try:
            option_names.append(c.text(option_raw, cols.label(at), c.MAX_OPTIONS))
        except ParseError as error:
            group.report(option_row, [error.message])
            option_names.append("")
    tax_seen: tuple[int, str, str] | None = None
    check_tax = shopify and cols.has(TAX)
    check_active = not shopify and cols.has(ACTIVE)
    for row, cells in records:
        if not any(cells[i] for i in _VARIANT_CELLS):
            continue
        errors: list[str] = []
        notes: list[str] = []
        variant = _variant(cols, group.handle, option_names, row, cells, errors, notes)
        if check_tax:
            raw = cells[TAX]
            label = cols.label(TAX)
            try:
                code = "standard" if c.flag(raw, label, True) else "zero"
            except ParseError as error:
                errors.append(error.message)
            else:
                if tax_seen is None:
                    tax_seen = (row, raw or "TRUE", code)
                    group.tax_class = code
                elif tax_seen[2] != code:
                    errors.append(
                        f"{label} is {raw or 'TRUE'!r} here but {tax_seen[1]!r} on "
                        f"row {tax_seen[0]}; Tillwright keeps one tax class per product"
                    )
        if check_active:
            try:
                variant.active = c.flag(cells[ACTIVE], cols.label(ACTIVE), True)
            except ParseError as error:
                errors.append(error.message)
        if errors:
            group.report(row, errors)
        if notes:
            warnings.extend(RowProblem(row, n) for n in notes)
        group.variants.append(variant)
    if not shopify:
        # A product is on sale while any of its variants is.
        group.active = any(v.active for v in group.variants) if group.variants else True
    return group


def _variant(
    cols: GroupedColumns,
    handle: str,
    option_names: Sequence[str],
    row: int,
    cells: list[str],
    errors: list[str],
    notes: list[str],
) -> Variant:
    options: tuple[tuple[str, str], ...] = ()
    first_value = cells[OPTION_VALUES[0]]
    # "Default Title" is how Shopify writes the one variant of a product without options.
    if (first_value or cells[OPTION_VALUES[1]] or cells[OPTION_VALUES[2]]) and not (
        cols.shopify and first_value.casefold() == "default title"
    ):
        options = _options(cols, option_names, cells, errors)

    sku_raw = cells[SKU]
    sku_made = ""
    sku: str | None = None
    if sku_raw:
        try:
            sku = c.code(sku_raw, cols.label(SKU), c.MAX_SKU, notes)
        except ParseError as error:
            errors.append(error.message)
    elif cols.shopify:
        sku = c.make_sku(handle, [v for _, v in options])
        sku_made = "made from the handle and option values"
    else:
        errors.append(f"{cols.label(SKU)} is empty: every variant needs one")

    price: Decimal | None = None
    try:
        price = c.price(cells[PRICE], cols.label(PRICE))
    except ParseError as error:
        errors.append(error.message)
    else:
        if not price:
            notes.append(f"{cols.label(PRICE)} is 0: the item will ring up free")
    cost = stock = None
    barcodes: tuple[str, ...] = ()
    if cells[COST]:
        try:
            cost = c.cost(cells[COST], cols.label(COST))
        except ParseError as error:
            errors.append(error.message)
    if cells[STOCK]:
        try:
            stock = c.stock(cells[STOCK], cols.label(STOCK))
        except ParseError as error:
            errors.append(error.message)
    if cells[BARCODE]:
        try:
            barcodes = c.barcodes(cells[BARCODE], cols.label(BARCODE), notes)
        except ParseError as error:
            errors.append(error.message)
    track: bool | None = None
    if cols.has(TRACKER) or cols.has(POLICY):
        policy = cells[POLICY].casefold()
        if cols.has(TRACKER) and not cells[TRACKER]:
            # Shopify does not count this variant: its quantity column means nothing.
            stock, track = None, False
        elif policy in _DENY:
            track = True
        elif policy in _CONTINUE:
            track = False
        else:
            errors.append(f"{cols.label(POLICY)} {cells[POLICY]!r} should be deny or continue")
    return Variant(row, sku, price, sku_made, cost, stock, barcodes, options, True, track)


def _options(
    cols: GroupedColumns, option_names: Sequence[str], cells: list[str], errors: list[str]
) -> tuple[tuple[str, str], ...]:
    options: list[tuple[str, str]] = []
    for i, at in enumerate(OPTION_VALUES):
        if not cells[at]:
            continue
        try:
            value = c.text(cells[at], cols.label(at), c.MAX_OPTIONS)
        except ParseError as error:
            errors.append(error.message)
            continue
        if not option_names[i]:
            errors.append(f"{cols.label(at)} {value!r} has no option name on the product's rows")
            continue
        options.append((option_names[i], value))
    result = tuple(options)
    try:
        c.options_fit(result)
    except ParseError as error:
        errors.append(error.message)
    return result
