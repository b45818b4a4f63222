"""A date of birth is from 1900 on: a database constraint, beside the validator that also
refuses one in the future (which a constraint cannot say, since the date moves on).

A date before 1900 or in the future already stored could only be a slip (the Django admin
once let one in: "Age -973"); it is cleared, and the customer's History says what it was, so
nobody loses it without a trace.
"""

import datetime

from django.db import migrations, models

import customers.validators

EARLIEST = datetime.date(1900, 1, 1)


def clear_impossible_dates_of_birth(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Activity = apps.get_model("customers", "Activity")
    today = datetime.date.today()
    impossible = models.Q(date_of_birth__lt=EARLIEST) | models.Q(date_of_birth__gt=today)
    slips = list(Customer.objects.filter(impossible).only("pk", "date_of_birth"))
    Activity.objects.bulk_create(
        Activity(
            customer_id=customer.pk,
            kind="customer.updated",
            message=f"Date of birth {customer.date_of_birth:%d %b %Y} cleared: "
            + (
                "it was in the future."
                if customer.date_of_birth > today
                else "dates before 1900 are not kept."
            ),
        )
        for customer in slips
    )
    Customer.objects.filter(pk__in=[customer.pk for customer in slips]).update(date_of_birth=None)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0013_single_line_text"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="date_of_birth",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[customers.validators.validate_date_of_birth],
                verbose_name="date of birth",
            ),
        ),
        migrations.RunPython(clear_impossible_dates_of_birth, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("date_of_birth__isnull", True), ("date_of_birth__gte", EARLIEST), _connector="OR"
                ),
                name="customer_born_after_1900",
                violation_error_message="Enter a date of birth after 1900.",
            ),
        ),
    ]
