"""Turns a sign-in refused for its address (accounts.backends) into 429 with Retry-After,
whichever view asked for the password: the same answer at /accounts/login/ and /admin/login/."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts import limits
from accounts.models import Guess


class SignInLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        wait = getattr(request, "sign_in_refused_for", None)
        if wait is None:
            return response
        return limits.too_many(request, Guess.SIGN_IN_FAILURE, wait)
