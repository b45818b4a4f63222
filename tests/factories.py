"""factory-boy factories for every app's models."""

import factory
from django.contrib.auth import get_user_model

from customers.models import Activity, Customer
from customers.services import phone_digits


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct-horse-battery")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda c: f"{c.first_name}.{c.last_name}@example.com".lower())
    phone = factory.Sequence(lambda n: f"07700 {900000 + n}")
    phone_digits = factory.LazyAttribute(lambda c: phone_digits(c.phone))
    date_of_birth = factory.Faker("date_of_birth", minimum_age=1, maximum_age=90)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    customer = factory.SubFactory(CustomerFactory)
    kind = "customer.updated"
    message = factory.Sequence(lambda n: f"Something happened ({n}).")
