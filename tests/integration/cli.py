"""Running ``main.py`` the way a person does: a fresh process, its exit code and what it said.

``as_nobody`` runs it as the unprivileged user ``nobody``. The tests run as root, and root
reads and writes files whatever their permission bits say, so a test of a read-only or
unreadable file drops to ``nobody`` (with ``setpriv``, or ``runuser``) for the command itself;
run as anyone else, the command already meets the permissions as they are.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def child_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILLWRIGHT_")}
    env["TILLWRIGHT_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.update(extra)
    return env


def as_nobody() -> list[str]:
    """The command prefix that runs the rest as ``nobody``; empty when we are not root."""
    if os.geteuid() != 0:
        return []
    nobody = pwd.getpwnam("nobody")
    if shutil.which("setpriv"):
        return [
            "setpriv",
            f"--reuid={nobody.pw_uid}",
            f"--regid={nobody.pw_gid}",
            "--clear-groups",
        ]
    assert shutil.which("runuser"), "setpriv or runuser (util-linux) is needed to drop root"
    return ["runuser", "-u", "nobody", "--"]


def run_main(
    *args: str,
    home: Path,
    nobody: bool = False,
    cwd: Path = ROOT,
    timeout: float = 120,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "main.py"), *args]
    return subprocess.run(
        (as_nobody() if nobody else []) + command,
        input=stdin,
        cwd=cwd,
        env=env or child_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def advice(done: subprocess.CompletedProcess[str]) -> str:
    """The one line of advice a failed command printed; checks it is exactly that."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("tillwright: "), done.stderr
    return lines[0].removeprefix("tillwright: ")


def till_says(done: subprocess.CompletedProcess[str]) -> str:
    """What ``run --exit-when-ready`` reported the sign-in screen showing for a shop that
    could not be opened (the window's backend_failed message)."""
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert done.stdout.splitlines() == ["READY"], done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    failed = [line for line in done.stderr.splitlines() if line.startswith("BACKEND FAILED: ")]
    assert len(failed) == 1, done.stderr
    return failed[0].removeprefix("BACKEND FAILED: ")


@contextmanager
def shared_folder() -> Iterator[Path]:
    """A folder ``nobody`` can reach (pytest's own temporary folders are root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="tillwright-test-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for folder in [path, *(p for p in path.rglob("*") if p.is_dir())]:
            folder.chmod(0o755)
        shutil.rmtree(path)


def same_bytes(paths: Sequence[Path]) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in paths}
