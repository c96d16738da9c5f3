"""A tick belongs to the reader and a part of the work (issue 25, point 3): one tick per part
whichever list's advice it was made for, stored with the depth it was read at. Ticking a part in
one list ticks it in every list that advises it; unticking it anywhere unticks it everywhere; a
skim never undoes a deep reading; a database made before keeps every tick's reading."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from catalogue.models import DEPTH, Citation, Level, Paper
from progress import services
from progress.models import PartTick
from tests.factories import AdviceFactory, PaperFactory, UserFactory
from tests.helpers import entries_citing_one_work, migrate, migrated_to

FRAMEWORK = "mathematical-framework"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _first_part(slug: str):
    return Paper.objects.get(slug=slug).advice.order_by("position").first()


def _tick(reader, slug: str, done: bool = True) -> None:
    paper, key = Paper.objects.get(slug=slug), _first_part(slug).key
    services.set_parts_done(reader=reader, paper=paper, shown={key}, done={key} if done else set())


def test_a_part_ticked_in_one_list_and_unticked_in_another_is_unticked_in_both(
    ada, client, further_list
):
    second = further_list(level="skim")
    services.set_following(reader=ada, curriculum=second, following=True)
    _tick(ada, FRAMEWORK)  # deeply, as the shipped list advises
    page = client.get(reverse("home"), {"list": "second"}).content.decode()
    assert "from your reading for An Extremely Opinionated" in page

    key = _first_part(FRAMEWORK).key
    data = {"shown": [key], "done": [], "on": "dashboard"}
    response = client.post(f"/entries/second-{FRAMEWORK}/parts/", data, **HTMX)

    assert response.status_code == 200
    assert not PartTick.objects.filter(reader=ada).exists()
    second_page = client.get(reverse("home"), {"list": "second"}).content.decode()
    assert '<span class="parts-done">0 of 1 part</span>' in second_page
    shipped = Paper.objects.get(slug=FRAMEWORK)
    parts = shipped.advice.filter(retired=False).count()
    shipped_page = client.get(reverse("home")).content.decode()
    assert f'<span class="parts-done">0 of {parts} parts</span>' in _article(
        shipped_page, FRAMEWORK
    )


def _article(page: str, slug: str) -> str:
    """The entry's head on a dashboard: its title line and counts."""
    start = page.index(f'id="entry-{slug}"')
    return page[start : page.index('class="status-control"', start)]


def test_a_skim_after_a_deep_reading_leaves_the_one_tick_deep(ada, further_list):
    further_list(level="skim")
    _tick(ada, FRAMEWORK)
    _tick(ada, f"second-{FRAMEWORK}")

    tick = PartTick.objects.get(reader=ada)
    assert tick.depth == DEPTH[Level.DEEP]
    assert tick.advice.paper.slug == FRAMEWORK  # read for the list that asked for it deeply


def test_a_deep_reading_after_a_skim_deepens_the_one_tick_and_satisfies_both_lists(
    ada, client, further_list
):
    further_list(level="skim")
    _tick(ada, f"second-{FRAMEWORK}")
    assert PartTick.objects.get(reader=ada).depth == DEPTH[Level.SKIM]
    # A skim does not satisfy "deeply engage": the shipped list's part is still to do.
    work = Citation.objects.main_work_id(Paper.objects.get(slug=FRAMEWORK))
    assert PartTick.objects.get(reader=ada).work_id == work

    _tick(ada, FRAMEWORK)

    tick = PartTick.objects.get(reader=ada)
    assert (tick.depth, tick.advice.paper.slug) == (DEPTH[Level.DEEP], FRAMEWORK)


def test_a_skim_alone_leaves_the_deep_part_of_the_first_list_to_do(ada, client, further_list):
    second = further_list(level="skim")
    services.set_following(reader=ada, curriculum=second, following=True)
    _tick(ada, f"second-{FRAMEWORK}")

    shipped = client.get(reverse("home")).content.decode()
    second_page = client.get(reverse("home"), {"list": "second"}).content.decode()

    assert '<span class="parts-done">1 of 1 part</span>' in second_page
    # A skim does not satisfy "deeply engage": nothing is ticked on the shipped list's entry.
    assert '<span class="parts-done">0 of' in _article(shipped, FRAMEWORK)


@pytest.mark.django_db
def test_the_database_refuses_a_second_tick_on_one_part_of_a_work():
    reader, part = UserFactory(), AdviceFactory(key="method")
    Citation.objects.create(entry=part.paper, work=_work(), position=1, role="main")
    other = AdviceFactory(key="method", paper=PaperFactory())
    Citation.objects.create(
        entry=other.paper, work=Citation.objects.get(entry=part.paper).work, position=1
    )
    work_id = Citation.objects.main_work_id(part.paper)
    PartTick.of(reader=reader, advice=part, work_id=work_id, done_at=timezone.now()).save()

    with pytest.raises(IntegrityError), transaction.atomic():
        PartTick.of(reader=reader, advice=other, work_id=work_id, done_at=timezone.now()).save()


@pytest.mark.django_db
def test_an_entry_citing_no_work_keeps_its_ticks_its_own():
    reader = UserFactory()
    first, second = AdviceFactory(key="all"), AdviceFactory(key="all")

    for advice in (first, second):
        services.set_parts_done(reader=reader, paper=advice.paper, shown={"all"}, done={"all"})

    assert PartTick.objects.filter(reader=reader, work=None).count() == 2


def _work():
    from tests.factories import WorkFactory

    return WorkFactory(paper=None)


BEFORE = [("catalogue", "0009_works_shared"), ("progress", "0010_follows")]
AFTER = [("catalogue", "0009_works_shared"), ("progress", "0011_ticks_by_part")]


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_ticks_by_part_keeps_every_reading_at_its_deepest():
    with migrated_to(BEFORE) as old:
        User = old.get_model("auth", "User")
        Paper_ = old.get_model("catalogue", "Paper")
        Advice = old.get_model("catalogue", "Advice")
        Tick = old.get_model("progress", "PartTick")
        now = timezone.now()
        ada, bob = User.objects.create(username="ada"), User.objects.create(username="bob")
        work, (first, second), section = entries_citing_one_work(old, 2)
        advice = {}
        for entry, level in ((first, "deep"), (second, "skim")):
            advice[entry.slug] = Advice.objects.create(
                paper=entry, position=1, level=level, part="Method", key="method"
            )
        loose = Paper_.objects.create(section=section, position=2, title="No work", slug="loose")
        advice["loose"] = Advice.objects.create(
            paper=loose, position=1, level="skim", part="All", key="all"
        )
        earlier = now - timezone.timedelta(days=3)
        Tick.objects.create(reader=ada, advice=advice["f2"], done_at=earlier)  # skimmed first
        Tick.objects.create(reader=ada, advice=advice["f1"], done_at=now)  # then read deeply
        Tick.objects.create(reader=ada, advice=advice["loose"], done_at=now)
        Tick.objects.create(reader=bob, advice=advice["f2"], done_at=earlier)

        new = migrate(AFTER)
        ticks = new.get_model("progress", "PartTick").objects.order_by("reader__username", "key")
        rows = [
            (t.reader.username, t.work_id, t.key, t.depth, t.advice_id, t.done_at) for t in ticks
        ]
        assert rows == [
            ("ada", None, "all", 2, advice["loose"].pk, now),
            ("ada", work.pk, "method", 3, advice["f1"].pk, now),
            ("bob", work.pk, "method", 2, advice["f2"].pk, earlier),
        ]
