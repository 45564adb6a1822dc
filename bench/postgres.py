"""The 20-line sale on PostgreSQL: the services against db/sql.py's statements on raw psycopg,
on the real server, in a schema of the bench's own that is dropped afterwards."""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import PG_PRODUCTS, SALE_LINES, SALES, SEED, metric
from bench.floor import RawConnection, SaleSql
from bench.ours import Ours
from bench.till import measure_sale
from bench.wiring import BenchWiring

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    """The server the bench uses: TILLWRIGHT_BENCH_PG, else the tests' server."""
    return os.environ.get("TILLWRIGHT_BENCH_PG", DEFAULT_SERVER)


def measure_postgres_sale(
    wiring: BenchWiring, tmp: Path, progress: Callable[[str], None], products: int = PG_PRODUCTS
) -> dict[str, Any]:
    import psycopg

    server = server_url()
    schema = f"tw_bench_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0]
        return metric(None, None, "ms", target="≤ 2× floor", ok=False, error=reason)
    try:
        admin.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        admin.execute(f"CREATE SCHEMA {schema}")
        url = f"{server}?options=-csearch_path%3D{schema}"
        progress(f"building a {products}-product shop on PostgreSQL")
        # A new schema: the shop is created in it, as bench_size creates its SQLite file.
        context = wiring.context(url, home=tmp, access="create")
        wiring.seed_demo(context, products)
        context.close()
        raw = psycopg.connect(server, options=f"-csearch_path={schema}")
        ours = Ours(wiring, url, tmp)
        try:
            w = _workload(raw, ours)
            progress("sale on PostgreSQL")
            result = measure_sale(
                ours, RawConnection(raw, postgres=True), w, tmp / "floor-journal", "sale_postgres"
            )
        finally:
            ours.close()
            raw.close()
        result["catalog"] = products
        return result
    finally:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.close()


def _workload(raw: Any, ours: Ours) -> dict[str, Any]:
    """Sale items for both sides, drawn as the SQLite workload draws them, stock topped up."""
    from app.services.demo import DEMO_USERS

    rng = random.Random(SEED)
    packaged = raw.execute(
        "SELECT id, sku FROM variant WHERE sku LIKE 'G%%' ORDER BY id"
    ).fetchall()
    raw.execute(
        "UPDATE stock_balance SET quantity = 1000000000 WHERE variant_id IN "
        "(SELECT id FROM variant WHERE sku LIKE 'G%%')"
    )
    user_id, cashier = raw.execute(
        "SELECT id, display_name FROM app_user WHERE username = %s", (DEMO_USERS[0][0],)
    ).fetchone()
    raw.commit()
    return {
        "sales": [rng.sample(packaged, SALE_LINES) for _ in range(2 * (SALES + 2) + 1)],
        "user_id": user_id,
        "cashier": cashier,
        "register": ours.context.register_code,
        **ours.shop_terms(),
        "sale_sql": SaleSql.of("postgresql").to_json(),
    }
