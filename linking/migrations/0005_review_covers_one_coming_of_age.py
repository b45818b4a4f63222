"""A review of access covers one coming of age: the date of birth it was made for.

Before this a review counted whenever it was made, so one marked for a 16-year-old hid the
real review at 18. Reviews already made count only if they were made on or after the
eighteenth birthday of the customer's date of birth; the others cover nothing, and the
customer is due again when they come of age.
"""

from django.db import migrations, models
from django.utils import timezone

ADULT_AGE = 18


def _eighteenth_birthday(born):
    try:
        return born.replace(year=born.year + ADULT_AGE)
    except ValueError:  # 29 February: the birthday is 1 March in other years
        return born.replace(year=born.year + ADULT_AGE, month=3, day=1)


def cover_the_coming_of_age_reviewed(apps, schema_editor):
    AccessReview = apps.get_model("linking", "AccessReview")
    covered = []
    for review in AccessReview.objects.select_related("customer").iterator():
        born = review.customer.date_of_birth
        reviewed_on = timezone.localdate(review.reviewed_at)
        if born is not None and reviewed_on >= _eighteenth_birthday(born):
            review.date_of_birth = born
            covered.append(review)
    AccessReview.objects.bulk_update(covered, ["date_of_birth"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("linking", "0004_access_reviews"),
    ]

    operations = [
        migrations.AddField(
            model_name="accessreview",
            name="date_of_birth",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(cover_the_coming_of_age_reviewed, migrations.RunPython.noop),
    ]
