"""The lists a reader follows, and the ones they stopped following, travel in the JSON export and
come back with the import (issue 25, point 5: the export carries the curriculum context)."""

import json

import pytest
from django.urls import reverse

from catalogue import editions
from catalogue.models import Curriculum
from progress import services
from progress.models import is_following
from tests.accounts.test_portability import upload
from tests.factories import CurriculumFactory, PaperFactory, SectionFactory, UserFactory


def _published(title: str) -> Curriculum:
    curriculum = CurriculumFactory(title=title)
    PaperFactory(section=SectionFactory(curriculum=curriculum), title=f"Paper of {title}")
    editions.publish(note="First", curriculum=curriculum)
    return curriculum


@pytest.mark.django_db
def test_the_lists_followed_and_unfollowed_survive_export_and_import_into_a_new_account(client):
    reader = UserFactory(username="ada")
    second = _published("A second list")
    default = Curriculum.objects.default()
    services.set_following(reader=reader, curriculum=second, following=True)
    services.set_following(reader=reader, curriculum=default, following=False)
    client.force_login(reader)
    exported = client.get(reverse("accounts:export-json")).getvalue()
    follows = {f["curriculum"]: f["following"] for f in json.loads(exported)["follows"]}
    assert follows == {second.slug: True, default.slug: False}

    newcomer = UserFactory(username="newcomer")
    client.force_login(newcomer)
    assert upload(client, exported).status_code == 200

    assert is_following(newcomer, second)
    assert not is_following(newcomer, default)
    assert client.get("/lists/").text.count("You follow it") == 1


@pytest.mark.django_db
def test_a_followed_list_this_server_does_not_publish_is_left_out_and_a_bad_value_refused(client):
    reader = UserFactory(username="ada")
    client.force_login(reader)
    document = {"schema": "mireads-export", "version": 1, "entries": [],
                "follows": [{"curriculum": "unknown-list", "following": True}]}  # fmt: skip
    exported = client.get(reverse("accounts:export-json")).getvalue()
    document = {**json.loads(exported), "follows": document["follows"]}

    assert upload(client, json.dumps(document).encode()).status_code == 200
    assert not reader.follows.exists()

    document["follows"] = [{"curriculum": "unknown-list", "following": "yes"}]
    refused = upload(client, json.dumps(document).encode())
    assert "follows[0].following" in refused.text and "expected true or false" in refused.text
    assert not reader.follows.exists()
