"""Accounts: sign up, sign in and out, password change and reset, lockouts, logging, the nav."""

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.urls import reverse

from accounts.mail import wait_for_outgoing
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
User = get_user_model()

PASSPHRASE = "correct horse battery staple forever"
LOCKOUT_MESSAGE = "too many failed sign-ins for this username from this address"
WRONG = {"password": "not the password at all"}


def signup_data(**overrides: str) -> dict:
    data = {
        "username": "margaret-hamilton",
        "email": "margaret@example.org",
        "password1": PASSPHRASE,
        "password2": PASSPHRASE,
    }
    data.update(overrides)
    return data


def sign_in(client, username: str, password: str, **extra):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def form_row(html: str, field_id: str) -> str:
    """The .form-row that holds the input with this id."""
    rows = [row for row in html.split('<div class="form-row">') if f'id="{field_id}"' in row]
    assert len(rows) == 1, f"no single .form-row holds #{field_id}"
    return rows[0]


def signed_in_username(client) -> str | None:
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id).get_username() if user_id else None


# Weak passwords for a reader called "margaret-hamilton", with the message each must show.
WEAK_PASSWORDS = [
    pytest.param("password1234", "This password is too common.", id="common"),
    pytest.param("margarethamilton1", "too similar to the username", id="like-the-username"),
    pytest.param("qz7!kd93mwx", "This password is too short", id="eleven-characters"),
    pytest.param("8394027561938", "This password is entirely numeric.", id="numeric"),
]


# --- Requirement 1: the URLs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("signup", "/accounts/signup/"),
        ("login", "/accounts/login/"),
        ("logout", "/accounts/logout/"),
        ("password-change", "/accounts/password/change/"),
        ("password-change-done", "/accounts/password/change/done/"),
        ("password-reset", "/accounts/password/reset/"),
        ("password-reset-done", "/accounts/password/reset/done/"),
        ("password-reset-complete", "/accounts/reset/done/"),
    ],
)
def test_account_urls_are_named_in_the_accounts_namespace(name, path):
    assert reverse(f"accounts:{name}") == path


def test_the_reset_confirm_url_takes_a_uid_and_a_token():
    url = reverse("accounts:password-reset-confirm", kwargs={"uidb64": "MQ", "token": "a-b"})
    assert url == "/accounts/reset/MQ/a-b/"


def test_signing_up_creates_the_account_and_signs_the_reader_in(client):
    response = client.post(reverse("accounts:signup"), signup_data())
    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(username="margaret-hamilton")
    assert user.email == "margaret@example.org"
    assert user.check_password(PASSPHRASE)
    assert signed_in_username(client) == "margaret-hamilton"


def test_signing_in_with_the_right_password_goes_home(client, reader):
    response = sign_in(client, "ada", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in_username(client) == "ada"


def test_a_wrong_password_shows_the_form_again_with_a_message(client, reader):
    response = sign_in(client, "ada", **WRONG)
    assert response.status_code == 200
    assert "That username and password do not match an account" in response.content.decode()
    assert signed_in_username(client) is None


def test_a_username_signs_in_whatever_its_case(client, reader):
    assert sign_in(client, "ADA", PASSWORD).status_code == 302
    assert signed_in_username(client) == "ada"


def test_signing_out_answers_405_to_get_and_keeps_the_reader_signed_in(client_as_reader):
    assert client_as_reader.get(reverse("accounts:logout")).status_code == 405
    assert signed_in_username(client_as_reader) == "ada"


def test_signing_out_by_post_ends_the_session_and_goes_home(client_as_reader):
    response = client_as_reader.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in_username(client_as_reader) is None


def test_changing_the_password_needs_a_signed_in_reader(client):
    response = client.get(reverse("accounts:password-change"))
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={reverse('accounts:password-change')}"


def test_changing_the_password_takes_the_old_one_and_a_new_one_twice(client_as_reader, reader):
    response = client_as_reader.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": PASSPHRASE, "new_password2": PASSPHRASE},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:password-change-done")
    assert "Password changed" in response.content.decode()
    reader.refresh_from_db()
    assert reader.check_password(PASSPHRASE)
    # Django keeps the session that changed the password signed in.
    assert signed_in_username(client_as_reader) == "ada"


def test_changing_the_password_refuses_a_wrong_old_password(client_as_reader, reader):
    response = client_as_reader.post(
        reverse("accounts:password-change"),
        {
            "old_password": "wrong wrong wrong",
            "new_password1": PASSPHRASE,
            "new_password2": PASSPHRASE,
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    reader.refresh_from_db()
    assert reader.check_password(PASSWORD)


# --- Requirement 2: password rules, unique usernames, email required ---------------------------


@pytest.mark.parametrize(("password", "message"), WEAK_PASSWORDS)
def test_signup_refuses_a_weak_password_with_a_visible_reason(client, password, message):
    response = client.post(
        reverse("accounts:signup"), signup_data(password1=password, password2=password)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="margaret-hamilton").exists()


def test_signup_accepts_a_long_passphrase(client):
    response = client.post(reverse("accounts:signup"), signup_data())
    assert response.status_code == 302
    assert User.objects.get(username="margaret-hamilton").check_password(PASSPHRASE)


@pytest.mark.parametrize(("password", "message"), WEAK_PASSWORDS)
def test_a_password_change_refuses_a_weak_password_with_a_visible_reason(client, password, message):
    user = UserFactory(username="margaret-hamilton")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(("password", "message"), WEAK_PASSWORDS)
def test_a_password_reset_refuses_a_weak_password_with_a_visible_reason(client, password, message):
    user = UserFactory(username="margaret-hamilton")
    set_password_url = follow_reset_link(client, user)
    response = client.post(set_password_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_signup_refuses_a_username_that_differs_only_in_case(client, reader):
    response = client.post(reverse("accounts:signup"), signup_data(username="Ada"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The username “Ada” is already taken (usernames ignore upper and lower case)" in html
    assert 'class="errorlist"' in form_row(html, "id_username")
    assert User.objects.filter(username__iexact="ada").count() == 1


def test_signup_requires_an_email_address(client):
    response = client.post(reverse("accounts:signup"), signup_data(email=""))
    assert response.status_code == 200
    assert "This field is required." in form_row(response.content.decode(), "id_email")
    assert not User.objects.filter(username="margaret-hamilton").exists()


# --- Requirement 3: `next` stays on the site --------------------------------------------------


def test_signing_in_honours_a_next_address_on_this_site(client, reader):
    response = client.post(
        f"{reverse('accounts:login')}?next=/papers/", {"username": "ada", "password": PASSWORD}
    )
    assert response.url == "/papers/"


def test_the_sign_in_form_carries_next_through_the_post(client, reader):
    html = client.get(f"{reverse('accounts:login')}?next=/papers/").content.decode()
    assert '<input type="hidden" name="next" value="/papers/">' in html
    response = client.post(
        reverse("accounts:login"), {"username": "ada", "password": PASSWORD, "next": "/papers/"}
    )
    assert response.url == "/papers/"


@pytest.mark.parametrize(
    "outside", ["https://evil.example/", "//evil.example", "/\\evil.example", "http:evil.example"]
)
def test_signing_in_ignores_a_next_address_off_the_site(client, reader, outside):
    response = client.post(
        reverse("accounts:login"), {"username": "ada", "password": PASSWORD, "next": outside}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_signing_up_honours_a_next_address_on_this_site(client):
    html = client.get(f"{reverse('accounts:signup')}?next=/papers/").content.decode()
    assert '<input type="hidden" name="next" value="/papers/">' in html
    response = client.post(reverse("accounts:signup"), signup_data(next="/papers/"))
    assert response.url == "/papers/"


@pytest.mark.parametrize("outside", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_signing_up_ignores_a_next_address_off_the_site(client, outside):
    response = client.post(f"{reverse('accounts:signup')}?next={outside}", signup_data())
    assert response.url == reverse("home")
    assert "evil" not in client.get(f"{reverse('accounts:signup')}?next={outside}").content.decode()


def test_a_signed_in_reader_who_opens_signup_is_sent_on(client_as_reader):
    response = client_as_reader.get(f"{reverse('accounts:signup')}?next=/papers/")
    assert response.url == "/papers/"


# --- Requirement 4: password reset by email ---------------------------------------------------


def follow_reset_link(client, user) -> str:
    """Ask for a reset for `user`, open the emailed link, and return the set-password address."""
    mail.outbox.clear()
    client.post(reverse("accounts:password-reset"), {"email": user.email})
    wait_for_outgoing()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    response = client.get(link.group(1))
    # Django swaps the token in the address for one kept in the session, then redirects.
    assert response.status_code == 302
    return response.url


def test_the_console_email_backend_is_the_default_mailer():
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("EMAIL_") and k != "SECRET_KEY"
    }
    environment["MIREADS_DEBUG"] = "true"
    result = subprocess.run(
        [sys.executable, "-c", "import mireads.settings as s; print(s.MAILERS['default'])"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "django.core.mail.backends.console.EmailBackend" in result.stdout, result.stderr


def test_a_reset_email_is_sent_and_its_link_sets_a_new_password(client, reader):
    response = client.post(reverse("accounts:password-reset"), {"email": "ada@example.org"})
    wait_for_outgoing()
    assert response.url == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    assert message.subject == "Reset your mireads password"

    set_password_url = follow_reset_link(client, reader)
    page = client.get(set_password_url).content.decode()
    assert "Choose a new password" in page
    assert 'autocomplete="new-password"' in page
    response = client.post(
        set_password_url, {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:password-reset-complete")
    assert reverse("accounts:login") in response.content.decode()

    assert sign_in(client, "ada", PASSWORD).status_code == 200
    assert sign_in(client, "ada", PASSPHRASE).status_code == 302


def test_a_used_reset_link_does_not_work_twice(client, reader):
    mail.outbox.clear()
    client.post(reverse("accounts:password-reset"), {"email": "ada@example.org"})
    wait_for_outgoing()
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    set_password_url = client.get(path).url
    client.post(set_password_url, {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})
    response = client.get(path, follow=True)
    assert "This link no longer works" in response.content.decode()


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, reader):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    wait_for_outgoing()
    assert response.url == reverse("accounts:password-reset-done")
    assert mail.outbox == []


# --- Requirement 5: lockouts ------------------------------------------------------------------


def fail_five_times(client, username: str = "ada", **extra) -> None:
    for _ in range(5):
        sign_in(client, username, **WRONG, **extra)


def test_five_failures_lock_the_username_even_with_the_right_password(client, reader):
    for _ in range(4):
        assert sign_in(client, "ada", **WRONG).status_code == 200
    sign_in(client, "ada", **WRONG)
    response = sign_in(client, "ada", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKOUT_MESSAGE in html
    assert "Try again in 15 minutes" in html
    assert reverse("accounts:password-reset") in html
    assert signed_in_username(client) is None


def test_a_lockout_leaves_another_username_from_the_same_address_alone(
    client, reader, other_reader
):
    fail_five_times(client)
    assert sign_in(client, "grace", PASSWORD).status_code == 302
    assert signed_in_username(client) == "grace"


def test_a_lockout_leaves_the_same_username_from_another_address_alone(client, reader):
    fail_five_times(client, REMOTE_ADDR="198.51.100.7")
    assert sign_in(client, "ada", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert sign_in(client, "ada", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_a_forged_x_forwarded_for_neither_spreads_nor_dodges_the_count(client, reader):
    for n in range(5):
        sign_in(client, "ada", **WRONG, headers={"X-Forwarded-For": f"192.0.2.{n}"})
    response = sign_in(client, "ada", PASSWORD, headers={"X-Forwarded-For": "192.0.2.200"})
    assert response.status_code == 429
    assert signed_in_username(client) is None


def test_case_variants_of_a_username_share_one_count(client, reader):
    for username in ["Ada", "aDa", "adA", "ADA", "AdA"]:
        sign_in(client, username, **WRONG)
    assert sign_in(client, "ada", PASSWORD).status_code == 429


def test_the_lockout_message_reaches_an_htmx_post(client, reader):
    fail_five_times(client)
    response = sign_in(client, "ada", PASSWORD, headers={"HX-Request": "true"})
    assert response.status_code == 429
    assert LOCKOUT_MESSAGE in response.content.decode()


def test_the_lockout_page_says_what_the_cooloff_setting_does():
    # locked_out.html promises 15 minutes: change both together.
    assert settings.AXES_COOLOFF_TIME * 60 == 15
    assert settings.AXES_FAILURE_LIMIT == 5


def test_a_password_reset_lifts_the_lockout(client, reader):
    fail_five_times(client)
    set_password_url = follow_reset_link(client, reader)
    client.post(set_password_url, {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})
    assert sign_in(client, "ada", PASSPHRASE).status_code == 302


# --- Requirement 6: logging -------------------------------------------------------------------


def test_sign_ins_failures_and_lockouts_are_logged_once_each(client, reader, caplog):
    caplog.set_level(logging.INFO, logger="mireads")
    sign_in(client, "ada", PASSWORD)
    client.post(reverse("accounts:logout"))
    for _ in range(5):
        sign_in(client, "ada", **WRONG)
    sign_in(client, "ada", PASSWORD)

    lines = [r.getMessage() for r in caplog.records if r.name.startswith("mireads")]
    assert all(r.name == "mireads.accounts" for r in caplog.records if r.name.startswith("mireads"))
    assert lines.count("sign-in user='ada' ip=127.0.0.1") == 1
    # Five wrong passwords, then the right one refused by the lockout.
    assert lines.count("failed sign-in username='ada' ip=127.0.0.1") == 6
    assert lines.count("sign-in locked out username='ada' ip=127.0.0.1") >= 1
    assert not any(PASSWORD in line or WRONG["password"] in line for line in caplog.messages)


def test_signing_up_is_logged_as_a_sign_in(client, caplog):
    caplog.set_level(logging.INFO, logger="mireads")
    client.post(reverse("accounts:signup"), signup_data())
    assert "sign-in user='margaret-hamilton' ip=127.0.0.1" in caplog.messages


# --- Requirement 7: the account part of the nav -----------------------------------------------


def account_nav(html: str) -> str:
    return html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]


def test_the_nav_offers_sign_in_and_sign_up_to_visitors(client):
    nav = account_nav(client.get(reverse("accounts:password-reset")).content.decode())
    assert f'<li><a href="{reverse("accounts:login")}">Sign in</a></li>' in nav
    assert f'<li><a href="{reverse("accounts:signup")}">Sign up</a></li>' in nav
    assert "Sign out" not in nav


def test_the_nav_shows_a_signed_in_reader_their_name_data_and_a_sign_out_button(client_as_reader):
    nav = account_nav(client_as_reader.get(reverse("accounts:password-change")).content.decode())
    assert '<li><span class="muted">ada</span></li>' in nav
    assert '<li><a href="/account/export/">Your data</a></li>' in nav
    sign_out = re.search(r"<li><form (.*?)</form></li>", nav, re.S)
    assert sign_out
    assert f'method="post" action="{reverse("accounts:logout")}"' in sign_out.group(1)
    assert 'name="csrfmiddlewaretoken"' in sign_out.group(1)
    assert '<button type="submit" class="link-button">Sign out</button>' in sign_out.group(1)
    assert "Sign in" not in nav


# --- Forms: labels, autocomplete, errors by their fields ---------------------------------------


def test_the_sign_in_form_is_labelled_and_autocompletes(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'class="auth-form"' in html
    assert '<label for="id_username">' in form_row(html, "id_username")
    assert 'autocomplete="username"' in form_row(html, "id_username")
    assert '<label for="id_password">' in form_row(html, "id_password")
    assert 'autocomplete="current-password"' in form_row(html, "id_password")


def test_the_signup_form_is_labelled_and_autocompletes(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    assert 'class="auth-form"' in html
    for field_id, autocomplete in [
        ("id_username", "username"),
        ("id_email", "email"),
        ("id_password1", "new-password"),
        ("id_password2", "new-password"),
    ]:
        row = form_row(html, field_id)
        assert f'<label for="{field_id}">' in row
        assert f'autocomplete="{autocomplete}"' in row


def test_the_password_change_form_autocompletes(client_as_reader):
    html = client_as_reader.get(reverse("accounts:password-change")).content.decode()
    assert 'autocomplete="current-password"' in form_row(html, "id_old_password")
    assert 'autocomplete="new-password"' in form_row(html, "id_new_password1")


def test_the_password_reset_form_autocompletes(client):
    html = client.get(reverse("accounts:password-reset")).content.decode()
    assert 'autocomplete="email"' in form_row(html, "id_email")


def test_a_password_error_sits_by_its_field(client):
    response = client.post(
        reverse("accounts:signup"), signup_data(password1="password1234", password2="password1234")
    )
    row = form_row(response.content.decode(), "id_password2")
    assert 'class="errorlist" id="id_password2_error"' in row
    assert 'aria-invalid="true"' in row


def test_the_account_pages_need_no_database_query_to_show(client, django_assert_max_num_queries):
    for name in ["login", "signup", "password-reset"]:
        with django_assert_max_num_queries(0):
            assert client.get(reverse(f"accounts:{name}")).status_code == 200


def test_a_wrong_sign_in_does_not_claim_usernames_are_case_sensitive(client, reader):
    response = client.post(reverse("accounts:login"), {"username": "ada", "password": "wrong"})
    html = " ".join(response.content.decode().split())
    assert "usernames are not" in html
    assert "both fields may be case-sensitive" not in html


def test_entries_set_back_to_unread_are_not_counted_as_having_a_status(client_as_reader, reader):
    from catalogue.models import Paper
    from progress import services
    from tests.factories import PaperFactory

    first, second = PaperFactory(), PaperFactory()
    services.set_status(reader=reader, paper=first, status="reading")
    services.set_status(reader=reader, paper=second, status="reading")
    services.set_status(reader=reader, paper=second, status="unread")
    assert Paper.objects.count() == 2
    html = " ".join(client_as_reader.get(reverse("accounts:export")).content.decode().split())
    assert "1 entry with a status" in html


def test_the_import_help_names_the_file_the_export_downloads(client_as_reader):
    html = client_as_reader.get(reverse("accounts:import")).content.decode()
    assert "mireads-YYYY-MM-DD.json" in html


def test_the_export_page_describes_each_download_in_its_styled_list(client_as_reader):
    html = client_as_reader.get(reverse("accounts:export")).content.decode()
    assert '<dl class="downloads">' in html
    css = (ROOT / "static" / "css" / "mireads.css").read_text()
    assert ".downloads dt" in css and ".downloads dd" in css
