"""Limits per client address, across usernames (failed sign-ins, sign-ups, password resets), and
per account (password resets for one email address).

The lockout (django-axes) counts failures per username and address; on its own it lets one address
try five passwords on every username in turn. These counts close that: past the limit, the address
gets 429 with Retry-After until its window ends. The address is REMOTE_ADDR, which
mireads.middleware.TrustedProxyMiddleware sets from the trusted proxies' entry.

The per-address sign-in limit is checked inside authenticate() (accounts.backends), so every way
in shares it: /accounts/login/, the admin's sign-in, the old password on the password-change form
and the password on the delete form.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.models import AddressCount, Guess
from mireads.http import problem

WHAT = {
    Guess.SIGN_IN_FAILURE: "failed sign-ins",
    Guess.SIGN_UP: "sign-ups",
    Guess.PASSWORD_RESET: "password-reset requests",
    Guess.PASSWORD_RESET_ACCOUNT: "password-reset requests",
}


@dataclass(frozen=True)
class Limit:
    kind: Guess
    attempts: int
    window: timedelta


def limit_for(kind: Guess) -> Limit:
    """The limit from settings: (attempts, seconds) per address or account."""
    attempts, seconds = {
        Guess.SIGN_IN_FAILURE: settings.SIGN_IN_FAILURES_PER_ADDRESS,
        Guess.SIGN_UP: settings.SIGN_UPS_PER_ADDRESS,
        Guess.PASSWORD_RESET: settings.PASSWORD_RESETS_PER_ADDRESS,
        Guess.PASSWORD_RESET_ACCOUNT: settings.PASSWORD_RESETS_PER_ACCOUNT,
    }[kind]
    return Limit(kind, attempts, timedelta(seconds=seconds))


def address_of(request: HttpRequest | None) -> str:
    """The client address the limits count against (truncated: it is a key, not a record)."""
    if request is None:
        return ""
    return (request.META.get("REMOTE_ADDR") or "")[:64]


def account_key(email: str) -> str:
    """What one email address is counted under: a digest, so the table holds no address."""
    digest = hashlib.blake2b(email.strip().casefold().encode(), digest_size=16).hexdigest()
    return f"email:{digest}"


def _window_start(limit: Limit, now: datetime) -> datetime:
    seconds = int(limit.window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def retry_after_key(kind: Guess, key: str, *, now: datetime | None = None) -> int | None:
    """Seconds until `key` may try again, or None if it is under the limit."""
    limit, now = limit_for(kind), now or timezone.now()
    start = _window_start(limit, now)
    counted = (
        AddressCount.objects.filter(kind=kind, address=key, window_start=start)
        .values_list("count", flat=True)
        .first()
    )
    if counted is None or counted < limit.attempts:
        return None
    return max(1, int((start + limit.window - now).total_seconds()) + 1)


def retry_after(kind: Guess, request: HttpRequest, *, now: datetime | None = None) -> int | None:
    """Seconds until this address may try again, or None if it is under the limit."""
    return retry_after_key(kind, address_of(request), now=now)


@transaction.atomic
def count_key(kind: Guess, key: str, *, now: datetime | None = None) -> None:
    """Count one attempt of `kind` under `key` in the current window."""
    if not key:
        return
    limit, now = limit_for(kind), now or timezone.now()
    start = _window_start(limit, now)
    counts = AddressCount.objects.filter(kind=kind, address=key)
    counts.filter(window_start__lt=start).delete()
    row, created = AddressCount.objects.get_or_create(
        kind=kind, address=key, window_start=start, defaults={"count": 1}
    )
    if not created:
        counts.filter(pk=row.pk).update(count=F("count") + 1)


def count(kind: Guess, request: HttpRequest | None, *, now: datetime | None = None) -> None:
    """Count one attempt of `kind` from the request's address in the current window."""
    count_key(kind, address_of(request), now=now)


def too_many(request: HttpRequest, kind: Guess, wait: int) -> HttpResponse:
    """429 with Retry-After, saying in one sentence how long to wait."""
    minutes = -(-wait // 60)
    response = problem(
        request,
        f"There have been too many {WHAT[kind]} from this address. Try again in {minutes} "
        f"minute{'s' if minutes != 1 else ''}.",
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def refusal(request: HttpRequest, kind: Guess) -> HttpResponse | None:
    """too_many() if this address is over its limit for `kind`, else None."""
    wait = retry_after(kind, request)
    return None if wait is None else too_many(request, kind, wait)
