"""Deliveries waiting in the database queue when the email log moved to `mail` (issue 17).

django_tasks_db stores each queued task by the import path of its function, and the worker
imports that path when it runs the task: `customers.tasks.deliver_email` is now
`mail.tasks.deliver_email`. A queue that holds deliveries (waiting, or to be tried again
after a mail server's trouble) at deploy time would otherwise fail each of them on an import
error. Finished rows are history and keep the path they ran under.
"""

from django.db import migrations

OLD = "customers.tasks.deliver_email"
NEW = "mail.tasks.deliver_email"
#: Not finished: waiting for a worker (or for its run_after), or being run.
UNFINISHED = ("READY", "RUNNING")


def _repoint(apps, schema_editor, *, old, new):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    rows = DBTaskResult.objects.using(schema_editor.connection.alias)
    rows.filter(task_path=old, status__in=UNFINISHED).update(task_path=new)


def to_mail(apps, schema_editor):
    _repoint(apps, schema_editor, old=OLD, new=NEW)


def to_customers(apps, schema_editor):
    _repoint(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("mail", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(to_mail, to_customers, elidable=False),
    ]
