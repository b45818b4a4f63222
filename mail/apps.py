from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = "Email"

    def ready(self):
        from core import hooks
        from mail.history import ACTIONS

        for action in ACTIONS:
            hooks.register("history_action", action)
