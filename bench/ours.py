"""Our side: the till's own services on a built shop, and the workload both sides share."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import SALE_LINES, SALES, SCANS, SEARCH_CLASSES, SEED, SKU_SHARE, connect
from bench.floor import SaleSql
from bench.wiring import BenchWiring


class Ours:
    """The till's own objects on a built shop: the services, a logged-in cashier (the demo
    users' PINs are hashed with the real policy, as a shop's are)."""

    def __init__(self, wiring: BenchWiring, url: str, home: Path) -> None:
        from app.services.demo import DEMO_REGISTER, DEMO_USERS

        self.context = wiring.context(url, home=home, register_code=DEMO_REGISTER)
        self.sales = self.context.sales()
        username, _, _, pin = DEMO_USERS[0]
        self.operator = self.context.auth.login(username, pin)

    def scan_into(self, cart: Any, code: str) -> None:
        cart.add(self.sales.lookup(code))
        cart.totals()

    def sale_command(self, skus: Sequence[str]) -> Any:
        from app.domain.money import Money
        from app.domain.tender import Tender, TenderKind
        from app.dto.sales import CompleteSale
        from app.services.sales import commands_from_cart

        cart = self.sales.new_cart()
        for sku in skus:
            cart.add(self.sales.lookup(sku))
        total = cart.totals().total
        zero = Money.zero(total.currency)
        tender = Tender(TenderKind.CARD, total, total, zero, "AUTH01")
        return CompleteSale(
            str(uuid.uuid4()), self.context.register_code, commands_from_cart(cart), (tender,), zero
        )

    def complete(self, command: Any) -> None:
        self.sales.complete(command, self.operator)

    def shop_terms(self) -> dict[str, Any]:
        """What the floor sale needs of the shop's settings (currency, tax in prices)."""
        settings = self.sales.settings
        return {
            "currency": settings.currency.code,
            "minor_units": settings.currency.minor_units,
            "prices_include_tax": settings.prices_include_tax,
        }

    def close(self) -> None:
        self.context.close()


def workload(
    ours: Ours, db_path: str, tmp: Path, size: int, plan: dict[str, int]
) -> dict[str, Any]:
    """Inputs both sides share: scanned codes, search SQL, sale items (stock topped up), and
    the plan's counts (cold starts, soak sales)."""
    from app.domain.text import search_terms
    from app.services.demo import DEMO_USERS
    from app.services.sales import SEARCH_LIMIT
    from db import sql

    rng = random.Random(SEED + size)
    raw = connect(db_path)
    codes = [c for (c,) in raw.execute("SELECT code FROM barcode")]
    skus = [s for (s,) in raw.execute("SELECT sku FROM variant")]
    scans = [
        rng.choice(skus) if rng.random() < SKU_SHARE else rng.choice(codes) for _ in range(SCANS)
    ]
    packaged = raw.execute("SELECT id, sku FROM variant WHERE sku LIKE 'G%' ORDER BY id").fetchall()
    if len(packaged) < SALE_LINES:
        raise RuntimeError(f"a {size}-product shop has too few packaged items for a sale")
    # Random distinct packaged items per sale, the same draws for both sides; the last draw
    # is the memory children's sale. Stock is topped up so no sale is refused for lack of it
    # (demo stock is 20-200 and a small catalog would run out).
    sales = [rng.sample(packaged, SALE_LINES) for _ in range(2 * (SALES + 2) + 1)]
    del packaged  # the children must not carry the catalog's size in their workload
    raw.execute(
        "UPDATE stock_balance SET quantity = 1000000000 WHERE variant_id IN "
        "(SELECT id FROM variant WHERE sku LIKE 'G%')"
    )
    user_id, cashier = raw.execute(
        "SELECT id, display_name FROM app_user WHERE username = ?", (DEMO_USERS[0][0],)
    ).fetchone()
    raw.close()
    # The floor of each query: the simplest raw FTS5 query for its matches (db/sql.py's).
    searches = {
        name: [[query, sql.search_match(search_terms(query)), SEARCH_LIMIT] for query in queries]
        for name, queries in SEARCH_CLASSES.items()
    }
    username, _, _, pin = DEMO_USERS[0]
    workload = {
        "db": db_path,
        "url": ours.context.engines.url,
        "home": str(tmp),
        "by_code_sql": sql.BY_CODE,
        "scans": scans,
        "searches": searches,
        "floor_search_sql": sql.SEARCH_FLOOR,
        "username": username,
        "pin": pin,
        "first_scan": codes[0],
        **plan,
        "sales": sales,
        "user_id": user_id,
        "cashier": cashier,
        "register": ours.context.register_code,
        **ours.shop_terms(),
        "sale_sql": SaleSql.of("sqlite").to_json(),
    }
    workload["workload"] = str(tmp / "workload.json")
    Path(workload["workload"]).write_text(json.dumps(workload), encoding="utf-8")
    return workload
