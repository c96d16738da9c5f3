"""The reading list: tiers and subsections, entries, and the list's advice on each part."""

import secrets
from collections import Counter
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.text import slugify


class Ordering(models.TextChoices):
    """How a curriculum's top-level sections are ordered, and what their number means."""

    TIERS = "tiers", "Priority tiers"
    STAGES = "stages", "Ordered stages"
    TOPICS = "topics", "Topics"

    @property
    def rank_label(self) -> str:
        """The word before a section's number ("Priority 2"), empty for topics."""
        return {"tiers": "Priority", "stages": "Stage", "topics": ""}[self.value]


DEFAULT_CURRICULUM = "opinionated-list-v1"


class CurriculumQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> "Curriculum":
        return self.get(slug=slug)

    def published(self) -> "CurriculumQuerySet":
        """Curricula with at least one published edition; a draft is seen only in admin."""
        return self.filter(models.Exists(Edition.objects.filter(curriculum=models.OuterRef("pk"))))

    def readable(self) -> "CurriculumQuerySet":
        """What a reader can follow: every published curriculum, and the default one even
        before its first edition (its entries are public from the start)."""
        editions = Edition.objects.filter(curriculum=models.OuterRef("pk"))
        return self.filter(Q(is_default=True) | models.Exists(editions))

    def named(self, slug: str) -> "Curriculum | None":
        """The curriculum with this slug, None if there is none."""
        return self.filter(slug=slug).first()

    def holding(self, entry_slug: str) -> "Curriculum | None":
        """The curriculum whose entry has this slug, None if there is none."""
        return self.filter(sections__papers__slug=entry_slug).first()

    def with_sizes(self) -> "CurriculumQuerySet":
        """Annotate `entries` (current ones) and `edition` (the latest edition's number)."""
        return self.annotate(
            entries=models.Count(
                "sections__papers", filter=Q(sections__papers__retired=False), distinct=True
            ),
            edition=models.Max("editions__number"),
        )

    def default_first(self) -> "CurriculumQuerySet":
        return self.order_by("-is_default", "position", "title")

    def default(self) -> "Curriculum":
        """The curriculum visitors see first and new readers follow."""
        found = self.filter(is_default=True).first()
        if found is not None:
            return found
        curriculum, _ = self.get_or_create(
            slug=DEFAULT_CURRICULUM, defaults=DEFAULT_CURRICULUM_FIELDS
        )
        return curriculum


class Curriculum(models.Model):
    """One curated reading list: its sections, entries and advice, published as editions.

    The list mireads ships is the first and default one (fixtures/papers.json); further ones are
    fixture files of the same format under fixtures/curricula/.
    """

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    author = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    source_url = models.URLField(
        "source",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Where the curator published the list.",
    )
    description = models.TextField(blank=True)
    ordering = models.CharField(
        max_length=10,
        choices=Ordering.choices,
        default=Ordering.TIERS,
        help_text="What a top-level section's number means: a priority, a stage, or only order.",
    )
    position = models.PositiveSmallIntegerField(default=1, help_text="Order on /lists/.")
    source_file = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="The fixture file it is loaded from, relative to the project; empty for a "
        "curriculum made in admin or by import_list.",
    )
    is_default = models.BooleanField(
        "default",
        default=False,
        help_text="Shown to visitors first and followed by new readers; exactly one is.",
    )

    objects = CurriculumQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        verbose_name_plural = "curricula"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="curriculum_one_default",
                violation_error_message="Only one curriculum can be the default.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("curriculum", kwargs={"slug": self.slug})

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def section_label(self, rank: int) -> str:
        """ "Priority 2", "Stage 2", or "" for a topic."""
        word = Ordering(self.ordering).rank_label
        return f"{word} {rank}" if word else ""


# The shipped list's own record; the data migration makes it, and default() remakes it in a
# database emptied since (a test's flush), so there is always a default curriculum.
DEFAULT_CURRICULUM_FIELDS = {
    "title": "An Extremely Opinionated Annotated List of My Favourite Mechanistic "
    "Interpretability Papers",
    "author": "Neel Nanda",
    "year": 2022,
    "ordering": Ordering.TIERS,
    "position": 1,
    "source_file": "fixtures/papers.json",
    "is_default": True,
}


def default_curriculum_id() -> int:
    """The default curriculum's id: what a section made without naming one belongs to."""
    return Curriculum.objects.default().pk


class SectionQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> "Section":
        return self.get(slug=slug)

    def top_level(self) -> "SectionQuerySet":
        return self.filter(parent__isnull=True)

    def readable(self) -> "SectionQuerySet":
        """Sections of the curricula readers can follow (Curriculum.objects.readable())."""
        return self.filter(curriculum__in=Curriculum.objects.readable())

    def of(self, curriculum: "Curriculum | None" = None) -> "SectionQuerySet":
        """One curriculum's sections; the default one's when none is named (a join, no query
        of its own)."""
        if curriculum is None:
            return self.filter(curriculum__is_default=True)
        return self.filter(curriculum=curriculum)


class SectionManager(models.Manager.from_queryset(SectionQuerySet)):
    def get_queryset(self) -> SectionQuerySet:
        # A section's name says "Priority 2" or "Stage 2" after its curriculum's ordering: the
        # join keeps naming sections (admin choices, lists) one query, not one per section.
        return super().get_queryset().select_related("curriculum")


class Section(models.Model):
    """A top-level section of a curriculum (a priority tier, a stage or a topic), or one of the
    subsections inside it."""

    curriculum = models.ForeignKey(
        Curriculum, on_delete=models.PROTECT, related_name="sections", default=default_curriculum_id
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    priority = models.PositiveSmallIntegerField(
        "rank",
        validators=[MinValueValidator(1)],
        help_text="The tier's priority or the stage's number (1 first); for topics, their order.",
    )
    position = models.PositiveSmallIntegerField(help_text="Order among sibling sections.")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subsections"
    )
    intro = models.TextField(blank=True)

    objects = SectionManager()

    class Meta:
        ordering = ["priority", F("parent").asc(nulls_first=True), "position"]
        constraints = [
            models.CheckConstraint(condition=Q(priority__gte=1), name="section_rank_from_1"),
        ]

    def __str__(self) -> str:
        label = self.rank_label
        if not label:
            return self.title
        return f"{label} · {self.title}" if self.parent_id else f"{label}: {self.title}"

    def get_absolute_url(self) -> str:
        """The section on its curriculum's page: the reading list's for the default one."""
        if self.curriculum.is_default:
            return reverse("paper-list") + f"#{self.slug}"
        return self.curriculum.get_absolute_url() + f"#{self.slug}"

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def rank_label(self) -> str:
        """ "Priority 2" in a list of tiers, "Stage 2" in one of stages, "" for a topic."""
        return self.curriculum.section_label(self.priority)

    def clean(self) -> None:
        if self.parent_id:
            if self.parent.parent_id:
                raise ValidationError({"parent": "Subsections cannot be nested more than once."})
            if self.parent.priority != self.priority:
                raise ValidationError({"priority": "A subsection has its tier's priority."})
            if self.parent.curriculum_id != self.curriculum_id:
                raise ValidationError(
                    {"parent": "A subsection belongs to its parent's curriculum."}
                )


class Kind(models.TextChoices):
    PAPER = "paper", "Paper"
    POST = "post", "Essay or post"
    SERIES = "series", "Article series"
    CODEBASE = "codebase", "Codebase"
    TOOL = "tool", "Tool"
    VIDEO = "video", "Video"
    PODCAST = "podcast", "Podcast"
    BODY_OF_WORK = "body_of_work", "Body of work"


# Tier, subsection, then position among top-level entries. A nested entry sorts into its parent's
# family (the parent's position, then the parent's id, so two siblings sharing a position never
# interleave their children) and after the parent itself, whose own `parent` is null.
READING_ORDER = (
    "section__priority",
    F("section__parent").asc(nulls_first=True),
    "section__position",
    Coalesce("parent__position", "position"),
    Coalesce("parent", "id"),
    F("parent").asc(nulls_first=True),
    "position",
)


class PaperQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> "Paper":
        return self.get(slug=slug)

    def of(self, curriculum: "Curriculum | None" = None) -> "PaperQuerySet":
        """One curriculum's entries; the default one's when none is named (a join, no query of
        its own). The dashboard, plan, groups and downloads follow the default curriculum."""
        if curriculum is None:
            return self.filter(section__curriculum__is_default=True)
        return self.filter(section__curriculum=curriculum)

    def published(self) -> "PaperQuerySet":
        """Entries of the default curriculum, and of others with a published edition: a draft's
        are seen only in admin."""
        editions = Edition.objects.filter(curriculum=models.OuterRef("section__curriculum"))
        return self.filter(Q(section__curriculum__is_default=True) | models.Exists(editions))

    def current(self) -> "PaperQuerySet":
        """Entries still on the list: not retired."""
        return self.filter(retired=False)

    def in_reading_order(self) -> "PaperQuerySet":
        """The current entries: tier, then subsection, then position, nested ones after their
        parent. Retired entries are left out; every_entry_in_reading_order() keeps them."""
        return self.current().every_entry_in_reading_order()

    def every_entry_in_reading_order(self) -> "PaperQuerySet":
        """Reading order including retired entries: for exports that must keep everything."""
        return self.select_related("section", "parent").order_by(*READING_ORDER)

    def neighbours(self, paper: "Paper") -> tuple["Paper | None", "Paper | None"]:
        """The current entries just before and after `paper` in reading order, in one query."""
        order = list(self.current().order_by(*READING_ORDER).only("slug", "title", "short_name"))
        index = next((i for i, entry in enumerate(order) if entry.pk == paper.pk), None)
        if index is None:  # a retired entry has no place in the reading order
            return None, None
        previous = order[index - 1] if index > 0 else None
        following = order[index + 1] if index + 1 < len(order) else None
        return previous, following

    def with_advice(self) -> "PaperQuerySet":
        """Prefetch each entry's current (not retired) advice in the list's order."""
        return self.prefetch_related(
            models.Prefetch("advice", queryset=Advice.objects.current().order_by("position"))
        )

    def with_part_counts(self) -> "PaperQuerySet":
        """Annotate `parts`: how many current advised parts each entry has (0 for none)."""
        parts = (
            Advice.objects.current()
            .filter(paper=models.OuterRef("pk"))
            .order_by()
            .values("paper")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        counted = models.Subquery(parts, output_field=models.IntegerField())
        return self.annotate(parts=Coalesce(counted, models.Value(0)))

    def for_detail_page(self) -> "PaperQuerySet":
        """Everything an entry's page shows: its place in the list, advice, nested entries."""
        return (
            self.select_related("section__parent", "section__curriculum", "parent")
            .with_advice()
            .with_works()
            .prefetch_related(
                models.Prefetch("children", queryset=Paper.objects.order_by("position"))
            )
        )

    def with_works(self) -> "PaperQuerySet":
        """Prefetch each entry's citations with their works, in the entry's order (its main work
        first): `paper.cited_works()` reads them."""
        return self.prefetch_related(
            models.Prefetch(
                "citations", queryset=Citation.objects.select_related("work").order_by("position")
            )
        )

    def search(self, text: str) -> "PaperQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(title__icontains=text)
            | Q(short_name__icontains=text)
            | Q(authors__icontains=text)
            | Q(summary__icontains=text)
        )


class Paper(models.Model):
    """One entry of the list: a paper, or a post, codebase, tool, video, podcast..."""

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="papers")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The entry this one is nested under in the list.",
    )
    position = models.PositiveSmallIntegerField(help_text="Order among sibling entries.")
    title = models.CharField(max_length=300, help_text="The work's own title.")
    short_name = models.CharField(
        max_length=120, blank=True, help_text="The name the list uses, where it differs."
    )
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PAPER)
    url = models.URLField(
        "link",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Canonical link; left empty when none could be confirmed.",
    )
    authors = models.CharField(max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    summary = models.TextField(blank=True)
    commentary = models.TextField(blank=True)
    important = models.BooleanField(
        "most important",
        default=False,
        help_text="The curator's mark on the entries to prioritise (v2's bold papers).",
    )
    retired = models.BooleanField(
        default=False,
        help_text="Off the list, dashboards and totals; readers keep their progress and notes.",
    )
    estimated_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Reading time at the advised depth, for an entry with no advised parts. "
        "Empty: the plan's default for its kind.",
    )

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["section__priority", "section__position", "position"]
        indexes = [models.Index(fields=["section", "position"])]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="paper_not_its_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("paper-detail", kwargs={"slug": self.slug})

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    natural_key.dependencies = ["catalogue.section"]

    @property
    def name(self) -> str:
        """The name readers know the entry by: the list's short name, else the title."""
        return self.short_name or self.title

    @property
    def advice_summary(self) -> str:
        """E.g. "3 deep · 1 skim or skip"; reads prefetched advice only."""
        counts = Counter(advice.level for advice in self.advice.all())
        return " · ".join(
            f"{counts[level]} {Level(level).short}" for level in Level.values if counts[level]
        )

    def cited_works(self) -> list["Work"]:
        """The works this entry cites, in its order (main first), each carrying the citation's
        `role` and `position`; reads prefetched citations (PaperQuerySet.with_works)."""
        works = []
        for citation in self.citations.all():
            work = citation.work
            work.role, work.position = citation.role, citation.position
            works.append(work)
        return works

    def advice_by_level(self) -> list[tuple["Level", list["Advice"]]]:
        """Advice grouped by level, deep first; reads prefetched advice only."""
        grouped = {level: [] for level in Level}
        for advice in self.advice.all():
            grouped[Level(advice.level)].append(advice)
        return [(level, items) for level, items in grouped.items() if items]

    def clean(self) -> None:
        if self.parent_id:
            if self.parent_id == self.pk:
                raise ValidationError({"parent": "An entry cannot be nested under itself."})
            if self.parent.parent_id:
                raise ValidationError({"parent": "Entries are nested one level deep at most."})
            if self.section_id and self.parent.section_id != self.section_id:
                raise ValidationError({"parent": "A nested entry sits in its parent's section."})


class Level(models.TextChoices):
    DEEP = "deep", "Deeply engage with"
    SKIM = "skim", "Skim"
    SKIM_OR_SKIP = "skim_or_skip", "Skim or skip"
    SKIP = "skip", "Skip"

    @property
    def short(self) -> str:
        return {"deep": "deep", "skim": "skim", "skim_or_skip": "skim or skip", "skip": "skip"}[
            self.value
        ]

    @property
    def weight(self) -> int:
        """How much a part counts towards progress; see docs/progress.md."""
        return LEVEL_WEIGHTS[self.value]


# Deep parts are where the list says the value is, so they count three times a part to skim.
# "Skim or skip" and "skip" parts are optional: ticking them is welcome, leaving them never
# counts against the reader.
LEVEL_WEIGHTS = {"deep": 3, "skim": 1, "skim_or_skip": 0, "skip": 0}

# How deep each level reads: a part read at one depth satisfies advice at that depth or less, so
# a part read deeply for one curriculum satisfies a skim another asks for, and a skim never
# satisfies "deeply engage". A reader's tick stores the depth it was read at (progress.PartTick).
DEPTH = {Level.SKIP: 0, Level.SKIM_OR_SKIP: 1, Level.SKIM: 2, Level.DEEP: 3}


def depth_of(level: str) -> int:
    return DEPTH[Level(level)]


def depth_expression(level) -> models.Case:
    """The depth of a level column (an F() or OuterRef()), in SQL: derived from DEPTH, so it
    cannot drift from it."""
    return models.Case(
        *(models.When(Exact(level, models.Value(str(name))), then=models.Value(depth))
          for name, depth in DEPTH.items()),
        output_field=models.PositiveSmallIntegerField(),
    )  # fmt: skip


def used_outside_catalogue(obj: models.Model) -> bool:
    """Whether any row outside the catalogue (a reader's tick, a plan's trimmed part, a group's
    target) points at `obj`. Found through the model's reverse relations, so the catalogue needs
    no knowledge of the apps that point here."""
    for relation in obj._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete or relation.many_to_many:
            continue  # reverse foreign keys only: an M2M shows up as its through table's key
        if relation.related_model._meta.app_label == "catalogue":
            continue
        if relation.related_model._base_manager.filter(**{relation.field.name: obj}).exists():
            return True
    return False


class PartInUse(ValidationError):
    """A part readers have used was about to move to another entry."""


PART_IN_USE = (
    "Readers have ticked this part (or trimmed it from their plan), so it cannot move to another "
    "entry: their ticks would move with it. Retire it here and add a new part to the other entry."
)


class AdviceQuerySet(models.QuerySet):
    def get_by_natural_key(self, paper_slug: str, key: str) -> "Advice":
        return self.get(paper__slug=paper_slug, key=key)

    def current(self) -> "AdviceQuerySet":
        """Parts still advised: not retired."""
        return self.filter(retired=False)

    def with_paper(self) -> "AdviceQuerySet":
        return self.select_related("paper")


class Advice(models.Model):
    """What the list says to do with one part of an entry: deeply engage, skim, or skip it."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="advice")
    key = models.SlugField(
        max_length=50,
        help_text="Names this part for good, whatever its position, wording or level: "
        "readers' ticks point at it. Unique within the entry; never reuse one.",
    )
    position = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=20, choices=Level.choices)
    part = models.CharField(max_length=300, help_text="The label the list uses for the part.")
    detail = models.TextField(blank=True)
    deep_link = models.URLField(
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="A link into the section this part names (the source's own anchor).",
    )
    estimated_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Time for this part at its advised depth. Empty: the plan's default.",
    )
    retired = models.BooleanField(
        default=False, help_text="No longer advised; readers' ticks on it are kept."
    )

    objects = AdviceQuerySet.as_manager()

    class Meta:
        ordering = ["paper", "position"]
        verbose_name_plural = "advice"
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="advice_unique_position"),
            models.UniqueConstraint(fields=["paper", "key"], name="advice_unique_key"),
            models.CheckConstraint(
                condition=Q(level__in=["deep", "skim", "skim_or_skip", "skip"]),
                name="advice_level_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.paper.name}: {self.get_level_display()} — {self.part}"

    def save(self, *args, **kwargs) -> None:
        # The guard for any caller that skips the form: a reader's tick stays on its entry.
        if self.moves_a_used_part():
            raise PartInUse(PART_IN_USE)
        super().save(*args, **kwargs)
        self._stored_paper_id = self.paper_id

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        part = super().from_db(db, field_names, values, **kwargs)
        part._stored_paper_id = part.__dict__.get("paper_id")
        return part

    def moves_a_used_part(self) -> bool:
        """Whether this part, as loaded, now names another entry and readers have used it."""
        stored = getattr(self, "_stored_paper_id", None)
        return bool(self.pk and stored and stored != self.paper_id and used_outside_catalogue(self))

    def clean(self) -> None:
        super().clean()
        if self.moves_a_used_part():
            raise PartInUse({"paper": PART_IN_USE})

    def natural_key(self) -> tuple[str, str]:
        return (self.paper.slug, self.key)

    natural_key.dependencies = ["catalogue.paper"]

    @property
    def weight(self) -> int:
        return LEVEL_WEIGHTS[self.level]

    @property
    def counts(self) -> bool:
        """Whether leaving this part undone holds the reader's progress back."""
        return self.weight > 0


def part_keys(labels: Iterable[str]) -> list[str]:
    """Keys for parts with these labels, in order: the slugified label, made unique with -2, -3.

    Used once, to give existing parts their keys; after that a key never follows its label.
    """
    keys: list[str] = []
    for label in labels:
        base = ""
        for word in slugify(label).split("-"):
            if base and len(base) + 1 + len(word) > 24:
                break
            base = f"{base}-{word}" if base else word[:24]
        base = base or "part"
        key, n = base, 2
        while key in keys:
            key, n = f"{base}-{n}", n + 1
        keys.append(key)
    return keys


class WorkKind(models.TextChoices):
    ARTICLE = "article", "Journal article"
    CONFERENCE_PAPER = "conference-paper", "Conference paper"
    PREPRINT = "preprint", "Preprint"
    BLOG_POST = "blog-post", "Blog post"
    VIDEO = "video", "Video"
    NOTEBOOK = "notebook", "Notebook"
    CODE = "code", "Code"
    PODCAST = "podcast", "Podcast"
    TOOL = "tool", "Tool"
    OTHER = "other", "Other"


DOI_PATTERN = r"^10\.\d{4,9}/[^\s]+$"
ARXIV_PATTERN = r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})$"
ARXIV_CLASS_PATTERN = r"^[a-z\-]+(\.[A-Za-z\-]+)?$"


def validate_authors(value) -> None:
    if not isinstance(value, list) or not all(isinstance(n, str) and n.strip() for n in value):
        raise ValidationError("Authors must be a list of names.")
    if any(n.count(",") > 1 or n.strip().startswith(",") or n.strip().endswith(",") for n in value):
        raise ValidationError('Write a name "Given Family", or "Family, Given" to mark the family.')


def split_name(name: str) -> tuple[str, str]:
    """(given, family). "El Showk, Sheer" marks a family name of several words, as BibTeX
    does; otherwise the family name is the last word ("Chris Olah" -> Olah)."""
    if "," in name:
        family, _, given = name.partition(",")
        return given.strip(), family.strip()
    given, _, family = name.strip().rpartition(" ")
    return given, family


def display_name(name: str) -> str:
    """The name as it is printed: "El Showk, Sheer" -> "Sheer El Showk"."""
    given, family = split_name(name)
    return f"{given} {family}".strip()


class Role(models.TextChoices):
    """What a work is to the entry citing it."""

    MAIN = "main", "Main work"
    COMPANION = "companion", "Companion"


class WorkQuerySet(models.QuerySet):
    def get_by_natural_key(self, slug: str) -> "Work":
        return self.get(slug=slug)


class Work(models.Model):
    """One work, whoever cites it: a paper, a blog post, a video, a notebook, code, a later
    formal version. Entries cite it through Citation (as their main work or a companion), so a
    work two curricula name is one row. Identifiers are the publisher's own; one that could not
    be verified is left empty rather than guessed."""

    Role = Role  # the role of a work in one citation: Work.Role.MAIN, as before works were shared

    slug = models.SlugField(
        max_length=120, unique=True, help_text="Names the work in fixture files, for good."
    )
    kind = models.CharField(max_length=20, choices=WorkKind.choices)
    title = models.CharField(max_length=300)
    authors = models.JSONField(default=list, blank=True, validators=[validate_authors])
    year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    venue = models.CharField(max_length=200, blank=True, help_text="Journal, site or conference.")
    booktitle = models.CharField(
        max_length=300, blank=True, help_text="Proceedings title, for conference papers."
    )
    doi = models.CharField(
        "DOI",
        max_length=200,
        blank=True,
        validators=[RegexValidator(DOI_PATTERN, "A DOI looks like 10.1234/abc.")],
    )
    arxiv_id = models.CharField(
        "arXiv id",
        max_length=30,
        blank=True,
        validators=[RegexValidator(ARXIV_PATTERN, "An arXiv id looks like 2211.00593.")],
    )
    arxiv_class = models.CharField(
        "arXiv primary class",
        max_length=30,
        blank=True,
        validators=[RegexValidator(ARXIV_CLASS_PATTERN, "An arXiv class looks like cs.LG.")],
    )
    url = models.URLField(
        "URL", max_length=500, blank=True, validators=[URLValidator(schemes=["http", "https"])]
    )
    volume = models.CharField(max_length=20, blank=True)
    issue = models.CharField(max_length=20, blank=True)
    number = models.CharField(
        max_length=30,
        blank=True,
        help_text="Article number (Distill's e10, PNAS's e2206625119) or a podcast's episode.",
    )
    pages = models.CharField(max_length=30, blank=True, help_text="First and last page, 842-866.")
    publisher = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who puts out a work with no journal: arXiv, YouTube, GitHub, a podcast's maker.",
    )
    guests = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_authors],
        help_text="A podcast's or a video's guests; a podcast's authors are its hosts.",
    )

    objects = WorkQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="work_month_1_to_12",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    @property
    def people(self) -> list[str]:
        """Authors (a podcast's hosts) and guests, as printed."""
        return [display_name(name) for name in [*self.authors, *self.guests]]

    @property
    def date(self) -> str:
        """ "2020/03" or "2020", as citation metadata wants it."""
        if not self.year:
            return ""
        return f"{self.year}/{self.month:02d}" if self.month else str(self.year)


class CitationQuerySet(models.QuerySet):
    def get_by_natural_key(self, entry_slug: str, position: int) -> "Citation":
        return self.get(entry__slug=entry_slug, position=position)

    def main(self) -> "CitationQuerySet":
        """Each entry's main work: one citation per entry (a constraint says so)."""
        return self.filter(role=Role.MAIN)

    def main_work_id(self, entry) -> int | None:
        """The id of the entry's main work (None: it cites none), in one query."""
        return self.main().filter(entry=entry).values_list("work_id", flat=True).first()

    def elsewhere(self, work: "Work", entry: "Paper") -> "CitationQuerySet":
        """The current entries of other published curricula that cite `work`, with their
        curriculum and how many current parts they advise at each level (`advised`), in one
        query: what a work's page says the other curricula advise."""
        counts = {
            f"advised_{index}": models.Count(
                "entry__advice",
                filter=Q(entry__advice__level=level, entry__advice__retired=False),
            )
            for index, level in enumerate(Level.values)
        }
        published = Edition.objects.filter(curriculum=models.OuterRef("entry__section__curriculum"))
        return (
            self.filter(work=work, entry__retired=False)
            .filter(models.Exists(published))
            .exclude(entry=entry)
            .select_related("entry__section__curriculum")
            .annotate(**counts)
            .order_by("entry__section__curriculum__position", "entry__section__curriculum__title")
        )


class Citation(models.Model):
    """An entry cites a work: as its main work, or a companion (a second article, a post, a
    video, code). One work can be cited by entries of several curricula."""

    entry = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="citations")
    # A work still cited cannot be deleted: it would vanish from every entry citing it.
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="citations")
    position = models.PositiveSmallIntegerField(help_text="Order among the entry's works.")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MAIN)

    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "position"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "position"], name="citation_unique_position"),
            models.UniqueConstraint(
                fields=["entry"], condition=Q(role="main"), name="one_main_citation_per_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry.name} cites {self.work}"

    def natural_key(self) -> tuple[str, int]:
        return (self.entry.slug, self.position)

    natural_key.dependencies = ["catalogue.paper", "catalogue.work"]

    @property
    def advised(self) -> str:
        """What the citing entry advises, from CitationQuerySet.elsewhere's counts: "2 deep ·
        1 skim", or that it is to be read whole."""
        said = [
            f"{n} {Level(level).short}"
            for index, level in enumerate(Level.values)
            if (n := getattr(self, f"advised_{index}", 0))
        ]
        return " · ".join(said) if said else "read it whole"


class CatalogueLoad(models.Model):
    """The copy of fixtures/papers.json last applied: the base of the next load's three-way
    comparison (file now, file then, database now)."""

    curriculum = models.ForeignKey(
        Curriculum, on_delete=models.CASCADE, related_name="loads", default=default_curriculum_id
    )
    sha256 = models.CharField(max_length=64, help_text="Of the file as read.")
    applied = models.JSONField(
        help_text="The records as applied; a field left in conflict keeps its earlier value."
    )
    conflicts = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-loaded_at", "-id"]
        get_latest_by = ["loaded_at", "id"]

    def __str__(self) -> str:
        return f"Catalogue load of {self.loaded_at:%Y-%m-%d %H:%M}"


class EditionQuerySet(models.QuerySet):
    def get_by_natural_key(self, curriculum: str, number: int) -> "Edition":
        return self.get(curriculum__slug=curriculum, number=number)

    def of(self, curriculum: "Curriculum | None" = None) -> "EditionQuerySet":
        """One curriculum's editions (the default one's when none is named: a join, not a
        query of its own, so pages that pin their query counts keep them)."""
        if curriculum is None:
            return self.filter(curriculum__is_default=True)
        return self.filter(curriculum=curriculum)

    def newest_first(self) -> "EditionQuerySet":
        return self.order_by("-number")

    def latest_number(self) -> int:
        """The current edition's number, 0 before the first one."""
        return self.aggregate(n=models.Max("number"))["n"] or 0


EDITION_NOTE_MAX_LENGTH = 500


class Edition(models.Model):
    """The list as published at one moment, numbered 1, 2, 3...; never changed afterwards.

    What it held and what changed from the edition before live in its EditionContent, so that
    the fixture can carry an edition's number and note without its snapshot.
    """

    curriculum = models.ForeignKey(
        Curriculum, on_delete=models.PROTECT, related_name="editions", default=default_curriculum_id
    )
    number = models.PositiveIntegerField()
    note = models.CharField(max_length=EDITION_NOTE_MAX_LENGTH, blank=True)
    published_at = models.DateTimeField()

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="edition_number_from_1"),
            models.UniqueConstraint(
                fields=["curriculum", "number"], name="edition_number_once_per_curriculum"
            ),
        ]

    def __str__(self) -> str:
        return f"Edition {self.number}"

    def get_absolute_url(self) -> str:
        """The edition on its curriculum's changes page (/changes/ for the default one)."""
        if self.curriculum.is_default:
            return reverse("catalogue:changes") + f"#edition-{self.number}"
        changes = reverse("catalogue:curriculum-changes", args=[self.curriculum.slug])
        return f"{changes}#edition-{self.number}"

    def natural_key(self) -> tuple[str, int]:
        return (*self.curriculum.natural_key(), self.number)

    natural_key.dependencies = ["catalogue.curriculum"]


class EditionContent(models.Model):
    """An edition's snapshot of every entry and part, and its differences from the edition
    before (a list of per-entry changes; empty for the first edition)."""

    edition = models.OneToOneField(
        Edition, on_delete=models.PROTECT, primary_key=True, related_name="content"
    )
    snapshot = models.JSONField()
    changes = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Content of {self.edition}"


def _new_epoch() -> str:
    return secrets.token_hex(8)


class CatalogueVersion(models.Model):
    """One row that every change to the list bumps, so public pages can be rendered once per
    version and served from cache (catalogue/pagecache.py).

    It lives in the database, so every app server sees the same number. `epoch` is drawn when
    the row is made: a database made afresh (or restored without the row) starts a new epoch, so
    pages cached under an earlier database's version numbers can never match.
    """

    epoch = models.CharField(max_length=16, default=_new_epoch, editable=False)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Catalogue version {self.version}"
