"""Fixtures shared by the whole suite."""

import pytest

from catalogue import fixture as catalogue_fixture
from tests.factories import PASSWORD, AdviceFactory, PaperFactory, UserFactory
from tests.world import World, build_world


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is slow by design; tests that are not about it need not pay for it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reader(db):
    return UserFactory(username="ada")


@pytest.fixture
def other_reader(db):
    return UserFactory(username="grace")


@pytest.fixture
def staff(db):
    return UserFactory(username="staffer", is_staff=True, is_superuser=True)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def paper(db):
    paper = PaperFactory(slug="zoom-in", title="Zoom In: An Introduction to Circuits")
    AdviceFactory(paper=paper, position=1, part="All of it")
    return paper


@pytest.fixture
def client_as_reader(client, reader):
    client.force_login(reader)
    return client


@pytest.fixture
def real_catalogue(db):
    """The shipped reading list, loaded from fixtures/papers.json."""
    catalogue_fixture.load_file()


@pytest.fixture
def world(db) -> World:
    """An owner with a status, tick, note and group on one entry; another reader; staff."""
    return build_world()
