"""On PostgreSQL, a trigger that refuses to change or delete a ledger entry (TRUNCATE, which
only a maintainer or the test suite's flush runs, is left alone); the `billing`
switch (off); and what each role may do: the front desk posts charges, payments and store
credit and links partners; a Manager also adjusts, reverses and sets credit limits."""

from django.db import migrations

from core.migration_ops import RunSQLOnPostgres, switches_and_grants
from core.roles import FRONT_DESK, MANAGER

SWITCHES = {"billing": "Billing: house accounts, store credit, the ledger and partner accounts."}
DESK_WORK = [
    "billing.view_account",
    "billing.view_entry",
    "billing.add_entry",
    "billing.view_accountholder",
    "billing.add_accountholder",
    "billing.change_accountholder",
    "billing.delete_accountholder",
]
GRANTS = {
    FRONT_DESK: DESK_WORK,
    MANAGER: [*DESK_WORK, "billing.adjust_balance", "billing.reverse_entry", "billing.change_account"],
}

IMMUTABLE_ENTRIES = """
CREATE FUNCTION billing_entry_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are never changed or deleted; post a reversal instead'
        USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER billing_entry_immutable BEFORE UPDATE OR DELETE ON billing_entry
    FOR EACH ROW EXECUTE FUNCTION billing_entry_immutable();
"""
MUTABLE_ENTRIES = """
DROP TRIGGER billing_entry_immutable ON billing_entry;
DROP FUNCTION billing_entry_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("customers", "0008_duplicate_indexes"),
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [
        RunSQLOnPostgres(IMMUTABLE_ENTRIES, MUTABLE_ENTRIES),
        switches_and_grants(SWITCHES, GRANTS),
    ]
