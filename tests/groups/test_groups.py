"""Reading groups — membership and invites, opt-in sharing, the group page, privacy,
a fixed query budget and the HTMX controls."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups import services as group_services
from groups.models import Membership, ReadingGroup, Role, Sharing
from progress import services
from progress.models import Status
from tests.factories import (
    MembershipFactory,
    NoteFactory,
    PartTickFactory,
    ReadingGroupFactory,
    ReadingStateFactory,
    SectionFactory,
    TierTargetFactory,
    UserFactory,
    build_catalogue,
)
from tests.helpers import HTMX

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(reader):
    """A group that `reader` (ada) facilitates."""
    return group_services.create_group(reader=reader, name="Circuits club", description="Weekly.")


@pytest.fixture
def member(group, other_reader):
    """`other_reader` (grace), a plain member of `group` sharing nothing yet."""
    return MembershipFactory(group=group, reader=other_reader)


@pytest.fixture
def client_as_member(client, other_reader, member):
    client.force_login(other_reader)
    return client


def signed_in(user) -> Client:
    """A separate browser for a second reader (the `client` fixture is shared with
    client_as_reader)."""
    client = Client()
    client.force_login(user)
    return client


def unmasked(response) -> str:
    """The body without what changes on every request: CSRF tokens and the CSP nonce."""
    body = re.sub(r'"X-CSRFToken": "[^"]+"', "", response.content.decode())
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    return re.sub(r'nonce="[^"]+"', "", body)


def grid_cell(html: str, slug: str, username: str) -> str:
    """The title of one member's cell in an entry's grid row ('' if the row or cell is absent)."""
    row = re.search(rf'<tr id="grid-{slug}">(.*?)</tr>', html, re.S)
    if not row:
        return ""
    found = re.search(rf'title="{username}: ([^"]*)"', row.group(1))
    return found.group(1) if found else ""


# 1. Groups, invites and roles ---------------------------------------------------------------


def test_a_signed_in_reader_creates_a_group_and_becomes_its_facilitator(client_as_reader, reader):
    response = client_as_reader.post(
        "/groups/new/", {"name": "Interp reading group", "description": "Tuesdays."}
    )
    group = ReadingGroup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/groups/{group.slug}/#invite"
    assert group.slug == "interp-reading-group" and group.description == "Tuesdays."
    assert group.memberships.get().reader == reader
    assert group.memberships.get().role == Role.FACILITATOR
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    assert f"http://testserver/groups/join/{group.invite_token}/" in html


def test_a_group_needs_a_name(client_as_reader):
    response = client_as_reader.post("/groups/new/", {"name": "", "description": ""})
    assert response.status_code == 400
    assert not ReadingGroup.objects.exists()


def test_invite_tokens_are_unguessable_and_slugs_never_shadow_group_urls(reader):
    first = group_services.create_group(reader=reader, name="New")
    second = group_services.create_group(reader=reader, name="New")
    # token_urlsafe(32): 256 random bits, 43 URL-safe characters.
    assert len(first.invite_token) == 43 and first.invite_token != second.invite_token
    assert re.fullmatch(r"new-[0-9a-f]{6}", first.slug)
    assert first.slug != second.slug


def test_the_index_lists_the_readers_groups_and_offers_to_start_one(
    client_as_reader, group, other_reader
):
    elsewhere = group_services.create_group(reader=other_reader, name="Not yours")
    html = client_as_reader.get("/groups/").content.decode()
    assert "Circuits club" in html and "facilitator" in html
    assert elsewhere.name not in html
    assert 'href="/groups/new/"' in html and "Start a group" in html


def test_joining_needs_a_sign_in_that_returns_to_the_invite(client, group):
    invite = f"/groups/join/{group.invite_token}/"
    response = client.get(invite)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={invite}"


def test_a_reader_joins_through_the_invite_link_as_a_member_sharing_nothing(
    client, group, other_reader
):
    client.force_login(other_reader)
    invite = f"/groups/join/{group.invite_token}/"
    page = client.get(invite)
    assert page.status_code == 200 and "Join Circuits club" in page.content.decode()
    response = client.post(invite)
    assert response.status_code == 302 and response["Location"] == f"/groups/{group.slug}/#sharing"
    membership = other_reader.group_memberships.get(group=group)
    assert membership.role == Role.MEMBER and membership.sharing == Sharing.NOTHING
    # Following the link again just goes to the group.
    assert client.post(invite)["Location"] == f"/groups/{group.slug}/"
    assert group.memberships.count() == 2


def test_members_can_leave_at_any_time(client_as_member, group, other_reader):
    response = client_as_member.post(f"/groups/{group.slug}/leave/")
    assert response.status_code == 302 and response["Location"] == "/groups/"
    assert not other_reader.group_memberships.exists()
    assert client_as_member.get(group.get_absolute_url()).status_code == 404


def test_a_leaving_facilitator_passes_the_role_on_and_the_last_member_takes_the_group(
    client_as_reader, group, member
):
    client_as_reader.post(f"/groups/{group.slug}/leave/")
    member.refresh_from_db()
    assert member.role == Role.FACILITATOR
    group_services.leave(membership=member)
    assert not ReadingGroup.objects.filter(pk=group.pk).exists()


def test_the_facilitator_removes_a_member(client_as_reader, group, member):
    response = client_as_reader.post(f"/groups/{group.slug}/members/{member.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_the_facilitator_cannot_remove_themselves_or_strangers(client_as_reader, group):
    mine = group.memberships.get()
    stranger = MembershipFactory()  # in another group
    for target in (mine, stranger):
        response = client_as_reader.post(f"/groups/{group.slug}/members/{target.pk}/remove/")
        assert response.status_code == 404
    assert Membership.objects.count() == 2


def test_the_facilitator_hands_over_the_role_and_becomes_a_member(
    client_as_reader, group, reader, member
):
    response = client_as_reader.post(f"/groups/{group.slug}/members/{member.pk}/hand-over/")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.FACILITATOR
    assert reader.group_memberships.get(group=group).role == Role.MEMBER
    # The old facilitator's controls are gone.
    assert client_as_reader.post(f"/groups/{group.slug}/invite/revoke/").status_code == 404


def test_members_cannot_use_the_facilitators_controls(client_as_member, group, member, reader):
    facilitator = reader.group_memberships.get(group=group)
    for url in [
        f"/groups/{group.slug}/invite/new/",
        f"/groups/{group.slug}/invite/revoke/",
        f"/groups/{group.slug}/invite/cap/",
        f"/groups/{group.slug}/targets/",
        f"/groups/{group.slug}/members/{facilitator.pk}/remove/",
        f"/groups/{group.slug}/members/{facilitator.pk}/hand-over/",
    ]:
        assert client_as_member.post(url).status_code == 404, url
    html = client_as_member.get(group.get_absolute_url()).content.decode()
    assert "invite-link" not in html and group.invite_token not in html


def test_the_database_allows_one_membership_per_reader_and_group(group, reader):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(group=group, reader=reader)


def test_the_database_allows_one_facilitator_per_group(group, other_reader):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(group=group, reader=other_reader, role=Role.FACILITATOR)
    # Other groups have their own facilitator.
    MembershipFactory(reader=other_reader, role=Role.FACILITATOR)


# 2. Sharing -----------------------------------------------------------------------------------


def test_sharing_is_opt_in_with_three_levels(client_as_member, member, group):
    assert Sharing.values == ["nothing", "progress", "progress_and_notes"]
    assert member.sharing == Sharing.NOTHING
    url = f"/groups/{group.slug}/sharing/"
    for level in Sharing.values:
        response = client_as_member.post(url, {"sharing": level})
        assert response.status_code == 302 and response["Location"].endswith("#sharing")
        member.refresh_from_db()
        assert member.sharing == level
    assert client_as_member.post(url, {"sharing": "everything"}).status_code == 400
    member.refresh_from_db()
    assert member.sharing == Sharing.PROGRESS_AND_NOTES


# 3. The group page ----------------------------------------------------------------------------


def test_the_grid_shows_sharing_members_statuses_in_reading_order_without_colour(
    client_as_reader, group, member, other_reader
):
    papers = build_catalogue(6)
    member.sharing = Sharing.PROGRESS
    member.save()
    ReadingStateFactory(reader=other_reader, paper=papers[0], status=Status.READ)
    ReadingStateFactory(reader=other_reader, paper=papers[1], status=Status.READING)
    ReadingStateFactory(reader=other_reader, paper=papers[2], status=Status.SKIMMED)
    ReadingStateFactory(reader=other_reader, paper=papers[3], status=Status.SKIPPED)
    PartTickFactory(reader=other_reader, advice=papers[1].advice.get(position=1))
    html = client_as_reader.get(group.get_absolute_url()).content.decode()

    in_order = re.findall(r'<tr id="grid-([\w-]+)">', html)
    # build_catalogue alternates tiers: tier one holds entries 0, 2, 4.
    assert in_order == [papers[i].slug for i in (0, 2, 4, 1, 3, 5)]
    assert html.index("Priority 1: ") < html.index(f'id="grid-{papers[0].slug}"')
    assert grid_cell(html, papers[0].slug, "grace") == "Read"
    assert grid_cell(html, papers[1].slug, "grace") == "Reading, 1 of 3 parts ticked"
    assert grid_cell(html, papers[2].slug, "grace") == "Skimmed"
    assert grid_cell(html, papers[3].slug, "grace") == "Skipped"
    assert grid_cell(html, papers[4].slug, "grace") == "Unread"
    row = re.search(rf'<tr id="grid-{papers[1].slug}">(.*?)</tr>', html, re.S).group(1)
    assert '<span aria-hidden="true">… 1/3</span><span class="visually-hidden">' in row
    legend = html.split('id="legend"', 1)[1].split("</p>", 1)[0]
    for mark, label in [
        ("R", "read"),
        ("…", "reading"),
        ("S", "skimmed"),
        ("\N{EN DASH}", "skipped"),
    ]:
        assert f"<strong>{mark}</strong> {label}" in legend
    assert "blank unread" in legend
    # ada shares nothing, so she has no column even on her own page.
    assert '<th scope="col">ada</th>' not in html and '<th scope="col">grace</th>' in html


def test_the_page_shows_per_tier_completion_and_who_is_reading_what(
    client_as_reader, group, member, other_reader
):
    papers = build_catalogue(4)  # tier one: 0 and 2; tier two: 1 and 3
    member.sharing = Sharing.PROGRESS
    member.save()
    ReadingStateFactory(reader=other_reader, paper=papers[0], status=Status.READ)
    ReadingStateFactory(reader=other_reader, paper=papers[1], status=Status.READING)
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    tier_one = html.split('id="tier-progress-tier-one"', 1)[1].split("</progress>", 1)[0]
    assert '<progress max="100" value="50"' in tier_one
    tier_two = html.split('id="tier-progress-tier-two"', 1)[1].split("</progress>", 1)[0]
    assert '<progress max="100" value="0"' in tier_two
    reading = html.split('id="reading-now"', 1)[1].split("</section>", 1)[0]
    assert "<strong>grace</strong>" in reading and papers[1].name in reading
    assert "1 member shares nothing" in html


def test_shared_notes_are_rendered_sanitised_under_their_entry(
    client_as_reader, group, member, other_reader
):
    papers = build_catalogue(2)
    member.sharing = Sharing.PROGRESS_AND_NOTES
    member.save()
    NoteFactory(
        reader=other_reader,
        paper=papers[0],
        text="**Key idea** <script>alert(1)</script> [x](javascript:alert(2))",
    )
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    notes = html.split(f'id="notes-{papers[0].slug}"', 1)[1].split("</article>", 1)[0]
    assert "<strong>Key idea</strong>" in notes and "grace" in notes
    assert "<script>alert" not in html and 'href="javascript' not in html
    assert f'href="#notes-{papers[0].slug}"' in html


def test_the_facilitator_sets_tier_targets_and_sees_who_is_behind(
    client_as_reader, group, member, other_reader
):
    papers = build_catalogue(4)
    late = UserFactory(username="lin")
    MembershipFactory(group=group, reader=late, sharing=Sharing.PROGRESS)
    MembershipFactory(group=group, reader=UserFactory(username="quiet"))
    member.sharing = Sharing.PROGRESS
    member.save()
    for paper in (papers[0], papers[2]):  # all of tier one
        ReadingStateFactory(reader=other_reader, paper=paper, status=Status.READ)
    ReadingStateFactory(reader=late, paper=papers[0], status=Status.SKIMMED)
    tier_one, tier_two = papers[0].section, papers[1].section
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    next_week = timezone.localdate() + dt.timedelta(days=7)

    response = client_as_reader.post(
        f"/groups/{group.slug}/targets/",
        {f"target-{tier_one.pk}": yesterday.isoformat(), f"target-{tier_two.pk}": next_week},
    )
    assert response.status_code == 302
    assert {t.tier: t.due_on for t in group.targets.all()} == {
        tier_one: yesterday,
        tier_two: next_week,
    }
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    behind = html.split('id="behind-tier-one"', 1)[1].split("</p>", 1)[0]
    assert "lin (1 of 2 finished)" in behind
    assert "grace" not in behind and "quiet" not in behind  # finished; not assessable
    assert 'id="behind-tier-two"' not in html  # its date has not passed
    assessed = html.split('id="assessed"', 1)[1].split("</p>", 1)[0]
    assert "2 members share nothing" in assessed  # ada and quiet
    assert "only members who share their progress can be assessed" in assessed
    # Members see the dates but not who is behind.
    member_view = signed_in(other_reader).get(group.get_absolute_url()).content.decode()
    assert "(passed)" in member_view and 'id="behind-' not in member_view
    # An empty date clears a target.
    client_as_reader.post(
        f"/groups/{group.slug}/targets/",
        {f"target-{tier_one.pk}": "", f"target-{tier_two.pk}": next_week},
    )
    assert list(group.targets.values_list("tier", flat=True)) == [tier_two.pk]


def test_a_bad_target_date_is_refused(client_as_reader, group):
    tier = SectionFactory()
    build_catalogue(2)
    response = client_as_reader.post(f"/groups/{group.slug}/targets/", {f"target-{tier.pk}": "x"})
    assert response.status_code == 400
    assert not group.targets.exists()


# 4. Privacy -----------------------------------------------------------------------------------


def _group_urls(group: ReadingGroup) -> list[tuple[str, str]]:
    member = group.memberships.get()
    base = f"/groups/{group.slug}"
    return [
        ("get", f"{base}/"),
        ("post", f"{base}/sharing/"),
        ("post", f"{base}/leave/"),
        ("post", f"{base}/invite/new/"),
        ("post", f"{base}/invite/revoke/"),
        ("post", f"{base}/invite/cap/"),
        ("post", f"{base}/targets/"),
        ("post", f"{base}/members/{member.pk}/remove/"),
        ("post", f"{base}/members/{member.pk}/hand-over/"),
    ]


def test_non_members_get_404_on_every_group_url_as_for_a_group_that_does_not_exist(
    client, group, other_reader
):
    client.force_login(other_reader)
    for method, url in _group_urls(group):
        nowhere = url.replace(group.slug, "no-such-group")
        for headers in ({}, HTMX):
            real = getattr(client, method)(url, {"sharing": "progress"}, headers=headers)
            fake = getattr(client, method)(nowhere, {"sharing": "progress"}, headers=headers)
            assert real.status_code == fake.status_code == 404, url
            assert unmasked(real) == unmasked(fake), url
    assert group.memberships.count() == 1 and group.invite_token


def test_a_member_never_sees_another_members_unshared_progress_or_notes(
    client_as_reader, group, member, other_reader
):
    papers = build_catalogue(2)
    ReadingStateFactory(reader=other_reader, paper=papers[0], status=Status.READING)
    NoteFactory(reader=other_reader, paper=papers[0], text="Grace's private thought")
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    assert "grace" in html  # membership itself is visible
    assert grid_cell(html, papers[0].slug, "grace") == ""
    assert "Grace&#x27;s private thought" not in html and "private thought" not in html
    assert "<strong>grace</strong>" not in html  # not under "reading now" either

    member.sharing = Sharing.PROGRESS
    member.save()
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    assert grid_cell(html, papers[0].slug, "grace") == "Reading"
    assert "private thought" not in html  # notes need "progress and notes"

    member.sharing = Sharing.PROGRESS_AND_NOTES
    member.save()
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    assert "private thought" in html


def test_turning_sharing_off_hides_the_members_data_at_once(
    client_as_member, group, member, other_reader, reader
):
    papers = build_catalogue(2)
    ReadingStateFactory(reader=other_reader, paper=papers[0], status=Status.READ)
    NoteFactory(reader=other_reader, paper=papers[0], text="Shared for a while")
    url = f"/groups/{group.slug}/sharing/"
    client_as_member.post(url, {"sharing": Sharing.PROGRESS_AND_NOTES})
    facilitator = signed_in(reader)
    html = facilitator.get(group.get_absolute_url()).content.decode()
    assert grid_cell(html, papers[0].slug, "grace") == "Read" and "Shared for a while" in html

    client_as_member.post(url, {"sharing": Sharing.NOTHING})
    html = facilitator.get(group.get_absolute_url()).content.decode()
    assert grid_cell(html, papers[0].slug, "grace") == ""
    assert "Shared for a while" not in html


def test_leaving_hides_the_members_data_at_once(client_as_member, group, member, reader):
    papers = build_catalogue(2)
    member.sharing = Sharing.PROGRESS_AND_NOTES
    member.save()
    ReadingStateFactory(reader=member.reader, paper=papers[0], status=Status.READ)
    NoteFactory(reader=member.reader, paper=papers[0], text="Left behind?")
    facilitator = signed_in(reader)
    assert "Left behind?" in facilitator.get(group.get_absolute_url()).content.decode()
    client_as_member.post(f"/groups/{group.slug}/leave/")
    html = facilitator.get(group.get_absolute_url()).content.decode()
    assert "Left behind?" not in html and "grace" not in html


def test_a_revoked_invite_no_longer_works(client_as_reader, group, other_reader):
    token = group.invite_token
    assert client_as_reader.post(f"/groups/{group.slug}/invite/revoke/").status_code == 302
    group.refresh_from_db()
    assert group.invite_token is None
    client = signed_in(other_reader)
    for method in ("get", "post"):
        response = getattr(client, method)(f"/groups/join/{token}/")
        assert response.status_code == 404
        assert "This invite link does not work" in response.content.decode()
    assert not other_reader.group_memberships.exists()


def test_a_rotated_away_invite_no_longer_works_and_the_new_one_does(
    client_as_reader, group, other_reader
):
    old = group.invite_token
    client_as_reader.post(f"/groups/{group.slug}/invite/new/", {"valid_for": ""})
    group.refresh_from_db()
    assert group.invite_token != old and len(group.invite_token) == 43
    client = signed_in(other_reader)
    assert client.post(f"/groups/join/{old}/").status_code == 404
    assert client.post(f"/groups/join/{group.invite_token}/").status_code == 302
    assert other_reader.group_memberships.filter(group=group).exists()


def test_an_expired_invite_no_longer_works(client_as_reader, group, other_reader):
    client_as_reader.post(f"/groups/{group.slug}/invite/new/", {"valid_for": "7"})
    group.refresh_from_db()
    assert group.invite_expires_at - timezone.now() > dt.timedelta(days=6, hours=23)
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    assert "Works until" in html
    ReadingGroup.objects.filter(pk=group.pk).update(
        invite_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    client = signed_in(other_reader)
    response = client.post(f"/groups/join/{group.invite_token}/")
    assert response.status_code == 404 and "expired" in response.content.decode()
    assert not other_reader.group_memberships.exists()
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    assert "the last one expired" in html and 'id="invite-link"' not in html


def test_the_member_cap_is_enforced(client_as_reader, group, member):
    response = client_as_reader.post(f"/groups/{group.slug}/invite/cap/", {"member_cap": 2})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.member_cap == 2
    newcomer = UserFactory(username="late")
    client = signed_in(newcomer)
    page = client.get(f"/groups/join/{group.invite_token}/")
    assert "is full" in page.content.decode()
    assert "Join the group</button>" not in page.content.decode()
    response = client.post(f"/groups/join/{group.invite_token}/")
    assert response.status_code == 409 and "is full" in response.content.decode()
    assert group.memberships.count() == 2
    with pytest.raises(group_services.GroupFull):
        group_services.join(reader=newcomer, token=group.invite_token)
    client_as_reader.post(f"/groups/{group.slug}/invite/cap/", {"member_cap": ""})
    assert client.post(f"/groups/join/{group.invite_token}/").status_code == 302


# 5. A fixed number of queries ------------------------------------------------------------------


def _busy_group(members: int, entries: int) -> ReadingGroup:
    """A group whose members all share progress and notes, each with statuses, ticks, notes."""
    papers = build_catalogue(entries)
    group = ReadingGroupFactory()
    facilitator = UserFactory()
    MembershipFactory(group=group, reader=facilitator, role=Role.FACILITATOR)
    TierTargetFactory(group=group, tier=papers[0].section, due_on=dt.date(2020, 1, 1))
    for index in range(members - 1):
        reader = UserFactory()
        MembershipFactory(group=group, reader=reader, sharing=Sharing.PROGRESS_AND_NOTES)
        for paper in papers[index % 3 :: 3]:
            ReadingStateFactory(reader=reader, paper=paper, status=Status.READ)
        PartTickFactory(reader=reader, advice=papers[1].advice.first())
        NoteFactory(reader=reader, paper=papers[2], text=f"Note {index}")
    group.facilitator = facilitator
    return group


@pytest.mark.parametrize("members", [5, 50])
def test_the_group_page_runs_the_same_number_of_queries_whatever_its_size(
    client, members, django_assert_num_queries
):
    group = _busy_group(members, entries=30)
    client.force_login(group.facilitator)
    client.get(group.get_absolute_url())  # stores the renderings the factory's notes lack
    # session, user, own membership and group, members, entries, their current parts (counted
    # under the one rule), statuses, ticks, notes, targets
    with django_assert_num_queries(10):
        response = client.get(group.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<tr id="grid-') == 30
    assert len(re.findall(r'<td class="cell-', html)) == 30 * (members - 1)


# 6. HTMX fragments, methods, CSRF and caching --------------------------------------------------


def test_sharing_answers_htmx_with_its_fragment_and_asks_the_board_to_reload(
    client_as_member, group, member
):
    response = client_as_member.post(
        f"/groups/{group.slug}/sharing/", {"sharing": "progress"}, headers=HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="sharing"') and "<html" not in html
    assert re.search(r'value="progress"[^>]*checked', html)
    assert 'id="flash" hx-swap-oob="innerHTML"' in html and "Saved" in html
    assert response["HX-Trigger"] == '{"group-board-stale": {}}'
    refused = client_as_member.post(
        f"/groups/{group.slug}/sharing/", {"sharing": "all"}, headers=HTMX
    )
    assert refused.status_code == 400 and refused.content.decode().lstrip().startswith(
        '<section id="sharing"'
    )


def test_the_board_reloads_alone_when_htmx_asks_for_it(client_as_member, group, member):
    response = client_as_member.get(
        group.get_absolute_url(), headers={**HTMX, "HX-Target": "board"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"') and 'id="sharing"' not in html


def test_invite_management_answers_htmx_with_its_fragment(client_as_reader, group):
    old = group.invite_token
    response = client_as_reader.post(
        f"/groups/{group.slug}/invite/new/", {"valid_for": "30"}, headers=HTMX
    )
    html = response.content.decode()
    group.refresh_from_db()
    assert html.lstrip().startswith('<section id="invite"') and "<html" not in html
    assert group.invite_token in html and old not in html
    response = client_as_reader.post(f"/groups/{group.slug}/invite/revoke/", headers=HTMX)
    assert "no working invite link" in response.content.decode()
    response = client_as_reader.post(
        f"/groups/{group.slug}/invite/cap/", {"member_cap": 0}, headers=HTMX
    )
    assert response.status_code == 400 and 'id="invite"' in response.content.decode()


def test_the_controls_are_plain_forms_that_work_without_javascript(client_as_reader, group):
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    for action in ["sharing", "invite/new", "invite/revoke", "invite/cap", "leave", "targets"]:
        assert f'method="post" action="/groups/{group.slug}/{action}/"' in html, action
    assert html.count("csrfmiddlewaretoken") >= 6


def test_writes_are_post_only_and_need_the_csrf_token(group, reader):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(reader)
    assert csrf_client.get(f"/groups/{group.slug}/invite/revoke/").status_code == 405
    assert csrf_client.post(f"/groups/{group.slug}/invite/revoke/").status_code == 403
    group.refresh_from_db()
    assert group.invite_token
    assert signed_in(reader).post(f"/groups/{group.slug}/").status_code == 405


def test_the_group_page_is_never_cached(client_as_reader, group):
    response = client_as_reader.get(group.get_absolute_url())
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_readers_status_change_shows_in_the_group_at_once(
    client_as_reader, group, member, other_reader
):
    papers = build_catalogue(2)
    member.sharing = Sharing.PROGRESS
    member.save()
    services.set_status(reader=other_reader, paper=papers[1], status=Status.READ)
    html = client_as_reader.get(group.get_absolute_url()).content.decode()
    assert grid_cell(html, papers[1].slug, "grace") == "Read"


def test_deleting_a_facilitators_account_passes_the_role_on():
    from accounts import portability

    facilitator = UserFactory(username="leaving")
    member = UserFactory(username="staying")
    group = group_services.create_group(reader=facilitator, name="Circuits club", description="")
    group_services.join(reader=member, token=group.invite_token)
    portability.delete_account(reader=facilitator)
    assert Membership.objects.get(group=group, reader=member).role == Role.FACILITATOR


def test_the_sign_in_page_an_invite_link_leads_to_names_the_group(client, reader):
    group = group_services.create_group(reader=reader, name="Circuits club")
    invite = reverse("groups:join", args=[group.invite_token])
    response = client.get(invite, follow=True)
    html = " ".join(response.content.decode().split())
    assert "to join “Circuits club”" in html
    dead = client.get(reverse("accounts:login"), {"next": "/groups/join/not-a-token/"})
    assert "to join" not in dead.content.decode()
