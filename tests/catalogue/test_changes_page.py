"""/changes/ lists editions newest first with per-entry differences; an Atom feed follows them."""

from xml.etree import ElementTree

import pytest
from django.urls import reverse

from catalogue import editions
from catalogue.models import Advice, Edition, Paper
from tests.factories import AdviceFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def second_edition():
    solu = Paper.objects.get(slug="solu")
    first = solu.advice.order_by("position").first()
    Advice.objects.filter(pk=first.pk).update(level="skim", part=first.part + " and more")
    AdviceFactory(paper=solu, key="appendix", position=50, level="deep", part="Appendix A")
    Paper.objects.filter(slug="rome").update(retired=True)
    return editions.publish(note="SoLU reworked; ROME retired.")


def test_the_changes_page_lists_editions_newest_first_with_each_entrys_differences(
    client, real_catalogue
):
    second_edition()

    page = client.get(reverse("catalogue:changes")).text

    assert page.index("Edition 2") < page.index("Edition 1")
    assert "SoLU reworked; ROME retired." in page
    text = " ".join(page.split())
    # A new part names its level as well as its label.
    badge = '<span class="badge badge-deep">Deeply engage with</span>'
    assert f"New part:</strong> {badge} Appendix A" in text
    assert "Deeply engage with → Skim" in page
    # Before and after side by side; the added words say so in text, not only in colour.
    assert '<span class="diff-label">Before</span>' in page
    assert '<ins><span class="visually-hidden">added: </span>and more</ins>' in text
    assert "retired from the list" in page


def test_one_entrys_changes_mark_those_since_the_readers_edition(client, real_catalogue):
    second_edition()

    page = client.get(reverse("catalogue:entry-changes", args=["solu"]), {"since": "1"}).text

    assert "Edition 2" in page and "since you read it" in page


def test_the_atom_feed_is_valid_atom_and_linked_from_the_list_pages(client, real_catalogue):
    second_edition()

    feed = client.get(reverse("catalogue:changes-feed"))
    root = ElementTree.fromstring(feed.content)  # noqa: S314 (our own response)
    listing = client.get(reverse("paper-list")).text

    assert feed["Content-Type"].startswith("application/atom+xml")
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Edition 2", "Edition 1"]
    for entry in entries:
        for required in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{required}") is not None
    link = '<link rel="alternate" type="application/atom+xml"'
    assert link in listing
    assert reverse("catalogue:changes-feed") in listing


@pytest.mark.parametrize("editions_count", [2, 6])
def test_the_changes_page_runs_a_constant_number_of_queries(
    client, real_catalogue, django_assert_max_num_queries, editions_count
):
    for n in range(editions_count):
        Paper.objects.filter(slug="rome").update(summary=f"Edit {n}")
        editions.publish(note=f"Edit {n}")

    with django_assert_max_num_queries(3):
        client.get(reverse("catalogue:changes"))
    with django_assert_max_num_queries(4):
        client.get(reverse("catalogue:entry-changes", args=["rome"]))


# --- RFC 4287 whatever a curator typed ------------------------------------------------------------

HOSTILE_NOTE = "Form\x0cfeed, SOH\x01, <script>alert(1)</script> & <b>bold</b>\x1b"


def _feed_root(client, **extra):
    response = client.get(reverse("catalogue:changes-feed"), **extra)
    assert response.status_code == 200
    return ElementTree.fromstring(response.content)  # noqa: S314 (our own response)


def test_an_edition_note_with_control_characters_and_markup_is_sent_as_plain_text(
    client, real_catalogue
):
    Edition.objects.update(note=HOSTILE_NOTE)

    root = _feed_root(client)

    (summary,) = [entry.find(f"{ATOM}summary") for entry in root.findall(f"{ATOM}entry")]
    assert summary.get("type") == "text"
    assert summary.text.startswith("Formfeed, SOH, <script>alert(1)</script> & <b>bold</b> (")


def test_the_feed_meets_rfc_4287_with_absolute_stable_ids_and_an_author(
    client, real_catalogue, settings
):
    second_edition()
    settings.SITE_URL = "https://mireads.example.org"

    root = _feed_root(client)
    again = _feed_root(client, HTTP_HOST="localhost:6666")

    assert root.find(f"{ATOM}author/{ATOM}name").text
    ids = [root.find(f"{ATOM}id").text] + [
        e.find(f"{ATOM}id").text for e in root.iter(f"{ATOM}entry")
    ]
    assert ids == [again.find(f"{ATOM}id").text] + [
        e.find(f"{ATOM}id").text for e in again.iter(f"{ATOM}entry")
    ]
    assert len(set(ids)) == len(ids)
    for found in ids:
        assert found.startswith("urn:uuid:"), found
        for edition in Edition.objects.all():
            assert str(edition.pk) not in found.split(":")[-1].split("-")
    links = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert links and all(link.startswith("https://mireads.example.org/") for link in links)
    for entry in root.iter(f"{ATOM}entry"):
        for required in ("id", "title", "updated", "link", "summary"):
            assert entry.find(f"{ATOM}{required}") is not None
