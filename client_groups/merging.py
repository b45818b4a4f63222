"""How a merge treats client groups."""

from client_groups.models import SegmentMember


def fold(survivor, absorbed, journal):
    """A client group both are in keeps the survivor's membership; the duplicate's goes."""
    shared = SegmentMember.objects.filter(
        customer=absorbed, segment__in=SegmentMember.objects.filter(customer=survivor).values("segment")
    )
    journal.delete(shared)
