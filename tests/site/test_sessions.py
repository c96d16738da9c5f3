"""Sessions are read in plain SQL (mireads/sessions.py): a reader stays signed in exactly while
their session is valid, on every database."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from mireads.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_signed_in_reader_stays_signed_in_and_the_session_is_one_query(
    client_as_reader, reader, django_assert_num_queries
):
    key = client_as_reader.cookies[settings.SESSION_COOKIE_NAME].value

    with django_assert_num_queries(1):
        loaded = SessionStore(session_key=key).load()

    assert loaded["_auth_user_id"] == str(reader.pk)
    assert reader.get_username() in client_as_reader.get("/").content.decode()


def test_an_expired_session_signs_the_reader_out(client_as_reader, reader):
    key = client_as_reader.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    page = client_as_reader.get("/").content.decode()

    assert "Sign in" in page and reader.get_username() not in page
    assert SessionStore(session_key=key).load() == {}


@pytest.mark.parametrize("key", ["nosuchsessionkeyatallxxxxxxxxxxx", "short", ""])
def test_an_unknown_or_malformed_session_cookie_is_a_visitor(key):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key

    page = client.get("/").content.decode()

    assert "Sign in" in page
    store = SessionStore(session_key=key)
    assert store.load() == {} and store.session_key is None


def test_a_session_is_written_and_read_back_as_django_writes_it():
    store = SessionStore()
    store["shelf"] = ["solu", "rome"]
    store.set_expiry(60)
    store.create()

    again = SessionStore(session_key=store.session_key)

    assert again["shelf"] == ["solu", "rome"]
    assert 0 < again.get_expiry_age() <= 60
