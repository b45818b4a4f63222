"""The client-group rule over links: whether a customer has linked clients."""

from django import forms
from django.db.models import Exists, OuterRef, Q

from client_groups import rules
from linking.models import Link


def _fields():
    return {
        "has_linked_clients": forms.ChoiceField(
            label="Has linked clients", choices=rules.YES_NO, required=False
        )
    }


def _condition(values, catalogue, **_):
    linked = Q(Exists(Link.objects.filter(agent=OuterRef("pk"))))
    return linked if values["has_linked_clients"] == "yes" else ~linked


def _words(values, catalogue):
    return "Has linked clients" if values["has_linked_clients"] == "yes" else "Has no linked clients"


LINKED_CLIENTS = rules.Rule("linked_clients", fields=_fields, condition=_condition, describe=_words, order=30)
