"""User-visible text goes through Qt's translation system so the till can be translated.

``tr("Pay")`` is ``QCoreApplication.translate("Till", "Pay")``; a ``.qm`` file named
``tillwright_<locale>.qm`` in ``resources/translations`` is loaded at start-up when present.
"""

from __future__ import annotations

import importlib.resources as package_files

from PySide6.QtCore import QCoreApplication, QTranslator

CONTEXT = "Till"


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def install_translator(app: QCoreApplication, locale: str) -> QTranslator | None:
    """Load the translation for ``locale`` (then its language alone) if one is shipped."""
    try:
        folder = package_files.files("resources").joinpath("translations")
    except ModuleNotFoundError:
        return None
    for name in (locale, locale.split("_")[0]):
        candidate = folder.joinpath(f"tillwright_{name}.qm")
        if candidate.is_file():
            translator = QTranslator(app)
            if translator.load(str(candidate)):
                app.installTranslator(translator)
                return translator
    return None
