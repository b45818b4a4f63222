from django.apps import AppConfig


class LinkingConfig(AppConfig):
    name = "linking"
    verbose_name = "Linked clients"

    def ready(self):
        from linking import profile_tabs

        profile_tabs.register()
