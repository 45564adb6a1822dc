"""What drafts change against the stored catalog: conflicts and the rows a batch writes."""

from __future__ import annotations

from decimal import Decimal

from app.domain.catalog import ProductDraft, VariantDraft
from app.domain.money import Currency
from app.dto.catalog import CodeOwner, StoredProduct, StoredVariant
from app.services.catalog_changes import batch_conflicts, codes_of, conflicts, plan_changes

EUR = Currency.of("EUR")


def tee(*variants: VariantDraft, name: str = "Tee") -> ProductDraft:
    return ProductDraft("tee", name, "standard", variants, category="Shirts")


def stored(*variants: StoredVariant, name: str = "Tee", digest: str | None = "d1") -> StoredProduct:
    return StoredProduct(7, "tee", name, "Shirts", "standard", False, True, digest, variants)


def small(barcodes: tuple[str, ...] = ("5000000000012",), price: str = "9.99") -> VariantDraft:
    return VariantDraft("TEE-S", Decimal(price), (("Size", "S"),), barcodes=barcodes)


def small_stored(codes: tuple[str, ...] = ("5000000000012",), price: int = 999) -> StoredVariant:
    return StoredVariant(
        70, "TEE-S", "Size: S", "Tee (S)", price, None, True, False, frozenset(codes)
    )


def test_a_product_as_stored_writes_nothing() -> None:
    plan = plan_changes([tee(small())], {"tee": stored(small_stored())}, EUR, {}, {"tee": "d1"})

    assert not plan.changes
    assert (plan.outcome.unchanged, plan.prices) == (1, ())


def test_only_a_new_digest_is_written_for_an_unchanged_product() -> None:
    plan = plan_changes([tee(small())], {"tee": stored(small_stored())}, EUR, {}, {"tee": "d2"})

    assert plan.changes.digests == (("tee", "d2"),)
    assert not plan.changes.products and not plan.changes.variants


def test_a_new_price_writes_the_variant_and_is_listed_for_the_journal() -> None:
    plan = plan_changes([tee(small(price="10.49"))], {"tee": stored(small_stored())}, EUR, {})

    [row] = plan.changes.variants
    assert (row.id, row.price_minor, row.display_name) == (70, 1049, "Tee (S)")
    assert plan.prices == (("TEE-S", 999, 1049),)
    assert plan.outcome.updated == 1
    # Written by a screen (no digests): the product's import digest is cleared.
    assert plan.changes.products[0].import_digest is None


def test_a_new_product_creates_rows_and_is_untracked_unless_told() -> None:
    plan = plan_changes([tee(small())], {}, EUR, {})

    [row] = plan.changes.variants
    assert (row.id, row.track_stock, row.search_text) == (None, False, "tee (s) tee-s")
    assert plan.created_skus == {"TEE-S"}
    assert plan.changes.barcodes == (("5000000000012", "TEE-S"),)
    assert plan_changes([tee(small())], {}, EUR, {"TEE-S": True}).changes.variants[0].track_stock


def test_a_swap_moves_codes_in_place_and_a_dropped_variant_frees_its_codes() -> None:
    medium = VariantDraft("TEE-M", Decimal("9.99"), (("Size", "M"),), barcodes=("5000000000012",))
    was_medium = StoredVariant(
        71, "TEE-M", "Size: M", "Tee (M)", 999, None, True, False, frozenset({"5000000000029"})
    )
    gone = StoredVariant(
        72, "TEE-L", "Size: L", "Tee (L)", 999, None, True, False, frozenset({"5000000000036"})
    )
    draft = tee(small(barcodes=("5000000000029",)), medium)

    plan = plan_changes([draft], {"tee": stored(small_stored(), was_medium, gone)}, EUR, {})

    assert sorted(plan.changes.barcodes) == [("5000000000012", "TEE-M"), ("5000000000029", "TEE-S")]
    assert plan.changes.released == ("5000000000036",)
    assert plan.changes.deactivated == (72,)


def test_conflicts_with_what_the_shop_holds() -> None:
    draft = tee(VariantDraft("5000000000043", Decimal(1), barcodes=("5000000000050", "CAP-1")))
    owners = [
        CodeOwner("5000000000043", "barcode", "mug", "MUG-1"),
        CodeOwner("5000000000050", "barcode", "other", "OTHER-1"),
        CodeOwner("CAP-1", "sku", "cap", "CAP-1"),
    ]
    assert set(codes_of([draft])) >= {"5000000000043", "5000000000050", "CAP-1"}

    found = conflicts([draft], owners, {"tee"})["tee"]
    assert found in {
        "SKU 5000000000043 is also a barcode of MUG-1 (mug): a scan could not tell which is meant",
        "barcode 5000000000050 already belongs to other",
        "barcode CAP-1 is the SKU of CAP-1 (cap): a scan could not tell which is meant",
    }
    # Products written together may hand each other barcodes.
    assert conflicts([draft], owners[1:2], {"tee", "other"}) == {}
    assert conflicts([draft], [CodeOwner("5000000000043", "sku", "mug", "x")], {"tee"}) == {
        "tee": "SKU 5000000000043 already belongs to mug"
    }


def test_clashes_among_drafts_saved_together() -> None:
    a = ProductDraft("a", "A", "standard", (VariantDraft("A-1", Decimal(1), barcodes=("B-1",)),))
    b = ProductDraft("b", "B", "standard", (VariantDraft("B-1", Decimal(1)),))

    assert batch_conflicts([a, b]) == {"a": "barcode B-1 is the SKU of a variant of b"}
    assert batch_conflicts([a, a]) != {}
