from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Reading plans"

    def ready(self) -> None:
        # The dashboard and the paper page (progress) show the time left at the advised depth;
        # progress may not import plans, so plans adds it to them.
        from plans.reader_pages import reader_time_left
        from progress import dashboard

        if reader_time_left not in dashboard.READER_PAGE_EXTRAS:
            dashboard.READER_PAGE_EXTRAS.append(reader_time_left)
        # ...drawn by plans' own templates, which progress's templates include by slot.
        dashboard.add_fragment("overview", "plans/_overview_time_left.html")
        dashboard.add_fragment("workbench", "plans/_workbench_time_left.html")
