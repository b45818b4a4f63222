from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self):
        from bookings.history import ACTIONS
        from core import hooks

        for action in ACTIONS:
            hooks.register("history_action", action)
