"""Template context for the layout: whether client groups are on, asked only if a page's
menu is drawn for someone who may see them."""

from groups.features import client_groups_on


def features(request):
    return {"client_groups_on": lambda: client_groups_on(request)}
