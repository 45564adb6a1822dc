"""Check that the system libraries PySide6's X11 (xcb) platform plugin links to are installed.

PySide6's wheels bring Qt but not the X11 libraries its ``xcb`` plugin needs, and when one is
missing Qt only says that the plugin "could not be loaded" (naming a library that is present).
``make run`` and ``make test`` run this first (``make test`` with ``--smoke-test``: the tests
also open the till on Xvfb). It asks the dynamic loader (``ldd``) which of the plugin's
libraries cannot be found and maps them to Debian/Ubuntu package names; as root with apt-get
it installs them, otherwise it prints the one command that does.

Exit status: 0 when nothing is missing (or after installing it), 1 when something is missing.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

# The libraries Qt's xcb plugin and Qt Gui link to (ldd on PySide6 6.8-6.11's libqxcb.so),
# with the Debian/Ubuntu package that ships each one. Ubuntu 24.04's "t64" packages provide
# these names too, so apt-get picks the right one.
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libpng16.so.16": "libpng16-16",
    "libz.so.1": "zlib1g",
    "libexpat.so.1": "libexpat1",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
}
# What tests/smoke runs, with its package: the X server, the typist and the screenshot.
SMOKE_TEST_COMMANDS = {"Xvfb": "xvfb", "xdotool": "xdotool", "import": "imagemagick"}


def default_targets() -> list[Path]:
    """The xcb platform plugin and the QtWidgets module of the PySide6 this Python imports."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("PySide6 is not installed in this Python: run `make` to install it")
    package = Path(next(iter(spec.submodule_search_locations)))
    return [
        package / "Qt" / "plugins" / "platforms" / "libqxcb.so",
        *sorted(package.glob("QtWidgets*.so")),
    ]


def missing_libraries(targets: Sequence[Path]) -> list[str]:
    """The sonames the dynamic loader cannot find for any of ``targets`` (and what they load)."""
    missing: dict[str, None] = {}
    for target in targets:
        if not target.exists():
            raise SystemExit(f"{target} does not exist: is PySide6 installed completely?")
        listed = subprocess.run(
            ["ldd", str(target)], capture_output=True, text=True, check=False
        ).stdout
        for line in listed.splitlines():
            name, _, where = line.strip().partition(" => ")
            if where.strip() == "not found":
                missing[name.strip()] = None
    return list(missing)


def packages_for(sonames: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the Debian packages that ship ``sonames``, the sonames no known package ships)."""
    packages = dict.fromkeys(PACKAGES[s] for s in sonames if s in PACKAGES)
    return list(packages), [s for s in sonames if s not in PACKAGES]


def install_command(packages: Sequence[str]) -> str:
    return "sudo apt-get install -y " + " ".join(packages)


def _apt_install(packages: Sequence[str]) -> bool:
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(command, env=env, check=False).returncode == 0:
        return True
    # A fresh machine or container often has no package lists yet.
    subprocess.run(["apt-get", "update"], env=env, check=False)
    return subprocess.run(command, env=env, check=False).returncode == 0


def _missing(targets: Sequence[Path], commands: Mapping[str, str]) -> list[str]:
    return missing_libraries(targets) + [c for c in commands if shutil.which(c) is None]


def check(targets: Sequence[Path], may_install: bool, commands: Mapping[str, str]) -> int:
    """Report (or, as root with apt-get, install) what is missing; the exit status."""
    missing = _missing(targets, commands)
    if not missing:
        return 0
    packages, unknown = packages_for([m for m in missing if m not in commands])
    packages = list(dict.fromkeys([*packages, *(commands[m] for m in missing if m in commands)]))
    can_install = may_install and os.geteuid() == 0 and shutil.which("apt-get") is not None
    if can_install and packages and not unknown:
        print(f"Installing what Tillwright's window needs: {' '.join(packages)}", flush=True)
        if _apt_install(packages) and not _missing(targets, commands):
            return 0
    what = ", ".join(missing)
    if shutil.which("apt-get") is None:
        advice = "install them with your system's package manager"
    elif unknown:
        advice = f"find the package of {', '.join(unknown)} with `apt-file search NAME`"
        if packages:
            advice = f"{install_command(packages)}; then {advice}"
    else:
        advice = install_command(packages)
    print(
        f"Tillwright's window needs system software that is missing ({what}): {advice}",
        file=sys.stderr,
    )
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-install",
        action="store_true",
        help="only report what is missing, even when running as root",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="also check for what the X11 smoke test runs: Xvfb, xdotool, ImageMagick",
    )
    parser.add_argument(
        "targets", nargs="*", type=Path, help="libraries to check (default: PySide6's xcb plugin)"
    )
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        return 0  # the macOS and Windows wheels bring everything Qt needs
    if shutil.which("ldd") is None:
        print("ldd is not installed: cannot check the libraries Qt's window needs", file=sys.stderr)
        return 0
    commands = SMOKE_TEST_COMMANDS if args.smoke_test else {}
    return check(args.targets or default_targets(), not args.no_install, commands)


if __name__ == "__main__":
    sys.exit(main())
