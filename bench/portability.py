"""How long export and import take for a reader who has used every entry of the real list.

Run with `.venv/bin/python -m bench portability`. It sets Django up on its own, with development
settings and a throwaway SQLite database under /tmp, so it never touches the project's database.
Each reader has a status (with its events), every part ticked, and a note with 5 revisions on
every entry of fixtures/papers.json. A benchmark, not a test: it prints a table with PASS or FAIL
against bench/targets.py and exits 0.
"""

import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from bench.targets import PORTABILITY_SECONDS

ROUNDS = 5


def setup_django(directory: str) -> None:
    os.environ["MIREADS_DEBUG"] = "true"
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/portability.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "mireads.settings"
    os.environ.setdefault("MIREADS_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_reader(username: str):
    """A reader with a status, events, every part ticked and a 5-revision note on every entry."""
    from django.contrib.auth import get_user_model

    from catalogue.models import Citation, Paper
    from progress.models import Note, NoteRevision, PartTick, ReadingEvent, ReadingState

    reader = get_user_model().objects.create_user(username=username, password=None)
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    papers = list(Paper.objects.in_reading_order().with_advice())
    for index, paper in enumerate(papers):
        began, done = start + timedelta(days=index), start + timedelta(days=index, hours=5)
        ReadingState.objects.create(
            reader=reader, paper=paper, status="read", started_at=began, finished_at=done
        )
        ReadingEvent.objects.bulk_create(
            [
                ReadingEvent(
                    reader=reader, paper=paper, from_status="unread", to_status="reading", at=began
                ),
                ReadingEvent(
                    reader=reader, paper=paper, from_status="reading", to_status="read", at=done
                ),
            ]
        )
        work_id = Citation.objects.main_work_id(paper)
        PartTick.objects.bulk_create(
            [
                PartTick.of(reader=reader, advice=advice, work_id=work_id, done_at=done)
                for advice in paper.advice.all()
            ]
        )
        texts = [
            f"Draft {n} on {paper.name}.\n\n" + "Some thoughts. " * 60 * n for n in range(1, 6)
        ]
        note = Note.objects.create(
            reader=reader, paper=paper, text=texts[-1], version=5, updated_at=done
        )
        NoteRevision.objects.bulk_create(
            [
                NoteRevision(note=note, version=n, text=text, saved_at=began + timedelta(hours=n))
                for n, text in enumerate(texts, start=1)
            ]
        )
    return reader, len(papers)


def expect(condition: bool, message: str) -> None:
    """Stop the run when a measured request did not do what it should: its time would mislead."""
    if not condition:
        raise SystemExit(f"bench portability: {message}")


def timed(action) -> tuple[float, object]:
    """The median of ROUNDS runs, in seconds, and the last result."""
    times, result = [], None
    for _ in range(ROUNDS):
        began = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def measure() -> None:
    """`python -m bench portability`."""
    with tempfile.TemporaryDirectory(prefix="mireads-bench-", dir="/tmp") as directory:
        setup_django(directory)
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.urls import reverse

        from catalogue import fixture

        fixture.load_file()
        reader, entries = make_reader("bench-reader")
        client = Client()
        client.force_login(reader)

        def export():
            response = client.get(reverse("accounts:export-json"))
            expect(response.status_code == 200, f"export answered {response.status_code}")
            return response.getvalue()  # streamed: made while it is read

        export_time, content = timed(export)

        def import_into_fresh_account():
            users = get_user_model().objects
            users.filter(username="bench-importer").delete()
            importer = users.create_user(username="bench-importer", password=None)
            client.force_login(importer)
            return post(client, reverse("accounts:import"), content)

        def import_again():
            return post(client, reverse("accounts:import"), content)

        # Each fresh import includes creating and deleting the importer: a little slower, never
        # flattering.
        fresh_time, _ = timed(import_into_fresh_account)
        again_time, response = timed(import_again)
        expect(b"0 entries updated" in response.content, "the second import changed something")

        document = json.loads(content)
        rows = [
            ("export JSON (GET mireads.json)", export_time),
            ("import into an empty account", fresh_time),
            ("import the same file again (no-op)", again_time),
        ]
        revisions = sum(len(e["note"]["revisions"]) for e in document["entries"])
        ticks = sum(len(e["ticks"]) for e in document["entries"])
        print(
            f"{entries} entries, {ticks} ticks, {revisions} note revisions; "
            f"file {len(content) / 1024:.0f} KiB; median of {ROUNDS} runs; SQLite"
        )
        print(f"{'operation':<38} {'time':>9}  target: {PORTABILITY_SECONDS.limit}")
        for label, seconds in rows:
            verdict = "PASS" if PORTABILITY_SECONDS.met(seconds) else "FAIL"
            print(f"{label:<38} {seconds * 1000:>7.1f} ms  {verdict}")


def post(client, url: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"file": SimpleUploadedFile("mireads.json", content)})
    expect(response.status_code == 200, f"import answered {response.status_code}")
    return response
