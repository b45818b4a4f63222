from django.contrib import admin

from bookings.models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    """Services are kept by superusers here for now; retire one by unticking "offered"."""

    list_display = ["name", "duration_minutes", "price", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.appointments.exists():
            return False
        return super().has_delete_permission(request, obj)
