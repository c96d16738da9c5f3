"""Reading groups: readers who work through the list together, each sharing only what they choose.

A group has exactly one facilitator, who manages its invite link, members and target dates.
Membership alone reveals nothing but a reader's name; progress and notes are shown to the group
only while that member's sharing setting says so.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from catalogue import outline
from catalogue.models import Advice, Paper, Section

# progress.models imports this module on its last line, once these names exist.
from progress import markdown
from progress.models import Note, PartTick, ReadingState, Status
from progress.summary import sections_of

__all__ = ["Membership", "ReadingGroup", "Role", "Sharing", "TierTarget"]


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
        group = self.filter(invite_token=token).first() if token else None
        return group if group is not None and group.invite_works() else None


class ReadingGroup(models.Model):
    """A group of readers; its invite link works while `invite_token` is set and not expired."""

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

    objects = ReadingGroupQuerySet.as_manager()

    class Meta:
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

    def sharing_progress(self) -> "MembershipQuerySet":
        return self.filter(sharing__in=Sharing.with_progress())

    def in_group(self, slug: str) -> "Membership":
        """This membership (with its group) in the group with this slug; DoesNotExist otherwise."""
        return self.select_related("group").get(group__slug=slug)


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
    tier = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()

    class Meta:
        ordering = ["group", "tier__priority", "tier__position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "tier"], name="one_target_per_group_tier"),
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.tier} by {self.due_on}"


# What the group page reads ------------------------------------------------------------------
# A handful of queries whatever the size of the group or the list: members, entries, then every
# sharing member's statuses, tick counts and notes at once, filtered by member ids.

# Marks that tell statuses apart without colour; the full label goes alongside for screen readers.
STATUS_MARKS = {
    Status.READ: "R",
    Status.READING: "…",
    Status.SKIMMED: "S",
    Status.SKIPPED: "\N{EN DASH}",
    Status.UNREAD: "",
}


@dataclass
class Cell:
    """One sharing member's standing with one entry."""

    member: Membership
    status: Status = Status.UNREAD
    ticked: int = 0
    parts: int = 0

    @property
    def mark(self) -> str:
        return STATUS_MARKS[self.status]

    @property
    def label(self) -> str:
        label = self.status.label
        if self.ticked and self.status not in Status.finished():
            label += f", {self.ticked} of {self.parts} parts ticked"
        return label

    @property
    def shows_ticks(self) -> bool:
        return bool(self.ticked) and self.status not in Status.finished()


@dataclass
class Row:
    """One entry of the list across the group."""

    paper: Paper
    nested: bool
    cells: list[Cell]
    notes: list[tuple[Membership, SafeString]] = field(default_factory=list)


@dataclass
class Line:
    """One line of the grid: a tier heading, a subsection heading or an entry."""

    kind: str  # "tier", "subsection" or "entry"
    section: Section | None = None
    row: Row | None = None


@dataclass
class TierProgress:
    """How far the sharing members have got with one tier, and who is behind its target."""

    tier: Section
    entries: int
    finished: dict[int, int]  # membership id -> entries of this tier finished
    target: "TierTarget | None" = None
    passed: bool = False
    behind: list[tuple[Membership, int]] = field(default_factory=list)

    @property
    def percent(self) -> int:
        possible = self.entries * len(self.finished)
        return round(100 * sum(self.finished.values()) / possible) if possible else 0


@dataclass
class Board:
    members: list[Membership]
    sharers: list[Membership]
    lines: list[Line]
    rows: list[Row]
    tiers: list[TierProgress]
    reading_now: list[tuple[Membership, list[Paper]]]

    @property
    def columns(self) -> int:
        """Grid columns: the entry, then one per sharing member."""
        return len(self.sharers) + 1

    @property
    def not_sharing(self) -> int:
        return len(self.members) - len(self.sharers)

    @property
    def rows_with_notes(self) -> list[Row]:
        return [row for row in self.rows if row.notes]

    @property
    def behind_any(self) -> bool:
        return any(tier.behind for tier in self.tiers)


def _entries_with_part_counts() -> list[Paper]:
    parts = (
        Advice.objects.filter(paper=OuterRef("pk"))
        .order_by()
        .values("paper")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Paper.objects.in_reading_order()
        .select_related("section__parent")
        .annotate(parts=Coalesce(Subquery(parts, output_field=IntegerField()), Value(0)))
    )


def _lines(tiers: list[outline.Group], rows: dict[int, Row]) -> list[Line]:
    lines = []

    def entries(group: outline.Group) -> None:
        for paper in group.entries:
            lines.append(Line("entry", row=rows[paper.pk]))
            lines.extend(Line("entry", row=rows[child.pk]) for child in paper.nested)

    for tier in tiers:
        if not tier.papers():
            continue
        lines.append(Line("tier", section=tier.section))
        entries(tier)
        for sub in tier.subgroups:
            if sub.papers():
                lines.append(Line("subsection", section=sub.section))
                entries(sub)
    return lines


def board(group: ReadingGroup) -> Board:
    """Everything the group page shows, read with a fixed number of queries.

    Only members who share progress get cells, and only members who share notes get notes: the
    rows of everyone else are never read.
    """
    members = list(group.memberships.select_related("reader").in_joining_order())
    sharers = [m for m in members if m.shares_progress]
    by_reader = {m.reader_id: m for m in sharers}
    papers = _entries_with_part_counts()
    tiers = outline.build(sections_of(papers), papers)

    statuses: dict[tuple[int, int], str] = {}
    ticks: dict[tuple[int, int], int] = {}
    notes: dict[int, list[tuple[Membership, SafeString]]] = {}
    if by_reader:
        statuses = {
            (reader_id, paper_id): status
            for reader_id, paper_id, status in ReadingState.objects.filter(
                reader_id__in=by_reader
            ).values_list("reader_id", "paper_id", "status")
        }
        ticks = {
            (reader_id, paper_id): n
            for reader_id, paper_id, n in PartTick.objects.filter(reader_id__in=by_reader)
            .order_by()
            .values("reader_id", "advice__paper_id")
            .annotate(n=Count("pk"))
            .values_list("reader_id", "advice__paper_id", "n")
        }
    note_takers = [m.reader_id for m in sharers if m.shares_notes]
    if note_takers:
        shared = (
            Note.objects.filter(reader_id__in=note_takers)
            .exclude(text="")
            .values_list("reader_id", "paper_id", "text")
        )
        for reader_id, paper_id, text in shared:
            notes.setdefault(paper_id, []).append((by_reader[reader_id], markdown.render(text)))
        position = {m.reader_id: index for index, m in enumerate(sharers)}
        for found in notes.values():
            found.sort(key=lambda pair: position[pair[0].reader_id])

    rows: dict[int, Row] = {}
    reading: dict[int, list[Paper]] = {}
    for paper in papers:
        cells = []
        for member in sharers:
            status = Status(statuses.get((member.reader_id, paper.pk), Status.UNREAD))
            ticked = ticks.get((member.reader_id, paper.pk), 0)
            cells.append(Cell(member, status, ticked, paper.parts))
            if status == Status.READING:
                reading.setdefault(member.pk, []).append(paper)
        rows[paper.pk] = Row(paper, paper.parent_id is not None, cells, notes.get(paper.pk, []))

    targets = {target.tier_id: target for target in group.targets.all()}
    today = timezone.localdate()
    progress = []
    for tier in tiers:
        papers_in_tier = tier.papers()
        if not papers_in_tier:
            continue
        finished = dict.fromkeys((m.pk for m in sharers), 0)
        for paper in papers_in_tier:
            for cell in rows[paper.pk].cells:
                if cell.status in Status.finished():
                    finished[cell.member.pk] += 1
        target = targets.get(tier.section.pk)
        passed = target is not None and target.due_on < today
        behind = [
            (m, finished[m.pk]) for m in sharers if passed and finished[m.pk] < len(papers_in_tier)
        ]
        progress.append(
            TierProgress(tier.section, len(papers_in_tier), finished, target, passed, behind)
        )

    return Board(
        members=members,
        sharers=sharers,
        lines=_lines(tiers, rows),
        rows=[rows[p.pk] for p in papers],
        tiers=progress,
        reading_now=[(m, reading[m.pk]) for m in sharers if m.pk in reading],
    )
