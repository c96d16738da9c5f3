from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = "Readers' progress"

    def ready(self) -> None:
        # Connects the sign-in logging signal handlers at start-up, not on first URL load.
        from progress import accounts  # noqa: F401
