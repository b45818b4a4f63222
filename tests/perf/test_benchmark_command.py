"""The benchmark command measures every page it names and reports what it measured."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_benchmark_reports_every_page_with_queries_and_ratios(capsys):
    CustomerFactory(first_name="Anna", last_name="Smith")
    call_command("load_demo_data", customers=40)
    # As the demo's Front desk, who is not staff: the admin's pages (which it stops at, on
    # anything but a 200) are measured as a superuser instead.
    assert not get_user_model().objects.get(username="frontdesk").is_staff
    call_command("benchmark", repeat=2, warmup=0, terms=["Smith", "an"], markdown=True, user="frontdesk")
    out = capsys.readouterr().out
    assert get_user_model().objects.get(username="benchmark-admin").is_superuser
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line][1:]
    labels = [row.split("|")[1].strip() for row in rows]
    assert labels[0] == "health check (floor)"
    assert "desk search 'Smith'" in labels
    assert "admin 'an'" in labels
    assert "profile summary" in labels
    assert "merge (duplicate with 2,000 history lines)" in labels
    # What the other apps add, the demo data giving each something to measure.
    for start in ("day view (", "day view of one service (", "emails tab ("):
        assert any(label.startswith(start) for label in labels), (start, labels)
    assert Customer.objects.filter(merged_into__isnull=False).count() == 0  # the merges rolled back
    floor = rows[0].split("|")
    assert floor[4].strip() == "1"  # one query
    assert floor[5].strip() == "1.0"  # the floor is its own unit
    desk = next(row for row in rows if "desk search 'Smith'" in row).split("|")
    assert re.fullmatch(r"\d+\.\d+", desk[6].strip())  # a ratio to the admin was measured


def test_benchmark_needs_two_rounds_for_a_p95():
    with pytest.raises(CommandError, match="at least 2"):
        call_command("benchmark", repeat=1)
