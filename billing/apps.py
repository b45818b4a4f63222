from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self):
        from billing.history import ACTIONS
        from core import hooks

        for action in ACTIONS:
            hooks.register("history_action", action)
