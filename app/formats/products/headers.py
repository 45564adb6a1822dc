"""Column names: matching them loosely, the aliases each format is known by, and telling the
formats apart.

WooCommerce writes its export header in the shop's admin language. The translated names
below are the ones WooCommerce's own translations (translate.wordpress.org, as shipped in
its language packs) and real exports use, for Spanish, French, German, Italian and Brazilian
Portuguese; where a translation changed over the years both spellings are kept. Shopify
writes its product export in English only.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import Final, NamedTuple

from app.errors import ParseError


def norm(name: str) -> str:
    """A column name as matched: no BOM, typographic apostrophes plain, case-folded, single
    spaces (a no-break space before "?" as French writes it counts as a space)."""
    return " ".join(name.replace("\ufeff", "").replace("\u2019", "'").casefold().split())


class Col(NamedTuple):
    pos: int
    label: str
    """The column name as the file spells it, so messages use the owner's own words."""


class Header:
    def __init__(self, cells: Sequence[str]) -> None:
        self.width = len(cells)
        self._index: dict[str, Col] = {}
        self.labels: list[str] = []
        """The column names as the file shows them, left to right."""
        for i, raw in enumerate(cells):
            label = " ".join(raw.replace("\ufeff", "").split())
            self.labels.append(label)
            # First column wins: a duplicated header name is ambiguous and the first is what
            # a person reading the sheet left to right sees.
            self._index.setdefault(norm(raw), Col(i, label))

    def find(self, *aliases: str) -> Col | None:
        for alias in aliases:
            col = self._index.get(norm(alias))
            if col is not None:
                return col
        return None

    def has(self, *aliases: str) -> bool:
        return any(norm(alias) in self._index for alias in aliases)

    def where(self, pattern: re.Pattern[str]) -> list[Col]:
        """Columns whose normalised name matches ``pattern``, left to right."""
        return sorted(
            (col for name, col in self._index.items() if pattern.fullmatch(name)),
            key=lambda col: col.pos,
        )


def picker(header: Header, cols: Sequence[Col | None]) -> Callable[[list[str]], list[str]]:
    """A function from a row (as records.read_records makes it) to the stripped cells of
    ``cols`` in order; a column the file lacks reads as empty."""
    width = header.width
    # The row's last cell (always empty) stands in for absent columns; asking for it once more
    # at the end keeps itemgetter returning a tuple even for a single column.
    get = operator.itemgetter(*(c.pos if c is not None else width for c in cols), width)

    def pick(cells: list[str]) -> list[str]:
        return [value.strip() for value in get(cells)]

    return pick


def missing(required: Sequence[tuple[str, Col | None]]) -> None:
    absent = [name for name, col in required if col is None]
    if absent:
        raise ParseError(f"The file has no {', '.join(absent)} column: add it and try again")


# WooCommerce ------------------------------------------------------------------------------

# Each tuple: English, then Spanish, French, German, Italian and Portuguese where they differ.
WOO: Final = MappingProxyType(
    {
        "id": ("ID",),
        "type": ("Type", "Tipo", "Typ"),
        "sku": ("SKU", "UGS", "Artikelnummer", "COD"),
        "name": ("Name", "Nombre", "Nom", "Nome"),
        "published": ("Published", "Publicado", "Publié", "Veröffentlicht", "Pubblicato"),
        "tax_status": (
            "Tax status",
            "Estado del impuesto",
            "État de la TVA",
            "Steuerstatus",
            "Stato delle imposte",
            "Status do imposto",
        ),
        "tax_class": (
            "Tax class",
            "Clase de impuesto",
            "Classe de TVA",
            "Steuerklasse",
            "Aliquota di imposta",
            "Classe de imposto",
        ),
        "stock": ("Stock", "Inventario", "Bestand", "Magazzino", "Estoque"),
        "sale_price": (
            "Sale price",
            "Precio rebajado",
            "Tarif promo",
            "Angebotspreis",
            "Prezzo in offerta",
            "Preço promocional",
        ),
        "regular_price": (
            "Regular price",
            "Precio normal",
            "Tarif régulier",
            "Regulärer Preis",
            "Prezzo di listino",
            "Preço",
        ),
        "categories": (
            "Categories",
            "Categorías",
            "Catégories",
            "Kategorien",
            "Categorie",
            "Categorias",
        ),
        "parent": ("Parent", "Superior", "Übergeordnetes Produkt", "Genitore", "Ascendente"),
        "sale_from": (
            "Date sale price starts",
            "Sale price dates from",
            "Día en que empieza el precio rebajado",
            "Date de début de promo",
            "Datum, an dem Angebotspreis beginnt",
            "Data di partenza del prezzo in saldo",
            "Data de preço promocional começa em",
        ),
        "sale_to": (
            "Date sale price ends",
            "Sale price dates to",
            "Día en que termina el precio rebajado",
            "Date de fin de promo",
            "Datum, an dem Angebotspreis endet",
            "Termine data del prezzo di vendita",
            "Data in cui termina l'offerta",
            "Data de preço promocional termina em",
        ),
        "gtin": (
            "GTIN, UPC, EAN, or ISBN",
            "GTIN, UPC, EAN o ISBN",
            "GTIN, UPC, EAN ou ISBN",
            "GTIN, UPC, EAN oder ISBN",
            "GTIN, UPC, EAN, o ISBN",
        ),
    }
)
WOO_ATTRIBUTE_NAME: Final = (
    "Attribute {n} name",
    "Nombre del atributo {n}",
    "Nom de l'attribut {n}",
    "Attribut {n} Name",
    "Attributo {n} nome",
    "Nome dell'attributo {n}",
    "Nome do atributo {n}",
)
WOO_ATTRIBUTE_VALUES: Final = (
    "Attribute {n} value(s)",
    "Valor(es) del atributo {n}",
    "Valeur(s) de l'attribut {n}",
    "Attribut {n} Wert(e)",
    "Attributo {n} valuta(e)",
    "Valore dell'attributo {n}",
    "Valores do atributo {n}",
)

# Barcode plugins keep the code in product meta, exported as "Meta: _key" ("Méta : _key",
# "Metadado: _key" in the admin's language); other shops add a plain column.
_WOO_BARCODE_META: Final = (
    "_global_unique_id",
    "_barcode",
    "_ean",
    "_gtin",
    "_wpm_gtin_code",
    "_alg_ean",
)
WOO_BARCODE_META: Final = re.compile(
    r"[^:]{2,12} ?: ?(" + "|".join(re.escape(k) for k in _WOO_BARCODE_META) + ")"
)
WOO_BARCODE_PLAIN: Final = ("Barcode", "EAN", "GTIN")


def woo_find(header: Header, key: str) -> Col | None:
    return header.find(*WOO[key])


def woo_attribute(header: Header, n: int) -> tuple[Col | None, Col | None]:
    return (
        header.find(*(a.format(n=n) for a in WOO_ATTRIBUTE_NAME)),
        header.find(*(a.format(n=n) for a in WOO_ATTRIBUTE_VALUES)),
    )


# Shopify ----------------------------------------------------------------------------------

SHOPIFY: Final = MappingProxyType(
    {
        # The current export's names first, then the legacy template's.
        "handle": ("URL handle", "Handle"),
        "name": ("Title",),
        "sku": ("SKU", "Variant SKU"),
        "price": ("Price", "Variant Price"),
        "cost": ("Cost per item",),
        "barcode": ("Barcode", "Variant Barcode"),
        "stock": ("Inventory quantity", "Variant Inventory Qty"),
        "tracker": ("Inventory tracker", "Variant Inventory Tracker"),
        "policy": ("Continue selling when out of stock", "Variant Inventory Policy"),
        "tax": ("Charge tax", "Variant Taxable"),
        "active": ("Status",),
        "category": ("Type",),
        "category_fallback": ("Product category",),
    }
)


def detect_format(cells: Sequence[str]) -> str:
    """Tell a Shopify, WooCommerce or other product file apart by its column names."""
    header = Header(cells)
    names = {norm(c) for c in cells}
    if ("handle" in names or "url handle" in names) and "title" in names:
        return "shopify"
    if "variant sku" in names or "variant price" in names:
        return "shopify"
    # Shopify's own minimum for new products is a Title column; our generic files say "name".
    if "title" in names and "name" not in names and "regular price" not in names:
        return "shopify"
    if "regular price" in names:
        return "woocommerce"
    woo_type, woo_name = header.has(*WOO["type"]), header.has(*WOO["name"])
    if woo_type and (
        header.has(*WOO["regular_price"]) or (woo_name and header.has(*WOO["parent"]))
    ):
        return "woocommerce"
    return "generic"
