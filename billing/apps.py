from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self):
        from billing import bench, merging, profile_tabs
        from billing import demo as billing_demo
        from customers import benchmarks, demo

        merging.register()
        profile_tabs.register()
        demo.steps.append(billing_demo.make_accounts)
        demo.scale_steps.append(bench.at_scale)
        benchmarks.pages.append(bench.pages)
        benchmarks.actions.append(bench.actions)
