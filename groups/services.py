"""Reading-group writes: one function per use case, each in one transaction.

Every change of membership locks the group row first, so two requests cannot both take the last
place under the member cap, or leave a group with two facilitators or none.
"""

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from catalogue.models import Curriculum, Section
from groups.models import Membership, ReadingGroup, Role, Sharing, TierTarget
from progress.writes import writes_reader

# A membership is its reader's data: writes to one go through the write construct under the
# reader who acts (the member themselves, or the facilitator acting on the group).
member_write = writes_reader(lambda kwargs: kwargs["membership"].reader_id)
facilitator_write = writes_reader(lambda kwargs: kwargs["facilitator"].reader_id)

# Path segments of the group URLs that a group's slug must never shadow.
RESERVED_SLUGS = {"new", "join"}


class InviteUnusable(Exception):
    """The invite link is unknown, revoked, replaced by a newer one, or past its expiry."""


class GroupFull(Exception):
    """The group has reached its member cap."""


class NotATier(ValueError):
    """A target was set on a section that is not a top-level section of the group's curriculum."""

    def __init__(self, group: ReadingGroup, section: Section):
        super().__init__(
            f"“{section}” is not a tier of “{group.curriculum}”, the list this group reads: "
            "targets are set on that list's top-level sections only."
        )


def new_invite_token() -> str:
    """An unguessable token for an invite link (256 bits)."""
    return secrets.token_urlsafe(32)


def _lock(group: ReadingGroup) -> ReadingGroup:
    """Take the group's row lock (SQLite's IMMEDIATE transactions already serialise writes)."""
    return ReadingGroup.objects.select_for_update().get(pk=group.pk)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60].strip("-") or "group"
    if base not in RESERVED_SLUGS and not ReadingGroup.objects.filter(slug=base).exists():
        return base
    return f"{base}-{secrets.token_hex(3)}"


@writes_reader()
def create_group(
    *, reader, name: str, description: str = "", curriculum: Curriculum | None = None
) -> ReadingGroup:
    """A new group reading `curriculum` (the default one if none), with `reader` as its
    facilitator and a working invite link."""
    group = ReadingGroup.objects.create(
        name=name,
        slug=_unique_slug(name),
        description=description,
        invite_token=new_invite_token(),
        curriculum=curriculum or Curriculum.objects.default(),
    )
    Membership.objects.create(group=group, reader=reader, role=Role.FACILITATOR)
    return group


@writes_reader()
def join(*, reader, token: str) -> Membership:
    """Join the group this invite link belongs to; joining twice returns the same membership.

    Raises InviteUnusable for a dead link and GroupFull at the member cap.
    """
    group = ReadingGroup.objects.by_invite(token)
    if group is None:
        raise InviteUnusable(token)
    group = _lock(group)
    existing = group.memberships.filter(reader=reader).first()
    if existing is not None:
        return existing
    if group.is_full():
        raise GroupFull(group)
    return Membership.objects.create(group=group, reader=reader, role=Role.MEMBER)


@member_write
def set_sharing(*, membership: Membership, sharing: str) -> Membership:
    """Choose what this member shows the group; takes effect on the next page the group loads."""
    membership.sharing = Sharing(sharing)
    membership.save(update_fields=["sharing"])
    return membership


@member_write
def leave(*, membership: Membership) -> None:
    """Leave a group. A leaving facilitator passes the role to the longest-standing member;
    the last member to leave takes the group with them."""
    group = _lock(membership.group)
    if not membership.is_facilitator:
        membership.delete()
        return
    successor = group.successor_to(membership)
    membership.delete()
    if successor is None:
        group.delete()
        return
    successor.role = Role.FACILITATOR
    successor.save(update_fields=["role"])


@facilitator_write
def remove_member(*, facilitator: Membership, member_id: int) -> Membership:
    """Take a member out of the facilitator's group (never the facilitator themselves).

    Raises Membership.DoesNotExist when there is no such other member.
    """
    _lock(facilitator.group)
    member = facilitator.group.memberships.other_than(facilitator).get(pk=member_id)
    member.delete()
    return member


@facilitator_write
def hand_over(*, facilitator: Membership, member_id: int) -> Membership:
    """Make another member the facilitator; the old facilitator stays on as a member.

    Raises Membership.DoesNotExist when there is no such other member.
    """
    _lock(facilitator.group)
    member = facilitator.group.memberships.other_than(facilitator).get(pk=member_id)
    # Step down first: the database allows one facilitator per group at any moment.
    facilitator.role = Role.MEMBER
    facilitator.save(update_fields=["role"])
    member.role = Role.FACILITATOR
    member.save(update_fields=["role"])
    return member


@transaction.atomic
def rotate_invite(*, group: ReadingGroup, valid_for: dt.timedelta | None) -> ReadingGroup:
    """Replace the invite link with a new one, optionally expiring; the old link stops working."""
    group.invite_token = new_invite_token()
    group.invite_expires_at = timezone.now() + valid_for if valid_for else None
    group.save(update_fields=["invite_token", "invite_expires_at"])
    return group


@transaction.atomic
def revoke_invite(*, group: ReadingGroup) -> ReadingGroup:
    """Turn the invite link off; nobody new can join until a new link is made."""
    group.invite_token = None
    group.invite_expires_at = None
    group.save(update_fields=["invite_token", "invite_expires_at"])
    return group


@transaction.atomic
def set_member_cap(*, group: ReadingGroup, cap: int | None) -> ReadingGroup:
    """Limit how many members the group may have; members already in stay, whatever the cap."""
    group.member_cap = cap
    group.save(update_fields=["member_cap"])
    return group


@transaction.atomic
def set_targets(*, group: ReadingGroup, due: dict[Section, dt.date | None]) -> None:
    """Set or clear the target date of each tier given. Raises NotATier, and changes nothing,
    when a section given is not a top-level section of the group's curriculum."""
    for tier in due:
        if tier.parent_id is not None or tier.curriculum_id != group.curriculum_id:
            raise NotATier(group, tier)
    for tier, due_on in due.items():
        if due_on is None:
            group.targets.filter(tier=tier).delete()
        else:
            TierTarget.objects.update_or_create(group=group, tier=tier, defaults={"due_on": due_on})


def leave_every_group(*, reader) -> None:
    """Leave all of a reader's groups, handing on any facilitator role (before deleting them)."""
    for membership in reader.group_memberships.select_related("group"):
        leave(membership=membership)
