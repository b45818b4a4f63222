"""Superusers edit relationship types here; links are shown read-only.

Links change only through the services (the profile's Linked Clients), which keep the two
halves together and write History on both customers.
"""

from django.contrib import admin
from django.db import transaction
from django.db.models import Count

from core.admin import CappedCountPaginator, EditableAdmin, ReadOnlyAdmin
from linking.models import AccessReview, Link, RelationshipType


@admin.register(RelationshipType)
class RelationshipTypeAdmin(EditableAdmin):
    list_display = [
        "name",
        "reverse",
        "is_active",
        "order",
        "can_book",
        "can_complete_forms",
        "receives_copies",
        "can_use_packages",
        "links_count",
    ]
    list_filter = ["is_active"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "reverse", "is_active", "order"]}),
        (
            "What someone of this type may do for the other, unless changed on the link",
            {"fields": ["can_book", "can_complete_forms", "receives_copies", "can_use_packages"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reverse").annotate(links_count=Count("links"))

    @admin.display(description="links", ordering="links_count")
    def links_count(self, kind):
        return kind.links_count

    def has_delete_permission(self, request, obj=None):
        # A type in use is retired (untick "offered"), never deleted; an unused one may go.
        if obj is not None and obj.links.exists():
            return False
        return super().has_delete_permission(request, obj)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        """Keep reverses paired: naming Child as Parent's reverse makes Parent Child's."""
        old_reverse_id = (
            RelationshipType.objects.filter(pk=obj.pk).values_list("reverse_id", flat=True).first()
        )
        if old_reverse_id and old_reverse_id != obj.reverse_id:
            RelationshipType.objects.filter(pk=old_reverse_id).update(reverse=None)
        if obj.reverse_id:
            # The new reverse leaves whatever it was paired with, then pairs with this one.
            RelationshipType.objects.filter(reverse_id=obj.reverse_id).exclude(pk=obj.pk).update(reverse=None)
            RelationshipType.objects.filter(reverse_id=obj.pk).exclude(pk=obj.reverse_id).update(reverse=None)
            obj.save()
            partner = RelationshipType.objects.get(pk=obj.reverse_id)
            if partner.reverse_id and partner.reverse_id != obj.pk:
                RelationshipType.objects.filter(pk=partner.reverse_id).update(reverse=None)
            RelationshipType.objects.filter(pk=obj.reverse_id).update(reverse=obj)
        else:
            obj.save()


@admin.register(Link)
class LinkAdmin(ReadOnlyAdmin):
    list_display = [
        "agent",
        "type",
        "principal",
        "can_book",
        "can_complete_forms",
        "receives_copies",
        "can_use_packages",
        "created_at",
    ]
    list_filter = ["type"]
    list_select_related = ["agent", "principal", "type"]
    raw_id_fields = ["agent", "principal"]
    paginator = CappedCountPaginator
    show_full_result_count = False


@admin.register(AccessReview)
class AccessReviewAdmin(ReadOnlyAdmin):
    list_display = ["customer", "reviewed_at", "reviewed_by", "note"]
    list_select_related = ["customer", "reviewed_by"]
