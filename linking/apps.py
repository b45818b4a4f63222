from django.apps import AppConfig


class LinkingConfig(AppConfig):
    name = "linking"
    verbose_name = "Linked clients"

    def ready(self):
        from customers import benchmarks, demo
        from linking import demo as link_demo
        from linking import merging as linking_merging
        from linking import profile_tabs, segment_rules

        profile_tabs.register()
        linking_merging.register()
        segment_rules.register()
        demo.steps.append(link_demo.make_links)
        benchmarks.pages.append(profile_tabs.benchmark_pages)
