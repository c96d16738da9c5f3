"""How long a reading group's page takes when every member shares 100 KB adversarial notes.

`measure()` sets Django up on its own, with development settings and a throwaway SQLite database
under /tmp, builds a group of MEMBERS readers who each share a note of NOTE_CHARACTERS characters
built to be slow to render (unclosed image and link brackets, emphasis runs, tables, ...), and
returns the median time in milliseconds of ROUNDS loads of the group page through Django's test
client, after one load that warms the per-worker render cache. A benchmark, not a test: the
target is checked by `make bench`; tests/security/test_bounded_work.py checks that the page
answers at all.
"""

import os
import secrets
import statistics
import tempfile
import time

MEMBERS = 20
NOTE_CHARACTERS = 100_000
ROUNDS = 15


def adversarial_notes(length: int = NOTE_CHARACTERS) -> list[str]:
    """Notes, each `length` characters, of the kinds of Markdown that parse slowest."""
    shapes = [
        "![",  # unclosed images
        "[",  # unclosed links
        "[![",  # both, interleaved
        "[a](",  # unclosed destinations
        "*a",  # emphasis that never closes
        "_a ",
        "<",  # autolink and HTML starts
        "|x|y|\n",  # table rows
        "> ",  # quotes
        "`",  # code span starts
    ]
    notes = []
    for shape in shapes:
        body = shape * (length // len(shape) + 1)
        if shape.startswith("|"):
            body = "|a|b|\n|-|-|\n" + body
        notes.append(body[:length])
    return notes


def build_group(members: int = MEMBERS, length: int = NOTE_CHARACTERS):
    """A group whose members all share progress and an adversarial note on one entry.

    Returns (facilitator, group). Needs Django set up and a migrated database.
    """
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from catalogue.models import Paper, Section
    from groups.models import Membership, ReadingGroup, Role, Sharing
    from progress.models import Note

    section = Section.objects.create(title="Bench tier", slug="bench-tier", priority=1, position=1)
    paper = Paper.objects.create(
        section=section, slug="bench-entry", title="Bench entry", short_name="Bench", position=1
    )
    group = ReadingGroup.objects.create(
        name="Bench group", slug="bench-group", invite_token=secrets.token_urlsafe(24)
    )
    notes = adversarial_notes(length)
    facilitator = None
    for index in range(members):
        reader = get_user_model().objects.create_user(username=f"bench-{index}", password=None)
        role = Role.FACILITATOR if index == 0 else Role.MEMBER
        Membership.objects.create(
            group=group, reader=reader, role=role, sharing=Sharing.PROGRESS_AND_NOTES
        )
        Note.objects.create(
            reader=reader,
            paper=paper,
            text=notes[index % len(notes)] + f"\n\n{index}",
            version=1,
            updated_at=timezone.now(),
        )
        facilitator = facilitator or reader
    return facilitator, group


def _setup_django(directory: str) -> None:
    os.environ["MIREADS_DEBUG"] = "true"
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/group-page.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "mireads.settings"
    os.environ.setdefault("MIREADS_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def measure(rounds: int = ROUNDS) -> float:
    """Median milliseconds to load the group page (warm render cache), on a fresh database."""
    with tempfile.TemporaryDirectory(prefix="mireads-group-page-") as directory:
        _setup_django(directory)
        from django.test import Client

        facilitator, group = build_group()
        client = Client()
        client.force_login(facilitator)
        url = group.get_absolute_url()
        first = client.get(url)
        if first.status_code != 200:
            raise RuntimeError(f"the group page answered {first.status_code}, not 200")
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)


def report() -> None:
    """Print the measurement with PASS or FAIL against bench/targets.py."""
    from bench.targets import GROUP_PAGE_MS

    ms = measure()
    verdict = "PASS" if GROUP_PAGE_MS.met(ms) else "FAIL"
    print(f"{GROUP_PAGE_MS.measured}: {GROUP_PAGE_MS.shown(ms)} ({GROUP_PAGE_MS.limit}) {verdict}")
