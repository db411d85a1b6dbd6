"""Store: the raw archive, the tables, and every query. All database access lives here.

The front door is loaded lazily (PEP 562): a worker process that needs the archive and the
table definitions must not pay for the migrations' machinery (alembic) at every start.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.archive import Archive
    from store.db import DatabaseUnavailable, Store, open_store
    from store.settings import ConsultationSettings, StoreSettings

_FRONT_DOOR = {
    "Archive": "store.archive",
    "DatabaseUnavailable": "store.db",
    "Store": "store.db",
    "open_store": "store.db",
    "ConsultationSettings": "store.settings",
    "StoreSettings": "store.settings",
}

__all__ = [
    "Archive",
    "ConsultationSettings",
    "DatabaseUnavailable",
    "Store",
    "StoreSettings",
    "open_store",
]


def __getattr__(name: str) -> Any:
    if name not in _FRONT_DOOR:
        raise AttributeError(f"module 'store' has no attribute {name!r}")
    return getattr(importlib.import_module(_FRONT_DOOR[name]), name)
