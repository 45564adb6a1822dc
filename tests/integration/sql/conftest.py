"""The ORM-written rows every test of db/sql.py's statements starts from."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.sql.rows import ShopRows, write_shop


@pytest.fixture
def rows(db_url: str) -> Iterator[ShopRows]:
    """Catalog, user and register rows written through the ORM, on SQLite and PostgreSQL."""
    shop, engines = write_shop(db_url)
    yield shop
    engines.dispose()
