import json
import os
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from catalogue import listimport, listtext


class Command(BaseCommand):
    help = (
        "Read an annotated reading list (plain text with • bullets, or Markdown) and make it a "
        "draft curriculum (seen only in admin until publish_edition --curriculum SLUG publishes "
        "it); print what it made, the works it matched, and every line it could not place or "
        "that a curator should confirm. With --out (or --dry-run), write the parsed list there "
        "as JSON and leave the database alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The list's text: plain text or Markdown, UTF-8.")
        parser.add_argument("--slug", required=True, help="The curriculum's slug.")
        parser.add_argument("--title", required=True, help="The curriculum's title.")
        parser.add_argument(
            "--out", help="Write the parsed list here as JSON; the database is not touched."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what it would make without touching the database.",
        )

    def handle(
        self, *args, file: str, slug: str, title: str, out: str | None, dry_run: bool, **options
    ):
        try:
            validate_slug(slug)
        except ValidationError:
            raise CommandError(
                f"--slug {slug!r} is not a slug: use letters, numbers, hyphens and underscores."
            ) from None
        if not title.strip():
            raise CommandError("--title is empty: give the curriculum a title.")
        try:
            parsed = listtext.read_file(file)
        except listtext.ListTextError as error:
            raise CommandError(str(error)) from None
        if out:
            # The parsed list as JSON, as a file to look at or keep: the database is not read.
            data = listtext.as_json(parsed, slug=slug, title=title.strip(), source=Path(file).name)
            _write_atomically(Path(out), json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            for line in listtext.report(parsed):
                self.stdout.write(line)
            self.stdout.write(f"Wrote {out}; the database was not touched.")
            return
        try:
            if dry_run:
                report = listimport.plan(parsed, slug=slug, title=title.strip())
            else:
                report = listimport.import_parsed(parsed, slug=slug, title=title.strip())
        except listimport.ListImportError as error:
            raise CommandError(str(error)) from None
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(
                f"Review it in admin, then publish it: manage.py publish_edition "
                f'--curriculum {slug} --note "...".'
            )


def _write_atomically(path: Path, text: str) -> None:
    """Write all of `text` or, on any failure, leave `path` as it was."""
    if not path.parent.is_dir():
        raise CommandError(f"--out {path}: the folder {path.parent} does not exist.")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise CommandError(f"--out {path} cannot be written ({error.strerror}).") from None
