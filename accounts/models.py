"""What accounts keeps besides Django's users: per-address counts that limit guessing."""

from django.db import models


class Guess(models.TextChoices):
    SIGN_IN_FAILURE = "sign-in", "Failed sign-in"
    SIGN_UP = "sign-up", "Sign-up"
    PASSWORD_RESET = "reset", "Password-reset request from an address"
    PASSWORD_RESET_ACCOUNT = "reset-account", "Password-reset request for an email address"


class AddressCount(models.Model):
    """How often one client address did one kind of thing in one fixed window of time (for a
    password reset per account, `address` holds a digest of the email address instead).

    Kept in the database, not a per-worker cache, so every worker and server shares the count.
    Rows older than their window are deleted as the same address writes again.
    """

    kind = models.CharField(max_length=16, choices=Guess.choices)
    address = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-window_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "address", "window_start"], name="one_count_per_address_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} from {self.address} since {self.window_start:%Y-%m-%d %H:%M}"
