import json
import os
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug

from catalogue import listtext


class Command(BaseCommand):
    help = (
        "Read an annotated reading list (plain text with • bullets, or Markdown) and report what "
        "it makes and every line it could not place or that a curator should confirm; with "
        "--out, write the parsed list there as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The list's text: plain text or Markdown, UTF-8.")
        parser.add_argument("--slug", required=True, help="The curriculum's slug.")
        parser.add_argument("--title", required=True, help="The curriculum's title.")
        parser.add_argument("--out", help="Write the parsed list here as JSON.")

    def handle(self, *args, file: str, slug: str, title: str, out: str | None, **options):
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
            data = listtext.as_json(parsed, slug=slug, title=title.strip(), source=Path(file).name)
            _write_atomically(Path(out), json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        for line in listtext.report(parsed):
            self.stdout.write(line)
        if out:
            self.stdout.write(f"Wrote {out}.")


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
