"""Column types that behave the same on SQLite and PostgreSQL.

Money is stored as integer minor units in ``*_minor`` columns (the repositories turn it into
``Money`` with the row's currency). Decimals that are not money (tax rates, quantities) use
:class:`ScaledDecimal`, an integer scaled by a fixed power of ten, because SQLite has no exact
decimal type and SQLAlchemy's ``Numeric`` would pass through float there. Times are stored as
naive UTC and come back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect
from sqlalchemy.types import TypeDecorator


class ScaledDecimal(TypeDecorator[Decimal]):
    """An exact Decimal with ``scale`` decimals, stored as a BIGINT of ``value × 10^scale``."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"ScaledDecimal needs a Decimal, not {type(value).__name__}")
        scaled = value.scaleb(self.scale)
        if scaled != scaled.to_integral_value(rounding=ROUND_HALF_UP):
            raise ValueError(f"{value} has more than {self.scale} decimals")
        return int(scaled)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.scale)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing a naive datetime: times are stored in UTC")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


RATE = ScaledDecimal(4)
"""Tax rates in percent with 4 decimals: 5.5 % is stored as 55000."""

QUANTITY = ScaledDecimal(3)
"""Quantities with 3 decimals: 1.250 kg is stored as 1250."""
