from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = "Bookings"

    def ready(self):
        from bookings import demo as booking_demo
        from bookings import merging, profile_tabs
        from customers import demo

        merging.register()
        profile_tabs.register()
        demo.steps.append(booking_demo.make_bookings)
