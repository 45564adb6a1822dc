"""A new shop's set-up, as the answers file, the prompts or the first-run screen give it.

:meth:`ShopSetup.from_answers` takes the answers in the shape of ``setup --answers FILE.toml``
(``shop``, ``tax_class`` and ``owner`` tables), checks every one of them and names each bad
answer at once, so a person fixes them in one go; a ShopSetup only exists with good answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.domain import shop as rules
from app.domain.users import check_display_name, check_pin_strength, check_username
from app.dto.catalog import TaxClassData
from app.errors import UserError


@dataclass(frozen=True, slots=True)
class SetupProblem:
    field: str
    """Where the bad answer is, as the answers file names it: ``shop.currency``,
    ``tax_class.2.rate``, ``owner.pin``."""
    message: str


class SetupRefused(UserError):
    """Some answers are bad: each is named, nothing was written."""

    def __init__(self, problems: Sequence[SetupProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "The shop was not created; fix these answers:\n"
            + "\n".join(f"  {p.field}: {p.message}" for p in self.problems)
        )


@dataclass(frozen=True, slots=True)
class OwnerSetup:
    username: str
    name: str
    pin: str

    def __repr__(self) -> str:  # never print the PIN, not even in a traceback's locals
        return f"OwnerSetup(username={self.username!r}, name={self.name!r}, pin='****')"


@dataclass(frozen=True, slots=True)
class ShopSetup:
    name: str
    address: tuple[str, ...]
    tax_id: str
    country: str
    currency: str
    timezone: str
    locale: str
    prices_include_tax: bool
    cash_rounding: Decimal
    register: str
    tax_classes: tuple[TaxClassData, ...]
    owner: OwnerSetup

    def settings(self) -> dict[str, str]:
        """The shop settings (app.services.shop.DEFAULTS keys) this set-up writes."""
        return {
            "shop.name": self.name,
            "shop.address": "\n".join(self.address),
            "shop.tax_id": self.tax_id,
            "shop.currency": self.currency,
            "shop.locale": self.locale,
            "shop.timezone": self.timezone,
            "shop.prices_include_tax": "true" if self.prices_include_tax else "false",
            "shop.cash_increment": str(self.cash_rounding),
            "shop.country": self.country,
        }

    @classmethod
    def from_answers(cls, answers: Mapping[str, Any]) -> ShopSetup:
        """Check every answer; raises SetupRefused naming each bad one."""
        return _Reader(answers).setup()


class _Reader:
    """Reads the answers, collecting every problem instead of stopping at the first."""

    def __init__(self, answers: Mapping[str, Any]) -> None:
        self.answers = answers
        self.problems: list[SetupProblem] = []

    def _table(self, name: str) -> Mapping[str, Any]:
        table = self.answers.get(name, {})
        if not isinstance(table, Mapping):
            self.problems.append(SetupProblem(name, f"[{name}] must be a table of answers"))
            return {}
        return table

    def _text(self, table: Mapping[str, Any], where: str, key: str, required: bool) -> str | None:
        """The answer as text; None (and the problem noted) when it is missing or no text."""
        value = table.get(key)
        if value is None or (required and isinstance(value, str) and not value.strip()):
            if required:
                self.problems.append(SetupProblem(f"{where}.{key}", "missing"))
                return None
            return ""
        if not isinstance(value, str | int) or isinstance(value, bool):
            self.problems.append(SetupProblem(f"{where}.{key}", "must be text"))
            return None
        return str(value)

    def _check(self, field: str, check: Any, value: str | None) -> Any:
        if value is None:  # already named as missing
            return None
        try:
            return check(value)
        except UserError as error:
            self.problems.append(SetupProblem(field, error.message))
            return None

    def setup(self) -> ShopSetup:
        shop = self._table("shop")
        owner_answers = self._table("owner")
        text = self._text
        name = self._check("shop.name", rules.check_shop_name, text(shop, "shop", "name", True))
        address = shop.get("address", [])
        if isinstance(address, str):
            address = address.splitlines()
        if not (isinstance(address, list) and all(isinstance(a, str) for a in address)):
            self.problems.append(SetupProblem("shop.address", "must be a list of lines"))
            address = []
        address_lines = tuple(line.strip() for line in address if line.strip())
        tax_id = (text(shop, "shop", "tax_id", False) or "").strip()
        country = self._check(
            "shop.country", rules.check_country, text(shop, "shop", "country", True)
        )
        currency = self._check(
            "shop.currency", rules.check_currency, text(shop, "shop", "currency", True)
        )
        timezone = self._check(
            "shop.timezone", rules.check_timezone, text(shop, "shop", "timezone", True)
        )
        locale = self._check("shop.locale", rules.check_locale, text(shop, "shop", "locale", True))
        include = shop.get("prices_include_tax")
        if not isinstance(include, bool):
            self.problems.append(SetupProblem("shop.prices_include_tax", "answer true or false"))
            include = True
        rounding = self._check(
            "shop.cash_rounding",
            rules.check_cash_increment,
            text(shop, "shop", "cash_rounding", False) or "0.01",
        )
        register = self._check(
            "shop.register",
            rules.check_register_code,
            text(shop, "shop", "register", False) or "T1",
        )
        tax_classes = self._tax_classes()
        username = self._check(
            "owner.username", check_username, text(owner_answers, "owner", "username", True)
        )
        full_name = self._check(
            "owner.name", check_display_name, text(owner_answers, "owner", "name", True)
        )
        pin = self._check(
            "owner.pin", check_pin_strength, text(owner_answers, "owner", "pin", True)
        )
        if self.problems:
            raise SetupRefused(self.problems)
        return ShopSetup(
            name=name,
            address=address_lines,
            tax_id=tax_id,
            country=country,
            currency=currency,
            timezone=timezone,
            locale=locale,
            prices_include_tax=include,
            cash_rounding=rounding,
            register=register,
            tax_classes=tax_classes,
            owner=OwnerSetup(username, full_name, pin),
        )

    def _tax_classes(self) -> tuple[TaxClassData, ...]:
        rows = self.answers.get("tax_class", [])
        if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
            self.problems.append(SetupProblem("tax_class", "must be [[tax_class]] tables"))
            return ()
        if not rows:
            self.problems.append(SetupProblem("tax_class", "at least one tax class is needed"))
        classes: list[TaxClassData] = []
        seen: set[str] = set()
        for number, row in enumerate(rows, start=1):
            where = f"tax_class.{number}"
            code = self._check(
                f"{where}.code", rules.check_tax_code, self._text(row, where, "code", True)
            )
            name = " ".join((self._text(row, where, "name", False) or "").split()) or (code or "")
            if len(name) > 80:
                self.problems.append(SetupProblem(f"{where}.name", "at most 80 characters"))
            rate = self._check(
                f"{where}.rate", rules.check_tax_rate, self._text(row, where, "rate", True)
            )
            if code is not None and code in seen:
                self.problems.append(SetupProblem(f"{where}.code", f"{code!r} is given twice"))
            if code is not None:
                seen.add(code)
            if code is not None and rate is not None:
                classes.append(TaxClassData(code, name, rate))
        return tuple(classes)
