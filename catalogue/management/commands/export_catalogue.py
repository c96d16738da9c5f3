from pathlib import Path

from django.core.management.base import BaseCommand

from catalogue import fixture


class Command(BaseCommand):
    help = (
        "Write the reading list from the database back to fixtures/papers.json (or a path, or -)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(fixture.FIXTURE_PATH))

    def handle(self, *args, path: str, **options):
        text = fixture.dumps()
        if path == "-":
            self.stdout.write(text, ending="")
            return
        Path(path).write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote {path}.")
