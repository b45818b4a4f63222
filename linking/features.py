"""Linking's superuser switch (django-waffle): account linking. While it is off nobody acts
for anybody, and the link and group pages answer 404.

The switch's name is stated in groups/features.py, below linking, because family groups
are behind it too and groups may not import linking; here is where linking and the apps
above it ask it.
"""

from core.switches import feature
from groups.features import ACCOUNT_LINKING, groups_on

__all__ = ["ACCOUNT_LINKING", "account_linking_on", "linking_feature"]


def account_linking_on(request=None):
    """Whether account linking is on (every switch read once per request, when given one)."""
    return groups_on(request)


linking_feature = feature(account_linking_on, "Account linking")
