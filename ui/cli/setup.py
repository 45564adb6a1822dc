"""``setup``: create a real shop in an empty database, by prompts or from an answers file.

``setup --answers FILE.toml`` reads the answers (``[shop]``, ``[[tax_class]]``, ``[owner]``);
an owner ``pin`` left out of the file is asked for twice on the terminal. Every answer is
checked before anything is written, and the shop is created in one transaction.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import Any

from app.domain.users import check_display_name, check_pin_strength, check_username
from app.errors import UserError
from ui.cli.terminal import Terminal
from ui.cli.wiring import Wiring

# The services and the set-up rules are imported by the command that uses them: every
# command, `run` included, imports this module, and the till's window must not wait for them.

EXAMPLE = """\
[shop]
name = "Harbour Books"
address = ["3 Quay Street", "Galway"]
tax_id = "IE9876543X"
country = "IE"
currency = "EUR"
timezone = "Europe/Dublin"
locale = "en_IE"
prices_include_tax = true
cash_rounding = "0.05"
register = "T1"

[[tax_class]]
code = "standard"
name = "Standard"
rate = "23"

[owner]
username = "aoife"
name = "Aoife Byrne"
pin = "482916"   # leave out to be asked
"""


def register(commands: Any) -> None:
    setup = commands.add_parser(
        "setup",
        help="create a new shop in an empty database",
        description="Create your shop: its name, address, tax id, country, currency, time "
        "zone, tax classes, first register and its owner. Asks each question in turn, or "
        "reads them all from --answers FILE.toml.",
        epilog="examples:\n  %(prog)s\n      asks each question in turn\n"
        "  %(prog)s --answers harbour-books.toml --db ~/shop/shop.db\n"
        "      reads the answers from a file\n\nAn answers file looks like this:\n\n" + EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    setup.add_argument("--answers", metavar="FILE.toml", help="read the answers from this file")
    setup.set_defaults(func=cmd_setup)


def read_answers(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UserError(f"Cannot read {path}: {error.strerror}") from None
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text; save it as UTF-8 and retry") from None
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{path} is not a valid answers file: {error}") from None


def cmd_setup(args: argparse.Namespace, wiring: Wiring) -> int:
    from app.dto.setup import ShopSetup
    from app.services.setup import ALREADY_A_SHOP
    from app.services.shop import ShopState

    terminal = Terminal()
    context = wiring.context(args.db, access="create")
    try:
        if context.shop.state() is not ShopState.EMPTY:
            raise UserError(ALREADY_A_SHOP)
        if args.answers:
            answers = read_answers(Path(args.answers))
            owner = answers.get("owner")
            if isinstance(owner, dict) and "pin" not in owner:
                owner["pin"] = terminal.new_pin("Owner's PIN", check_pin_strength)
        else:
            answers = ask_answers(terminal)
        setup = ShopSetup.from_answers(answers)
        context.setup.create(setup)
    finally:
        context.close()
    sys.stdout.write(
        f"{setup.name} is set up with register {setup.register}. Open the till with "
        f"`main.py run` and sign in as {setup.owner.username}.\n"
    )
    return 0


def ask_answers(terminal: Terminal) -> dict[str, Any]:
    """Every question in turn, each answer checked as it is given."""
    from app.domain import shop as rules
    from app.services.shop import DEFAULTS

    ask = terminal.ask_checked
    terminal.say("Setting up a new shop. Press Enter to take the answer in [brackets].")
    shop: dict[str, Any] = {"name": ask("Shop name", rules.check_shop_name)}
    terminal.say("Address, one line at a time; an empty line to finish.")
    address: list[str] = []
    while line := terminal.ask(f"  Address line {len(address) + 1}"):
        address.append(line)
    shop["address"] = address
    shop["tax_id"] = terminal.ask("Tax id (VAT number)")
    shop["country"] = ask(
        "Country (ISO code, like IE)", rules.check_country, DEFAULTS["shop.country"]
    )
    currency, timezone, locale = rules.country_defaults(shop["country"])
    shop["currency"] = ask("Currency", rules.check_currency, currency)
    shop["timezone"] = ask("Time zone", rules.check_timezone, timezone)
    shop["locale"] = ask("Locale (language and country)", rules.check_locale, locale)
    shop["prices_include_tax"] = ask("Do shelf prices include tax? (yes/no)", _yes_no, "yes")
    increments = " ".join(str(i) for i in rules.ALLOWED_CASH_INCREMENTS)
    shop["cash_rounding"] = str(
        ask(f"Round cash totals to ({increments})", rules.check_cash_increment, "0.01")
    )
    shop["register"] = ask("This till's register code", rules.check_register_code, "T1")
    terminal.say("Tax classes: a code, a name and a rate in %; an empty code to finish.")
    classes: list[dict[str, str]] = []
    while True:
        number = len(classes) + 1
        default = "standard" if number == 1 else ""
        code = terminal.ask(f"  Tax class {number} code", default)
        if not code:
            if classes:
                break
            terminal.say("  At least one tax class is needed")
            continue
        try:
            code = rules.check_tax_code(code)
        except UserError as error:
            terminal.say(f"  {error.message}")
            continue
        name = terminal.ask(f"  Tax class {number} name", code.capitalize())
        rate = ask(f"  Tax class {number} rate %", rules.check_tax_rate)
        classes.append({"code": code, "name": name, "rate": str(rate)})
    owner = {
        "username": ask("Owner's user name", check_username),
        "name": ask("Owner's full name", check_display_name),
        "pin": terminal.new_pin("Owner's PIN", check_pin_strength),
    }
    return {"shop": shop, "tax_class": classes, "owner": owner}


def _yes_no(answer: str) -> bool:
    text = answer.strip().lower()
    if text in {"y", "yes", "true"}:
        return True
    if text in {"n", "no", "false"}:
        return False
    raise UserError("Answer yes or no")
