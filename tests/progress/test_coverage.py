"""A curriculum's page tells a signed-in reader how much of it their record already covers,
before they follow it (issue 25, points 3 and 4): one record whichever list it was read for,
depth carried over one way, a skip kept to its own list, and the one counting rule."""

import json

import pytest
from django.urls import reverse

from catalogue import fixture
from catalogue.models import Curriculum, Paper
from progress import services
from progress.coverage import coverage
from progress.models import PartTick, ReadingState, Status, is_following
from tests.factories import UserFactory

FRAMEWORK = "mathematical-framework"


def _second_list(tmp_path, level: str = "skim", key: str | None = None) -> Curriculum:
    """A further curriculum that cites A Mathematical Framework (by its arXiv-free link) and asks
    for one of its parts at `level`."""
    framework = Paper.objects.get(slug=FRAMEWORK)
    part = framework.advice.order_by("position").first()
    records = [
        {"model": "catalogue.curriculum",
         "fields": {"slug": "second", "title": "A second list", "ordering": "topics"}},
        {"model": "catalogue.edition",
         "fields": {"number": 1, "note": "First", "published_at": "2026-12-01T00:00:00Z"}},
        {"model": "catalogue.section",
         "fields": {"title": "Circuits", "slug": "second-circuits", "priority": 1, "position": 1}},
        {"model": "catalogue.paper",
         "fields": {"section": ["second-circuits"], "position": 1, "slug": "second-framework",
                    "title": framework.title, "url": framework.url}},
        {"model": "catalogue.work",
         "fields": {"slug": "second-framework-work", "kind": "article",
                    "title": framework.title, "url": framework.url}},
        {"model": "catalogue.citation",
         "fields": {"entry": ["second-framework"], "work": ["second-framework-work"],
                    "position": 1, "role": "main"}},
        {"model": "catalogue.advice",
         "fields": {"paper": ["second-framework"], "key": key or part.key, "position": 1,
                    "level": level, "part": part.part}},
    ]  # fmt: skip
    path = tmp_path / "second.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    fixture.load_file(path)
    return Curriculum.objects.get(slug="second")


@pytest.fixture
def reader(real_catalogue):
    return UserFactory(username="ada")


def _tick_all_deep_parts(reader) -> None:
    framework = Paper.objects.get(slug=FRAMEWORK)
    keys = {advice.key for advice in framework.advice.filter(level="deep")}
    services.set_parts_done(reader=reader, paper=framework, shown=keys, done=keys)


def test_a_part_read_deeply_for_one_list_satisfies_a_skim_of_it_in_another(reader, tmp_path):
    second = _second_list(tmp_path, level="skim")
    _tick_all_deep_parts(reader)

    (entry,) = coverage(reader, second).entries

    assert entry.progress.done == entry.progress.weight
    assert entry.source.slug == FRAMEWORK


def test_a_skim_never_satisfies_deeply_engage_elsewhere(reader, tmp_path):
    framework = Paper.objects.get(slug=FRAMEWORK)
    part = framework.advice.order_by("position").first()
    second = _second_list(tmp_path, level="deep")
    # The shipped list is edited to ask for a skim of that part, which the reader then ticks.
    type(part).objects.filter(pk=part.pk).update(level="skim")
    services.set_parts_done(reader=reader, paper=framework, shown={part.key}, done={part.key})

    (entry,) = coverage(reader, second).entries

    assert entry.progress.ticked == entry.progress.done == 0


def test_reading_a_work_for_one_list_counts_in_another_and_a_skip_says_nothing_about_it(
    reader, tmp_path
):
    second = _second_list(tmp_path)
    framework = Paper.objects.get(slug=FRAMEWORK)
    services.set_status(reader=reader, paper=framework, status=Status.READ)
    assert coverage(reader, second).entries[0].progress.status == Status.READ

    # Skipped later in the shipped list: that list's decision; the reading stands elsewhere.
    services.set_status(reader=reader, paper=framework, status=Status.SKIPPED)
    assert coverage(reader, second).entries[0].progress.status == Status.READ
    assert ReadingState.objects.get(reader=reader, paper=framework, status="skipped")


def test_a_skip_of_an_unread_work_leaves_it_unread_in_another_list(reader, tmp_path):
    second = _second_list(tmp_path)
    framework = Paper.objects.get(slug=FRAMEWORK)
    services.set_status(reader=reader, paper=framework, status=Status.SKIPPED)

    assert coverage(reader, second).entries[0].progress.status == Status.UNREAD


def test_a_curriculum_page_shows_a_signed_in_reader_their_coverage_before_following(
    reader, tmp_path, client
):
    second = _second_list(tmp_path)
    _tick_all_deep_parts(reader)
    client.force_login(reader)

    page = client.get(second.get_absolute_url()).text

    assert "What you have already read covers" in page
    assert "100%" in page
    assert '<span class="status-mark">Every part covered</span>' in page


def test_a_visitor_sees_the_curriculum_without_any_coverage(real_catalogue, tmp_path, client):
    second = _second_list(tmp_path)

    page = client.get(second.get_absolute_url()).text

    assert "A second list" in page
    assert "What you have already read covers" not in page


@pytest.mark.parametrize("ticked", [1, 6])
def test_coverage_takes_the_same_queries_whatever_the_readers_record(
    reader, tmp_path, ticked, django_assert_num_queries
):
    second = _second_list(tmp_path)
    for paper in Paper.objects.of().in_reading_order()[:ticked]:
        services.set_status(reader=reader, paper=paper, status=Status.READING)

    # The curriculum's entries and their parts; the record: statuses, ticks, notes, main works.
    with django_assert_num_queries(6):
        coverage(reader, second)


# --- Following ------------------------------------------------------------------------------------


def test_a_new_reader_follows_the_default_list_and_no_other(reader, tmp_path):
    second = _second_list(tmp_path)
    assert is_following(reader, Curriculum.objects.default())
    assert not is_following(reader, second)


def test_following_a_list_and_stopping_keeps_everything_the_reader_did(reader, tmp_path, client):
    second = _second_list(tmp_path)
    _tick_all_deep_parts(reader)
    client.force_login(reader)
    url = reverse("progress:follow", args=[second.slug])

    page = client.post(url, {"follow": "follow"}, follow=True).text
    assert "You follow A second list." in page and "Stop following it" in page
    assert is_following(reader, second)

    client.post(url, {"follow": "unfollow"})
    assert not is_following(reader, second)
    assert PartTick.objects.filter(reader=reader).count() == 3  # nothing the reader did is gone
    assert "Follow this list" in client.get(second.get_absolute_url()).text


def test_unfollowing_the_default_list_is_kept_and_following_it_again_works(reader, client):
    default = Curriculum.objects.default()
    client.force_login(reader)
    url = reverse("progress:follow", args=[default.slug])

    client.post(url, {"follow": "unfollow"})
    assert not is_following(reader, default)
    client.post(url, {"follow": "follow"})
    assert is_following(reader, default)


def test_following_needs_a_clear_choice_and_a_published_list(reader, tmp_path, client):
    second = _second_list(tmp_path)
    client.force_login(reader)

    refused = client.post(reverse("progress:follow", args=[second.slug]), {"follow": "maybe"})
    assert refused.status_code == 400
    assert "Say follow or unfollow" in refused.text
    assert (
        client.post(reverse("progress:follow", args=["nope"]), {"follow": "follow"}).status_code
        == 404
    )
    assert not is_following(reader, second)


def test_lists_marks_the_lists_a_reader_follows(reader, tmp_path, client):
    second = _second_list(tmp_path)
    client.force_login(reader)

    assert client.get("/lists/").text.count("You follow it") == 1  # the default, from the start
    services.set_following(reader=reader, curriculum=second, following=True)
    assert client.get("/lists/").text.count("You follow it") == 2
    client.logout()
    assert "You follow it" not in client.get("/lists/").text
