import pytest

from tests.factories import CustomerFactory


@pytest.fixture
def anna(db):
    return CustomerFactory(first_name="Anna", last_name="Smith")


@pytest.fixture
def ben(db):
    return CustomerFactory(first_name="Ben", last_name="Smith")


@pytest.fixture
def cara(db):
    return CustomerFactory(first_name="Cara", last_name="Jones")
