"""Admin base classes every app's admin.py builds on."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import models
from django.utils.functional import cached_property

from core.inputs import WholeNumberField


class CappedCountPaginator(Paginator):
    """Count at most `CAP` rows, so a page of a million customers never counts them all.

    Past the cap the admin shows "10000" pages-worth as the total; the rows themselves
    are still reachable by searching.
    """

    CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.CAP].count()


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records of what happened (history, the email log, ledger-like rows): shown to
    superusers, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EditableAdmin(admin.ModelAdmin):
    """For what superusers keep here (labels, relationship types, services, forms): numbers
    are read as strictly as on the back office's own pages, where `int()` would take "1_000"
    or another script's digits."""

    # BigIntegerField too: the admin's defaults name it apart from IntegerField.
    formfield_overrides = {
        models.IntegerField: {"form_class": WholeNumberField},
        models.BigIntegerField: {"form_class": WholeNumberField},
    }
