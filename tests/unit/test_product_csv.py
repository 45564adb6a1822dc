"""Product CSV parser: Shopify (both header generations), WooCommerce and mapped files."""

from __future__ import annotations

import contextlib
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.catalog import ProductDraft, VariantDraft
from app.errors import ParseError
from app.formats.products import (
    ParsedCatalog,
    RowProblem,
    detect_format,
    parse_products_csv,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "csv"

GERMAN_MAPPING = {
    "sku": "Artikelnummer",
    "name": "Bezeichnung",
    "price": "Preis",
    "barcode": "EAN",
    "category": "Warengruppe",
    "tax_class": "MwSt",
    "sold_by_weight": "Waage",
    "stock": "Bestand",
    "cost": "Einkaufspreis",
    "active": "Aktiv",
}
GERMAN_TAXES = {"7%": "reduced", "19%": "standard"}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def csv_text(*rows: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def handles(result: ParsedCatalog) -> list[str]:
    return [p.handle for p in result.products]


def problem_rows(result: ParsedCatalog) -> list[int]:
    return [p.row for p in result.problems]


# Shopify ---------------------------------------------------------------------------------

SHOPIFY_EXPECTED = (
    ProductDraft(
        handle="classic-tee",
        name="Classic Tee",
        tax_class="standard",
        category="T-Shirts",
        variants=(
            VariantDraft(
                sku="TEE-S-RED",
                price=Decimal("19.99"),
                options=(("Size", "S"), ("Colour", "Red")),
                cost=Decimal("7.50"),
                barcodes=("5000000000012",),
                stock=Decimal(10),
                track_stock=True,
            ),
            VariantDraft(
                sku="TEE-M-RED",
                price=Decimal("19.99"),
                options=(("Size", "M"), ("Colour", "Red")),
                cost=Decimal("7.50"),
                barcodes=("5000000000029",),
                stock=Decimal(4),
                track_stock=True,
            ),
            VariantDraft(
                sku="classic-tee-l-blue",
                price=Decimal("21.00"),
                options=(("Size", "L"), ("Colour", "Blue")),
                track_stock=True,
            ),
        ),
    ),
    ProductDraft(
        handle="canvas-bag",
        name="Canvas Bag",
        tax_class="zero",
        category="Tote Bags",
        active=False,
        variants=(
            VariantDraft(
                sku="BAG-1",
                price=Decimal("12.50"),
                barcodes=("0036000291452",),
                stock=Decimal(3),
                track_stock=True,
            ),
        ),
    ),
)


@pytest.mark.parametrize("name", ["shopify_legacy.csv", "shopify_current.csv"])
def test_shopify_files_of_both_header_generations(name: str) -> None:
    result = parse_products_csv(fixture(name))

    assert result.format == "shopify"
    assert result.products == SHOPIFY_EXPECTED
    assert result.problems == ()
    assert result.rows_read == 5
    # Row 5 only adds a picture: it is skipped silently and names no product.
    assert dict(result.rows_of) == {"classic-tee": (2, 3, 4), "canvas-bag": (6,)}


def test_shopify_generated_skus_follow_handle_and_options() -> None:
    header = ["Handle", "Title", "Option1 Name", "Option1 Value", "Variant SKU", "Variant Price"]
    long_handle = "a-very-long-handle-" * 5
    text = csv_text(
        header,
        ["crème-brûlée", "Crème brûlée", "Flavour", "Vanille Bourbon", "", "4.00"],
        ["crème-brûlée", "", "", "★", "", "4.00"],
        [long_handle, "Long", "Title", "Default Title", "", "1.00"],
    )

    result = parse_products_csv(text)

    skus = [v.sku for p in result.products for v in p.variants]
    assert skus[:2] == ["creme-brulee-vanille-bourbon", f"creme-brulee-{skus[1][-8:]}"]
    assert len(skus[2]) <= 64
    assert skus[2].startswith("a-very-long-handle-a-very")
    assert parse_products_csv(text) == result


def test_shopify_generated_sku_clash_says_where_it_came_from() -> None:
    text = csv_text(
        ["Handle", "Title", "Option1 Name", "Option1 Value", "Variant SKU", "Variant Price"],
        ["tee", "Tee", "Size", "M", "", "5.00"],
        ["tee", "", "", "m", "", "5.00"],
    )

    result = parse_products_csv(text)

    assert result.products == ()
    assert problem_rows(result) == [2, 3]
    assert "made from the handle and option values" in result.problems[0].message


def test_shopify_variants_that_disagree_on_tax_drop_the_product() -> None:
    text = csv_text(
        ["Handle", "Title", "Option1 Name", "Option1 Value", "Variant Price", "Variant Taxable"],
        ["tea", "Tea", "Size", "Small", "3.00", "TRUE"],
        ["tea", "", "", "Large", "5.00", "FALSE"],
        ["cup", "Cup", "Title", "Default Title", "2.00", ""],
    )

    result = parse_products_csv(text)

    assert handles(result) == ["cup"]
    assert result.products[0].tax_class == "standard"
    assert result.problems == (
        RowProblem(
            3,
            "Variant Taxable is 'FALSE' here but 'TRUE' on row 2; "
            "Tillwright keeps one tax class per product",
        ),
    )


def test_shopify_bad_status_option_without_name_and_empty_handle() -> None:
    text = csv_text(
        ["URL handle", "Title", "Option1 name", "Option1 value", "Price", "Status"],
        ["a", "A", "", "Red", "1.00", "active"],
        ["b", "B", "", "", "1.00", "sold out"],
        ["", "C", "", "", "1.00", "active"],
        ["d", "D", "", "", "1.00", "archived"],
    )

    result = parse_products_csv(text)

    assert handles(result) == ["d"]
    assert result.products[0].active is False
    assert result.problems == (
        RowProblem(2, "Option1 value 'Red' has no option name on the product's rows"),
        RowProblem(3, "Status 'sold out' should be active, draft or archived"),
        RowProblem(4, "URL handle is empty: every row needs its product's handle"),
    )


# WooCommerce ------------------------------------------------------------------------------


def test_woocommerce_variable_simple_and_skipped_types() -> None:
    result = parse_products_csv(fixture("woocommerce.csv"))

    assert result.format == "woocommerce"
    assert result.problems == ()
    assert result.rows_read == 6
    assert result.products == (
        ProductDraft(
            handle="HOOD",
            name="Hoodie",
            tax_class="standard",
            category="Hoodies",
            variants=(
                # The variation before its parent, found by "id:10".
                VariantDraft(
                    sku="HOOD-S",
                    price=Decimal("39.00"),
                    options=(("Size", "S"), ("Colour", "Grey")),
                    barcodes=("5000000000036",),
                    stock=Decimal(5),
                ),
                # Found by the parent's SKU; no SKU of its own, on sale, disabled.
                VariantDraft(
                    sku="woo-12",
                    price=Decimal("35.00"),
                    options=(("Size", "M"), ("Colour", "Grey")),
                    active=False,
                    stock=Decimal(0),
                ),
            ),
        ),
        ProductDraft(
            handle="MUG-1",
            name="Stoneware Mug",
            tax_class="reduced",
            category="Kitchen",
            variants=(
                VariantDraft(
                    sku="MUG-1",
                    price=Decimal("8.50"),
                    barcodes=("5000000000043",),
                    stock=Decimal(12),
                ),
            ),
        ),
        ProductDraft(
            handle="GIFT-WRAP",
            name="Gift wrapping",
            tax_class="zero",
            active=False,
            # An empty Stock cell is "manage stock" off: sold without stock tracking.
            variants=(VariantDraft(sku="GIFT-WRAP", price=Decimal("2.00"), track_stock=False),),
        ),
    )
    # Row 3's description holds a line break: it is still one spreadsheet row.
    assert dict(result.rows_of) == {"HOOD": (2, 3, 4), "MUG-1": (5,), "GIFT-WRAP": (6,)}


WOO_HEADER = [
    "ID",
    "Type",
    "SKU",
    "Name",
    "Tax status",
    "Tax class",
    "Regular price",
    "Parent",
    "Attribute 1 name",
    "Attribute 1 value(s)",
]


def test_woocommerce_orphan_and_misplaced_variations() -> None:
    text = csv_text(
        WOO_HEADER,
        ["1", "variation", "X-S", "", "", "", "5", "id:99", "Size", "S"],
        ["2", "simple", "PLAIN", "Plain", "", "", "5", "", "", ""],
        ["3", "variation", "X-M", "", "", "", "5", "PLAIN", "Size", "M"],
        ["4", "variable", "LONELY", "Lonely", "", "", "", "", "Size", "S"],
        ["5", "bundle", "B", "Bundle", "", "", "5", "", "", ""],
    )

    result = parse_products_csv(text)

    assert handles(result) == ["PLAIN"]
    assert result.problems == (
        RowProblem(2, "Parent 'id:99' is not a product in this file"),
        RowProblem(4, "Parent 'PLAIN' is the product on row 3, not a variable product"),
        RowProblem(5, "The variable product has no variations in the file"),
        RowProblem(6, "Type 'bundle' should be simple, variable or variation"),
    )


def test_woocommerce_bad_variation_drops_parent_and_siblings() -> None:
    text = csv_text(
        WOO_HEADER,
        ["10", "variable", "TEE", "Tee", "taxable", "", "", "", "Size", "S, M"],
        ["11", "variation", "TEE-S", "", "", "parent", "9.99", "id:10", "Size", "S"],
        ["12", "variation", "TEE-M", "", "", "reduced-rate", "9.99", "id:10", "Size", "M"],
        ["13", "variation", "TEE-L", "", "", "", "cheap", "TEE", "Size", "L"],
        ["20", "simple", "CAP", "Cap", "taxable", "zero-rate", "4", "", "", ""],
    )

    result = parse_products_csv(text)

    assert handles(result) == ["CAP"]
    assert result.products[0].tax_class == "zero"
    assert result.problems == (
        RowProblem(
            4,
            "Tax class 'reduced-rate' differs from its product's (standard); "
            "Tillwright keeps one tax class per product",
        ),
        RowProblem(5, "Regular price 'cheap' is not a number"),
    )


def test_woocommerce_tax_classes_can_be_remapped() -> None:
    text = csv_text(
        WOO_HEADER,
        ["1", "simple", "BREAD", "Bread", "taxable", "food", "2.20", "", "", ""],
        ["2", "simple", "WINE", "Wine", "taxable", "luxury", "9.00", "", "", ""],
    )

    result = parse_products_csv(text, tax_classes={"Food": "reduced"})

    assert [(p.handle, p.tax_class) for p in result.products] == [("BREAD", "reduced")]
    assert result.problems == (
        RowProblem(
            3, "Tax class 'luxury' is not a tax class this shop knows (reduced, standard, zero)"
        ),
    )


def test_woocommerce_handle_falls_back_to_id() -> None:
    text = csv_text(
        WOO_HEADER,
        ["7", "simple", "", "No SKU", "", "", "1.00", "", "", ""],
    )

    result = parse_products_csv(text)

    assert handles(result) == ["woo-7"]
    assert result.products[0].variants[0].sku == "woo-7"


# Generic ----------------------------------------------------------------------------------


def test_generic_file_with_a_mapping_semicolons_and_decimal_commas() -> None:
    result = parse_products_csv(
        fixture("generic_mapped.csv"), mapping=GERMAN_MAPPING, tax_classes=GERMAN_TAXES
    )

    assert result.format == "generic"
    assert result.problems == ()
    assert result.products == (
        ProductDraft(
            handle="APF-1",
            name="Äpfel Braeburn",
            tax_class="reduced",
            category="Obst",
            sold_by_weight=True,
            variants=(
                VariantDraft(
                    sku="APF-1",
                    price=Decimal("2.49"),
                    cost=Decimal("1.20"),
                    barcodes=("5000000000050", "5000000000067"),
                    stock=Decimal("12.5"),
                ),
            ),
        ),
        ProductDraft(
            handle="BRT-1",
            name="Bauernbrot",
            tax_class="reduced",
            category="Backwaren",
            variants=(VariantDraft(sku="BRT-1", price=Decimal("3.80"), stock=Decimal(4)),),
        ),
        ProductDraft(
            handle="TAS-1",
            name="Stofftasche",
            tax_class="standard",
            active=False,
            variants=(
                VariantDraft(
                    sku="TAS-1",
                    price=Decimal("1.50"),
                    cost=Decimal("0.40"),
                    barcodes=("5000000000074",),
                    active=False,
                    stock=Decimal(100),
                ),
            ),
        ),
    )


def test_generic_without_mapping_groups_rows_by_handle() -> None:
    text = csv_text(
        ["handle", "name", "sku", "price", "option1_name", "option1_value", "barcode"],
        ["socks", "Socks", "SOCK-S", "3.00", "Size", "S", "5000000000081;5000000000098"],
        ["socks", "", "SOCK-M", "3.50", "", "M", ""],
        ["", "Laces", "LACE", "1.00", "", "", ""],
    )

    result = parse_products_csv(text)

    assert result.format == "generic"
    assert result.problems == ()
    socks, laces = result.products
    assert [(v.sku, v.options) for v in socks.variants] == [
        ("SOCK-S", (("Size", "S"),)),
        ("SOCK-M", (("Size", "M"),)),
    ]
    assert socks.variants[0].barcodes == ("5000000000081", "5000000000098")
    assert laces.handle == "LACE"
    assert dict(result.rows_of) == {"socks": (2, 3), "LACE": (4,)}


def test_mapping_to_a_column_the_file_lacks() -> None:
    with pytest.raises(ParseError, match="'Artikel'"):
        parse_products_csv(csv_text(["Name", "SKU", "Price"]), mapping={"sku": "Artikel"})


def test_caller_mistakes_are_value_errors() -> None:
    text = csv_text(["name", "sku", "price"])
    with pytest.raises(ValueError, match="format"):
        parse_products_csv(text, format="excel")
    with pytest.raises(ValueError, match="generic"):
        parse_products_csv(text, format="shopify", mapping={"sku": "sku"})
    with pytest.raises(ValueError, match="unknown product field"):
        parse_products_csv(text, mapping={"colour": "sku"})


# Row problems: the bad product goes, the others stay -----------------------------------------

GENERIC_HEADER = ["handle", "name", "sku", "price", "cost", "barcode", "tax_class", "stock"]
GOOD_ROW = ["", "Good", "GOOD", "1.00", "", "", "", ""]


def generic_row(**cells: str) -> list[str]:
    row = dict(zip(GENERIC_HEADER, ["bad", "Bad", "BAD-1", "2.00", "", "", "", ""], strict=True))
    row.update(cells)
    return [row[c] for c in GENERIC_HEADER]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"price": ""}, "price is empty: every variant needs one"),
        ({"price": "abc"}, "price 'abc' is not a number"),
        ({"price": "NaN"}, "price 'NaN' is not a finite number"),
        ({"price": "-1.00"}, "price '-1.00' is negative"),
        ({"price": "1.005"}, "price '1.005' has more than 2 decimals"),
        ({"price": "1e40"}, "price '1e40' is too large"),
        ({"cost": "-0.50"}, "cost '-0.50' is negative"),
        ({"cost": "x"}, "cost 'x' is not a number"),
        ({"barcode": "5000000000013"}, "EAN-13 barcode 5000000000013 has a wrong check digit"),
        ({"barcode": "5.00000E+12"}, "barcode '5.00000E+12' was turned into a number"),
        ({"tax_class": "luxury"}, "tax_class 'luxury' is not a tax class this shop knows"),
        ({"stock": "lots"}, "stock 'lots' is not a number"),
        ({"stock": "1.2345"}, "stock '1.2345' has more than 3 decimals"),
        ({"sku": "S" * 65}, "is 65 characters long; at most 64 fit"),
        ({"sku": "A\tB"}, "contains tabs, line breaks or invisible characters"),
    ],
)
def test_each_bad_row_reason_names_its_row(cells: dict[str, str], message: str) -> None:
    text = csv_text(
        GENERIC_HEADER,
        GOOD_ROW,
        generic_row(sku="BAD-0", price="2.00"),
        generic_row(**cells),
        [c.replace("GOOD", "LAST").replace("Good", "Last") for c in GOOD_ROW],
    )

    result = parse_products_csv(text)

    # Rows 3 and 4 are one product: row 4 is bad, so row 3's good variant goes too.
    assert handles(result) == ["GOOD", "LAST"]
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.row == 4
    assert message in problem.message
    assert not problem.message.lower().startswith("row")
    assert result.rows_read == 4


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "name is empty: the product needs a name"), ("N" * 201, "is 201 characters long")],
)
def test_a_bad_product_name_is_reported_on_the_row_that_carries_it(name: str, message: str) -> None:
    text = csv_text(
        GENERIC_HEADER,
        generic_row(name=name),
        generic_row(name="", sku="BAD-2"),
        GOOD_ROW,
    )

    result = parse_products_csv(text)

    assert handles(result) == ["GOOD"]
    assert [p.row for p in result.problems] == [2]
    assert message in result.problems[0].message


def test_same_sku_twice_drops_both_products() -> None:
    text = csv_text(
        GENERIC_HEADER,
        ["a", "A", "DUP", "1.00", "", "", "", ""],
        GOOD_ROW,
        ["b", "B", "DUP", "1.00", "", "", "", ""],
    )

    result = parse_products_csv(text)

    assert handles(result) == ["GOOD"]
    assert result.problems == (
        RowProblem(2, "SKU 'DUP' is also on row 4"),
        RowProblem(4, "SKU 'DUP' is also on row 2"),
    )


def test_same_barcode_on_two_variants_drops_both_products() -> None:
    # The UPC-A and EAN-13 spellings are the same code once stored.
    text = csv_text(
        GENERIC_HEADER,
        ["a", "A", "A-1", "1.00", "", "036000291452", "", ""],
        ["b", "B", "B-1", "1.00", "", "0036000291452", "", ""],
        GOOD_ROW,
        ["c", "C", "C-1", "1.00", "", "5000000000104|5000000000104", "", ""],
    )

    result = parse_products_csv(text)

    assert handles(result) == ["GOOD", "c"]
    assert result.products[1].variants[0].barcodes == ("5000000000104",)
    assert [p.row for p in result.problems] == [2, 3]
    assert result.problems[0].message.startswith("Barcode 0036000291452 is also on row 3")


def test_every_bad_row_of_one_product_is_reported() -> None:
    text = csv_text(
        GENERIC_HEADER,
        ["p", "P", "P-1", "x", "", "", "", ""],
        ["p", "", "P-2", "1.00", "", "", "", ""],
        ["p", "", "P-3", "-2", "y", "", "", ""],
    )

    result = parse_products_csv(text)

    assert result.products == ()
    assert result.rows_of == {}
    assert result.problems == (
        RowProblem(2, "price 'x' is not a number"),
        RowProblem(4, "price '-2' is negative"),
        RowProblem(4, "cost 'y' is not a number"),
    )


# Whole-file behaviour -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        (["Handle", "Title", "Variant SKU"], "has no Price (or Variant Price) column"),
        (["Handle", "Variant Price"], "has no Title column"),
        (["ID", "Type", "Name", "SKU", "Parent"], "has no Regular price column"),
        (["Type", "Name", "Regular price"], "has no SKU (or ID) column"),
        (["name", "price"], "has no sku column"),
        (["sku", "price", "label"], "has no name column"),
    ],
)
def test_missing_required_columns_are_named(header: list[str], missing: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_products_csv(csv_text(header, ["x"] * len(header)))

    assert missing in raised.value.message


def test_shopify_without_handles_makes_them_from_titles() -> None:
    text = csv_text(["Title", "SKU", "Price"], ["Crème Brûlée", "CB", "4.00"], ["", "X", "1.00"])

    result = parse_products_csv(text)

    assert result.format == "shopify"
    assert handles(result) == ["creme-brulee"]
    assert result.problems == (RowProblem(3, "Title is empty: the product needs a name"),)


def test_column_names_match_loosely() -> None:
    text = csv_text(["url HANDLE ", " Title", "price"], ["mug", "Mug", "4.00"])

    result = parse_products_csv(text)

    assert result.format == "shopify"
    assert handles(result) == ["mug"]


@pytest.mark.parametrize("text", ["", "\ufeff", " \n\n", ",,,\n,,\n"])
def test_an_empty_file_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_products_csv(text)


def test_a_header_alone_is_an_empty_catalog() -> None:
    result = parse_products_csv(csv_text(["name", "sku", "price"]))

    assert result == ParsedCatalog("generic", (), (), 0, {})


def test_a_byte_order_mark_is_ignored() -> None:
    plain = fixture("shopify_current.csv")

    assert parse_products_csv("\ufeff" + plain) == parse_products_csv(plain)


def test_crlf_and_trailing_blank_rows() -> None:
    text = "name,sku,price\r\nTape,TAPE,1.00\r\n,,\r\n\r\nGlue,GLUE,x\r\n"

    result = parse_products_csv(text)

    assert handles(result) == ["TAPE"]
    assert result.problems == (RowProblem(5, "price 'x' is not a number"),)
    assert result.rows_read == 2


@pytest.mark.parametrize(
    ("name", "mapping", "taxes"),
    [
        ("shopify_legacy.csv", None, None),
        ("shopify_current.csv", None, None),
        ("woocommerce.csv", None, None),
        ("generic_mapped.csv", GERMAN_MAPPING, GERMAN_TAXES),
    ],
)
def test_parsing_twice_gives_the_same_catalog(
    name: str, mapping: dict[str, str] | None, taxes: dict[str, str] | None
) -> None:
    text = fixture(name)

    first = parse_products_csv(text, mapping=mapping, tax_classes=taxes)
    second = parse_products_csv(text, mapping=mapping, tax_classes=taxes)

    assert first == second
    assert list(first.rows_of) == list(second.rows_of)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["Handle", "Title", "Variant SKU", "Variant Price"], "shopify"),
        (["Title", "URL handle", "SKU", "Price"], "shopify"),
        (["\ufeffhandle", "title"], "shopify"),
        (["ID", "Type", "SKU", "Name", "Regular price"], "woocommerce"),
        (["Type", "Name", "Parent"], "woocommerce"),
        (["handle", "name", "sku", "price"], "generic"),
        ([], "generic"),
    ],
)
def test_detect_format(header: list[str], expected: str) -> None:
    assert detect_format(header) == expected


def test_explicit_format_overrides_detection() -> None:
    text = csv_text(["handle", "title", "name", "sku", "price"], ["h", "T", "N", "S", "1"])

    assert parse_products_csv(text).format == "shopify"
    result = parse_products_csv(text, format="generic")
    assert result.format == "generic"
    assert result.products[0].name == "N"


# Nothing but ParseError, whatever the bytes --------------------------------------------------


def check_catalog(result: ParsedCatalog) -> None:
    bad_rows = {p.row for p in result.problems}
    for product in result.products:
        assert product.variants
        assert not bad_rows & set(result.rows_of[product.handle])
    assert all(not p.message.startswith("row ") for p in result.problems)


@settings(max_examples=100)
@given(st.text())
def test_arbitrary_text_raises_only_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        check_catalog(parse_products_csv(text))


SHOPIFY_COLUMNS = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,\
Variant Barcode,Variant Taxable,Status,Variant Inventory Qty,Cost per item"
WOO_COLUMNS = "ID,Type,SKU,Name,Published,Tax status,Tax class,Regular price,Sale price,Stock,\
Parent,Attribute 1 name,Attribute 1 value(s)"
GENERIC_COLUMNS = "handle,name,sku,price,barcode,tax_class,active,stock,cost,sold_by_weight,\
option1_name,option1_value"
HEADERS = [c.split(",") for c in (SHOPIFY_COLUMNS, WOO_COLUMNS, GENERIC_COLUMNS)]
SAMPLE_CELLS = [
    "",
    " ",
    "a",
    "A",
    "1",
    "0",
    "-1",
    "1.5",
    "2,49",
    "1e9",
    "NaN",
    "-0",
    "TRUE",
    "FALSE",
    "Default Title",
    "simple",
    "variable",
    "variation",
    "id:1",
    "id:2",
    "none",
    "reduced-rate",
    "draft",
    "5000000000012",
    "036000291452",
    "4.1E+12",
    "x;y",
]
CELLS = st.one_of(st.sampled_from(SAMPLE_CELLS), st.text(max_size=8))


@settings(max_examples=100)
@given(
    header=st.sampled_from(HEADERS),
    rows=st.lists(st.lists(CELLS, max_size=14), max_size=8),
    delimiter=st.sampled_from([",", ";"]),
)
def test_csv_like_rows_raise_only_parse_error(
    header: list[str], rows: list[list[str]], delimiter: str
) -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows([header, *rows])
    try:
        first = parse_products_csv(buf.getvalue())
    except ParseError:
        return
    check_catalog(first)
    assert parse_products_csv(buf.getvalue()) == first
