"""The sale-time check: a clock gone back past the register's last sale, or running ahead of
the database's clock, is refused with advice; ordinary drift is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.timecheck import CLOCK_TOLERANCE, check_sale_time
from app.errors import ClockWrong, EnvironmentProblem

NOON = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


def test_a_sale_a_little_before_the_last_one_or_a_little_ahead_is_fine() -> None:
    check_sale_time(NOON, NOON + CLOCK_TOLERANCE, NOON)  # another till's clock runs ahead
    check_sale_time(NOON + CLOCK_TOLERANCE, NOON, NOON)
    check_sale_time(NOON, None, NOON)  # the register's first sale


def test_a_clock_gone_back_past_the_last_sale_is_refused_with_advice() -> None:
    with pytest.raises(ClockWrong, match="before this register's last sale") as refused:
        check_sale_time(NOON - timedelta(hours=3), NOON, NOON)
    assert isinstance(refused.value, EnvironmentProblem)  # shown as is, with what to do
    assert "Check the computer's date, time and time zone" in refused.value.message
    assert "2026-03-14 09:00 UTC" in refused.value.message


def test_a_clock_ahead_of_the_database_is_refused() -> None:
    with pytest.raises(ClockWrong, match="ahead of the database's clock"):
        check_sale_time(NOON + CLOCK_TOLERANCE + timedelta(seconds=1), None, NOON)
    with pytest.raises(ClockWrong, match="ahead"):
        check_sale_time(NOON.replace(year=2031), NOON, NOON)
