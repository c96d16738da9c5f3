"""A reader's reading plan: a weekly budget, the days they read, and their calendar feed."""

import datetime as dt
import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.crypto import constant_time_compare, salted_hmac

from catalogue.models import Advice

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MAX_HOURS_PER_WEEK = 60


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone mireads knows, e.g. Europe/London.")


def validate_days(value: str) -> None:
    if not value or any(c not in "0123456" for c in value) or len(set(value)) != len(value):
        raise ValidationError("Choose at least one reading day.")


# A stored calendar token (secrets.token_urlsafe(32)): anything else is no calendar, unasked.
STORED_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
CALENDAR_MAC_SALT = "mireads.plans.calendar"


class ReadingPlanQuerySet(models.QuerySet):
    def by_calendar_token(self, token: str) -> "ReadingPlan | None":
        """The plan whose feed this secret address names, if it has not been revoked and the
        reader has not changed their password (or signed out everywhere) since it was made.

        A token of the wrong shape (a NUL, which PostgreSQL refuses in a query) is no calendar.
        """
        stored, _, mac = token.partition(".")
        if not STORED_TOKEN.fullmatch(stored):
            return None
        plan = self.select_related("reader").filter(calendar_token=stored).first()
        if plan is None or not constant_time_compare(mac, plan.calendar_mac()):
            return None
        return plan

    def of_reader(self, reader) -> "ReadingPlan | None":
        return self.filter(reader=reader).first()


class ReadingPlan(models.Model):
    """One reader's plan. The sessions themselves are not stored: they are laid out afresh
    from the reader's progress each time, so ticking a part never leaves a stale plan behind.

    `counted_from` is where "planned so far" starts: the start date at first, moved to today
    when the reader catches up, pushes back or trims. `catch_up_minutes` is missed time spread
    over the sessions after `counted_from`; `dropped` are skim-level parts trimmed from the plan.
    """

    reader = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_plan"
    )
    hours_per_week = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(MAX_HOURS_PER_WEEK)],
    )
    # Weekdays as digits, Monday 0: "024" is Monday, Wednesday and Friday.
    reading_days = models.CharField(max_length=7, default="024", validators=[validate_days])
    session_time = models.TimeField(default=dt.time(19, 0), help_text="When a session starts.")
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    use_pace = models.BooleanField(default=True)
    starts_on = models.DateField()
    counted_from = models.DateField()
    catch_up_minutes = models.PositiveIntegerField(default=0)
    dropped = models.ManyToManyField(Advice, blank=True, related_name="+")
    # Null when revoked. Only a digest would be safer, but the reader must be able to copy it.
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReadingPlanQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0, hours_per_week__lte=MAX_HOURS_PER_WEEK),
                name="plan_hours_per_week_in_range",
            ),
            models.CheckConstraint(
                condition=Q(counted_from__gte=models.F("starts_on")),
                name="plan_counted_from_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reader}'s plan: {self.hours_per_week} h a week"

    @property
    def days(self) -> list[int]:
        return sorted(int(c) for c in self.reading_days)

    @property
    def day_names(self) -> list[str]:
        return [WEEKDAYS[d] for d in self.days]

    @property
    def session_minutes(self) -> float:
        """Each session's share of the weekly budget."""
        return float(self.hours_per_week) * 60 / len(self.days)

    def calendar_mac(self) -> str:
        """Binds the address to the reader's session auth hash (an HMAC of the password hash),
        which changes with the password: that is also how a reader signs out everywhere."""
        signed = f"{self.calendar_token}:{self.reader.get_session_auth_hash()}"
        return salted_hmac(CALENDAR_MAC_SALT, signed, algorithm="sha256").hexdigest()[:32]

    @property
    def calendar_address_token(self) -> str:
        """What the feed's address carries: the stored token and its MAC, or "" if revoked."""
        if not self.calendar_token:
            return ""
        return f"{self.calendar_token}.{self.calendar_mac()}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)
