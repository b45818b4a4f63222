"""How a merge treats accounts and the ledger.

Entries stay with the customer they were posted for: the ledger is never edited. An
account moves to the survivor when only the duplicate has one; when both have one, the
duplicate's balances move into the survivor's account by transfer entries, and that part
of the merge is final (Undo Merge says so), because entries are never taken back.
"""

from billing import services
from billing.models import AccountHolder


def _holders(survivor, absorbed):
    found = {h.customer_id: h for h in AccountHolder.objects.filter(customer__in=[survivor, absorbed])}
    return found.get(survivor.pk), found.get(absorbed.pk)


def block(survivor, absorbed):
    """A duplicate who shares an account with someone else must be unlinked first."""
    mine, theirs = _holders(survivor, absorbed)
    if mine is None or theirs is None or mine.account_id == theirs.account_id:
        return None
    partner = (
        AccountHolder.objects.select_related("customer")
        .filter(account_id=theirs.account_id)
        .exclude(pk=theirs.pk)
        .first()
    )
    if partner is not None:
        return (
            f"{absorbed.full_name} shares an account with {partner.customer.full_name}: "
            "use Unlink Partner Account on it first."
        )
    return None


def fold(survivor, absorbed, journal):
    """Both have an account: keep the survivor's, with the duplicate's balances in it."""
    mine, theirs = _holders(survivor, absorbed)
    if theirs is None:
        return
    if mine is None:
        # The duplicate's place moves to the survivor as it is. Its account's version is
        # noted, so Undo Merge refuses once anything is posted to it (or a partner changes).
        account = services.lock_holders_of([absorbed.pk])[absorbed.pk].account
        journal.change(account)
        account.save(update_fields=["version"])
        return
    if mine.account_id == theirs.account_id:  # partners: the survivor keeps the shared account
        journal.delete(AccountHolder.objects.filter(pk=theirs.pk))
        if theirs.is_primary:
            journal.change(mine, is_primary=True)
            mine.save(update_fields=["is_primary", "version"])
        return
    holders = services.lock_holders_of([survivor.pk, absorbed.pk])
    source, target = holders[absorbed.pk].account, holders[survivor.pk].account
    if source.house_balance or source.credit_balance:
        services.transfer(
            source,
            target,
            source_customer_id=absorbed.pk,
            target_customer_id=survivor.pk,
            house=source.house_balance,
            credit=source.credit_balance,
            actor=None,
            memo=f"Merged {absorbed.full_name}'s account (#{absorbed.pk}) into this one",
        )
        journal.cannot_be_undone(
            "the duplicate's account balances were moved into the survivor's by ledger entries."
        )
    journal.delete(AccountHolder.objects.filter(pk=theirs.pk))
