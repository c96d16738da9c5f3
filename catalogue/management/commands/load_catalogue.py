from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue import fixture


class Command(BaseCommand):
    help = (
        "Load the reading list (fixtures/papers.json) in one transaction, updating rows in place."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(fixture.FIXTURE_PATH))

    def handle(self, *args, path: str, **options):
        try:
            report = fixture.load_file(Path(path))
        except fixture.CatalogueError as error:
            raise CommandError(f"{error} Nothing was changed.") from None
        self.stdout.write(f"Loaded {path}: {report}.")
