from django.apps import AppConfig


class ClientGroupsConfig(AppConfig):
    name = "client_groups"
    verbose_name = "Client groups"

    def ready(self):
        from client_groups.history import ACTIONS
        from core import hooks

        for action in ACTIONS:
            hooks.register("history_action", action)
