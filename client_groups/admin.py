from django.contrib import admin

from client_groups.models import Segment
from core.admin import ReadOnlyAdmin


@admin.register(Segment)
class SegmentAdmin(ReadOnlyAdmin):
    """Client groups are managed on their own pages (Client Groups), where every change is
    written to the customers' History; the admin only shows them."""

    list_display = ["name", "is_rule_based", "created_at"]
    search_fields = ["name"]
    fields = ["name", "description", "rules", "created_at", "updated_at"]
    readonly_fields = fields

    @admin.display(boolean=True, description="follows rules")
    def is_rule_based(self, segment):
        return segment.is_rule_based
