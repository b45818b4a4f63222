"""The superuser switches (django-waffle) that govern account linking and client groups.

Each is made, switched off, by a data migration, so superusers find them in the admin.
"""

from waffle import switch_is_active

from customers.switches import feature, switch_on

#: Groups, their members, the Linked Accounts tab and everything linking adds later.
ACCOUNT_LINKING = "account_linking"
#: Lets an Admin (a carer, a nanny) belong to several groups; Owners and Dependents stay in one.
ADMINS_IN_SEVERAL_GROUPS = "admins_in_several_groups"
#: Client groups (segments): VIP, Trade, Students…, their filter and bulk actions.
CLIENT_GROUPS = "client_groups"


def account_linking_on(request=None):
    return switch_on(request, ACCOUNT_LINKING)


def client_groups_on(request=None):
    return switch_on(request, CLIENT_GROUPS)


def admins_in_several_groups():
    return switch_is_active(ADMINS_IN_SEVERAL_GROUPS)


linking_feature = feature(account_linking_on, "Account linking")
client_groups_feature = feature(client_groups_on, "Client groups")
