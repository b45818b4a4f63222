"""The superuser switch that turns billing on; made, switched off, by migration 0002."""

from core.switches import feature, switch_on

BILLING = "billing"


def billing_on(request=None):
    return switch_on(request, BILLING)


billing_feature = feature(billing_on, "Billing")
