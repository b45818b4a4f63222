from django.contrib import admin

from core.admin import CappedCountPaginator, ReadOnlyAdmin
from mail.models import Email


@admin.register(Email)
class EmailAdmin(ReadOnlyAdmin):
    """The email log: what went to whom and how it went; the profile's Emails tab shows the
    same per customer."""

    list_display = ["created_at", "to_address", "subject", "status", "recipient", "about"]
    list_filter = ["status", "kind"]
    list_select_related = ["recipient", "about"]
    raw_id_fields = ["recipient", "about"]
    paginator = CappedCountPaginator
    show_full_result_count = False
