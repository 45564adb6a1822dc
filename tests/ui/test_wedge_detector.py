"""The scanner-versus-person timing rule, with synthetic timestamps (no Qt)."""

from __future__ import annotations

import pytest

from ui.till.scanner import MAX_CODE_LENGTH, WedgeDetector

MS = 1_000_000  # nanoseconds


def feed(detector: WedgeDetector, keys: str, start_ms: float, gap_ms: float) -> str | None:
    """Feed ``keys`` (``\\r`` is Enter) ``gap_ms`` apart; the last non-None result."""
    result = None
    for index, char in enumerate(keys):
        outcome = detector.feed(char, int((start_ms + index * gap_ms) * MS))
        result = outcome if outcome is not None else result
    return result


def test_a_fast_burst_closed_by_enter_is_a_scan() -> None:
    assert feed(WedgeDetector(), "5012345678900\r", 0, 3) == "5012345678900"


def test_typing_at_human_speed_is_not_a_scan() -> None:
    assert feed(WedgeDetector(), "5012345678900\r", 0, 120) is None


def test_enter_arriving_late_is_not_a_scan() -> None:
    detector = WedgeDetector()
    assert feed(detector, "50123456", 0, 2) is None
    assert detector.feed("\r", 500 * MS) is None


def test_a_pause_restarts_the_burst() -> None:
    detector = WedgeDetector(gap_ms=50)
    feed(detector, "abc", 0, 200)  # slow typing first
    assert feed(detector, "G000001\r", 1_000, 4) == "G000001"


def test_the_burst_keeps_only_what_came_after_the_pause() -> None:
    detector = WedgeDetector(gap_ms=50)
    feed(detector, "99", 0, 5)
    assert detector.pending == "99"
    detector.feed("1", 300 * MS)
    assert detector.pending == "1"


def test_a_burst_shorter_than_the_minimum_is_not_a_scan() -> None:
    assert feed(WedgeDetector(min_length=4), "123\r", 0, 2) is None
    assert feed(WedgeDetector(min_length=4), "1234\r", 0, 2) == "1234"


def test_the_gap_is_configurable() -> None:
    assert feed(WedgeDetector(gap_ms=20), "12345\r", 0, 30) is None
    assert feed(WedgeDetector(gap_ms=40), "12345\r", 0, 30) == "12345"


def test_a_gap_exactly_at_the_limit_still_counts() -> None:
    assert feed(WedgeDetector(gap_ms=50), "12345\r", 0, 50) == "12345"


def test_enter_resets_for_the_next_code() -> None:
    detector = WedgeDetector()
    assert feed(detector, "11111\r", 0, 1) == "11111"
    assert detector.pending == ""
    assert feed(detector, "22222\n", 10, 1) == "22222"


def test_an_enter_alone_is_nothing() -> None:
    assert WedgeDetector().feed("\r", 0) is None


def test_an_endless_burst_is_capped() -> None:
    detector = WedgeDetector()
    feed(detector, "7" * (MAX_CODE_LENGTH + 10), 0, 1)
    assert len(detector.pending) <= MAX_CODE_LENGTH


def test_a_clock_going_backwards_restarts_the_burst() -> None:
    detector = WedgeDetector()
    feed(detector, "1234", 100, 1)
    detector.feed("5", 0)
    assert detector.pending == "5"


def test_reset_forgets_the_burst() -> None:
    detector = WedgeDetector()
    feed(detector, "1234", 0, 1)
    detector.reset()
    assert detector.feed("\r", 4 * MS) is None


@pytest.mark.parametrize("bad", ["", "ab", "\t", "\x1b"])
def test_only_single_printable_characters_are_fed(bad: str) -> None:
    with pytest.raises(ValueError, match="printable"):
        WedgeDetector().feed(bad, 0)


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="gap_ms"):
        WedgeDetector(gap_ms=0)
    with pytest.raises(ValueError, match="min_length"):
        WedgeDetector(min_length=0)
