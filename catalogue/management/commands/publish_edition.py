from django.core.management.base import BaseCommand, CommandError

from catalogue import editions
from catalogue.models import Curriculum


class Command(BaseCommand):
    help = (
        "Publish one curriculum as it stands as its next numbered edition, with a note "
        "(the default curriculum unless --curriculum names another)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--note", required=True, help="What changed, for readers (at most 500 characters)."
        )
        parser.add_argument(
            "--curriculum",
            metavar="SLUG",
            help="The slug of the curriculum to publish (see /lists/); the default one if omitted.",
        )

    def handle(self, *args, note: str, curriculum: str | None, **options):
        if curriculum is None:
            chosen = Curriculum.objects.default()
        else:
            chosen = Curriculum.objects.filter(slug=curriculum).first()
            if chosen is None:
                known = ", ".join(Curriculum.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(
                    f"There is no curriculum {curriculum!r} (known: {known}). "
                    "Nothing was published."
                )
        try:
            edition = editions.publish(note=note, curriculum=chosen)
        except editions.EditionError as error:
            raise CommandError(str(error)) from None
        changed = len(edition.content.changes)
        self.stdout.write(
            f"Published edition {edition.number} of {chosen.title!r}: {changed} "
            f"entr{'y' if changed == 1 else 'ies'} changed since the edition before."
        )
