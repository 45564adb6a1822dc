"""Product CSV import: Shopify, WooCommerce and column-mapped files become product drafts.

The parser never half-imports a product: if any row of a product is bad, the whole product
(every variant) is left out and each bad row is reported, so a shop owner can fix the file and
import it again. Rows are numbered as a spreadsheet shows them (the header is row 1).

Missing Shopify SKUs are made from the handle and the option values, for example
``classic-tee`` + Red / M -> ``classic-tee-red-m``: lower-case ASCII words joined by dashes; a
word with no ASCII letters or digits becomes an 8-hex digest of itself, and a SKU longer than 64
characters is cut to 55 and ended with a dash and an 8-hex digest of the whole, so the same
file always yields the same SKUs. Missing WooCommerce SKUs become ``woo-<ID>``.

A file is read in two steps: :func:`read_products_file` finds each product's rows (cheap), then
:meth:`ProductFile.parse` checks and builds the products. In between, the caller may skip the
products whose rows are exactly those it imported last time (:meth:`ProductFile.digests`):
an unchanged re-import then costs little more than reading the file.

Modules: ``records`` (bytes to text to rows), ``headers`` (column names, WooCommerce's
translations, format detection), ``cells`` (one cell at a time), ``grouped`` (Shopify and
generic files), ``woocommerce``, ``assemble`` (checks across the file, the result).
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from app.formats.products import cells, grouped, woocommerce
from app.formats.products.assemble import Group, ParsedCatalog, finish
from app.formats.products.grouped import GENERIC_FIELDS
from app.formats.products.headers import Header, detect_format
from app.formats.products.records import Decoded, RowProblem, decode, read_records

FORMATS: Final = ("shopify", "woocommerce", "generic")
TAX_CODES: Final = cells.TAX_CODES
PARSER_VERSION: Final = "2"
"""Part of every product digest: change it whenever the same rows could parse differently."""

__all__ = [
    "FORMATS",
    "GENERIC_FIELDS",
    "TAX_CODES",
    "Decoded",
    "ParsedCatalog",
    "ProductFile",
    "RowProblem",
    "check_mapping",
    "decode",
    "detect_format",
    "parse_products_csv",
    "read_products_file",
]

_Rows = list[tuple[int, list[str]]]


@dataclass(frozen=True, slots=True)
class _Unit:
    handle: str
    """As the file gives it (the validated handle can differ: a stray apostrophe)."""
    rows: _Rows
    source: object
    """What the format's builder needs: the rows, or a WooCommerce unit."""
    dated: bool
    """A WooCommerce sale date is set: the result depends on the day, so never skip it."""


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    # A big file becomes hundreds of thousands of small objects that all live until the
    # import ends; the cyclic collector would scan them over and over (40 % of the time).
    # Reference counting still frees everything; the collector is back on afterwards.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ProductFile:
    """A product file read into rows per product, not yet checked."""

    def __init__(
        self,
        fmt: str,
        units: list[_Unit],
        loose: list[RowProblem],
        warnings: list[RowProblem],
        rows_read: int,
        notes: tuple[str, ...],
        build: Callable[[_Unit, cells.TaxClasses, list[RowProblem], datetime | None], Group],
        layout: str,
    ) -> None:
        self.format = fmt
        self.rows_read = rows_read
        self.notes = notes
        self._units = units
        self._loose = loose
        self._warnings = warnings
        self._build = build
        self._layout = layout

    @property
    def handles(self) -> list[str]:
        """Each product's handle as the file gives it, in file order."""
        return [unit.handle for unit in self._units]

    def digests(
        self, salt: str = "", tax_classes: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """A digest of each product's rows (only the cells the parser reads), keyed by handle.
        Equal digests mean equal products, for the same ``salt``; products whose result
        depends on the day (a WooCommerce sale with dates) and repeated handles have none."""
        key = "\x1d".join(
            (
                PARSER_VERSION,
                self.format,
                self._layout,
                repr(sorted((tax_classes or {}).items())),
                salt,
            )
        )
        base = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16)
        seen: dict[str, int] = {}
        for unit in self._units:
            seen[unit.handle] = seen.get(unit.handle, 0) + 1
        found: dict[str, str] = {}
        with _no_cycle_collection():
            for unit in self._units:
                if unit.dated or seen[unit.handle] > 1 or not unit.handle:
                    continue
                digest = base.copy()
                digest.update(b"\x1c")
                digest.update(
                    "\x1e".join("\x1f".join(cells_) for _, cells_ in unit.rows).encode(
                        "utf-8", "surrogatepass"
                    )
                )
                found[unit.handle] = digest.hexdigest()
        return found

    def parse(
        self,
        *,
        tax_classes: Mapping[str, str] | None = None,
        now: datetime | None = None,
        skip: Collection[str] = (),
    ) -> ParsedCatalog:
        """Check and build every product, except those whose handle is in ``skip``."""
        taxes = cells.TaxClasses(tax_classes)
        warnings = list(self._warnings)
        groups: list[Group] = []
        skipped: list[str] = []
        with _no_cycle_collection():
            for unit in self._units:
                if skip and unit.handle in skip:
                    skipped.append(unit.handle)
                    continue
                groups.append(self._build(unit, taxes, warnings, now))
            return finish(
                self.format, groups, self._loose, warnings, self.rows_read, self.notes, skipped
            )


def read_products_file(
    data: str | bytes,
    *,
    format: str = "auto",
    mapping: Mapping[str, str] | None = None,
) -> ProductFile:
    """Read a product file into rows per product.

    ``data`` is the file's bytes (decoded here: UTF-8, else Windows-1252, with a note) or its
    text. ``format`` is "auto", "shopify", "woocommerce" or "generic"; ``mapping`` (generic
    files only) maps our field names to the file's column names. Raises ParseError for a file
    that cannot be read at all: empty, not CSV, or missing a required column.
    """
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"format must be auto or one of {FORMATS}, not {format!r}")
    if mapping is not None and format not in ("auto", "generic"):
        raise ValueError("a column mapping applies to generic files only")
    notes: tuple[str, ...] = ()
    if isinstance(data, bytes):
        decoded = decode(data)
        text = decoded.text
        notes = (decoded.note,) if decoded.note else ()
    else:
        text = data
    with _no_cycle_collection():
        records = read_records(text)
        if format == "auto":
            fmt = "generic" if mapping is not None else detect_format(records.header)
        else:
            fmt = format
        header = Header(records.header)
        warnings = list(records.warnings)
        units: list[_Unit] = []
        if fmt == "woocommerce":
            woo = woocommerce.woo_columns(header)
            dates = (woocommerce.SALE_FROM, woocommerce.SALE_TO)
            found, loose = woocommerce.group_rows(woo, records.rows, warnings)
            for unit in found:
                rows = unit.rows
                dated = any(cells_[at] for _, cells_ in rows for at in dates)
                units.append(_Unit(unit.handle, rows, unit, dated))
            layout = repr([col is not None for col in woo.cols])

            def build(
                unit: _Unit, taxes: cells.TaxClasses, warns: list[RowProblem], now: datetime | None
            ) -> Group:
                source = unit.source
                assert isinstance(source, woocommerce.Unit)
                return woocommerce.build(woo, source, taxes, warns, now)

        else:
            cols = (
                grouped.shopify_columns(header)
                if fmt == "shopify"
                else grouped.generic_columns(header, mapping)
            )
            by_handle, loose = grouped.group_rows(cols, records.rows, warnings)
            units = [_Unit(handle, rows, rows, False) for handle, rows in by_handle.items()]
            layout = repr([col is not None for col in cols.cols])

            def build(
                unit: _Unit, taxes: cells.TaxClasses, warns: list[RowProblem], now: datetime | None
            ) -> Group:
                return grouped.build(cols, unit.handle, unit.rows, taxes, warns)

    return ProductFile(fmt, units, loose, warnings, len(records.rows), notes, build, layout)


def check_mapping(data: str | bytes, mapping: Mapping[str, str]) -> None:
    """Check a generic file's column mapping against its header line alone, so that a mistake
    is named before anything else is asked or read; raises ParseError as a full read would."""
    first = data.split(b"\n", 1)[0] if isinstance(data, bytes) else data.split("\n", 1)[0]
    text = decode(first).text if isinstance(first, bytes) else first
    grouped.generic_columns(Header(read_records(text).header), mapping)


def parse_products_csv(
    data: str | bytes,
    *,
    format: str = "auto",
    mapping: Mapping[str, str] | None = None,
    tax_classes: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> ParsedCatalog:
    """Read and check a whole product file (see :func:`read_products_file`); ``tax_classes``
    maps source tax class names to our codes, over the defaults; ``now`` is the shop's local
    wall-clock time, which WooCommerce sale dates are compared with."""
    return read_products_file(data, format=format, mapping=mapping).parse(
        tax_classes=tax_classes, now=now
    )
