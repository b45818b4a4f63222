from django.contrib import admin

from bookings.models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    """Managers keep services on their own page (Services, from the Day View); superusers may
    here too. Retire one by unticking "offered"; one that was booked cannot be deleted."""

    list_display = ["name", "duration_minutes", "price", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.appointments.exists():
            return False
        return super().has_delete_permission(request, obj)
