from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = "Family groups"

    def ready(self):
        from core import hooks
        from groups.history import ACTIONS

        for action in ACTIONS:
            hooks.register("history_action", action)
