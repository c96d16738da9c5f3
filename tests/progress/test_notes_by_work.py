"""A note belongs to the reader and the work (issue 25, point 3): one note whichever list's entry
it is written from, shown and edited from every entry citing the work; a database made before
keeps every note's text and every revision."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Paper
from progress import services
from progress.models import Note
from tests.factories import NoteFactory, PaperFactory, UserFactory, WorkFactory
from tests.helpers import entries_citing_one_work, migrate, migrated_to

FRAMEWORK = "mathematical-framework"
SECOND = f"second-{FRAMEWORK}"


def _note(reader, slug: str, text: str, base: int) -> Note:
    paper = Paper.objects.get(slug=slug)
    return services.save_note(reader=reader, paper=paper, text=text, base_version=base)


def test_a_note_written_for_one_list_opens_and_saves_as_the_same_note_from_another(
    ada, client, further_list
):
    further_list()
    _note(ada, FRAMEWORK, "Q-K and O-V circuits, written for the shipped list.", 0)

    editor = client.get(reverse("progress:note", args=[SECOND])).content.decode()
    assert "Q-K and O-V circuits, written for the shipped list." in editor

    saved = _note(ada, SECOND, "Q-K and O-V circuits, and the skim the second list asks.", 1)

    assert Note.objects.filter(reader=ada).count() == 1
    assert (saved.version, saved.paper.slug) == (2, FRAMEWORK)  # kept where it was begun
    shipped = client.get(reverse("progress:note", args=[FRAMEWORK])).content.decode()
    assert "and the skim the second list asks." in shipped


def test_a_note_saved_from_a_stale_editor_on_the_other_list_is_a_conflict_not_a_second_note(
    ada, further_list
):
    further_list()
    _note(ada, FRAMEWORK, "First", 0)

    with pytest.raises(services.NoteConflict):
        _note(ada, SECOND, "Begun in another tab before the first was saved", 0)

    assert list(Note.objects.filter(reader=ada).values_list("text", flat=True)) == ["First"]


def test_the_second_lists_dashboard_flags_and_finds_the_note_written_for_the_first(
    ada, client, further_list
):
    second = further_list()
    services.set_following(reader=ada, curriculum=second, following=True)
    _note(ada, FRAMEWORK, "Induction heads are composition.", 0)

    page = client.get(reverse("home"), {"list": "second"}).content.decode()
    found = client.get(reverse("home"), {"list": "second", "q": "composition"}).content.decode()

    assert f'href="/papers/{SECOND}/#note">✎ note</a>' in page
    assert f'id="entry-{SECOND}"' in found


@pytest.mark.django_db
def test_the_database_refuses_a_second_note_on_one_work():
    reader, work = UserFactory(), WorkFactory(paper=None)
    first, second = PaperFactory(), PaperFactory()
    for entry in (first, second):
        entry.citations.create(work=work, position=1, role="main")
    NoteFactory(reader=reader, paper=first)

    with pytest.raises(IntegrityError), transaction.atomic():
        NoteFactory(reader=reader, paper=second)


BEFORE = [("catalogue", "0009_works_shared"), ("progress", "0011_ticks_by_part")]
AFTER = [("catalogue", "0009_works_shared"), ("progress", "0012_notes_by_work")]


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_notes_by_work_keeps_every_text_and_revision():
    with migrated_to(BEFORE) as old:
        User = old.get_model("auth", "User")
        Paper_ = old.get_model("catalogue", "Paper")
        Note_ = old.get_model("progress", "Note")
        Revision = old.get_model("progress", "NoteRevision")
        now = timezone.now()
        day = timezone.timedelta(days=1)
        ada = User.objects.create(username="ada")
        work, entries, section = entries_citing_one_work(old, 2)
        loose = Paper_.objects.create(section=section, position=2, title="Loose", slug="loose")
        older = Note_.objects.create(
            reader=ada, paper=entries[0], text="Older v2", version=2, updated_at=now - 3 * day
        )
        Revision.objects.create(note=older, version=1, text="Older v1", saved_at=now - 4 * day)
        Revision.objects.create(note=older, version=2, text="Older v2", saved_at=now - 3 * day)
        newer = Note_.objects.create(
            reader=ada, paper=entries[1], text="Newer v1", version=1, updated_at=now - day
        )
        Revision.objects.create(note=newer, version=1, text="Newer v1", saved_at=now - day)
        Note_.objects.create(reader=ada, paper=loose, text="Own", version=1, updated_at=now)

        new = migrate(AFTER)
        notes = new.get_model("progress", "Note").objects.order_by("paper__slug")
        assert [(n.paper.slug, n.work_id) for n in notes] == [("f2", work.pk), ("loose", None)]
        joined = notes[0]
        assert joined.text.startswith("Newer v1\n\n---\n\n*Written for F1:*\n\nOlder v2")
        assert joined.version == 4
        revisions = new.get_model("progress", "NoteRevision").objects.filter(note=joined)
        assert list(revisions.order_by("version").values_list("version", "text")) == [
            (1, "Older v1"),
            (2, "Older v2"),
            (3, "Newer v1"),
            (4, joined.text),
        ]
