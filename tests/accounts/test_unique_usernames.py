"""Usernames are unique whatever their case, in the database: racing sign-ups make one account."""

import importlib
import threading
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from accounts.forms import SignupForm
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSPHRASE = "correct horse battery staple forever"
migration = importlib.import_module("accounts.migrations.0001_usernames_unique_ignoring_case")


def signup_data(username: str) -> dict:
    return {
        "username": username,
        "email": f"{username}@example.org",
        "password1": PASSPHRASE,
        "password2": PASSPHRASE,
    }


def test_the_database_refuses_a_username_that_differs_only_in_case(reader):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="ADA")
    assert User.objects.filter(username__iexact="ada").count() == 1


def test_a_sign_up_that_loses_the_race_gets_the_taken_message_not_an_error(
    client, reader, monkeypatch
):
    # As if the form's check ran a moment before the other sign-up was written.
    monkeypatch.setattr(SignupForm, "clean_username", lambda form: form.cleaned_data["username"])
    response = client.post(reverse("accounts:signup"), signup_data("Ada"))
    assert response.status_code == 200
    assert "already taken" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.filter(username__iexact="ada").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_with_case_variants_make_one_account():
    assert not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    variants = ["turing", "Turing", "TURING", "tUring", "turinG", "TuRiNg"]
    barrier = threading.Barrier(len(variants))
    codes, errors = {}, []

    def sign_up(name: str) -> None:
        try:
            client = Client(raise_request_exception=True)
            barrier.wait()
            codes[name] = client.post(reverse("accounts:signup"), signup_data(name)).status_code
        except Exception as error:
            errors.append(f"{name}: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(name,)) for name in variants]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    assert User.objects.filter(username__iexact="turing").count() == 1
    assert sorted(codes.values()) == [200] * (len(variants) - 1) + [302]


def test_the_migration_renames_later_case_clashes_and_keeps_the_oldest_name(capsys):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {migration.INDEX}")
    first = UserFactory(username="ada")
    second = UserFactory(username="Ada")
    third = UserFactory(username="ADA")
    other = UserFactory(username="grace")

    migration.rename_case_clashes(apps, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE UNIQUE INDEX {migration.INDEX} ON auth_user (LOWER(username))")

    names = dict(User.objects.values_list("pk", "username"))
    assert names[first.pk] == "ada"
    assert names[second.pk] == f"Ada-{second.pk}"
    assert names[third.pk] == f"ADA-{third.pk}"
    assert names[other.pk] == "grace"
    assert f"renamed 'Ada-{second.pk}'" in capsys.readouterr().out
    third.refresh_from_db()
    assert third.check_password(PASSWORD)
