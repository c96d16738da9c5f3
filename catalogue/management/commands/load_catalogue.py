from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue import fixture


class Command(BaseCommand):
    help = (
        "Apply what changed in the curricula's files since they were last applied: "
        "fixtures/papers.json (the default curriculum) and every file in fixtures/curricula/, "
        "or the one file given; each in one transaction; staff edits stay unless --take-file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", nargs="?", help="One file to load; without it, every curriculum's file."
        )
        parser.add_argument(
            "--take-file",
            action="store_true",
            help="Where the file and a staff edit changed the same field, take the file's value.",
        )

    def handle(self, *args, path: str | None, take_file: bool, **options):
        paths = [Path(path)] if path else [fixture.FIXTURE_PATH, *fixture.curriculum_files()]
        conflicts = []
        for one in paths:
            try:
                report = fixture.load_file(one, take_file=take_file)
            except fixture.CatalogueError as error:
                if path:
                    raise CommandError(f"{error} Nothing was changed.") from None
                raise CommandError(
                    f"{one}: {error} Nothing in that file was changed (the files before it "
                    "were loaded)."
                ) from None
            self.stdout.write(f"Loaded {one}: {report}.")
            conflicts += [f"- {one}: {conflict}" for conflict in report.conflicts]
        if conflicts:
            lines = "\n".join(conflicts)
            raise CommandError(
                f"{len(conflicts)} conflict(s) between the files and staff edits; the "
                f"database's values were kept:\n{lines}\nTo keep them, write the database back "
                "to the file (manage.py export_catalogue); to take the file's, run "
                "manage.py load_catalogue --take-file."
            )
