"""Product files as shops really export them: inventory policies, sale dates, spreadsheet
damage, odd encodings, translated WooCommerce headers, broken quoting, clashes and warnings."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.catalog import VariantDraft
from app.errors import ParseError
from app.formats.products import (
    RowProblem,
    decode,
    detect_format,
    parse_products_csv,
    read_products_file,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "csv"
NOW = datetime(2026, 12, 1, 12, 0)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def variants(result) -> dict[str, VariantDraft]:
    return {v.sku: v for p in result.products for v in p.variants}


def messages(problems) -> str:
    return "\n".join(f"{p.row}: {p.message}" for p in problems)


# 1. Shopify inventory: only a tracked "deny" variant is stock-tracked ----------------------


def test_shopify_inventory_tracker_and_policy_decide_tracking() -> None:
    result = parse_products_csv(fixture_bytes("shopify_inventory.csv"))

    found = variants(result)
    # No tracker: Shopify does not count it, and its quantity column means nothing.
    assert found["SLEEVE-1"].track_stock is False
    assert found["SLEEVE-1"].stock is None
    # "continue" keeps selling at zero: untracked, though the count is kept.
    assert found["POD-MUG"].track_stock is False
    assert found["POD-MUG"].stock == 0
    assert found["ENAMEL-MUG"].track_stock is True
    assert found["ENAMEL-MUG"].stock == 5


def test_shopify_legacy_policy_column_and_a_bad_policy() -> None:
    rows = [
        [
            "Handle",
            "Title",
            "Variant SKU",
            "Variant Price",
            "Variant Inventory Tracker",
            "Variant Inventory Qty",
            "Variant Inventory Policy",
        ],
        ["a", "A", "A-1", "1.00", "shopify", "0", "continue"],
        ["b", "B", "B-1", "1.00", "shopify", "3", "deny"],
        ["c", "C", "C-1", "1.00", "shopify", "3", "sometimes"],
    ]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)

    result = parse_products_csv(buf.getvalue())

    assert variants(result)["A-1"].track_stock is False
    assert variants(result)["B-1"].track_stock is True
    assert result.problems == (
        RowProblem(4, "Variant Inventory Policy 'sometimes' should be deny or continue"),
    )


# 2. WooCommerce sale dates -------------------------------------------------------------------


def test_woocommerce_sale_price_honours_its_dates() -> None:
    result = parse_products_csv(fixture_bytes("woocommerce_sale_dates.csv"), now=NOW)

    prices = {sku: v.price for sku, v in variants(result).items()}
    assert prices == {
        "JAM-OLD": Decimal("3.00"),  # the sale ended in August 2025
        "JAM-NEXT": Decimal("3.20"),  # starts in January: not applied yet
        "JAM-NOW": Decimal("2.80"),
        "JAM-ALWAYS": Decimal("2.90"),
    }
    assert result.problems == ()
    assert [w.row for w in result.warnings] == [3]
    assert "not applied yet" in result.warnings[0].message
    assert "2027-01-01" in result.warnings[0].message


def test_a_sale_ending_today_lasts_until_the_end_of_the_day() -> None:
    text = fixture_bytes("woocommerce_sale_dates.csv")

    result = parse_products_csv(text, now=datetime(2026, 12, 6, 23, 59))

    assert variants(result)["JAM-NOW"].price == Decimal("2.80")
    later = parse_products_csv(text, now=datetime(2026, 12, 7, 0, 0))
    assert variants(later)["JAM-NOW"].price == Decimal("3.40")


def test_sale_dates_need_to_know_the_time_and_bad_dates_are_named() -> None:
    text = fixture_bytes("woocommerce_sale_dates.csv")
    with pytest.raises(ValueError, match="current time"):
        parse_products_csv(text)
    broken = text.replace(b"2027-01-31", b"31/01/2027")

    result = parse_products_csv(broken, now=NOW)

    assert result.problems == (
        RowProblem(3, "Date sale price ends '31/01/2027' is not a date like 2024-05-31"),
    )


# 5. A barcode that another variant's SKU is ---------------------------------------------------


def test_a_barcode_equal_to_another_products_sku_is_ambiguous() -> None:
    result = parse_products_csv(fixture_bytes("shopify_ambiguous_codes.csv"))

    assert [p.handle for p in result.products] == ["honey"]
    assert result.problems == (
        RowProblem(
            2,
            "SKU '5000000000319' is also a barcode of the variant on row 3: a scan could not "
            "tell which is meant",
        ),
        RowProblem(
            3,
            "Barcode 5000000000319 is also the SKU of the variant on row 2: a scan could not "
            "tell which is meant",
        ),
    )


def test_a_variant_whose_barcode_is_its_own_sku_is_fine() -> None:
    text = (
        "Handle,Title,Variant SKU,Variant Barcode,Variant Price\n"
        "x,X,5000000000319,5000000000319,1.00\n"
    )

    assert parse_products_csv(text).problems == ()


# 6. Spreadsheet damage in code columns ----------------------------------------------------


def test_excel_damage_in_sku_and_barcode_columns() -> None:
    result = parse_products_csv(fixture_bytes("shopify_excel_damage.csv"))

    assert [p.handle for p in result.products] == ["mustard", "salt"]
    assert [p.row for p in result.problems] == [2, 3]
    for problem in result.problems:
        assert "was turned into a number by a spreadsheet" in problem.message
        assert "format the column as text" in problem.message
    assert "'6.69859E+12'" in result.problems[0].message
    assert "'4.00638E+12'" in result.problems[1].message
    mustard = variants(result)
    assert "MUSTARD" not in mustard
    assert mustard["3212483"].barcodes == ("5000000000425",)
    assert [w.row for w in result.warnings] == [4, 4]
    assert all("apostrophe was removed" in w.message for w in result.warnings)


# 7. Long cells, stray quotes -------------------------------------------------------------


def test_a_cell_longer_than_the_csv_limit_does_not_reject_the_file() -> None:
    result = parse_products_csv(fixture_bytes("woocommerce_long_cell.csv"))

    # The long description is in a column nobody imports; the long name is reported.
    assert [p.handle for p in result.products] == ["VASE", "DISH"]
    assert len(result.problems) == 1
    assert result.problems[0].row == 3
    assert "131100 characters long; at most 200 fit" in result.problems[0].message


def test_a_stray_quote_stops_the_import_naming_its_row() -> None:
    with pytest.raises(ParseError) as raised:
        parse_products_csv(fixture_bytes("shopify_stray_quote.csv"))

    message = raised.value.message
    assert message.startswith("Row 3: a quote mark")
    assert "Nothing was imported" in message


def test_an_unclosed_quote_at_the_end_and_one_that_closes_rows_later() -> None:
    head = "Handle,Title,Variant SKU,Variant Price\n"
    never_closed = head + 'a,A,A-1,1.00\nb,"B,B-1,1.00\nc,C,C-1,1.00\n'
    with pytest.raises(ParseError, match=r"^Row 3: .*never closes"):
        parse_products_csv(never_closed)
    closes_later = head + 'a,A,A-1,1.00\nb,"B,B-1,1.00\nc,C,C-1,1.00\nd,D",D-1,1.00\ne,E,E-1,1.00\n'
    with pytest.raises(ParseError, match=r"^Row 3: .*runs over 3 lines.*swallows"):
        parse_products_csv(closes_later)


# 8. Control characters -------------------------------------------------------------------


def test_control_characters_in_names_and_codes_are_row_errors() -> None:
    result = parse_products_csv(fixture_bytes("shopify_control_chars.csv"))

    assert [p.handle for p in result.products] == ["plain-cup"]
    assert [p.row for p in result.problems] == [2, 3, 4, 5]
    found = messages(result.problems)
    assert "U+0007" in found and "U+001B" in found and "U+0000" in found and "U+009B" in found


# 9. Windows-1252 ----------------------------------------------------------------------------


def test_a_windows_1252_file_is_read_and_says_so() -> None:
    result = parse_products_csv(fixture_bytes("shopify_cp1252.csv"))

    assert result.notes == ("read as Windows-1252",)
    assert [p.name for p in result.products] == ["Café cup", "Crème brûlée dish – €5 off"]


def test_encodings() -> None:
    assert decode("Café".encode()).note == ""
    assert decode("\ufeffCafé".encode()).text == "Café"
    assert decode("Café".encode("utf-16")).note == "read as UTF-16"
    assert decode(b"Caf\xe9 \x81").note == "read as ISO-8859-1 (Latin-1)"
    with pytest.raises(ParseError, match="partly UTF-8"):
        decode("Café\n".encode() + b"Caf\xe9\n")


# 10. Translated WooCommerce headers -------------------------------------------------------

SIZES = {
    "es": ("Talla", "Pequeña", "Grande", "Cuencos"),
    "fr": ("Taille", "Petite", "Grande", "Bols"),
    "de": ("Größe", "Klein", "Groß", "Schalen"),
    "it": ("Taglia", "Piccola", "Grande", "Ciotole"),
    "pt": ("Tamanho", "Pequeno", "Grande", "Tigelas"),
}


@pytest.mark.parametrize("lang", sorted(SIZES))
def test_woocommerce_exports_with_translated_headers(lang: str) -> None:
    data = fixture_bytes(f"woocommerce_{lang}.csv")
    header = next(csv.reader(io.StringIO(data.decode())))
    assert detect_format(header) == "woocommerce"

    result = parse_products_csv(data)

    size, small, large, bowls = SIZES[lang]
    assert result.problems == ()
    bowl, napkin = result.products
    assert (bowl.handle, bowl.name, bowl.category) == ("BOWL", "Ceramic bowl", bowls)
    assert bowl.variants == (
        VariantDraft(
            sku="BOWL-S",
            price=Decimal("12.50"),
            options=((size, small),),
            barcodes=("5000000001019",),
            stock=Decimal(6),
        ),
        VariantDraft(
            sku="BOWL-L",
            price=Decimal("15.00"),  # on sale, no dates
            options=((size, large),),
            barcodes=("5000000001026",),
            stock=Decimal(3),
        ),
    )
    assert (napkin.tax_class, napkin.variants[0].price) == ("reduced", Decimal("3.50"))


# 11. Counting rejected rows; a SKU on many rows reported once --------------------------------


def test_rejected_rows_and_good_rows_dropped_with_them() -> None:
    result = parse_products_csv(fixture_bytes("shopify_rejected_rows.csv"))

    assert [p.handle for p in result.products] == ["beanie"]
    # The jacket's eight rows share one SKU: one problem naming the first rows.
    jacket = [p for p in result.problems if "JACKET" in p.message]
    assert jacket == [
        RowProblem(
            2,
            "SKU 'JACKET' is on 8 rows (rows 2, 3, 4, 5, 6 and 3 more); a SKU can name one variant",
        )
    ]
    assert result.bad_rows == frozenset({2, 3, 4, 5, 6, 7, 8, 9, 11})
    # Socks: row 11 is bad, rows 10 and 12 are good but their product cannot import half.
    assert result.dropped_rows == frozenset({10, 12})


def test_a_duplicate_on_thousands_of_rows_is_one_short_problem() -> None:
    rows = ["handle,name,sku,price"] + [f"p{i},P{i},SAME,1.00" for i in range(5000)]

    result = parse_products_csv("\n".join(rows))

    assert len(result.problems) == 1
    assert len(result.problems[0].message) < 200
    assert len(result.bad_rows) == 5000


# 12. Warnings: grouped, external, price 0, short rows ---------------------------------------


def test_grouped_external_free_and_short_rows_are_warnings() -> None:
    result = parse_products_csv(fixture_bytes("woocommerce_warnings.csv"))

    assert result.problems == ()
    assert [p.handle for p in result.products] == ["CUP", "SAMPLE", "PLATE"]
    assert [(w.row, w.message.split(":")[0]) for w in result.warnings] == [
        (3, "not imported"),
        (4, "not imported"),
        (5, "Regular price is 0"),
        (6, "the row has 30 cells but the header has 45"),
    ]


# Skipping unchanged products --------------------------------------------------------------


def test_digests_change_with_the_cells_the_parser_reads_only() -> None:
    text = (FIXTURES / "shopify_current.csv").read_text()
    first = read_products_file(text).digests()
    assert set(first) == {"classic-tee", "canvas-bag"}
    assert read_products_file(text).digests() == first
    # A new description changes nothing the parser reads; a new price does.
    described = read_products_file(text.replace("Strong bag", "Very strong bag")).digests()
    assert described == first
    repriced = read_products_file(text.replace("12.50", "12.95")).digests()
    assert repriced["classic-tee"] == first["classic-tee"]
    assert repriced["canvas-bag"] != first["canvas-bag"]
    assert read_products_file(text).digests(salt="JPY") != first


def test_skipped_products_are_not_checked_and_are_counted() -> None:
    file = read_products_file((FIXTURES / "shopify_current.csv").read_text())

    result = file.parse(skip={"classic-tee"})

    assert [p.handle for p in result.products] == ["canvas-bag"]
    assert result.skipped == ("classic-tee",)


def test_woocommerce_sales_with_dates_are_never_skipped() -> None:
    file = read_products_file(fixture_bytes("woocommerce_sale_dates.csv"))

    assert set(file.digests()) == {"JAM-ALWAYS"}
