"""A reader's state: how far they got with each entry, which parts they ticked, their notes."""

from django.conf import settings
from django.db import models
from django.db.models import F, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.safestring import SafeString

from catalogue.models import DEPTH, Advice, Citation, Curriculum, Edition, Paper, Work, depth_of
from progress import markdown
from progress.derived import derived_write

# Far above any real note, far below what would hurt the database or the browser.
NOTE_MAX_LENGTH = 100_000


class Status(models.TextChoices):
    UNREAD = "unread", "Unread"
    READING = "reading", "Reading"
    READ = "read", "Read"
    SKIMMED = "skimmed", "Skimmed"
    SKIPPED = "skipped", "Skipped"

    @classmethod
    def finished(cls) -> list[str]:
        """Statuses that take an entry off the reader's to-do list."""
        return [cls.READ, cls.SKIMMED, cls.SKIPPED]


class ReadingStateQuerySet(models.QuerySet):
    def finished(self) -> "ReadingStateQuerySet":
        return self.filter(status__in=Status.finished())

    def reading(self) -> "ReadingStateQuerySet":
        return self.filter(status=Status.READING)

    def of_readers(self, reader_ids) -> "ReadingStateQuerySet":
        return self.filter(reader_id__in=reader_ids)

    def marked(self) -> "ReadingStateQuerySet":
        """Entries with a status: set back to Unread, an entry keeps its row but has none."""
        return self.exclude(status=Status.UNREAD)


class ReadingState(models.Model):
    """How far one reader got with one work, or one list's decision to skip an entry.

    A row with any status but Skipped is the reader's state of the *work* (one per reader and
    work, whichever list's entry it was set from): `paper` is the entry it was last set from,
    which a list names as "from your reading for …". A Skipped row is the reader's decision on
    one entry of one list (one per reader and entry): skipping a paper in one list says nothing
    about another. An entry shows the newer of its skip and its work's state
    (progress.coverage.newest). An entry that cites no work has a state of its own (`work`
    empty). No row means unread.
    """

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_states"
    )
    # PROTECT on every reader row: nothing a reader wrote is deleted through the catalogue.
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="reading_states")
    work = models.ForeignKey(
        Work, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UNREAD)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    read_before = models.BooleanField(
        default=False,
        help_text="The reader read this before (not here): it counts as read, never as pace.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReadingStateQuerySet.as_manager()

    class Meta:
        ordering = ["reader", "paper"]
        constraints = [
            # One skip per entry, and one state per work written from each entry.
            models.UniqueConstraint(
                fields=["reader", "paper"],
                condition=Q(status=Status.SKIPPED),
                name="one_skip_per_reader_entry",
            ),
            models.UniqueConstraint(
                fields=["reader", "paper"],
                condition=~Q(status=Status.SKIPPED),
                name="one_state_per_reader_paper",
            ),
            models.UniqueConstraint(
                fields=["reader", "work"],
                condition=~Q(status=Status.SKIPPED) & Q(work__isnull=False),
                name="one_state_per_reader_work",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(finished_at__gte=F("started_at")),
                name="finished_after_started",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="reading_state_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reader} · {self.paper}: {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return self.paper.get_absolute_url()

    @property
    def is_finished(self) -> bool:
        return self.status in Status.finished()


def own_rows(reader) -> dict[str, FilteredRelation]:
    """An entry's rows of this reader, as two joins of at most one row each (for annotate()):
    `mine`, the work's state as set from the entry, and `my_skip`, the entry's skip."""
    rows, of_reader = "reading_states", Q(reading_states__reader=reader)
    skipped = Q(reading_states__status=Status.SKIPPED)
    return {
        "mine": FilteredRelation(rows, condition=of_reader & ~skipped),
        "my_skip": FilteredRelation(rows, condition=of_reader & skipped),
    }


class ReadingEvent(models.Model):
    """One status change, kept so that activity over time can be shown."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_events"
    )
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="+")
    # The work the change was of (the entry's main work then; empty for an entry citing none).
    work = models.ForeignKey(
        Work, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=10, choices=Status.choices)
    to_status = models.CharField(max_length=10, choices=Status.choices)
    at = models.DateTimeField(db_index=True)
    edition = models.ForeignKey(
        Edition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The list's edition when the change was made; empty before the first one.",
    )

    class Meta:
        ordering = ["reader", "at", "id"]
        indexes = [models.Index(fields=["reader", "to_status", "at"])]

    def __str__(self) -> str:
        return f"{self.reader} · {self.paper}: {self.from_status} → {self.to_status}"


class PartTickQuerySet(models.QuerySet):
    def of_readers(self, reader_ids) -> "PartTickQuerySet":
        return self.filter(reader_id__in=reader_ids)

    def current(self) -> "PartTickQuerySet":
        """Ticks of parts the list still advises (a retired part's ticks are kept, not counted)."""
        return self.filter(advice__retired=False)


class PartTick(models.Model):
    """A reader has read one part of a work, at a depth: their one tick on that part, whichever
    curriculum's advice they ticked it for.

    A part is named by its work and its key (the key is the curators' name for the part, the
    same in every curriculum that advises it), so ticking it in one list ticks it in all, and
    unticking it anywhere unticks it everywhere. `depth` is how deeply it was read (DEPTH):
    the deepest level it was ticked at. `advice` is the advice it was ticked for at that depth,
    which says where it was read ("from your reading for …"). An entry that cites no work has
    no shared parts: its ticks are its own (`work` empty), one per advice.
    """

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="part_ticks"
    )
    # PROTECT: a work or a part readers ticked is kept (retired), never deleted under them.
    work = models.ForeignKey(
        Work, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key = models.SlugField(max_length=50)
    depth = models.PositiveSmallIntegerField()
    advice = models.ForeignKey(Advice, on_delete=models.PROTECT, related_name="ticks")
    done_at = models.DateTimeField()
    edition = models.ForeignKey(
        Edition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The list's edition when the part was ticked; empty before the first one.",
    )

    objects = PartTickQuerySet.as_manager()

    class Meta:
        ordering = ["reader", "advice"]
        constraints = [
            models.UniqueConstraint(fields=["reader", "advice"], name="one_tick_per_reader_part"),
            models.UniqueConstraint(
                fields=["reader", "work", "key"],
                condition=Q(work__isnull=False),
                name="one_tick_per_reader_work_part",
            ),
            models.CheckConstraint(condition=~Q(key=""), name="part_tick_key_given"),
            models.CheckConstraint(
                condition=Q(depth__in=sorted(set(DEPTH.values()))), name="part_tick_depth_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reader} ✓ {self.advice}"

    @classmethod
    def of(cls, *, reader, advice: Advice, work_id: int | None, done_at, **fields) -> "PartTick":
        """The tick of `advice`'s part (of `work_id`, the main work of its entry) at the
        advice's depth: the one way to make one, so work, key and depth never disagree."""
        return cls(
            reader=reader, advice=advice, work_id=work_id, key=advice.key,
            depth=depth_of(advice.level), done_at=done_at, **fields,
        )  # fmt: skip

    @property
    def part(self) -> tuple:
        """What names the part whoever advises it: its work and key (its advice, with no work)."""
        return ("work", self.work_id, self.key) if self.work_id else ("advice", self.advice_id)


class ChangesSeen(models.Model):
    """The newest edition whose changes this reader has marked seen."""

    reader = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="changes_seen"
    )
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "changes seen"

    def __str__(self) -> str:
        return f"{self.reader} has seen {self.edition}"


class NoteQuerySet(models.QuerySet):
    def on(self, paper: Paper) -> "NoteQuerySet":
        """The note on the entry's work, whichever list's entry it was written for; on an entry
        that cites no work, the entry's own (call it on `reader.notes`)."""
        main = Citation.objects.main().filter(entry=paper).values("work")[:1]
        return self.filter(Q(work=Subquery(main)) | Q(paper=paper, work__isnull=True)).order_by(
            F("work").asc(nulls_last=True)
        )

    def for_paper(self, paper: Paper) -> "Note | None":
        """The note on this entry's work, if there is one (call it on `reader.notes`)."""
        return self.on(paper).first()

    def of_readers(self, reader_ids) -> "NoteQuerySet":
        return self.filter(reader_id__in=reader_ids)

    def written(self) -> "NoteQuerySet":
        """Notes with some text (an emptied note keeps its row and revisions)."""
        return self.exclude(text="")

    def store_rendering(self, pk: int, *, version: int, text: str) -> str:
        """Render a note whose stored rendering is missing or old, store it, and return it.

        Only the derived columns are written, and only while the note is still at `version` (a
        save in between stored its own). Not reader data: the reader's version is not moved, as
        the note shows the same. Each note is rendered once this way, not on every page load.
        """
        stored = markdown.for_storing(text)
        with derived_write():
            self.filter(pk=pk, version=version).update(rendered=stored, rendered_version=version)
        return stored


class Note(models.Model):
    """One private Markdown note per reader and work, whichever list's entry it is written
    from; `version` counts successful saves. `paper` is the entry it was first written for;
    an entry that cites no work has a note of its own (`work` empty)."""

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="notes")
    work = models.ForeignKey(
        Work, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()
    # The text as sanitised HTML, made when it was saved or imported, marked with the renderer's
    # version, and the note's version it was made from: pages show it without rendering. One
    # that is missing or old is rendered once and stored again (Note.objects.store_renderings).
    rendered = models.TextField(blank=True, editable=False)
    rendered_version = models.PositiveIntegerField(default=0, editable=False)
    # Whether the latest revision still belongs to the sitting in progress: autosaves within
    # SITTING_GAP of the last save fold into it, until the page is left (the client says so).
    sitting_open = models.BooleanField(default=False, editable=False)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["reader", "paper"]
        constraints = [
            models.UniqueConstraint(fields=["reader", "paper"], name="one_note_per_reader_paper"),
            models.UniqueConstraint(
                fields=["reader", "work"],
                condition=Q(work__isnull=False),
                name="one_note_per_reader_work",
            ),
        ]

    def __str__(self) -> str:
        return f"Note by {self.reader} on {self.paper} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("progress:note", kwargs={"slug": self.paper.slug})

    def html(self) -> SafeString:
        """The note as sanitised HTML: the stored rendering if it is of this version."""
        return markdown.shown(
            self.text, stored=self.rendered, stored_for=self.rendered_version, version=self.version
        )

    def store_rendering(self) -> None:
        """Render the current text into `rendered` (saving is the caller's)."""
        self.rendered, self.rendered_version = markdown.for_storing(self.text), self.version


class NoteRevisionQuerySet(models.QuerySet):
    def newest_first(self) -> "NoteRevisionQuerySet":
        return self.order_by("-version")


class NoteRevision(models.Model):
    """The text of a note as it was after one successful save."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    saved_at = models.DateTimeField()

    objects = NoteRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["note", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["note", "version"], name="one_revision_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.note} revision {self.version}"

    def get_absolute_url(self) -> str:
        return reverse(
            "progress:note-revision",
            kwargs={"slug": self.note.paper.slug, "version": self.version},
        )


class DashboardState(models.Model):
    """One row per reader for what their dashboard depends on beyond their reading rows.

    `version` is bumped (in the same transaction) by every write that changes what the reader's
    own pages show, so a request that finds the version unchanged can answer from a cached page
    without reading a single status, tick or note. `folded` holds the slugs of the tiers the
    reader folded away, so a finished tier stays as they left it, on every device;
    `hint_dismissed` whether they closed the first-run hint.
    """

    reader = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_state"
    )
    version = models.PositiveBigIntegerField(default=0)
    folded = models.JSONField(default=list, blank=True)
    # The reader closed the first-run hint (what the levels mean, where to start): never again.
    hint_dismissed = models.BooleanField(default=False)

    class Meta:
        ordering = ["reader"]

    def __str__(self) -> str:
        return f"{self.reader}'s dashboard (version {self.version})"


class FollowQuerySet(models.QuerySet):
    def followed(self) -> "FollowQuerySet":
        return self.filter(following=True)


class Follow(models.Model):
    """A reader's choice to follow a curriculum, or to stop following it.

    The default curriculum is followed until a row says otherwise, so a new reader follows it
    without a row; another curriculum is followed once a row says so. Unfollowing sets
    `following` off: it hides the curriculum and deletes nothing the reader did.
    """

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    curriculum = models.ForeignKey(Curriculum, on_delete=models.PROTECT, related_name="+")
    following = models.BooleanField(default=True)
    changed_at = models.DateTimeField()

    objects = FollowQuerySet.as_manager()

    class Meta:
        ordering = ["reader", "changed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "curriculum"], name="one_follow_per_reader_curriculum"
            )
        ]

    def __str__(self) -> str:
        verb = "follows" if self.following else "stopped following"
        return f"{self.reader} {verb} {self.curriculum}"


def is_following(reader, curriculum: Curriculum) -> bool:
    """Whether `reader` follows `curriculum`: the default one unless they stopped, another
    only once they chose it."""
    row = Follow.objects.filter(reader=reader, curriculum=curriculum).first()
    return row.following if row is not None else curriculum.is_default


def followed_ids(reader, curricula) -> set[int]:
    """The ids of those of `curricula` that `reader` follows, in one query."""
    chosen = dict(Follow.objects.filter(reader=reader).values_list("curriculum_id", "following"))
    return {c.pk for c in curricula if chosen.get(c.pk, c.is_default)}


def followed_curricula(reader) -> list[Curriculum]:
    """The curricula `reader` follows (published, or the default), default first, then in the
    curators' order: one query."""
    choice = Follow.objects.filter(reader=reader, curriculum=OuterRef("pk")).values("following")
    rows = (
        Curriculum.objects.readable()
        .default_first()
        .annotate(followed=Coalesce(Subquery(choice[:1]), F("is_default")))
    )
    return [curriculum for curriculum in rows if curriculum.followed]
