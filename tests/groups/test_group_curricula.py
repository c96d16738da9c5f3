"""Reading groups read one curriculum (issue 25, point 5): every group made before reads the
default one, a new group's creator chooses among the published lists, everything the group page
shows is its list's, and a member's cells count their one reading record wherever they kept it."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from catalogue.models import DEFAULT_CURRICULUM, Curriculum, Level, Ordering, Section
from groups import services as group_services
from groups.board import board
from groups.models import Membership, ReadingGroup, Role, Sharing, TierTarget
from groups.plan_targets import derived_targets
from progress.models import Status
from tests.factories import (
    AdviceFactory,
    CitationFactory,
    CurriculumFactory,
    EditionFactory,
    MembershipFactory,
    NoteFactory,
    PaperFactory,
    PartTickFactory,
    ReadingGroupFactory,
    ReadingStateFactory,
    SectionFactory,
    TierTargetFactory,
    UserFactory,
    WorkFactory,
)
from tests.helpers import migrate as _migrate

pytestmark = pytest.mark.django_db


def _published(**fields) -> Curriculum:
    """A further curriculum with an edition, so readers and groups can see it."""
    curriculum = CurriculumFactory(**fields)
    EditionFactory(curriculum=curriculum)
    return curriculum


def _entry(curriculum: Curriculum, tier: Section | None = None, work=None, **fields):
    """An entry of `curriculum` (in its first tier unless given) citing `work` as its main work
    (a work of its own if none)."""
    tier = tier or SectionFactory(curriculum=curriculum, priority=1, position=1)
    paper = PaperFactory(section=tier, **fields)
    if work is None:
        work = WorkFactory(paper=None)
    CitationFactory(entry=paper, work=work)
    return paper


def signed_in(user) -> Client:
    """A separate browser for a second reader."""
    client = Client()
    client.force_login(user)
    return client


def grid_cell(html: str, slug: str, username: str) -> str:
    """The title of one member's cell in an entry's grid row ('' if the row or cell is absent)."""
    row = re.search(rf'<tr id="grid-{slug}">(.*?)</tr>', html, re.S)
    if not row:
        return ""
    found = re.search(rf'title="{username}: ([^"]*)"', row.group(1))
    return found.group(1) if found else ""


# 1. Every group made before reads the default curriculum ------------------------------------

BEFORE = [("catalogue", "0009_works_shared"), ("groups", "0002_target_tier_protected")]
AFTER = [("catalogue", "0009_works_shared"), ("groups", "0003_curriculum")]


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_group_curricula_keeps_every_group_on_the_default_curriculum():
    old = _migrate(BEFORE)
    try:
        User = old.get_model("auth", "User")
        Curriculum_ = old.get_model("catalogue", "Curriculum")
        Section_ = old.get_model("catalogue", "Section")
        Group = old.get_model("groups", "ReadingGroup")
        Member = old.get_model("groups", "Membership")
        Target = old.get_model("groups", "TierTarget")
        # A further list first, so the default one is found by its mark, not by its place.
        Curriculum_.objects.create(slug="later-list", title="A later list", position=0)
        shipped, _ = Curriculum_.objects.get_or_create(
            slug=DEFAULT_CURRICULUM, defaults={"title": "Shipped", "is_default": True}
        )
        tier = Section_.objects.create(
            curriculum=shipped, title="Tier", slug="tier", priority=1, position=1
        )
        ada, bo = User.objects.create(username="ada"), User.objects.create(username="bo")
        for name in ("Circuits club", "Quiet corner"):
            group = Group.objects.create(name=name, slug=name.lower().replace(" ", "-"))
            Member.objects.create(group=group, reader=ada, role="facilitator", sharing="progress")
            Member.objects.create(group=group, reader=bo, role="member", sharing="nothing")
            Target.objects.create(group=group, tier=tier, due_on=dt.date(2027, 1, 31))

        new = _migrate(AFTER)
        groups = new.get_model("groups", "ReadingGroup").objects.order_by("name")
        assert [(g.name, g.curriculum_id) for g in groups] == [
            ("Circuits club", shipped.pk),
            ("Quiet corner", shipped.pk),
        ]
        members = new.get_model("groups", "Membership").objects.order_by("group__name", "role")
        assert [(m.group.name, m.reader.username, m.role, m.sharing) for m in members] == [
            ("Circuits club", "ada", "facilitator", "progress"),
            ("Circuits club", "bo", "member", "nothing"),
            ("Quiet corner", "ada", "facilitator", "progress"),
            ("Quiet corner", "bo", "member", "nothing"),
        ]
        targets = new.get_model("groups", "TierTarget").objects.order_by("group__name")
        assert [(t.group.name, t.tier_id, t.due_on) for t in targets] == [
            ("Circuits club", tier.pk, dt.date(2027, 1, 31)),
            ("Quiet corner", tier.pk, dt.date(2027, 1, 31)),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_database_without_any_curriculum_migrates_and_no_curriculum_is_made():
    old = _migrate(BEFORE)
    try:
        old.get_model("catalogue", "Curriculum").objects.all().delete()

        new = _migrate(AFTER)

        assert not new.get_model("catalogue", "Curriculum").objects.exists()
        assert not new.get_model("groups", "ReadingGroup").objects.exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_groups_with_no_default_curriculum_to_read_are_refused_in_one_sentence_and_kept():
    old = _migrate(BEFORE)
    Group = old.get_model("groups", "ReadingGroup")
    try:
        old.get_model("catalogue", "Curriculum").objects.all().delete()
        Group.objects.create(name="Orphans", slug="orphans")

        with pytest.raises(RuntimeError, match="no curriculum is the default"):
            _migrate(AFTER)

        assert list(Group.objects.values_list("slug", flat=True)) == ["orphans"]
    finally:
        Group.objects.all().delete()
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


# 2. The creator chooses the list; the page names it ------------------------------------------


def test_the_new_group_form_offers_the_published_lists_with_the_default_one_chosen(
    client_as_reader,
):
    default = Curriculum.objects.default()
    _published(slug="getting-started", title="Getting started")
    CurriculumFactory(slug="a-draft", title="A draft list")

    html = client_as_reader.get("/groups/new/").content.decode()

    choices = dict(
        re.findall(r'<input type="radio" name="curriculum" value="([\w-]+)"([^>]*)>', html)
    )
    assert list(choices) == [default.slug, "getting-started"]  # no draft
    assert "checked" in choices[default.slug] and "checked" not in choices["getting-started"]
    assert "Getting started" in html and "A draft list" not in html


def test_a_creator_starts_a_group_reading_a_published_list_and_its_page_names_and_links_it(
    client_as_reader,
):
    chosen = _published(slug="getting-started", title="Getting started", author="A curator")

    response = client_as_reader.post(
        "/groups/new/", {"name": "Starters", "description": "", "curriculum": "getting-started"}
    )

    group = ReadingGroup.objects.get()
    assert response.status_code == 302 and group.curriculum == chosen
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    named = html.split('id="group-curriculum"', 1)[1].split("</p>", 1)[0]
    assert '<a href="/lists/getting-started/">Getting started</a>' in named
    assert "A curator" in named


def test_a_group_started_without_naming_a_list_reads_the_default_one(client_as_reader, reader):
    client_as_reader.post("/groups/new/", {"name": "Plain", "description": ""})
    made = group_services.create_group(reader=reader, name="By service")

    assert {g.curriculum for g in ReadingGroup.objects.all()} == {Curriculum.objects.default()}
    assert made.curriculum.is_default


@pytest.mark.parametrize("slug", ["a-draft", "no-such-list"])
def test_a_draft_or_unknown_list_is_refused_with_a_clear_error_and_no_group_is_made(
    client_as_reader, settings, slug
):
    settings.DEBUG = False
    CurriculumFactory(slug="a-draft", title="A draft list")

    response = client_as_reader.post(
        "/groups/new/", {"name": "Drafty", "description": "", "curriculum": slug}
    )

    assert response.status_code == 400
    assert f"There is no published list “{slug}”: choose one of the lists offered." in (
        response.content.decode()
    )
    assert not ReadingGroup.objects.exists() and not Membership.objects.exists()


def test_the_group_index_and_the_invite_page_say_which_list_a_group_reads(
    client_as_reader, reader, other_reader
):
    chosen = _published(slug="getting-started", title="Getting started")
    group = group_services.create_group(reader=reader, name="Starters", curriculum=chosen)

    index = client_as_reader.get("/groups/").content.decode()
    invite = signed_in(other_reader).get(f"/groups/join/{group.invite_token}/").content.decode()

    assert "reads Getting started" in index
    assert '<a href="/lists/getting-started/">Getting started</a>' in invite


# 3. Everything the group shows is its list's -------------------------------------------------


def _two_lists():
    """The default list with one tier and entry, and a published list of stages with two."""
    default = Curriculum.objects.default()
    shipped = _entry(default, slug="shipped-entry")
    stages = _published(slug="stages", title="Staged list", ordering=Ordering.STAGES)
    first = SectionFactory(curriculum=stages, title="Basics", priority=1, position=1)
    second = SectionFactory(curriculum=stages, title="Circuits", priority=2, position=2)
    entries = [_entry(stages, first, slug="stage-one-entry"), _entry(stages, second)]
    return shipped, stages, entries


def test_the_board_shows_the_groups_list_only_in_its_own_order_and_names(client_as_reader, reader):
    shipped, stages, entries = _two_lists()
    staged = group_services.create_group(reader=reader, name="Staged", curriculum=stages)
    default = group_services.create_group(reader=reader, name="Shipped")
    Membership.objects.update(sharing=Sharing.PROGRESS)  # the grid shows sharers' columns

    staged_html = client_as_reader.get(staged.get_absolute_url()).content.decode()
    default_html = client_as_reader.get(default.get_absolute_url()).content.decode()

    assert re.findall(r'<tr id="grid-([\w-]+)">', staged_html) == [p.slug for p in entries]
    assert "Stage 1: Basics" in staged_html and "Stage 2: Circuits" in staged_html
    assert "Priority 1" not in staged_html.split('id="group-progress"', 1)[1]
    assert re.findall(r'<tr id="grid-([\w-]+)">', default_html) == [shipped.slug]


def test_targets_are_set_on_the_groups_own_tiers_and_another_lists_tier_is_refused(
    client_as_reader, reader, settings
):
    settings.DEBUG = False
    shipped, stages, entries = _two_lists()
    group = group_services.create_group(reader=reader, name="Staged", curriculum=stages)
    own, foreign = entries[0].section, shipped.section
    due = (timezone.localdate() + dt.timedelta(days=7)).isoformat()

    refused = client_as_reader.post(
        f"/groups/{group.slug}/targets/", {f"target-{own.pk}": due, f"target-{foreign.pk}": due}
    )
    assert refused.status_code == 400
    assert "Target dates can be set only on the tiers of “Staged list”" in refused.content.decode()
    assert not group.targets.exists()

    saved = client_as_reader.post(f"/groups/{group.slug}/targets/", {f"target-{own.pk}": due})
    assert saved.status_code == 302
    assert list(group.targets.values_list("tier", flat=True)) == [own.pk]
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    assert 'for="id_target-' in html and "Stage 1: Basics" in html


def test_the_service_refuses_a_target_on_another_lists_tier_or_on_a_subsection(reader):
    shipped, stages, entries = _two_lists()
    group = group_services.create_group(reader=reader, name="Staged", curriculum=stages)
    subsection = SectionFactory(
        curriculum=stages, parent=entries[0].section, priority=1, position=3
    )
    when = dt.date(2027, 1, 1)

    for section in (shipped.section, subsection):
        with pytest.raises(group_services.NotATier, match="is not a tier of “Staged list”"):
            group_services.set_targets(group=group, due={entries[0].section: when, section: when})
    assert not TierTarget.objects.exists()


def test_derived_targets_are_the_groups_own_tiers(client_as_reader, reader):
    shipped, stages, entries = _two_lists()
    group = group_services.create_group(reader=reader, name="Staged", curriculum=stages)

    response = client_as_reader.post(
        f"/groups/{group.slug}/targets/derive/", {"hours_per_week": "3", "start": "2027-01-04"}
    )

    assert response.status_code == 302
    assert set(group.targets.values_list("tier", flat=True)) == {p.section_id for p in entries}
    assert set(derived_targets(hours_per_week=3, start=dt.date(2027, 1, 4))) == {shipped.section}


# 4. A member's cells count their one reading record ------------------------------------------


@pytest.fixture
def shared_work():
    """One work cited by the default list and by a published further list, each advising its
    parts: the default list asks to engage deeply with "method" and skim "results"; the further
    list asks to skim "method" and engage deeply with "results"."""
    work = WorkFactory(paper=None, title="A Mathematical Framework")
    shipped = _entry(Curriculum.objects.default(), work=work, slug="framework")
    further = _published(slug="second", title="A second list")
    second = _entry(further, work=work, slug="second-framework")
    for paper, (method, results) in ((shipped, ("deep", "skim")), (second, ("skim", "deep"))):
        AdviceFactory(paper=paper, key="method", position=1, level=method)
        AdviceFactory(paper=paper, key="results", position=2, level=results)
    return shipped, second


@pytest.fixture
def grace_shares(reader, other_reader, shared_work):
    """A group reading the further list, where grace shares her progress."""
    group = group_services.create_group(
        reader=reader, name="Second", curriculum=shared_work[1].section.curriculum
    )
    MembershipFactory(group=group, reader=other_reader, sharing=Sharing.PROGRESS_AND_NOTES)
    return group


def test_a_work_read_for_another_list_shows_read_on_the_groups_board(
    client_as_reader, other_reader, shared_work, grace_shares
):
    shipped, second = shared_work
    ReadingStateFactory(reader=other_reader, paper=shipped, status=Status.READ)

    html = client_as_reader.get(grace_shares.get_absolute_url()).content.decode()

    assert grid_cell(html, second.slug, "grace") == "Read"
    assert "100" in html.split('id="tier-progress-', 1)[1].split("</progress>", 1)[0]


def test_a_skip_stays_with_its_own_list_and_reading_elsewhere_is_carried(
    other_reader, shared_work, grace_shares
):
    shipped, second = shared_work
    ReadingStateFactory(reader=other_reader, paper=shipped, status=Status.SKIPPED)
    assert board(grace_shares).rows[0].cells[0].status == Status.UNREAD

    ReadingStateFactory(reader=other_reader, paper=second, status=Status.SKIPPED)
    assert board(grace_shares).rows[0].cells[0].status == Status.SKIPPED

    # Then they start it for the other list: what they marked last is the work's status.
    shipped.reading_states.update(status=Status.READING, updated_at=timezone.now())
    found = board(grace_shares)
    assert found.rows[0].cells[0].status == Status.READING
    assert found.reading_now == [(found.sharers[0], [second])]


def test_a_part_read_deeply_elsewhere_satisfies_a_skim_here_but_a_skim_never_a_deep_one(
    client_as_reader, other_reader, shared_work, grace_shares
):
    shipped, second = shared_work
    for advice in shipped.advice.all():  # "method" deeply, "results" only skimmed
        PartTickFactory(reader=other_reader, advice=advice)

    cell = board(grace_shares).rows[0].cells[0]

    assert (cell.status, cell.ticked, cell.parts) == (Status.UNREAD, 1, 2)
    html = client_as_reader.get(grace_shares.get_absolute_url()).content.decode()
    assert grid_cell(html, second.slug, "grace") == "Unread, 1 of 2 parts ticked"


def test_a_tick_on_another_works_part_of_the_same_key_counts_for_nothing(
    other_reader, shared_work, grace_shares
):
    shipped, _ = shared_work
    elsewhere = _entry(Curriculum.objects.default(), shipped.section)
    PartTickFactory(
        reader=other_reader, advice=AdviceFactory(paper=elsewhere, key="method", level="deep")
    )
    ReadingStateFactory(reader=other_reader, paper=elsewhere, status=Status.READ)

    cell = board(grace_shares).rows[0].cells[0]

    assert (cell.status, cell.ticked) == (Status.UNREAD, 0)


def test_the_default_groups_board_counts_the_record_kept_for_another_list_the_same_way(
    client_as_reader, reader, other_reader, shared_work
):
    shipped, second = shared_work
    group = group_services.create_group(reader=reader, name="Shipped")
    MembershipFactory(group=group, reader=other_reader, sharing=Sharing.PROGRESS)
    ReadingStateFactory(reader=other_reader, paper=second, status=Status.READ)

    html = client_as_reader.get(group.get_absolute_url()).content.decode()

    assert grid_cell(html, shipped.slug, "grace") == "Read"
    assert 'id="grid-second-framework"' not in html


def test_a_note_on_the_work_written_for_another_list_shows_under_it_here(
    client_as_reader, other_reader, shared_work, grace_shares
):
    shipped, second = shared_work
    NoteFactory(reader=other_reader, paper=shipped, text="**Residual stream** first")

    html = client_as_reader.get(grace_shares.get_absolute_url()).content.decode()

    notes = html.split(f'id="notes-{second.slug}"', 1)[1].split("</article>", 1)[0]
    assert "<strong>Residual stream</strong> first" in notes and "grace" in notes


def _busy_further_group(members: int, curricula: int) -> ReadingGroup:
    """A group reading the last of `curricula` further lists, which all cite the same six works
    as the default list; every member shares progress and notes and has read, skipped and
    ticked on the default list and on every further one."""
    works = [WorkFactory(paper=None) for _ in range(6)]
    lists = [Curriculum.objects.default()] + [_published() for _ in range(curricula)]
    entries = {}
    for curriculum in lists:
        tiers = [SectionFactory(curriculum=curriculum, priority=n, position=n) for n in (1, 2)]
        for index, work in enumerate(works):
            paper = _entry(curriculum, tiers[index % 2], work=work)
            for position, level in enumerate(Level.values, start=1):
                AdviceFactory(paper=paper, key=f"part-{position}", position=position, level=level)
            entries.setdefault(curriculum.pk, []).append(paper)
    group = ReadingGroupFactory(curriculum=lists[-1])
    facilitator = UserFactory()
    MembershipFactory(group=group, reader=facilitator, role=Role.FACILITATOR)
    TierTargetFactory(
        group=group, tier=entries[lists[-1].pk][0].section, due_on=dt.date(2020, 1, 1)
    )
    for index in range(members - 1):
        member = UserFactory()
        MembershipFactory(group=group, reader=member, sharing=Sharing.PROGRESS_AND_NOTES)
        for papers in entries.values():
            ReadingStateFactory(reader=member, paper=papers[index % 6], status=Status.READ)
            ReadingStateFactory(reader=member, paper=papers[(index + 1) % 6], status=Status.SKIPPED)
            PartTickFactory(reader=member, advice=papers[(index + 2) % 6].advice.first())
        # One note per work, written from the group's list's entry.
        shown = entries[lists[-1].pk][index % 6]
        NoteFactory(reader=member, paper=shown, text=f"Note {index}")
    group.facilitator = facilitator
    return group


@pytest.mark.parametrize(("members", "curricula"), [(2, 1), (6, 1), (2, 2), (6, 2)])
def test_a_further_lists_group_page_runs_the_same_queries_whatever_its_members_and_curricula(
    client, members, curricula, django_assert_num_queries
):
    group = _busy_further_group(members, curricula)
    client.force_login(group.facilitator)
    client.get(group.get_absolute_url())  # stores the renderings the factory's notes lack
    # session, user, own membership with its group and curriculum, members, entries with their
    # main works, their current parts, statuses and ticks with their works, notes, targets
    with django_assert_num_queries(10):
        response = client.get(group.get_absolute_url())
    html = response.content.decode()
    assert html.count('<tr id="grid-') == 6
    assert len(re.findall(r'<td class="cell-', html)) == 6 * (members - 1)
    # Each member read one work on every list: it shows read here, whichever list it was for.
    assert len(re.findall(r": Read\"", html)) == members - 1
