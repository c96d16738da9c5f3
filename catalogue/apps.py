from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Reading list"

    def ready(self) -> None:
        from catalogue import signals

        signals.connect()
