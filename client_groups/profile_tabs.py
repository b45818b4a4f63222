"""What client groups add to other apps' pages: the Summary tab's Client Groups panel, and the
customer list's filter, badge column and bulk actions."""

from client_groups import queries
from client_groups.features import client_groups_on
from client_groups.rules import Catalogue

VIEW = "client_groups.view_segment"


def visible(request, customer=None):
    return client_groups_on(request) and request.user.has_perm(VIEW) and not (customer and customer.is_merged)


def catalogue_for(request):
    """Every client group, read once per request however many places show them."""
    if not hasattr(request, "_segment_catalogue"):
        request._segment_catalogue = Catalogue.load()
    return request._segment_catalogue


def panel_context(request, customer):
    queries.attach_badges([customer], catalogue_for(request))
    user = request.user
    return {
        "client_groups": customer.client_groups,
        "can_add": user.has_perm("client_groups.add_segmentmember") and not customer.is_archived,
        "can_remove": user.has_perm("client_groups.delete_segmentmember"),
    }


def list_context(request):
    return {
        "segments": sorted(catalogue_for(request).segments.values(), key=lambda s: (s.name.lower(), s.pk)),
        "chosen": queries.filter_ids(request.GET),
    }


def narrow(request, params, customers):
    return queries.narrow(customers, queries.filter_ids(params), catalogue_for(request))


def decorate(request, rows):
    queries.attach_badges(rows, catalogue_for(request))
