"""Sign-in logging: successful and failed sign-ins and lockouts, with the client's address.

Connected once by AccountsConfig.ready().
"""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest

from accounts import limits
from accounts.models import Guess

logger = logging.getLogger("mireads.accounts")


def client_address(request: HttpRequest | None) -> str:
    """The address axes counts failures against (REMOTE_ADDR, as set by the proxy)."""
    if request is None:
        return "-"
    return request.META.get("REMOTE_ADDR") or "-"


def log_sign_in(sender, request, user, **kwargs) -> None:
    """Log a successful sign-in."""
    logger.info("sign-in user=%r ip=%s", user.get_username(), client_address(request))


def log_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    """Log a failed sign-in (Django has already masked the password in `credentials`)."""
    logger.warning(
        "failed sign-in username=%r ip=%s", credentials.get("username"), client_address(request)
    )


def count_failure_per_address(sender, credentials, request=None, **kwargs) -> None:
    """Count a failed sign-in (or old-password check) against the client's address."""
    limits.count(Guess.SIGN_IN_FAILURE, request)


def log_lockout(sender, request, username, ip_address, **kwargs) -> None:
    """Log a sign-in refused because of too many failures."""
    logger.warning("sign-in locked out username=%r ip=%s", username, ip_address)


def connect() -> None:
    """Connect the handlers; the dispatch_uids make a second call a no-op."""
    user_logged_in.connect(log_sign_in, dispatch_uid="mireads.accounts.log_sign_in")
    user_login_failed.connect(
        log_failed_sign_in, dispatch_uid="mireads.accounts.log_failed_sign_in"
    )
    user_login_failed.connect(
        count_failure_per_address, dispatch_uid="mireads.accounts.count_failure_per_address"
    )
    user_locked_out.connect(log_lockout, dispatch_uid="mireads.accounts.log_lockout")
