import pytest

from linking.models import RelationshipType
from tests.factories import CustomerFactory


@pytest.fixture
def types(db):
    """The default relationship types the data migration made, by name."""
    return {kind.name: kind for kind in RelationshipType.objects.select_related("reverse")}


@pytest.fixture
def anna(db):
    return CustomerFactory(first_name="Anna", last_name="Smith")


@pytest.fixture
def ben(db):
    return CustomerFactory(first_name="Ben", last_name="Smith")
