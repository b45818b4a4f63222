from django.apps import AppConfig


class ClientGroupsConfig(AppConfig):
    name = "client_groups"
    verbose_name = "Client groups"
