"""``users list|add|disable|unlock|set-pin``: the shop's staff, looked after by a manager or
the owner, who signs in with their user name and PIN first (asked on the terminal)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.domain.users import Permission, Role, check_pin_strength
from app.errors import PermissionDenied
from ui.cli.terminal import Terminal, sign_in
from ui.cli.wiring import Wiring


def register(commands: Any) -> None:
    users = commands.add_parser(
        "users",
        help="the shop's staff (needs a manager's or the owner's PIN)",
        description="Look after the shop's staff. You sign in first with your own user name "
        "and PIN: a manager looks after cashiers, the owner after everyone.",
    )
    what = users.add_subparsers(dest="what", required=True, metavar="ACTION")
    what.add_parser(
        "list",
        help="everyone, with role and whether locked",
        epilog="example: %(prog)s --db ~/shop/shop.db",
    ).set_defaults(func=cmd_list)
    add = what.add_parser(
        "add",
        help="add a user (asks their PIN twice)",
        epilog='example: %(prog)s maria --name "Maria Silva" --role cashier',
    )
    add.add_argument("username")
    add.add_argument("--name", required=True, help="full name, as the till shows it")
    add.add_argument("--role", choices=[r.value for r in Role], default=Role.CASHIER.value)
    add.set_defaults(func=cmd_add)
    for name, func, text in (
        ("disable", cmd_disable, "stop a user from signing in"),
        ("unlock", cmd_unlock, "lift the lock after too many wrong PINs"),
        ("set-pin", cmd_set_pin, "give a user a new PIN (asked twice)"),
    ):
        action = what.add_parser(name, help=text, epilog="example: %(prog)s maria")
        action.add_argument("username")
        action.set_defaults(func=func)


def _signed_in(args: argparse.Namespace, wiring: Wiring, terminal: Terminal) -> Any:
    context = wiring.context(args.db)
    try:
        operator = sign_in(context, terminal, Permission.MANAGE_CASHIERS, "Looking after staff")
    except BaseException:
        context.close()
        raise
    return context, operator


def cmd_list(args: argparse.Namespace, wiring: Wiring) -> int:
    context, operator = _signed_in(args, wiring, Terminal())
    try:
        staff = context.users.staff(operator.user_id)
    finally:
        context.close()
    for user in staff:
        state = "disabled" if not user.active else "LOCKED" if user.locked else "active"
        sys.stdout.write(
            f"{user.username:<20} {user.role.value:<8} {state:<8} {user.display_name}\n"
        )
    return 0


def cmd_add(args: argparse.Namespace, wiring: Wiring) -> int:
    terminal = Terminal()
    context, operator = _signed_in(args, wiring, terminal)
    try:
        if not operator.may_manage(Role(args.role)):  # say so before asking for a PIN
            raise PermissionDenied(f"Only the owner adds a {args.role}")
        pin = terminal.new_pin(f"PIN for {args.username}", check_pin_strength)
        context.users.add(operator.user_id, args.username, args.name, Role(args.role), pin)
    finally:
        context.close()
    sys.stdout.write(f"Added {args.username} ({args.role})\n")
    return 0


def cmd_disable(args: argparse.Namespace, wiring: Wiring) -> int:
    context, operator = _signed_in(args, wiring, Terminal())
    try:
        context.users.disable(operator.user_id, args.username)
    finally:
        context.close()
    sys.stdout.write(f"{args.username} can no longer sign in\n")
    return 0


def cmd_unlock(args: argparse.Namespace, wiring: Wiring) -> int:
    context, operator = _signed_in(args, wiring, Terminal())
    try:
        context.users.unlock(operator.user_id, args.username)
    finally:
        context.close()
    sys.stdout.write(f"{args.username} is unlocked\n")
    return 0


def cmd_set_pin(args: argparse.Namespace, wiring: Wiring) -> int:
    terminal = Terminal()
    context, operator = _signed_in(args, wiring, terminal)
    try:
        pin = terminal.new_pin(f"New PIN for {args.username}", check_pin_strength)
        context.users.set_pin(operator.user_id, args.username, pin)
    finally:
        context.close()
    sys.stdout.write(f"{args.username} has a new PIN\n")
    return 0
