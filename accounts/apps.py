from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and readers' data"

    def ready(self) -> None:
        # Sign-in logging is connected at start-up, not on the first URL load.
        from accounts import signals

        signals.connect()
