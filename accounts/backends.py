"""The per-address sign-in limit, inside authenticate(): whichever form asks for a password (the
sign-in page, the admin's sign-in, the password-change and delete forms), an address past its
limit is refused before any password is checked, exactly as django-axes refuses a locked-out
username. accounts.middleware.SignInLimitMiddleware turns the refusal into a 429."""

from django.core.exceptions import PermissionDenied

from accounts import limits
from accounts.models import Guess


class AddressLimitBackend:
    """Checks; never signs anyone in (it returns None or raises). No get_user(): no session
    ever names this backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        wait = limits.retry_after(Guess.SIGN_IN_FAILURE, request)
        if wait is None:
            return None
        request.sign_in_refused_for = wait
        # authenticate() stops at PermissionDenied and sends user_login_failed, as for axes.
        raise PermissionDenied("Too many failed sign-ins from this address.")
