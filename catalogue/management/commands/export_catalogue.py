from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue import fixture
from catalogue.models import Curriculum


class Command(BaseCommand):
    help = (
        "Write a curriculum from the database back to its file: the default one to "
        "fixtures/papers.json, another (--curriculum SLUG) to fixtures/curricula/SLUG.json; "
        "or to a path, or - for standard output."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?")
        parser.add_argument(
            "--curriculum", metavar="SLUG", help="Its slug; the default if omitted."
        )

    def handle(self, *args, path: str | None, curriculum: str | None, **options):
        chosen = (
            Curriculum.objects.filter(slug=curriculum).first()
            if curriculum
            else Curriculum.objects.default()
        )
        if chosen is None:
            raise CommandError(f"There is no curriculum {curriculum!r}. Nothing was written.")
        text = fixture.dumps(chosen)
        if path == "-":
            self.stdout.write(text, ending="")
            return
        if path is None:
            path = (
                fixture.FIXTURE_PATH
                if chosen.is_default
                else fixture.CURRICULA_DIR / f"{chosen.slug}.json"
            )
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote {path}.")
