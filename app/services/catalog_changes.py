"""What product drafts change in the catalog, worked out against what it stores.

Pure functions shared by the product import and the catalog screens: the conflicts that keep
a draft out (a SKU or barcode another product holds, a barcode that is another variant's
SKU), and the rows one batch of drafts writes (app.dto.catalog.CatalogWrite). Nothing is
written for a product that is already as its draft says.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.domain.barcode import normalise_code
from app.domain.catalog import ProductDraft, display_name, options_text
from app.domain.money import Currency, Money
from app.domain.text import searchable
from app.domain.users import Operator
from app.dto.catalog import (
    CatalogWrite,
    CodeOwner,
    ProductRow,
    StoredProduct,
    UpsertOutcome,
    VariantRow,
)
from app.errors import ParseError
from app.ports.storage import UnitOfWork


def minor_units(amount: Decimal, currency: Currency, label: str) -> int:
    """``amount`` in the currency's minor units; more decimals than it has is an error."""
    scaled = amount.scaleb(currency.minor_units)
    if scaled != scaled.to_integral_value():
        raise ParseError(
            f"{label} {amount} has more decimals than {currency.code} allows "
            f"({currency.minor_units})"
        )
    return int(scaled)


def codes_of(drafts: Sequence[ProductDraft]) -> list[str]:
    """Every code a lookup could confuse with the drafts' SKUs and barcodes."""
    codes: list[str] = []
    for draft in drafts:
        for variant in draft.variants:
            codes.append(variant.sku)
            codes.append(normalise_code(variant.sku))
            codes.extend(variant.barcodes)
    return codes


def conflicts(
    drafts: Sequence[ProductDraft], owners: Sequence[CodeOwner], replaced: Collection[str]
) -> dict[str, str]:
    """Why each draft that cannot be written cannot, by handle.

    ``owners`` are the stored holders of the drafts' codes (:func:`codes_of`); ``replaced``
    are the handles whose stored codes the drafts being written replace (a barcode may move
    from one of them; their clashes among themselves are the caller's to check).
    """
    barcode_of: dict[str, list[CodeOwner]] = {}
    sku_of: dict[str, list[CodeOwner]] = {}
    for owner in owners:
        (barcode_of if owner.kind == "barcode" else sku_of).setdefault(owner.code, []).append(owner)
    found: dict[str, str] = {}
    for draft in drafts:
        handle = draft.handle
        for variant in draft.variants:
            sku = variant.sku
            for owner in sku_of.get(sku, ()):
                if owner.handle != handle:
                    found[handle] = f"SKU {sku} already belongs to {owner.handle}"
            for owner in barcode_of.get(normalise_code(sku), ()):
                if owner.sku != sku and owner.handle not in replaced:
                    found[handle] = (
                        f"SKU {sku} is also a barcode of {owner.sku} ({owner.handle}): a scan "
                        "could not tell which is meant"
                    )
            for code in variant.barcodes:
                for owner in barcode_of.get(code, ()):
                    if owner.handle != handle and owner.handle not in replaced:
                        found[handle] = f"barcode {code} already belongs to {owner.handle}"
                for owner in sku_of.get(code, ()):
                    if owner.sku != sku and owner.handle not in replaced:
                        found[handle] = (
                            f"barcode {code} is the SKU of {owner.sku} ({owner.handle}): a "
                            "scan could not tell which is meant"
                        )
    return found


def batch_conflicts(drafts: Sequence[ProductDraft]) -> dict[str, str]:
    """Clashes among drafts written together: the same SKU or barcode twice, or a barcode
    that is another variant's SKU."""
    found: dict[str, str] = {}
    sku_owner: dict[str, str] = {}
    code_owner: dict[str, tuple[str, str]] = {}
    for draft in drafts:
        for variant in draft.variants:
            if variant.sku in sku_owner:
                found[draft.handle] = f"SKU {variant.sku} is also in {sku_owner[variant.sku]}"
            sku_owner[variant.sku] = draft.handle
            for code in variant.barcodes:
                holder = code_owner.setdefault(code, (draft.handle, variant.sku))
                if holder[1] != variant.sku:
                    found[draft.handle] = f"barcode {code} is also on {holder[1]} ({holder[0]})"
    as_sku = {normalise_code(sku): handle for sku, handle in sku_owner.items()}
    for code, (handle, sku) in code_owner.items():
        other_handle = as_sku.get(code)
        if other_handle is not None and normalise_code(sku) != code:
            found[handle] = f"barcode {code} is the SKU of a variant of {other_handle}"
    return found


@dataclass(frozen=True, slots=True)
class Plan:
    changes: CatalogWrite
    outcome: UpsertOutcome
    created_skus: frozenset[str]
    prices: tuple[tuple[str, int | None, int], ...] = ()
    """(SKU, price before in minor units or None for a new variant, price after) of every
    variant whose price the batch sets or changes: what a price journal records."""


def plan_changes(
    drafts: Sequence[ProductDraft],
    stored: Mapping[str, StoredProduct],
    currency: Currency,
    tracked: Mapping[str, bool],
    digests: Mapping[str, str] | None = None,
) -> Plan:
    """The rows writing ``drafts`` changes. ``tracked`` says, by SKU, whether a variant is
    stock-tracked when that is to change (otherwise a stored variant keeps its setting and a
    new one is untracked). ``digests`` are the import digests to store; without them a written
    product's digest is cleared, so the next import reads it again."""
    products: list[ProductRow] = []
    variants: list[VariantRow] = []
    deactivated: list[int] = []
    digest_only: list[tuple[str, str]] = []
    wanted: dict[str, str] = {}
    held: dict[str, str] = {}
    created_skus: set[str] = set()
    prices: list[tuple[str, int | None, int]] = []
    created = updated = unchanged = 0
    for draft in drafts:
        handle = draft.handle
        old = stored.get(handle)
        digest = digests.get(handle) if digests is not None else None
        old_variants = {v.sku: v for v in old.variants} if old is not None else {}
        changed = old is None or (
            old.name,
            old.category,
            old.tax_class,
            old.sold_by_weight,
            old.active,
        ) != (draft.name, draft.category, draft.tax_class, draft.sold_by_weight, draft.active)
        for v in draft.variants:
            for code in v.barcodes:
                wanted[code] = v.sku
            name = display_name(draft.name, v.options)
            options = options_text(v.options)
            price = minor_units(v.price, currency, "Price")
            cost = None if v.cost is None else minor_units(v.cost, currency, "Cost")
            track = tracked.get(v.sku)
            was = old_variants.pop(v.sku, None)
            if was is None or was.price_minor != price:
                prices.append((v.sku, None if was is None else was.price_minor, price))
            if was is not None:
                for code in was.barcodes:
                    held[code] = was.sku
                track_stock = was.track_stock if track is None else track
                if was.barcodes != frozenset(v.barcodes):
                    changed = True
                if (
                    was.options,
                    was.display_name,
                    was.price_minor,
                    was.cost_minor,
                    was.active,
                    was.track_stock,
                ) == (options, name, price, cost, v.active, track_stock):
                    continue
                changed = True
            else:
                track_stock = bool(track)
                created_skus.add(v.sku)
                changed = True
            variants.append(
                VariantRow(
                    id=None if was is None else was.id,
                    handle=handle,
                    sku=v.sku,
                    options=options,
                    display_name=name,
                    search_text=searchable(name, v.sku),
                    price_minor=price,
                    cost_minor=cost,
                    active=v.active,
                    track_stock=track_stock,
                )
            )
        # Variants the draft no longer lists stop selling and free their barcodes; they stay,
        # because past sales point at them.
        for leftover in old_variants.values():
            for code in leftover.barcodes:
                held[code] = leftover.sku
                changed = True
            if leftover.active:
                deactivated.append(leftover.id)
                changed = True
        if old is not None and not changed:
            unchanged += 1
            if digest is not None and digest != old.import_digest:
                digest_only.append((handle, digest))
            continue
        if old is None:
            created += 1
        else:
            updated += 1
        products.append(
            ProductRow(
                id=None if old is None else old.id,
                handle=handle,
                name=draft.name,
                category=draft.category,
                tax_class=draft.tax_class,
                sold_by_weight=draft.sold_by_weight,
                active=draft.active,
                import_digest=digest,
            )
        )
    changes = CatalogWrite(
        products=tuple(products),
        variants=tuple(variants),
        barcodes=tuple((code, sku) for code, sku in wanted.items() if held.get(code) != sku),
        released=tuple(code for code in held if code not in wanted),
        deactivated=tuple(deactivated),
        digests=tuple(digest_only),
    )
    return Plan(
        changes, UpsertOutcome(created, updated, unchanged), frozenset(created_skus), tuple(prices)
    )


PRICES_PER_ENTRY = 500
"""Price changes per "price.changed" journal entry: an import of 100 000 new prices makes
200 entries, not one of megabytes or 100 000 of a few bytes."""


def journal_prices(
    uow: UnitOfWork,
    prices: Sequence[tuple[str, int | None, int]],
    currency: Currency,
    operator: Operator,
    at: datetime,
) -> None:
    """One "price.changed" entry per PRICES_PER_ENTRY prices set or changed: SKU, the price
    before (None for a new variant) and after, by whom; in the transaction that sets them."""

    def text(minor: int | None) -> str | None:
        return None if minor is None else str(Money.from_minor(minor, currency).amount)

    rows = [{"sku": sku, "from": text(before), "to": text(after)} for sku, before, after in prices]
    for start in range(0, len(rows), PRICES_PER_ENTRY):
        uow.journal.append(
            "price.changed",
            "",
            operator.user_id,
            at,
            {"by": operator.username, "prices": rows[start : start + PRICES_PER_ENTRY]},
        )
