"""The two staff roles, as Django auth groups, and the helper migrations use to fill them.

Each app's data migration grants its own permissions to the roles, so the roles always
hold exactly what the apps installed so far need.
"""

FRONT_DESK = "Front desk"
MANAGER = "Manager"
ROLES = (FRONT_DESK, MANAGER)


def grant(apps, grants):
    """Give each role in `grants` ({role: ["app.codename", ...]}) those permissions.

    For use inside a data migration: permissions are normally created after all
    migrations have run, so this creates the ones it needs first.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in grants.items():
        group, _ = Group.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, grants):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, names in grants.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
