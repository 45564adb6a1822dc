"""The command line as a shop owner meets it: options before or after any command, help that
says what each command is for with an example, and ``--map`` mistakes named."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.formats.products import GENERIC_FIELDS
from tests.conftest import make_shop
from tests.integration.cli import advice, run_main
from ui.cli import parser

# The positional arguments a command needs to be parsed at all.
EXAMPLE_ARGUMENTS = {
    ("import", "products"): ["products.csv"],
    ("users", "add"): ["maria", "--name", "Maria Silva"],
    ("users", "disable"): ["maria"],
    ("users", "unlock"): ["maria"],
    ("users", "set-pin"): ["maria"],
}


def _subcommands(command: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _leaves(
    command: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    children = _subcommands(command)
    if not children:
        yield path, command
    for name, child in children.items():
        yield from _leaves(child, (*path, name))


LEAVES = [path for path, _ in _leaves(parser())]


def test_every_command_is_checked_here() -> None:
    assert {path[0] for path in LEAVES} == set(_subcommands(parser()))
    assert ("import", "products") in LEAVES
    assert ("journal", "verify") in LEAVES


@pytest.mark.parametrize("command", LEAVES, ids=" ".join)
def test_the_shared_options_work_before_or_after_every_command(command: tuple[str, ...]) -> None:
    words = [*command, *EXAMPLE_ARGUMENTS.get(command, [])]
    shared = ["--db", "shop.db", "--register", "T9", "-v"]
    for argv in ([*shared, *words], [*words, *shared]):
        args = parser().parse_args(argv)
        assert (args.db, args.register, args.verbose) == ("shop.db", "T9", True), argv
    # Not given after the command, a value given before it stands.
    args = parser().parse_args(["--db", "before.db", *words, "--register", "T2"])
    assert (args.db, args.register, args.verbose) == ("before.db", "T2", False)
    args = parser().parse_args(words)
    assert (args.db, args.register, args.verbose) == (None, None, False)


def test_the_help_speaks_to_a_shop_owner(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert "Tillwright is the till (point of sale) for your shop." in text
    assert "options every command takes (before or after the command)" in text
    assert "--db DATABASE" in text
    assert "examples:" in text
    for line in (
        "import products products_export.csv",
        "journal verify",
        "run --db postgresql://till@shop-server/shop --register T2",
    ):
        assert line in text
    for name in _subcommands(parser()):
        assert f"    {name} " in text  # listed with what it is for
    assert "measure against raw sqlite3" not in text  # the old, developer's words


@pytest.mark.parametrize("command", LEAVES, ids=" ".join)
def test_each_command_has_help_with_an_example(
    command: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args([*command, "--help"])
    text = capsys.readouterr().out
    assert "example" in text
    assert "options every command takes (before or after the command)" in text
    assert "--db DATABASE" in text


# Through the real program -----------------------------------------------------------------


@pytest.fixture
def shop_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    make_shop(f"sqlite:///{path}", tmp_path / "data", products=5).close()
    return path


@pytest.fixture
def products_csv(tmp_path: Path) -> Path:
    path = tmp_path / "stock-list.csv"
    path.write_text(
        "Description,Item code,RRP\nHarbour Tea,HT-1,3.50\nQuay Coffee,QC-1,7.20\n",
        encoding="utf-8",
    )
    return path


MAP = ["--map", "name=Description", "--map", "sku=Item code", "--map", "price=RRP"]


def test_db_after_the_command_is_the_database_used(
    tmp_path: Path, shop_file: Path, products_csv: Path
) -> None:
    other = tmp_path / "other.db"
    make_shop(f"sqlite:///{other}", tmp_path / "data", products=5).close()
    home = tmp_path / "data"
    manager = "manager\n4321\n"  # who imports: the demo shop's manager
    after = run_main(
        "import",
        "products",
        str(products_csv),
        *MAP,
        "--db",
        str(shop_file),
        home=home,
        stdin=manager,
    )
    assert after.returncode == 0, after.stderr
    assert "2 products created" in after.stdout
    before = run_main(
        "--db", str(other), "import", "products", str(products_csv), *MAP, home=home, stdin=manager
    )
    assert before.returncode == 0, before.stderr
    assert "2 products created" in before.stdout  # the other shop had none of them yet
    again = run_main(
        "--db", str(other), "import", "products", str(products_csv), *MAP, home=home, stdin=manager
    )
    assert "0 products created" in again.stdout


FIELDS = f"The fields are: {', '.join(GENERIC_FIELDS)}"


@pytest.mark.parametrize(
    ("maps", "says"),
    [
        (
            ["--map", "sku"],
            f"--map 'sku' should be FIELD=COLUMN, for example --map sku=\"Item code\". {FIELDS}",
        ),
        (["--map", "=Item code"], "--map '=Item code' should be FIELD=COLUMN"),
        (
            ["--map", "colour=Colour"],
            f"--map 'colour=Colour': 'colour' is not a product field. {FIELDS}",
        ),
        (
            ["--map", "sku=Item code", "--map", "sku=Code"],
            "--map gives 'sku' twice ('Item code' and 'Code'): give each field once",
        ),
        (
            ["--format", "shopify", "--map", "sku=Item code"],
            "--map is for spreadsheets (generic CSV), not for --format shopify",
        ),
        (
            ["--map", "name=Title", "--map", "sku=Item code", "--map", "price=RRP"],
            "The file has no column 'Title' to read name from; its columns are 'Description', "
            "'Item code', 'RRP'",
        ),
    ],
)
def test_a_map_mistake_is_named(
    tmp_path: Path, shop_file: Path, products_csv: Path, maps: list[str], says: str
) -> None:
    done = run_main(
        "import", "products", str(products_csv), *maps, "--db", str(shop_file), home=tmp_path
    )
    assert advice(done).startswith(says)


class WiringWithABug:
    """A wiring whose shop cannot be built because of a bug (not the user's environment)."""

    def setup_logging(self, verbose: bool) -> None:
        return None

    def context(self, db: str | None, register: str | None = None, *, access: str = "write"):  # type: ignore[no-untyped-def]
        raise RuntimeError("no such table: shop_setting")


def test_a_bug_is_named_as_one_and_its_traceback_goes_to_the_log(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    from ui.cli import run

    assert run(["journal", "verify"], WiringWithABug()) == 1  # type: ignore[arg-type]
    said = capsys.readouterr().err
    assert said == (
        "tillwright: unexpected error, a bug in Tillwright (RuntimeError: no such table: "
        "shop_setting); the details are in the log (logs/tillwright.log in the data folder)\n"
    )
    logged = next(r for r in caplog.records if r.exc_info)
    assert "no such table" in str(logged.exc_info[1])
