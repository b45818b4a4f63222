from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self):
        from bookings import bench, merging, notifications, profile_tabs
        from bookings import demo as booking_demo
        from customers import benchmarks, demo

        merging.register()
        notifications.register()
        profile_tabs.register()
        demo.steps.append(booking_demo.make_bookings)
        demo.steps.append(booking_demo.make_packages_and_forms)
        benchmarks.pages.append(bench.pages)
        demo.scale_steps.append(bench.at_scale)
