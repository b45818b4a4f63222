"""Properties of customers that hold for any input hypothesis can think of."""

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from customers import services
from customers.models import Activity
from customers.queries import search_customers
from tests.factories import UserFactory

# PostgreSQL rejects NUL in text; names are trimmed, so they need a visible character.
name = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
).filter(lambda text: text.strip() and len(text.strip().split()) == 1)
phone = st.from_regex(r"\+?[0-9]{3,5} ?[0-9]{3,7}", fullmatch=True)


class CustomerProperties(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.actor = UserFactory(username="prop")

    @given(first=name, last=name, phone=phone)
    def test_a_new_customer_is_found_by_each_part_of_their_name_and_phone(self, first, last, phone):
        """Any word of three or more letters finds them; a shorter one, the family name's start."""
        customer = services.create_customer(actor=self.actor, first_name=first, last_name=last, phone=phone)
        texts = [last, f"{last} {first}", phone] + ([first] if len(first.strip()) >= 3 else [])
        for text in texts:
            found = list(search_customers(text).values_list("pk", flat=True))
            assert customer.pk in found, text

    @given(edits=st.lists(st.sampled_from(["first_name", "last_name", "notes", "phone"]), max_size=6))
    def test_version_and_history_count_every_real_change(self, edits):
        customer = services.create_customer(actor=self.actor, first_name="Ann", last_name="Lee")
        for number, field in enumerate(edits):
            value = f"07700 9{number:05d}" if field == "phone" else f"Value{number}"
            customer = services.update_customer(
                actor=self.actor, customer_id=customer.pk, version=customer.version, **{field: value}
            )
        changes = Activity.objects.filter(customer=customer, kind="customer.updated").count()
        customer.refresh_from_db()
        assert customer.version == 1 + changes
        assert changes == len(edits)
