"""Product CSV import: Shopify, WooCommerce and column-mapped files become product drafts.

The parser never half-imports a product: if any row of a product is bad, the whole product
(every variant) is left out and each bad row is reported, so a shop owner can fix the file and
import it again. Rows are numbered as a spreadsheet shows them (the header is row 1).

Missing Shopify SKUs are made from the handle and the option values, for example
``classic-tee`` + Red / M -> ``classic-tee-red-m``: lower-case ASCII words joined by dashes; a
word with no ASCII letters or digits becomes an 8-hex digest of itself, and a SKU longer than 64
characters is cut to 55 and ended with a dash and an 8-hex digest of the whole, so the same
file always yields the same SKUs. Missing WooCommerce SKUs become ``woo-<ID>``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Final, NamedTuple, ParamSpec, TypeVar

from app.domain.barcode import validate_barcode
from app.domain.catalog import ProductDraft, VariantDraft
from app.domain.money import KG_PLACES, quantize, to_decimal
from app.errors import ParseError

# Lengths the database columns hold (db/models.py): checked here so that a long value is a
# row problem the owner can fix instead of a failed write later.
MAX_NAME: Final = 200
MAX_SKU: Final = 64
MAX_HANDLE: Final = 255
MAX_CATEGORY: Final = 120
MAX_OPTIONS: Final = 255
PRICE_PLACES: Final = 2
# Far above any till price or stock count; it also keeps Decimal.quantize inside its
# precision, which would otherwise raise on a value like 1E+40.
_MAX_AMOUNT: Final = Decimal(10) ** 9

FORMATS: Final = ("shopify", "woocommerce", "generic")
TAX_CODES: Final = ("standard", "reduced", "zero")

# Source tax class names (normalised by _tax_key) -> our codes. WooCommerce exports class
# slugs ("reduced-rate"); people typing a file write the display name ("Reduced rate").
_DEFAULT_TAX_CLASSES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "": "standard",
        "standard": "standard",
        "standard-rate": "standard",
        "reduced": "reduced",
        "reduced-rate": "reduced",
        "zero": "zero",
        "zero-rate": "zero",
    }
)

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

_TRUE: Final = frozenset({"true", "yes", "y", "1", "on", "active"})
_FALSE: Final = frozenset({"false", "no", "n", "0", "off", "inactive"})

_T = TypeVar("_T")
_P = ParamSpec("_P")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that was not imported and why, in words a shop owner can act on."""

    row: int
    """The row as a spreadsheet numbers it: the header is row 1, the first product row 2."""
    message: str
    """What is wrong, without the row number (the caller shows "row 7: " before it)."""


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


# Header handling ------------------------------------------------------------------------


def _norm(name: str) -> str:
    """A column name as matched: no BOM, case-folded, single spaces."""
    return " ".join(name.replace("\ufeff", "").casefold().split())


class _Col(NamedTuple):
    pos: int
    label: str
    """The column name as the file spells it, so messages use the owner's own words."""


class _Header:
    def __init__(self, cells: Sequence[str]) -> None:
        self._index: dict[str, _Col] = {}
        self.labels: list[str] = []
        for i, raw in enumerate(cells):
            label = " ".join(raw.replace("\ufeff", "").split())
            self.labels.append(label)
            # First column wins: a duplicated header name is ambiguous and the first is what
            # a person reading the sheet left to right sees.
            self._index.setdefault(_norm(raw), _Col(i, label))

    def find(self, *aliases: str) -> _Col | None:
        for alias in aliases:
            col = self._index.get(_norm(alias))
            if col is not None:
                return col
        return None

    def has(self, alias: str) -> bool:
        return _norm(alias) in self._index


def _cell(cells: Sequence[str], col: _Col | None) -> str:
    if col is None or col.pos >= len(cells):
        return ""
    return cells[col.pos].strip()


def _missing(required: Sequence[tuple[str, _Col | None]]) -> None:
    absent = [name for name, col in required if col is None]
    if absent:
        raise ParseError(f"The file has no {', '.join(absent)} column: add it and try again")


def detect_format(header: Sequence[str]) -> str:
    """Tell a Shopify, WooCommerce or other product file apart by its column names."""
    names = {_norm(c) for c in header}
    if ("handle" in names or "url handle" in names) and "title" in names:
        return "shopify"
    if "variant sku" in names or "variant price" in names:
        return "shopify"
    # Shopify's own minimum for new products is a Title column; our generic files say "name".
    if "title" in names and "name" not in names and "regular price" not in names:
        return "shopify"
    if "regular price" in names or {"type", "name", "parent"} <= names:
        return "woocommerce"
    return "generic"


# Reading the file -----------------------------------------------------------------------


def _delimiter(text: str) -> str:
    """Comma unless the header line plainly uses semicolons or tabs (European Excel)."""
    first = text.split("\n", 1)[0]
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank records with their spreadsheet row numbers (a quoted line break stays in one
    row, as a spreadsheet shows it)."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ParseError("The file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records: list[tuple[int, list[str]]] = []
    row = 0
    try:
        for row, cells in enumerate(reader, start=1):
            # Excel pads sheets with rows of empty cells; they are nobody's data.
            if any(c.strip() for c in cells):
                records.append((row, cells))
    except csv.Error as exc:
        raise ParseError(f"The file cannot be read as CSV near row {row + 1}: {exc}") from None
    if not records:
        raise ParseError("The file is empty")
    return records


# Field readers: each raises ParseError with a message naming the column -----------------


def _attempt(
    errors: list[str], read: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs
) -> _T | None:
    """``read(*args)``, or None with its ParseError message added to ``errors``."""
    try:
        return read(*args, **kwargs)
    except ParseError as exc:
        errors.append(exc.message)
        return None


# "2,49" from a European spreadsheet. One or two digits after the comma only: "1,500" could be
# a thousands separator, so it stays an error rather than a guess.
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d{1,2}")


def _amount(
    raw: str, label: str, *, required: bool, places: int, negative_ok: bool = False
) -> Decimal | None:
    if not raw:
        if required:
            raise ParseError(f"{label} is empty: every variant needs one")
        return None
    number = raw
    if _DECIMAL_COMMA.fullmatch(raw.replace(" ", "")):
        number = raw.replace(",", ".")
    value = to_decimal(number, label)
    if value < 0 and not negative_ok:
        raise ParseError(f"{label} {raw!r} is negative")
    if abs(value) >= _MAX_AMOUNT:
        raise ParseError(f"{label} {raw!r} is too large")
    exact = quantize(value, places, ROUND_HALF_UP)
    if exact != value:
        raise ParseError(f"{label} {raw!r} has more than {places} decimals")
    return exact


def _price(raw: str, label: str) -> Decimal:
    value = _amount(raw, label, required=True, places=PRICE_PLACES)
    assert value is not None  # required=True never returns None
    return value


def _cost(raw: str, label: str) -> Decimal | None:
    return _amount(raw, label, required=False, places=PRICE_PLACES)


def _stock(raw: str, label: str) -> Decimal | None:
    # Stock may be negative (sold before it was counted) and has grams for weighed goods.
    return _amount(raw, label, required=False, places=KG_PLACES, negative_ok=True)


# "4.00638E+12": what Excel shows for a 13-digit code it took for a number. It would pass as
# an internal code, so it is caught before the barcode check.
_EXCEL_NUMBER = re.compile(r"^\d(?:[.,]\d+)?[eE]\+?\d+$")


def _barcodes(raw: str, label: str) -> tuple[str, ...]:
    codes: list[str] = []
    for part in re.split(r"[|;]", raw):
        part = part.strip()
        if not part:
            continue
        if _EXCEL_NUMBER.match(part):
            raise ParseError(
                f"{label} {part!r} was turned into a number by a spreadsheet: format the "
                "column as text and export again"
            )
        code = validate_barcode(part)
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _text(raw: str, label: str, limit: int) -> str:
    value = " ".join(raw.split())
    if len(value) > limit:
        raise ParseError(
            f"{label} {value[:30]!r}… is {len(value)} characters long; at most {limit} fit"
        )
    return value


def _name(raw: str, label: str) -> str:
    value = _text(raw, label, MAX_NAME)
    if not value:
        raise ParseError(f"{label} is empty: the product needs a name")
    return value


def _code(raw: str, label: str, limit: int) -> str:
    """A SKU or handle: kept as typed, but no invisible characters and not too long."""
    if len(raw) > limit:
        raise ParseError(
            f"{label} {raw[:20]!r}… is {len(raw)} characters long; at most {limit} fit"
        )
    if not all(c == " " or c.isprintable() for c in raw):
        raise ParseError(f"{label} {raw!r} contains tabs, line breaks or invisible characters")
    return raw


def _bool(raw: str, label: str, default: bool) -> bool:
    key = raw.casefold()
    if not key:
        return default
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ParseError(f"{label} {raw!r} should be TRUE or FALSE")


def _tax_key(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().casefold())


class _TaxClasses:
    def __init__(self, extra: Mapping[str, str] | None) -> None:
        self._map = dict(_DEFAULT_TAX_CLASSES)
        self._known = set(TAX_CODES)
        for source, code in (extra or {}).items():
            self._map[_tax_key(source)] = code
            self._known.add(code)

    def code(self, raw: str, label: str) -> str:
        key = _tax_key(raw)
        if key in self._map:
            return self._map[key]
        for known in sorted(self._known):
            if _tax_key(known) == key:
                return known
        names = ", ".join(sorted(self._known))
        raise ParseError(f"{label} {raw!r} is not a tax class this shop knows ({names})")


def _digest(text: str) -> str:
    return hashlib.blake2s(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^0-9a-z]+", "-", plain).strip("-")


def _make_sku(handle: str, option_values: Sequence[str]) -> str:
    """The SKU given to a Shopify variant whose SKU cell is empty (see the module notes)."""
    words = [_slug(w) or _digest(w) for w in (handle, *option_values)]
    sku = "-".join(words)
    if len(sku) > MAX_SKU:
        sku = f"{sku[:55].rstrip('-')}-{_digest(sku)}"
    return sku


def _options_fit(options: tuple[tuple[str, str], ...]) -> None:
    shown = " / ".join(f"{n}: {v}" for n, v in options)
    if len(shown) > MAX_OPTIONS:
        raise ParseError(
            f"The option names and values {shown[:30]!r}… are {len(shown)} characters long; "
            f"at most {MAX_OPTIONS} fit"
        )


# Products being assembled -----------------------------------------------------------------


@dataclass(slots=True)
class _Variant:
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


@dataclass(slots=True)
class _Group:
    handle: str
    rows: list[int] = field(default_factory=list)
    name: str = ""
    tax_class: str = "standard"
    category: str = ""
    active: bool = True
    sold_by_weight: bool = False
    variants: list[_Variant] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def report(self, row: int, messages: Sequence[str]) -> None:
        self.problems.extend(RowProblem(row, m) for m in messages)

    def take(self, row: int) -> None:
        if row not in self.rows:
            self.rows.append(row)


def _plural_rows(rows: Sequence[int]) -> str:
    listed = ", ".join(str(r) for r in sorted(rows))
    return f"row {listed}" if len(rows) == 1 else f"rows {listed}"


def _check_across(groups: Sequence[_Group]) -> None:
    """SKUs, barcodes and handles must be unique in the whole file: a clash drops every product
    involved, because the file does not say which one is right."""
    by_sku: dict[str, list[tuple[_Group, _Variant]]] = {}
    by_code: dict[str, list[tuple[_Group, _Variant]]] = {}
    by_handle: dict[str, list[_Group]] = {}
    for group in groups:
        by_handle.setdefault(group.handle, []).append(group)
        for variant in group.variants:
            if variant.sku is not None:
                by_sku.setdefault(variant.sku, []).append((group, variant))
            for code in variant.barcodes:
                by_code.setdefault(code, []).append((group, variant))
    for sku, owners in by_sku.items():
        if len(owners) < 2:
            continue
        for group, variant in owners:
            others = [v.row for _, v in owners if v is not variant]
            made = (
                f" ({variant.sku_made} because the SKU cell is empty)" if variant.sku_made else ""
            )
            group.report(variant.row, [f"SKU {sku!r}{made} is also on {_plural_rows(others)}"])
    for code, owners in by_code.items():
        if len(owners) < 2:
            continue
        for group, variant in owners:
            others = [v.row for _, v in owners if v is not variant]
            group.report(
                variant.row,
                [f"Barcode {code} is also on {_plural_rows(others)}; a barcode can name one item"],
            )
    for handle, same in by_handle.items():
        if len(same) < 2:
            continue
        for group in same:
            others = [min(g.rows) for g in same if g is not group]
            where = _plural_rows(others)
            group.report(
                min(group.rows),
                [f"Product handle {handle!r} is also used by the product on {where}"],
            )


def _finish(
    fmt: str, groups: Sequence[_Group], loose: Sequence[RowProblem], rows_read: int
) -> ParsedCatalog:
    groups = [g for g in groups if g.rows]
    for group in groups:
        group.rows.sort()
        group.variants.sort(key=lambda v: v.row)
        if not group.variants and not group.problems:
            group.report(group.rows[0], ["The product has no variant with a price"])
    _check_across(groups)
    groups.sort(key=lambda g: g.rows[0])
    products: list[ProductDraft] = []
    rows_of: dict[str, tuple[int, ...]] = {}
    problems = list(loose)
    for group in groups:
        problems.extend(group.problems)
        variants = [
            VariantDraft(
                sku=v.sku,
                price=v.price,
                options=v.options,
                cost=v.cost,
                barcodes=v.barcodes,
                active=v.active,
                stock=v.stock,
            )
            for v in group.variants
            if v.sku is not None and v.price is not None
        ]
        if group.problems or len(variants) != len(group.variants):
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
        rows_of[group.handle] = tuple(group.rows)
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
    )


# Shopify and generic: rows grouped by handle --------------------------------------------


@dataclass(frozen=True, slots=True)
class _GroupedColumns:
    shopify: bool
    handle: _Col | None
    name: _Col | None
    sku: _Col | None
    price: _Col | None
    cost: _Col | None
    barcode: _Col | None
    stock: _Col | None
    tax: _Col | None
    active: _Col | None
    category: _Col | None
    category_fallback: _Col | None
    sold_by_weight: _Col | None
    option_names: tuple[_Col | None, ...]
    option_values: tuple[_Col | None, ...]


def _shopify_columns(header: _Header) -> _GroupedColumns:
    cols = _GroupedColumns(
        shopify=True,
        handle=header.find("URL handle", "Handle"),
        name=header.find("Title"),
        sku=header.find("SKU", "Variant SKU"),
        price=header.find("Price", "Variant Price"),
        cost=header.find("Cost per item"),
        barcode=header.find("Barcode", "Variant Barcode"),
        stock=header.find("Inventory quantity", "Variant Inventory Qty"),
        tax=header.find("Charge tax", "Variant Taxable"),
        active=header.find("Status"),
        # Type is the shop's own grouping; Product category is Shopify's long standard
        # taxonomy, used (its last step) only when Type is empty.
        category=header.find("Type"),
        category_fallback=header.find("Product category"),
        sold_by_weight=None,
        option_names=tuple(header.find(f"Option{i} name") for i in (1, 2, 3)),
        option_values=tuple(header.find(f"Option{i} value") for i in (1, 2, 3)),
    )
    _missing([("Title", cols.name), ("Price (or Variant Price)", cols.price)])
    return cols


def _generic_columns(header: _Header, mapping: Mapping[str, str] | None) -> _GroupedColumns:
    chosen = {f: f for f in GENERIC_FIELDS}
    for key, column in (mapping or {}).items():
        if key not in chosen:
            raise ValueError(f"unknown product field {key!r}; fields are {GENERIC_FIELDS}")
        chosen[key] = column
    found: dict[str, _Col | None] = {}
    for key, column in chosen.items():
        found[key] = header.find(column)
        if found[key] is None and mapping is not None and key in mapping:
            raise ParseError(
                f"The file has no column {column!r} to read {key} from; its columns are "
                f"{', '.join(repr(label) for label in header.labels if label)}"
            )
    cols = _GroupedColumns(
        shopify=False,
        handle=found["handle"],
        name=found["name"],
        sku=found["sku"],
        price=found["price"],
        cost=found["cost"],
        barcode=found["barcode"],
        stock=found["stock"],
        tax=found["tax_class"],
        active=found["active"],
        category=found["category"],
        category_fallback=None,
        sold_by_weight=found["sold_by_weight"],
        option_names=tuple(found[f"option{i}_name"] for i in (1, 2, 3)),
        option_values=tuple(found[f"option{i}_value"] for i in (1, 2, 3)),
    )
    _missing([(chosen[k], found[k]) for k in ("name", "sku", "price")])
    return cols


_SHOPIFY_STATUS: Final = {"active": True, "draft": False, "archived": False, "unlisted": True}


def _parse_grouped(
    cols: _GroupedColumns, records: Sequence[tuple[int, list[str]]], taxes: _TaxClasses
) -> tuple[list[_Group], list[RowProblem]]:
    groups: dict[str, _Group] = {}
    loose: list[RowProblem] = []
    rows_by_group: dict[str, list[tuple[int, list[str]]]] = {}
    for row, cells in records:
        handle_col = cols.handle if _cell(cells, cols.handle) or cols.shopify else cols.sku
        handle_raw = _cell(cells, handle_col)
        if cols.shopify and cols.handle is None:
            # Without a URL handle column Shopify makes each product's handle from its title.
            handle_col = cols.name
            title = _cell(cells, cols.name)
            handle_raw = (_slug(title) or _digest(title)) if title else ""
        if not handle_raw:
            if cols.shopify and cols.handle is None and cols.name is not None:
                message = f"{cols.name.label} is empty: the product needs a name"
            elif cols.shopify and cols.handle is not None:
                message = f"{cols.handle.label} is empty: every row needs its product's handle"
            else:
                label = cols.sku.label if cols.sku else "SKU"
                message = f"{label} is empty: every variant needs one"
            loose.append(RowProblem(row, message))
            continue
        handle_errors: list[str] = []
        label = handle_col.label if handle_col else "Handle"
        handle = _attempt(handle_errors, _code, handle_raw, label, MAX_HANDLE)
        if handle is None:
            loose.extend(RowProblem(row, m) for m in handle_errors)
            continue
        groups.setdefault(handle, _Group(handle))
        rows_by_group.setdefault(handle, []).append((row, cells))
    for handle, group in groups.items():
        _build_grouped(cols, group, rows_by_group[handle], taxes)
    return list(groups.values()), loose


def _build_grouped(
    cols: _GroupedColumns,
    group: _Group,
    records: Sequence[tuple[int, list[str]]],
    taxes: _TaxClasses,
) -> None:
    variant_cols = (cols.sku, cols.price, cols.cost, cols.barcode, cols.stock, *cols.option_values)

    def first(col: _Col | None) -> tuple[int, str]:
        for row, cells in records:
            value = _cell(cells, col)
            if value:
                return row, value
        return records[0][0], ""

    used: list[tuple[int, list[str]]] = []
    for row, cells in records:
        has_variant = any(_cell(cells, c) for c in variant_cols)
        # A Shopify row with neither variant data nor a title only adds an image: skip it.
        if has_variant or _cell(cells, cols.name) or not cols.shopify:
            used.append((row, cells))
            group.take(row)
    if not used:
        return
    records = used

    errors: list[str] = []
    name_row, name_raw = first(cols.name)
    label = cols.name.label if cols.name else "Name"
    name = _attempt(errors, _name, name_raw, label)
    group.name = name or ""
    group.report(name_row, errors)

    errors = []
    cat_row, cat_raw = first(cols.category)
    if not cat_raw:
        cat_row, cat_raw = first(cols.category_fallback)
        cat_raw = cat_raw.rsplit(">", 1)[-1]
    label = (cols.category or cols.category_fallback or _Col(0, "Category")).label
    group.category = _attempt(errors, _text, cat_raw, label, MAX_CATEGORY) or ""
    group.report(cat_row, errors)

    if cols.shopify:
        errors = []
        status_row, status = first(cols.active)
        if status and status.casefold() not in _SHOPIFY_STATUS:
            label = cols.active.label if cols.active else "Status"
            errors.append(f"{label} {status!r} should be active, draft or archived")
        group.active = _SHOPIFY_STATUS.get(status.casefold(), True)
        group.report(status_row, errors)
    else:
        errors = []
        tax_col = cols.tax
        if tax_col is not None:
            tax_row, tax_raw = first(tax_col)
            group.tax_class = _attempt(errors, taxes.code, tax_raw, tax_col.label) or "standard"
            group.report(tax_row, errors)
        errors = []
        sbw_row, sbw_raw = first(cols.sold_by_weight)
        label = cols.sold_by_weight.label if cols.sold_by_weight else ""
        group.sold_by_weight = bool(_attempt(errors, _bool, sbw_raw, label, False))
        group.report(sbw_row, errors)

    option_names = [first(c)[1] for c in cols.option_names]
    option_names = [" ".join(n.split()) for n in option_names]
    tax_seen: tuple[int, str, str] | None = None
    for row, cells in records:
        if not any(_cell(cells, c) for c in variant_cols):
            continue
        errors = []
        variant = _grouped_variant(cols, group.handle, option_names, row, cells, errors)
        tax_col, active_col = cols.tax, cols.active
        if cols.shopify and tax_col is not None:
            raw = _cell(cells, tax_col)
            taxable = _attempt(errors, _bool, raw, tax_col.label, True)
            if taxable is not None:
                code = "standard" if taxable else "zero"
                if tax_seen is None:
                    tax_seen = (row, raw or "TRUE", code)
                    group.tax_class = code
                elif tax_seen[2] != code:
                    errors.append(
                        f"{tax_col.label} is {raw or 'TRUE'!r} here but {tax_seen[1]!r} on "
                        f"row {tax_seen[0]}; Tillwright keeps one tax class per product"
                    )
        if not cols.shopify and active_col is not None:
            raw = _cell(cells, active_col)
            active = _attempt(errors, _bool, raw, active_col.label, True)
            variant.active = active is not False
        group.report(row, errors)
        group.variants.append(variant)
    if not cols.shopify:
        # A product is on sale while any of its variants is.
        group.active = any(v.active for v in group.variants) if group.variants else True


def _grouped_variant(
    cols: _GroupedColumns,
    handle: str,
    option_names: Sequence[str],
    row: int,
    cells: Sequence[str],
    errors: list[str],
) -> _Variant:
    values = [" ".join(_cell(cells, c).split()) for c in cols.option_values]
    options: list[tuple[str, str]] = []
    # "Default Title" is how Shopify writes the one variant of a product without options.
    if not (cols.shopify and values[0].casefold() == "default title"):
        for i, value in enumerate(values):
            if not value:
                continue
            if not option_names[i]:
                col = cols.option_values[i]
                label = col.label if col else f"Option{i + 1} value"
                errors.append(f"{label} {value!r} has no option name on the product's rows")
                continue
            options.append((option_names[i], value))
    options_t = tuple(options)
    _attempt(errors, _options_fit, options_t)

    sku_raw = _cell(cells, cols.sku)
    sku_label = cols.sku.label if cols.sku else "SKU"
    sku_made = ""
    sku: str | None
    if sku_raw:
        sku = _attempt(errors, _code, sku_raw, sku_label, MAX_SKU)
    elif cols.shopify:
        sku = _make_sku(handle, [v for _, v in options_t])
        sku_made = "made from the handle and option values"
    else:
        sku = None
        errors.append(f"{sku_label} is empty: every variant needs one")

    assert cols.price is not None  # required column, checked with the header
    price_col = cols.price
    price = _attempt(errors, _price, _cell(cells, price_col), price_col.label)
    cost = _optional(errors, cells, cols.cost, _cost)
    stock = _optional(errors, cells, cols.stock, _stock)
    barcodes = _optional(errors, cells, cols.barcode, _barcodes) or ()
    return _Variant(
        row=row,
        sku=sku,
        price=price,
        sku_made=sku_made,
        cost=cost,
        stock=stock,
        barcodes=barcodes,
        options=options_t,
    )


def _optional(
    errors: list[str],
    cells: Sequence[str],
    col: _Col | None,
    read: Callable[[str, str], _T],
) -> _T | None:
    if col is None:
        return None
    raw = _cell(cells, col)
    return _attempt(errors, read, raw, col.label)


# WooCommerce --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _WooColumns:
    id: _Col | None
    type: _Col
    sku: _Col | None
    name: _Col
    published: _Col | None
    tax_status: _Col | None
    tax_class: _Col | None
    regular_price: _Col
    sale_price: _Col | None
    stock: _Col | None
    categories: _Col | None
    parent: _Col | None
    attributes: tuple[tuple[_Col | None, _Col | None], ...]
    barcodes: tuple[_Col, ...]


_WOO_BARCODE_COLUMNS: Final = (
    "GTIN, UPC, EAN, or ISBN",
    "Meta: _global_unique_id",
    "Meta: _barcode",
    "Meta: _ean",
    "Meta: _gtin",
    "Meta: _wpm_gtin_code",
    "Meta: _alg_ean",
    "Barcode",
    "EAN",
    "GTIN",
)


def _woo_columns(header: _Header) -> _WooColumns:
    type_col = header.find("Type")
    name = header.find("Name")
    regular = header.find("Regular price")
    sku = header.find("SKU")
    id_col = header.find("ID")
    _missing(
        [
            ("Type", type_col),
            ("Name", name),
            ("Regular price", regular),
            ("SKU (or ID)", sku or id_col),
        ]
    )
    assert type_col is not None
    assert name is not None
    assert regular is not None
    attributes: list[tuple[_Col | None, _Col | None]] = []
    n = 1
    while header.has(f"Attribute {n} name") or header.has(f"Attribute {n} value(s)"):
        attributes.append(
            (header.find(f"Attribute {n} name"), header.find(f"Attribute {n} value(s)"))
        )
        n += 1
    barcodes = tuple(c for c in (header.find(b) for b in _WOO_BARCODE_COLUMNS) if c is not None)
    return _WooColumns(
        id=id_col,
        type=type_col,
        sku=sku,
        name=name,
        published=header.find("Published"),
        tax_status=header.find("Tax status"),
        tax_class=header.find("Tax class"),
        regular_price=regular,
        sale_price=header.find("Sale price"),
        stock=header.find("Stock"),
        categories=header.find("Categories"),
        parent=header.find("Parent"),
        attributes=tuple(attributes),
        barcodes=barcodes,
    )


_WOO_KINDS: Final = ("simple", "variable", "variation")
# Grouped products are a list of other rows (imported on their own) and external products
# are sold on another site: neither is something a till sells.
_WOO_SKIPPED: Final = ("grouped", "external")


def _woo_kind(raw: str) -> str:
    # The exporter adds flags: "simple, virtual", "variable, downloadable".
    words = [w.strip().casefold() for w in raw.split(",")]
    for word in words:
        if word in _WOO_KINDS or word in _WOO_SKIPPED:
            return word
    return ""


def _woo_published(raw: str, label: str) -> bool:
    # The exporter writes 1 (published), 0 (private; a disabled variation) and -1 (draft).
    if raw in ("1", ""):
        return True
    if raw in ("0", "-1"):
        return False
    return _bool(raw, label, True)


def _woo_category(raw: str, label: str) -> str:
    # "Clothing > Shirts, Sale": the first category's last step; "\," is an escaped comma.
    first = re.split(r"(?<!\\),", raw, maxsplit=1)[0].replace("\\,", ",")
    leaf = first.rsplit(">", 1)[-1]
    value = _text(leaf, label, MAX_CATEGORY)
    # WooCommerce files everything without a category under "Uncategorized".
    return "" if value.casefold() == "uncategorized" else value


@dataclass(slots=True)
class _WooParent:
    group: _Group
    attribute_names: tuple[str, ...]


def _parse_woo(
    cols: _WooColumns, records: Sequence[tuple[int, list[str]]], taxes: _TaxClasses
) -> tuple[list[_Group], list[RowProblem]]:
    loose: list[RowProblem] = []
    by_id: dict[str, tuple[int, list[str]]] = {}
    by_sku: dict[str, tuple[int, list[str]]] = {}
    kinds: dict[int, str] = {}
    for row, cells in records:
        kind = _woo_kind(_cell(cells, cols.type))
        kinds[row] = kind
        if kind == "variation":
            continue
        row_id, sku = _cell(cells, cols.id), _cell(cells, cols.sku)
        if row_id:
            by_id.setdefault(row_id, (row, cells))
        if sku:
            by_sku.setdefault(sku, (row, cells))

    parents: dict[int, _WooParent] = {}
    groups: list[_Group] = []

    def parent_of(row: int, cells: list[str]) -> _WooParent:
        if row not in parents:
            parents[row] = _woo_product(cols, row, cells, taxes)
            groups.append(parents[row].group)
        return parents[row]

    for row, cells in records:
        kind = kinds[row]
        if kind in _WOO_SKIPPED:
            continue
        if not kind:
            raw = _cell(cells, cols.type)
            loose.append(
                RowProblem(
                    row, f"{cols.type.label} {raw!r} should be simple, variable or variation"
                )
            )
            continue
        if kind == "simple":
            parent = parent_of(row, cells)
            parent.group.variants.append(_woo_variant(cols, row, cells, parent, taxes))
            continue
        if kind == "variable":
            parent_of(row, cells)
            continue
        ref = _cell(cells, cols.parent)
        label = cols.parent.label if cols.parent else "Parent"
        if not ref:
            loose.append(RowProblem(row, f"{label} is empty: a variation needs its product"))
            continue
        found = by_id.get(ref[3:].strip()) if ref.casefold().startswith("id:") else None
        found = found or by_sku.get(ref)
        if found is None:
            loose.append(RowProblem(row, f"{label} {ref!r} is not a product in this file"))
            continue
        if kinds[found[0]] != "variable":
            message = f"{label} {ref!r} is the product on row {found[0]}, not a variable product"
            loose.append(RowProblem(row, message))
            continue
        parent = parent_of(*found)
        parent.group.variants.append(_woo_variant(cols, row, cells, parent, taxes))

    for row, parent in parents.items():
        if kinds[row] == "variable" and not parent.group.variants:
            parent.group.report(row, ["The variable product has no variations in the file"])
    return groups, loose


def _woo_product(cols: _WooColumns, row: int, cells: list[str], taxes: _TaxClasses) -> _WooParent:
    """The product a simple or variable row defines."""
    errors: list[str] = []
    sku = _cell(cells, cols.sku)
    row_id = _cell(cells, cols.id)
    handle = sku or (f"woo-{row_id}" if row_id else "")
    group = _Group(handle or f"row-{row}")
    group.take(row)
    if not handle:
        errors.append("The product has neither a SKU nor an ID to know it by")
    else:
        _attempt(errors, _code, handle, cols.sku.label if cols.sku else "ID", MAX_HANDLE)
    group.name = _attempt(errors, _name, _cell(cells, cols.name), cols.name.label) or ""
    if cols.categories is not None:
        categories = cols.categories
        raw = _cell(cells, categories)
        group.category = _attempt(errors, _woo_category, raw, categories.label) or ""
    if cols.published is not None:
        published = cols.published
        raw = _cell(cells, published)
        group.active = _attempt(errors, _woo_published, raw, published.label) is not False
    group.tax_class = _attempt(errors, _woo_tax, cols, cells, taxes) or "standard"
    group.report(row, errors)
    names = tuple(" ".join(_cell(cells, n).split()) for n, _ in cols.attributes)
    return _WooParent(group, names)


def _woo_tax(cols: _WooColumns, cells: Sequence[str], taxes: _TaxClasses) -> str:
    status = _cell(cells, cols.tax_status).casefold()
    label = cols.tax_status.label if cols.tax_status else "Tax status"
    # "shipping" taxes only the delivery charge, so the goods themselves carry no tax.
    if status in ("none", "shipping"):
        return "zero"
    if status not in ("", "taxable"):
        raise ParseError(f"{label} {status!r} should be taxable, shipping or none")
    raw = _cell(cells, cols.tax_class)
    if raw.casefold() == "parent":
        raw = ""
    return taxes.code(raw, cols.tax_class.label if cols.tax_class else "Tax class")


def _woo_variant(
    cols: _WooColumns, row: int, cells: list[str], parent: _WooParent, taxes: _TaxClasses
) -> _Variant:
    group = parent.group
    group.take(row)
    errors: list[str] = []
    variation = _woo_kind(_cell(cells, cols.type)) == "variation"

    sku_raw = _cell(cells, cols.sku)
    row_id = _cell(cells, cols.id)
    sku_label = cols.sku.label if cols.sku else "SKU"
    sku_made = "" if sku_raw else "made from the ID"
    sku: str | None = None
    if sku_raw:
        sku = _attempt(errors, _code, sku_raw, sku_label, MAX_SKU)
    elif row_id:
        made = f"woo-{row_id}"
        sku = _attempt(errors, _code, made, "ID", MAX_SKU)
    else:
        errors.append(f"{sku_label} is empty and the row has no ID to make one from")

    sale = _cell(cells, cols.sale_price)
    price_col = cols.sale_price if sale and cols.sale_price else cols.regular_price
    price = _attempt(errors, _price, _cell(cells, price_col), price_col.label)
    stock = _optional(errors, cells, cols.stock, _stock)
    codes: list[str] = []
    for col in cols.barcodes:
        for code in _optional(errors, cells, col, _barcodes) or ():
            if code not in codes:
                codes.append(code)

    options: list[tuple[str, str]] = []
    active = True
    if variation:
        for i, (name_col, value_col) in enumerate(cols.attributes):
            value = " ".join(_cell(cells, value_col).split())
            name = " ".join(_cell(cells, name_col).split()) or parent.attribute_names[i]
            if not value:
                continue  # "any" value: the variation does not fix this attribute
            if not name:
                label = value_col.label if value_col else f"Attribute {i + 1} value(s)"
                errors.append(f"{label} {value!r} has no attribute name")
                continue
            options.append((name, value))
        _attempt(errors, _options_fit, tuple(options))
        if cols.published is not None:
            published = cols.published
            raw = _cell(cells, published)
            active = _attempt(errors, _woo_published, raw, published.label) is not False
        own_class = _cell(cells, cols.tax_class)
        if own_class and own_class.casefold() != "parent" and cols.tax_class is not None:
            class_col = cols.tax_class
            own_code = _attempt(errors, taxes.code, own_class, class_col.label)
            if own_code is not None and own_code != group.tax_class:
                errors.append(
                    f"{class_col.label} {own_class!r} differs from its product's "
                    f"({group.tax_class}); Tillwright keeps one tax class per product"
                )
    group.report(row, errors)
    return _Variant(
        row=row,
        sku=sku,
        price=price,
        sku_made=sku_made,
        stock=stock,
        barcodes=tuple(codes),
        options=tuple(options),
        active=active,
    )


# Entry point --------------------------------------------------------------------------------


def check_mapping(text: str, mapping: Mapping[str, str]) -> None:
    """Check a generic file's column mapping against its header alone, so a mistake is named
    before anything else is asked or read; raises ParseError as the full parse would."""
    first_line = text.removeprefix("\ufeff").split("\n", 1)[0]
    _generic_columns(_Header(_records(first_line)[0][1]), mapping)


def parse_products_csv(
    text: str,
    *,
    format: str = "auto",
    mapping: Mapping[str, str] | None = None,
    tax_classes: Mapping[str, str] | None = None,
) -> ParsedCatalog:
    """Read a whole product file (already decoded) into products and row problems.

    ``format`` is "auto", "shopify", "woocommerce" or "generic"; ``mapping`` (generic files
    only) maps our field names to the file's column names; ``tax_classes`` maps source tax
    class names to our codes, over the defaults. Raises ParseError for a file that cannot be
    read at all: empty, not CSV, or missing a required column.
    """
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"format must be auto or one of {FORMATS}, not {format!r}")
    if mapping is not None and format not in ("auto", "generic"):
        raise ValueError("a column mapping applies to generic files only")
    records = _records(text)
    header_cells = records[0][1]
    data = records[1:]
    if format == "auto":
        fmt = "generic" if mapping is not None else detect_format(header_cells)
    else:
        fmt = format
    header = _Header(header_cells)
    taxes = _TaxClasses(tax_classes)
    if fmt == "woocommerce":
        groups, loose = _parse_woo(_woo_columns(header), data, taxes)
    elif fmt == "shopify":
        groups, loose = _parse_grouped(_shopify_columns(header), data, taxes)
    else:
        groups, loose = _parse_grouped(_generic_columns(header, mapping), data, taxes)
    return _finish(fmt, groups, loose, len(data))
