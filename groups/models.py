"""Reading groups: readers who work through the list together, each sharing only what they choose.

A group has exactly one facilitator, who manages its invite link, members and target dates.
Membership alone reveals nothing but a reader's name; progress and notes are shown to the group
only while that member's sharing setting says so.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Curriculum, Section, default_curriculum_id


class Role(models.TextChoices):
    FACILITATOR = "facilitator", "Facilitator"
    MEMBER = "member", "Member"


class Sharing(models.TextChoices):
    NOTHING = "nothing", "Nothing (only that I am a member)"
    PROGRESS = "progress", "My progress (statuses and ticked parts)"
    PROGRESS_AND_NOTES = "progress_and_notes", "My progress and my notes"

    @classmethod
    def with_progress(cls) -> list[str]:
        return [cls.PROGRESS, cls.PROGRESS_AND_NOTES]


class ReadingGroupQuerySet(models.QuerySet):
    def by_invite(self, token: str) -> "ReadingGroup | None":
        """The group whose invite link carries this token, if the link still works."""
        group = (
            self.select_related("curriculum").filter(invite_token=token).first() if token else None
        )
        return group if group is not None and group.invite_works() else None


class ReadingGroup(models.Model):
    """A group of readers reading one curriculum; its invite link works while `invite_token` is
    set and not expired."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    # Null when revoked. Stored as given out, because the facilitator must be able to copy it.
    invite_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    invite_expires_at = models.DateTimeField(null=True, blank=True)
    member_cap = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Most members the group may have, facilitator included."
    )
    # PROTECT: a curriculum a group reads cannot vanish from under it. The default one when a
    # caller names none, as for a section.
    curriculum = models.ForeignKey(
        Curriculum,
        on_delete=models.PROTECT,
        related_name="reading_groups",
        default=default_curriculum_id,
        help_text="The list the group reads: its board, tiers and targets are this list's.",
    )

    objects = ReadingGroupQuerySet.as_manager()

    class Meta:
        # The tables were made when groups lived in the progress app; they keep their names.
        db_table = "progress_readinggroup"
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member_cap__isnull=True) | Q(member_cap__gte=1),
                name="group_member_cap_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("groups:detail", kwargs={"slug": self.slug})

    def is_full(self, members: int | None = None) -> bool:
        """The member cap is reached (`members`: the count, when the caller has it already)."""
        if self.member_cap is None:
            return False
        if members is None:
            members = self.memberships.count()
        return members >= self.member_cap

    def successor_to(self, leaving: "Membership", members=None) -> "Membership | None":
        """Who facilitates if `leaving` goes: the longest-standing other member.

        `members`: the group's memberships in joining order, when the caller has read them.
        """
        if members is not None:
            return next((m for m in members if m.pk != leaving.pk), None)
        return self.memberships.other_than(leaving).in_joining_order().first()

    def invite_works(self, now=None) -> bool:
        """The link has a token and has not expired (the member cap is checked on joining)."""
        if not self.invite_token:
            return False
        now = now or timezone.now()
        return self.invite_expires_at is None or now < self.invite_expires_at


class MembershipQuerySet(models.QuerySet):
    def facilitating(self) -> "MembershipQuerySet":
        return self.filter(role=Role.FACILITATOR)

    def in_joining_order(self) -> "MembershipQuerySet":
        """Longest-standing first: the order of the members list and of facilitator succession."""
        return self.order_by("joined_at", "id")

    def by_group_name(self) -> "MembershipQuerySet":
        return self.select_related("group__curriculum").order_by("group__name")

    def of_group(self, group: "ReadingGroup") -> "MembershipQuerySet":
        return self.filter(group=group)

    def other_than(self, membership: "Membership") -> "MembershipQuerySet":
        return self.exclude(pk=membership.pk)

    def sharing_progress(self) -> "MembershipQuerySet":
        return self.filter(sharing__in=Sharing.with_progress())

    def in_group(self, slug: str) -> "Membership":
        """This membership (with its group and the curriculum it reads) in the group with this
        slug; DoesNotExist otherwise."""
        return self.select_related("group__curriculum").get(group__slug=slug)


class Membership(models.Model):
    """One reader in one group, with their role and what they share with it."""

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="memberships")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    sharing = models.CharField(max_length=20, choices=Sharing.choices, default=Sharing.NOTHING)
    joined_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        db_table = "progress_membership"
        ordering = ["group", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "reader"], name="one_membership_per_reader"),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role="facilitator"),
                name="one_facilitator_per_group",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
            models.CheckConstraint(
                condition=Q(sharing__in=Sharing.values), name="membership_sharing_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reader} in {self.group} ({self.get_role_display()})"

    def get_absolute_url(self) -> str:
        return self.group.get_absolute_url()

    @property
    def is_facilitator(self) -> bool:
        return self.role == Role.FACILITATOR

    @property
    def shares_progress(self) -> bool:
        return self.sharing in Sharing.with_progress()

    @property
    def shares_notes(self) -> bool:
        return self.sharing == Sharing.PROGRESS_AND_NOTES


class TierTarget(models.Model):
    """The date by which the facilitator hopes the group has finished a tier."""

    group = models.ForeignKey(ReadingGroup, on_delete=models.CASCADE, related_name="targets")
    # PROTECT: deleting a tier in the catalogue must never silently take a group's target with it
    # (the admin refuses, naming no group; the fixture load keeps the section).
    tier = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()

    class Meta:
        db_table = "progress_tiertarget"
        ordering = ["group", "tier__priority", "tier__position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "tier"], name="one_target_per_group_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.tier} by {self.due_on}"
