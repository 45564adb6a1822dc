"""The rules a shop's own settings follow: codes that must exist, rates and increments in range.

Each check returns the value in its stored form or raises UserError naming what is wrong, so
the set-up (command line, answers file, first-run screen) and later edits share one set of
rules. Currencies, countries and locales are the ones Babel's CLDR data knows; time zones are
the ones the system's zone database holds.
"""

from __future__ import annotations

import zoneinfo
from decimal import Decimal, InvalidOperation

from app.errors import UserError

# Babel is imported where it is used: settings_from (every till's start-up) needs only the
# cash increment, and Babel costs tens of milliseconds to import.

ALLOWED_CASH_INCREMENTS = (
    Decimal("0.01"),
    Decimal("0.05"),
    Decimal("0.10"),
    Decimal("0.20"),
    Decimal("0.50"),
    Decimal("1"),
)
"""What cash totals may be rounded to (0.01: no rounding beyond the coin)."""

# CLDR region codes that are not countries a shop can be in.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ", "CQ"})
MAX_TAX_RATE = Decimal(100)


def check_currency(code: str) -> str:
    from babel.numbers import is_currency

    code = code.strip().upper()
    if not (len(code) == 3 and code.isalpha() and is_currency(code)):
        raise UserError(f"Currency {code or '(empty)'!r} is not an ISO 4217 code (like EUR, GBP)")
    return code


def check_country(code: str) -> str:
    from babel.core import get_global

    code = code.strip().upper()
    countries = get_global("territory_currencies")
    if not (len(code) == 2 and code.isalpha() and code in countries) or code in _NOT_COUNTRIES:
        raise UserError(
            f"Country {code or '(empty)'!r} is not a two-letter ISO 3166 code (like IE, DE)"
        )
    return code


def check_timezone(name: str) -> str:
    name = name.strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"Time zone {name or '(empty)'!r} is not known (use a name like Europe/Dublin)"
        ) from None
    return name


def check_locale(name: str) -> str:
    from babel import Locale, UnknownLocaleError

    name = name.strip()
    try:
        return str(Locale.parse(name))
    except (UnknownLocaleError, ValueError, TypeError):
        raise UserError(
            f"Locale {name or '(empty)'!r} is not known (use a name like en_IE or de_DE)"
        ) from None


def check_cash_increment(value: object) -> Decimal:
    try:
        increment = Decimal(str(value).strip())
    except InvalidOperation:
        increment = Decimal(-1)
    if increment not in ALLOWED_CASH_INCREMENTS:
        raise UserError(
            f"Cash rounding {value} is not one of "
            f"{', '.join(str(i) for i in ALLOWED_CASH_INCREMENTS)}"
        )
    return increment


def check_tax_rate(value: object) -> Decimal:
    """A rate in percent: 0 up to (not including) 100, at most 3 decimals."""
    try:
        rate = Decimal(str(value).strip())
    except InvalidOperation:
        raise UserError(f"Tax rate {value!r} is not a number (write 23 for 23 %)") from None
    if not rate.is_finite() or rate < 0 or rate >= MAX_TAX_RATE:
        raise UserError(f"Tax rate {value} % is not between 0 and 100")
    if rate != rate.quantize(Decimal("0.001")):
        raise UserError(f"Tax rate {value} % has more than 3 decimals")
    return rate


def check_tax_code(code: str) -> str:
    code = code.strip().lower()
    if not (code and len(code) <= 32 and code.replace("-", "_").isidentifier()):
        raise UserError(
            f"Tax class code {code or '(empty)'!r} is up to 32 letters, digits, - and _"
        )
    return code


def check_register_code(code: str) -> str:
    code = code.strip().upper()
    if not (code.isalnum() and code.isascii() and len(code) <= 16):
        raise UserError(f"Register code {code or '(empty)'!r} is up to 16 letters and digits")
    return code


def check_shop_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError("The shop needs a name (it heads every receipt)")
    if len(name) > 120:
        raise UserError("A shop name is at most 120 characters")
    return name


def country_defaults(country: str) -> tuple[str, str, str]:
    """Likely (currency, time zone, locale) for a shop in ``country``, to offer as defaults
    (Babel's CLDR data); empty strings where it does not know."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global
    from babel.numbers import get_territory_currencies

    code = country.strip().upper()
    try:
        currencies = get_territory_currencies(code)
        locale = str(Locale.parse(f"und_{code}"))
    except (UnknownLocaleError, ValueError, TypeError):
        return "", "", ""
    zones = get_global("territory_zones").get(code, [])
    return (currencies[0] if currencies else ""), (zones[0] if zones else ""), locale
