from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _unicode_lower_on_sqlite(sender, connection, **kwargs):
    """Make SQLite's lower() fold every letter, as PostgreSQL's does.

    SQLite's built-in lower() folds ASCII only, so "Åsa" would be stored in `search_text`
    as "Åsa" while search looks for "åsa". Replacing it on each connection keeps search the
    same on both databases.
    """
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "lower", 1, lambda text: text.lower() if isinstance(text, str) else text, deterministic=True
        )


class CustomersConfig(AppConfig):
    name = "customers"

    def ready(self):
        connection_created.connect(_unicode_lower_on_sqlite)
