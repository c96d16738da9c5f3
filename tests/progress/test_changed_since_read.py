"""After a new edition, a reader learns which of their entries changed, and progress never
resets."""

import pytest
from django.urls import reverse

from catalogue import editions
from catalogue.models import Advice, Paper
from progress import changes, services
from progress.summary import reader_papers, summarise
from tests.factories import AdviceFactory, UserFactory

pytestmark = pytest.mark.django_db


def second_edition():
    solu = Paper.objects.get(slug="solu")
    AdviceFactory(paper=solu, key="new-deep", position=50, level="deep", part="A new deep part")
    Paper.objects.filter(slug="rome").update(summary="Reworded.")
    return editions.publish(note="A new deep part on SoLU.")


def test_an_entry_the_reader_read_is_marked_with_its_new_part(real_catalogue, reader):
    solu = Paper.objects.get(slug="solu")
    services.set_status(reader=reader, paper=solu, status="read")
    services.set_status(reader=reader, paper=Paper.objects.get(slug="rome"), status="reading")
    second_edition()

    found = changes.for_reader(reader)
    papers = reader_papers(reader)
    changes.mark(papers, found)
    marked = {p.slug: p for p in papers}

    assert found.summary() == [(2, 2)]
    assert marked["solu"].changed_since == 1
    assert marked["circuits-zoom-in"].changed_since is None
    new = [a for a in marked["solu"].checklist if a.is_new]
    assert [(a.part, a.done) for a in new] == [("A new deep part", False)]
    # Progress never resets: the entry stays read and its weight includes the new part.
    entry = summarise(papers).entries[solu.pk]
    assert entry.status == "read" and entry.percent == 100
    assert marked["solu"].weight_total == sum(a.weight for a in marked["solu"].checklist)


def test_entries_the_reader_never_touched_or_set_back_to_unread_are_not_marked(
    real_catalogue, reader
):
    solu = Paper.objects.get(slug="solu")
    services.set_status(reader=reader, paper=solu, status="reading")
    services.set_status(reader=reader, paper=solu, status="unread")
    second_edition()

    assert changes.for_reader(reader).count == 0
    assert changes.for_reader(UserFactory()).count == 0


def test_a_tick_made_under_the_new_edition_counts_as_having_seen_it(real_catalogue, reader):
    solu = Paper.objects.get(slug="solu")
    services.set_status(reader=reader, paper=solu, status="reading")
    second_edition()

    services.set_parts_done(reader=reader, paper=solu, shown={"new-deep"}, done={"new-deep"})

    assert changes.for_reader(reader).count == 0


def test_marking_changes_seen_clears_the_marks_until_the_next_edition(
    client_as_reader, real_catalogue, reader
):
    solu = Paper.objects.get(slug="solu")
    services.set_status(reader=reader, paper=solu, status="read")
    second_edition()

    response = client_as_reader.post(reverse("progress:changes-seen"))

    assert response.status_code == 302
    assert changes.for_reader(reader).count == 0
    Advice.objects.filter(key="new-deep").update(level="skim")
    editions.publish(note="Third.")
    assert changes.for_reader(reader).summary() == [(3, 1)]


@pytest.mark.parametrize("size", [1, 8])
def test_finding_a_readers_changes_takes_constant_queries(
    real_catalogue, reader, django_assert_max_num_queries, size
):
    papers = list(Paper.objects.in_reading_order()[: size * 3])
    for paper in papers:
        services.set_status(reader=reader, paper=paper, status="read")
        for advice in paper.advice.all():
            services.set_parts_done(
                reader=reader, paper=paper, shown={advice.key}, done={advice.key}
            )
    for n in range(size):
        Paper.objects.filter(pk__in=[p.pk for p in papers]).update(summary=f"Edit {n}")
        editions.publish(note=f"Edit {n}")

    with django_assert_max_num_queries(6):  # the version, the editions, four of the reader's
        changes.for_reader(reader)
    with django_assert_max_num_queries(5):  # the editions are kept while the version stands
        changes.for_reader(reader)


def test_a_list_no_edition_has_changed_costs_one_query_for_any_reader(
    real_catalogue, reader, django_assert_num_queries
):
    paper = Paper.objects.in_reading_order().first()
    services.set_status(reader=reader, paper=paper, status="read")
    changes.for_reader(reader)  # reads the editions: the next call keeps them

    with django_assert_num_queries(1):  # the catalogue's version only
        found = changes.for_reader(reader)

    assert found.count == 0 and found.latest == 1  # the fixture's list is edition 1


def test_a_kept_copy_of_the_editions_is_never_used_after_a_publish(real_catalogue, reader):
    papers = list(Paper.objects.in_reading_order()[:2])
    services.set_status(reader=reader, paper=papers[0], status="read")
    assert changes.for_reader(reader).count == 0  # now kept, at this version

    Paper.objects.filter(pk=papers[0].pk).update(summary="Rewritten")  # no signal is sent
    editions.publish(note="Second")

    assert changes.for_reader(reader).editions == {papers[0].slug: [2]}
    assert changes.for_reader(UserFactory()).count == 0  # nothing of a new reader's changed


@pytest.mark.parametrize("entries", [20, 200])
def test_the_dashboard_and_paper_page_show_the_marks_in_constant_queries(
    client, entries, django_assert_max_num_queries
):
    from catalogue.models import Section
    from tests.factories import build_catalogue

    papers = build_catalogue(entries)
    reader = UserFactory(username=f"marks{entries}")
    for paper in papers[::3]:
        services.set_status(reader=reader, paper=paper, status="read")
    editions.publish(note="First.", require_changes=False)
    for paper in papers[::3]:
        AdviceFactory(paper=paper, key="added", position=90, level="deep", part="An added part")
    editions.publish(note="Parts added.")
    assert Section.objects.exists()
    client.force_login(reader)

    # 13, the catalogue's version for the editions this process keeps, and the folded tiers.
    with django_assert_max_num_queries(15):
        dashboard = client.get("/").content.decode()
    with django_assert_max_num_queries(19):
        page = client.get(papers[0].get_absolute_url()).content.decode()

    marked = len(papers[::3])
    assert f"{marked} entries you have read changed since" in " ".join(dashboard.split())
    assert dashboard.count("changed since you read it") == marked
    assert "changed since you read it" in page and "An added part" in page
    assert 'class="badge new-part">new<' in page
