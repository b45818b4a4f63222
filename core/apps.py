from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app builds on: responses, errors, access, ids, paging, switches and the
    hooks registry. Listed first among the project's apps, so its ready() runs first."""

    name = "core"
    verbose_name = "Kinship core"

    def ready(self):
        from django.urls import register_converter

        from core.ids import IdConverter

        # Here rather than in one urls.py: every app's urls.py uses `<id:...>`, and ready()
        # runs before any of them is imported.
        register_converter(IdConverter, "id")

        from core import hooks

        hooks.autodiscover()
