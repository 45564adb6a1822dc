"""Cheaper imports after PySide6: its import hook reads each new module's source.

PySide6 checks every module imported after it for the word "PySide6" (PYSIDE-2029, for its
``__feature__`` switches) with ``inspect.getsource``, which decodes the whole file and keeps
its lines in ``linecache`` for the life of the process. The till imports its database layer
(SQLAlchemy: hundreds of modules) behind the sign-in screen, so that check was a fifth of
the time to a signed-in till and megabytes of resident source text. The same question,
answered from the file's bytes, costs a fraction and keeps nothing.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any


def check_sources_by_bytes() -> None:
    """Answer PySide6's "does this module use PySide6?" from the file's bytes (idempotent;
    nothing changes if PySide6's hook is not there or not as expected)."""
    feature = sys.modules.get("shibokensupport.feature")
    original: Any = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None or getattr(original, "by_bytes", False):
        return

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return bool(original(module))
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return bool(original(module))

    uses_pyside.by_bytes = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
