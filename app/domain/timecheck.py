"""A sale's time against the register's last sale and the database's clock.

A till whose clock jumped back (a flat CMOS battery, a wrong time zone set by hand) would date
sales before the ones already on its register; one whose clock runs ahead would date them in
the future. Either breaks the order of the fiscal record and the business day, so the sale is
refused and the cashier told to check the clock. Small differences are normal: tills sharing
a database each keep their own clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.errors import ClockWrong

CLOCK_TOLERANCE = timedelta(minutes=5)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def check_sale_time(
    now: datetime,
    last_sale_at: datetime | None,
    database_now: datetime,
    tolerance: timedelta = CLOCK_TOLERANCE,
) -> None:
    """Refuse ``now`` when it is before the register's last sale, or ahead of the database's
    clock, by more than ``tolerance``."""
    if last_sale_at is not None and now < last_sale_at - tolerance:
        raise ClockWrong(
            f"This till's clock says {_when(now)}, before this register's last sale "
            f"({_when(last_sale_at)}). Check the computer's date, time and time zone, then "
            "try again; the sale is not lost."
        )
    if now > database_now + tolerance:
        raise ClockWrong(
            f"This till's clock says {_when(now)}, ahead of the database's clock "
            f"({_when(database_now)}). Check the computer's date, time and time zone, then "
            "try again; the sale is not lost."
        )
