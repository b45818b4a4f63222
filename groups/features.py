"""The superuser switches (django-waffle) that govern family groups.

Each is made, switched off, by a data migration, so superusers find them in the admin.
"""

from waffle import switch_is_active

from core.switches import feature, switch_on

#: Account linking: links, who may act for whom, and the family groups that give that say too.
#: The switch is linking's (linking/features.py, where linking and every app above it ask it),
#: but groups' own pages sit behind it and groups sit below linking, so its name is stated
#: here, once, and linking builds on it; the row in waffle's table keeps this name.
ACCOUNT_LINKING = "account_linking"
#: Lets an Admin (a carer, a nanny) belong to several groups; Owners and Dependents stay in one.
ADMINS_IN_SEVERAL_GROUPS = "admins_in_several_groups"


def groups_on(request=None):
    """Whether family groups are on: they come and go with account linking."""
    return switch_on(request, ACCOUNT_LINKING)


def admins_in_several_groups():
    return switch_is_active(ADMINS_IN_SEVERAL_GROUPS)


groups_feature = feature(groups_on, "Account linking")
