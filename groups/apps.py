from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = "Account linking"

    def ready(self):
        from customers import benchmarks, demo
        from groups import demo as group_demo
        from groups import merging as groups_merging
        from groups import profile_tabs
        from groups.segments import bench as segment_bench
        from groups.segments import demo as segment_demo
        from groups.segments import screens as segment_screens

        profile_tabs.register()
        segment_screens.register()
        groups_merging.register()
        groups_merging.register_client_groups()
        demo.steps.append(group_demo.make_groups)
        demo.steps.append(segment_demo.make_segments)
        benchmarks.pages.append(profile_tabs.benchmark_pages)
        benchmarks.pages.append(segment_bench.pages)
        benchmarks.actions.append(segment_bench.actions)
        demo.scale_steps.append(segment_bench.at_scale)
