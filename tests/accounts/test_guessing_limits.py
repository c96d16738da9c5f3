"""Limits on guessing: the lockout's records, the password-change lockout, per-address limits on
signing in and up, and password resets that answer alike for known and unknown addresses."""

import threading
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import limits
from accounts.mail import wait_for_outgoing
from accounts.models import AddressCount, Guess
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
User = get_user_model()

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


# --- The password-change form's old password counts towards the lockout -------------------------


def change_password(client, old: str):
    new = "an entirely new passphrase for ada"
    return client.post(
        reverse("accounts:password-change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_wrong_old_passwords_count_towards_the_sign_in_lockout(client_as_reader, client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert change_password(client_as_reader, WRONG).status_code == 200
    # The fifth wrong guess, made at sign-in, locks the username for this address.
    assert sign_in(client, "ada", WRONG).status_code == 429
    assert sign_in(client, "ada", PASSWORD).status_code == 429


def test_a_locked_out_username_cannot_test_passwords_through_the_change_form(
    client_as_reader, client
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ada", WRONG)
    response = change_password(client_as_reader, PASSWORD)
    assert response.status_code == 429
    assert "too many failed sign-ins" in response.content.decode()


def test_the_right_old_password_still_changes_it(client_as_reader, reader):
    response = change_password(client_as_reader, PASSWORD)
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.check_password("an entirely new passphrase for ada")


# --- Per client address, across usernames --------------------------------------------------------


@pytest.fixture
def tight_limits(settings):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = (6, 900)
    settings.SIGN_UPS_PER_ADDRESS = (3, 3600)
    return settings


def test_failed_sign_ins_across_usernames_are_limited_per_address(client, tight_limits):
    here = {"REMOTE_ADDR": "198.51.100.7"}
    for index in range(6):
        assert sign_in(client, f"name-{index}", WRONG, **here).status_code == 200
    response = sign_in(client, "someone-else", WRONG, **here)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 900
    assert "too many failed sign-ins from this address" in response.content.decode()
    # Another address is untouched.
    assert sign_in(client, "someone-else", WRONG, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_the_per_address_limit_also_stops_the_right_password(client, reader, tight_limits):
    for index in range(6):
        sign_in(client, f"name-{index}", WRONG)
    assert sign_in(client, "ada", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_behind_trusted_proxies_the_limit_counts_the_forwarded_address(client, tight_limits):
    tight_limits.MIREADS_PROXY_COUNT = 1
    for index in range(6):
        sign_in(client, f"name-{index}", WRONG, HTTP_X_FORWARDED_FOR="198.51.100.7")
    forwarded = sign_in(client, "x", WRONG, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert forwarded.status_code == 429
    assert sign_in(client, "x", WRONG, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200


def signup_data(username: str) -> dict:
    passphrase = "correct horse battery staple forever"
    return {
        "username": username,
        "email": f"{username}@example.org",
        "password1": passphrase,
        "password2": passphrase,
    }


def test_sign_ups_are_limited_per_address(tight_limits):
    for index in range(3):
        client = Client(REMOTE_ADDR="198.51.100.7")
        response = client.post(reverse("accounts:signup"), signup_data(f"reader-{index}"))
        assert response.status_code == 302
    response = Client(REMOTE_ADDR="198.51.100.7").post(
        reverse("accounts:signup"), signup_data("one-too-many")
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert not User.objects.filter(username="one-too-many").exists()
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(reverse("accounts:signup"), signup_data("elsewhere")).status_code == 302


def test_an_htmx_sign_in_over_the_limit_gets_the_message_in_the_flash_area(client, tight_limits):
    for index in range(6):
        sign_in(client, f"name-{index}", WRONG)
    response = sign_in(client, "x", WRONG, headers={"HX-Request": "true"})
    assert response.status_code == 429
    assert response["HX-Retarget"] == "#flash"


def test_old_windows_are_forgotten_as_the_address_writes_again(rf, tight_limits):
    request = rf.post("/", REMOTE_ADDR="198.51.100.7")
    earlier = timezone.now() - timedelta(hours=2)
    limits.count(Guess.SIGN_IN_FAILURE, request, now=earlier)
    limits.count(Guess.SIGN_IN_FAILURE, request)
    assert AddressCount.objects.count() == 1


# --- Password reset answers alike for known and unknown addresses -------------------------------


def test_password_reset_mail_is_sent_after_the_answer_not_during_it(client, reader, monkeypatch):
    order, released = [], threading.Event()

    def slow_send(message, *args, **kwargs):
        released.wait(5)
        order.append("sent")
        return 1

    monkeypatch.setattr(EmailMultiAlternatives, "send", slow_send)
    response = client.post(reverse("accounts:password-reset"), {"email": "ada@example.org"})
    order.append("answered")
    released.set()
    wait_for_outgoing()
    assert response.status_code == 302
    assert order == ["answered", "sent"]


def test_known_and_unknown_addresses_get_the_same_answer_with_the_same_queries(
    client, reader, monkeypatch
):
    monkeypatch.setattr(EmailMultiAlternatives, "send", lambda message, *a, **k: 1)
    answers = []
    # Each from its own address, so that both start their per-address count alike.
    for email, address in [("ada@example.org", "192.0.2.1"), ("nobody@example.org", "192.0.2.2")]:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                reverse("accounts:password-reset"), {"email": email}, REMOTE_ADDR=address
            )
        answers.append((response.status_code, response["Location"], len(queries)))
    wait_for_outgoing()
    assert answers[0] == answers[1]


# --- Every way in is limited alike: the admin's sign-in -------------------------------------------


def admin_sign_in(client, username: str, password: str, **extra):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        **extra,
    )


def test_the_admin_sign_in_refuses_an_address_past_its_limit_even_with_the_right_password(
    client, staff, tight_limits
):
    for index in range(6):
        sign_in(client, f"name-{index}", WRONG)
    assert sign_in(client, "x", WRONG).status_code == 429

    response = admin_sign_in(client, staff.username, PASSWORD)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 900
    assert "too many failed sign-ins from this address" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_at_the_admin_count_towards_the_same_per_address_limit(client, tight_limits):
    for index in range(6):
        assert admin_sign_in(client, f"name-{index}", WRONG).status_code == 200
    assert admin_sign_in(client, "name-7", WRONG).status_code == 429
    assert sign_in(client, "someone", WRONG).status_code == 429
    assert admin_sign_in(client, "x", WRONG, REMOTE_ADDR="203.0.113.9").status_code == 200


def test_the_lockout_is_shared_and_counts_every_spelling_of_the_name(client, staff):
    name = staff.username
    for index in range(settings.AXES_FAILURE_LIMIT):
        spelling = name.upper() if index % 2 else name
        admin_sign_in(client, spelling, WRONG)

    assert admin_sign_in(client, name, PASSWORD).status_code == 429
    assert sign_in(client, name.upper(), PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


# --- Password resets: limited per address and per account, a bounded queue, the site's host ------


def reset(client, email: str, **extra):
    return client.post(reverse("accounts:password-reset"), {"email": email}, **extra)


@pytest.fixture
def quiet_mail(monkeypatch):
    """Mail counted instead of sent; mail queued by other tests is sent before and after."""
    wait_for_outgoing()
    sent = []
    monkeypatch.setattr(EmailMultiAlternatives, "send", lambda message, *a, **k: sent.append(1))
    yield sent
    wait_for_outgoing()


def test_password_resets_are_limited_per_address(client, reader, settings, quiet_mail):
    settings.PASSWORD_RESETS_PER_ADDRESS = (3, 3600)
    for index in range(3):
        assert reset(client, f"someone-{index}@example.org").status_code == 302
    refused = reset(client, "ada@example.org")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "too many password-reset requests from this address" in refused.content.decode()
    assert reset(client, "ada@example.org", REMOTE_ADDR="203.0.113.9").status_code == 302


def test_one_account_gets_a_bounded_number_of_reset_mails_and_the_same_answer(
    client, reader, settings, quiet_mail
):
    settings.PASSWORD_RESETS_PER_ACCOUNT = (2, 3600)
    answers = [
        reset(client, "ADA@example.org", REMOTE_ADDR=f"198.51.100.{n}")["Location"]
        for n in range(1, 6)
    ]
    wait_for_outgoing()
    assert len(set(answers)) == 1
    assert len(quiet_mail) == 2


def test_reset_mail_goes_through_a_fixed_pool_and_a_full_queue_drops_and_logs(
    client, reader, settings, monkeypatch, caplog
):
    from accounts import mail

    settings.PASSWORD_RESETS_PER_ADDRESS = settings.PASSWORD_RESETS_PER_ACCOUNT = (100, 3600)
    settings.MAIL_WORKERS, settings.MAIL_QUEUE_SIZE = 1, 3
    monkeypatch.setattr(mail, "_outgoing", None)  # a pool of its own, made on first use
    silent_server, sent = threading.Event(), []

    def hanging_send(message, *args, **kwargs):
        silent_server.wait(10)
        sent.append(1)

    monkeypatch.setattr(EmailMultiAlternatives, "send", hanging_send)
    before = threading.active_count()
    answers = {reset(client, "ada@example.org").status_code for _ in range(20)}

    assert answers == {302}
    assert threading.active_count() <= before + 1  # one worker, never a thread per request
    dropped = [r for r in caplog.records if "mail queue full" in r.getMessage()]
    assert len(dropped) == 20 - 1 - 3  # one being sent, three waiting
    silent_server.set()
    mail.wait_for_outgoing()
    assert len(sent) == 4


def test_the_reset_link_is_on_the_configured_site_not_the_requests_host(
    client, reader, settings, monkeypatch
):
    from django.core import mail as outbox

    settings.SITE_URL = "https://mireads.example.org"
    wait_for_outgoing()  # nothing another test queued may land in the outbox below
    outbox.outbox.clear()
    reset(client, "ada@example.org", HTTP_HOST="localhost:6666")
    wait_for_outgoing()
    (message,) = outbox.outbox
    assert "https://mireads.example.org/accounts/reset/" in message.body
    assert "localhost" not in message.body


@pytest.mark.parametrize(
    ("url", "hosts", "https", "debug", "expected"),
    [
        (
            "",
            ["mireads.example.org", "www.example.org"],
            True,
            False,
            "https://mireads.example.org",
        ),
        ("", ["127.0.0.1"], False, False, "http://127.0.0.1"),
        ("", [], False, True, "http://127.0.0.1:8000"),
        (
            "https://mireads.example.org:8443/",
            ["x"],
            True,
            False,
            "https://mireads.example.org:8443",
        ),
    ],
)
def test_the_site_address_is_configured_or_derived_from_the_first_allowed_host(
    url, hosts, https, debug, expected
):
    from mireads.settings import site_url_from

    assert site_url_from(url, hosts=hosts, https=https, debug=debug) == expected


@pytest.mark.parametrize(
    ("url", "hosts"),
    [
        ("", [".example.org"]),
        ("", ["*"]),
        ("ftp://x.example", ["x"]),
        ("https://x.example/a", ["x"]),
    ],
)
def test_a_site_address_that_cannot_be_trusted_stops_start_up(url, hosts):
    from django.core.exceptions import ImproperlyConfigured

    from mireads.settings import site_url_from

    with pytest.raises(ImproperlyConfigured, match="MIREADS_SITE_URL"):
        site_url_from(url, hosts=hosts, https=True, debug=False)
