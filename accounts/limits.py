"""Limits per client address, across usernames: failed sign-ins and sign-ups.

The lockout (django-axes) counts failures per username and address; on its own it lets one address
try five passwords on every username in turn. These counts close that: past the limit, the address
gets 429 with Retry-After until its window ends. The address is REMOTE_ADDR, which
mireads.middleware.TrustedProxyMiddleware sets from the trusted proxies' entry.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AddressCount, Guess


@dataclass(frozen=True)
class Limit:
    kind: Guess
    attempts: int
    window: timedelta


def limit_for(kind: Guess) -> Limit:
    """The limit from settings: (attempts, seconds) per address."""
    attempts, seconds = {
        Guess.SIGN_IN_FAILURE: settings.SIGN_IN_FAILURES_PER_ADDRESS,
        Guess.SIGN_UP: settings.SIGN_UPS_PER_ADDRESS,
    }[kind]
    return Limit(kind, attempts, timedelta(seconds=seconds))


def address_of(request: HttpRequest | None) -> str:
    """The client address the limits count against (truncated: it is a key, not a record)."""
    if request is None:
        return ""
    return (request.META.get("REMOTE_ADDR") or "")[:64]


def _window_start(limit: Limit, now: datetime) -> datetime:
    seconds = int(limit.window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def retry_after(kind: Guess, request: HttpRequest, *, now: datetime | None = None) -> int | None:
    """Seconds until this address may try again, or None if it is under the limit."""
    limit, now = limit_for(kind), now or timezone.now()
    start = _window_start(limit, now)
    counted = (
        AddressCount.objects.filter(kind=kind, address=address_of(request), window_start=start)
        .values_list("count", flat=True)
        .first()
    )
    if counted is None or counted < limit.attempts:
        return None
    return max(1, int((start + limit.window - now).total_seconds()) + 1)


@transaction.atomic
def count(kind: Guess, request: HttpRequest | None, *, now: datetime | None = None) -> None:
    """Count one attempt of `kind` from the request's address in the current window."""
    address = address_of(request)
    if not address:
        return
    limit, now = limit_for(kind), now or timezone.now()
    start = _window_start(limit, now)
    counts = AddressCount.objects.filter(kind=kind, address=address)
    counts.filter(window_start__lt=start).delete()
    row, created = AddressCount.objects.get_or_create(
        kind=kind, address=address, window_start=start, defaults={"count": 1}
    )
    if not created:
        counts.filter(pk=row.pk).update(count=F("count") + 1)
