"""One factory per model; tests build exactly the data they talk about."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalogue.models import (
    Advice,
    Citation,
    Curriculum,
    Edition,
    Kind,
    Level,
    Paper,
    Section,
    Work,
    WorkKind,
    depth_of,
)
from progress.models import Note, NoteRevision, PartTick, ReadingEvent, ReadingState, Status

PASSWORD = "a long enough passphrase for tests"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class CurriculumFactory(factory.django.DjangoModelFactory):
    """A further curriculum (not the default one, which the shipped list is)."""

    class Meta:
        model = Curriculum
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"list-{n}")
    title = factory.Sequence(lambda n: f"Reading list {n}")
    author = "A curator"
    position = factory.Sequence(lambda n: n + 2)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    title = factory.Sequence(lambda n: f"Tier {n}")
    slug = factory.Sequence(lambda n: f"tier-{n}")
    priority = 1
    position = factory.Sequence(lambda n: n)


class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paper

    section = factory.SubFactory(SectionFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Paper number {n}")
    slug = factory.Sequence(lambda n: f"paper-{n}")
    kind = Kind.PAPER
    url = factory.Sequence(lambda n: f"https://example.org/papers/{n}")
    authors = "A. Author, B. Author"
    year = 2022
    summary = "A summary in our own words."
    commentary = "What the list thinks of it."


class AdviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Advice

    paper = factory.SubFactory(PaperFactory)
    key = factory.Sequence(lambda n: f"part-{n}")
    position = factory.Sequence(lambda n: n + 1)
    level = Level.DEEP
    part = factory.Sequence(lambda n: f"Section {n}")
    detail = "Why this part matters."


class WorkFactory(factory.django.DjangoModelFactory):
    """A work, cited by an entry as its main work (pass role=Work.Role.COMPANION and a position
    for a companion; paper=None for a work no entry cites yet)."""

    class Meta:
        model = Work

    # The citing entry's side: not the work's fields, a Citation made with it.
    paper = factory.SubFactory(PaperFactory)
    position = 1
    role = Work.Role.MAIN
    slug = factory.Sequence(lambda n: f"work-{n}")
    kind = WorkKind.ARTICLE
    title = factory.Sequence(lambda n: f"Work number {n}")
    authors = factory.LazyFunction(lambda: ["Ada Lovelace"])
    year = 2022
    venue = "Distill"
    url = "https://example.org/work"

    @classmethod
    def _create(cls, model_class, *args, paper=None, position=1, role=Work.Role.MAIN, **kwargs):
        work = super()._create(model_class, *args, **kwargs)
        if paper is not None:
            Citation.objects.create(entry=paper, work=work, position=position, role=role)
        return work

    @classmethod
    def _build(cls, model_class, *args, paper=None, position=1, role=Work.Role.MAIN, **kwargs):
        return super()._build(model_class, *args, **kwargs)


class CitationFactory(factory.django.DjangoModelFactory):
    """An entry cites a work (a new one unless given)."""

    class Meta:
        model = Citation

    entry = factory.SubFactory(PaperFactory)
    work = factory.SubFactory(WorkFactory, paper=None)
    position = 1
    role = Work.Role.MAIN


class EditionFactory(factory.django.DjangoModelFactory):
    """A bare edition row; publish with catalogue.editions.publish() for one with a snapshot."""

    class Meta:
        model = Edition

    number = factory.Sequence(lambda n: n + 1)
    note = "A new edition."
    published_at = factory.LazyFunction(timezone.now)


class ReadingStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadingState

    reader = factory.SubFactory(UserFactory)
    paper = factory.SubFactory(PaperFactory)
    # The work the state is of: the entry's main work (ReadingState).
    work_id = factory.LazyAttribute(lambda state: Citation.objects.main_work_id(state.paper))
    status = Status.READING
    started_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """As set_status does: a work's state is one row, whichever entry it is set from (this
        one replaces what an earlier call set); a skip is its entry's own."""
        work_id, status = kwargs.get("work_id"), kwargs.get("status", Status.READING)
        if work_id and status != Status.SKIPPED:
            held = model_class.objects.filter(reader=kwargs["reader"], work_id=work_id).exclude(
                status=Status.SKIPPED
            )
            held.delete()
        return super()._create(model_class, *args, **kwargs)


class ReadingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadingEvent

    reader = factory.SubFactory(UserFactory)
    paper = factory.SubFactory(PaperFactory)
    work_id = factory.LazyAttribute(lambda event: Citation.objects.main_work_id(event.paper))
    from_status = Status.UNREAD
    to_status = Status.READING
    at = factory.LazyFunction(timezone.now)


class PartTickFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartTick

    reader = factory.SubFactory(UserFactory)
    advice = factory.SubFactory(AdviceFactory)
    done_at = factory.LazyFunction(timezone.now)
    # The part of the work the advice names, at its depth (PartTick.of).
    work_id = factory.LazyAttribute(lambda tick: Citation.objects.main_work_id(tick.advice.paper))
    key = factory.LazyAttribute(lambda tick: tick.advice.key)
    depth = factory.LazyAttribute(lambda tick: depth_of(tick.advice.level))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """As ticking does (progress.services.set_parts_done): a part of a work the reader
        ticked already keeps its one tick, made deeper when this advice reads it deeper."""
        work_id, reader, key = kwargs.get("work_id"), kwargs["reader"], kwargs["key"]
        held = (
            work_id and model_class.objects.filter(reader=reader, work_id=work_id, key=key).first()
        )
        if not held:
            return super()._create(model_class, *args, **kwargs)
        if kwargs["depth"] > held.depth:
            held.depth, held.advice = kwargs["depth"], kwargs["advice"]
            held.save(update_fields=["depth", "advice"])
        return held


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    reader = factory.SubFactory(UserFactory)
    paper = factory.SubFactory(PaperFactory)
    # The work the note is on: the entry's main work (Note).
    work_id = factory.LazyAttribute(lambda note: Citation.objects.main_work_id(note.paper))
    text = "My thoughts on this."
    version = 1
    updated_at = factory.LazyFunction(timezone.now)


class NoteRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoteRevision

    note = factory.SubFactory(NoteFactory)
    version = 1
    text = factory.LazyAttribute(lambda r: r.note.text)
    saved_at = factory.LazyFunction(timezone.now)


def build_catalogue(entries: int, parts_per_entry: int = 3) -> list[Paper]:
    """A list of `entries` entries over two tiers, each with advice at every level."""
    tiers = [
        SectionFactory(priority=1, position=1, slug="tier-one"),
        SectionFactory(priority=2, position=2, slug="tier-two"),
    ]
    papers = []
    for index in range(entries):
        paper = PaperFactory(section=tiers[index % 2], position=index + 1)
        levels = [Level.DEEP, Level.SKIM, Level.SKIM_OR_SKIP, Level.SKIP]
        for position in range(1, parts_per_entry + 1):
            AdviceFactory(paper=paper, position=position, level=levels[(position - 1) % 4])
        papers.append(paper)
    return papers


# Reading groups -------------------------------------------------------------------------------
from groups.models import Membership, ReadingGroup, Role, Sharing, TierTarget  # noqa: E402


class ReadingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadingGroup

    name = factory.Sequence(lambda n: f"Reading group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")
    description = "We read the list together."
    invite_token = factory.Sequence(lambda n: f"test-invite-token-{n:04d}-0123456789abcdef")
    # The default curriculum unless a test passes another (curriculum=CurriculumFactory()).
    curriculum = factory.LazyFunction(Curriculum.objects.default)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A plain member sharing nothing; pass role=Role.FACILITATOR for the one facilitator."""

    class Meta:
        model = Membership

    group = factory.SubFactory(ReadingGroupFactory)
    reader = factory.SubFactory(UserFactory)
    role = Role.MEMBER
    sharing = Sharing.NOTHING


class TierTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TierTarget

    group = factory.SubFactory(ReadingGroupFactory)
    tier = factory.SubFactory(SectionFactory)
    due_on = factory.LazyFunction(timezone.localdate)
