"""Name search on both databases: folding, short words, ranking, and the index kept in step."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text

from app.domain.catalog import ProductDraft, VariantDraft
from app.domain.money import Currency
from app.domain.text import search_terms
from db.engine import make_engines
from db.migrate import upgrade
from db.queries import SqlCatalogReader
from tests.conftest import user_id


def _save(shop, *products: tuple[str, str], options=(), active=True) -> None:
    """Products by (handle, name), one variant each, SKU from the handle."""
    shop.catalog.save_products(
        [
            ProductDraft(
                handle,
                name,
                "standard",
                (VariantDraft(handle.upper(), Decimal("2.50"), options=options),),
                active=active,
            )
            for handle, name in products
        ],
        user_id(shop, "manager"),
    )


def _names(shop, query: str) -> list[str]:
    return [item.name for item in shop.sales().search(query).items]


def test_lodz_finds_lodz_and_other_letters_nfkd_leaves_alone(shop):
    _save(shop, ("lodz", "Łódź Pierogi"), ("smor", "Smørrebrød Kit"), ("aero", "Ærøskøbing Æbler"))

    assert _names(shop, "lodz")[0] == "Łódź Pierogi"
    assert _names(shop, "lodz pierogi") == _names(shop, "ŁÓDŹ pier") == ["Łódź Pierogi"]
    assert _names(shop, "smorrebrod") == ["Smørrebrød Kit"]
    assert _names(shop, "aeroskobing") == ["Ærøskøbing Æbler"]


def test_short_words_match_the_start_of_a_word(shop):
    _save(shop, ("qrice1", "Qarlo Rice 1 kg"), ("qrice5", "Qarlo Rice 5 kg"))
    _save(shop, ("qtee", "Qarlo Tee"), options=(("Size", "XL"), ("Colour", "Navy")))
    _save(shop, ("qbowl", "Qarlo Bowl"))

    assert _names(shop, "qarlo 1 kg") == ["Qarlo Rice 1 kg"]
    assert _names(shop, "qarlo kg") == ["Qarlo Rice 1 kg", "Qarlo Rice 5 kg"]
    # "XL" is shown in brackets after the name: still a word of its own.
    assert _names(shop, "qarlo xl") == ["Qarlo Tee (XL / Navy)"]
    assert _names(shop, "xl qarlo") == ["Qarlo Tee (XL / Navy)"]
    # Two letters inside a word are no match; three are.
    assert _names(shop, "qarlo wl") == []
    assert _names(shop, "qarlo owl") == ["Qarlo Bowl"]


def test_names_that_start_with_the_word_come_first_then_word_starts_then_the_rest(shop):
    _save(
        shop,
        ("z1", "Mazorbic Tray"),
        ("z2", "Big Zorbic Mug"),
        ("z3", "Zorbic Towel"),
        ("z4", "Amazorbic Jar"),
        ("z5", "Zorbic Apron"),
    )

    assert _names(shop, "zorbic") == [
        "Zorbic Apron",
        "Zorbic Towel",
        "Big Zorbic Mug",
        "Amazorbic Jar",
        "Mazorbic Tray",
    ]


def test_a_name_starting_with_a_common_word_is_found_among_thousands_of_matches(shop):
    # 80 matches come first in the index; the name that starts with the word comes last.
    _save(shop, *((f"holder{n}", f"Holder Gizmoid {n:02d}") for n in range(80)))
    _save(shop, ("gizmoid", "Gizmoid Deluxe"))

    names = _names(shop, "gizmoid")

    assert len(names) == 50
    assert names[0] == "Gizmoid Deluxe"
    assert all(name.startswith("Holder Gizmoid") for name in names[1:])
    # "7" starts the words 7 and 70-79, not 07.
    assert _names(shop, "gizmoid 7") == [f"Holder Gizmoid {n}" for n in (70, *range(71, 80))][:10]
    assert "Holder Gizmoid 07" not in _names(shop, "gizmoid 7")


def test_inactive_items_are_not_found(shop):
    _save(shop, ("gone", "Vanishing Quoll Cream"), active=False)
    _save(shop, ("here", "Present Quoll Cream"))

    assert _names(shop, "quoll") == ["Present Quoll Cream"]
    assert _names(shop, "qu cream") == ["Present Quoll Cream"]


def test_the_index_follows_a_renamed_product(shop):
    _save(shop, ("renamed", "Old Wombat Soap"))
    assert _names(shop, "wombat") == ["Old Wombat Soap"]

    _save(shop, ("renamed", "New Numbat Soap"))

    assert _names(shop, "wombat") == []
    assert _names(shop, "old") == [n for n in _names(shop, "old") if "Wombat" not in n]
    assert _names(shop, "numbat") == ["New Numbat Soap"]
    assert _names(shop, "nu so") == ["New Numbat Soap"]


def test_the_index_forgets_a_deleted_variant(shop):
    _save(shop, ("deleted", "Doomed Tapir Soap"), ("kept", "Kept Tapir Soap"))
    with shop.engines.write.begin() as connection:
        connection.execute(
            text(
                "DELETE FROM barcode WHERE variant_id IN "
                "(SELECT id FROM variant WHERE sku = 'DELETED')"
            )
        )
        connection.execute(
            text(
                "DELETE FROM stock_balance WHERE variant_id IN "
                "(SELECT id FROM variant WHERE sku = 'DELETED')"
            )
        )
        connection.execute(text("DELETE FROM variant WHERE sku = 'DELETED'"))

    assert _names(shop, "tapir") == ["Kept Tapir Soap"]
    assert _names(shop, "doomed") == []
    assert _names(shop, "do ta") == []


def test_migration_0002_refolds_existing_names_and_indexes_short_words(db_url, home):
    engines = make_engines(db_url)
    try:
        upgrade(engines.write, "0001")
        with engines.write.begin() as connection:
            connection.execute(
                text("INSERT INTO tax_class (id, code, name, rate) VALUES (1, 's', 'S', 200000)")
            )
            connection.execute(
                text(
                    "INSERT INTO product (id, handle, name, tax_class_id, sold_by_weight, active, "
                    "created_at, updated_at) VALUES (1, 'p', 'Łódź Pierogi', 1, false, true, "
                    "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                )
            )
            # What revision 0001's folding stored: ł and ø left alone.
            connection.execute(
                text(
                    "INSERT INTO variant (id, product_id, sku, options, display_name, search_text, "
                    "price_minor, active, track_stock) VALUES (1, 1, 'LP-1', '', "
                    "'Łódź Pierogi 1 kg', 'łodz pierogi 1 kg lp-1', 250, true, false)"
                )
            )

        upgrade(engines.write)

        with engines.write.connect() as connection:
            stored = connection.execute(text("SELECT search_text FROM variant")).scalar_one()
        assert stored == "lodz pierogi 1 kg lp-1"
        reader = SqlCatalogReader(engines.read, Currency.of("EUR"))
        for query in ("lodz", "łódź", "1 kg", "pi", "lp-1"):
            found = reader.search(search_terms(query), 50)
            assert [item.name for item in found] == ["Łódź Pierogi 1 kg"], query
        reader.close()
    finally:
        engines.dispose()
