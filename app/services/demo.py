"""A demo shop, built through the same services the till uses.

Deterministic (seeded), so two runs give the same catalog: realistic grocery and apparel
names, valid EAN-13 barcodes, variants, weighed goods, three tax classes, stock, a register
and the demo users listed in DEMO_USERS (also in the README). Like a real shop it is set up by
SetupService (the owner first), and the owner then adds the other users and the products.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from app.domain.barcode import make_ean13
from app.domain.cart import Cart, CartItem
from app.domain.catalog import ProductDraft, VariantDraft
from app.domain.money import Money
from app.domain.tender import Payment, Tender, TenderKind
from app.domain.users import Operator, Role
from app.dto.catalog import TaxClassData
from app.dto.sales import CompleteSale
from app.dto.setup import OwnerSetup, ShopSetup
from app.errors import NotFound
from app.services.catalog import CatalogService
from app.services.sales import SaleService, commands_from_cart
from app.services.setup import SetupService
from app.services.users import UserService

DEMO_REGISTER = "T1"
DEMO_PRODUCTS = 2000
DEMO_USERS = (
    ("cashier", "Casey Cashier", Role.CASHIER, "1234"),
    ("manager", "Morgan Manager", Role.MANAGER, "4321"),
    ("owner", "Olive Owner", Role.OWNER, "9999"),
)
TAX_CLASSES = (
    TaxClassData("standard", "Standard rate", Decimal("20")),
    TaxClassData("reduced", "Reduced rate", Decimal("5.5")),
    TaxClassData("zero", "Zero rate", Decimal("0")),
)
_OWNER = DEMO_USERS[2]
DEMO_SETUP = ShopSetup(
    name="Corner Grocer & Goods",
    address=("12 Harbour Street", "Kinsale"),
    tax_id="IE1234567X",
    country="IE",
    currency="EUR",
    timezone="Europe/Dublin",
    locale="en_IE",
    prices_include_tax=True,
    cash_rounding=Decimal("0.05"),
    register=DEMO_REGISTER,
    tax_classes=TAX_CLASSES,
    owner=OwnerSetup(_OWNER[0], _OWNER[1], _OWNER[3]),
)

_GROCERY = {
    "Pantry": (
        [
            "Organic",
            "Fairtrade",
            "Wholegrain",
            "Classic",
            "Smoked",
            "Crunchy",
            "Sea Salt",
            "Spiced",
            "Roasted",
            "Wild",
        ],
        [
            "Basmati Rice",
            "Penne Pasta",
            "Peanut Butter",
            "Strawberry Jam",
            "Oat Flakes",
            "Green Lentils",
            "Chickpeas",
            "Olive Oil",
            "Tomato Passata",
            "Honey",
            "Espresso Beans",
            "Earl Grey Tea",
            "Dark Chocolate",
            "Almonds",
            "Crème Fraîche",
        ],
        ["250 g", "500 g", "1 kg"],
        "reduced",
    ),
    "Drinks": (
        ["Sparkling", "Still", "Craft", "Cold-Pressed", "Zesty", "Mountain"],
        [
            "Mineral Water",
            "Apple Juice",
            "Lemonade",
            "Ginger Beer",
            "Pale Ale",
            "Cola",
            "Kombucha",
            "Orange Juice",
            "Cider",
            "Iced Tea",
        ],
        ["330 ml", "500 ml", "1 l", "1.5 l"],
        "standard",
    ),
    "Home": (
        ["Eco", "Lavender", "Citrus", "Unscented", "Bamboo", "Heavy-Duty"],
        [
            "Dish Soap",
            "Sponges",
            "Candle",
            "Laundry Liquid",
            "Kitchen Roll",
            "Bin Bags",
            "Glass Cleaner",
            "Hand Wash",
            "Tea Towel",
            "Storage Jar",
        ],
        ["", "", "Pack of 3", "Large"],
        "standard",
    ),
}
# Pantry goods sold by volume rather than weight.
_POURED = {"Olive Oil", "Tomato Passata", "Crème Fraîche"}
_APPAREL = (
    ["Merino", "Cotton", "Linen", "Fleece", "Denim", "Striped", "Cable-Knit"],
    ["T-Shirt", "Beanie", "Scarf", "Socks", "Hoodie", "Cardigan", "Tote Bag"],
    ["Navy", "Oat", "Forest", "Charcoal", "Rust", "Sky"],
    ["S", "M", "L", "XL"],
)
_WEIGHED = [
    "Bananas",
    "Braeburn Apples",
    "Vine Tomatoes",
    "Comté Cheese",
    "Brie de Meaux",
    "Loose Carrots",
    "Red Onions",
    "Cherries",
    "Walnuts",
    "Dried Apricots",
    "Sourdough Loaf",
    "Mixed Olives",
    "Pecorino",
    "Clementines",
    "New Potatoes",
]


def _in_stock(sales: SaleService, cart: Cart, number: int) -> CartItem | None:
    """The packaged or apparel demo item ``number``, if one more of it can be sold."""
    for code in (f"G{number:06d}", f"A{number:06d}-M"):
        try:
            item = sales.lookup(code)
        except NotFound:  # not every number is a packaged item
            continue
        in_cart = sum(
            (line.quantity for line in cart.lines if line.item.variant_id == item.variant_id),
            Decimal(0),
        )
        if item.on_hand is None or item.on_hand >= in_cart + 1:
            return item
    return None


# Brands and varieties make names as varied as a real catalog's: a brand word matches a few
# hundred items in 100 000, a variety a few thousand, "organic" or "500 g" tens of thousands.
# They are drawn from a second random stream, so the items the README names keep theirs.
_BRAND_STARTS = (
    "Oak",
    "Sun",
    "Bright",
    "Green",
    "Hill",
    "River",
    "Stone",
    "Maple",
    "Silver",
    "Bramble",
    "Golden",
    "North",
    "Willow",
    "Harbour",
    "Meadow",
    "Fox",
    "Heather",
    "Cedar",
    "Lark",
    "Ash",
    "Juniper",
    "Clover",
    "Rowan",
    "Thistle",
    "Moor",
    "Elm",
    "Hazel",
    "Birch",
    "Wren",
    "Alder",
)
_BRAND_ENDS = (
    "field",
    "crest",
    "dale",
    "brook",
    "wood",
    "ford",
    "vale",
    "gate",
    "mill",
    "moor",
    "ridge",
    "stead",
    "wick",
    "holm",
    "hurst",
)
_VARIETIES = (
    "Lemon",
    "Vanilla",
    "Chilli",
    "Garlic",
    "Basil",
    "Ginger",
    "Mint",
    "Cinnamon",
    "Smoky",
    "Sweet",
    "Mild",
    "Hot",
    "Light",
    "Extra",
    "Family",
    "Mini",
    "Rich",
    "Creamy",
    "Tangy",
    "Original",
    "Herb",
    "Pepper",
    "Honey",
    "Maple",
    "Berry",
    "Coconut",
    "Rhubarb",
    "Fennel",
    "Paprika",
    "Sesame",
    "Truffle",
    "Saffron",
    "Łódź-style",
    "Nordic",
    "Alpine",
    "Tuscan",
)
_BRANDS = tuple(start + end for start in _BRAND_STARTS for end in _BRAND_ENDS)


def _branded(words: random.Random, adjective: str, rest: str) -> str:
    """A brand first (most items have one) and sometimes a variety after the adjective."""
    brand = words.choice(_BRANDS) + " " if words.random() < 0.85 else ""
    variety = " " + words.choice(_VARIETIES) if words.random() < 0.4 else ""
    return f"{brand}{adjective}{variety} {rest}"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    products: int
    variants: int
    sales: int

    def summary(self) -> str:
        """For the log: never the PINs."""
        return (
            f"Demo shop ready: {self.products} products, {self.variants} variants, "
            f"{self.sales} sales. Users: cashier, manager, owner (their PINs are in the README)"
        )

    def for_terminal(self) -> str:
        """For the person who asked for the demo, on their own terminal: with the PINs."""
        users = ", ".join(f"{u} (PIN {pin})" for u, _, _, pin in DEMO_USERS)
        return (
            f"Demo shop ready: {self.products} products, {self.variants} variants, "
            f"{self.sales} sales. Users: {users}"
        )


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    # Shelf prices end in 9, 5 or 0 cents, as real ones do.
    cents = rng.randint(low, high) * 10 + rng.choice([9, 5, 0, 9])
    return Decimal(cents).scaleb(-2)


def demo_products(count: int, seed: int = 7) -> Iterator[ProductDraft]:
    """``count`` products: mostly packaged groceries, some apparel with size and colour
    variants, and loose goods sold by weight (priced per kg, internal PLU codes)."""
    rng = random.Random(seed)
    words = random.Random(seed + 1)
    categories = list(_GROCERY)
    for n in range(1, count + 1):
        kind = rng.random()
        handle = f"demo-{n:06d}"
        if kind < 0.04:
            name = rng.choice(_WEIGHED)
            yield ProductDraft(
                handle,
                name,
                "reduced",
                category="Fresh",
                sold_by_weight=True,
                variants=(
                    VariantDraft(
                        sku=f"W{n:06d}",
                        price=_price(rng, 9, 249),
                        barcodes=(f"PLU{n:05d}",),
                        stock=Decimal("50.000"),
                    ),
                ),
            )
        elif kind < 0.14:
            adjective, noun = rng.choice(_APPAREL[0]), rng.choice(_APPAREL[1])
            colour = rng.choice(_APPAREL[2])
            price = _price(rng, 99, 899)
            variants = tuple(
                VariantDraft(
                    sku=f"A{n:06d}-{size}",
                    price=price,
                    options=(("Size", size), ("Colour", colour)),
                    barcodes=(make_ean13(f"20{n:07d}{i:03d}"),),
                    stock=Decimal(rng.randint(0, 30)),
                    cost=(price * Decimal("0.45")).quantize(Decimal("0.01")),
                )
                for i, size in enumerate(_APPAREL[3])
            )
            name = _branded(words, adjective, noun)
            yield ProductDraft(handle, name, "standard", variants, category="Apparel")
        else:
            category = rng.choice(categories)
            adjectives, nouns, sizes, tax = _GROCERY[category]
            noun = rng.choice(nouns)
            if noun in _POURED:
                sizes = ["250 ml", "500 ml", "750 ml"]
            size = rng.choice(sizes)
            adjective = rng.choice(adjectives)
            name = _branded(words, adjective, f"{noun}{' ' + size if size else ''}")
            price = _price(rng, 4, 99)
            yield ProductDraft(
                handle,
                name,
                tax,
                category=category,
                variants=(
                    VariantDraft(
                        sku=f"G{n:06d}",
                        price=price,
                        barcodes=(make_ean13(f"50{n:07d}000"),),
                        stock=Decimal(rng.randint(20, 200)),
                        cost=(price * Decimal("0.6")).quantize(Decimal("0.01")),
                    ),
                ),
            )


def seed_demo_shop(
    setup: SetupService,
    users: UserService,
    catalog: CatalogService,
    products: int,
    batch: int = 2000,
) -> DemoSummary:
    """The demo shop set up as a real one is (owner first), then its other users and
    ``products`` products, added by the owner through the services."""
    # The demo PINs (1234, 4321, 9999) are weak on purpose: they are published in the README
    # and only ever written into a demo shop, so the seeder alone skips the strength rule.
    owner_id = setup.create(DEMO_SETUP, weak_pin_allowed=True)
    for username, display, role, pin in DEMO_USERS:
        if role is not Role.OWNER:
            users.add(owner_id, username, display, role, pin, weak_pin_allowed=True)
    variants = 0
    chunk: list[ProductDraft] = []
    for draft in demo_products(products):
        chunk.append(draft)
        variants += len(draft.variants)
        if len(chunk) >= batch:
            catalog.save_products(chunk, owner_id)
            chunk = []
    if chunk:
        catalog.save_products(chunk, owner_id)
    return DemoSummary(products, variants, 0)


def ring_up_demo_sales(
    sales: SaleService, operator: Operator, count: int, products: int, seed: int = 11
) -> int:
    """Complete ``count`` cash and card sales of demo items, as a cashier would; every sale
    is of items in stock (apparel sizes run out), so each one completes."""
    rng = random.Random(seed)
    currency = sales.settings.currency
    done = 0
    # Bounded: a catalog with nothing left to sell ends the loop with fewer sales.
    for _ in range(count * 10):
        if done == count:
            break
        cart = sales.new_cart()
        for _ in range(rng.randint(1, 6)):
            item = _in_stock(sales, cart, rng.randint(1, products))
            if item is not None:
                cart.add(item)
        if cart.is_empty:
            continue
        total = cart.totals().total
        if rng.random() < 0.5:
            tender = Tender(TenderKind.CARD, total, total, Money.zero(currency), "A1B2C3")
            rounding = Money.zero(currency)
        else:
            payment = Payment(total, sales.settings.cash_increment)
            handed = Money.of(int(payment.cash_due().amount) + 1, currency)
            taken = payment.take_cash(handed)
            tender = taken
            assert payment.rounding is not None
            rounding = payment.rounding
        sales.complete(
            CompleteSale(
                str(uuid.uuid4()), DEMO_REGISTER, commands_from_cart(cart), (tender,), rounding
            ),
            operator,
        )
        done += 1
    return done
