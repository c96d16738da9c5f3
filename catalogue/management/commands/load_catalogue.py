from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue import fixture


class Command(BaseCommand):
    help = (
        "Apply what changed in the reading list file (fixtures/papers.json) since it was last "
        "applied, in one transaction; staff edits stay unless --take-file is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(fixture.FIXTURE_PATH))
        parser.add_argument(
            "--take-file",
            action="store_true",
            help="Where the file and a staff edit changed the same field, take the file's value.",
        )

    def handle(self, *args, path: str, take_file: bool, **options):
        try:
            report = fixture.load_file(Path(path), take_file=take_file)
        except fixture.CatalogueError as error:
            raise CommandError(f"{error} Nothing was changed.") from None
        self.stdout.write(f"Loaded {path}: {report}.")
        if report.conflicts:
            lines = "\n".join(f"- {conflict}" for conflict in report.conflicts)
            raise CommandError(
                f"{len(report.conflicts)} conflict(s) between the file and staff edits; the "
                f"database's values were kept:\n{lines}\nTo keep them, write the database back "
                "to the file (manage.py export_catalogue); to take the file's, run "
                "manage.py load_catalogue --take-file."
            )
