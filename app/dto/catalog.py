"""Catalog data the services hand out and take in."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class TaxClassData:
    code: str
    name: str
    rate: Decimal


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
