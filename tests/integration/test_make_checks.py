"""What ``make run`` and ``make test`` check before they start: a Python new enough for the
venv (tools/find-python) and the system libraries PySide6's X11 plugin needs
(tools/check_qt_libs.py).

The missing libraries are made missing for real: in a private mount namespace an overlay
with whiteouts hides libxcb-icccm4's and libxcb-keysyms1's files from the dynamic loader (the
two seen missing on a fresh Debian), so the check meets exactly what a machine without those
packages shows. An old python3 is stood in for by a script that answers as Python 3.9 would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.cli import ROOT
from tools.check_qt_libs import default_targets, packages_for

FIND_PYTHON = ROOT / "tools" / "find-python"
CHECK = [sys.executable, str(ROOT / "tools" / "check_qt_libs.py")]
OLD_PYTHON = """#!/bin/sh
# Stands in for a system python3 that is 3.9: it says so, and fails the version test.
if [ "$1" = "--version" ]; then echo "Python 3.9.2"; exit 0; fi
exit 1
"""
HIDDEN = ("libxcb-icccm.so.4", "libxcb-keysyms.so.1")


@pytest.fixture
def old_python(tmp_path: Path) -> Path:
    path = tmp_path / "python3"
    path.write_text(OLD_PYTHON)
    path.chmod(0o755)
    return path


def _find(asked: str, newer: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(FIND_PYTHON), asked],
        env={**os.environ, "NEWER_PYTHONS": newer},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_a_new_enough_python_is_taken_as_it_is() -> None:
    found = _find(sys.executable, "")
    assert found.returncode == 0, found.stderr
    assert found.stdout == f"{sys.executable}\n"
    assert found.stderr == ""


def test_an_old_python3_gives_way_to_a_newer_one_and_says_so(old_python: Path) -> None:
    found = _find(str(old_python), sys.executable)
    assert found.returncode == 0, found.stderr
    assert found.stdout == f"{sys.executable}\n"
    assert (
        found.stderr
        == f"{old_python} is older than Python 3.11: making .venv with {sys.executable}\n"
    )


def test_with_no_new_enough_python_it_says_what_to_install(old_python: Path) -> None:
    found = _find(str(old_python), "")
    assert found.returncode == 1
    assert found.stdout == ""
    assert found.stderr.startswith(
        f"Tillwright needs Python 3.11 or newer, and {old_python} is Python 3.9.2: install one"
    )
    missing = _find("python3.99", "")
    assert "python3.99 is not installed" in missing.stderr


def test_make_stops_before_making_a_venv_with_an_old_python(
    old_python: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    done = subprocess.run(
        [
            "make",
            "--no-print-directory",
            f"{venv}/.installed",
            f"VENV={venv}",
            f"PYTHON={old_python}",
        ],
        cwd=ROOT,
        env={**os.environ, "NEWER_PYTHONS": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "Tillwright needs Python 3.11 or newer" in done.stderr
    assert not venv.exists()


def test_make_run_and_make_test_check_the_libraries_first() -> None:
    def planned(target: str) -> list[str]:
        done = subprocess.run(
            ["make", "--no-print-directory", "-n", target],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.splitlines()

    run = planned("run")
    check = run.index(".venv/bin/python tools/check_qt_libs.py")
    assert check < run.index(".venv/bin/python main.py run --demo")
    test = planned("test")
    check = test.index(".venv/bin/python tools/check_qt_libs.py --smoke-test")
    assert check < next(i for i, line in enumerate(test) if line.endswith("/pytest"))


def _library_files() -> list[Path]:
    """The files (link and target) the loader finds for HIDDEN, where they are installed."""
    plugin = default_targets()[0]
    listed = subprocess.run(["ldd", plugin], capture_output=True, text=True, check=True).stdout
    files: list[Path] = []
    for line in listed.splitlines():
        name, _, where = line.strip().partition(" => ")
        if name in HIDDEN and where.startswith("/"):
            link = Path(where.split(" (")[0])
            files += [link, link.resolve()]
    return files


def test_missing_libraries_are_named_with_the_packages_that_install_them(tmp_path: Path) -> None:
    files = _library_files()
    upper, work = tmp_path / "upper", tmp_path / "work"
    script = ["set -e"]
    for folder in sorted({f.parent for f in files}):
        layer = upper / folder.relative_to("/")
        layer.mkdir(parents=True)
        (work / folder.relative_to("/")).mkdir(parents=True)
        script += [f"mknod '{layer / f.name}' c 0 0" for f in files if f.parent == folder]
        script.append(
            f"mount -t overlay overlay -o lowerdir='{folder}',upperdir='{layer}',"
            f"workdir='{work / folder.relative_to('/')}' '{folder}'"
        )
    script.append(" ".join(f"'{part}'" for part in [*CHECK, "--no-install"]))
    unshare = ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "-rm"]
    assert shutil.which("unshare"), "unshare (util-linux) is needed to hide a library"
    hidden = subprocess.run(
        [*unshare, "sh", "-c", "\n".join(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert hidden.returncode == 1, hidden.stderr
    assert hidden.stderr == (
        "Tillwright's window needs system software that is missing (libxcb-icccm.so.4, "
        "libxcb-keysyms.so.1): sudo apt-get install -y libxcb-icccm4 libxcb-keysyms1\n"
    )
    # Outside the namespace nothing was hidden: this machine has them (make test installs them).
    present = subprocess.run([*CHECK, "--no-install"], capture_output=True, text=True, check=False)
    assert present.returncode == 0, present.stderr


def test_each_package_is_named_once_and_unknown_libraries_apart() -> None:
    assert packages_for(["libxcb-icccm.so.4", "libfoo.so.9", "libxcb-icccm.so.4"]) == (
        ["libxcb-icccm4"],
        ["libfoo.so.9"],
    )
