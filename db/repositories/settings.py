"""Shop settings as key/value rows."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m


class SettingsRepository:
    def __init__(self, session: Session) -> None:
        self._s = session

    def all(self) -> dict[str, str]:
        return {row.key: row.value for row in self._s.scalars(select(m.ShopSetting))}

    def set(self, key: str, value: str) -> None:
        row = self._s.get(m.ShopSetting, key)
        if row is None:
            self._s.add(m.ShopSetting(key=key, value=value))
        else:
            row.value = value
        self._s.flush()
