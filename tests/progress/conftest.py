"""Fixtures the progress tests share."""

import pytest

from tests.factories import UserFactory


@pytest.fixture
def ada(real_catalogue, client):
    """A reader of the shipped list, signed in on `client`."""
    reader = UserFactory(username="ada")
    client.force_login(reader)
    return reader
