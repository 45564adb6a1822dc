"""WooCommerce files: simple and variable products, variations pointing at their parent.

A sale price counts only while its dates allow: an expired sale gives the regular price, and
a sale that starts later is not applied (the regular price is imported, with a warning saying
so; import the file again once the sale has begun). Dates are in the shop's time zone, as
WooCommerce writes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Final

from app.errors import ParseError
from app.formats.products import cells as c
from app.formats.products.assemble import Group, Variant
from app.formats.products.headers import (
    WOO_BARCODE_META,
    WOO_BARCODE_PLAIN,
    Col,
    Header,
    missing,
    picker,
    woo_attribute,
    woo_find,
)
from app.formats.products.records import RowProblem

# Positions in the list a row is picked into (WooColumns.pick); attribute name and value
# pairs follow, then the barcode columns.
(
    ID,
    TYPE,
    SKU,
    NAME,
    PUBLISHED,
    TAX_STATUS,
    TAX_CLASS,
    REGULAR,
    SALE,
    SALE_FROM,
    SALE_TO,
    STOCK,
    CATEGORIES,
    PARENT,
) = range(14)
_FIRST_ATTRIBUTE: Final = 14

_KINDS: Final = ("simple", "variable", "variation")
# Grouped products are a list of other rows (imported on their own) and external products
# are sold on another site: neither is something a till sells.
_SKIPPED: Final = {
    "grouped": "a grouped product only lists other products (they import on their own rows)",
    "external": "an external product is sold on another site",
}


@dataclass(frozen=True, slots=True)
class WooColumns:
    cols: tuple[Col | None, ...]
    attributes: int
    """How many attribute name/value pairs follow the fixed columns."""
    barcodes: int
    pick: Callable[[list[str]], list[str]]

    def label(self, at: int, fallback: str) -> str:
        col = self.cols[at]
        return col.label if col is not None else fallback

    def has(self, at: int) -> bool:
        return self.cols[at] is not None

    @property
    def barcode_positions(self) -> range:
        start = _FIRST_ATTRIBUTE + 2 * self.attributes
        return range(start, start + self.barcodes)


def woo_columns(header: Header) -> WooColumns:
    fixed = tuple(
        woo_find(header, key)
        for key in (
            "id",
            "type",
            "sku",
            "name",
            "published",
            "tax_status",
            "tax_class",
            "regular_price",
            "sale_price",
            "sale_from",
            "sale_to",
            "stock",
            "categories",
            "parent",
        )
    )
    missing(
        [
            ("Type", fixed[TYPE]),
            ("Name", fixed[NAME]),
            ("Regular price", fixed[REGULAR]),
            ("SKU (or ID)", fixed[SKU] or fixed[ID]),
        ]
    )
    attributes: list[Col | None] = []
    n = 1
    while True:
        name_col, value_col = woo_attribute(header, n)
        if name_col is None and value_col is None:
            break
        attributes.extend((name_col, value_col))
        n += 1
    gtin = woo_find(header, "gtin")
    barcodes = [gtin] if gtin is not None else []
    barcodes += header.where(WOO_BARCODE_META)
    barcodes += [col for col in (header.find(b) for b in WOO_BARCODE_PLAIN) if col is not None]
    cols = (*fixed, *attributes, *barcodes)
    return WooColumns(cols, len(attributes) // 2, len(barcodes), picker(header, cols))


def _kind(raw: str) -> str:
    # The exporter adds flags: "simple, virtual", "variable, downloadable".
    for word in raw.split(","):
        word = word.strip().casefold()
        if word in _KINDS or word in _SKIPPED:
            return word
    return ""


def _published(raw: str, label: str) -> bool:
    # The exporter writes 1 (published), 0 (private; a disabled variation), -1 (draft) and
    # 2 (pending review).
    if raw in ("1", ""):
        return True
    if raw in ("0", "-1", "2"):
        return False
    return c.flag(raw, label, True)


def _category(raw: str, label: str) -> str:
    # "Clothing > Shirts, Sale": the first category's last step; "\," is an escaped comma.
    first = re.split(r"(?<!\\),", raw, maxsplit=1)[0].replace("\\,", ",")
    leaf = first.rsplit(">", 1)[-1]
    value = c.text(leaf, label, c.MAX_CATEGORY)
    # WooCommerce files everything without a category under "Uncategorized".
    return "" if value.casefold() in _UNCATEGORISED else value


# WooCommerce's default category, in the languages the headers are known in.
_UNCATEGORISED: Final = frozenset(
    {"uncategorized", "sin categorizar", "non classé", "unkategorisiert", "senza categoria"}
)


Rows = list[tuple[int, list[str]]]


@dataclass(slots=True)
class Unit:
    """A product's rows: the simple or variable row, and the rows of its variants (the
    simple row itself, or the variations that name it as their parent)."""

    row: int
    cells: list[str]
    kind: str
    members: Rows = field(default_factory=list)

    @property
    def handle(self) -> str:
        """The handle as the file gives it (validated when the product is built)."""
        sku, row_id = self.cells[SKU], self.cells[ID]
        return sku or (f"woo-{row_id}" if row_id else "")

    @property
    def rows(self) -> Rows:
        return [(self.row, self.cells), *((r, m) for r, m in self.members if r != self.row)]


def group_rows(
    cols: WooColumns, records: Sequence[tuple[int, list[str]]], warnings: list[RowProblem]
) -> tuple[list[Unit], list[RowProblem]]:
    """Rows by the product they belong to, and the rows that belong to none."""
    loose: list[RowProblem] = []
    by_id: dict[str, Unit] = {}
    by_sku: dict[str, Unit] = {}
    units: dict[int, Unit] = {}
    variations: Rows = []
    for row, raw_cells in records:
        cells = cols.pick(raw_cells)
        kind = _kind(cells[TYPE])
        if kind == "variation":
            variations.append((row, cells))
            continue
        if kind in _SKIPPED:
            warnings.append(RowProblem(row, f"not imported: {_SKIPPED[kind]}"))
            continue
        if not kind:
            label = cols.label(TYPE, "Type")
            message = f"{label} {cells[TYPE]!r} should be simple, variable or variation"
            loose.append(RowProblem(row, message))
            continue
        unit = units[row] = Unit(row, cells, kind)
        if kind == "simple":
            unit.members.append((row, cells))
        if cells[ID]:
            by_id.setdefault(cells[ID], unit)
        if cells[SKU]:
            by_sku.setdefault(cells[SKU], unit)
    label = cols.label(PARENT, "Parent")
    for row, cells in variations:
        ref = cells[PARENT]
        if not ref:
            loose.append(RowProblem(row, f"{label} is empty: a variation needs its product"))
            continue
        found = by_id.get(ref[3:].strip()) if ref.casefold().startswith("id:") else None
        found = found or by_sku.get(ref)
        if found is None:
            loose.append(RowProblem(row, f"{label} {ref!r} is not a product in this file"))
            continue
        if found.kind != "variable":
            message = f"{label} {ref!r} is the product on row {found.row}, not a variable product"
            loose.append(RowProblem(row, message))
            continue
        found.members.append((row, cells))
    return list(units.values()), loose


def build(
    cols: WooColumns,
    unit: Unit,
    taxes: c.TaxClasses,
    warnings: list[RowProblem],
    now: datetime | None,
) -> Group:
    """One product from its rows."""
    group, attribute_names = _product(cols, unit.row, unit.cells, taxes, warnings)
    for row, cells in unit.members:
        group.variants.append(
            _variant(cols, row, cells, group, attribute_names, taxes, warnings, now)
        )
    if unit.kind == "variable" and not unit.members:
        group.report(unit.row, ["The variable product has no variations in the file"])
    return group


def _product(
    cols: WooColumns, row: int, cells: list[str], taxes: c.TaxClasses, warnings: list[RowProblem]
) -> tuple[Group, tuple[str, ...]]:
    """The product a simple or variable row defines."""
    errors: list[str] = []
    notes: list[str] = []
    sku, row_id = cells[SKU], cells[ID]
    handle = ""
    if sku:
        try:
            handle = c.code(sku, cols.label(SKU, "SKU"), c.MAX_HANDLE, notes)
        except ParseError as error:
            errors.append(error.message)
            handle = sku
    elif row_id:
        handle = f"woo-{row_id}"
        try:
            c.code(handle, "ID", c.MAX_HANDLE, notes)
        except ParseError as error:
            errors.append(error.message)
    else:
        errors.append("The product has neither a SKU nor an ID to know it by")
    group = Group(handle or f"row-{row}")
    group.take(row)
    try:
        group.name = c.name(cells[NAME], cols.label(NAME, "Name"))
    except ParseError as error:
        errors.append(error.message)
    if cells[CATEGORIES]:
        try:
            group.category = _category(cells[CATEGORIES], cols.label(CATEGORIES, "Categories"))
        except ParseError as error:
            errors.append(error.message)
    try:
        group.active = _published(cells[PUBLISHED], cols.label(PUBLISHED, "Published"))
    except ParseError as error:
        errors.append(error.message)
    try:
        group.tax_class = _tax(cols, cells, taxes)
    except ParseError as error:
        errors.append(error.message)
    names: list[str] = []
    for i in range(cols.attributes):
        at = _FIRST_ATTRIBUTE + 2 * i
        try:
            names.append(c.text(cells[at], cols.label(at, "Attribute name"), c.MAX_OPTIONS))
        except ParseError as error:
            errors.append(error.message)
            names.append("")
    group.report(row, errors)
    # A simple product's SKU is read again as its variant's: warn about it there only.
    if _kind(cells[TYPE]) != "simple":
        warnings.extend(RowProblem(row, n) for n in notes)
    return group, tuple(names)


def _tax(cols: WooColumns, cells: list[str], taxes: c.TaxClasses) -> str:
    status = cells[TAX_STATUS].casefold()
    # "shipping" taxes only the delivery charge, so the goods themselves carry no tax.
    if status in ("none", "shipping"):
        return "zero"
    if status not in ("", "taxable"):
        label = cols.label(TAX_STATUS, "Tax status")
        raise ParseError(f"{label} {status!r} should be taxable, shipping or none")
    raw = cells[TAX_CLASS]
    if raw.casefold() == "parent":
        raw = ""
    return taxes.code(raw, cols.label(TAX_CLASS, "Tax class"))


def _price(
    cols: WooColumns, cells: list[str], errors: list[str], notes: list[str], now: datetime | None
) -> Decimal | None:
    """The price in force now: the sale price while its dates allow, else the regular one."""
    regular_label = cols.label(REGULAR, "Regular price")
    try:
        regular = c.price(cells[REGULAR], regular_label)
    except ParseError as error:
        errors.append(error.message)
        regular = None
    if not cells[SALE]:
        chosen, label = regular, regular_label
    else:
        label = cols.label(SALE, "Sale price")
        try:
            sale = c.price(cells[SALE], label)
            starts = c.moment(
                cells[SALE_FROM], cols.label(SALE_FROM, "Date sale price starts"), False
            )
            ends = c.moment(cells[SALE_TO], cols.label(SALE_TO, "Date sale price ends"), True)
        except ParseError as error:
            errors.append(error.message)
            return None
        if now is None and (starts is not None or ends is not None):
            raise ValueError("sale dates can only be read knowing the shop's current time")
        if ends is not None and now is not None and ends < now:
            chosen, label = regular, regular_label  # the sale is over
        elif starts is not None and now is not None and starts > now:
            notes.append(
                f"{label} {cells[SALE]} from {cells[SALE_FROM]} is not applied yet: Tillwright "
                "imports the price in force today; import the file again when the sale starts"
            )
            chosen, label = regular, regular_label
        else:
            chosen = sale
    if chosen is not None and not chosen:
        notes.append(f"{label} is 0: the item will ring up free")
    return chosen


def _variant(
    cols: WooColumns,
    row: int,
    cells: list[str],
    group: Group,
    attribute_names: tuple[str, ...],
    taxes: c.TaxClasses,
    warnings: list[RowProblem],
    now: datetime | None,
) -> Variant:
    group.take(row)
    errors: list[str] = []
    notes: list[str] = []
    variation = _kind(cells[TYPE]) == "variation"

    sku_raw, row_id = cells[SKU], cells[ID]
    sku_label = cols.label(SKU, "SKU")
    sku: str | None = None
    try:
        if sku_raw:
            sku = c.code(sku_raw, sku_label, c.MAX_SKU, notes)
        elif row_id:
            sku = c.code(f"woo-{row_id}", "ID", c.MAX_SKU, notes)
        else:
            errors.append(f"{sku_label} is empty and the row has no ID to make one from")
    except ParseError as error:
        errors.append(error.message)

    price = _price(cols, cells, errors, notes, now)
    stock: Decimal | None = None
    track: bool | None = None
    raw_stock = cells[STOCK]
    if raw_stock.casefold() == "parent":
        # Stock kept on the variable product for all its variations: Tillwright counts each
        # variant on its own, so this one is sold without a count.
        notes.append(
            f"{cols.label(STOCK, 'Stock')} is kept on the parent product: the variation is "
            "sold without stock tracking"
        )
        track = False
    elif cols.has(STOCK):
        try:
            stock = c.stock(raw_stock, cols.label(STOCK, "Stock"))
        except ParseError as error:
            errors.append(error.message)
        # An empty Stock cell is WooCommerce's "manage stock" switched off.
        track = False if not raw_stock else None
    codes: list[str] = []
    for at in cols.barcode_positions:
        if not cells[at]:
            continue
        label = cols.label(at, "Barcode")
        try:
            for code in c.barcodes(cells[at], label, notes):
                if code not in codes:
                    codes.append(code)
        except ParseError as error:
            errors.append(error.message)

    options: list[tuple[str, str]] = []
    active = True
    if variation:
        for i in range(cols.attributes):
            name_at, value_at = _FIRST_ATTRIBUTE + 2 * i, _FIRST_ATTRIBUTE + 2 * i + 1
            if not cells[value_at]:
                continue  # "any" value: the variation does not fix this attribute
            try:
                value = c.text(
                    cells[value_at], cols.label(value_at, "Attribute value"), c.MAX_OPTIONS
                )
                own_name = c.text(
                    cells[name_at], cols.label(name_at, "Attribute name"), c.MAX_OPTIONS
                )
            except ParseError as error:
                errors.append(error.message)
                continue
            name = own_name or attribute_names[i]
            if not name:
                label = cols.label(value_at, f"Attribute {i + 1} value(s)")
                errors.append(f"{label} {value!r} has no attribute name")
                continue
            options.append((name, value))
        try:
            c.options_fit(tuple(options))
        except ParseError as error:
            errors.append(error.message)
        try:
            active = _published(cells[PUBLISHED], cols.label(PUBLISHED, "Published"))
        except ParseError as error:
            errors.append(error.message)
        own_class = cells[TAX_CLASS]
        if own_class and own_class.casefold() != "parent" and cols.has(TAX_CLASS):
            class_label = cols.label(TAX_CLASS, "Tax class")
            try:
                own_code = taxes.code(own_class, class_label)
            except ParseError as error:
                errors.append(error.message)
            else:
                if own_code != group.tax_class:
                    errors.append(
                        f"{class_label} {own_class!r} differs from its product's "
                        f"({group.tax_class}); Tillwright keeps one tax class per product"
                    )
    group.report(row, errors)
    warnings.extend(RowProblem(row, n) for n in notes)
    return Variant(
        row=row,
        sku=sku,
        price=price,
        sku_made="" if sku_raw else "made from the ID",
        stock=stock,
        barcodes=tuple(codes),
        options=tuple(options),
        active=active,
        track_stock=track,
    )
