from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "mail"
    verbose_name = "Email"

    def ready(self):
        from mail import merging, profile_tabs

        profile_tabs.register()
        merging.register()
