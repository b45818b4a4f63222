from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self):
        from billing import demo as billing_demo
        from billing import merging, profile_tabs
        from customers import demo

        merging.register()
        profile_tabs.register()
        demo.steps.append(billing_demo.make_accounts)
