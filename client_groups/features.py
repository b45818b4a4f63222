"""The superuser switch (django-waffle) that turns client groups on; made, switched off, by
a data migration (its name is older than the app, so existing databases keep it)."""

from core.switches import feature, switch_on

#: Client groups: VIP, Trade, Students…, their filter and bulk actions.
CLIENT_GROUPS = "client_groups"


def client_groups_on(request=None):
    return switch_on(request, CLIENT_GROUPS)


client_groups_feature = feature(client_groups_on, "Client groups")
