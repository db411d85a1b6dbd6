"""Store: the raw archive, the tables, and every query. All database access lives here."""

from store.archive import Archive
from store.db import DatabaseUnavailable, Store, open_store
from store.settings import ConsultationSettings, StoreSettings

__all__ = [
    "Archive",
    "ConsultationSettings",
    "DatabaseUnavailable",
    "Store",
    "StoreSettings",
    "open_store",
]
