from django.apps import AppConfig


class LinkingConfig(AppConfig):
    name = "linking"
    verbose_name = "Linked clients"

    def ready(self):
        from core import hooks
        from linking.history import ACTIONS

        for action in ACTIONS:
            hooks.register("history_action", action)
