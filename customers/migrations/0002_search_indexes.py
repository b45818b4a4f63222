"""Indexes that serve customer search on PostgreSQL.

`customers.queries.search_customers` filters on `search_text LIKE '%word%'` (served by the
trigram index) and, when every word is short, `search_text LIKE 'sm%'` (served by the
pattern index). Both index the very column the query reads; tests/customers/test_search.py
proves it with EXPLAIN.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from core.migration_ops import RunSQLOnPostgres


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        TrigramExtension(),
        RunSQLOnPostgres(
            "CREATE INDEX customer_search_trgm ON customers_customer USING gin (search_text gin_trgm_ops)",
            "DROP INDEX customer_search_trgm",
        ),
        RunSQLOnPostgres(
            "CREATE INDEX customer_search_prefix ON customers_customer (search_text text_pattern_ops)",
            "DROP INDEX customer_search_prefix",
        ),
    ]
