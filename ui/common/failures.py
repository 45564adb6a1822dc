"""Turning an exception into a message for the screen (light: on the path to the first paint).

Kept apart from :mod:`ui.common.dialogs` so the sign-in window can use it without importing the
dialogs, Babel and the rest of the till screen.
"""

from __future__ import annotations

import logging

from app.errors import EnvironmentProblem, UserError
from ui.common.i18n import tr

log = logging.getLogger(__name__)

UNEXPECTED = "Unexpected error — see the log"


def describe_failure(error: Exception, unexpected: str = UNEXPECTED) -> str:
    """A message fit for the screen; a bug is logged with its traceback, not shown."""
    if isinstance(error, UserError | EnvironmentProblem):
        return error.message
    log.exception("unexpected error in the till", exc_info=error)
    return tr(unexpected)
