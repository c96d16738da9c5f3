"""Limits on guessing: the lockout's records, the password-change lockout, per-address limits on
signing in and up, and password resets that answer alike for known and unknown addresses."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not the password at all"


def sign_in(client, username: str, password: str, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def sign_in_records(username: str) -> int:
    return sum(
        records.objects.filter(username__iexact=username).count()
        for records in (AccessAttempt, AccessFailureLog, AccessLog)
    )


def test_deleting_an_account_also_removes_its_sign_in_attempt_records(client, reader):
    sign_in(client, "ada", WRONG)
    sign_in(client, "ada", PASSWORD)
    sign_in(client, "ada", WRONG)
    assert sign_in_records("ada") > 0
    other = client.__class__()
    sign_in(other, "grace", WRONG)

    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})

    assert response.status_code == 200
    assert sign_in_records("ada") == 0
    assert sign_in_records("grace") > 0
