"""Superusers edit member labels here; groups are shown read-only.

Groups change only through the services (the profile's group panel), which lock, check the
rules and write History; an admin form would bypass all three.
"""

from django.contrib import admin
from django.db.models import Count

from core.admin import CappedCountPaginator, EditableAdmin, ReadOnlyAdmin
from groups.models import CustomerGroup, GroupMember, MemberLabel


@admin.register(MemberLabel)
class MemberLabelAdmin(EditableAdmin):
    list_display = ["name", "is_active", "order", "members_count"]
    list_editable = ["is_active", "order"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(members_count=Count("members"))

    @admin.display(description="members", ordering="members_count")
    def members_count(self, label):
        return label.members_count

    def has_delete_permission(self, request, obj=None):
        # A label in use is retired (untick "offered"), never deleted; an unused one may go.
        if obj is not None and obj.members.exists():
            return False
        return super().has_delete_permission(request, obj)


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    fields = ["customer", "role", "label", "in_several_groups", "joined_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CustomerGroup)
class CustomerGroupAdmin(ReadOnlyAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [GroupMemberInline]
    paginator = CappedCountPaginator
    show_full_result_count = False


@admin.register(GroupMember)
class GroupMemberAdmin(ReadOnlyAdmin):
    list_display = ["customer", "group", "role", "label", "joined_at"]
    list_filter = ["role", "label"]
    list_select_related = ["customer", "group", "label"]
    raw_id_fields = ["customer", "group"]
    paginator = CappedCountPaginator
    show_full_result_count = False
