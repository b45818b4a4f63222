from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = "Account linking"

    def ready(self):
        from customers import benchmarks, demo
        from groups import demo as group_demo
        from groups import merging as groups_merging
        from groups import profile_tabs

        profile_tabs.register()
        groups_merging.register()
        demo.steps.append(group_demo.make_groups)
        benchmarks.pages.append(profile_tabs.benchmark_pages)
