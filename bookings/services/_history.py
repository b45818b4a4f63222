"""How History lines write a moment, for every booking concern alike."""

from django.utils import timezone
from django.utils.formats import date_format


def when(moment):
    """A moment in local time, as a History line says it: "Mon 3 Mar 2025 at 14:30"."""
    local = timezone.localtime(moment)
    return f"{date_format(local, 'D j M Y')} at {local:%H:%M}"
