"""The dashboard follows several curricula (issue 25, point 4): one at a time with a switcher, an
"All I follow" view with one Next up, and each list showing what the reader's one record already
covers in it."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from catalogue import fixture as catalogue_fixture
from catalogue.models import Curriculum, Paper
from progress import services
from progress.dashboard import list_query
from progress.models import ReadingState, Status

FRAMEWORK = "mathematical-framework"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _read_deeply(reader, slug: str = FRAMEWORK) -> Paper:
    paper = Paper.objects.get(slug=slug)
    keys = {advice.key for advice in paper.advice.all()}
    services.set_parts_done(reader=reader, paper=paper, shown=keys, done=keys)
    services.set_status(reader=reader, paper=paper, status=Status.READ)
    return paper


def _follow(reader, curriculum) -> None:
    services.set_following(reader=reader, curriculum=curriculum, following=True)


def test_a_reader_who_follows_only_the_shipped_list_sees_no_switcher(ada, client, further_list):
    further_list()

    page = client.get(reverse("home")).content.decode()

    assert 'aria-label="Lists you follow"' not in page
    assert "Priority 1" in page


def test_following_a_second_list_puts_both_and_all_i_follow_in_a_switcher(
    ada, client, further_list
):
    second = further_list()
    _follow(ada, second)

    page = client.get(reverse("home")).content.decode()

    assert 'aria-label="Lists you follow"' in page
    assert "?list=second" in page and "?list=all" in page
    assert "All I follow" in page


class _Links(HTMLParser):
    """The hrefs of the links inside every element whose `attribute` says `value`, in order."""

    def __init__(self, attribute: str, value: str) -> None:
        super().__init__()
        self.attribute, self.value, self.depth, self.hrefs = attribute, value, 0, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.depth or attributes.get(self.attribute) == self.value:
            self.depth += tag not in ("input", "br", "img")
            if tag == "a":
                self.hrefs.append(attributes["href"])

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1


def _links(page: str, attribute: str, value: str) -> list[str]:
    parser = _Links(attribute, value)
    parser.feed(page)
    return parser.hrefs


def test_every_link_to_a_list_on_the_dashboard_is_the_address_list_query_makes(
    ada, client, further_list
):
    for slug in ("second", "third"):
        _follow(ada, further_list(slug))
    followed = [Curriculum.objects.default()] + [
        Curriculum.objects.get(slug=slug) for slug in ("second", "third")
    ]
    home = reverse("home")
    lists = [home + list_query(curriculum) for curriculum in followed]

    pages = [client.get(home, asked).content.decode() for asked in ({}, {"list": "second"})]
    every = client.get(home, {"list": "all"}).content.decode()
    filtered = client.get(home, {"list": "third", "status": "read"}).content.decode()

    assert lists == [home, f"{home}?list=second", f"{home}?list=third"]  # the default's is bare
    for page in [*pages, every, filtered]:
        switcher = _links(page, "aria-label", "Lists you follow")
        assert switcher == [*lists, home + list_query(None), reverse("curricula")]
    assert _links(every, "class", "followed-list") == lists  # "All I follow"'s "Each list"
    assert f'<a href="{home}{list_query(followed[2])}">Clear</a>' in filtered
    assert 'name="list" value="third"' in filtered  # the filters keep the list they narrow


def test_a_work_read_deeply_for_the_first_list_is_done_on_the_seconds_dashboard(
    ada, client, further_list
):
    second = further_list()
    _follow(ada, second)
    _read_deeply(ada)

    page = client.get(reverse("home"), {"list": "second"}).content.decode()

    assert 'id="entry-second-mathematical-framework"' in page
    assert "from your reading for An Extremely Opinionated" in page
    assert "100% · 1 of 1 entry" in page
    assert "tier-label" not in page  # a list of topics names its sections by title alone


def test_a_status_set_on_the_second_lists_entry_is_shown_there_and_carries_to_the_first(
    ada, client, further_list
):
    second = further_list()
    _follow(ada, second)

    response = client.post(
        reverse("progress:set-status", args=["second-mathematical-framework"]),
        {"status": "read"},
        **HTMX,
    )

    assert response.status_code == 200
    assert "1 of 1 entry" in response.content.decode()  # the second list's own counters
    first = client.get(reverse("home")).content.decode()
    assert "from your reading for The second list" in first


def test_a_work_set_back_to_unread_in_one_list_is_unread_in_the_other_too(
    ada, client, further_list
):
    second = further_list()
    _follow(ada, second)
    _read_deeply(ada)
    url = reverse("progress:set-status", args=["second-mathematical-framework"])

    second_page = client.post(url, {"status": "unread"}, **HTMX).content.decode()
    first = client.get(reverse("home")).content.decode()

    assert 'value="unread" aria-pressed="true"' in second_page

    framework = first.split('id="entry-mathematical-framework"', 1)[1].split('class="entry"', 1)[0]
    assert 'value="unread" aria-pressed="true"' in framework
    assert "from your reading for The second list" in framework


def test_a_skip_in_the_second_list_leaves_the_work_unread_in_the_first(ada, client, further_list):
    second = further_list()
    _follow(ada, second)
    skipped = Paper.objects.get(slug="second-mathematical-framework")
    services.set_status(reader=ada, paper=skipped, status=Status.SKIPPED)

    page = client.get(reverse("home")).content.decode()

    assert "from your reading for" not in page
    assert not ReadingState.objects.filter(reader=ada, paper__slug=FRAMEWORK).exists()


def test_the_entry_page_of_a_second_lists_entry_is_a_workbench_with_the_carried_reading(
    ada, client, further_list
):
    second = further_list()
    _follow(ada, second)
    _read_deeply(ada)

    url = reverse("paper-detail", args=["second-mathematical-framework"])
    page = client.get(url).content.decode()

    assert 'aria-label="Status of' in page
    assert "from your reading for An Extremely Opinionated" in page


def test_all_i_follow_counts_a_work_both_lists_cite_once_with_one_next_up(
    ada, client, further_list
):
    second = further_list(cites=(FRAMEWORK, "toy-models-of-superposition"))
    _follow(ada, second)
    _read_deeply(ada)
    shipped = Paper.objects.of().in_reading_order().count()

    page = client.get(reverse("home"), {"list": "all"}).content.decode()

    # The Framework is in both and counted once; Toy Models is in both and counted once too.
    assert f"of {shipped} entries" in page
    assert page.count('id="next-up"') == 1
    assert "The second list" in page and 'aria-current="page">All I follow' in page


def test_a_list_not_followed_leads_to_its_page_and_an_unknown_one_is_not_found(
    ada, client, further_list
):
    further_list()

    not_followed = client.get(reverse("home"), {"list": "second"})
    unknown = client.get(reverse("home"), {"list": "no-such-list"})

    assert not_followed.status_code == 302 and not_followed["Location"] == "/lists/second/"
    assert unknown.status_code == 404
    assert "There is no list" in unknown.content.decode()


def test_all_i_follow_with_one_list_followed_is_not_found(ada, client):
    assert client.get(reverse("home"), {"list": "all"}).status_code == 404


@pytest.mark.parametrize("lists", [1, 3])
def test_a_further_lists_dashboard_takes_the_same_queries_however_many_lists_and_entries(
    ada, client, further_list, lists, django_assert_num_queries
):
    entries = Paper.objects.of().in_reading_order()[: 2 * lists]
    for index in range(lists):
        curriculum = further_list(f"list-{index}", cites=[p.slug for p in entries])
        _follow(ada, curriculum)
        _read_deeply(ada, entries[index].slug)
    client.get(reverse("home"), {"list": "list-0"})  # the session and the kept list

    with django_assert_num_queries(QUERIES["one"]):
        client.get(reverse("home"), {"list": "list-0", "fresh": lists})
    with django_assert_num_queries(QUERIES["all"]):
        client.get(reverse("home"), {"list": "all", "fresh": lists})
    with django_assert_num_queries(QUERIES["default"]):
        client.get(reverse("home"), {"fresh": lists})
    url = reverse("progress:set-status", args=[f"list-0-{entries[1].slug}"])
    with django_assert_num_queries(QUERIES["status"]):
        assert client.post(url, {"status": "reading"}, **HTMX).status_code == 200


QUERIES = {"one": 12, "all": 10, "default": 12, "status": 21}


def test_a_further_lists_tier_folds_away_on_its_dashboard_and_stays_folded(
    ada, client, further_list
):
    second = further_list()
    _follow(ada, second)

    response = client.post(
        reverse("progress:fold", args=["second-circuits"]), {"fold": "fold"}, **HTMX
    )

    assert response.status_code == 200
    assert "Circuits: folded away." in response.content.decode()
    page = client.get(reverse("home"), {"list": "second"}).content.decode()
    assert 'class="tier folded" id="second-circuits"' in page


# --- The tier filter offers the list's own sections ----------------------------------------------


def _sectioned_list(tmp_path, slug: str, ordering: str, titles: list[str]) -> Curriculum:
    """A published list ordered by `ordering` with one top-level section per title (ranked 1, 2,
    ...), each holding one entry citing a work of the shipped list."""
    records = [
        {"model": "catalogue.curriculum",
         "fields": {"slug": slug, "title": f"The {slug} list", "ordering": ordering}},
        {"model": "catalogue.edition",
         "fields": {"number": 1, "note": "First", "published_at": "2026-12-01T00:00:00Z"}},
    ]  # fmt: skip
    shipped = Paper.objects.of().in_reading_order()
    for rank, (title, cited) in enumerate(zip(titles, shipped, strict=False), start=1):
        section, entry = f"{slug}-{rank}", f"{slug}-{cited.slug}"
        records += [
            {"model": "catalogue.section",
             "fields": {"title": title, "slug": section, "priority": rank, "position": rank}},
            {"model": "catalogue.paper",
             "fields": {"section": [section], "position": 1, "slug": entry,
                        "title": cited.title, "url": cited.url}},
            {"model": "catalogue.work",
             "fields": {"slug": f"{entry}-work", "kind": "article", "title": cited.title,
                        "url": cited.url}},
            {"model": "catalogue.citation",
             "fields": {"entry": [entry], "work": [f"{entry}-work"], "position": 1,
                        "role": "main"}},
        ]  # fmt: skip
    path = tmp_path / f"{slug}.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    catalogue_fixture.load_file(path)
    return Curriculum.objects.get(slug=slug)


def _tier_options(page: str) -> list[tuple[str, str]]:
    select = re.search(r'<select name="tier".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_the_shipped_lists_tier_filter_offers_its_four_priorities_as_before(ada, client):
    page = client.get(reverse("home")).content.decode()

    assert _tier_options(page) == [
        ("", "Any tier"),
        ("1", "Priority 1"),
        ("2", "Priority 2"),
        ("3", "Priority 3"),
        ("4", "Priority 4"),
    ]


def test_a_list_of_stages_offers_each_of_its_stages_and_filters_by_one(ada, client, tmp_path):
    _follow(ada, _sectioned_list(tmp_path, "staged", "stages", ["Basics", "Circuits", "Models"]))

    page = client.get(reverse("home"), {"list": "staged"}).content.decode()
    second = client.get(reverse("home"), {"list": "staged", "tier": "2"}).content.decode()

    assert _tier_options(page) == [("", "Any tier"), ("1", "Stage 1"), ("2", "Stage 2"),
                                   ("3", "Stage 3")]  # fmt: skip
    assert '<option value="2" selected>Stage 2</option>' in second
    assert 'id="staged-2"' in second and 'id="staged-1"' not in second


def test_a_list_of_topics_offers_its_topic_titles_and_ignores_a_tier_it_has_not(
    ada, client, tmp_path
):
    _follow(ada, _sectioned_list(tmp_path, "topical", "topics", ["Circuits", "Superposition"]))

    page = client.get(reverse("home"), {"list": "topical"}).content.decode()
    beyond = client.get(reverse("home"), {"list": "topical", "tier": "4"})

    assert _tier_options(page) == [("", "Any tier"), ("1", "Circuits"), ("2", "Superposition")]
    assert "Priority" not in page
    # As any bad filter value: ignored, the whole list shown, the field marked invalid.
    assert beyond.status_code == 200
    html = beyond.content.decode()
    assert 'id="topical-1"' in html and 'id="topical-2"' in html
    select = re.search(r'<select name="tier".*?</select>', html, re.S).group(0)
    assert 'aria-invalid="true"' in select and "selected" not in select
