"""Telling a keyboard-wedge barcode scanner from a person typing, by timing alone.

A wedge scanner "types" a whole code plus Enter in a few milliseconds; people leave tens to
hundreds of milliseconds between keys. This module holds only the timing rule so it can be
tested with synthetic timestamps and no Qt; :mod:`ui.till.scan_filter` feeds it real key presses.
"""

from __future__ import annotations

ENTER_KEYS = frozenset({"\r", "\n"})
DEFAULT_GAP_MS = 50
DEFAULT_MIN_LENGTH = 4
# A burst longer than any barcode (GS1-128 tops out at 48) is not a scan.
MAX_CODE_LENGTH = 64


class WedgeDetector:
    """Collects characters that arrive at most ``gap_ms`` apart; Enter closing such a burst of
    at least ``min_length`` characters completes a scan.

    Feed it every printable character and Enter with a monotonic timestamp in nanoseconds.
    Any gap longer than ``gap_ms`` starts the burst afresh, so slow typing never accumulates.
    """

    def __init__(self, gap_ms: float = DEFAULT_GAP_MS, min_length: int = DEFAULT_MIN_LENGTH):
        if gap_ms <= 0:
            raise ValueError("gap_ms must be positive")
        if min_length < 1:
            raise ValueError("min_length must be at least 1")
        self.gap_ms = gap_ms
        self.min_length = min_length
        self._gap_ns = int(gap_ms * 1_000_000)
        self._buffer: list[str] = []
        self._last_ns: int | None = None

    @property
    def pending(self) -> str:
        """The characters of the burst in progress."""
        return "".join(self._buffer)

    def reset(self) -> None:
        self._buffer.clear()
        self._last_ns = None

    def _within_gap(self, t_ns: int) -> bool:
        return self._last_ns is not None and 0 <= t_ns - self._last_ns <= self._gap_ns

    def feed(self, char: str, t_ns: int) -> str | None:
        """Take one key: a printable character, or ``"\\r"``/``"\\n"`` for Enter.

        Returns the scanned code when this Enter completes a fast burst, else None.
        """
        if char in ENTER_KEYS:
            fast = self._within_gap(t_ns) and len(self._buffer) >= self.min_length
            code = self.pending if fast else None
            self.reset()
            return code
        if len(char) != 1 or not char.isprintable():
            raise ValueError(f"feed one printable character or Enter, not {char!r}")
        if not self._within_gap(t_ns) or len(self._buffer) >= MAX_CODE_LENGTH:
            self._buffer.clear()
        self._buffer.append(char)
        self._last_ns = t_ns
        return None
