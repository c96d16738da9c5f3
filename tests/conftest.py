"""Fixtures shared by the whole suite."""

import re
import threading

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


class WriteAroundTheConstruct(AssertionError):
    """A request wrote a reader's table outside progress.writes' construct."""


_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)', re.IGNORECASE)


@pytest.fixture(autouse=True)
def every_reader_write_goes_through_the_construct():
    """Watch every statement a request of this test runs (in this thread): one that writes a
    reader's table outside progress.writes' construct fails the test, naming the table and the
    statement. So any new writer that goes around it is found by the test that exercises it."""
    from django.core.signals import request_finished, request_started
    from django.db import connection

    from progress.writes import accounted_for, reader_tables

    tables = reader_tables()
    local = threading.local()
    me = threading.get_ident()

    def started(**kwargs):
        if threading.get_ident() == me:
            local.serving = True

    def finished(**kwargs):
        if threading.get_ident() == me:
            local.serving = False

    def watch(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        found = _WRITE.match(sql)
        # A statement that changed no row (a cascade with nothing to delete) wrote nothing.
        if (
            found and found[1] in tables and getattr(local, "serving", False)
            and not accounted_for() and context["cursor"].rowcount
        ):  # fmt: skip
            raise WriteAroundTheConstruct(
                f"A request wrote {found[1]} outside the write construct: make the service "
                f"@writes_reader (progress/writes.py). Statement: {sql[:120]}"
            )
        return result

    request_started.connect(started, weak=False)
    request_finished.connect(finished, weak=False)
    try:
        with connection.execute_wrapper(watch):
            yield
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)


@pytest.fixture
def further_list(real_catalogue, tmp_path):
    """Make a published further curriculum, `slug`, that cites the shipped list's works named by
    `cites` (entry slugs) and advises each one's first part at `level`: a function."""
    import json

    from catalogue.models import Curriculum, Paper

    def make(slug: str = "second", cites=("mathematical-framework",), level: str = "skim"):
        records = [
            {"model": "catalogue.curriculum",
             "fields": {"slug": slug, "title": f"The {slug} list", "ordering": "topics"}},
            {"model": "catalogue.edition",
             "fields": {"number": 1, "note": "First", "published_at": "2026-12-01T00:00:00Z"}},
            {"model": "catalogue.section",
             "fields": {"title": "Circuits", "slug": f"{slug}-circuits", "priority": 1,
                        "position": 1}},
        ]  # fmt: skip
        for position, cited in enumerate(cites, start=1):
            paper = Paper.objects.get(slug=cited)
            part = paper.advice.order_by("position").first()
            entry = f"{slug}-{cited}"
            records += [
                {"model": "catalogue.paper",
                 "fields": {"section": [f"{slug}-circuits"], "position": position, "slug": entry,
                            "title": paper.title, "url": paper.url}},
                {"model": "catalogue.work",
                 "fields": {"slug": f"{entry}-work", "kind": "article", "title": paper.title,
                            "url": paper.url}},
                {"model": "catalogue.citation",
                 "fields": {"entry": [entry], "work": [f"{entry}-work"], "position": 1,
                            "role": "main"}},
            ]  # fmt: skip
            if part is not None:
                records.append(
                    {"model": "catalogue.advice",
                     "fields": {"paper": [entry], "key": part.key, "position": 1, "level": level,
                                "part": part.part}}
                )  # fmt: skip
        path = tmp_path / f"{slug}.json"
        path.write_text(json.dumps(records), encoding="utf-8")
        catalogue_fixture.load_file(path)
        return Curriculum.objects.get(slug=slug)

    return make
